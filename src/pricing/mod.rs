//! Prices: the price book and its sources (bundled, live, cache, override).
//!
//! Precedence per price: override > live/cache > bundled. [`resolve`] picks live, cached
//! or bundled prices per region; [`overrides`] applies a scenario's `[prices]` on top.

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
