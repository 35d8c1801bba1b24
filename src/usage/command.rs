//! The `observe` command, and what `estimate` does with scenarios' `[observed]` tables
//! (fetch, `--calibrate`, the modelled-vs-observed comparison).

use super::calibrate::{calibrate, scale_workloads, window_compute, Calibration, ACCEPTABLE};
use super::fetch::{block_on_within, observe, Client, ObservedUsage, UsageError, OBSERVE_DEADLINE};
use super::plan::{ObservedWindow, Target, DEFAULT_DAYS, MAX_DAYS};
use crate::cli::{load_all, resolve_prices, write_output, Error, Exit, Messages, PriceArgs};
use crate::model::figures::ScenarioEstimate;
use crate::pricing::{apply_overrides, PriceBook};
use crate::report::observe::{
    day_list, ComparisonInput, LagReport, ObserveContext, ObserveReport, ObservedComparison,
};
use crate::report::Report;
use crate::scenario::{Loaded, SetArg};
use crate::units::HOURS_PER_MONTH;
use chrono::{NaiveDate, Utc};
use std::collections::HashMap;
use std::path::PathBuf;

/// Output formats of `observe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ObserveFormat {
    /// Tables for terminals.
    Table,
    /// JSON, numbers unrounded.
    Json,
}

/// `redshift-cost observe`.
#[derive(Debug, clap::Args)]
pub struct ObserveArgs {
    /// The Serverless workgroup whose CloudWatch metrics to read.
    #[arg(long, value_name = "NAME", required_unless_present = "cluster")]
    pub workgroup: Option<String>,
    /// The namespace, for DataStorage (found from the workgroup's metrics when left out).
    #[arg(long, value_name = "NAME")]
    pub namespace: Option<String>,
    /// AWS region (default: the standard chain: AWS_REGION, the profile).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Whole UTC days to look back (1 to 455).
    #[arg(long, default_value_t = DEFAULT_DAYS, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_DAYS)))]
    pub days: u32,
    /// The window ends at 00:00 UTC of this date, exclusive (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub end: Option<NaiveDate>,
    /// A zero-ETL integration: IntegrationLag p50 and p95.
    #[arg(long, value_name = "ID")]
    pub integration: Option<String>,
    /// A provisioned cluster: ConcurrencyScalingSeconds and
    /// RedshiftManagedStorageTotalCapacity.
    #[arg(long, value_name = "ID")]
    pub cluster: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ObserveFormat::Table)]
    pub format: ObserveFormat,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub pricing: PriceArgs,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("expected a date like 2026-11-01, found `{s}`"))
}

fn failure(e: UsageError) -> Error {
    if e.is_invalid_input() {
        Error::Input(format!("{e}"))
    } else {
        Error::Failure(anyhow::Error::new(e))
    }
}

/// Runs `observe`.
pub fn run_observe(args: &ObserveArgs, messages: &mut Messages) -> Result<Exit, Error> {
    let now = Utc::now();
    let window = ObservedWindow::days_before(args.end, args.days, now)
        .map_err(|e| Error::Input(e.clone()))?;
    let target = Target {
        workgroup: args.workgroup.clone(),
        namespace: args.namespace.clone(),
        cluster: args.cluster.clone(),
        integration: args.integration.clone(),
    };
    let observed = block_on_within(OBSERVE_DEADLINE, async {
        let client = Client::from_env(args.region.as_deref()).await?;
        observe(&client, &target, window, now).await
    })
    .and_then(|r| r)
    .map_err(failure)?;

    // Priced the way `estimate` prices (`--prices`, cache, live, bundled).
    let resolved = resolve_prices(
        &args.pricing,
        std::slice::from_ref(&observed.region),
        messages,
    )?;
    let prices = resolved.book.region(&observed.region);
    if prices.is_none() {
        messages.warn(format!(
            "the price book has no region `{}`: costs are not shown",
            observed.region
        ));
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
    if let Some(c) = &o.compute {
        if !c.gap_days.is_empty() {
            let days: Vec<String> = c
                .gap_days
                .iter()
                .map(std::string::ToString::to_string)
                .collect();
            messages.warn(format!(
                "{} of {} days have no ComputeSeconds datapoints; they are gaps, not zeros: {}",
                days.len(),
                window.days(),
                day_list(&days)
            ));
        }
    }
    // The observation's notes are part of the report (stdout or --out), not repeated here.
    if let Some(p) = report.price_source.as_deref() {
        messages
            .notes
            .push(format!("prices: {p}, region {}", observed.region));
    }
    let bytes = match args.format {
        ObserveFormat::Table => report.table(),
        ObserveFormat::Json => report.json(),
    };
    write_output(args.out.as_deref(), &bytes)?;
    Ok(Exit::Ok)
}

/// What was observed for one scenario of `estimate`, and the calibration applied to it.
#[derive(Debug, Clone)]
pub struct ScenarioObservation {
    pub observed: ObservedUsage,
    pub calibration: Option<Calibration>,
}

/// Errors that say CloudWatch cannot be used at all in this run (not one scenario's
/// problem): after one, no further scenario is tried.
fn environment_wide(e: &UsageError) -> bool {
    matches!(
        e,
        UsageError::Unreachable(_)
            | UsageError::NoCredentials(_)
            | UsageError::AccessDenied { .. }
            | UsageError::Throttled { .. }
            | UsageError::NoRegion
    )
}

/// For every scenario with `[observed]`: reads CloudWatch and, with `calibrate`, scales the
/// workload durations of `loaded` (which has the `--set` what-ifs applied) by a factor
/// found on the scenario as written. Returns one entry per scenario, in order.
///
/// When CloudWatch cannot be read, estimates go on without the comparison (one warning,
/// exit code unchanged), except under `--calibrate`: a calibrated estimate was asked for
/// and an uncalibrated one would be silently different, so the run fails (exit 1, or 2
/// when the scenario's `[observed]` is at fault).
pub fn observe_scenarios(
    loaded: &mut [Loaded],
    sets: &[SetArg],
    calibrate_flag: bool,
    book: &PriceBook,
    messages: &mut Messages,
) -> Result<Vec<Option<ScenarioObservation>>, Error> {
    let mut out: Vec<Option<ScenarioObservation>> = vec![None; loaded.len()];
    if loaded.iter().all(|l| l.scenario.observed.is_none()) {
        if calibrate_flag {
            messages
                .warn("--calibrate: no scenario has an [observed] table; nothing was calibrated");
        }
        return Ok(out);
    }
    let now = Utc::now();
    let wanted = loaded.len();
    let fetched = block_on_within(OBSERVE_DEADLINE, async {
        let mut clients: HashMap<String, Client> = HashMap::new();
        let mut cache: HashMap<
            (String, Target, ObservedWindow),
            Result<ObservedUsage, UsageError>,
        > = HashMap::new();
        let mut results: Vec<Option<Result<ObservedUsage, UsageError>>> = Vec::new();
        let mut broken: Option<UsageError> = None;
        for l in loaded.iter() {
            let s = &l.scenario;
            let Some(obs) = &s.observed else {
                results.push(None);
                continue;
            };
            if let Some(e) = &broken {
                results.push(Some(Err(e.clone())));
                continue;
            }
            let window = match ObservedWindow::days_before(obs.end, obs.days, now) {
                Ok(w) => w,
                Err(e) => {
                    results.push(Some(Err(UsageError::Window(format!("[observed]: {e}")))));
                    continue;
                }
            };
            let target = Target {
                workgroup: Some(obs.workgroup.clone()),
                namespace: obs.namespace.clone(),
                cluster: None,
                integration: obs.integration_id.clone(),
            };
            let key = (s.region.clone(), target.clone(), window);
            if let Some(r) = cache.get(&key) {
                results.push(Some(r.clone()));
                continue;
            }
            let client = match clients.get(&s.region) {
                Some(c) => Ok(c.clone()),
                None => Client::from_env(Some(&s.region)).await.inspect(|c| {
                    clients.insert(s.region.clone(), c.clone());
                }),
            };
            let r = match client {
                Ok(c) => observe(&c, &target, window, now).await,
                Err(e) => Err(e),
            };
            if let Err(e) = &r {
                if environment_wide(e) {
                    broken = Some(e.clone());
                }
            }
            cache.insert(key, r.clone());
            results.push(Some(r));
        }
        results
    })
    .unwrap_or_else(|e| {
        // The deadline passed (or no runtime): every [observed] table gets that reason.
        loaded
            .iter()
            .take(wanted)
            .map(|l| l.scenario.observed.as_ref().map(|_| Err(e.clone())))
            .collect()
    });

    let mut warned_wide = false;
    for (i, r) in fetched.into_iter().enumerate() {
        let name = loaded[i].scenario.name.clone();
        match r {
            None => {
                if calibrate_flag {
                    messages.warn(format!(
                        "scenario `{name}` has no [observed] table: not calibrated"
                    ));
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
                    messages.warn(format!(
                        "observed usage is not shown: {e}; the estimates are unaffected"
                    ));
                    warned_wide = true;
                }
            }
            Some(Err(e)) => {
                messages.warn(format!(
                    "scenario `{name}`: observed usage is not shown: {e}"
                ));
            }
            Some(Ok(observed)) => {
                messages.notes.extend(
                    observed
                        .observation
                        .notes
                        .iter()
                        .map(|n| format!("scenario `{name}`: {n}")),
                );
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
            let name = l.scenario.name.clone();
            let o = &so.observed.observation;
            let compute = o.compute.as_ref();
            let observed_rpu = compute.map_or(0.0, |c| c.rpu_seconds);
            if let Some(c) = compute.filter(|c| !c.gap_days.is_empty()) {
                messages.warn(format!(
                    "scenario `{name}`: {} of {} observed days have no datapoints; calibration counts them as idle",
                    c.gap_days.len(),
                    o.window.days()
                ));
            }
            // The factor comes from the scenario as written; the what-ifs apply on top.
            let written = if sets.is_empty() {
                l.scenario.clone()
            } else {
                let mut quiet = Messages::default();
                load_all(
                    std::slice::from_ref(&l.scenario.path),
                    &[],
                    book,
                    &mut quiet,
                )?
                .pop()
                .map_or_else(|| l.scenario.clone(), |w| w.scenario)
            };
            let c = calibrate(&written, observed_rpu, o.window.days())
                .map_err(|e| Error::Input(format!("scenario `{name}`: cannot calibrate: {e}")))?;
            if c.residual().abs() > ACCEPTABLE {
                messages.warn(format!(
                    "scenario `{name}`: calibration ended {:+.1} % from the observation",
                    c.residual() * 100.0
                ));
            }
            scale_workloads(&mut l.scenario, c.factor);
            so.calibration = Some(c);
        }
    }
    Ok(out)
}

/// Puts the modelled-vs-observed comparison under each observed scenario of `report`
/// (same order as `estimates` and `loaded`).
pub fn attach_observed(
    report: &mut Report,
    estimates: &[ScenarioEstimate],
    loaded: &[Loaded],
    observations: &[Option<ScenarioObservation>],
    book: &PriceBook,
) {
    for (i, so) in observations.iter().enumerate() {
        let (Some(so), Some(e), Some(l)) = (so, estimates.get(i), loaded.get(i)) else {
            continue;
        };
        let Some(sv) = &e.serverless else { continue };
        let s = &l.scenario;
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
