//! Tests of `model::compare` with scenarios read by the loader and the bundled prices.
use super::*;
use crate::scenario::*;
use approx::assert_relative_eq;
use redshift_cost_core::model::{compare::*, estimate::*, figures::*};
use std::path::Path;

fn both(extra: &str) -> (ScenarioEstimate, ScenarioEstimate) {
    let text = format!(
        "name = \"c\"\nregion = \"us-east-1\"\nperiod = \"30d\"\n[serverless]\nbase_rpu = 8\n[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\n{extra}"
    );
    let l = parse_scenario(&text, Path::new("c.toml"), &[], &[]).unwrap();
    let prices = bundled().region("us-east-1").unwrap();
    let mut e = estimate_deployments(&l.scenario, &bundled_sheet(prices)).unwrap();
    assert_eq!(e.len(), 2);
    let pv = e.pop().unwrap();
    let sv = e.pop().unwrap();
    (sv, pv)
}

#[test]
fn break_even_busy_hours() {
    // One 8-RPU query of 1 h a day (09:00) for 30 days: 30 h × 8 × 0.375 = 90 USD.
    // The cluster: 2 × 1.086 × 720 = 1,563.84 USD. Break-even: 1,563.84 / (3 × 30)
    // = 17.376 busy hours a day.
    let (sv, pv) = both(
        "[[workload]]\nname = \"q\"\nper_day = 1\nduration = \"1h\"\nwindow = \"09:00-10:00\"\n",
    );
    assert_eq!(
        sv.deployment,
        Some(redshift_cost_core::model::figures::Deployment::Serverless)
    );
    assert_eq!(
        pv.deployment,
        Some(redshift_cost_core::model::figures::Deployment::Provisioned)
    );
    let c = compare(&sv, &pv);
    assert_relative_eq!(c.serverless.total_usd, 90.0, epsilon = 1e-6);
    assert_relative_eq!(c.provisioned.total_usd, 1563.84, epsilon = 1e-6);
    assert_relative_eq!(c.serverless_busy_hours_per_day, 1.0, epsilon = 1e-9);
    assert_relative_eq!(c.serverless_usd_per_busy_hour, 3.0, epsilon = 1e-9);
    assert_relative_eq!(
        c.break_even_busy_hours_per_day.unwrap(),
        17.376,
        epsilon = 1e-9
    );
    assert_eq!(c.cheaper, "serverless");
    assert_relative_eq!(c.saving_usd, 1473.84, epsilon = 1e-6);
    assert_eq!(c.name, "c");
    assert_eq!(c.provisioned.configuration, "2 × ra3.xlplus, on demand");
}

#[test]
fn shared_costs_move_the_break_even() {
    // 1 TB of RMS is on both sides (RA3 and Serverless bill it alike): 24.576 USD.
    let (sv, pv) = both(
        "[[workload]]\nname = \"q\"\nper_day = 1\nduration = \"1h\"\n[storage]\nmanaged_gb = 1024\n",
    );
    let c = compare(&sv, &pv);
    assert_relative_eq!(c.serverless.other_usd, 24.576, epsilon = 1e-9);
    assert_relative_eq!(c.provisioned.other_usd, 24.576, epsilon = 1e-9);
    assert_relative_eq!(
        c.break_even_busy_hours_per_day.unwrap(),
        (1563.84 + 24.576 - 24.576) / 90.0,
        epsilon = 1e-9
    );
}
