//! The price options of every command that prices (`--prices`, `--refresh-prices`,
//! `--pricing-endpoint-region`), the one place that runs the live fetch (a tokio runtime
//! created around it), and the `prices` command.

use super::{write_output, Error, Exit, Messages};
use crate::model::figures::ScenarioEstimate;
use crate::pricing::bundled::bundled;
use crate::pricing::cache::{PriceCache, DEFAULT_MAX_AGE_DAYS};
use crate::pricing::live::{self, FetchError, LiveConfig, DEFAULT_ENDPOINT_REGION};
use crate::pricing::resolve::{resolve, FetchedPrices, PriceMode, ResolveOptions, Resolved};
use crate::pricing::SourceKind;
use crate::report::prices::{listing, render_json, render_table};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// Environment variable with the default of `--prices`.
pub(super) const PRICES_ENV: &str = "REDSHIFT_COST_PRICES";

/// Where prices come from (flattened into every command that prices).
#[derive(Debug, Clone, Args)]
pub struct PriceArgs {
    /// Where prices come from (scenario `[prices]` overrides always win).
    #[arg(
        long,
        value_enum,
        value_name = "SOURCE",
        default_value_t = PriceMode::Auto,
        env = PRICES_ENV,
        help_heading = "Prices"
    )]
    pub prices: PriceMode,
    /// Fetch live prices even when the cached ones are fresh (cache max age: 7 days).
    #[arg(long, help_heading = "Prices")]
    pub refresh_prices: bool,
    /// Region of the Price List API endpoint: us-east-1, eu-central-1 or ap-south-1. It is
    /// independent of the region priced. `AWS_ENDPOINT_URL_PRICING` overrides the URL.
    #[arg(
        long,
        value_name = "REGION",
        default_value = DEFAULT_ENDPOINT_REGION,
        value_parser = parse_region_code,
        help_heading = "Prices"
    )]
    pub pricing_endpoint_region: String,
}

impl Default for PriceArgs {
    fn default() -> PriceArgs {
        PriceArgs {
            prices: PriceMode::Auto,
            refresh_prices: false,
            pricing_endpoint_region: DEFAULT_ENDPOINT_REGION.to_string(),
        }
    }
}

/// A region code: lowercase letters, digits and dashes, e.g. `us-east-1`.
fn parse_region_code(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.contains('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not a region code such as us-east-1"))
    }
}

/// Runs the live fetch of `regions` in a runtime made for it (the only place the pricing
/// side is async).
fn fetch_live(config: &LiveConfig, regions: &[String]) -> FetchedPrices {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            let e = FetchError::Service(format!("cannot start the async runtime: {e}"));
            return regions
                .iter()
                .map(|r| (r.clone(), Err(e.clone())))
                .collect();
        }
    };
    let fetched = runtime.block_on(live::fetch(config, regions));
    // Do not wait for a DNS lookup or a connection that outlived the deadline.
    runtime.shutdown_timeout(Duration::from_millis(100));
    fetched
}

/// Resolves the prices of `regions` as `args` say; warnings go to `messages`.
///
/// # Errors
/// `Invalid` for contradictory options; `Other` (exit 1) when `--prices live` cannot
/// fetch.
pub fn resolve_prices(
    args: &PriceArgs,
    regions: &[String],
    messages: &mut Messages,
) -> Result<Resolved, Error> {
    if args.refresh_prices && matches!(args.prices, PriceMode::Cache | PriceMode::Bundled) {
        return Err(Error::Input(format!(
            "--refresh-prices fetches live prices; it cannot be used with --prices {}",
            if args.prices == PriceMode::Cache {
                "cache"
            } else {
                "bundled"
            }
        )));
    }
    let cache = match args.prices {
        PriceMode::Bundled => None,
        _ => PriceCache::from_env(),
    };
    let opts = ResolveOptions {
        mode: args.prices,
        refresh: args.refresh_prices,
        cache,
        max_age: chrono::Duration::days(DEFAULT_MAX_AGE_DAYS),
        now: chrono::Utc::now(),
        endpoint_region: args.pricing_endpoint_region.clone(),
    };
    let config = LiveConfig {
        endpoint_region: args.pricing_endpoint_region.clone(),
        ..LiveConfig::default()
    };
    let resolved = resolve(bundled(), regions, &opts, |to_fetch| {
        fetch_live(&config, to_fetch)
    })
    .map_err(|e| Error::Failure(anyhow::Error::msg(e.to_string())))?;
    for w in &resolved.warnings {
        messages.warn(w.clone());
    }
    Ok(resolved)
}

/// One warning per scenario region whose cost lines used bundled prices because the
/// live (or cached) answer lacked them: each line names the key of its price, which is
/// looked up in the region's fallback keys, so every kind of cost line is covered.
pub fn warn_fallbacks(
    resolved: &Resolved,
    estimates: &[ScenarioEstimate],
    messages: &mut Messages,
) {
    for e in estimates {
        let Some(source) = resolved.sources.get(&e.region) else {
            continue;
        };
        if source.fallback.is_empty() {
            continue;
        }
        let mut used: Vec<String> = Vec::new();
        for line in &e.lines {
            if line.price_region.is_some()
                || !matches!(
                    line.price_source().kind,
                    SourceKind::Bundled | SourceKind::BundledUnverified
                )
            {
                continue;
            }
            let key = line.price_key.to_string();
            if source.fallback.contains(&key) && !used.contains(&key) {
                used.push(key);
            }
        }
        if let Some(w) = resolved.fallback_warning(&e.region, &used) {
            messages.warn(w);
        }
    }
}

/// Output formats of `prices`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PricesFormat {
    /// One table per region (and one of its reserved terms).
    Table,
    /// Every price with its name, unit, source and date.
    Json,
}

#[derive(Debug, Args)]
pub struct PricesArgs {
    /// Region to show (repeatable). Default: $AWS_REGION, else $AWS_DEFAULT_REGION, else
    /// us-east-1.
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = PricesFormat::Table)]
    pub format: PricesFormat,
    /// Write the listing to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub pricing: PriceArgs,
}

fn default_region() -> String {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "us-east-1".to_string())
}

/// `redshift-cost prices`: the price book in use, with sources and dates.
pub fn run_prices(args: &PricesArgs, messages: &mut Messages) -> Result<Exit, Error> {
    let mut regions = args.regions.clone();
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
    let resolved = resolve_prices(&args.pricing, &regions, messages)?;
    for r in &regions {
        if let Some(s) = resolved.sources.get(r) {
            if let Some(w) = resolved.fallback_warning(r, &s.fallback) {
                messages.warn(w);
            }
        }
    }
    messages
        .notes
        .push(format!("prices: {}", resolved.describe()));
    let l = listing(&resolved, &regions);
    let bytes = match args.format {
        PricesFormat::Table => render_table(&l),
        PricesFormat::Json => render_json(&l),
    };
    write_output(args.out.as_deref(), &bytes)?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes() {
        assert_eq!(parse_region_code("eu-central-1").unwrap(), "eu-central-1");
        assert!(parse_region_code("EU").is_err());
        assert!(parse_region_code("us east 1").is_err());
    }

    #[test]
    fn refresh_needs_a_fetching_mode() {
        let args = PriceArgs {
            prices: PriceMode::Bundled,
            refresh_prices: true,
            ..PriceArgs::default()
        };
        let mut m = Messages::default();
        assert!(matches!(
            resolve_prices(&args, &["us-east-1".into()], &mut m),
            Err(Error::Input(_))
        ));
    }
}
