//! One scenario's estimate: plan the jobs, simulate the period, price every component.

use super::compare::{compare, Comparison};
use super::costs::{compute_line, snapshot_lines, ComponentKind, CostLine, GB_MONTH};
use super::engine::{simulate, Capacity, EngineError, SimResult};
use super::provisioned::ProvisionedFigures;
use super::surface::{
    apply_reservation, deployments, surface, Context, Deployment, PipelineFigures,
    ReservationFigures,
};
use super::workload::{plan, ClassKind};
use crate::pricing::RegionPrices;
use crate::scenario::Scenario;
use crate::units::{Money, Rpu, RpuSeconds};
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
}

/// Everything estimated for one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioEstimate {
    pub name: String,
    pub region: String,
    pub period_hours: f64,
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
    /// How parts of the bill were modelled, one sentence each.
    pub notes: Vec<String>,
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

/// Estimates `scenario` with `prices` (already resolved for its region, overrides
/// applied), with the bundled book's reservation discounts and regions: see
/// [`estimate_scenario`].
pub fn estimate(
    scenario: &Scenario,
    prices: &RegionPrices,
) -> Result<ScenarioEstimate, EstimateError> {
    estimate_scenario(scenario, prices, &Context::bundled())
}

/// The estimate of `scenario` on its warehouse. With both `[serverless]` and
/// `[provisioned]` the cluster is the alternative: the Serverless workgroup is billed and
/// [`ScenarioEstimate::comparison`] compares it with the cluster.
pub fn estimate_scenario(
    scenario: &Scenario,
    prices: &RegionPrices,
    ctx: &Context<'_>,
) -> Result<ScenarioEstimate, EstimateError> {
    let mut all = estimate_deployments(scenario, prices, ctx)?;
    let mut first = all.remove(0);
    if let Some(alternative) = all.first() {
        first.comparison = Some(compare(&first, alternative));
    }
    Ok(first)
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

/// What an engine error is about, in the scenario's words: the class of the job it
/// names (a workload, the zero-ETL syncs, a pipeline), never a job index.
fn engine_context(
    plan: &super::workload::Plan,
    locations: &crate::scenario::Locations,
    e: &EngineError,
) -> String {
    let class = match e {
        EngineError::Job { class, .. } => Some(*class),
        _ => None,
    };
    match class.and_then(|c| plan.input.classes.get(c).zip(plan.kinds.get(c))) {
        Some((name, super::workload::ClassKind::Workload)) => match locations.workloads.get(name) {
            Some(at) => format!("workload `{name}` ({at}): "),
            None => format!("workload `{name}`: "),
        },
        Some((name, _)) => format!("`{name}`: "),
        None => String::new(),
    }
}

/// Every money figure of `e` is finite and non-negative, or the line that is not.
pub fn check_finite(e: &ScenarioEstimate) -> Result<(), EstimateError> {
    let ok = |v: f64| v.is_finite() && v >= 0.0;
    for l in e.lines.iter().chain(&e.comparisons) {
        let price_ok = ok(l.unit_price.usd);
        if !(ok(l.cost.usd()) && price_ok && l.quantity.is_finite()) {
            return Err(EstimateError::NotFinite {
                scenario: e.name.clone(),
                line: l.component.clone(),
                value: l.cost.usd(),
                quantity: l.quantity,
                price: l.unit_price.usd,
                from_source: !price_ok
                    && l.unit_price.source.kind != crate::pricing::SourceKind::Override,
            });
        }
    }
    let total = e.total().usd();
    if !(total.is_finite() && total >= 0.0) {
        return Err(EstimateError::NotFinite {
            scenario: e.name.clone(),
            line: "total".to_string(),
            value: total,
            quantity: f64::NAN,
            price: f64::NAN,
            from_source: false,
        });
    }
    Ok(())
}

/// Every estimate of `scenario`: one per deployment it has (Serverless first).
pub fn estimate_deployments(
    scenario: &Scenario,
    prices: &RegionPrices,
    ctx: &Context<'_>,
) -> Result<Vec<ScenarioEstimate>, EstimateError> {
    deployments(scenario)
        .into_iter()
        .map(|d| {
            let e = estimate_in(scenario, prices, ctx, d)?;
            check_finite(&e)?;
            Ok(e)
        })
        .collect()
}

/// Estimates `scenario` as `deployment`.
pub fn estimate_in(
    scenario: &Scenario,
    prices: &RegionPrices,
    ctx: &Context<'_>,
    deployment: Option<Deployment>,
) -> Result<ScenarioEstimate, EstimateError> {
    let missing = |what, key| EstimateError::missing_price(scenario, &scenario.region, what, key);
    let mut lines = Vec::new();
    let mut serverless = None;
    let mut reservation = None;

    if let (Some(Deployment::Serverless), Some(sv)) = (deployment, &scenario.serverless) {
        let capacity = Capacity {
            base: sv.base_rpu,
            max: sv.max_rpu,
        };
        let plan = plan(scenario, capacity);
        let sim = simulate(&plan.input).map_err(|source| EstimateError::Engine {
            scenario: scenario.name.clone(),
            context: engine_context(&plan, &scenario.locations, &source),
            source,
        })?;
        let mut rpu_hour_usd = None;
        // A reservation is billed even when nothing runs.
        if !plan.input.classes.is_empty() || scenario.serverless_reservation.is_some() {
            let rpu_hour = prices
                .rpu_hour
                .ok_or_else(|| missing("Serverless RPU-hour", "rpu_hour"))?;
            rpu_hour_usd = Some(rpu_hour);
            for ((name, kind), rpu_seconds) in plan
                .input
                .classes
                .iter()
                .zip(&plan.kinds)
                .zip(&sim.by_class_rpu_seconds)
            {
                let (component, kind) = match kind {
                    ClassKind::Workload => {
                        (format!("compute: {name}"), ComponentKind::ServerlessCompute)
                    }
                    ClassKind::ZeroEtl => (format!("compute: {name}"), ComponentKind::ZeroEtlSync),
                    ClassKind::Spectrum => {
                        (format!("compute: {name}"), ComponentKind::SpectrumCompute)
                    }
                    ClassKind::Pipeline => {
                        (format!("compute: {name}"), ComponentKind::PipelineCompute)
                    }
                };
                lines.push(compute_line(
                    component,
                    kind,
                    RpuSeconds(rpu_seconds.0),
                    rpu_hour,
                ));
            }
        }
        let figures = ServerlessFigures {
            base_rpu: sv.base_rpu,
            max_rpu: sv.max_rpu,
            sim,
            classes: plan.input.classes,
            rpu_hour_usd: rpu_hour_usd.map(|p| p.usd),
        };
        if let Some(rpu_hour) = rpu_hour_usd {
            reservation = apply_reservation(scenario, &figures, rpu_hour, ctx, prices, &mut lines);
        }
        serverless = Some(figures);
    }
    let parts = surface(scenario, prices, ctx, deployment)?;
    lines.extend(parts.lines);
    let dc2 = deployment == Some(Deployment::Provisioned)
        && scenario
            .provisioned
            .as_ref()
            .is_some_and(|p| !p.node_type.is_ra3());

    let storage = &scenario.storage;
    if storage.managed_gb > 0.0 && !dc2 {
        let rms = prices
            .rms_gb_month
            .ok_or_else(|| missing("managed storage (RMS)", "managed_storage_gb_month"))?;
        lines.push(CostLine::new(
            "managed storage".into(),
            ComponentKind::ManagedStorage,
            storage.managed_gb * scenario.period.months(),
            GB_MONTH,
            rms,
        ));
    }
    // Provisioned snapshots (automated + manual, with the DC2 allowance) are surface lines.
    if storage.snapshot_gb > 0.0 && deployment != Some(Deployment::Provisioned) {
        if prices.backup_tiers.is_empty() {
            return Err(missing("backup storage", "backup_gb_month"));
        }
        let months = scenario.period.months();
        for line in snapshot_lines(storage.snapshot_gb, &prices.backup_tiers) {
            // Tiers apply to the GB held; a period other than a month scales the GB-months.
            lines.push(line.scaled(months));
        }
    }

    Ok(ScenarioEstimate {
        name: scenario.name.clone(),
        region: scenario.region.clone(),
        period_hours: scenario.period.hours,
        budget_usd: scenario.budget_usd,
        lines,
        serverless,
        deployment,
        provisioned: parts.provisioned,
        reservation,
        comparisons: parts.comparisons,
        pipelines: parts.pipelines,
        notes: parts.notes,
        comparison: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;
    use std::path::Path;

    #[test]
    fn engine_errors_name_the_workload_and_its_line_never_a_job_index() {
        let text = "name = \"s\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpu = 8\n[[workload]]\nname = \"w\"\nper_day = 2\nduration = \"1m\"\n";
        let s = parse_scenario(text, Path::new("s.toml"), &[], &[])
            .unwrap()
            .scenario;
        let p = plan(
            &s,
            Capacity {
                base: 8.0,
                max: 8.0,
            },
        );
        let e = EngineError::Job {
            index: 1,
            class: 0,
            what: "duration must be finite and > 0",
        };
        let context = engine_context(&p, &s.locations, &e);
        assert_eq!(context, "workload `w` (s.toml:5:1): ");
        assert!(!context.contains("job"));
    }
}
