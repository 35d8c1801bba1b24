//! `redshift-cost forecast`: a scenario month by month under its `[growth]`, each month an
//! in-memory scenario estimated through the pipeline (with Monte Carlo runs on request),
//! the cumulative cost, and when a reservation pays off.

use super::charts::write_chart;
use super::{PriceConfig, ScenarioConfig};
use crate::error::{Error, Exit};
use crate::output::{write_output, Messages};
use crate::pipeline;
use crate::report::forecast::{ForecastFormat, ForecastReport, MonthInput};
use crate::sources::prices::price_sheet;
use crate::sources::AsyncRuntime;
use redshift_cost_core::forecast::{node_payoffs, serverless_payoff};
use redshift_cost_core::model::costs::ComponentKind;
use redshift_cost_core::model::figures::ScenarioEstimate;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) struct ForecastConfig {
    pub(crate) scenario: ScenarioConfig,
    pub(crate) months: u32,
    pub(crate) runs: Option<usize>,
    /// For the whole forecast (its cumulative cost).
    pub(crate) budget: Option<f64>,
    pub(crate) format: ForecastFormat,
    pub(crate) out: Option<PathBuf>,
    pub(crate) chart: Option<PathBuf>,
    pub(crate) prices: PriceConfig,
}

pub(crate) fn run(
    c: &ForecastConfig,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    let (_loader, loaded) = pipeline::load(&c.scenario, messages)?;
    let base = &loaded[0];
    let scenario = base.scenario();
    let resolved = pipeline::resolve_loaded(
        std::slice::from_ref(base),
        &c.prices.source(runtime),
        messages,
    )?;
    let book = &resolved.book;
    let months = pipeline::forecast(scenario, book, c.months, c.runs, c.scenario.limits.max_jobs)?;
    let estimates: Vec<ScenarioEstimate> = months.iter().map(|m| m.estimate.clone()).collect();
    pipeline::warn_fallbacks(&resolved, &estimates, messages);
    pipeline::note_prices(messages, &resolved, &estimates);
    let growth = scenario.growth.clone().unwrap_or_default();
    let serverless = serverless_payoff(&estimates);
    let nodes = match (&scenario.provisioned, price_sheet(book, scenario)) {
        (Some(p), Some(sheet)) if p.reservation.is_none() => {
            let on_demand: Vec<f64> = estimates
                .iter()
                .map(|e| {
                    e.lines
                        .iter()
                        .filter(|l| l.kind == ComponentKind::ProvisionedCompute)
                        .map(|l| l.cost.usd())
                        .sum()
                })
                .collect();
            let hours: Vec<f64> = estimates
                .iter()
                .map(|e| e.provisioned.as_ref().map_or(0.0, |f| f.running_hours))
                .collect();
            node_payoffs(
                &on_demand,
                &hours,
                p.nodes,
                p.node_type.name(),
                &sheet.prices.reserved,
            )
        }
        _ => Vec::new(),
    };
    let inputs: Vec<MonthInput<'_>> = months
        .iter()
        .map(|m| MonthInput {
            month: m.month,
            estimate: &m.estimate,
            managed_storage_gb: m.scenario.storage.managed_gb,
            distribution: m.distribution.as_ref(),
        })
        .collect();
    let report = ForecastReport::new(&growth, &inputs, c.runs, serverless.as_ref(), &nodes);
    write_output(c.out.as_deref(), &report.render(c.format))?;
    if let Some(path) = &c.chart {
        write_chart(path, &report.chart())?;
    }
    if let Some(budget) = c.budget {
        if report.total_usd > budget {
            messages.warn(redshift_cost_core::messages::Warning::OverBudget {
                scenario: scenario.name.clone(),
                budget_usd: budget,
                estimate_usd: report.total_usd,
                excess_usd: report.total_usd - budget,
            });
            return Ok(Exit::OverBudget);
        }
    }
    Ok(Exit::Ok)
}
