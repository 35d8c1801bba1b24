//! The charts of `estimate` (and the timelines and heatmaps of `report`): rendered by
//! `report::charts`, written through `output`.

use super::{ChartConfig, TimelineWindow};
use crate::error::Error;
use crate::output::Messages;
use crate::report::charts::clock::Clock;
use crate::report::charts::{render, CapacityChart, Chart, ChartFormat, HeatmapChart};
use crate::report::site::{cost_breakdown, slug};
use crate::report::Report;
use crate::scenario::Scenario;
use anyhow::Context;
use redshift_cost_core::messages::RunNote;
use redshift_cost_core::model::timeline::{busiest_hour, capacity_timeline, hourly_rpu_seconds};
use redshift_cost_core::units::{SECONDS_PER_DAY, SECONDS_PER_HOUR};
use std::path::{Path, PathBuf};

/// Renders `chart` in the format `path` names and writes it atomically.
pub(crate) fn write_chart(path: &Path, chart: &Chart) -> Result<(), Error> {
    let format = ChartFormat::from_path(path).unwrap_or(ChartFormat::Svg);
    let bytes = render(chart, format, chart.size()).map_err(|e| Error::Failure(e.into()))?;
    crate::output::write_atomic(path, &bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn clock(scenario: &Scenario) -> Clock {
    Clock {
        start: scenario.period.start,
        zone: scenario.timezone,
    }
}

fn engine_error(scenario: &Scenario, e: impl std::fmt::Display) -> Error {
    Error::Input(format!("scenario `{}`: {e}", scenario.name))
}

/// A scenario with its billed RPU-seconds by hour, simulated at most once for the charts
/// that read them (the busiest-hour window and the heatmap).
pub(crate) struct Hours<'a> {
    pub(crate) scenario: &'a Scenario,
    hourly: Option<Vec<f64>>,
}

impl<'a> Hours<'a> {
    pub(crate) fn new(scenario: &'a Scenario) -> Hours<'a> {
        Hours {
            scenario,
            hourly: None,
        }
    }

    /// The hours (empty without Serverless work).
    fn get(&mut self) -> Result<&[f64], Error> {
        if self.hourly.is_none() {
            let h = hourly_rpu_seconds(self.scenario)
                .map_err(|e| engine_error(self.scenario, e))?
                .unwrap_or_default();
            self.hourly = Some(h);
        }
        Ok(self.hourly.as_deref().unwrap_or_default())
    }
}

/// The window `window` stands for in the scenario's period: the busiest hour, or the
/// fixed window cut to the period (a window that starts after the period is an error).
fn resolve_window(
    hours: &mut Hours<'_>,
    window: TimelineWindow,
) -> Result<(f64, f64, String), Error> {
    let scenario = hours.scenario;
    let period = scenario.period.hours * SECONDS_PER_HOUR;
    match window {
        TimelineWindow::Fixed { from, to } => {
            if from >= period {
                return Err(Error::Input(format!(
                    "scenario `{}`: the timeline window starts at {} h, after its {} h period ends",
                    scenario.name,
                    crate::report::format::trimmed(from / SECONDS_PER_HOUR),
                    crate::report::format::trimmed(scenario.period.hours)
                )));
            }
            Ok((from, to.min(period), String::new()))
        }
        TimelineWindow::Busiest => Ok(match busiest_hour(hours.get()?) {
            Some(h) => {
                let from = h as f64 * SECONDS_PER_HOUR;
                (
                    from,
                    (from + SECONDS_PER_HOUR).min(period),
                    "busiest hour, ".into(),
                )
            }
            None => (0.0, SECONDS_PER_DAY.min(period), String::new()),
        }),
    }
}

/// The capacity timeline of the scenario over `window`, when it has `[serverless]` work.
pub(crate) fn timeline_chart(
    hours: &mut Hours<'_>,
    window: TimelineWindow,
) -> Result<Option<Chart>, Error> {
    let scenario = hours.scenario;
    let Some(sv) = &scenario.serverless else {
        return Ok(None);
    };
    let (from, to, lead) = resolve_window(hours, window)?;
    let Some((timeline, classes)) =
        capacity_timeline(scenario, from, to).map_err(|e| engine_error(scenario, e))?
    else {
        return Ok(None);
    };
    let clock = clock(scenario);
    let (a, b) = (clock.local(from), clock.local(to));
    let to_text = if a.date() == b.date() {
        b.format("%H:%M").to_string()
    } else {
        b.format("%a %-d %b %H:%M").to_string()
    };
    Ok(Some(Chart::Capacity(CapacityChart {
        title: format!(
            "{}: capacity, {lead}{}–{to_text}",
            scenario.name,
            a.format("%a %-d %b %H:%M"),
        ),
        base_rpu: sv.base_rpu,
        max_rpu: sv.max_rpu,
        timeline,
        classes,
        clock,
    })))
}

/// The month heatmap of the scenario: billed RPU-hours by day and hour of day.
pub(crate) fn heatmap_chart(hours: &mut Hours<'_>) -> Result<Option<Chart>, Error> {
    let scenario = hours.scenario;
    if scenario.serverless.is_none() {
        return Ok(None);
    }
    let hourly = hours.get()?.to_vec();
    let clock = clock(scenario);
    Ok(Some(Chart::Heatmap(HeatmapChart {
        title: format!(
            "{}: billed RPU-hours by day and hour ({:.0} in the period)",
            scenario.name,
            hourly.iter().sum::<f64>() / SECONDS_PER_HOUR
        ),
        clock,
        hourly_rpu_seconds: hourly,
    })))
}

/// Writes one chart per Serverless scenario to `path` (suffixed by the scenario's name
/// when there are several, and then named in a note).
fn per_scenario(
    path: &Path,
    flag: &'static str,
    scenarios: &mut [Hours<'_>],
    mut make: impl FnMut(&mut Hours<'_>) -> Result<Option<Chart>, Error>,
    messages: &mut Messages,
) -> Result<(), Error> {
    if scenarios.is_empty() {
        return Err(Error::Input(format!(
            "{flag} needs a scenario with [serverless]"
        )));
    }
    let mut files = Vec::new();
    let several = scenarios.len() > 1;
    for h in scenarios.iter_mut() {
        let name = &h.scenario.name;
        let target = if several {
            suffixed(path, &slug(name))
        } else {
            path.to_path_buf()
        };
        let name = name.clone();
        if let Some(chart) = make(h)? {
            write_chart(&target, &chart)?;
            files.push((name, target.display().to_string()));
        }
    }
    if files.len() > 1 {
        messages.note(RunNote::ChartFiles { what: flag, files });
    }
    Ok(())
}

/// Writes the charts `estimate` was asked for.
pub(crate) fn estimate_charts<'a>(
    config: &ChartConfig,
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    report: &Report,
    messages: &mut Messages,
) -> Result<(), Error> {
    if let Some(path) = &config.chart {
        write_chart(path, &cost_breakdown(report))?;
    }
    // One simulation of the hours per scenario serves the window and the heatmap.
    let mut with_serverless: Vec<Hours<'_>> = scenarios
        .into_iter()
        .filter(|s| s.serverless.is_some())
        .map(Hours::new)
        .collect();
    if let Some(path) = &config.timeline {
        let window = config.window;
        per_scenario(
            path,
            "--timeline",
            &mut with_serverless,
            |h| timeline_chart(h, window),
            messages,
        )?;
    }
    if let Some(path) = &config.heatmap {
        per_scenario(
            path,
            "--heatmap",
            &mut with_serverless,
            heatmap_chart,
            messages,
        )?;
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
