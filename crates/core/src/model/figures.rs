//! The figures of an estimate: what one scenario costs, line by line, and what the
//! simulation and each billed thing found. Types only: `estimate` fills them, the
//! components add to them, `compare` reads them.

use super::costs::CostLine;
use super::notes::Note;
use crate::engine::{EngineError, SimResult};
use crate::prices::Price;
use crate::scenario::{NodeType, ReservedTerm, Scenario};
use crate::units::{Money, Rpu, Seconds};
use thiserror::Error;

/// A scenario that cannot be priced with the prices at hand.
#[derive(Debug, Error, PartialEq)]
pub enum EstimateError {
    #[error("scenario `{scenario}`{at}: the price book has no {what} price for {region}; set [prices] {key} in the scenario (or --set prices.{key}=...)")]
    MissingPrice {
        scenario: String,
        /// ` (region at file:line:col)`, or empty.
        at: String,
        region: String,
        what: &'static str,
        key: &'static str,
    },
    #[error("scenario `{scenario}`: the price book has no price for SageMaker instance {instance} in {region}; set it in the scenario: [prices.sagemaker_instance_hour] \"{instance}\" = USD per hour")]
    MissingInstancePrice {
        scenario: String,
        region: String,
        instance: String,
    },
    #[error("scenario `{scenario}`: {context}{source}")]
    Engine {
        scenario: String,
        /// The scenario's terms for what failed (`workload `w`: `), or empty.
        context: String,
        source: EngineError,
    },
    /// A money figure came out NaN, infinite or negative: never priced silently.
    #[error("scenario `{scenario}`: the cost line `{line}` came out as {value} USD (quantity {quantity}, unit price {price}); refusing to report it")]
    NotFinite {
        scenario: String,
        line: String,
        value: f64,
        quantity: f64,
        price: f64,
        /// The price came from a price source (not the scenario): a failure of the
        /// source (exit 1), not of the input (exit 2).
        from_source: bool,
    },
}

/// The engine's figures with the class names attached.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerlessFigures {
    pub base_rpu: Rpu,
    pub max_rpu: Rpu,
    pub sim: SimResult,
    /// Class names in the order of `sim.by_class_rpu_seconds`.
    pub classes: Vec<String>,
    /// The on-demand RPU-hour price the compute was billed at, when it was needed.
    pub rpu_hour_usd: Option<f64>,
    /// The usage limits the run watched (their trips are `sim.usage_limit_trips`).
    pub usage_limits: Vec<crate::engine::UsageLimit>,
    /// How the zero-ETL refreshes were modelled and what they did, with zero-ETL.
    pub zero_etl: Option<ZeroEtlFigures>,
}

impl ServerlessFigures {
    /// The class index of `name`.
    pub fn class(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c == name)
    }
}

/// The zero-ETL refreshes of a Serverless run.
#[derive(Debug, Clone, PartialEq)]
pub struct ZeroEtlFigures {
    /// REFRESH_INTERVAL, seconds; 0 is continuous replication.
    pub refresh_interval_s: Seconds,
    /// `sync_duration`, the fixed part of a refresh.
    pub sync_duration_s: Seconds,
    /// Whether `sync_duration` was left at its default.
    pub sync_duration_default: bool,
    /// The change rate, when the refreshes apply the changes of their interval.
    pub change: Option<crate::scenario::ChangeRate>,
    /// How long one refresh runs when it gets its demand (0 for continuous).
    pub refresh_seconds: Seconds,
    pub sync_rpu: Rpu,
    /// Refreshes run (0 for continuous replication).
    pub sync_runs: usize,
    pub sync_latency_p95_s: Seconds,
    pub sync_latency_max_s: Seconds,
    /// REFRESH_INTERVAL + the longest refresh latency (0 for continuous replication).
    pub sync_staleness_s: Seconds,
}

/// Everything estimated for one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioEstimate {
    pub name: String,
    pub region: String,
    pub period_hours: f64,
    /// The period's start date (period time 0 is its 00:00 UTC).
    pub period_start: chrono::NaiveDate,
    pub budget_usd: Option<f64>,
    pub lines: Vec<CostLine>,
    pub serverless: Option<ServerlessFigures>,
    /// The warehouse estimated: `None` for a storage-only scenario.
    pub deployment: Option<Deployment>,
    /// `[provisioned]`, when estimated as a provisioned cluster.
    pub provisioned: Option<ProvisionedFigures>,
    /// Serverless reservation figures (the suggested commitment), when there is compute.
    pub reservation: Option<ReservationFigures>,
    /// Lines shown for comparison, not part of the total (Athena for Spectrum scans).
    pub comparisons: Vec<CostLine>,
    pub pipelines: Vec<PipelineFigures>,
    /// How parts of the bill were modelled.
    pub notes: Vec<Note>,
    /// With both `[serverless]` and `[provisioned]`: the comparison with the cluster.
    pub comparison: Option<Comparison>,
}

impl ScenarioEstimate {
    pub fn total(&self) -> Money {
        self.lines.iter().map(|l| l.cost).sum()
    }

    /// `Some(excess)` when the total is over the budget.
    pub fn over_budget(&self) -> Option<f64> {
        let budget = self.budget_usd?;
        let total = self.total().usd();
        (total > budget).then_some(total - budget)
    }
}

impl EstimateError {
    /// No price for `what` in `region`: names the `[prices]` key to set and where the
    /// scenario's region is written.
    pub fn missing_price(
        scenario: &Scenario,
        region: &str,
        what: &'static str,
        key: &'static str,
    ) -> EstimateError {
        EstimateError::MissingPrice {
            scenario: scenario.name.clone(),
            at: scenario
                .locations
                .region
                .as_ref()
                .map(|l| format!(" (region at {l})"))
                .unwrap_or_default(),
            region: region.to_string(),
            what,
            key,
        }
    }
}

/// Which warehouse a scenario is estimated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Deployment {
    Serverless,
    Provisioned,
}

impl Deployment {
    pub fn label(self) -> &'static str {
        match self {
            Deployment::Serverless => "Serverless",
            Deployment::Provisioned => "provisioned",
        }
    }

    /// The deployment's name in documents: `serverless`, `provisioned`.
    pub fn name(self) -> &'static str {
        match self {
            Deployment::Serverless => "serverless",
            Deployment::Provisioned => "provisioned",
        }
    }
}

/// A Serverless reservation, as simulated.
#[derive(Debug, Clone, PartialEq)]
pub struct ReservationFigures {
    /// `[serverless] reserved_rpu`, if any.
    pub reserved_rpu: Option<Rpu>,
    /// The term used for the reservation (or the suggestion).
    pub term: &'static str,
    /// Fraction off the on-demand rate.
    pub discount: f64,
    /// RPU-seconds the reservation covers.
    pub covered_rpu_seconds: f64,
    /// RPU-seconds billed on demand above the reservation.
    pub on_demand_rpu_seconds: f64,
    /// Compute cost without any reservation.
    pub on_demand_compute_usd: f64,
    /// Compute cost with `reserved_rpu` (the on-demand cost when there is none).
    pub compute_usd: f64,
    /// The reservation (a multiple of 8 RPU) that minimises the period's compute cost.
    pub suggested_reserved_rpu: Rpu,
    pub suggested_compute_usd: f64,
}

/// A pipeline's figures for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineFigures {
    pub name: String,
    pub kind: &'static str,
    /// Runs (syncs, jobs) in the period; statements a day for `data-api`.
    pub runs: f64,
    /// `lambda-extract` only.
    pub lambda: Option<LambdaSummary>,
}

/// A Lambda extract's figures for the report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LambdaSummary {
    pub rows_per_page: f64,
    pub page_mb: f64,
    pub page_over_limit: bool,
    pub invocations_per_sync: f64,
    pub invocations: f64,
    pub gb_seconds: f64,
    pub sync_elapsed_s: f64,
}

impl From<LambdaFigures> for LambdaSummary {
    fn from(f: LambdaFigures) -> LambdaSummary {
        LambdaSummary {
            rows_per_page: f.rows_per_page,
            page_mb: f.page_mb,
            page_over_limit: f.page_over_limit,
            invocations_per_sync: f.invocations_per_sync,
            invocations: f.invocations,
            gb_seconds: f.gb_seconds,
            sync_elapsed_s: f.sync_elapsed_s,
        }
    }
}

/// What the billed things around the Serverless simulation add to an estimate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parts {
    pub lines: Vec<CostLine>,
    /// Lines shown for comparison, not in the total (Athena).
    pub comparisons: Vec<CostLine>,
    /// How something was modelled.
    pub notes: Vec<Note>,
    pub provisioned: Option<ProvisionedFigures>,
    pub reservation: Option<ReservationFigures>,
    pub pipelines: Vec<PipelineFigures>,
}

/// `p`, or the error that names the missing price of `what` and its `[prices]` key.
pub(crate) fn need(
    p: Option<Price>,
    scenario: &Scenario,
    what: &'static str,
    key: &'static str,
) -> Result<Price, EstimateError> {
    p.ok_or_else(|| EstimateError::missing_price(scenario, &scenario.region, what, key))
}

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
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

/// The figures of a Lambda extract over a period with `syncs` full syncs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LambdaFigures {
    pub bytes_per_row: f64,
    pub rows_per_page: f64,
    /// Size of a full page, MB.
    pub page_mb: f64,
    /// A page is larger than the 6 MB response limit (those invocations would fail).
    pub page_over_limit: bool,
    pub invocations_per_sync: f64,
    pub syncs: f64,
    pub invocations: f64,
    pub gb_seconds: f64,
    /// Elapsed time of one full sync (invocations one after another), seconds.
    pub sync_elapsed_s: Seconds,
}
