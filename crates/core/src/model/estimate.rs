//! One scenario's estimate: plan the jobs, simulate the period, price every component.

use super::compare::compare;
use super::costs::{compute_line, snapshot_lines, ComponentKind, CostLine, GB_MONTH};
use super::data_sharing::add_data_sharing;
use super::figures::{
    Deployment, EstimateError, Parts, ScenarioEstimate, ServerlessFigures, ZeroEtlFigures,
};
use super::ml::add_ml;
use super::notes::Note;
use super::pipelines::add_pipelines;
use super::provisioned::add_provisioned;
use super::reservations::apply_reservation;
use super::snapshots::{add_snapshot_copy, add_snapshots};
use super::spectrum::add_spectrum;
use super::workload::{plan, ClassKind, JobPlan};
use crate::engine::{simulate_with, Capacity, EngineError, RunMemo, SimOptions};
use crate::prices::{PriceKey, PriceSheet, SourceKind};
use crate::scenario::{Locations, Scenario};
use crate::units::RpuSeconds;

/// The deployments a scenario is estimated as: each of `[serverless]` and
/// `[provisioned]` it has (both: two alternatives), or none (storage only).
pub fn deployments(scenario: &Scenario) -> Vec<Option<Deployment>> {
    let mut out = Vec::new();
    if scenario.serverless.is_some() {
        out.push(Some(Deployment::Serverless));
    }
    if scenario.provisioned.is_some() {
        out.push(Some(Deployment::Provisioned));
    }
    if out.is_empty() {
        out.push(None);
    }
    out
}

/// The estimate of `scenario` on its warehouse. With both `[serverless]` and
/// `[provisioned]` the cluster is the alternative: the Serverless workgroup is billed and
/// [`ScenarioEstimate::comparison`] compares it with the cluster.
pub fn estimate_scenario(
    scenario: &Scenario,
    sheet: &PriceSheet,
) -> Result<ScenarioEstimate, EstimateError> {
    estimate_scenario_with(scenario, sheet, None)
}

/// [`estimate_scenario`], taking Serverless runs from `memo` where it holds them (the
/// points of a sweep or plan share one; see [`RunMemo`]).
pub fn estimate_scenario_with(
    scenario: &Scenario,
    sheet: &PriceSheet,
    memo: Option<&RunMemo>,
) -> Result<ScenarioEstimate, EstimateError> {
    estimate_scenario_bounded(scenario, sheet, memo, None)
}

/// [`estimate_scenario_with`], the Serverless run stopped (an
/// [`EngineError::Stopped`] error) once it bills more than `stop_above` RPU-seconds.
pub fn estimate_scenario_bounded(
    scenario: &Scenario,
    sheet: &PriceSheet,
    memo: Option<&RunMemo>,
    stop_above: Option<f64>,
) -> Result<ScenarioEstimate, EstimateError> {
    let mut all = estimate_deployments_with(scenario, sheet, memo, stop_above)?;
    let mut first = all.remove(0);
    if let Some(alternative) = all.first() {
        first.comparison = Some(compare(&first, alternative));
    }
    Ok(first)
}

/// The zero-ETL `sync_duration` when a scenario leaves it out.
pub const DEFAULT_SYNC_SECONDS: crate::units::Seconds = 60.0;

/// What a Serverless estimate states every time: how the refreshes were modelled, the
/// metering rule, where times of day were read, and what a deactivate limit spares.
fn serverless_notes(
    scenario: &Scenario,
    sv: &crate::scenario::Serverless,
    zero_etl: Option<&ZeroEtlFigures>,
    notes: &mut Vec<Note>,
) {
    if let Some(z) = zero_etl {
        if z.refresh_interval_s > 0.0 {
            notes.push(Note::ZeroEtlRefresh {
                refresh_interval_s: z.refresh_interval_s,
                sync_duration_s: z.sync_duration_s,
                sync_duration_default: z.sync_duration_default,
                change: z.change,
                refresh_seconds: z.refresh_seconds,
                sync_rpu: z.sync_rpu,
                sync_runs: z.sync_runs,
                staleness_s: z.sync_staleness_s,
            });
        } else {
            notes.push(Note::ContinuousReplication {
                sync_rpu: z.sync_rpu,
            });
        }
    }
    notes.push(Note::Metering { rule: sv.metering });
    let generated = scenario
        .workloads
        .iter()
        .any(|w| matches!(w.source, crate::scenario::WorkloadSource::Arrivals(_)));
    if generated {
        notes.push(Note::TimeZone {
            name: scenario.timezone.map(chrono_tz::Tz::name),
        });
    }
    let deactivates = sv
        .usage_limits
        .iter()
        .any(|l| l.action == crate::engine::BreachAction::Deactivate);
    if deactivates && scenario.zero_etl.is_some() {
        notes.push(Note::LimitsSpareSyncs);
    }
}

/// What an engine error is about, in the scenario's words: the class of the job it
/// names (a workload, the zero-ETL syncs, a pipeline), never a job index.
pub fn engine_context(plan: &JobPlan, locations: &Locations, e: &EngineError) -> String {
    let class = match e {
        EngineError::Job { class, .. } => Some(*class),
        _ => None,
    };
    match class.and_then(|c| plan.input.classes.get(c).zip(plan.kinds.get(c))) {
        Some((name, ClassKind::Workload)) => match locations.workloads.get(name) {
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
                from_source: !price_ok && l.unit_price.source.kind != SourceKind::Override,
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
    sheet: &PriceSheet,
) -> Result<Vec<ScenarioEstimate>, EstimateError> {
    estimate_deployments_with(scenario, sheet, None, None)
}

fn estimate_deployments_with(
    scenario: &Scenario,
    sheet: &PriceSheet,
    memo: Option<&RunMemo>,
    stop_above: Option<f64>,
) -> Result<Vec<ScenarioEstimate>, EstimateError> {
    deployments(scenario)
        .into_iter()
        .map(|d| {
            let e = estimate_in_with(scenario, sheet, d, memo, stop_above)?;
            check_finite(&e)?;
            Ok(e)
        })
        .collect()
}

/// Estimates `scenario` as `deployment`.
pub fn estimate_in(
    scenario: &Scenario,
    sheet: &PriceSheet,
    deployment: Option<Deployment>,
) -> Result<ScenarioEstimate, EstimateError> {
    estimate_in_with(scenario, sheet, deployment, None, None)
}

fn estimate_in_with(
    scenario: &Scenario,
    sheet: &PriceSheet,
    deployment: Option<Deployment>,
    memo: Option<&RunMemo>,
    stop_above: Option<f64>,
) -> Result<ScenarioEstimate, EstimateError> {
    let prices = &sheet.prices;
    let missing = |what, key| EstimateError::missing_price(scenario, &scenario.region, what, key);
    let mut lines = Vec::new();
    let mut serverless = None;
    let mut reservation = None;
    let mut notes = Vec::new();
    if !scenario.uncertain.is_empty() {
        notes.push(Note::RangesAtMedian {
            inputs: scenario
                .uncertain
                .iter()
                .map(|u| (u.name.clone(), u.range.p5, u.range.p95))
                .collect(),
        });
    }

    if let (Some(Deployment::Serverless), Some(sv)) = (deployment, &scenario.serverless) {
        let capacity = Capacity {
            base: sv.base_rpu,
            max: sv.max_rpu,
        };
        let plan = plan(scenario, capacity);
        let options = SimOptions {
            stop_above_rpu_seconds: stop_above,
            ..SimOptions::default()
        };
        let sim = match memo {
            Some(memo) => memo.simulate_with(&plan.input, &options),
            None => simulate_with(&plan.input, &options),
        }
        .map_err(|source| EstimateError::Engine {
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
        let zero_etl = scenario.zero_etl.as_ref().map(|z| {
            let sync = plan
                .kinds
                .iter()
                .position(|k| *k == ClassKind::ZeroEtl)
                .and_then(|i| sim.by_class.get(i))
                .copied()
                .unwrap_or_default();
            let r = z.refresh_interval;
            ZeroEtlFigures {
                refresh_interval_s: r,
                sync_duration_s: z.sync_duration,
                sync_duration_default: z.sync_duration == DEFAULT_SYNC_SECONDS
                    && z.change.is_none(),
                change: z.change,
                refresh_seconds: z.refresh_seconds(),
                sync_rpu: z.sync_rpu.unwrap_or(sv.base_rpu),
                sync_runs: sync.jobs,
                sync_latency_p95_s: sync.latency_p95_s,
                sync_latency_max_s: sync.latency_max_s,
                sync_staleness_s: if r > 0.0 { r + sync.latency_max_s } else { 0.0 },
            }
        });
        serverless_notes(scenario, sv, zero_etl.as_ref(), &mut notes);
        let figures = ServerlessFigures {
            base_rpu: sv.base_rpu,
            max_rpu: sv.max_rpu,
            sim,
            classes: plan.input.classes,
            rpu_hour_usd: rpu_hour_usd.map(|p| p.usd),
            usage_limits: sv.usage_limits.clone(),
            zero_etl,
        };
        if let Some(rpu_hour) = rpu_hour_usd {
            reservation = apply_reservation(scenario, &figures, rpu_hour, sheet, &mut lines);
        }
        serverless = Some(figures);
    }
    let mut parts = Parts::default();
    if deployment == Some(Deployment::Provisioned) {
        add_provisioned(scenario, sheet, &mut parts)?;
    }
    add_spectrum(scenario, sheet, deployment, &mut parts)?;
    add_snapshots(scenario, sheet, deployment, &mut parts)?;
    add_snapshot_copy(scenario, sheet, deployment, &mut parts)?;
    add_data_sharing(scenario, sheet, &mut parts)?;
    add_ml(scenario, sheet, &mut parts)?;
    add_pipelines(scenario, sheet, deployment, &mut parts)?;
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
            PriceKey::RmsGbMonth,
            rms,
        ));
    }
    // Provisioned snapshots (automated + manual, with the DC2 allowance) are
    // `add_snapshots` lines.
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
        period_start: scenario.period.start,
        budget_usd: scenario.budget_usd,
        lines,
        serverless,
        deployment,
        provisioned: parts.provisioned,
        reservation,
        comparisons: parts.comparisons,
        pipelines: parts.pipelines,
        notes: {
            notes.extend(parts.notes);
            notes
        },
        comparison: None,
    })
}
