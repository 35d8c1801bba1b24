//! `redshift-cost estimate`: the monthly cost of one or more scenarios, in one report.

use super::{charts::estimate_charts, ChartConfig, PriceConfig, ScenarioConfig};
use crate::error::{Error, Exit};
use crate::output::{write_output, Messages};
use crate::pipeline::{self, LoadedScenario};
use crate::report::{Format, Report};
use crate::sources::cloudwatch::CloudWatch;
use crate::sources::AsyncRuntime;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) struct EstimateConfig {
    pub(crate) scenarios: ScenarioConfig,
    pub(crate) format: Format,
    pub(crate) out: Option<PathBuf>,
    /// `--budget`: replaces every scenario's `budget_usd`.
    pub(crate) budget: Option<f64>,
    pub(crate) calibrate: bool,
    pub(crate) prices: PriceConfig,
    pub(crate) charts: ChartConfig,
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
    let estimates =
        pipeline::estimate(loaded.iter().map(LoadedScenario::scenario), &resolved.book)?;
    pipeline::warn_fallbacks(&resolved, &estimates, messages);
    pipeline::note_prices(messages, &resolved, &estimates);
    let mut report = Report::new(&estimates, c.budget);
    super::observe::attach_observed(&mut report, &estimates, &loaded, &observed, &resolved.book);
    write_output(c.out.as_deref(), &report.render(c.format))?;
    estimate_charts(
        &c.charts,
        loaded.iter().map(LoadedScenario::scenario),
        &report,
    )?;
    Ok(pipeline::budget_exit(&report, messages))
}
