//! `forecast`: the scenario month by month under `[growth]` (docs/uncertainty.md).
//!
//! The scenario describes the start of month 1. Storage grows by a number of GB or a
//! percentage a month; workloads by a percentage a month (all of them, or each by name).
//! A month is billed on its mean: storage on the mean GB over the month (AWS bills
//! GB-months from hourly samples), workloads at their mean rate over the month. With
//! compound growth `g` a month, the mean over month `m` (1-based) of `x₀ (1 + g)^t`,
//! `t` in `[m − 1, m]`, is `x₀ (1 + g)^(m−1) × g / ln(1 + g)`; with `G` GB a month it is
//! `x₀ + G (m − ½)`.

use crate::model::figures::ScenarioEstimate;
use crate::model::reservations::compute_cost;
use crate::prices::ReservedRate;
use crate::scenario::{ArrivalPattern, Scenario, WorkloadSource};
pub use crate::scenario::{Growth, StorageGrowth};
use crate::units::Rpu;
use chrono::{Datelike, Months, NaiveDate};

/// The mean over month `m` (1-based) of a quantity that starts month 1 at 1 and grows
/// `pct` percent a month, compounding.
pub fn compound_mean_factor(pct: f64, m: u32) -> f64 {
    let g = pct / 100.0;
    let start = (1.0 + g).powf(f64::from(m) - 1.0);
    if g.abs() < 1e-12 {
        start
    } else {
        start * g / (1.0 + g).ln()
    }
}

/// The mean managed storage (GB) of month `m`.
pub fn storage_mean_gb(start_gb: f64, growth: Option<StorageGrowth>, m: u32) -> f64 {
    match growth {
        None => start_gb,
        Some(StorageGrowth::GbPerMonth(g)) => (start_gb + g * (f64::from(m) - 0.5)).max(0.0),
        Some(StorageGrowth::PctPerMonth(p)) => start_gb * compound_mean_factor(p, m),
    }
}

/// The first day of month `m` (1-based) from `start`.
pub fn month_start(start: NaiveDate, m: u32) -> NaiveDate {
    start
        .checked_add_months(Months::new(m.saturating_sub(1)))
        .unwrap_or(start)
}

/// `YYYY-MM` of a date.
pub fn month_label(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Month `m` (1-based) of `base` under `growth`: storage at the month's mean GB (backups
/// grow in proportion with managed storage), each rate workload at its mean rate, each
/// periodic workload's runs as frequent as before but longer in proportion (more data a
/// run), and the period starting on the month's first day. Traces are replayed as they
/// are.
pub fn month_scenario(base: &Scenario, growth: &Growth, m: u32) -> Scenario {
    let mut s = base.clone();
    let managed = storage_mean_gb(base.storage.managed_gb, growth.storage, m);
    if base.storage.managed_gb > 0.0 {
        s.storage.snapshot_gb = base.storage.snapshot_gb * managed / base.storage.managed_gb;
    }
    s.storage.managed_gb = managed;
    for w in &mut s.workloads {
        let factor = compound_mean_factor(growth.workload_pct_of(&w.name), m);
        if let WorkloadSource::Arrivals(a) = &mut w.source {
            match a.pattern {
                ArrivalPattern::Every { .. } => {
                    a.duration *= factor;
                    if let Some(spread) = a.spread.as_mut() {
                        spread.p95 *= factor;
                    }
                }
                _ => a.per_day *= factor,
            }
        }
    }
    s.period.start = month_start(growth.start.unwrap_or(base.period.start), m);
    s
}

/// From which month a Serverless reservation pays off.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerlessPayoff {
    /// The first month whose compute a reservation lowers (1-based).
    pub month: u32,
    /// The reservation suggested for that month (RPU).
    pub reserved_rpu: Rpu,
    pub term: &'static str,
    /// Compute saved from that month to the end of the forecast with that reservation.
    pub saving_usd: f64,
}

/// The first month whose suggested Serverless reservation lowers its compute, and what
/// keeping that reservation saves from then on. `months` are the forecast's estimates in
/// month order.
pub fn serverless_payoff(months: &[ScenarioEstimate]) -> Option<ServerlessPayoff> {
    let (first, r) = months.iter().enumerate().find_map(|(i, e)| {
        let r = e.reservation.as_ref()?;
        (r.suggested_reserved_rpu > 0.0 && r.suggested_compute_usd < r.on_demand_compute_usd)
            .then_some((i, r))
    })?;
    let reserved = r.suggested_reserved_rpu;
    let saving: f64 = months[first..]
        .iter()
        .filter_map(|e| {
            let sv = e.serverless.as_ref()?;
            let rr = e.reservation.as_ref()?;
            let price = sv.rpu_hour_usd?;
            let with = compute_cost(
                &sv.sim.capacity_profile,
                e.period_hours,
                price,
                rr.discount,
                reserved,
            );
            Some(rr.on_demand_compute_usd - with)
        })
        .sum();
    Some(ServerlessPayoff {
        month: first as u32 + 1,
        reserved_rpu: reserved,
        term: r.term,
        saving_usd: saving,
    })
}

/// Reserved nodes of one term against the forecast's on-demand cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePayoff {
    pub term: String,
    /// The first month by whose end the reservation (upfront fee paid in month 1, then
    /// its hourly rate for every hour) has cost no more than on demand; `None` within the
    /// forecast.
    pub month: Option<u32>,
    pub reserved_usd: f64,
    pub on_demand_usd: f64,
}

/// Each published reserved term of the cluster's node type against its on-demand node
/// hours, month by month: `on_demand_usd[m]` the month's on-demand node cost, `hours[m]`
/// its hours, `nodes` the node count.
pub fn node_payoffs(
    on_demand_usd: &[f64],
    hours: &[f64],
    nodes: u32,
    node_type: &str,
    rates: &[ReservedRate],
) -> Vec<NodePayoff> {
    let nodes = f64::from(nodes);
    rates
        .iter()
        .filter(|r| r.product == node_type)
        .map(|r| {
            let mut reserved = nodes * r.upfront_usd;
            let mut on_demand = 0.0;
            let mut month = None;
            for (i, (od, h)) in on_demand_usd.iter().zip(hours).enumerate() {
                reserved += nodes * r.hourly_usd * h;
                on_demand += od;
                if month.is_none() && reserved <= on_demand + 1e-9 {
                    month = Some(i as u32 + 1);
                }
            }
            NodePayoff {
                term: r.term.clone(),
                month,
                reserved_usd: reserved,
                on_demand_usd: on_demand,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn month_12_of_5_percent_growth_is_billed_on_its_mean() {
        // By hand: month 12 runs from 1000 × 1.05^11 = 1710.34 GB to 1000 × 1.05^12 =
        // 1795.86 GB; the mean of the exponential path is 1710.34 × 0.05 / ln 1.05.
        let start = 1000.0 * 1.05f64.powi(11);
        let end = 1000.0 * 1.05f64.powi(12);
        let mean = storage_mean_gb(1000.0, Some(StorageGrowth::PctPerMonth(5.0)), 12);
        assert_relative_eq!(mean, start * 0.05 / 1.05f64.ln(), max_relative = 1e-12);
        assert_relative_eq!(mean, 1_752.750_157, max_relative = 1e-9);
        // Between the month's ends, just under the straight line's mean.
        assert!(start < mean && mean < end && mean < f64::midpoint(start, end));
        // The mean by numerical integration over the month.
        let n = 100_000;
        let integral: f64 = (0..n)
            .map(|i| 1000.0 * 1.05f64.powf(11.0 + (f64::from(i) + 0.5) / f64::from(n)))
            .sum::<f64>()
            / f64::from(n);
        assert_relative_eq!(mean, integral, max_relative = 1e-9);
        // Linear growth: the midpoint.
        assert_relative_eq!(
            storage_mean_gb(100.0, Some(StorageGrowth::GbPerMonth(10.0)), 3),
            125.0
        );
        assert_eq!(storage_mean_gb(100.0, None, 7), 100.0);
        assert_eq!(compound_mean_factor(0.0, 5), 1.0);
    }

    #[test]
    fn reserved_nodes_pay_off_once_their_upfront_fee_is_earned_back() {
        let rate = |term: &str, upfront: f64, hourly: f64| ReservedRate {
            product: "ra3.xlplus".into(),
            term: term.into(),
            hourly_usd: hourly,
            upfront_usd: upfront,
            source: crate::prices::Provenance::bundled(
                NaiveDate::from_ymd_opt(2025, 3, 19).unwrap(),
            ),
        };
        // On demand 1.086 USD a node-hour, 730 h a month, 2 nodes: 1,585.56 a month.
        let od = vec![2.0 * 730.0 * 1.086; 12];
        let hours = vec![730.0; 12];
        let rates = [
            rate("1yr-no-upfront", 0.0, 0.7602),
            // 5,000 upfront a node: earned back by month 9 (10,000 + 2 × 730 × 0.3 × m
            // against 1,585.56 × m: 10,000 / (1,585.56 − 438) = 8.7 → month 9).
            rate("1yr-all-upfront", 5000.0, 0.3),
            rate("3yr-all-upfront", 100_000.0, 0.0),
        ];
        let p = node_payoffs(&od, &hours, 2, "ra3.xlplus", &rates);
        assert_eq!(p[0].month, Some(1));
        assert_eq!(p[1].month, Some(9));
        assert_eq!(p[2].month, None);
        assert_relative_eq!(p[2].on_demand_usd, 12.0 * 1585.56, max_relative = 1e-12);
        assert!(node_payoffs(&od, &hours, 2, "dc2.large", &rates).is_empty());
    }

    #[test]
    fn months_start_on_their_first_day() {
        let d = NaiveDate::from_ymd_opt(2027, 11, 1).unwrap();
        assert_eq!(month_label(month_start(d, 1)), "2027-11");
        assert_eq!(month_label(month_start(d, 3)), "2028-01");
        assert_eq!(month_label(month_start(d, 12)), "2028-10");
    }
}
