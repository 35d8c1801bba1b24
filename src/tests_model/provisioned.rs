//! Tests of `model::provisioned` with scenarios read by the loader and the bundled prices.
use super::*;
use crate::scenario::*;
use approx::assert_relative_eq;
use proptest::prelude::*;
use redshift_cost_core::model::{costs::*, figures::*, provisioned::*};

fn cluster(node_type: NodeType, nodes: u32) -> Provisioned {
    Provisioned {
        node_type,
        nodes,
        hours_per_day: 24.0,
        days_per_week: 7,
        reservation: None,
        concurrency_scaling_per_day: 0.0,
    }
}

fn period(hours: f64) -> Period {
    Period {
        hours,
        start: Period::default_start(),
    }
}

fn lines(p: &Provisioned, hours: f64) -> (Vec<CostLine>, ProvisionedFigures) {
    let book = bundled();
    provisioned_lines(
        p,
        &period(hours),
        book.region("us-east-1").unwrap(),
        &book.node_reserved,
        0.0,
    )
    .unwrap()
}

fn total(lines: &[CostLine]) -> f64 {
    lines.iter().map(|l| l.cost.usd()).sum()
}

#[test]
fn six_ra3_4xlarge_for_730_hours() {
    // 6 × 3.26 × 730 = 14,278.80 (the infracost golden bill).
    let (l, f) = lines(&cluster(NodeType::Ra34xlarge, 6), 730.0);
    assert_eq!(l.len(), 1);
    assert_relative_eq!(l[0].quantity, 4380.0);
    assert_relative_eq!(total(&l), 14_278.80, epsilon = 1e-6);
    assert_eq!(l[0].component, "compute: 6 × ra3.4xlarge on demand");
    assert_relative_eq!(f.running_hours, 730.0);
    // dc2.large × 4 for 730 h = 2,920 node-hours = 730 USD.
    let (l, _) = lines(&cluster(NodeType::Dc2Large, 4), 730.0);
    assert_relative_eq!(total(&l), 730.0, epsilon = 1e-9);
}

#[test]
fn paused_hours_are_free() {
    // 10 h a day on weekdays over 4 weeks from a Monday: 20 days × 10 h.
    let mut p = cluster(NodeType::Ra3Xlplus, 2);
    p.hours_per_day = 10.0;
    p.days_per_week = 5;
    let (l, f) = lines(&p, 28.0 * 24.0);
    assert_relative_eq!(f.running_hours, 200.0);
    assert_relative_eq!(total(&l), 2.0 * 200.0 * 1.086, epsilon = 1e-9);
    // A partial last day runs at most its own length.
    let p = cluster(NodeType::Ra3Xlplus, 1);
    let by_day = running_hours_by_day(&p, &period(730.0));
    assert_eq!(by_day.len(), 31);
    assert_relative_eq!(by_day[30], 10.0);
}

#[test]
fn reserved_nodes_amortise_the_upfront_and_bill_every_hour() {
    // 1 yr all upfront, as published: 18,848 USD per node, spread over 8,760 hours, for
    // every hour of the period, paused or not.
    let mut p = cluster(NodeType::Ra34xlarge, 6);
    p.reservation = Some(ReservedTerm::OneYearAllUpfront);
    p.hours_per_day = 8.0;
    let (l, f) = lines(&p, 730.0);
    assert_relative_eq!(l[0].quantity, 4380.0);
    assert_relative_eq!(l[0].unit_price.usd, 18_848.0 / 8760.0, epsilon = 1e-12);
    assert_relative_eq!(total(&l), 4380.0 * 18_848.0 / 8760.0, epsilon = 1e-6);
    assert!(l[0]
        .component
        .contains("reserved 1 yr all upfront, upfront amortised"));
    assert_relative_eq!(
        f.reserved_discount.unwrap(),
        1.0 - 18_848.0 / 8760.0 / 3.26,
        epsilon = 1e-12
    );
    // 3 yr no upfront: the published 1.4181 an hour, no upfront to amortise.
    p.reservation = Some(ReservedTerm::ThreeYearNoUpfront);
    let (l, _) = lines(&p, 730.0);
    assert_relative_eq!(total(&l), 4380.0 * 1.4181, epsilon = 1e-6);
    assert!(!l[0].component.contains("amortised"));
}

#[test]
fn reserved_nodes_are_billed_at_the_published_rate() {
    // 4 × ra3.xlplus, us-east-1, 3-year no upfront: 0.4725 USD an hour, not 1.086 less a
    // rounded discount. 4 × 730 × 0.4725 = 1,379.70.
    let mut p = cluster(NodeType::Ra3Xlplus, 4);
    p.reservation = Some(ReservedTerm::ThreeYearNoUpfront);
    let (l, _) = lines(&p, 730.0);
    assert_eq!(l[0].unit_price.usd, 0.4725);
    assert_eq!(l[0].cost.usd(), 1379.70);
    assert_eq!(
        l[0].unit_price.source.to_string(),
        "bundled 2025-03-19",
        "the published rate is a bundled price"
    );
    // Without a published rate the book's discount table still prices the term.
    let book = bundled();
    let mut region = book.region("us-east-1").unwrap().clone();
    region.reserved.clear();
    let (l, _) = provisioned_lines(&p, &period(730.0), &region, &book.node_reserved, 0.0).unwrap();
    assert_relative_eq!(l[0].unit_price.usd, 1.086 * (1.0 - 0.565), epsilon = 1e-9);
}

#[test]
fn concurrency_scaling_free_hour_a_day() {
    // 2 h a day for 30 days on 2 × ra3.4xlarge: 1 h a day is free, 30 h billed
    // = 108,000 s × 2 nodes × 0.0009 = 194.40 USD.
    let mut p = cluster(NodeType::Ra34xlarge, 2);
    p.concurrency_scaling_per_day = 7200.0;
    let (l, f) = lines(&p, 720.0);
    let cs = &l[1];
    assert_eq!(cs.kind, ComponentKind::ConcurrencyScaling);
    assert_relative_eq!(cs.quantity, 216_000.0, epsilon = 1e-6);
    assert_relative_eq!(cs.cost.usd(), 194.40, epsilon = 1e-9);
    assert_relative_eq!(
        f.concurrency_scaling.free_seconds,
        108_000.0,
        epsilon = 1e-6
    );
    // Under an hour a day, everything is free.
    p.concurrency_scaling_per_day = 1800.0;
    let (l, _) = lines(&p, 720.0);
    assert_relative_eq!(l[1].cost.usd(), 0.0);
}

#[test]
fn credits_accrue_to_30_hours_at_most() {
    // 40 idle days bank 40 h but keep only 30; a 40-hour day then pays for 10 h.
    let mut demand = vec![0.0; 40];
    demand.push(40.0 * 3600.0);
    let accrual = vec![3600.0; 41];
    let c = cs_credits(&demand, &accrual, 0.0);
    assert_relative_eq!(c.free_seconds, 30.0 * 3600.0);
    assert_relative_eq!(c.billed_seconds, 10.0 * 3600.0);
    // Steady state: a cluster that uses 30 min a day always has credit.
    let c = cs_credits_steady(&[1800.0; 30], &[3600.0; 30]);
    assert_relative_eq!(c.billed_seconds, 0.0);
    // The bank tops out at 30 h when the day's credit comes in, then pays 30 min.
    assert_relative_eq!(c.bank_seconds, CS_MAX_CREDIT_SECONDS - 1800.0);
}

proptest! {
    #[test]
    fn more_concurrency_scaling_never_costs_less(
        days in prop::collection::vec((0.0..20_000.0f64, 0.0..3600.0f64), 1..60),
        extra in 0.0..5000.0f64,
        at in any::<prop::sample::Index>(),
    ) {
        let demand: Vec<f64> = days.iter().map(|d| d.0).collect();
        let accrual: Vec<f64> = days.iter().map(|d| d.1).collect();
        let c = cs_credits(&demand, &accrual, 0.0);
        prop_assert!((c.free_seconds + c.billed_seconds - c.demand_seconds).abs() < 1e-6);
        prop_assert!(c.free_seconds <= accrual.iter().sum::<f64>() + 1e-6);
        let mut more = demand.clone();
        more[at.index(demand.len())] += extra;
        let m = cs_credits(&more, &accrual, 0.0);
        prop_assert!(m.billed_seconds + 1e-6 >= c.billed_seconds);
    }
}
