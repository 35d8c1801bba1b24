//! `redshift-cost prices`: the prices in use for regions, with where each came from and
//! its date.

use super::PriceConfig;
use crate::error::{Error, Exit};
use crate::output::{write_output, Messages};
use crate::pipeline::{self, Needs};
use crate::report::prices::{listing, render_json, render_table};
use crate::sources::prices::bundled::bundled;
use crate::sources::AsyncRuntime;
use redshift_cost_core::messages::RunNote;
use std::path::PathBuf;

/// Output formats of `prices`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PricesFormat {
    Table,
    Json,
}

#[derive(Debug, Clone)]
pub(crate) struct PricesConfig {
    /// Empty: $AWS_REGION, else $AWS_DEFAULT_REGION, else us-east-1.
    pub(crate) regions: Vec<String>,
    pub(crate) format: PricesFormat,
    pub(crate) out: Option<PathBuf>,
    pub(crate) prices: PriceConfig,
}

fn default_region() -> String {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "us-east-1".to_string())
}

pub(crate) fn run(
    c: &PricesConfig,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    let mut regions = c.regions.clone();
    if regions.is_empty() {
        regions.push(default_region());
    }
    let book = bundled();
    for r in &regions {
        if book.region(r).is_none() {
            let closest = book
                .region_codes()
                .map(|c| (strsim::levenshtein(c, r), c))
                .min()
                .filter(|(d, _)| *d <= 3)
                .map(|(_, c)| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(Error::Input(format!(
                "unknown region `{r}`{closest} (known: {})",
                book.region_codes().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    let needs = Needs {
        regions: regions.clone(),
        usage: Vec::new(),
    };
    let resolved = pipeline::resolve(&c.prices.source(runtime), &needs, messages)?;
    for r in &regions {
        if let Some(s) = resolved.sources.get(r) {
            if let Some(w) = resolved.fallback_warning(r, &s.fallback) {
                messages.warn(w);
            }
        }
    }
    messages.note(RunNote::Prices {
        description: resolved.describe(),
        lines_by_source: None,
    });
    let l = listing(&resolved, &regions);
    let bytes = match c.format {
        PricesFormat::Table => render_table(&l),
        PricesFormat::Json => render_json(&l),
    };
    write_output(c.out.as_deref(), &bytes)?;
    Ok(Exit::Ok)
}
