//! Serverless vs provisioned for the same scenario, and the break-even busy hours a day.
//!
//! Serverless compute is billed only while busy: its cost per busy hour is the simulated
//! average capacity while billed × the RPU-hour price. The cluster costs the same whether
//! busy or not. Break-even busy hours a day `h*` solve
//! `serverless other costs + h* × days × cost per busy hour = provisioned total`.

use super::costs::ComponentKind;
use super::figures::{Comparison, ScenarioEstimate, Side};
use super::reservations::is_serverless_compute;
use crate::units::{Money, HOURS_PER_DAY, SECONDS_PER_HOUR};

/// Compute and everything else, in dollars (summed exactly, as money).
fn split(e: &ScenarioEstimate, compute: impl Fn(ComponentKind) -> bool) -> (f64, f64) {
    let c: Money = e
        .lines
        .iter()
        .filter(|l| compute(l.kind))
        .map(|l| l.cost)
        .sum();
    (c.usd(), (e.total() - c).usd())
}

/// Compares the Serverless and provisioned estimates of one scenario.
pub fn compare(serverless: &ScenarioEstimate, provisioned: &ScenarioEstimate) -> Comparison {
    let (sv_compute, sv_other) = split(serverless, |k| {
        is_serverless_compute(k) || k == ComponentKind::ServerlessReservation
    });
    let (pv_compute, pv_other) = split(provisioned, |k| {
        matches!(
            k,
            ComponentKind::ProvisionedCompute | ComponentKind::ConcurrencyScaling
        )
    });
    let days = serverless.period_hours / HOURS_PER_DAY;
    let (busy_h, avg_rpu, rate) = match &serverless.serverless {
        Some(sv) => {
            let billed_s = sv.sim.billed_seconds;
            let avg = if billed_s > 0.0 {
                sv.sim.billed_rpu_seconds.0 / billed_s
            } else {
                sv.base_rpu
            };
            let rpu_hour = sv.rpu_hour_usd.unwrap_or(0.0);
            (billed_s / SECONDS_PER_HOUR / days, avg, avg * rpu_hour)
        }
        None => (0.0, 0.0, 0.0),
    };
    let break_even =
        (rate > 0.0 && days > 0.0).then(|| (provisioned.total().usd() - sv_other) / (rate * days));
    let (sv_total, pv_total) = (serverless.total().usd(), provisioned.total().usd());
    let configuration_sv = serverless
        .serverless
        .as_ref()
        .map_or_else(String::new, |s| {
            format!("base {} RPU, max {} RPU", s.base_rpu, s.max_rpu)
        });
    let configuration_pv = provisioned
        .provisioned
        .as_ref()
        .map_or_else(String::new, |p| {
            let pricing = match p.reservation {
                Some(t) => format!("reserved {}", t.label()),
                None => "on demand".to_string(),
            };
            let schedule = if p.hours_per_day >= 24.0 && p.days_per_week >= 7 {
                String::new()
            } else {
                format!(
                    ", {} h a day, {} days a week",
                    p.hours_per_day, p.days_per_week
                )
            };
            format!("{} × {}, {pricing}{schedule}", p.nodes, p.node_type.name())
        });
    Comparison {
        name: serverless.name.clone(),
        region: serverless.region.clone(),
        period_hours: serverless.period_hours,
        serverless: Side {
            configuration: configuration_sv,
            total_usd: sv_total,
            compute_usd: sv_compute,
            other_usd: sv_other,
        },
        provisioned: Side {
            configuration: configuration_pv,
            total_usd: pv_total,
            compute_usd: pv_compute,
            other_usd: pv_other,
        },
        serverless_busy_hours_per_day: busy_h,
        serverless_average_rpu: avg_rpu,
        serverless_usd_per_busy_hour: Money::from_usd(rate).usd(),
        break_even_busy_hours_per_day: break_even,
        cheaper: if sv_total <= pv_total {
            "serverless"
        } else {
            "provisioned"
        },
        saving_usd: (serverless.total() - provisioned.total()).usd().abs(),
    }
}
