//! `redshift-cost estimate`: the monthly cost of one or more scenarios, in one report.

use super::{charts::estimate_charts, ChartConfig, PriceConfig, RunsConfig, ScenarioConfig};
use crate::error::{Error, Exit};
use crate::output::{write_output, Messages};
use crate::pipeline::{self, LoadedScenario};
use crate::report::{Format, Report};
use crate::sources::cloudwatch::CloudWatch;
use crate::sources::AsyncRuntime;
use redshift_cost_core::engine::Metering;
use redshift_cost_core::scenario::Scenario;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) struct EstimateConfig {
    pub(crate) scenarios: ScenarioConfig,
    pub(crate) format: Format,
    pub(crate) out: Option<PathBuf>,
    /// `--budget`: replaces every scenario's `budget_usd`.
    pub(crate) budget: Option<f64>,
    pub(crate) calibrate: bool,
    /// `--metering`.
    pub(crate) metering: MeteringChoice,
    pub(crate) prices: PriceConfig,
    pub(crate) charts: ChartConfig,
    /// `--runs N`, `--budget-quantile Q`.
    pub(crate) runs: Option<RunsConfig>,
    /// `--distribution-chart FILE`.
    pub(crate) distribution_chart: Option<PathBuf>,
}

/// Which metering rule the compute is billed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MeteringChoice {
    /// Each scenario's `[serverless] metering`.
    Scenario,
    /// This rule for every scenario.
    Rule(Metering),
    /// Each scenario's own rule, and the other one beside it.
    Both,
}

/// `scenario` billed under `rule` (scenarios without Serverless are left as they are).
fn under(scenario: &Scenario, rule: Metering) -> Scenario {
    let mut s = scenario.clone();
    if let Some(sv) = s.serverless.as_mut() {
        sv.metering = rule;
    }
    s
}

pub(crate) fn run(
    c: &EstimateConfig,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    let (loader, mut loaded) = pipeline::load(&c.scenarios, messages)?;
    let now = chrono::Utc::now();
    let usage = CloudWatch { runtime, now };
    let observed = super::observe::observe_scenarios(
        &loader,
        &mut loaded,
        !c.scenarios.sets.is_empty(),
        c.calibrate,
        &usage,
        now,
        messages,
    )?;
    let resolved = pipeline::resolve_loaded(&loaded, &c.prices.source(runtime), messages)?;
    let scenarios: Vec<Scenario> = loaded
        .iter()
        .map(|l| match c.metering {
            MeteringChoice::Rule(rule) => under(l.scenario(), rule),
            MeteringChoice::Scenario | MeteringChoice::Both => l.scenario().clone(),
        })
        .collect();
    let estimates = pipeline::estimate(&scenarios, &resolved.book)?;
    pipeline::warn_fallbacks(&resolved, &estimates, messages);
    pipeline::note_prices(messages, &resolved, &estimates);
    let mut report = Report::new(&estimates, c.budget);
    if c.metering == MeteringChoice::Both {
        let other: Vec<Scenario> = scenarios
            .iter()
            .map(|s| {
                let own = s
                    .serverless
                    .as_ref()
                    .map_or(Metering::BusyPeriod, |sv| sv.metering);
                let rule = if own == Metering::BusyPeriod {
                    Metering::PerMinute
                } else {
                    Metering::BusyPeriod
                };
                under(s, rule)
            })
            .collect();
        let alternatives = pipeline::estimate(&other, &resolved.book)?;
        report.attach_metering_bills(&estimates, &alternatives);
    }
    super::observe::attach_observed(&mut report, &estimates, &loaded, &observed, &resolved.book);
    if let Some(r) = c.runs {
        let distributions = scenarios
            .iter()
            .map(|s| pipeline::estimate_runs(s, &resolved.book, r.runs))
            .collect::<Result<Vec<_>, Error>>()?;
        report.attach_distributions(&distributions, r.budget_quantile);
        if let Some(path) = &c.distribution_chart {
            super::charts::write_chart(path, &crate::report::site::distribution_chart(&report))?;
        }
    }
    write_output(c.out.as_deref(), &report.render(c.format))?;
    estimate_charts(
        &c.charts,
        loaded.iter().map(LoadedScenario::scenario),
        &report,
    )?;
    Ok(pipeline::budget_exit(&report, messages))
}
