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
    /// `--terraform PLAN` or `--cloudformation TEMPLATE`.
    pub(crate) infrastructure: Option<super::Infrastructure>,
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
    // The plan is read first: a bad plan is refused before anything is fetched.
    let plan = c
        .infrastructure
        .as_ref()
        .map(super::infrastructure::read)
        .transpose()?;
    let now = chrono::Utc::now();
    let usage = CloudWatch { runtime, now };
    let observed = super::observe::observe_scenarios(
        &loader,
        &mut loaded,
        !c.scenarios.sets.is_empty(),
        c.calibrate,
        super::observe::ObservedSources {
            usage: &usage,
            bills: &crate::sources::bill::CostExplorer { runtime },
        },
        now,
        messages,
    )?;
    let resolved = pipeline::resolve_loaded(&loaded, &c.prices.source(runtime), messages)?;
    let mut scenarios: Vec<Scenario> = loaded
        .iter()
        .map(|l| match c.metering {
            MeteringChoice::Rule(rule) => under(l.scenario(), rule),
            MeteringChoice::Scenario | MeteringChoice::Both => l.scenario().clone(),
        })
        .collect();
    // With a plan: the after side is what is estimated (a deleted resource's scenario
    // leaves the report), the before side is estimated for the diff.
    let applied = match &plan {
        Some(p) => Some(super::infrastructure::apply(p, &scenarios, messages)?),
        None => None,
    };
    let mut observed = observed;
    if let Some(a) = &applied {
        let kept: Vec<usize> = (0..scenarios.len())
            .filter(|i| a.after[*i].is_some())
            .collect();
        scenarios = kept.iter().filter_map(|i| a.after[*i].clone()).collect();
        loaded = kept.iter().map(|i| loaded[*i].clone()).collect();
        observed = kept.iter().map(|i| observed[*i].clone()).collect();
    }
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
    let mut before_report = None;
    if let Some(a) = applied.as_ref() {
        let mut json = a.json.clone();
        if a.has_before {
            let before: Vec<Scenario> = a.before.iter().flatten().cloned().collect();
            let before = Report::new(&pipeline::estimate(&before, &resolved.book)?, c.budget);
            json.diff = Some(crate::report::iac::before_after(&before, &report));
            before_report = Some(before);
        }
        report.infrastructure = Some(json);
    }
    if let Some(r) = c.runs {
        pipeline::attach_runs(
            &mut report,
            &scenarios,
            &resolved.book,
            r.runs,
            r.budget_quantile,
        )?;
        if let Some(path) = &c.distribution_chart {
            super::charts::write_chart(path, &crate::report::site::distribution_chart(&report))?;
        }
    }
    let bytes = if c.format == Format::Infracost {
        // Without a plan each scenario is its own resource, named by the scenario.
        let resources = applied.as_ref().map_or_else(
            || {
                scenarios
                    .iter()
                    .map(|s| {
                        (
                            s.name.clone(),
                            crate::report::infracost::InfracostResource {
                                path: s.path.display().to_string(),
                                name: s.name.clone(),
                                resource_type: crate::report::infracost::SCENARIO_RESOURCE.into(),
                            },
                        )
                    })
                    .collect()
            },
            |a| a.resources.clone(),
        );
        crate::report::infracost::render(
            &report,
            before_report.as_ref(),
            &resources,
            &now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
    } else {
        report.render(c.format)
    };
    write_output(c.out.as_deref(), &bytes)?;
    estimate_charts(
        &c.charts,
        loaded.iter().map(LoadedScenario::scenario),
        &report,
        messages,
    )?;
    Ok(pipeline::budget_exit(&report, messages))
}
