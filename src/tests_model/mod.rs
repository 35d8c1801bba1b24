//! Tests of the core's cost model on scenarios read by the loader and priced with the
//! bundled book: they test the loader, the price sheet and the model together.

// The tests were written beside the code they test, under `use super::*`; moved here,
// they keep glob imports of the modules they exercise.
#![allow(clippy::wildcard_imports)]

mod calibrate;
mod compare;
mod components;
mod estimate;
mod ml;
mod pipelines;
mod provisioned;
mod snapshots;

use crate::scenario::Scenario;
use crate::sources::prices::bundled::bundled;
use crate::sources::prices::{PriceSheet, RegionPrices};
use redshift_cost_core::model::estimate::estimate_scenario;
use redshift_cost_core::model::figures::{EstimateError, ScenarioEstimate};

/// A sheet of `prices` with the bundled book's reserved discounts and every bundled
/// region as a possible snapshot copy region.
fn bundled_sheet(prices: &RegionPrices) -> PriceSheet {
    let book = bundled();
    PriceSheet {
        prices: prices.clone(),
        node_reserved: book.node_reserved.clone(),
        serverless_reserved: book.serverless_reserved.clone(),
        other_regions: book.regions.clone(),
    }
}

/// `scenario` estimated with `prices` and the bundled book's discounts and regions.
fn estimate(scenario: &Scenario, prices: &RegionPrices) -> Result<ScenarioEstimate, EstimateError> {
    estimate_scenario(scenario, &bundled_sheet(prices))
}
