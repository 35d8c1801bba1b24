//! Serverless vs provisioned for the same scenario, and the break-even busy hours a day.
//!
//! Serverless compute is billed only while busy: its cost per busy hour is the simulated
//! average capacity while billed × the RPU-hour price. The cluster costs the same whether
//! busy or not. Break-even busy hours a day `h*` solve
//! `serverless other costs + h* × days × cost per busy hour = provisioned total`.

use super::costs::ComponentKind;
use super::estimate::ScenarioEstimate;
use super::surface::is_serverless_compute;
use crate::units::{Money, HOURS_PER_DAY, SECONDS_PER_HOUR};
use serde::Serialize;

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// e.g. `base 8 RPU, max 5632 RPU` or `2 × ra3.4xlarge, on demand`.
    pub configuration: String,
    pub total_usd: f64,
    /// Compute: Serverless RPU-hours (and any reservation); provisioned node-hours and
    /// concurrency scaling.
    pub compute_usd: f64,
    /// Everything else (storage, snapshots, Spectrum, pipelines, ...).
    pub other_usd: f64,
}

/// The comparison of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub name: String,
    pub region: String,
    pub period_hours: f64,
    pub serverless: Side,
    pub provisioned: Side,
    /// Hours a day the workgroup is billed in the simulation (busy plus 60-second
    /// minimums), averaged over the period.
    pub serverless_busy_hours_per_day: f64,
    /// Average capacity while billed, RPU.
    pub serverless_average_rpu: f64,
    /// What an hour of billed Serverless time costs at that capacity, USD.
    pub serverless_usd_per_busy_hour: f64,
    /// Busy hours a day at which both cost the same (may be above 24: Serverless is then
    /// cheaper however busy; below 0: the cluster is cheaper even idle). `None` when there
    /// is no Serverless price.
    pub break_even_busy_hours_per_day: Option<f64>,
    /// `serverless` or `provisioned`.
    pub cheaper: &'static str,
    /// How much the cheaper one saves, USD.
    pub saving_usd: f64,
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::estimate::estimate_deployments;
    use crate::model::surface::Context;
    use crate::pricing::bundled::bundled;
    use crate::scenario::parse_scenario;
    use approx::assert_relative_eq;
    use std::path::Path;

    fn both(extra: &str) -> (ScenarioEstimate, ScenarioEstimate) {
        let text = format!(
            "name = \"c\"\nregion = \"us-east-1\"\nperiod = \"30d\"\n[serverless]\nbase_rpu = 8\n[provisioned]\nnode_type = \"ra3.xlplus\"\nnodes = 2\n{extra}"
        );
        let l = parse_scenario(&text, Path::new("c.toml"), &[], &[]).unwrap();
        let prices = bundled().region("us-east-1").unwrap();
        let mut e = estimate_deployments(&l.scenario, prices, &Context::bundled()).unwrap();
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
            Some(crate::model::surface::Deployment::Serverless)
        );
        assert_eq!(
            pv.deployment,
            Some(crate::model::surface::Deployment::Provisioned)
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
}
