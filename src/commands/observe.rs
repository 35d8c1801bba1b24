//! `redshift-cost observe`, and what `estimate` does with scenarios' `[observed]` tables
//! (observe through the [`UsageSource`], `--calibrate`, the modelled-vs-observed
//! comparison).

use super::PriceConfig;
use crate::error::{Error, Exit};
use crate::output::{write_output, Messages};
use crate::pipeline::{self, LoadedScenario, Loader, Needs, UsageNeed};
use crate::report::observe::{
    ComparisonInput, LagReport, ObserveContext, ObserveReport, ObservedComparison,
};
use crate::report::Report;
use crate::sources::cloudwatch::fetch::{ObservedUsage, UsageError};
use crate::sources::cloudwatch::plan::{ObservedWindow, Target};
use crate::sources::cloudwatch::{environment_wide, CloudWatch};
use crate::sources::prices::{apply_overrides, PriceBook};
use crate::sources::{AsyncRuntime, UsageRequest, UsageSource};
use chrono::{NaiveDate, Utc};
use redshift_cost_core::calibrate::{
    calibrate, scale_workloads, window_compute, Calibration, ACCEPTABLE,
};
use redshift_cost_core::messages::{RunNote, Warning};
use redshift_cost_core::model::figures::ScenarioEstimate;
use redshift_cost_core::units::HOURS_PER_MONTH;
use std::path::PathBuf;

/// Output formats of `observe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObserveFormat {
    Table,
    Json,
}

#[derive(Debug, Clone)]
pub(crate) struct ObserveConfig {
    pub(crate) workgroup: Option<String>,
    pub(crate) namespace: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) days: u32,
    pub(crate) end: Option<NaiveDate>,
    pub(crate) integration: Option<String>,
    pub(crate) cluster: Option<String>,
    pub(crate) format: ObserveFormat,
    pub(crate) out: Option<PathBuf>,
    pub(crate) prices: PriceConfig,
    /// `--bill`: read Cost Explorer too (alone without a workgroup or cluster).
    pub(crate) bill: bool,
    /// `--cost-tag KEY=VALUE`.
    pub(crate) cost_tag: Option<(String, String)>,
}

fn failure(e: UsageError) -> Error {
    if e.is_invalid_input() {
        Error::Input(format!("{e}"))
    } else {
        Error::Failure(anyhow::Error::new(e))
    }
}

/// Runs `observe`.
pub(crate) fn run(
    c: &ObserveConfig,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    let now = Utc::now();
    let window =
        ObservedWindow::days_before(c.end, c.days, now).map_err(|e| Error::Input(e.clone()))?;
    if c.bill {
        return bill(c, window, runtime, now);
    }
    let request = UsageRequest {
        region: c.region.clone(),
        target: Target {
            workgroup: c.workgroup.clone(),
            namespace: c.namespace.clone(),
            cluster: c.cluster.clone(),
            integration: c.integration.clone(),
        },
        window,
    };
    let usage = CloudWatch { runtime, now };
    let observed = usage
        .observe_all(std::slice::from_ref(&request))
        .pop()
        .unwrap_or_else(|| Err(UsageError::Unreachable("no answer".into())))
        .map_err(failure)?;

    // Priced the way `estimate` prices (`--prices`, cache, live, bundled).
    let needs = Needs {
        regions: vec![observed.region.clone()],
        usage: Vec::new(),
    };
    let resolved = pipeline::resolve(&c.prices.source(runtime), &needs, messages)?;
    let prices = resolved.book.region(&observed.region);
    if prices.is_none() {
        messages.warn(Warning::UnknownRegion {
            region: observed.region.clone(),
        });
    }
    let o = &observed.observation;
    let report = ObserveReport::new(
        o,
        &ObserveContext {
            region: &observed.region,
            workgroup: observed.target.workgroup.as_deref(),
            namespace: observed.target.namespace.as_deref(),
            cluster: observed.target.cluster.as_deref(),
            integration: observed.target.integration.as_deref(),
            prices,
            period_hours: HOURS_PER_MONTH,
        },
    );
    if let Some(compute) = &o.compute {
        if !compute.gap_days.is_empty() {
            messages.warn(Warning::ObservationGaps {
                scenario: None,
                gap_days: compute.gap_days.clone(),
                window_days: window.days(),
            });
        }
    }
    // The observation's notes are part of the report (stdout or --out), not repeated here.
    if let Some(p) = report.price_source.as_deref() {
        messages.note(RunNote::ObservationPrices {
            description: p.to_string(),
            region: observed.region.clone(),
        });
    }
    let bytes = match c.format {
        ObserveFormat::Table => report.table(),
        ObserveFormat::Json => report.json(),
    };
    write_output(c.out.as_deref(), &bytes)?;
    Ok(Exit::Ok)
}

/// `observe --bill`: the bill from Cost Explorer, beside CloudWatch's compute when a
/// workgroup is named.
fn bill(
    c: &ObserveConfig,
    window: ObservedWindow,
    runtime: &AsyncRuntime,
    now: chrono::DateTime<Utc>,
) -> Result<Exit, Error> {
    use crate::report::bill::{BillInput, BillReport};
    use crate::sources::bill::{read, BillRequest};
    let region = match &c.region {
        Some(r) => r.clone(),
        None => std::env::var("AWS_REGION")
            .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
            .map_err(|_| {
                Error::Input(
                    "observe --bill needs the region to filter the bill by: pass --region, or set AWS_REGION"
                        .into(),
                )
            })?,
    };
    let (start, end) = (window.start.date_naive(), window.end.date_naive());
    let request = BillRequest {
        region: region.clone(),
        start,
        end,
        tag: c.cost_tag.clone(),
    };
    let rows = read(runtime, &request).map_err(|e| {
        if e.is_invalid_input() {
            Error::Input(e.to_string())
        } else {
            Error::Failure(anyhow::Error::new(e))
        }
    })?;
    // CloudWatch's compute of the workgroup, over the same days.
    let observed = match &c.workgroup {
        None => None,
        Some(wg) => {
            let request = UsageRequest {
                region: Some(region.clone()),
                target: Target {
                    workgroup: Some(wg.clone()),
                    namespace: c.namespace.clone(),
                    cluster: None,
                    integration: None,
                },
                window,
            };
            let usage = CloudWatch { runtime, now };
            Some(
                usage
                    .observe_all(std::slice::from_ref(&request))
                    .pop()
                    .unwrap_or_else(|| Err(UsageError::Unreachable("no answer".into())))
                    .map_err(failure)?,
            )
        }
    };
    let compute = observed
        .as_ref()
        .and_then(|o| o.observation.compute.as_ref());
    let daily: Vec<(NaiveDate, Option<f64>)> = compute
        .map(|c| c.daily.iter().map(|d| (d.date, d.rpu_hours)).collect())
        .unwrap_or_default();
    let report = BillReport::new(&BillInput {
        region: &region,
        start,
        end,
        tag: c.cost_tag.as_ref(),
        rows: &rows,
        cloudwatch: c
            .workgroup
            .as_deref()
            .map(|wg| (wg, compute.map_or(0.0, |c| c.rpu_seconds), daily.as_slice())),
    });
    let bytes = match c.format {
        ObserveFormat::Table => report.render_table(),
        ObserveFormat::Json => report.render_json(),
    };
    write_output(c.out.as_deref(), &bytes)?;
    Ok(Exit::Ok)
}

/// What was observed for one scenario of `estimate`, and the calibration applied to it.
#[derive(Debug, Clone)]
pub(crate) struct ScenarioObservation {
    pub(crate) observed: ObservedUsage,
    pub(crate) calibration: Option<Calibration>,
}

/// For every scenario with `[observed]`: reads its window through `usage` and, with
/// `calibrate`, scales the workload durations of `loaded` (which has the `--set`
/// what-ifs applied) by a factor found on the scenario as written (its loaded document
/// decoded again without the `--set`s, in memory). Returns one entry per scenario, in
/// order.
///
/// When CloudWatch cannot be read, estimates go on without the comparison (one warning,
/// exit code unchanged), except under `--calibrate`: a calibrated estimate was asked for
/// and an uncalibrated one would be silently different, so the run fails (exit 1, or 2
/// when the scenario's `[observed]` is at fault).
pub(crate) fn observe_scenarios(
    loader: &Loader,
    loaded: &mut [LoadedScenario],
    has_sets: bool,
    calibrate_flag: bool,
    usage: &dyn UsageSource,
    now: chrono::DateTime<Utc>,
    messages: &mut Messages,
) -> Result<Vec<Option<ScenarioObservation>>, Error> {
    let mut out: Vec<Option<ScenarioObservation>> = vec![None; loaded.len()];
    if loaded.iter().all(|l| l.scenario().observed.is_none()) {
        if calibrate_flag {
            messages.warn(Warning::NothingToCalibrate);
        }
        return Ok(out);
    }
    // One request per observed scenario (a bad window is that scenario's error).
    let needs = pipeline::needs_at(loaded.iter().map(LoadedScenario::scenario), now);
    let mut requests = Vec::new();
    let mut slots: Vec<Option<Result<usize, UsageError>>> = Vec::new();
    for need in needs.usage {
        slots.push(match need {
            UsageNeed::None => None,
            UsageNeed::Observe(r) => {
                requests.push(r);
                Some(Ok(requests.len() - 1))
            }
            UsageNeed::Invalid(why) => Some(Err(UsageError::Window(why))),
        });
    }
    let mut answers: Vec<Option<Result<ObservedUsage, UsageError>>> =
        usage.observe_all(&requests).into_iter().map(Some).collect();
    let fetched = slots.into_iter().map(|slot| match slot {
        None => None,
        Some(Err(e)) => Some(Err(e)),
        Some(Ok(i)) => answers[i].take(),
    });

    let mut warned_wide = false;
    for (i, r) in fetched.enumerate() {
        let name = loaded[i].scenario().name.clone();
        match r {
            None => {
                if calibrate_flag {
                    messages.warn(Warning::NotCalibrated { scenario: name });
                }
            }
            Some(Err(e)) if calibrate_flag => {
                let msg = format!("scenario `{name}`: cannot calibrate: {e}");
                return Err(if e.is_invalid_input() {
                    Error::Input(msg.clone())
                } else {
                    Error::Failure(anyhow::anyhow!(msg))
                });
            }
            Some(Err(e)) if environment_wide(&e) => {
                if !warned_wide {
                    messages.warn(Warning::ObservedUsageUnavailable {
                        reason: e.to_string(),
                    });
                    warned_wide = true;
                }
            }
            Some(Err(e)) => {
                messages.warn(Warning::ScenarioObservedUsageUnavailable {
                    scenario: name,
                    reason: e.to_string(),
                });
            }
            Some(Ok(observed)) => {
                for remark in &observed.observation.notes {
                    messages.note(RunNote::Observation {
                        scenario: name.clone(),
                        remark: remark.clone(),
                    });
                }
                out[i] = Some(ScenarioObservation {
                    observed,
                    calibration: None,
                });
            }
        }
    }

    if calibrate_flag {
        for (l, slot) in loaded.iter_mut().zip(out.iter_mut()) {
            let Some(so) = slot else { continue };
            let name = l.scenario().name.clone();
            let o = &so.observed.observation;
            let compute = o.compute.as_ref();
            let observed_rpu = compute.map_or(0.0, |c| c.rpu_seconds);
            if let Some(c) = compute.filter(|c| !c.gap_days.is_empty()) {
                messages.warn(Warning::ObservationGaps {
                    scenario: Some(name.clone()),
                    gap_days: c.gap_days.clone(),
                    window_days: o.window.days(),
                });
            }
            // The factor comes from the scenario as written; the what-ifs apply on top.
            let written = if has_sets {
                loader.decode(&l.document, &[])?.scenario
            } else {
                l.scenario().clone()
            };
            let c = calibrate(&written, observed_rpu, o.window.days())
                .map_err(|e| Error::Input(format!("scenario `{name}`: cannot calibrate: {e}")))?;
            if c.residual().abs() > ACCEPTABLE {
                messages.warn(Warning::CalibrationOff {
                    scenario: name.clone(),
                    residual: c.residual(),
                });
            }
            scale_workloads(&mut l.loaded.scenario, c.factor);
            so.calibration = Some(c);
        }
    }
    Ok(out)
}

/// Puts the modelled-vs-observed comparison under each observed scenario of `report`
/// (same order as `estimates` and `loaded`).
pub(crate) fn attach_observed(
    report: &mut Report,
    estimates: &[ScenarioEstimate],
    loaded: &[LoadedScenario],
    observations: &[Option<ScenarioObservation>],
    book: &PriceBook,
) {
    for (i, so) in observations.iter().enumerate() {
        let (Some(so), Some(e), Some(l)) = (so, estimates.get(i), loaded.get(i)) else {
            continue;
        };
        let Some(sv) = &e.serverless else { continue };
        let s = l.scenario();
        let o = &so.observed.observation;
        let modelled = window_compute(&sv.sim, sv.base_rpu, e.period_hours, o.window.hours());
        let rpu_hour = book
            .region(&s.region)
            .map(|r| apply_overrides(r, &s.prices))
            .and_then(|p| p.rpu_hour)
            .map(|p| p.usd);
        let integration = so.observed.target.integration.as_ref().map(|id| LagReport {
            integration_id: id.clone(),
            lag_p50_s: o.lag.as_ref().and_then(|l| l.p50_s),
            lag_p95_s: o.lag.as_ref().and_then(|l| l.p95_s),
            refresh_interval_s: s.zero_etl.as_ref().map(|z| z.refresh_interval),
        });
        let comparison = ObservedComparison::new(ComparisonInput {
            workgroup: so.observed.target.workgroup.as_deref().unwrap_or_default(),
            namespace: so.observed.target.namespace.as_deref(),
            region: &so.observed.region,
            observation: o,
            modelled,
            period_hours: e.period_hours,
            rpu_hour_usd: rpu_hour,
            calibration: so.calibration.as_ref(),
            integration,
        });
        if let Some(r) = report.scenarios.get_mut(i) {
            r.observed = Some(comparison);
        }
    }
}
