//! `redshift-cost diff`: per-scenario, per-component deltas between two estimate JSON
//! files (no scenario is read and nothing is priced).

use crate::error::{Error, Exit};
use crate::output::write_output;
use crate::report::diff::{diff, parse_totals, render_json, render_markdown, render_table};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiffFormat {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Clone)]
pub(crate) struct DiffConfig {
    pub(crate) old: PathBuf,
    pub(crate) new: PathBuf,
    pub(crate) format: DiffFormat,
    pub(crate) out: Option<PathBuf>,
}

pub(crate) fn run(c: &DiffConfig) -> Result<Exit, Error> {
    let read = |p: &Path| -> Result<_, Error> {
        let text = crate::fsx::read_text(p, crate::fsx::MAX_JSON_BYTES)
            .map_err(|e| Error::Input(format!("cannot read {}: {e}", p.display())))?;
        parse_totals(&text, &p.display().to_string()).map_err(|e| Error::Input(format!("{e}")))
    };
    let d = diff(&read(&c.old)?, &read(&c.new)?);
    let bytes = match c.format {
        DiffFormat::Table => render_table(&d),
        DiffFormat::Markdown => render_markdown(&d),
        DiffFormat::Json => render_json(&d),
    };
    write_output(c.out.as_deref(), &bytes)?;
    Ok(Exit::Ok)
}
