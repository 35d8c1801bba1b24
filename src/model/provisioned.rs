//! Provisioned clusters: node-hours on a running schedule (on demand or reserved),
//! concurrency scaling beyond the free credits, and the cluster's storage capacity.

use super::costs::{ComponentKind, CostLine, NODE_HOUR, NODE_SECOND};
use crate::pricing::{Price, RegionPrices, ReservedDiscounts};
use crate::scenario::{NodeType, Period, Provisioned, ReservedTerm};
use crate::units::{Seconds, HOURS_PER_DAY, SECONDS_PER_HOUR};
use chrono::{Datelike, Duration};

/// Free concurrency-scaling credit a cluster earns per day it runs.
pub const CS_FREE_SECONDS_PER_DAY: Seconds = SECONDS_PER_HOUR;
/// The most credit a cluster can bank.
pub const CS_MAX_CREDIT_SECONDS: Seconds = 30.0 * SECONDS_PER_HOUR;

/// Running hours of each calendar day of the period (the last day may be partial). A
/// cluster runs `days_per_week` days a week from Monday, `hours_per_day` hours each.
pub fn running_hours_by_day(p: &Provisioned, period: &Period) -> Vec<f64> {
    let days = (period.hours / HOURS_PER_DAY).ceil() as i64;
    (0..days)
        .map(|k| {
            let day_len = (period.hours - HOURS_PER_DAY * k as f64).min(HOURS_PER_DAY);
            let weekday = (period.start + Duration::days(k)).weekday();
            if weekday.num_days_from_monday() < p.days_per_week {
                p.hours_per_day.min(day_len)
            } else {
                0.0
            }
        })
        .collect()
}

/// Concurrency-scaling credits over days: each day the cluster earns `accrual[d]` seconds
/// of credit (the bank never exceeds [`CS_MAX_CREDIT_SECONDS`]) and then uses what it
/// has for `demand[d]`; the rest is billed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CsCredits {
    pub demand_seconds: Seconds,
    pub free_seconds: Seconds,
    pub billed_seconds: Seconds,
    /// Credit left at the end.
    pub bank_seconds: Seconds,
}

/// Runs the credit bank over `demand` and `accrual` (seconds per day), from `start_bank`.
pub fn cs_credits(demand: &[Seconds], accrual: &[Seconds], start_bank: Seconds) -> CsCredits {
    let mut bank = start_bank.min(CS_MAX_CREDIT_SECONDS);
    let (mut total, mut free) = (0.0, 0.0);
    for (d, a) in demand.iter().zip(accrual) {
        bank = (bank + a).min(CS_MAX_CREDIT_SECONDS);
        let used = bank.min(*d);
        bank -= used;
        free += used;
        total += d;
    }
    CsCredits {
        demand_seconds: total,
        free_seconds: free,
        billed_seconds: (total - free).max(0.0),
        bank_seconds: bank,
    }
}

/// [`cs_credits`] from the bank a cluster running this pattern for a while would have:
/// one warm-up pass from an empty bank, then the billed pass from where it ended.
pub fn cs_credits_steady(demand: &[Seconds], accrual: &[Seconds]) -> CsCredits {
    let warm = cs_credits(demand, accrual, 0.0);
    cs_credits(demand, accrual, warm.bank_seconds)
}

/// What the report says about a provisioned cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvisionedFigures {
    pub node_type: NodeType,
    pub nodes: u32,
    pub reservation: Option<ReservedTerm>,
    /// The reserved discount used (fraction off on demand), when reserved.
    pub reserved_discount: Option<f64>,
    /// Hours the cluster runs in the period.
    pub running_hours: f64,
    pub hours_per_day: f64,
    pub days_per_week: u32,
    /// The cluster's storage capacity (RA3 managed-storage quota, DC2 SSDs), GB.
    pub storage_capacity_gb: f64,
    /// Data stored (`[storage] managed_gb`), GB.
    pub data_gb: f64,
    pub concurrency_scaling: CsCredits,
    /// Hours a day the scenario's workloads keep the warehouse busy, when it has any.
    pub workload_busy_hours_per_day: Option<f64>,
}

/// A price the provisioned lines need and the book lacks: `(what, [prices] key)`.
pub type Missing = (&'static str, &'static str);

/// The reserved discount of `term` for `node_type`: the live Price List's reserved rate
/// when the prices have one, else the book's table.
fn reserved_discount(
    prices: &RegionPrices,
    table: &ReservedDiscounts,
    node_type: NodeType,
    term: ReservedTerm,
    on_demand: Price,
) -> Option<f64> {
    prices
        .reserved
        .iter()
        .find(|r| r.product == node_type.name() && r.term == term.key())
        .and_then(|r| r.discount(on_demand.usd))
        .filter(|d| d.is_finite() && (0.0..1.0).contains(d))
        .or_else(|| table.by_term.get(term.key()).copied())
}

/// The cluster's cost lines: compute (on demand on the running schedule, or reserved for
/// every hour of the period) and concurrency scaling beyond the free credits.
pub fn provisioned_lines(
    p: &Provisioned,
    period: &Period,
    prices: &RegionPrices,
    node_reserved: &ReservedDiscounts,
    data_gb: f64,
) -> Result<(Vec<CostLine>, ProvisionedFigures), Missing> {
    let name = p.node_type.name();
    let node_hour = *prices
        .node_hour
        .get(name)
        .ok_or(("node-hour", "node_hour"))?;
    let by_day = running_hours_by_day(p, period);
    let running_hours: f64 = by_day.iter().sum();
    let nodes = f64::from(p.nodes);
    let mut lines = Vec::new();
    let mut discount = None;
    match p.reservation {
        None => lines.push(CostLine::new(
            format!("compute: {} × {name} on demand", p.nodes),
            ComponentKind::ProvisionedCompute,
            nodes * running_hours,
            NODE_HOUR,
            node_hour,
        )),
        Some(term) => {
            let d = reserved_discount(prices, node_reserved, p.node_type, term, node_hour)
                .ok_or(("reserved node discount", "node_hour"))?;
            discount = Some(d);
            let upfront = if term.has_upfront() {
                ", upfront amortised over the term"
            } else {
                ""
            };
            lines.push(CostLine::new(
                format!(
                    "compute: {} × {name} reserved {}{upfront}",
                    p.nodes,
                    term.label()
                ),
                ComponentKind::ProvisionedCompute,
                nodes * period.hours,
                NODE_HOUR,
                Price {
                    usd: crate::units::round_price(node_hour.usd * (1.0 - d)),
                    source: node_hour.source,
                },
            ));
        }
    }

    // Concurrency scaling runs only while the cluster does; its demand is per day.
    let demand: Vec<Seconds> = by_day
        .iter()
        .map(|&h| {
            if h > 0.0 {
                p.concurrency_scaling_per_day * (h / p.hours_per_day).min(1.0)
            } else {
                0.0
            }
        })
        .collect();
    let accrual: Vec<Seconds> = by_day
        .iter()
        .map(|&h| CS_FREE_SECONDS_PER_DAY * h / HOURS_PER_DAY)
        .collect();
    let cs = cs_credits_steady(&demand, &accrual);
    if cs.demand_seconds > 0.0 {
        match prices.concurrency_scaling_node_second.get(name) {
            Some(price) => lines.push(CostLine::new(
                format!(
                    "concurrency scaling: {} × {name} beyond the free hour a day",
                    p.nodes
                ),
                ComponentKind::ConcurrencyScaling,
                cs.billed_seconds * nodes,
                NODE_SECOND,
                *price,
            )),
            None if cs.billed_seconds > 0.0 => {
                return Err((
                    "concurrency-scaling node-second",
                    "concurrency_scaling_node_second",
                ))
            }
            None => {}
        }
    }
    let figures = ProvisionedFigures {
        node_type: p.node_type,
        nodes: p.nodes,
        reservation: p.reservation,
        reserved_discount: discount,
        running_hours,
        hours_per_day: p.hours_per_day,
        days_per_week: p.days_per_week,
        storage_capacity_gb: p.node_type.storage_gb(p.nodes),
        data_gb,
        concurrency_scaling: cs,
        workload_busy_hours_per_day: None,
    };
    Ok((lines, figures))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::bundled::bundled;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

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
        // 1 yr all upfront: 34 % off, every hour of the period, paused or not.
        let mut p = cluster(NodeType::Ra34xlarge, 6);
        p.reservation = Some(ReservedTerm::OneYearAllUpfront);
        p.hours_per_day = 8.0;
        let (l, f) = lines(&p, 730.0);
        assert_relative_eq!(l[0].quantity, 4380.0);
        assert_relative_eq!(l[0].unit_price.usd, 3.26 * 0.66, epsilon = 1e-12);
        assert_relative_eq!(total(&l), 9_424.008, epsilon = 1e-6);
        assert!(l[0]
            .component
            .contains("reserved 1 yr all upfront, upfront amortised"));
        assert_eq!(f.reserved_discount, Some(0.34));
        // 3 yr no upfront: 56.5 % off, no upfront to amortise.
        p.reservation = Some(ReservedTerm::ThreeYearNoUpfront);
        let (l, _) = lines(&p, 730.0);
        assert_relative_eq!(total(&l), 4380.0 * 3.26 * 0.435, epsilon = 1e-6);
        assert!(!l[0].component.contains("amortised"));
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
}
