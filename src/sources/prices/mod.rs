//! Prices: the price book and its sources (bundled, live, cache, override).
//!
//! Precedence per price: override > live/cache > bundled. [`resolve`] picks live, cached
//! or bundled prices per region; [`overrides`] applies a scenario's `[prices]` on top;
//! [`Resolver`] is the [`super::PriceSource`] every command resolves through.

pub mod bundled;
pub mod cache;
pub mod live;
pub mod overrides;
pub mod records;
pub mod resolve;
pub use overrides::apply_overrides;
/// The price types live in the pure core crate.
pub use redshift_cost_core::prices::*;

/// The price sheet of `scenario` from `book`: its region's prices with the scenario's
/// `[prices]` overrides applied, the book's reserved discounts, and the prices of the
/// other regions the scenario names (its snapshot copy region). `None` when the book
/// does not know the scenario's region.
pub fn price_sheet(book: &PriceBook, scenario: &crate::scenario::Scenario) -> Option<PriceSheet> {
    let region = book.region(&scenario.region)?;
    let other_regions = scenario
        .snapshots
        .iter()
        .filter_map(|s| s.copy_region.as_ref())
        .filter_map(|code| book.region(code).map(|r| (code.clone(), r.clone())))
        .collect();
    Some(PriceSheet {
        prices: apply_overrides(region, &scenario.prices),
        node_reserved: book.node_reserved.clone(),
        serverless_reserved: book.serverless_reserved.clone(),
        other_regions,
    })
}

/// The price source of a run: the bundled book, the cache and the live Price List, as
/// `mode` allows, fetched on the run's runtime.
pub struct Resolver<'a> {
    pub mode: resolve::PriceMode,
    /// `--refresh-prices`: fetch even when the cache is fresh.
    pub refresh: bool,
    /// The Price List endpoint region.
    pub endpoint_region: String,
    pub runtime: &'a super::AsyncRuntime,
}

impl super::PriceSource for Resolver<'_> {
    fn resolve(&self, regions: &[String]) -> Result<resolve::Resolved, resolve::LiveFailure> {
        let cache = match self.mode {
            resolve::PriceMode::Bundled => None,
            _ => cache::PriceCache::from_env(),
        };
        let opts = resolve::ResolveOptions {
            mode: self.mode,
            refresh: self.refresh,
            cache,
            max_age: chrono::Duration::days(cache::DEFAULT_MAX_AGE_DAYS),
            now: chrono::Utc::now(),
            endpoint_region: self.endpoint_region.clone(),
        };
        let config = live::LiveConfig {
            endpoint_region: self.endpoint_region.clone(),
            ..live::LiveConfig::default()
        };
        resolve::resolve(bundled::bundled(), regions, &opts, |to_fetch| {
            fetch_live(self.runtime, &config, to_fetch)
        })
    }
}

/// Runs the live fetch of `regions` on the run's runtime (its own deadlines bound it).
fn fetch_live(
    runtime: &super::AsyncRuntime,
    config: &live::LiveConfig,
    regions: &[String],
) -> resolve::FetchedPrices {
    let failed = |why: String| {
        let e = live::FetchError::Service(why);
        regions
            .iter()
            .map(|r| (r.clone(), Err(e.clone())))
            .collect()
    };
    // The fetch bounds itself (`total_timeout`); this is the backstop.
    let deadline = config.total_timeout + std::time::Duration::from_secs(3);
    match runtime.block_on_within(deadline, live::fetch(config, regions)) {
        Ok(fetched) => fetched,
        Err(super::Unfinished::NoRuntime(why)) => failed(why),
        Err(super::Unfinished::Deadline) => failed(format!(
            "the Price List API did not answer within {} s",
            deadline.as_secs()
        )),
    }
}
