//! Scenario files: TOML with spans → validated domain types.
//!
//! [`load_scenario`] reads a file, applies `--set` overrides ([`SetArg`]) to the parsed
//! document, checks every rule of the format and returns a [`Scenario`] plus warnings,
//! or a [`ScenarioError`] whose `Display` is the complete user-facing message.

pub(crate) mod cloudformation;
mod decode;
mod diag;
mod doc;
pub(crate) mod keys;
mod records;
mod set;
pub(crate) mod terraform;
pub(crate) mod trace;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_observed;
#[cfg(test)]
mod tests_services;
#[cfg(test)]
mod tests_uncertainty;

pub use decode::{DEFAULT_MAX_JOBS, MAX_DEMAND_FACTOR, MIN_DEMAND_RPU};
pub(crate) use diag::did_you_mean;
pub use diag::{Diagnostic, Diagnostics, Location, Snippet, MAX_ERRORS};
pub use redshift_cost_core::durations::{format_duration, parse_duration, parse_window};
/// The validated domain types live in the pure core crate.
pub use redshift_cost_core::scenario::*;
pub use set::{parse_set_arg, SetArg};
pub use trace::{parse_timestamp, parse_trace, ParsedTrace, TraceCache, TraceError};

use decode::Ctx;
use diag::SourceText;
use doc::Origin;
use std::path::{Path, PathBuf};

/// A validated scenario and the warnings found while loading it.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub scenario: Scenario,
    /// Short, one-line warnings, each starting with the place it refers to
    /// (`file:line:col: ...` or `--set arg: ...`); no "warning:" prefix.
    pub warnings: Vec<String>,
}

/// Why a scenario could not be loaded. `Display` is the complete message for the user.
#[derive(thiserror::Error, Debug)]
pub enum ScenarioError {
    /// The scenario file itself could not be read.
    #[error("error: cannot read scenario file `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file (or a `--set`, or a trace it names) breaks the format's rules.
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// Reads and validates the scenario at `path`. `regions` are the known (code, location
/// name) pairs; when empty, `region` is not checked against a list.
pub fn load_scenario(
    path: &Path,
    sets: &[SetArg],
    regions: &[(String, String)],
) -> Result<Loaded, ScenarioError> {
    load_scenario_with(path, sets, regions, &Limits::default())
}

/// What a scenario may ask for before it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most jobs the engine may be asked to simulate (`--max-jobs`).
    pub max_jobs: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_jobs: decode::DEFAULT_MAX_JOBS,
        }
    }
}

/// [`load_scenario`] with explicit [`Limits`].
pub fn load_scenario_with(
    path: &Path,
    sets: &[SetArg],
    regions: &[(String, String)],
    limits: &Limits,
) -> Result<Loaded, ScenarioError> {
    Document::read(path)?.decode(sets, regions, limits, &TraceCache::default())
}

/// The largest scenario file read (scenario files are a few kilobytes).
pub const MAX_SCENARIO_BYTES: u64 = 16 * 1024 * 1024;

/// The text of `bytes`, or a diagnostic at the line and column of the first byte that is
/// not UTF-8.
pub fn utf8_or_located(bytes: Vec<u8>, file: &str) -> Result<String, Diagnostics> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let bytes = e.into_bytes();
            let mut diags = Diagnostics::default();
            diags.push(invalid_utf8(&bytes, file));
            Err(diags)
        }
    }
}

/// "invalid UTF-8" at the first bad byte of `bytes` (which are known not to be UTF-8).
pub fn invalid_utf8(bytes: &[u8], file: &str) -> Diagnostic {
    let bad = std::str::from_utf8(bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    let good = &bytes[..bad];
    let line = good.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let before = String::from_utf8_lossy(&bytes[line_start..bad]).into_owned();
    let line_end = bytes[bad..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| bad + i);
    let shown = String::from_utf8_lossy(&bytes[line_start..line_end]).into_owned();
    let column = before.chars().count() + 1;
    Diagnostic::new(
        format!(
            "invalid UTF-8 (byte 0x{:02X}): the file must be UTF-8 text",
            bytes[bad]
        ),
        Some(Location::Source {
            file: file.to_string(),
            line,
            column,
            snippet: diag::snippet(shown.trim_end_matches('\r'), column - 1, 1),
        }),
    )
}

/// The byte span of the line with the most `.`, `[` and `{` (where nesting is deepest).
fn deepest_line(text: &str) -> std::ops::Range<usize> {
    let mut best = (0, 0..0);
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let depth = line
            .chars()
            .filter(|c| matches!(c, '.' | '[' | '{'))
            .count();
        if depth > best.0 {
            let trimmed = line.trim_end();
            best = (depth, offset..offset + trimmed.len().max(1));
        }
        offset += line.len();
    }
    best.1
}

/// Validates scenario `text` as if read from `path` (used for messages and to resolve
/// trace paths).
pub fn parse_scenario(
    text: &str,
    path: &Path,
    sets: &[SetArg],
    regions: &[(String, String)],
) -> Result<Loaded, ScenarioError> {
    parse_scenario_with(text, path, sets, regions, &Limits::default())
}

/// [`parse_scenario`] with explicit [`Limits`].
pub fn parse_scenario_with(
    text: &str,
    path: &Path,
    sets: &[SetArg],
    regions: &[(String, String)],
    limits: &Limits,
) -> Result<Loaded, ScenarioError> {
    Document::parse(text.to_string(), path)?.decode(sets, regions, limits, &TraceCache::default())
}

/// What a scenario read from standard input (`-`) is called in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// A scenario file read and parsed as TOML, not yet validated: what a run keeps so that
/// it can decode the scenario again with other overrides (a sweep point, the scenario as
/// written for a calibration) without reading or parsing any text again.
#[derive(Debug, Clone)]
pub struct Document {
    path: PathBuf,
    text: String,
    root: doc::Table,
}

impl Document {
    /// Reads the scenario at `path` (bounded, UTF-8) and parses it.
    pub fn read(path: &Path) -> Result<Document, ScenarioError> {
        // `-`: the scenario on standard input, named `<stdin>` in messages; its traces are
        // relative to the working directory.
        if path == Path::new("-") {
            let stdin = Path::new(STDIN_NAME);
            let bytes =
                crate::fsx::read_stdin(MAX_SCENARIO_BYTES).map_err(|source| ScenarioError::Io {
                    path: stdin.to_path_buf(),
                    source,
                })?;
            let text = utf8_or_located(bytes, STDIN_NAME)
                .map_err(|d| ScenarioError::Invalid(d.finish(STDIN_NAME)))?;
            return Document::parse(text, stdin);
        }
        let bytes = crate::fsx::read_regular(path, MAX_SCENARIO_BYTES).map_err(|source| {
            ScenarioError::Io {
                path: path.to_path_buf(),
                source,
            }
        })?;
        let text = utf8_or_located(bytes, &path.display().to_string())
            .map_err(|d| ScenarioError::Invalid(d.finish(&path.display().to_string())))?;
        Document::parse(text, path)
    }

    /// Parses `text` as the scenario file at `path`.
    pub fn parse(text: String, path: &Path) -> Result<Document, ScenarioError> {
        let file = path.display().to_string();
        let src = SourceText {
            file: &file,
            text: &text,
        };
        let mut diags = Diagnostics::default();
        let parsed = match toml::de::DeTable::parse(&text) {
            Ok(t) => t,
            Err(e) => {
                let message = e.message().trim();
                let location = match e.span() {
                    Some(span) => src.locate(span),
                    // The parser gives no place for its recursion limit: the deepest line
                    // is where it was hit.
                    None => src.locate(deepest_line(&text)),
                };
                let d = if message.contains("recursion limit") {
                    Diagnostic::new(
                        "invalid TOML: the keys or values nest too deeply (the parser's recursion limit)",
                        Some(location),
                    )
                    .help("a scenario's keys are at most 3 levels deep, e.g. `prices.node_hour.\"ra3.4xlarge\"`")
                } else {
                    Diagnostic::new(format!("invalid TOML: {message}"), Some(location))
                };
                diags.push(d);
                return Err(ScenarioError::Invalid(diags.finish(&file)));
            }
        };
        let root = match doc::table_from_de(parsed.get_ref(), &Origin::File, 1) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::new(e.message(), Some(src.locate(e.span()))));
                return Err(ScenarioError::Invalid(diags.finish(&file)));
            }
        };
        drop(parsed);
        Ok(Document {
            path: path.to_path_buf(),
            text,
            root,
        })
    }

    /// The file the document was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies `sets` to a copy of the document and validates it: the scenario and its
    /// warnings, or every problem found, located. Traces are read through `traces`, once
    /// per run.
    pub fn decode(
        &self,
        sets: &[SetArg],
        regions: &[(String, String)],
        limits: &Limits,
        traces: &TraceCache,
    ) -> Result<Loaded, ScenarioError> {
        let file = self.path.display().to_string();
        let src = SourceText {
            file: &file,
            text: &self.text,
        };
        let mut diags = Diagnostics::default();
        let mut root = self.root.clone();
        for (i, set) in sets.iter().enumerate() {
            if let Err(d) = doc::apply_set(&mut root, set, i) {
                diags.push(d);
            }
        }
        if !diags.is_empty() {
            return Err(ScenarioError::Invalid(diags.finish(&file)));
        }
        let mut ctx = Ctx {
            src,
            sets,
            base_dir: self
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            diags,
            warnings: Vec::new(),
            suggested: Vec::new(),
            max_rpu: None,
            period_secs: redshift_cost_core::units::HOURS_PER_MONTH
                * redshift_cost_core::units::SECONDS_PER_HOUR,
            max_jobs: limits.max_jobs,
            traces,
            uncertain: Vec::new(),
        };
        let scenario = decode::decode(&mut ctx, &root, &self.path, regions);
        match scenario {
            Some(scenario) if ctx.diags.is_empty() => Ok(Loaded {
                scenario,
                warnings: ctx.warnings,
            }),
            _ => {
                if ctx.diags.is_empty() {
                    ctx.diags.push(Diagnostic::new(
                        "the scenario is incomplete",
                        Some(Location::File { file: file.clone() }),
                    ));
                }
                Err(ScenarioError::Invalid(ctx.diags.finish(&file)))
            }
        }
    }
}
