//! Diagnostics: where a problem is (file:line:column, a `--set` argument, a CSV line)
//! and a compact rustc-like rendering of it.

use std::fmt;
use std::ops::Range;

/// At most this many errors are shown for one scenario; the rest are counted.
pub const MAX_ERRORS: usize = 5;

/// Source lines longer than this are shown as a window around the error.
const MAX_SNIPPET_CHARS: usize = 100;

/// One error: a message, where it happened, and optional help/note lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The rule broken, e.g. "base_rpu must be 4, or ...; found 7".
    pub message: String,
    /// Where; `None` for problems without a place.
    pub location: Option<Location>,
    /// Extra lines, each starting with its kind: "help: ..." or "note: ...".
    pub notes: Vec<String>,
}

/// Where a diagnostic points.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// A position in a text file (1-based line and column, in characters).
    Source {
        file: String,
        line: usize,
        column: usize,
        snippet: Snippet,
    },
    /// A line of a file without a column (CSV rows whose field could not be located).
    Line {
        file: String,
        line: usize,
        snippet: Option<Snippet>,
    },
    /// A whole file, no position.
    File { file: String },
    /// A `--set key=value` argument.
    Set { arg: String },
}

/// The source line shown under a location, with the carets already placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Snippet {
    /// The line's text as displayed (control characters replaced, maybe shortened).
    pub text: String,
    /// Whitespace up to the first caret (tabs kept so the carets line up).
    pub pad: String,
    /// How many carets.
    pub carets: usize,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, location: Option<Location>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            location,
            notes: Vec::new(),
        }
    }

    pub fn help(mut self, text: impl AsRef<str>) -> Diagnostic {
        self.notes.push(format!("help: {}", text.as_ref()));
        self
    }

    pub fn note(mut self, text: impl AsRef<str>) -> Diagnostic {
        self.notes.push(format!("note: {}", text.as_ref()));
        self
    }

    /// `file:line:column` (or the closest equivalent) of this diagnostic, for short
    /// one-line references.
    pub fn short_location(&self) -> Option<String> {
        self.location.as_ref().map(Location::short)
    }
}

impl Location {
    /// `file:line:col`, `file:line`, `file` or `--set arg`.
    pub fn short(&self) -> String {
        match self {
            Location::Source {
                file, line, column, ..
            } => format!("{file}:{line}:{column}"),
            Location::Line { file, line, .. } => format!("{file}:{line}"),
            Location::File { file } => file.clone(),
            Location::Set { arg } => format!("--set {arg}"),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// The rendering, without a trailing newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (width, snippet, line) = match &self.location {
            Some(Location::Source { line, snippet, .. }) => (digits(*line), Some(snippet), *line),
            Some(Location::Line {
                line,
                snippet: Some(snippet),
                ..
            }) => (digits(*line), Some(snippet), *line),
            _ => (1, None, 0),
        };
        let mut lines = vec![format!("error: {}", self.message)];
        if let Some(location) = &self.location {
            lines.push(format!("{:w$}--> {}", "", location.short(), w = width + 1));
        }
        if let Some(snippet) = snippet {
            lines.push(format!("{:w$}|", "", w = width + 2));
            lines.push(format!(" {line:>width$} | {}", snippet.text));
            if snippet.carets > 0 {
                lines.push(format!(
                    "{:w$}| {}{}",
                    "",
                    snippet.pad,
                    "^".repeat(snippet.carets),
                    w = width + 2
                ));
            }
        }
        for note in &self.notes {
            lines.push(format!("{:w$}= {note}", "", w = width + 2));
        }
        f.write_str(&lines.join("\n"))
    }
}

fn digits(n: usize) -> usize {
    n.to_string().len()
}

/// Every error found in one scenario (at most [`MAX_ERRORS`] kept).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
    /// Errors found but not kept.
    pub omitted: usize,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Errors found, including omitted ones.
    pub fn len(&self) -> usize {
        self.items.len() + self.omitted
    }

    /// Orders the errors by position (the scenario file `file` first, then other files
    /// such as traces, then `--set` arguments) and keeps the first [`MAX_ERRORS`].
    pub fn finish(mut self, file: &str) -> Diagnostics {
        self.items.sort_by_cached_key(|d| match &d.location {
            Some(Location::Source {
                file: f,
                line,
                column,
                ..
            }) => (u8::from(f != file), f.clone(), *line, *column),
            Some(Location::Line { file: f, line, .. }) => {
                (u8::from(f != file), f.clone(), *line, 0)
            }
            Some(Location::File { file: f }) => (u8::from(f != file), f.clone(), 0, 0),
            Some(Location::Set { .. }) => (2, String::new(), 0, 0),
            None => (3, String::new(), 0, 0),
        });
        let extra = self.items.len().saturating_sub(MAX_ERRORS);
        self.items.truncate(MAX_ERRORS);
        self.omitted += extra;
        self
    }
}

impl fmt::Display for Diagnostics {
    /// Blocks separated by blank lines, without a trailing newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{d}")?;
        }
        if self.omitted > 0 {
            let s = if self.omitted == 1 { "" } else { "s" };
            write!(f, "\n\nerror: {} more error{s} not shown", self.omitted)?;
        }
        Ok(())
    }
}

/// A text file and its display name: turns byte spans into locations.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SourceText<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl SourceText<'_> {
    /// The location of a byte span: 1-based line and column (in characters) of its start,
    /// and the source line with carets under the span (clipped to that line).
    pub(crate) fn locate(&self, span: Range<usize>) -> Location {
        let (line, column, snippet) = locate(self.text, span);
        Location::Source {
            file: self.file.to_string(),
            line,
            column,
            snippet,
        }
    }
}

/// Line (1-based), column (1-based, chars) and snippet of `span` in `text`.
pub(super) fn locate(text: &str, span: Range<usize>) -> (usize, usize, Snippet) {
    let start = floor_char_boundary(text, span.start);
    let end = floor_char_boundary(text, span.end.max(start));
    let before = text.get(..start).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let rest = text.get(line_start..).unwrap_or("");
    let line_len = rest.find('\n').unwrap_or(rest.len());
    let line_text = rest.get(..line_len).unwrap_or("");
    let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
    let prefix = text.get(line_start..start).unwrap_or("");
    let column = prefix.chars().count() + 1;
    let span_text = text.get(start..end).unwrap_or("");
    let span_on_line = span_text.split('\n').next().unwrap_or("");
    let carets = span_on_line.trim_end_matches('\r').chars().count().max(1);
    (line, column, snippet(line_text, column - 1, carets))
}

/// A snippet of `line` with `carets` carets starting at char index `col0`; long lines
/// are shown as a window around the carets.
pub(super) fn snippet(line: &str, col0: usize, carets: usize) -> Snippet {
    let chars: Vec<char> = line.chars().map(display_char).collect();
    let total = chars.len();
    let (from, to) = if total <= MAX_SNIPPET_CHARS {
        (0, total)
    } else {
        let from = col0.saturating_sub(MAX_SNIPPET_CHARS / 3).min(total);
        let to = (from + MAX_SNIPPET_CHARS).min(total);
        (from, to)
    };
    let mut text = String::new();
    let mut pad = String::new();
    if from > 0 {
        text.push('…');
        pad.push(' ');
    }
    for (i, c) in chars.iter().enumerate().take(to).skip(from) {
        text.push(*c);
        if i < col0 {
            pad.push(if *c == '\t' { '\t' } else { ' ' });
        }
    }
    if to < total {
        text.push('…');
    }
    let carets = carets.min(to.saturating_sub(col0).max(1));
    Snippet { text, pad, carets }
}

fn display_char(c: char) -> char {
    if c == '\t' || !c.is_control() {
        c
    } else {
        '\u{fffd}'
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub(super) use redshift_cost_core::durations::show;

/// Similarity of two names in 0..=1 (case, `-` and `_` ignored).
pub(super) fn similarity(a: &str, b: &str) -> f64 {
    let norm = |s: &str| -> String {
        s.trim()
            .chars()
            .map(|c| {
                if c == '-' {
                    '_'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let dl = strsim::normalized_damerau_levenshtein(&a, &b);
    let jw = strsim::jaro_winkler(&a, &b);
    let contains = if a.chars().count() >= 3 && (b.contains(&a) || a.contains(&b)) {
        0.8
    } else {
        0.0
    };
    // Jaro-Winkler rewards a shared prefix ("refresh" → "refresh_interval") but is
    // generous on short words, so it needs a higher bar than Damerau-Levenshtein.
    let jw = if jw >= 0.88 { jw - 0.1 } else { 0.0 };
    dl.max(jw).max(contains)
}

/// Threshold above which [`similarity`] counts as "close".
pub(super) const CLOSE: f64 = 0.6;

/// The candidate closest to `input`, if any is close enough.
pub(crate) fn did_you_mean<'c>(input: &str, candidates: &[&'c str]) -> Option<&'c str> {
    closest(input, candidates.iter().copied(), 1)
        .into_iter()
        .next()
}

/// Up to `n` candidates close to `input`, best first.
pub(super) fn closest<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    n: usize,
) -> Vec<&'c str> {
    let mut scored: Vec<(f64, &'c str)> = candidates
        .into_iter()
        .map(|c| (similarity(input, c), c))
        .filter(|(s, _)| *s >= CLOSE)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

/// "`a`, `b` and `c`".
pub(super) fn list_code(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{}`", show(s))).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted.concat(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_the_spec() {
        let text = "name = \"x\"\n\n[serverless]\n\n\nbase_rpu = 7\n";
        let src = SourceText {
            file: "scenarios/x.toml",
            text,
        };
        let start = text.find('7').unwrap();
        let d = Diagnostic::new(
            "base_rpu must be 4, or 8 to 512 in steps of 8, or 512 to 1024 in steps of 32; found 7",
            Some(src.locate(start..start + 1)),
        )
        .help("the nearest allowed values are 4 and 8");
        let expected = "\
error: base_rpu must be 4, or 8 to 512 in steps of 8, or 512 to 1024 in steps of 32; found 7
  --> scenarios/x.toml:6:12
   |
 6 | base_rpu = 7
   |            ^
   = help: the nearest allowed values are 4 and 8";
        assert_eq!(d.to_string(), expected);
    }

    #[test]
    fn set_location_has_no_snippet() {
        let d = Diagnostic::new(
            "refresh_interval must be between 900 and 432000 seconds for dynamodb; found 60",
            Some(Location::Set {
                arg: "zero_etl.refresh_interval=60".into(),
            }),
        );
        assert_eq!(
            d.to_string(),
            "error: refresh_interval must be between 900 and 432000 seconds for dynamodb; found 60\n  --> --set zero_etl.refresh_interval=60"
        );
    }

    #[test]
    fn locate_handles_multibyte_crlf_and_out_of_range() {
        let text = "a = \"é\"\r\nbb = 1\r\n";
        let i = text.find('1').unwrap();
        let (line, col, snip) = locate(text, i..i + 1);
        assert_eq!((line, col), (2, 6));
        assert_eq!(snip.text, "bb = 1");
        let (line, col, _) = locate(text, 10_000..20_000);
        assert_eq!(line, 3);
        assert_eq!(col, 1);
        // A span starting inside a multi-byte char does not panic.
        let (line, _, _) = locate(text, 6..7);
        assert_eq!(line, 1);
    }

    #[test]
    fn long_lines_are_windowed() {
        let line = format!("{}x = 1{}", "a".repeat(300), "b".repeat(300));
        let (_, col, snip) = locate(&line, 300..301);
        assert_eq!(col, 301);
        assert!(snip.text.chars().count() <= MAX_SNIPPET_CHARS + 2);
        assert_eq!(snip.carets, 1);
        let caret_at = snip.pad.chars().count();
        assert_eq!(snip.text.chars().nth(caret_at), Some('x'));
    }

    #[test]
    fn multi_digit_gutter() {
        let text = format!("{}base_rpu = 7\n", "\n".repeat(11));
        let d = Diagnostic::new(
            "bad",
            Some(
                SourceText {
                    file: "f",
                    text: &text,
                }
                .locate(22..23),
            ),
        );
        assert_eq!(
            d.to_string(),
            "error: bad\n   --> f:12:12\n    |\n 12 | base_rpu = 7\n    |            ^"
        );
    }

    #[test]
    fn suggestions() {
        let keys = ["base_rpu", "max_rpu"];
        assert_eq!(did_you_mean("basee_rpu", &keys), Some("base_rpu"));
        assert_eq!(did_you_mean("base-rpu", &keys), Some("base_rpu"));
        assert_eq!(did_you_mean("BASE_RPU", &keys), Some("base_rpu"));
        assert_eq!(did_you_mean("max", &keys), Some("max_rpu"));
        assert_eq!(did_you_mean("colour", &keys), None);
        assert_eq!(
            did_you_mean("refresh", &["source", "refresh_interval", "sync_rpu"]),
            Some("refresh_interval")
        );
        assert_eq!(did_you_mean("rate", &["name", "days", "rpu"]), None);
        assert_eq!(did_you_mean("", &keys), None);
    }

    #[test]
    fn show_escapes_and_truncates() {
        assert_eq!(show("a\u{1b}b"), "a\\u{1b}b");
        assert_eq!(show(&"x".repeat(100)).chars().count(), 61);
    }

    #[test]
    fn omitted_errors_are_counted() {
        let mut ds = Diagnostics::default();
        for i in 0..7 {
            ds.push(Diagnostic::new(format!("e{i}"), None));
        }
        let ds = ds.finish("f");
        assert_eq!(ds.items.len(), MAX_ERRORS);
        assert_eq!(ds.len(), 7);
        assert!(ds.to_string().ends_with("error: 2 more errors not shown"));
    }
}
