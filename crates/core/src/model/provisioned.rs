//! Provisioned clusters: node-hours on a running schedule (on demand or reserved),
//! concurrency scaling beyond the free credits, and the cluster's storage capacity.

use super::costs::{ComponentKind, CostLine, NODE_HOUR, NODE_SECOND};
use super::figures::{CsCredits, EstimateError, Parts, ProvisionedFigures};
use super::notes::Note;
use super::workload::plan;
use crate::engine::{simulate, Capacity};
use crate::prices::{Price, PriceKey, PriceSheet, RegionPrices, ReservedDiscounts};
use crate::scenario::{NodeType, Period, Provisioned, ReservedTerm, Scenario};
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

/// A price the provisioned lines need and the book lacks: `(what, [prices] key)`.
pub type Missing = (&'static str, &'static str);

/// The reserved rate of `term` for `node_type` (per node-hour, the upfront fee spread
/// over the term) and its discount off on demand: AWS's published rate when the prices
/// have one (the bundled book's reserved-node data, or the live Price List), else the
/// on-demand rate less the book's discount table.
fn reserved_rate(
    prices: &RegionPrices,
    table: &ReservedDiscounts,
    node_type: NodeType,
    term: ReservedTerm,
    on_demand: Price,
) -> Option<(f64, Price)> {
    let published = prices
        .reserved
        .iter()
        .find(|r| r.product == node_type.name() && r.term == term.key())
        .and_then(|r| {
            let hourly = r.effective_hourly_usd()?;
            let d = r.discount(on_demand.usd)?;
            (hourly.is_finite() && hourly > 0.0 && d.is_finite() && d < 1.0).then_some((
                d,
                Price {
                    usd: hourly,
                    source: r.source,
                },
            ))
        });
    published.or_else(|| {
        let d = table.by_term.get(term.key()).copied()?;
        Some((
            d,
            Price {
                usd: crate::units::round_price(on_demand.usd * (1.0 - d)),
                source: on_demand.source,
            },
        ))
    })
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
            PriceKey::NodeHour(name.to_string()),
            node_hour,
        )),
        Some(term) => {
            let (d, rate) = reserved_rate(prices, node_reserved, p.node_type, term, node_hour)
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
                PriceKey::NodeHour(name.to_string()),
                rate,
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
                PriceKey::ConcurrencyScalingNodeSecond(name.to_string()),
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

/// The cluster's lines, figures and notes, when the scenario is estimated on its
/// `[provisioned]` cluster.
pub fn add_provisioned(
    scenario: &Scenario,
    sheet: &PriceSheet,
    out: &mut Parts,
) -> Result<(), EstimateError> {
    let Some(p) = &scenario.provisioned else {
        return Ok(());
    };
    let (lines, mut figures) = provisioned_lines(
        p,
        &scenario.period,
        &sheet.prices,
        &sheet.node_reserved,
        scenario.storage.managed_gb,
    )
    .map_err(|(what, key)| EstimateError::missing_price(scenario, &scenario.region, what, key))?;
    out.lines.extend(lines);
    figures.workload_busy_hours_per_day = busy_hours_per_day(scenario);
    if let Some(busy) = figures.workload_busy_hours_per_day {
        if busy > p.hours_per_day + 1e-9 {
            out.notes.push(Note::BusyLongerThanCluster {
                busy_hours_per_day: busy,
                cluster_hours_per_day: p.hours_per_day,
            });
        }
    }
    if !p.node_type.is_ra3() {
        out.notes.push(Note::LocalSsdStorage {
            node_type: p.node_type.name(),
        });
    }
    if scenario.zero_etl.is_some() {
        out.notes.push(Note::ZeroEtlOnCluster);
    }
    if p.reservation.is_some() && !p.always_on() {
        out.notes.push(Note::ReservedNodesDoNotPause);
    }
    out.provisioned = Some(figures);
    Ok(())
}

/// Hours a day the scenario's work keeps a warehouse busy (the union of the jobs' run
/// times, never slowed down), averaged over the period; `None` without any work.
pub fn busy_hours_per_day(scenario: &Scenario) -> Option<f64> {
    // Ample capacity: nothing waits, so busy time is the union of the jobs' solo runs.
    let capacity = Capacity {
        base: 1.0,
        max: 1e300,
    };
    let input = plan(scenario, capacity).input;
    if input.is_empty() {
        return None;
    }
    let r = simulate(&input).ok()?;
    Some(r.busy_seconds / SECONDS_PER_HOUR / (scenario.period.hours / HOURS_PER_DAY))
}
