//! The `sweep`, `report` and `diff` commands and the charts of `estimate` (the argument
//! structs live here too; `cli.rs` dispatches to them).

use crate::cli::{
    budget_exit, estimate_all, expand_scenario_paths, known_regions, load_all, note_prices,
    price_note, resolve_prices, write_output, Error, Exit, Messages, PriceArgs,
};
use crate::model::timeline::capacity_timeline;
use crate::pricing::bundled::bundled;
use crate::report::charts::{render, CapacityChart, Chart, ChartFormat, DEFAULT_SIZE};
use crate::report::diff::{diff, parse_totals, render_json, render_markdown, render_table};
use crate::report::site::{cost_breakdown, slug, Site, SiteChart};
use crate::report::sweep::SweepReport;
use crate::report::Report;
use crate::scenario::{
    parse_duration, parse_scenario_with, parse_set_arg, Loaded, Scenario, SetArg,
};
use crate::sweep::{grid, parse_param, pick, summarize, Param};
use crate::units::{SECONDS_PER_DAY, SECONDS_PER_HOUR};
use anyhow::Context;
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// A duration on the command line: seconds or `"90s"`, `"15m"`, `"2d"`.
fn parse_duration_arg(s: &str) -> Result<f64, String> {
    parse_duration(s).map_err(|e| format!("{e} (e.g. 15m, 1h, 2d)"))
}

/// Chart options of `estimate`.
#[derive(Debug, Clone, Args)]
pub struct ChartArgs {
    /// Draw the cost breakdown (stacked bar per scenario) to FILE (.svg or .png).
    #[arg(long, value_name = "FILE.svg|FILE.png", value_parser = chart_path)]
    pub chart: Option<PathBuf>,
    /// Draw the capacity timeline to FILE (.svg or .png; one file per scenario, suffixed,
    /// when there are several).
    #[arg(long, value_name = "FILE.svg|FILE.png", value_parser = chart_path)]
    pub timeline: Option<PathBuf>,
    /// Start of the timeline window, from the period start (e.g. 0, 2d, 36h).
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration_arg)]
    pub from: f64,
    /// End of the timeline window (default: one day after --from).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_arg)]
    pub to: Option<f64>,
}

fn chart_path(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    match ChartFormat::from_path(&p) {
        Some(_) => Ok(p),
        None => Err(format!("`{s}`: a chart file must end in .svg or .png")),
    }
}

impl ChartArgs {
    fn window(&self) -> Result<(f64, f64), Error> {
        let to = self.to.unwrap_or(self.from + SECONDS_PER_DAY);
        if to <= self.from {
            return Err(Error::Input(format!(
                "--to ({to} s) must be after --from ({} s)",
                self.from
            )));
        }
        Ok((self.from, to))
    }
}

fn write_chart(path: &Path, chart: &Chart) -> Result<(), Error> {
    let format = ChartFormat::from_path(path).unwrap_or(ChartFormat::Svg);
    let bytes = render(chart, format, DEFAULT_SIZE).map_err(|e| Error::Failure(e.into()))?;
    crate::output::write_atomic(path, &bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn timeline_chart(scenario: &Scenario, from: f64, to: f64) -> Result<Option<Chart>, Error> {
    let timeline = capacity_timeline(scenario, from, to)
        .map_err(|e| Error::Input(format!("scenario `{}`: {e}", scenario.name)))?;
    let (Some(timeline), Some(sv)) = (timeline, &scenario.serverless) else {
        return Ok(None);
    };
    let hours = |s: f64| s / SECONDS_PER_HOUR;
    Ok(Some(Chart::Capacity(CapacityChart {
        title: format!(
            "{}: capacity, hours {}–{} of the period",
            scenario.name,
            hours(from),
            hours(to)
        ),
        base_rpu: sv.base_rpu,
        max_rpu: sv.max_rpu,
        timeline,
    })))
}

/// Writes the charts `estimate` was asked for.
pub fn estimate_charts(args: &ChartArgs, loaded: &[Loaded], report: &Report) -> Result<(), Error> {
    if let Some(path) = &args.chart {
        write_chart(path, &cost_breakdown(report))?;
    }
    if let Some(path) = &args.timeline {
        let (from, to) = args.window()?;
        let with_serverless: Vec<&Loaded> = loaded
            .iter()
            .filter(|l| l.scenario.serverless.is_some())
            .collect();
        if with_serverless.is_empty() {
            return Err(Error::Input(
                "--timeline needs a scenario with [serverless]".into(),
            ));
        }
        for l in &with_serverless {
            let target = if with_serverless.len() == 1 {
                path.clone()
            } else {
                suffixed(path, &slug(&l.scenario.name))
            };
            if let Some(chart) = timeline_chart(&l.scenario, from, to)? {
                write_chart(&target, &chart)?;
            }
        }
    }
    Ok(())
}

/// `dir/name.svg` + `x` → `dir/name-x.svg`.
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}-{suffix}.{ext}"))
}

// ---------------------------------------------------------------------------------------
// sweep

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SweepFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file to sweep.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// A parameter and its values: `key.path=v1,v2,...`, `key.path=start..end*factor` or
    /// `key.path=start..end+step` (repeatable: the cartesian product is swept).
    #[arg(long = "param", required = true, value_name = "KEY.PATH=VALUES", value_parser = parse_param)]
    pub params: Vec<Param>,
    /// Fixed overrides applied before the swept values (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE", value_parser = parse_set_arg)]
    pub sets: Vec<SetArg>,
    /// Mark the cheapest point whose worst-case data staleness is within this (e.g. 15m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_arg)]
    pub max_staleness: Option<f64>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = SweepFormat::Table)]
    pub format: SweepFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Draw the sweep curve to FILE (.svg or .png).
    #[arg(long, value_name = "FILE.svg|FILE.png", value_parser = chart_path)]
    pub chart: Option<PathBuf>,
    #[command(flatten)]
    pub pricing: PriceArgs,
}

/// Memory the points of a sweep may hold at once (their simulations), bytes.
const SWEEP_MEMORY_BUDGET: f64 = 2.0 * 1024.0 * 1024.0 * 1024.0;
/// Memory a point's simulation takes per job (the job, its heap entry, its latency and
/// the trace row it came from), bytes, rounded up.
const SWEEP_BYTES_PER_JOB: f64 = 128.0;

/// Threads for a sweep whose points ask for `jobs` jobs each: all cores, but no more
/// than the memory budget holds.
pub fn sweep_threads(jobs: f64) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let fit = (SWEEP_MEMORY_BUDGET / (jobs.max(1.0) * SWEEP_BYTES_PER_JOB)).floor();
    cores.min(fit.clamp(1.0, 1024.0) as usize).max(1)
}

/// Evaluates every point of the sweep in parallel (all cores), with a progress bar on a
/// terminal.
pub fn run_sweep(args: &SweepArgs, messages: &mut Messages) -> Result<Exit, Error> {
    let points = grid(&args.params).map_err(|e| Error::Input(e.clone()))?;
    // Validate the base scenario once, so that its errors are reported once.
    let base = load_all(
        std::slice::from_ref(&args.scenario),
        &args.sets,
        bundled(),
        messages,
    )?;
    let name = base[0].scenario.name.clone();
    let resolved = resolve_prices(&args.pricing, &[base[0].scenario.region.clone()], messages)?;
    let book = &resolved.book;
    // Read the scenario once; every point parses that text with its own `--set`s.
    let text = crate::fsx::read_text(&args.scenario, crate::scenario::MAX_SCENARIO_BYTES)
        .with_context(|| format!("cannot read scenario file {}", args.scenario.display()))?;
    let regions = known_regions(book);

    let progress = if std::io::stderr().is_terminal() && points.len() > 1 {
        let bar = indicatif::ProgressBar::new(points.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} points  {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    // Points in flight at once: every core, unless the points are so large that their
    // simulations would not fit in the memory budget together. Each point keeps only its
    // figures once simulated.
    let base_jobs: f64 = crate::scenario::job_counts(&base[0].scenario)
        .iter()
        .map(|(_, n)| n)
        .sum();
    let threads = sweep_threads(base_jobs);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Failure(anyhow::anyhow!("cannot start the sweep's threads: {e}")))?;
    let limits = messages.limits;
    let results: Vec<Result<(Vec<String>, crate::sweep::Point), Error>> = pool.install(|| {
        points
            .par_iter()
            .map(|point| {
                let mut sets = args.sets.clone();
                for (path, value) in point {
                    let arg = format!("{path}={value}");
                    sets.push(
                        parse_set_arg(&arg)
                            .map_err(|e| Error::Input(format!("--param {arg}: {e}")))?,
                    );
                }
                let loaded = parse_scenario_with(&text, &args.scenario, &sets, &regions, &limits)
                    .map_err(|e| Error::Diagnostics(e.to_string()))?;
                let estimates = estimate_all(std::slice::from_ref(&loaded), book)?;
                let interval = loaded
                    .scenario
                    .zero_etl
                    .as_ref()
                    .map(|z| z.refresh_interval);
                if let Some(bar) = &progress {
                    bar.inc(1);
                }
                Ok((
                    loaded.warnings,
                    summarize(point.clone(), &estimates[0], interval),
                ))
            })
            .collect()
    });
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let mut summary = Vec::with_capacity(results.len());
    for r in results {
        let (warnings, point) = r?;
        for w in warnings {
            messages.warn(w);
        }
        summary.push(point);
    }
    // The note names the prices of the scenario as swept (without the swept values).
    note_prices(messages, &resolved, &estimate_all(&base, book)?);
    let chosen = args.max_staleness.and_then(|limit| pick(&summary, limit));
    if args.max_staleness.is_some() && summary.iter().all(|p| p.staleness_s.is_none()) {
        messages.warn("--max-staleness needs a scenario with [zero_etl]; no point was picked");
    }
    let report = SweepReport {
        schema_version: crate::report::SCHEMA_VERSION,
        scenario: name,
        param_names: args.params.iter().map(|p| p.path.clone()).collect(),
        points: summary,
        max_staleness_s: args.max_staleness,
        pick: chosen,
    };
    let bytes = match args.format {
        SweepFormat::Table => report.table(),
        SweepFormat::Json => report.json(),
        SweepFormat::Csv => report.csv(),
    };
    write_output(args.out.as_deref(), &bytes)?;
    if let Some(path) = &args.chart {
        let curve = report.chart().ok_or_else(|| {
            Error::Input("the swept values are not numbers; nothing to chart".into())
        })?;
        write_chart(path, &Chart::Sweep(curve))?;
    }
    Ok(Exit::Ok)
}

// ---------------------------------------------------------------------------------------
// report

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Scenario files or directories of *.toml scenarios.
    #[arg(required = true, value_name = "DIR_OR_FILES")]
    pub inputs: Vec<PathBuf>,
    /// The report folder to write: it must be absent, empty or an earlier report of this
    /// tool, and is then replaced as a whole, atomically.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a --out folder that holds other files: the report's files are written
    /// (each atomically) beside them; nothing the tool did not write is deleted.
    #[arg(long)]
    pub force: bool,
    /// A previous report's summary.json: adds month-over-month deltas.
    #[arg(long, value_name = "OLD/summary.json")]
    pub baseline: Option<PathBuf>,
    /// Budget in USD for every scenario (replaces `budget_usd`); exit 3 when exceeded.
    #[arg(long, value_name = "USD", value_parser = crate::cli::parse_budget)]
    pub budget: Option<f64>,
    /// Override a scenario value (repeatable; applies to every scenario).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE", value_parser = parse_set_arg)]
    pub sets: Vec<SetArg>,
    /// Start of each scenario's capacity-timeline window (default: the period start).
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration_arg)]
    pub from: f64,
    /// End of the timeline window (default: one day after --from).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_arg)]
    pub to: Option<f64>,
    #[command(flatten)]
    pub pricing: PriceArgs,
}

/// Builds the report folder in memory, then swaps it in as a whole.
pub fn run_report(args: &ReportArgs, messages: &mut Messages) -> Result<Exit, Error> {
    let paths = expand_scenario_paths(&args.inputs)?;
    let loaded = load_all(&paths, &args.sets, bundled(), messages)?;
    let regions: Vec<String> = loaded.iter().map(|l| l.scenario.region.clone()).collect();
    let resolved = resolve_prices(&args.pricing, &regions, messages)?;
    let estimates = estimate_all(&loaded, &resolved.book)?;
    let report = Report::new(&estimates, args.budget);
    let note = price_note(&resolved, &estimates);
    let baseline = match &args.baseline {
        None => None,
        Some(path) => {
            let text = crate::fsx::read_text(path, crate::fsx::MAX_JSON_BYTES).map_err(|e| {
                Error::Input(format!("cannot read baseline {}: {e}", path.display()))
            })?;
            let old = parse_totals(&text, &path.display().to_string())
                .map_err(|e| Error::Input(format!("{e}")))?;
            let new_json =
                String::from_utf8_lossy(&report.render(crate::report::Format::Json)).into_owned();
            let new =
                parse_totals(&new_json, "this report").map_err(|e| Error::Failure(e.into()))?;
            Some(diff(&old, &new))
        }
    };
    let to = args.to.unwrap_or(args.from + SECONDS_PER_DAY);
    if to <= args.from {
        return Err(Error::Input(format!(
            "--to must be after --from ({} s)",
            args.from
        )));
    }
    let mut charts = vec![SiteChart {
        stem: "cost-breakdown".into(),
        alt: "Monthly cost by component".into(),
        scenario: None,
        chart: cost_breakdown(&report),
    }];
    let mut used = std::collections::BTreeSet::new();
    for l in &loaded {
        if let Some(chart) = timeline_chart(&l.scenario, args.from, to)? {
            let mut stem = format!("capacity-{}", slug(&l.scenario.name));
            while !used.insert(stem.clone()) {
                stem.push('x');
            }
            charts.push(SiteChart {
                stem,
                alt: format!("Capacity of {}", l.scenario.name),
                scenario: Some(l.scenario.name.clone()),
                chart,
            });
        }
    }
    let site = Site {
        report: &report,
        price_note: &note,
        charts,
        baseline,
    };
    let files = site.files().map_err(|e| Error::Failure(e.into()))?;
    match crate::output::write_report_dir(&args.out, &files, args.force) {
        Ok(()) => {}
        Err(crate::output::DirError::Refused(why)) => {
            return Err(Error::Input(format!("refusing to write the report: {why}")))
        }
        Err(crate::output::DirError::Io(e)) => {
            return Err(Error::Failure(anyhow::Error::new(e).context(format!(
                "cannot write the report to {}",
                args.out.display()
            ))))
        }
    }
    note_prices(messages, &resolved, &estimates);
    Ok(budget_exit(&report, messages))
}

// ---------------------------------------------------------------------------------------
// diff

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier estimate JSON (`estimate --format json`, or a report's summary.json).
    pub old: PathBuf,
    /// The later estimate JSON.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run_diff(args: &DiffArgs) -> Result<Exit, Error> {
    let read = |p: &Path| -> Result<_, Error> {
        let text = crate::fsx::read_text(p, crate::fsx::MAX_JSON_BYTES)
            .map_err(|e| Error::Input(format!("cannot read {}: {e}", p.display())))?;
        parse_totals(&text, &p.display().to_string()).map_err(|e| Error::Input(format!("{e}")))
    };
    let d = diff(&read(&args.old)?, &read(&args.new)?);
    let bytes = match args.format {
        DiffFormat::Table => render_table(&d),
        DiffFormat::Markdown => render_markdown(&d),
        DiffFormat::Json => render_json(&d),
    };
    write_output(args.out.as_deref(), &bytes)?;
    Ok(Exit::Ok)
}
