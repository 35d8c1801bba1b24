//! `redshift-cost sweep`: one scenario over a grid of parameter values (the cartesian
//! product of every `--param`), each point the loaded document decoded again in memory
//! with its values, estimated in parallel on all cores.

use super::charts::write_chart;
use super::{PriceConfig, ScenarioConfig};
use crate::error::{Error, Exit};
use crate::output::{write_output, Messages};
use crate::pipeline;
use crate::report::charts::Chart;
use crate::report::sweep::SweepReport;
use crate::sources::AsyncRuntime;
use redshift_cost_core::messages::Warning;
use redshift_cost_core::sweep::{grid, pick, Param};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SweepFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone)]
pub(crate) struct SweepConfig {
    /// One scenario file and the fixed `--set`s applied before the swept values.
    pub(crate) scenario: ScenarioConfig,
    pub(crate) params: Vec<Param>,
    pub(crate) max_staleness: Option<f64>,
    pub(crate) format: SweepFormat,
    pub(crate) out: Option<PathBuf>,
    pub(crate) chart: Option<PathBuf>,
    pub(crate) prices: PriceConfig,
}

/// Memory the points of a sweep may hold at once (their simulations), bytes.
const SWEEP_MEMORY_BUDGET: f64 = 2.0 * 1024.0 * 1024.0 * 1024.0;
/// Memory a point's simulation takes per job (the job, its heap entry, its latency and
/// the trace row it came from), bytes, rounded up.
const SWEEP_BYTES_PER_JOB: f64 = 128.0;

/// Threads for a sweep whose points ask for `jobs` jobs each: all cores, but no more
/// than the memory budget holds.
pub(crate) fn sweep_threads(jobs: f64) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let fit = (SWEEP_MEMORY_BUDGET / (jobs.max(1.0) * SWEEP_BYTES_PER_JOB)).floor();
    cores.min(fit.clamp(1.0, 1024.0) as usize).max(1)
}

/// Evaluates every point of the sweep in parallel (all cores), with a progress bar on a
/// terminal.
pub(crate) fn run(
    c: &SweepConfig,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    let points = grid(&c.params).map_err(|e| Error::Input(e.clone()))?;
    // The base scenario is read and validated once, so that its errors are reported once.
    let (loader, base) = pipeline::load(&c.scenario, messages)?;
    let base = &base[0];
    let resolved = pipeline::resolve_loaded(
        std::slice::from_ref(base),
        &c.prices.source(runtime),
        messages,
    )?;
    let progress = (std::io::stderr().is_terminal() && !messages.is_quiet() && points.len() > 1)
        .then(|| {
            let bar = indicatif::ProgressBar::new(points.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} points  {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
    // Points in flight at once: every core, unless the points are so large that their
    // simulations would not fit in the memory budget together. Each point keeps only its
    // figures once simulated.
    let base_jobs: f64 = crate::scenario::job_counts(base.scenario())
        .iter()
        .map(|(_, n)| n)
        .sum();
    let tick = || {
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    };
    // One memo for the points and the base: the base is often one of the points.
    let memo = redshift_cost_core::engine::RunMemo::default();
    let evaluated = pipeline::sweep_points(
        &loader,
        &base.document,
        &c.scenario.sets,
        &points,
        &resolved.book,
        sweep_threads(base_jobs),
        &tick,
        &memo,
    );
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let mut summary = Vec::new();
    for (loaded, point) in evaluated? {
        pipeline::warn_loaded(&loaded, messages);
        summary.push(point);
    }
    // The note names the prices of the scenario as swept (without the swept values).
    let base_estimate = vec![pipeline::estimate_one_with(
        base.scenario(),
        &resolved.book,
        Some(&memo),
    )?];
    pipeline::note_prices(messages, &resolved, &base_estimate);
    let chosen = c.max_staleness.and_then(|limit| pick(&summary, limit));
    if c.max_staleness.is_some() && summary.iter().all(|p| p.staleness_s.is_none()) {
        messages.warn(Warning::NoStalenessToPick);
    }
    let report = SweepReport {
        schema_version: crate::report::SCHEMA_VERSION,
        scenario: base.scenario().name.clone(),
        param_names: c.params.iter().map(|p| p.path.clone()).collect(),
        points: summary,
        max_staleness_s: c.max_staleness,
        pick: chosen,
    };
    let bytes = match c.format {
        SweepFormat::Table => report.table(),
        SweepFormat::Json => report.json(),
        SweepFormat::Csv => report.csv(),
    };
    write_output(c.out.as_deref(), &bytes)?;
    if let Some(path) = &c.chart {
        let curve = report.chart().ok_or_else(|| {
            Error::Input("the swept values are not numbers; nothing to chart".into())
        })?;
        write_chart(path, &Chart::Sweep(curve))?;
    }
    Ok(Exit::Ok)
}
