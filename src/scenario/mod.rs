//! Scenario files: TOML with spans → validated domain types.
//!
//! [`load_scenario`] reads a file, applies `--set` overrides ([`SetArg`]) to the parsed
//! document, checks every rule of the format and returns a [`Scenario`] plus warnings,
//! or a [`ScenarioError`] whose `Display` is the complete user-facing message.

mod decode;
mod diag;
mod doc;
mod durations;
mod set;
mod surface;
mod trace;
pub mod types;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_observed;
#[cfg(test)]
mod tests_surface;

pub use diag::{Diagnostic, Diagnostics, Location, Snippet, MAX_ERRORS};
pub use durations::{format_duration, parse_duration, parse_window};
pub use set::{parse_set_arg, SetArg};
pub use trace::{parse_timestamp, parse_trace, ParsedTrace, TraceError};
pub use types::*;

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
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_scenario(&text, path, sets, regions)
}

/// Validates scenario `text` as if read from `path` (used for messages and to resolve
/// trace paths).
pub fn parse_scenario(
    text: &str,
    path: &Path,
    sets: &[SetArg],
    regions: &[(String, String)],
) -> Result<Loaded, ScenarioError> {
    let file = path.display().to_string();
    let src = SourceText { file: &file, text };
    let mut diags = Diagnostics::default();

    let parsed = match toml::de::DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let location = e.span().map(|span| src.locate(span));
            let location = location.or(Some(Location::File { file: file.clone() }));
            diags.push(Diagnostic::new(
                format!("invalid TOML: {}", e.message().trim()),
                location,
            ));
            return Err(ScenarioError::Invalid(diags.finish(&file)));
        }
    };
    let mut root = match doc::table_from_de(parsed.get_ref(), &Origin::File, 1) {
        Ok(t) => t,
        Err(span) => {
            diags.push(Diagnostic::new(
                "tables or arrays are nested too deeply",
                Some(src.locate(span)),
            ));
            return Err(ScenarioError::Invalid(diags.finish(&file)));
        }
    };
    drop(parsed);

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
        base_dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        diags,
        warnings: Vec::new(),
        suggested: Vec::new(),
    };
    let scenario = decode::decode(&mut ctx, &root, path, regions);
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
