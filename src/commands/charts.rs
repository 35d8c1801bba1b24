//! The charts of `estimate` (and the timelines of `report`): rendered by `report::charts`,
//! written through `output`.

use super::{ChartConfig, TimelineWindow};
use crate::error::Error;
use crate::report::charts::{render, CapacityChart, Chart, ChartFormat, DEFAULT_SIZE};
use crate::report::site::{cost_breakdown, slug};
use crate::report::Report;
use crate::scenario::Scenario;
use anyhow::Context;
use redshift_cost_core::model::timeline::capacity_timeline;
use redshift_cost_core::units::SECONDS_PER_HOUR;
use std::path::{Path, PathBuf};

/// Renders `chart` in the format `path` names and writes it atomically.
pub(crate) fn write_chart(path: &Path, chart: &Chart) -> Result<(), Error> {
    let format = ChartFormat::from_path(path).unwrap_or(ChartFormat::Svg);
    let bytes = render(chart, format, DEFAULT_SIZE).map_err(|e| Error::Failure(e.into()))?;
    crate::output::write_atomic(path, &bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The capacity timeline of `scenario` over `window`, when it has `[serverless]` work.
pub(crate) fn timeline_chart(
    scenario: &Scenario,
    window: TimelineWindow,
) -> Result<Option<Chart>, Error> {
    let TimelineWindow { from, to } = window;
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
pub(crate) fn estimate_charts<'a>(
    config: &ChartConfig,
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    report: &Report,
) -> Result<(), Error> {
    if let Some(path) = &config.chart {
        write_chart(path, &cost_breakdown(report))?;
    }
    if let Some(path) = &config.timeline {
        let with_serverless: Vec<&Scenario> = scenarios
            .into_iter()
            .filter(|s| s.serverless.is_some())
            .collect();
        if with_serverless.is_empty() {
            return Err(Error::Input(
                "--timeline needs a scenario with [serverless]".into(),
            ));
        }
        for s in &with_serverless {
            let target = if with_serverless.len() == 1 {
                path.clone()
            } else {
                suffixed(path, &slug(&s.name))
            };
            if let Some(chart) = timeline_chart(s, config.window)? {
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
