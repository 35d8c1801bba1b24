//! The commands. Each takes its checked `Config` (built by `cli`), runs the pipeline and
//! writes its document through `output`; none knows the command line.

pub(crate) mod charts;
pub(crate) mod compare;
pub(crate) mod diff;
pub(crate) mod estimate;
pub(crate) mod forecast;
pub(crate) mod history;
pub(crate) mod infrastructure;
pub(crate) mod observe;
pub(crate) mod plan;
pub(crate) mod prices;
pub(crate) mod report;
pub(crate) mod sweep;

use crate::error::{Error, Exit};
use crate::output::Messages;
use crate::sources::prices::resolve::PriceMode;
use crate::sources::prices::Resolver;
use crate::sources::AsyncRuntime;
use std::path::PathBuf;

/// The checked configuration of one command.
#[derive(Debug)]
pub(crate) enum Config {
    Estimate(estimate::EstimateConfig),
    Compare(compare::CompareConfig),
    Sweep(sweep::SweepConfig),
    Plan(plan::PlanConfig),
    Forecast(forecast::ForecastConfig),
    Report(report::ReportConfig),
    Diff(diff::DiffConfig),
    Observe(observe::ObserveConfig),
    History(history::HistoryConfig),
    Prices(prices::PricesConfig),
}

impl Config {
    /// Whether the command's document goes to stdout (no `--out`, not a report folder).
    pub(crate) fn prints_to_stdout(&self) -> bool {
        match self {
            Config::Estimate(c) => c.out.is_none(),
            Config::Compare(c) => c.out.is_none(),
            Config::Sweep(c) => c.out.is_none(),
            Config::Plan(c) => c.out.is_none(),
            Config::Forecast(c) => c.out.is_none(),
            Config::Diff(c) => c.out.is_none(),
            Config::Observe(c) => c.out.is_none(),
            Config::History(c) => c.out.is_none(),
            Config::Prices(c) => c.out.is_none(),
            Config::Report(_) => false,
        }
    }
}

/// The scenario files of a command and how they are decoded.
pub(crate) use crate::pipeline::ScenarioInputs as ScenarioConfig;

/// Where prices come from (checked: `refresh` only with a mode that fetches).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PriceConfig {
    pub(crate) mode: PriceMode,
    pub(crate) refresh: bool,
    pub(crate) endpoint_region: String,
}

impl PriceConfig {
    /// The price source these options describe, fetching on `runtime`.
    pub(crate) fn source<'a>(&self, runtime: &'a AsyncRuntime) -> Resolver<'a> {
        Resolver {
            mode: self.mode,
            refresh: self.refresh,
            endpoint_region: self.endpoint_region.clone(),
            runtime,
        }
    }
}

/// The capacity-timeline window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TimelineWindow {
    /// Each scenario's busiest hour (most billed RPU-seconds; the first day when nothing
    /// is billed).
    Busiest,
    /// Seconds from the period start (`to` > `from`).
    Fixed { from: f64, to: f64 },
}

/// Where a run's capacity comes from besides the scenarios.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Infrastructure {
    /// `--terraform PLAN.json`.
    Terraform(PathBuf),
    /// `--cloudformation TEMPLATE`.
    CloudFormation(PathBuf),
}

/// `--runs N` and `--budget-quantile Q`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RunsConfig {
    pub(crate) runs: usize,
    pub(crate) budget_quantile: Option<f64>,
}

/// The charts `estimate` draws.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartConfig {
    pub(crate) chart: Option<PathBuf>,
    pub(crate) timeline: Option<PathBuf>,
    /// `--heatmap FILE`: billed RPU-hours by day and hour.
    pub(crate) heatmap: Option<PathBuf>,
    pub(crate) window: TimelineWindow,
}

/// An AWS source's error as the run's: bad input (exit 2) or a failure (exit 1).
pub(crate) fn aws_failure(e: crate::sources::aws::AwsError) -> Error {
    if e.is_invalid_input() {
        Error::Input(e.to_string())
    } else {
        Error::Failure(anyhow::Error::new(e))
    }
}

/// Runs the command `config` describes.
pub(crate) fn run(
    config: &Config,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    match config {
        Config::Estimate(c) => estimate::run(c, runtime, messages),
        Config::Compare(c) => compare::run(c, runtime, messages),
        Config::Sweep(c) => sweep::run(c, runtime, messages),
        Config::Plan(c) => plan::run(c, runtime, messages),
        Config::Forecast(c) => forecast::run(c, runtime, messages),
        Config::Report(c) => report::run(c, runtime, messages),
        Config::Diff(c) => diff::run(c, runtime, messages),
        Config::Observe(c) => observe::run(c, runtime, messages),
        Config::History(c) => history::run(c, runtime, messages),
        Config::Prices(c) => prices::run(c, runtime, messages),
    }
}
