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
    calibrate, fit_metering, scale_workloads, window_compute, Calibration, MeteringFit, ACCEPTABLE,
};
use redshift_cost_core::engine::Metering;
use redshift_cost_core::messages::{RunNote, Warning};
use redshift_cost_core::model::figures::ScenarioEstimate;
use redshift_cost_core::model::timeline::modelled_overhead;
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
    let rows = read(runtime, &request).map_err(super::aws_failure)?;
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

/// Where `[observed]` windows are read: CloudWatch and the bill.
#[derive(Clone, Copy)]
pub(crate) struct ObservedSources<'a> {
    pub(crate) usage: &'a dyn UsageSource,
    pub(crate) bills: &'a dyn crate::sources::BillSource,
}

/// What was observed for one scenario of `estimate`, and the calibration applied to it.
#[derive(Debug, Clone)]
pub(crate) struct ScenarioObservation {
    pub(crate) observed: ObservedUsage,
    pub(crate) calibration: Option<Calibration>,
    /// `[observed] bill = true`: the window's bill.
    pub(crate) bill: Option<Vec<crate::sources::bill::BillRow>>,
    /// Which metering rule the bill's overhead follows, and whether it was set for the
    /// (calibrated) estimate.
    pub(crate) metering: Option<(MeteringFit, bool)>,
}

/// Reads the bill of each observed scenario with `bill = true`; under `--calibrate`, a
/// bill that cannot be read fails the run, else it is a warning.
fn read_bills(
    loaded: &[LoadedScenario],
    out: &mut [Option<ScenarioObservation>],
    bills: &dyn crate::sources::BillSource,
    calibrate_flag: bool,
    messages: &mut Messages,
) -> Result<(), Error> {
    for (l, slot) in loaded.iter().zip(out.iter_mut()) {
        let s = l.scenario();
        let (Some(so), Some(obs)) = (slot.as_mut(), s.observed.as_ref()) else {
            continue;
        };
        if !obs.bill {
            continue;
        }
        let w = so.observed.observation.window;
        let request = crate::sources::bill::BillRequest {
            region: so.observed.region.clone(),
            start: w.start.date_naive(),
            end: w.end.date_naive(),
            tag: obs.cost_tag.clone(),
        };
        match bills.bill(&request) {
            Ok(rows) => so.bill = Some(rows),
            Err(e) if calibrate_flag => {
                return Err(Error::Failure(anyhow::anyhow!(
                    "scenario `{}`: cannot read the bill: {e}",
                    s.name
                )))
            }
            Err(e) => messages.warn(Warning::ScenarioObservedUsageUnavailable {
                scenario: s.name.clone(),
                reason: format!("the bill: {e}"),
            }),
        }
    }
    Ok(())
}

/// The model, CloudWatch and the bill side by side (compute and managed storage; the
/// bill's other lines as they are).
fn bill_comparison(
    rows: &[crate::sources::bill::BillRow],
    c: &ObservedComparison,
    so: &ScenarioObservation,
    s: &redshift_cost_core::scenario::Scenario,
) -> crate::report::observe::BillComparison {
    use crate::report::bill::{BillInput, BillReport};
    use crate::report::observe::{
        BillComparison, BillDayComparison, BillLineComparison, MeteringReport,
    };
    let o = &so.observed.observation;
    let w = o.window;
    let daily: Vec<(NaiveDate, Option<f64>)> = o
        .compute
        .as_ref()
        .map(|c| c.daily.iter().map(|d| (d.date, d.rpu_hours)).collect())
        .unwrap_or_default();
    let bill = BillReport::new(&BillInput {
        region: &so.observed.region,
        start: w.start.date_naive(),
        end: w.end.date_naive(),
        tag: None,
        rows,
        cloudwatch: None,
    });
    let months = w.hours() / HOURS_PER_MONTH;
    let model_rpu_h = c.modelled_billed_rpu_seconds / 3600.0;
    let lines = bill
        .lines
        .iter()
        .map(|l| {
            let (unit, model, cloudwatch) = match l.line {
                "serverless compute" => {
                    ("RPU-hours", Some(model_rpu_h), Some(c.observed_rpu_hours))
                }
                "managed storage" => (
                    "GB-months",
                    Some(s.storage.managed_gb * months),
                    c.storage_gb_avg.map(|g| g * months),
                ),
                _ => ("", None, None),
            };
            BillLineComparison {
                line: l.line,
                unit: if unit.is_empty() { "units" } else { unit },
                model: model.map(|v| (v * 1e6).round() / 1e6),
                cloudwatch: cloudwatch.map(|v| (v * 1e6).round() / 1e6),
                bill: l.quantity,
                bill_usd: l.cost_usd,
            }
        })
        .collect();
    let days_n = f64::from(w.days().max(1));
    let days = bill
        .days
        .iter()
        .map(|d| BillDayComparison {
            date: d.date.clone(),
            model_rpu_hours: (model_rpu_h / days_n * 1e6).round() / 1e6,
            cloudwatch_rpu_hours: daily
                .iter()
                .find(|x| x.0.to_string() == d.date)
                .and_then(|x| x.1),
            bill_rpu_hours: d
                .lines
                .get("serverless compute")
                .map_or(0.0, |a| a.quantity),
            bill_usd: d.cost_usd,
        })
        .collect();
    BillComparison {
        lines,
        days,
        total_usd: bill.total_usd,
        metering: so.metering.map(|(f, set)| MeteringReport {
            observed_overhead: (f.observed * 1e6).round() / 1e6,
            busy_period_overhead: (f.busy_period * 1e6).round() / 1e6,
            per_minute_overhead: (f.per_minute * 1e6).round() / 1e6,
            fits: f.pick.map(Metering::name),
            set,
        }),
    }
}

/// The bill's serverless compute RPU-hours.
fn billed_rpu_hours(rows: &[crate::sources::bill::BillRow]) -> f64 {
    crate::sources::bill::from_nanos(
        rows.iter()
            .filter(|r| crate::sources::bill::line_of(&r.usage_type) == "serverless compute")
            .map(|r| r.quantity)
            .sum(),
    )
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
    sources: ObservedSources<'_>,
    now: chrono::DateTime<Utc>,
    messages: &mut Messages,
) -> Result<Vec<Option<ScenarioObservation>>, Error> {
    let ObservedSources { usage, bills } = sources;
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
                    bill: None,
                    metering: None,
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
    read_bills(loaded, &mut out, bills, calibrate_flag, messages)?;
    // Which metering rule the bill follows: its RPU-hours over CloudWatch's (what ran)
    // against each rule's modelled overhead; under --calibrate the rule is set.
    for (l, slot) in loaded.iter_mut().zip(out.iter_mut()) {
        let Some(so) = slot.as_mut() else { continue };
        let Some(rows) = &so.bill else { continue };
        let ran = so
            .observed
            .observation
            .compute
            .as_ref()
            .map_or(0.0, |c| c.rpu_seconds / 3600.0);
        let billed = billed_rpu_hours(rows);
        let s = l.scenario();
        let overhead = |rule| modelled_overhead(s, rule).ok().flatten();
        let (Some(bp), Some(pm)) = (
            overhead(Metering::BusyPeriod),
            overhead(Metering::PerMinute),
        ) else {
            continue;
        };
        if ran <= 0.0 || billed <= 0.0 {
            continue;
        }
        let fit = fit_metering(billed / ran, bp, pm);
        let apply = calibrate_flag && fit.pick.is_some();
        if let (true, Some(rule), Some(sv)) =
            (apply, fit.pick, l.loaded.scenario.serverless.as_mut())
        {
            sv.metering = rule;
        }
        so.metering = Some((fit, apply));
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
        let mut comparison = ObservedComparison::new(ComparisonInput {
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
        if let Some(rows) = &so.bill {
            comparison.bill = Some(bill_comparison(rows, &comparison, so, s));
        }
        if let Some(r) = report.scenarios.get_mut(i) {
            r.observed = Some(comparison);
        }
    }
}
