//! The versioned report and its renderers. Every renderer is a pure function from a
//! [`Report`] to bytes; writing them anywhere is the caller's business.

pub mod bill;
pub mod charts;
pub mod compare;
mod csv;
pub mod diff;
pub mod distribution;
pub mod facts;
pub mod forecast;
pub mod format;
pub mod iac;
pub mod infracost;
mod json;
pub mod markdown;
pub mod messages;
pub mod notes;
pub mod observe;
pub mod plan;
pub mod prices;
pub mod site;
pub mod sweep;
pub(crate) mod table;
pub mod wire;

use redshift_cost_core::model::figures::ScenarioEstimate;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Version of the JSON contract; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Output formats of `estimate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A boxed table for terminals (the default).
    Table,
    /// The versioned JSON contract, numbers unrounded.
    Json,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// One row per cost line, numbers unrounded.
    Csv,
    /// Infracost's output format (version 0.2), for `infracost output` and `comment`.
    Infracost,
}

/// The report of one run: every scenario's estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    /// What made the report and when (`report`'s summary.json).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<Generated>,
    pub scenarios: Vec<ScenarioReport>,
    /// Scenarios whose total is over their budget.
    pub budget_breaches: Vec<BudgetBreach>,
    /// `--terraform` / `--cloudformation`: what the plan set and the before/after diff
    /// (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<iac::IacJson>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioReport {
    pub name: String,
    pub region: String,
    pub period_hours: f64,
    /// The first day of the period (`2026-01-05`); period time 0 is its 00:00 UTC.
    pub period_start: String,
    pub total_monthly_usd: f64,
    pub budget_usd: Option<f64>,
    pub components: Vec<Component>,
    pub serverless: Option<ServerlessReport>,
    /// Modelled vs observed compute, when the scenario has `[observed]` (left out of the
    /// JSON otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<observe::ObservedComparison>,
    /// `serverless`, `provisioned`, or null for a storage-only scenario.
    pub deployment: Option<&'static str>,
    /// The provisioned cluster, when estimated as one (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned: Option<ProvisionedReport>,
    /// Serverless vs the `[provisioned]` alternative, when the scenario has both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<wire::ComparisonJson>,
    /// Lines for comparison, not in the total (Athena for the same Spectrum scans).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<Component>,
    /// `[[pipeline]]` figures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pipelines: Vec<wire::PipelineJson>,
    /// How parts of the bill were modelled, one sentence each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// `estimate --metering both`: the bill under each metering rule, `busy-period`
    /// first (left out otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metering_bills: Vec<MeteringBill>,
    /// `--runs N`: the month's spread over N Monte Carlo runs (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<distribution::DistributionJson>,
}

/// A scenario's bill under one metering rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeteringBill {
    /// `busy-period` or `per-minute`.
    pub metering: &'static str,
    pub total_monthly_usd: f64,
    pub billed_rpu_seconds: f64,
    pub billed_seconds: f64,
    /// Each cost line's cost under this rule.
    pub lines: Vec<BillLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillLine {
    pub component: String,
    pub monthly_usd: f64,
}

impl MeteringBill {
    fn of(e: &ScenarioEstimate) -> Option<MeteringBill> {
        let sv = e.serverless.as_ref()?;
        Some(MeteringBill {
            metering: sv.sim.metering.name(),
            total_monthly_usd: e.total().usd(),
            billed_rpu_seconds: sv.sim.billed_rpu_seconds.0,
            billed_seconds: sv.sim.billed_seconds,
            lines: e
                .lines
                .iter()
                .map(|l| BillLine {
                    component: l.component.clone(),
                    monthly_usd: l.cost.usd(),
                })
                .collect(),
        })
    }
}

/// A provisioned cluster's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProvisionedReport {
    pub node_type: String,
    pub nodes: u32,
    /// `on-demand` or the reserved term (`1yr-all-upfront`, ...).
    pub pricing: String,
    pub reserved_discount: Option<f64>,
    pub running_hours: f64,
    pub hours_per_day: f64,
    pub days_per_week: u32,
    pub storage_capacity_gb: f64,
    pub data_gb: f64,
    pub concurrency_scaling_seconds: f64,
    pub concurrency_scaling_free_seconds: f64,
    /// Per node (the line multiplies by the node count).
    pub concurrency_scaling_billed_seconds: f64,
    pub workload_busy_hours_per_day: Option<f64>,
}

/// The tool, model and prices a report was made with, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Generated {
    pub tool: &'static str,
    pub tool_version: &'static str,
    pub billing_model: &'static str,
    /// RFC 3339, UTC (`SOURCE_DATE_EPOCH` when set).
    pub generated_at: String,
    /// The prices used, as the run's note says them.
    pub prices: String,
    pub bundled_prices_as_of: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub component: String,
    /// Machine-readable kind (`serverless_compute`, `zero_etl_sync`, ...).
    pub kind: &'static str,
    /// What the line is spent on (the cost chart's colours).
    #[serde(skip)]
    pub family: redshift_cost_core::model::costs::CostFamily,
    pub quantity: f64,
    pub unit: String,
    pub unit_price_usd: f64,
    pub monthly_usd: f64,
    /// `bundled 2025-03-19`, `live 2026-11-21`, `cache 2026-11-18` or `override`.
    pub price_source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerlessReport {
    pub base_rpu: f64,
    pub max_rpu: f64,
    pub billed_rpu_seconds: f64,
    pub busy_seconds: f64,
    pub billed_seconds: f64,
    pub busy_periods: usize,
    pub peak_rpu: f64,
    pub jobs: usize,
    pub latency_p50_s: f64,
    pub latency_p95_s: f64,
    pub latency_max_s: f64,
    pub calculator_rpu_seconds: f64,
    /// Class name → billed RPU-seconds, in class order.
    #[serde(serialize_with = "ordered_map")]
    pub by_class_rpu_seconds: Vec<(String, f64)>,
    /// Class name → its RPU-seconds, jobs, latency and rejections, in class order.
    #[serde(serialize_with = "ordered_map")]
    pub by_class: Vec<(String, wire::ClassJson)>,
    /// `busy-period` or `per-minute`.
    pub metering: &'static str,
    /// Queries turned away by a `deactivate` usage limit.
    pub rejected: usize,
    /// The usage limits, with how often each tripped.
    pub usage_limits: Vec<wire::UsageLimitJson>,
    /// Every trip: `limit` (index into `usage_limits`), `period_start_s`, `trip_s`.
    pub usage_limit_trips: Vec<wire::LimitTripJson>,
    /// Zero-ETL refreshes run (0 for continuous replication); null without zero-ETL.
    pub sync_runs: Option<usize>,
    pub sync_latency_p95_s: Option<f64>,
    /// REFRESH_INTERVAL + the longest refresh latency (0 for continuous replication).
    pub sync_staleness_s: Option<f64>,
    /// How long one refresh runs at its demand, as modelled.
    pub refresh_seconds: Option<f64>,
    /// The Serverless reservation and the suggested commitment.
    pub reservation: Option<wire::ReservationJson>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetBreach {
    pub scenario: String,
    pub budget_usd: f64,
    pub estimate_usd: f64,
    pub excess_usd: f64,
    /// `--budget-quantile`: the estimate is this quantile of the runs' totals (left out
    /// otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantile: Option<f64>,
}

impl BudgetBreach {
    /// ` (P95 of the runs)` when the breach is at a quantile of `--runs`, else nothing.
    pub fn quantile_note(&self) -> String {
        self.quantile
            .map(|q| format!(" (P{} of the runs)", format::quantile_label(q)))
            .unwrap_or_default()
    }
}

fn ordered_map<S: Serializer, V: Serialize>(
    pairs: &[(String, V)],
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

impl Report {
    /// Builds the report of `estimates`; `budget_override` (from `--budget`) replaces
    /// every scenario's own `budget_usd`.
    pub fn new(estimates: &[ScenarioEstimate], budget_override: Option<f64>) -> Report {
        let scenarios: Vec<ScenarioReport> = estimates
            .iter()
            .map(|e| ScenarioReport::new(e, budget_override.or(e.budget_usd)))
            .collect();
        let budget_breaches = scenarios
            .iter()
            .filter_map(|s| {
                let budget = s.budget_usd?;
                // A total that is not a number never passes a budget.
                (s.total_monthly_usd.is_nan() || s.total_monthly_usd > budget).then(|| {
                    BudgetBreach {
                        scenario: s.name.clone(),
                        budget_usd: budget,
                        estimate_usd: s.total_monthly_usd,
                        excess_usd: s.total_monthly_usd - budget,
                        quantile: None,
                    }
                })
            })
            .collect();
        Report {
            schema_version: SCHEMA_VERSION,
            scenarios,
            budget_breaches,
            infrastructure: None,
            generated: None,
        }
    }

    /// Adds each scenario's bill under both metering rules: `estimates` (the report's
    /// own) and `alternatives` (the same scenarios under the other rule).
    pub fn attach_metering_bills(
        &mut self,
        estimates: &[ScenarioEstimate],
        alternatives: &[ScenarioEstimate],
    ) {
        for ((s, e), alt) in self.scenarios.iter_mut().zip(estimates).zip(alternatives) {
            let mut bills: Vec<MeteringBill> =
                [e, alt].into_iter().filter_map(MeteringBill::of).collect();
            bills.sort_by_key(|b| b.metering != "busy-period");
            if bills.len() == 2 {
                s.metering_bills = bills;
            }
        }
    }

    /// Adds each scenario's Monte Carlo distribution (`--runs`); with `budget_quantile`,
    /// a scenario with runs is checked against its budget at that quantile of its
    /// totals instead of its single run.
    pub fn attach_distributions(
        &mut self,
        distributions: &[Option<redshift_cost_core::uncertainty::Distribution>],
        budget_quantile: Option<f64>,
    ) {
        use redshift_cost_core::uncertainty::Quantiles;
        for (s, d) in self.scenarios.iter_mut().zip(distributions) {
            s.distribution = d.as_ref().map(distribution::DistributionJson::from);
        }
        let Some(q) = budget_quantile else { return };
        let mut breaches = Vec::new();
        for (s, d) in self.scenarios.iter().zip(distributions) {
            let Some(budget) = s.budget_usd else { continue };
            let (estimate, quantile) =
                match d.as_ref().and_then(|d| Quantiles::quantile(&d.totals, q)) {
                    Some(v) => (redshift_cost_core::units::Money::from_usd(v).usd(), Some(q)),
                    None => (s.total_monthly_usd, None),
                };
            if estimate.is_nan() || estimate > budget {
                breaches.push(BudgetBreach {
                    scenario: s.name.clone(),
                    budget_usd: budget,
                    estimate_usd: estimate,
                    excess_usd: redshift_cost_core::units::Money::from_usd(estimate - budget).usd(),
                    quantile,
                });
            }
        }
        self.budget_breaches = breaches;
    }

    /// Renders the report in `format`.
    pub fn render(&self, format: Format) -> Vec<u8> {
        match format {
            Format::Table => table::render(self),
            Format::Json => json::render(self),
            Format::Markdown => markdown::render(self),
            Format::Csv => csv::render(self),
            Format::Infracost => infracost::render(
                self,
                None,
                &[],
                &chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
        }
    }
}

impl ScenarioReport {
    fn new(e: &ScenarioEstimate, budget_usd: Option<f64>) -> ScenarioReport {
        let component = |l: &redshift_cost_core::model::costs::CostLine| Component {
            component: l.component.clone(),
            kind: l.kind.name(),
            family: l.kind.family(),
            quantity: l.quantity,
            unit: l.unit.to_string(),
            unit_price_usd: l.unit_price.usd,
            monthly_usd: l.cost.usd(),
            price_source: l.price_source().to_string(),
        };
        let comparisons = e.comparisons.iter().map(component).collect();
        let provisioned = e.provisioned.as_ref().map(|p| ProvisionedReport {
            node_type: p.node_type.name().to_string(),
            nodes: p.nodes,
            pricing: p
                .reservation
                .map_or("on-demand".to_string(), |t| t.key().to_string()),
            reserved_discount: p.reserved_discount,
            running_hours: p.running_hours,
            hours_per_day: p.hours_per_day,
            days_per_week: p.days_per_week,
            storage_capacity_gb: p.storage_capacity_gb,
            data_gb: p.data_gb,
            concurrency_scaling_seconds: p.concurrency_scaling.demand_seconds,
            concurrency_scaling_free_seconds: p.concurrency_scaling.free_seconds,
            concurrency_scaling_billed_seconds: p.concurrency_scaling.billed_seconds,
            workload_busy_hours_per_day: p.workload_busy_hours_per_day,
        });
        let components = e.lines.iter().map(component).collect();
        let serverless = e.serverless.as_ref().map(|s| ServerlessReport {
            base_rpu: s.base_rpu,
            max_rpu: s.max_rpu,
            billed_rpu_seconds: s.sim.billed_rpu_seconds.0,
            busy_seconds: s.sim.busy_seconds,
            billed_seconds: s.sim.billed_seconds,
            busy_periods: s.sim.busy_periods,
            peak_rpu: s.sim.peak_rpu,
            jobs: s.sim.jobs,
            latency_p50_s: s.sim.latency_p50_s,
            latency_p95_s: s.sim.latency_p95_s,
            latency_max_s: s.sim.latency_max_s,
            calculator_rpu_seconds: s.sim.calculator_rpu_seconds.0,
            by_class_rpu_seconds: s
                .classes
                .iter()
                .cloned()
                .zip(s.sim.by_class_rpu_seconds.iter().map(|x| x.0))
                .collect(),
            by_class: s
                .classes
                .iter()
                .cloned()
                .zip(
                    s.sim
                        .by_class
                        .iter()
                        .zip(&s.sim.by_class_rpu_seconds)
                        .map(|(c, r)| wire::ClassJson::new(c, r.0)),
                )
                .collect(),
            metering: s.sim.metering.name(),
            rejected: s.sim.by_class.iter().map(|c| c.rejected).sum(),
            usage_limits: wire::UsageLimitJson::of(s),
            usage_limit_trips: s
                .sim
                .usage_limit_trips
                .iter()
                .map(|t| wire::LimitTripJson {
                    limit: t.limit,
                    period_start_s: t.period_start_s,
                    trip_s: t.trip_s,
                })
                .collect(),
            sync_runs: s.zero_etl.as_ref().map(|z| z.sync_runs),
            sync_latency_p95_s: s.zero_etl.as_ref().map(|z| z.sync_latency_p95_s),
            sync_staleness_s: s.zero_etl.as_ref().map(|z| z.sync_staleness_s),
            refresh_seconds: s.zero_etl.as_ref().map(|z| z.refresh_seconds),
            reservation: e.reservation.as_ref().map(wire::ReservationJson::from),
        });
        ScenarioReport {
            name: e.name.clone(),
            region: e.region.clone(),
            period_hours: e.period_hours,
            period_start: e.period_start.to_string(),
            total_monthly_usd: e.total().usd(),
            budget_usd,
            components,
            serverless,
            observed: None,
            deployment: e
                .deployment
                .map(redshift_cost_core::model::figures::Deployment::name),
            provisioned,
            comparison: e.comparison.as_ref().map(wire::ComparisonJson::from),
            comparisons,
            pipelines: e.pipelines.iter().map(wire::PipelineJson::from).collect(),
            notes: e.notes.iter().map(notes::sentence).collect(),
            metering_bills: Vec::new(),
            distribution: None,
        }
    }
}
