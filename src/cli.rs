//! The command line: arguments, the run of each command, exit codes.
//!
//! Errors are typed in the core and wrapped here; warnings are collected and printed once
//! on stderr; stdout carries only the report, so `| jq` works.

mod compare;
mod prices;

pub use compare::{run_compare, CompareArgs};

pub use prices::{resolve_prices, run_prices, warn_fallbacks, PriceArgs, PricesArgs, PricesFormat};

pub use crate::error::Error;
use crate::model::estimate::estimate_scenario;
use crate::model::figures::{EstimateError, ScenarioEstimate};
use crate::pricing::resolve::Resolved;
use crate::pricing::{bundled::bundled, price_sheet, PriceBook, Provenance};
use crate::report::{format, Format, Report};
use crate::scenario::{load_scenario_with, parse_set_arg, Loaded, ScenarioError, SetArg};
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit codes, documented in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// I/O failure, or a network failure with no fallback.
    Failure = 1,
    /// Invalid input or usage.
    Invalid = 2,
    /// A scenario's estimate is over its budget (the output was still written).
    OverBudget = 3,
}

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  failure (I/O, or network with no fallback)
  2  invalid input or usage (scenario errors name file:line:column)
  3  a budget was exceeded (the report is still written)";

#[derive(Debug, Parser)]
#[command(
    name = "redshift-cost",
    version,
    about = "Cost and capacity estimator for Amazon Redshift Serverless, zero-ETL and storage",
    long_about = "Simulates a month of Amazon Redshift Serverless from a scenario file (workloads, \
zero-ETL refresh interval, storage) and prices it: 60-second minimum charges, concurrency and \
idle time included.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print no notes on stderr (warnings and errors are still printed).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Refuse a scenario that asks the simulation for more jobs than this (each takes
    /// about 32 bytes of memory while it runs).
    #[arg(
        long,
        global = true,
        value_name = "N",
        env = "REDSHIFT_COST_MAX_JOBS",
        default_value_t = crate::scenario::DEFAULT_MAX_JOBS
    )]
    pub max_jobs: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Estimate the monthly cost of one or more scenarios (one report).
    #[command(after_help = EXIT_CODES)]
    Estimate(EstimateArgs),
    /// Read a workgroup's observed usage from CloudWatch (compute, capacity, storage),
    /// priced for a month. Needs cloudwatch:GetMetricData and cloudwatch:ListMetrics.
    #[command(after_help = EXIT_CODES)]
    Observe(crate::usage::ObserveArgs),
    /// Show the prices in use for a region, with where each came from and its date.
    #[command(after_help = EXIT_CODES)]
    Prices(PricesArgs),
    /// Compare Serverless with a provisioned cluster for scenarios that have both a
    /// [serverless] and a [provisioned] section: totals and the break-even busy hours a day.
    #[command(after_help = EXIT_CODES)]
    Compare(CompareArgs),
    /// Sweep one scenario over parameter values (e.g. REFRESH_INTERVAL): cost, latency and
    /// data staleness per point, in parallel on all cores.
    #[command(after_help = EXIT_CODES)]
    Sweep(crate::commands::SweepArgs),
    /// Write a monthly report folder: index.md, index.html, summary.json and charts.
    #[command(after_help = EXIT_CODES)]
    Report(crate::commands::ReportArgs),
    /// Per-scenario, per-component deltas between two estimate JSON files.
    #[command(after_help = EXIT_CODES)]
    Diff(crate::commands::DiffArgs),
}

#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// Scenario files (TOML), or directories whose *.toml files are all estimated.
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Override a scenario value, e.g. `--set zero_etl.refresh_interval=0` (repeatable;
    /// applies to every scenario).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE", value_parser = parse_set_arg)]
    pub sets: Vec<SetArg>,
    /// Budget in USD for every scenario (replaces `budget_usd`); exit 3 when exceeded.
    #[arg(long, value_name = "USD", value_parser = parse_budget)]
    pub budget: Option<f64>,
    /// Scale workload durations so that the modelled compute of each scenario's
    /// `[observed]` window matches CloudWatch; `--set` what-ifs then apply on top.
    #[arg(long)]
    pub calibrate: bool,
    #[command(flatten)]
    pub pricing: PriceArgs,
    #[command(flatten)]
    pub charts: crate::commands::ChartArgs,
}

pub fn parse_budget(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "expected a non-negative amount of USD, found `{s}`"
        )),
    }
}

/// Collected warnings and notes, printed once each at the end of a run, and the limits
/// every scenario of the run is loaded under.
#[derive(Debug, Default)]
pub struct Messages {
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
    pub limits: crate::scenario::Limits,
}

impl Messages {
    pub fn warn(&mut self, w: impl Into<String>) {
        let w = w.into();
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    fn print(&self, quiet: bool) {
        let mut err = std::io::stderr().lock();
        for w in &self.warnings {
            let _ = writeln!(err, "warning: {w}");
        }
        if !quiet {
            for n in &self.notes {
                let _ = writeln!(err, "note: {n}");
            }
        }
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                Exit::Invalid as u8
            } else {
                0
            });
        }
    };
    let mut messages = Messages {
        limits: crate::scenario::Limits {
            max_jobs: cli.max_jobs,
        },
        ..Messages::default()
    };
    let result = match &cli.command {
        Command::Estimate(args) => run_estimate(args, &mut messages),
        Command::Observe(args) => crate::usage::run_observe(args, &mut messages),
        Command::Prices(args) => run_prices(args, &mut messages),
        Command::Compare(args) => run_compare(args, &mut messages),
        Command::Sweep(args) => crate::commands::run_sweep(args, &mut messages),
        Command::Report(args) => crate::commands::run_report(args, &mut messages),
        Command::Diff(args) => crate::commands::run_diff(args),
    };
    messages.print(cli.quiet);
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("{}", e.render());
            ExitCode::from(e.exit_code())
        }
    }
}

/// Expands directories into their `*.toml` files (sorted); files pass through.
pub fn expand_scenario_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("cannot read directory {}", p.display()))?
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

/// Loads every scenario; all files' errors are reported together.
pub fn load_all(
    paths: &[PathBuf],
    sets: &[SetArg],
    book: &PriceBook,
    messages: &mut Messages,
) -> Result<Vec<Loaded>, Error> {
    let regions = known_regions(book);
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match load_scenario_with(path, sets, &regions, &messages.limits) {
            Ok(l) => loaded.push(l),
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
    for l in &loaded {
        for w in &l.warnings {
            messages.warn(w.clone());
        }
    }
    Ok(loaded)
}

/// Prices and simulates every loaded scenario with `book`.
pub fn estimate_all(loaded: &[Loaded], book: &PriceBook) -> Result<Vec<ScenarioEstimate>, Error> {
    loaded
        .iter()
        .map(|l| {
            let s = &l.scenario;
            let sheet = price_sheet(book, s).ok_or_else(|| {
                Error::Input(format!("the price book has no region `{}`", s.region))
            })?;
            estimate_scenario(s, &sheet).map_err(|e| match e {
                // A price source gave a price that is not a number: not the input's fault.
                EstimateError::NotFinite {
                    from_source: true, ..
                } => Error::Failure(anyhow::anyhow!("{e}")),
                e => Error::Input(format!("{e}")),
            })
        })
        .collect()
}

/// Says once which prices were used and their dates: as a note, unless a fallback
/// warning (which names the prices and their date) has said it already.
pub fn note_prices(messages: &mut Messages, resolved: &Resolved, estimates: &[ScenarioEstimate]) {
    if resolved.warnings.is_empty() {
        messages.notes.push(price_note(resolved, estimates));
    }
}

/// The one note that says which prices were used and their dates.
pub fn price_note(resolved: &Resolved, estimates: &[ScenarioEstimate]) -> String {
    let mut used: BTreeMap<Provenance, usize> = BTreeMap::new();
    for line in estimates.iter().flat_map(|e| &e.lines) {
        *used.entry(line.price_source()).or_default() += 1;
    }
    let lines: Vec<String> = used
        .iter()
        .map(|(src, n)| format!("{src} ({n} line{})", if *n == 1 { "" } else { "s" }))
        .collect();
    format!(
        "prices: {}; cost lines priced from: {}",
        resolved.describe(),
        if lines.is_empty() {
            "none".to_string()
        } else {
            lines.join(", ")
        }
    )
}

fn run_estimate(args: &EstimateArgs, messages: &mut Messages) -> Result<Exit, Error> {
    let paths = expand_scenario_paths(&args.scenarios)?;
    let mut loaded = load_all(&paths, &args.sets, bundled(), messages)?;
    let observed = crate::usage::observe_scenarios(
        &mut loaded,
        &args.sets,
        args.calibrate,
        bundled(),
        messages,
    )?;
    let regions: Vec<String> = loaded.iter().map(|l| l.scenario.region.clone()).collect();
    let resolved = resolve_prices(&args.pricing, &regions, messages)?;
    let estimates = estimate_all(&loaded, &resolved.book)?;
    warn_fallbacks(&resolved, &estimates, messages);
    note_prices(messages, &resolved, &estimates);
    let mut report = Report::new(&estimates, args.budget);
    crate::usage::attach_observed(&mut report, &estimates, &loaded, &observed, &resolved.book);
    let bytes = report.render(args.format);
    write_output(args.out.as_deref(), &bytes)?;
    crate::commands::estimate_charts(&args.charts, &loaded, &report)?;
    Ok(budget_exit(&report, messages))
}

/// Exit 3 (after the output is written) when any scenario is over budget, listing each
/// breach on stderr.
pub fn budget_exit(report: &Report, messages: &mut Messages) -> Exit {
    for b in &report.budget_breaches {
        messages.warn(format!(
            "over budget: scenario `{}`: budget {} USD, estimate {} USD, over by {} USD",
            b.scenario,
            format::usd(b.budget_usd),
            format::usd(b.estimate_usd),
            format::usd(b.excess_usd)
        ));
    }
    if report.budget_breaches.is_empty() {
        Exit::Ok
    } else {
        Exit::OverBudget
    }
}

/// Writes `bytes` to `out` atomically (a temporary file in the same directory, then a
/// rename), or to stdout when `out` is `None`.
pub fn write_output(out: Option<&Path>, bytes: &[u8]) -> Result<(), Error> {
    match out {
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                // `| head` closed the pipe: the reader has what it wanted.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                r => r.context("cannot write to stdout")?,
            }
        }
        Some(path) => {
            crate::output::write_atomic(path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// clap's own consistency checks of every argument and command.
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
