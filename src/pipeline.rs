//! The one flow of every command: **load** (the only reads of scenario files and traces,
//! once) → **decode** with `--set` → **needs** (the regions to price, as data) →
//! **resolve** through a [`PriceSource`] (and a [`UsageSource`] for `[observed]`) →
//! **estimate** with `redshift_cost_core` → the report **document**.
//!
//! Repeated runs (a sweep's points, a calibration's scenario as written) decode the
//! loaded [`Document`] again in memory with other overrides: no text is re-read or
//! re-parsed, and a trace is read once per run ([`TraceCache`]).

use crate::error::{Error, Exit};
use crate::output::Messages;
use crate::report::Report;
use crate::scenario::{Document, Limits, Loaded, Scenario, ScenarioError, SetArg, TraceCache};
use crate::sources::cloudwatch::plan::{ObservedWindow, Target};
use crate::sources::prices::bundled::bundled;
use crate::sources::prices::price_sheet;
use crate::sources::prices::resolve::Resolved;
use crate::sources::{PriceSource, UsageRequest};
use rayon::prelude::*;
use redshift_cost_core::engine::RunMemo;
use redshift_cost_core::messages::{RunNote, Warning};
use redshift_cost_core::model::estimate::estimate_scenario_with;
use redshift_cost_core::model::figures::{EstimateError, ScenarioEstimate};
use redshift_cost_core::prices::{PriceBook, PriceKey, PriceSheet, Provenance, SourceKind};
use redshift_cost_core::sweep::{summarize, Point};
use redshift_cost_core::uncertainty::{draw, Distribution, RunFigures};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The scenario files of a run and how they are decoded.
#[derive(Debug, Clone, Default)]
pub struct ScenarioInputs {
    /// As given: files, or directories of `*.toml` files.
    pub paths: Vec<PathBuf>,
    /// `--set` overrides, applied to every scenario.
    pub sets: Vec<SetArg>,
    pub limits: Limits,
}

/// Step 1 for a command: expands `inputs`' directories, then reads and decodes every
/// scenario (checked against the bundled book's regions). The loader is kept for
/// decoding again.
pub fn load(
    inputs: &ScenarioInputs,
    messages: &mut Messages,
) -> Result<(Loader, Vec<LoadedScenario>), Error> {
    let paths = expand_scenario_paths(&inputs.paths)?;
    let loader = Loader::new(bundled(), inputs.limits);
    let loaded = loader.load(&paths, &inputs.sets, messages)?;
    // Reports, diffs and baselines match scenarios by name.
    for (i, a) in loaded.iter().enumerate() {
        if let Some(b) = loaded[..i]
            .iter()
            .find(|b| b.scenario().name == a.scenario().name)
        {
            return Err(Error::Input(format!(
                "{} and {} are both named `{}`: reports, diffs and baselines match scenarios by name, so each needs its own",
                b.document.path().display(),
                a.document.path().display(),
                a.scenario().name
            )));
        }
    }
    Ok((loader, loaded))
}

/// Steps 3 and 4 for loaded scenarios: their needs, resolved through `source`.
pub fn resolve_loaded(
    loaded: &[LoadedScenario],
    source: &dyn PriceSource,
    messages: &mut Messages,
) -> Result<Resolved, Error> {
    resolve(
        source,
        &needs(loaded.iter().map(LoadedScenario::scenario)),
        messages,
    )
}

/// A scenario as loaded: its parsed document (to decode again) and the scenario decoded
/// with the run's `--set`s.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    pub document: Document,
    pub loaded: Loaded,
}

impl LoadedScenario {
    pub fn scenario(&self) -> &Scenario {
        &self.loaded.scenario
    }
}

/// What a run has read, kept for decoding again.
#[derive(Debug, Default)]
pub struct Loader {
    /// The region codes and location names scenarios are checked against.
    pub regions: Vec<(String, String)>,
    pub limits: Limits,
    pub traces: TraceCache,
}

impl Loader {
    /// A loader that checks regions against `book`'s.
    pub fn new(book: &PriceBook, limits: Limits) -> Loader {
        Loader {
            regions: known_regions(book),
            limits,
            traces: TraceCache::default(),
        }
    }

    /// Reads and decodes every scenario; all files' errors are reported together, and
    /// their warnings go to `messages`.
    pub fn load(
        &self,
        paths: &[PathBuf],
        sets: &[SetArg],
        messages: &mut Messages,
    ) -> Result<Vec<LoadedScenario>, Error> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            match Document::read(path).and_then(|d| {
                let loaded = d.decode(sets, &self.regions, &self.limits, &self.traces)?;
                Ok(LoadedScenario {
                    document: d,
                    loaded,
                })
            }) {
                Ok(l) => out.push(l),
                // Missing, or not a regular file / too large: the input's fault (exit 2).
                Err(e @ ScenarioError::Io { .. })
                    if !path.exists()
                        || matches!(&e, ScenarioError::Io { source, .. }
                            if source.kind() == std::io::ErrorKind::InvalidInput) =>
                {
                    errors.push(e.to_string());
                }
                Err(ScenarioError::Io { path, source }) => {
                    return Err(Error::Failure(
                        anyhow::Error::new(source)
                            .context(format!("cannot read scenario file {}", path.display())),
                    ))
                }
                Err(e) => errors.push(e.to_string()),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Diagnostics(errors.join("\n\n")));
        }
        for l in &out {
            warn_loaded(&l.loaded, messages);
        }
        Ok(out)
    }

    /// `document` decoded again with `sets` (a sweep point, the scenario as written):
    /// in memory, its traces as already read.
    pub fn decode(&self, document: &Document, sets: &[SetArg]) -> Result<Loaded, Error> {
        document
            .decode(sets, &self.regions, &self.limits, &self.traces)
            .map_err(|e| Error::Diagnostics(e.to_string()))
    }
}

/// The loader's warnings of `loaded`, for the printer.
pub fn warn_loaded(loaded: &Loaded, messages: &mut Messages) {
    for w in &loaded.warnings {
        messages.warn(Warning::Scenario { located: w.clone() });
    }
}

/// Expands directories into their `*.toml` files (sorted); files pass through.
pub fn expand_scenario_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| {
                    Error::Failure(
                        anyhow::Error::new(e)
                            .context(format!("cannot read directory {}", p.display())),
                    )
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "toml") && f.is_file())
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(Error::Input(format!(
                    "directory `{}` has no *.toml scenario files",
                    p.display()
                )));
            }
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The (code, location) pairs scenario validation checks `region` against.
pub fn known_regions(book: &PriceBook) -> Vec<(String, String)> {
    book.regions
        .values()
        .map(|r| (r.region.clone(), r.location.clone()))
        .collect()
}

/// What a run must resolve before it can estimate, as data: the regions to price, once
/// each, in the order the scenarios name them, and what each scenario's `[observed]`
/// table asks CloudWatch for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub regions: Vec<String>,
    /// One entry per scenario, in order.
    pub usage: Vec<UsageNeed>,
}

/// What one scenario needs of observed usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageNeed {
    /// No `[observed]` table.
    None,
    /// Its window of its workgroup's metrics, in its region.
    Observe(UsageRequest),
    /// An `[observed]` window that cannot be (ends in the future, too long ago).
    Invalid(String),
}

/// The needs of `scenarios`, their `[observed]` windows counted back from `now`.
pub fn needs<'a>(scenarios: impl IntoIterator<Item = &'a Scenario>) -> Needs {
    needs_at(scenarios, chrono::Utc::now())
}

/// [`needs`] at `now`.
pub fn needs_at<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    now: chrono::DateTime<chrono::Utc>,
) -> Needs {
    let mut out = Needs::default();
    for s in scenarios {
        if !out.regions.contains(&s.region) {
            out.regions.push(s.region.clone());
        }
        out.usage.push(match &s.observed {
            None => UsageNeed::None,
            Some(obs) => match ObservedWindow::days_before(obs.end, obs.days, now) {
                Ok(window) => UsageNeed::Observe(UsageRequest {
                    region: Some(s.region.clone()),
                    target: Target {
                        workgroup: Some(obs.workgroup.clone()),
                        namespace: obs.namespace.clone(),
                        cluster: None,
                        integration: obs.integration_id.clone(),
                    },
                    window,
                }),
                Err(e) => UsageNeed::Invalid(format!("[observed]: {e}")),
            },
        });
    }
    out
}

/// Resolves the prices of `needs` through `source`; its warnings go to `messages`.
///
/// # Errors
/// `Failure` (exit 1) when live prices were required and could not be fetched.
pub fn resolve(
    source: &dyn PriceSource,
    needs: &Needs,
    messages: &mut Messages,
) -> Result<Resolved, Error> {
    let resolved = source
        .resolve(&needs.regions)
        .map_err(|e| Error::Failure(anyhow::Error::msg(e.to_string())))?;
    for w in &resolved.warnings {
        messages.warn(w.clone());
    }
    Ok(resolved)
}

/// Prices and simulates one scenario with `book`.
pub fn estimate_one(s: &Scenario, book: &PriceBook) -> Result<ScenarioEstimate, Error> {
    estimate_one_with(s, book, None)
}

/// The prices of `s`'s region in `book`, with its overrides.
pub fn sheet_for(book: &PriceBook, s: &Scenario) -> Result<PriceSheet, Error> {
    price_sheet(book, s)
        .ok_or_else(|| Error::Input(format!("the price book has no region `{}`", s.region)))
}

/// An estimate's error as the run's: a price source's price that is not a number is a
/// failure (not the input's fault), anything else the input's.
pub fn estimate_error(e: EstimateError) -> Error {
    match e {
        EstimateError::NotFinite {
            from_source: true, ..
        } => Error::Failure(anyhow::anyhow!("{e}")),
        e => Error::Input(format!("{e}")),
    }
}

/// [`estimate_one`], sharing runs through `memo` (repeated runs over one scenario).
pub fn estimate_one_with(
    s: &Scenario,
    book: &PriceBook,
    memo: Option<&RunMemo>,
) -> Result<ScenarioEstimate, Error> {
    estimate_scenario_with(s, &sheet_for(book, s)?, memo).map_err(estimate_error)
}

/// Prices and simulates every scenario with `book`.
pub fn estimate<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    book: &PriceBook,
) -> Result<Vec<ScenarioEstimate>, Error> {
    scenarios
        .into_iter()
        .map(|s| estimate_one(s, book))
        .collect()
}

/// What one Monte Carlo run gives: the total, each line, each query class's p95.
pub fn run_figures(e: &ScenarioEstimate) -> RunFigures {
    use redshift_cost_core::model::workload::ZERO_ETL_CLASS;
    RunFigures {
        total_usd: e.total().usd(),
        lines: e
            .lines
            .iter()
            .map(|l| (l.component.clone(), l.cost.usd()))
            .collect(),
        latency_p95_s: e
            .serverless
            .as_ref()
            .map(|sv| {
                sv.classes
                    .iter()
                    .zip(&sv.sim.by_class)
                    .filter(|(name, c)| *name != ZERO_ETL_CLASS && c.jobs + c.rejected > 0)
                    .map(|(name, c)| (name.clone(), c.latency_p95_s))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// `--runs N`: N runs of `scenario`, run `k` with its ranges drawn and its seeds mixed
/// from the scenario's `seed` and `k` (redshift_cost_core::uncertainty), estimated in
/// parallel on the current rayon pool in memory. The runs are gathered in run order, so
/// the distribution is the same for any number of threads. `None` for 0 runs.
pub fn estimate_runs(
    scenario: &Scenario,
    book: &PriceBook,
    runs: usize,
) -> Result<Option<Distribution>, Error> {
    let sheet = sheet_for(book, scenario)?;
    let results: Vec<Result<(RunFigures, Vec<f64>), Error>> = (0..runs as u64)
        .into_par_iter()
        .map(|k| {
            let (s, drawn) = draw(scenario, k);
            let e =
                estimate_scenario_with(&s, &sheet, None).map_err(|e| match estimate_error(e) {
                    Error::Input(msg) => {
                        Error::Input(format!("run {k} of scenario `{}`: {msg}", scenario.name))
                    }
                    other => other,
                })?;
            Ok((run_figures(&e), drawn))
        })
        .collect();
    let mut figures = Vec::with_capacity(runs);
    let mut drawn = Vec::with_capacity(runs);
    for r in results {
        let (f, d) = r?;
        figures.push(f);
        drawn.push(d);
    }
    Ok(redshift_cost_core::uncertainty::summarize(
        scenario, &figures, &drawn,
    ))
}

/// `--runs`: each scenario's runs, attached to `report` (budgets at `budget_quantile`).
pub fn attach_runs<'a>(
    report: &mut Report,
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    book: &PriceBook,
    runs: usize,
    budget_quantile: Option<f64>,
) -> Result<(), Error> {
    let distributions = scenarios
        .into_iter()
        .map(|s| estimate_runs(s, book, runs))
        .collect::<Result<Vec<_>, Error>>()?;
    report.attach_distributions(&distributions, budget_quantile);
    Ok(())
}

/// One month of a forecast: its scenario's estimate and, with runs, its spread.
pub struct ForecastMonth {
    /// 1-based.
    pub month: u32,
    pub scenario: Scenario,
    pub estimate: ScenarioEstimate,
    pub distribution: Option<Distribution>,
}

/// `forecast`: months 1 to `months` of `scenario` under its `[growth]` (none: every
/// month as the first), each estimated in memory, in parallel, and with `runs` Monte
/// Carlo runs each. The months of a forecast ask for more jobs as the workloads grow:
/// the last is checked against `max_jobs` before anything runs.
pub fn forecast(
    scenario: &Scenario,
    book: &PriceBook,
    months: u32,
    runs: Option<usize>,
    max_jobs: u64,
) -> Result<Vec<ForecastMonth>, Error> {
    use redshift_cost_core::forecast::month_scenario;
    use redshift_cost_core::scenario::job_counts;
    let growth = scenario.growth.clone().unwrap_or_default();
    let last = month_scenario(scenario, &growth, months);
    let jobs: f64 = job_counts(&last).iter().map(|(_, n)| n).sum();
    if jobs > max_jobs as f64 {
        return Err(Error::Input(format!(
            "scenario `{}`: by month {months} its growth asks for about {:.0} jobs a month, more than the limit of {max_jobs}; forecast fewer months, lower the growth, or raise --max-jobs",
            scenario.name, jobs
        )));
    }
    (1..=months)
        .into_par_iter()
        .map(|m| {
            let s = month_scenario(scenario, &growth, m);
            let estimate = estimate_one(&s, book)?;
            let distribution = match runs {
                Some(n) => estimate_runs(&s, book, n)?,
                None => None,
            };
            Ok(ForecastMonth {
                month: m,
                scenario: s,
                estimate,
                distribution,
            })
        })
        .collect()
}

/// Says once which prices were used and their dates: as a note, unless a fallback
/// warning (which names the prices and their date) has said it already.
pub fn note_prices(messages: &mut Messages, resolved: &Resolved, estimates: &[ScenarioEstimate]) {
    if resolved.warnings.is_empty() {
        messages.note(price_note(resolved, estimates));
    }
}

/// The one note that says which prices were used and their dates.
pub fn price_note(resolved: &Resolved, estimates: &[ScenarioEstimate]) -> RunNote {
    let mut used: BTreeMap<Provenance, usize> = BTreeMap::new();
    for line in estimates.iter().flat_map(|e| &e.lines) {
        *used.entry(line.price_source()).or_default() += 1;
    }
    RunNote::Prices {
        description: resolved.describe(),
        lines_by_source: Some(used.into_iter().collect()),
    }
}

/// One warning per scenario region whose cost lines used bundled prices because the
/// live (or cached) answer lacked them: each line names the key of its price, which is
/// looked up in the region's fallback keys, so every kind of cost line is covered.
pub fn warn_fallbacks(
    resolved: &Resolved,
    estimates: &[ScenarioEstimate],
    messages: &mut Messages,
) {
    for e in estimates {
        let Some(source) = resolved.sources.get(&e.region) else {
            continue;
        };
        if source.fallback.is_empty() {
            continue;
        }
        let mut used: Vec<PriceKey> = Vec::new();
        for line in &e.lines {
            if line.price_region.is_some()
                || !matches!(
                    line.price_source().kind,
                    SourceKind::Bundled | SourceKind::BundledUnverified
                )
            {
                continue;
            }
            let key = &line.price_key;
            if source.fallback.contains(key) && !used.contains(key) {
                used.push(key.clone());
            }
        }
        if let Some(w) = resolved.fallback_warning(&e.region, &used) {
            messages.warn(w);
        }
    }
}

/// Exit 3 (after the output is written) when any scenario is over budget, each breach
/// a warning.
pub fn budget_exit(report: &Report, messages: &mut Messages) -> Exit {
    for b in &report.budget_breaches {
        messages.warn(Warning::OverBudget {
            scenario: b.scenario.clone(),
            budget_usd: b.budget_usd,
            estimate_usd: b.estimate_usd,
            excess_usd: b.excess_usd,
        });
    }
    if report.budget_breaches.is_empty() {
        Exit::Ok
    } else {
        Exit::OverBudget
    }
}

/// A sweep's points evaluated: each point is the loaded document decoded again with the
/// base `--set`s and the point's values (in memory, the traces as read), estimated with
/// `book`; in parallel on `threads` threads, results in grid order whatever the thread
/// count. `progress` is called once per finished point. Runs are kept in `memo`:
/// points that differ only in max RPU share the runs that never reached it, and the
/// caller may estimate more with it.
#[allow(clippy::too_many_arguments)] // the sweep's inputs, each named at the call
pub fn sweep_points(
    loader: &Loader,
    document: &Document,
    base_sets: &[SetArg],
    points: &[Vec<(String, String)>],
    book: &PriceBook,
    threads: usize,
    progress: &(dyn Fn() + Sync),
    memo: &RunMemo,
) -> Result<Vec<(Loaded, Point)>, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Failure(anyhow::anyhow!("cannot start the sweep's threads: {e}")))?;
    let results: Vec<Result<(Loaded, Point), Error>> = pool.install(|| {
        points
            .par_iter()
            .map(|point| {
                let mut sets = base_sets.to_vec();
                for (path, value) in point {
                    sets.push(point_set(path, value)?);
                }
                let loaded = loader.decode(document, &sets)?;
                let estimate = estimate_one_with(&loaded.scenario, book, Some(memo))?;
                let interval = loaded
                    .scenario
                    .zero_etl
                    .as_ref()
                    .map(|z| z.refresh_interval);
                progress();
                let summary = summarize(point.clone(), &estimate, interval);
                Ok((loaded, summary))
            })
            .collect()
    });
    results.into_iter().collect()
}

/// `plan`'s evaluation: candidates estimated in memory, in parallel.
mod planning {
    use crate::error::Error;
    use rayon::prelude::*;
    use redshift_cost_core::engine::{BreachAction, EngineError, RunMemo};
    use redshift_cost_core::model::costs::RPU_HOUR;
    use redshift_cost_core::model::estimate::estimate_scenario_bounded;
    use redshift_cost_core::model::figures::EstimateError;
    use redshift_cost_core::model::figures::ScenarioEstimate;
    use redshift_cost_core::plan::{
        apply, relaxed, search, Cache, Candidate, Outcome, SearchResult, Space, Stat, Target,
        TargetKey, TargetPrice,
    };
    use redshift_cost_core::prices::PriceBook;
    use redshift_cost_core::scenario::Scenario;

    /// A candidate's outcome from its estimate.
    fn plan_outcome(c: Candidate, e: &ScenarioEstimate, targets: &[Target]) -> Outcome {
        let compute: f64 = e
            .lines
            .iter()
            .filter(|l| l.unit == RPU_HOUR)
            .map(|l| l.cost.usd())
            .sum();
        let total = e.total().usd();
        let fixed = total - compute;
        let (best_compute, reserved, discount) = match &e.reservation {
            Some(r) if r.suggested_reserved_rpu > 0.0 && r.suggested_compute_usd < compute => (
                r.suggested_compute_usd,
                Some(r.suggested_reserved_rpu),
                r.discount,
            ),
            Some(r) => (compute, None, r.discount),
            None => (compute, None, 0.0),
        };
        let sv = e.serverless.as_ref();
        let figures = |name: &str| {
            sv.and_then(|s| s.class(name).and_then(|i| s.sim.by_class.get(i)))
                .copied()
                .unwrap_or_default()
        };
        let stat = |f: [f64; 3], s: Stat| match s {
            Stat::P50 => f[0],
            Stat::P95 => f[1],
            Stat::Max => f[2],
        };
        let values = targets
            .iter()
            .map(|t| match &t.key {
                TargetKey::Workload { name, stat: s } => {
                    let f = figures(name);
                    stat([f.latency_p50_s, f.latency_p95_s, f.latency_max_s], *s)
                }
                TargetKey::Queries(s) => sv.map_or(0.0, |v| {
                    stat(
                        [
                            v.sim.latency_p50_s,
                            v.sim.latency_p95_s,
                            v.sim.latency_max_s,
                        ],
                        *s,
                    )
                }),
                TargetKey::Staleness => sv
                    .and_then(|s| s.zero_etl.as_ref())
                    .map_or(0.0, |z| z.sync_staleness_s),
                TargetKey::Cost => fixed + best_compute,
                TargetKey::Rejected => sv.map_or(0.0, |s| {
                    s.sim.by_class.iter().map(|c| c.rejected).sum::<usize>() as f64
                }),
            })
            .collect();
        Outcome {
            candidate: c,
            total_usd: fixed + best_compute,
            reserved_rpu: reserved,
            on_demand_usd: total,
            fixed_usd: fixed,
            discount,
            rpu_hour_usd: sv.and_then(|s| s.rpu_hour_usd).unwrap_or(0.0),
            peak_rpu: sv.map_or(0.0, |s| s.sim.peak_rpu),
            busy_seconds: sv.map_or(0.0, |s| s.sim.busy_seconds),
            values,
            stopped: false,
        }
    }

    /// Evaluates `batch` in parallel: each candidate the scenario with its settings, in memory.
    pub fn plan_evaluate(
        scenario: &Scenario,
        book: &PriceBook,
        memo: &RunMemo,
        targets: &[Target],
        batch: &[Candidate],
        bounds: &[Option<f64>],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Outcome>, Error> {
        let sheet = super::sheet_for(book, scenario)?;
        let results: Vec<Result<Outcome, Error>> = batch
            .par_iter()
            .zip(bounds.par_iter())
            .map(|(c, bound)| {
                let s = apply(scenario, c);
                match estimate_scenario_bounded(&s, &sheet, Some(memo), *bound) {
                    Ok(e) => Ok(plan_outcome(*c, &e, targets)),
                    // The bill passed what could still win: stopped early.
                    Err(EstimateError::Engine {
                        source: EngineError::Stopped { .. },
                        ..
                    }) => Ok(Outcome::stopped(*c, targets.len())),
                    Err(e) => Err(super::estimate_error(e)),
                }
            })
            .collect();
        progress(batch.len());
        results.into_iter().collect()
    }

    /// What `plan` found: the search, the price of each target, and how many candidates were
    /// simulated for both.
    pub struct PlanRun {
        pub result: SearchResult,
        pub prices: Vec<TargetPrice>,
        pub simulated: usize,
        /// Of those, runs stopped once their bill could no longer win.
        pub stopped_early: usize,
    }

    /// `plan`'s search of `space` for `targets` on `scenario`, then the price of each target
    /// (the search again with that target relaxed by one step, evaluated candidates kept).
    /// Candidates are estimated in parallel (the current rayon pool), in memory; `progress`
    /// hears how many were simulated in each batch.
    pub fn plan(
        scenario: &Scenario,
        book: &PriceBook,
        space: &Space,
        targets: &[Target],
        memo: &RunMemo,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<PlanRun, Error> {
        // Usage limits that turn queries away break "more capacity is never worse".
        let monotone = !scenario.serverless.as_ref().is_some_and(|s| {
            s.usage_limits
                .iter()
                .any(|l| l.action == BreachAction::Deactivate)
        });
        let simulated = std::sync::atomic::AtomicUsize::new(0);
        let counted = |n: usize| {
            simulated.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            progress(n);
        };
        let mut cache = Cache::default();
        let mut eval = |batch: &[Candidate], bounds: &[Option<f64>]| {
            plan_evaluate(scenario, book, memo, targets, batch, bounds, &counted)
        };
        let result = search(space, targets, monotone, &mut cache, &mut eval)?;
        let mut prices = Vec::new();
        if let Some(pick) = result.pick.map(|i| result.evaluated[i].clone()) {
            for (i, t) in targets.iter().enumerate() {
                let Some(looser) = relaxed(t) else { continue };
                let mut relaxed_targets = targets.to_vec();
                relaxed_targets[i].limit = looser;
                let mut eval = |batch: &[Candidate], bounds: &[Option<f64>]| {
                    plan_evaluate(
                        scenario,
                        book,
                        memo,
                        &relaxed_targets,
                        batch,
                        bounds,
                        &counted,
                    )
                };
                let found = search(space, &relaxed_targets, monotone, &mut cache, &mut eval)?;
                prices.push(TargetPrice {
                    target: i,
                    relaxed_to: looser,
                    found: found
                        .pick
                        .map(|j| found.evaluated[j].clone())
                        .map(|o| (pick.total_usd - o.total_usd, o)),
                });
            }
        }
        let stopped_early = cache.stopped();
        Ok(PlanRun {
            result,
            prices,
            simulated: simulated.into_inner(),
            stopped_early,
        })
    }
}

pub use planning::{plan, plan_evaluate, PlanRun};

/// The `--set` of one swept value: `path` = `value`.
fn point_set(path: &str, value: &str) -> Result<SetArg, Error> {
    let arg = format!("{path}={value}");
    crate::scenario::parse_set_arg(&arg).map_err(|e| Error::Input(format!("--param {arg}: {e}")))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // fixtures are written and removed directly
mod tests {
    use super::*;
    use crate::scenario::parse_set_arg;

    const SCENARIO: &str = "name = \"t\"\nregion = \"us-east-1\"\nperiod = \"1d\"\n[serverless]\nbase_rpu = 8\nmax_rpu = 64\n[[workload]]\nname = \"w\"\ntrace = \"t.csv\"\n";

    /// A scenario with a trace in a temporary directory, loaded.
    fn loaded() -> (tempfile::TempDir, Loader, LoadedScenario) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s.toml"), SCENARIO).unwrap();
        std::fs::write(
            dir.path().join("t.csv"),
            "arrival_s,duration_s,rpu\n0,30,8\n100,40,900\n",
        )
        .unwrap();
        let loader = Loader::new(bundled(), Limits::default());
        let mut messages = Messages::default();
        let mut all = loader
            .load(&[dir.path().join("s.toml")], &[], &mut messages)
            .unwrap();
        (dir, loader, all.remove(0))
    }

    #[test]
    fn a_point_decodes_in_memory_without_reading_any_file_again() {
        let (dir, loader, base) = loaded();
        // Neither the scenario nor its trace is there any more: a point must not need them.
        std::fs::remove_file(dir.path().join("s.toml")).unwrap();
        std::fs::remove_file(dir.path().join("t.csv")).unwrap();
        let set = parse_set_arg("serverless.max_rpu=128").unwrap();
        let point = loader.decode(&base.document, &[set]).unwrap();
        assert_eq!(point.scenario.serverless.as_ref().unwrap().max_rpu, 128.0);
        let (crate::scenario::WorkloadSource::Trace(a), crate::scenario::WorkloadSource::Trace(b)) = (
            &base.scenario().workloads[0].source,
            &point.scenario.workloads[0].source,
        ) else {
            panic!("trace workloads");
        };
        // The rows are shared, not copied.
        assert!(std::sync::Arc::ptr_eq(&a.rows, &b.rows));
        assert_eq!(b.rows.len(), 2);
    }

    #[test]
    fn a_point_outside_the_trace_limits_is_refused_at_the_trace_line() {
        let (_dir, loader, base) = loaded();
        // A demand of 900 RPU is above 100 × max_rpu 8 = 800 RPU: read again under the
        // point's limits, the row is named where it is.
        let set = parse_set_arg("serverless.max_rpu=8").unwrap();
        let err = loader.decode(&base.document, &[set]).unwrap_err().render();
        assert!(err.contains("t.csv:3"), "{err}");
        assert!(
            err.contains("rpu must be from 0.01 to 800; found 900"),
            "{err}"
        );
    }

    #[test]
    fn sweep_points_come_back_in_grid_order() {
        let (_dir, loader, base) = loaded();
        let points: Vec<Vec<(String, String)>> = [64, 16, 256, 24]
            .iter()
            .map(|m| vec![("serverless.max_rpu".to_string(), m.to_string())])
            .collect();
        let on = |threads| {
            let memo = RunMemo::default();
            sweep_points(
                &loader,
                &base.document,
                &[],
                &points,
                bundled(),
                threads,
                &|| {},
                &memo,
            )
            .unwrap()
        };
        let (one, many) = (on(1), on(4));
        let params = |r: &[(Loaded, Point)]| -> Vec<String> {
            r.iter().map(|(_, p)| p.params[0].1.clone()).collect()
        };
        assert_eq!(params(&one), ["64", "16", "256", "24"]);
        assert_eq!(params(&many), params(&one));
        let totals = |r: &[(Loaded, Point)]| -> Vec<f64> {
            r.iter().map(|(_, p)| p.total_monthly_usd).collect()
        };
        assert_eq!(totals(&one), totals(&many));
    }

    #[test]
    fn needs_name_each_region_once_and_each_observed_window() {
        let parse = |body: &str| {
            crate::scenario::parse_scenario(
                &format!("name = \"t\"\n{body}[serverless]\nbase_rpu = 8\n"),
                std::path::Path::new("t.toml"),
                &[],
                &[],
            )
            .unwrap()
            .scenario
        };
        let plain = parse("region = \"us-east-1\"\n");
        let observed = parse(
            "region = \"us-east-1\"\n[observed]\nworkgroup = \"wg\"\ndays = 7\nend = 2026-11-30\n",
        );
        let future =
            parse("region = \"eu-west-1\"\n[observed]\nworkgroup = \"wg\"\nend = 2027-06-01\n");
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let n = needs_at([&plain, &observed, &future], now);
        assert_eq!(n.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(n.usage[0], UsageNeed::None);
        let UsageNeed::Observe(r) = &n.usage[1] else {
            panic!("{:?}", n.usage[1]);
        };
        assert_eq!(r.region.as_deref(), Some("us-east-1"));
        assert_eq!(r.target.workgroup.as_deref(), Some("wg"));
        assert_eq!(r.window.days(), 7);
        assert!(matches!(&n.usage[2], UsageNeed::Invalid(why) if why.starts_with("[observed]: ")));
    }
}
