//! The capacity timeline of a scenario over a window of its period (for charts).

use super::workload::plan;
use crate::engine::{simulate_with, Capacity, EngineError, SimOptions, Timeline};
use crate::scenario::Scenario;
use crate::units::Seconds;

/// Simulates `scenario` again, recording capacity over `[from, to)` seconds from the
/// period start, with the names of the classes its segments split capacity by. `None`
/// when the scenario has no Serverless workgroup.
pub fn capacity_timeline(
    scenario: &Scenario,
    from: Seconds,
    to: Seconds,
) -> Result<Option<(Timeline, Vec<String>)>, EngineError> {
    let Some(sv) = &scenario.serverless else {
        return Ok(None);
    };
    let capacity = Capacity {
        base: sv.base_rpu,
        max: sv.max_rpu,
    };
    let input = plan(scenario, capacity).input;
    let result = simulate_with(
        &input,
        &SimOptions {
            timeline: Some((from, to)),
            ..SimOptions::default()
        },
    )?;
    Ok(result.timeline.map(|t| (t, input.classes.clone())))
}

/// Simulates `scenario` again, recording the billed RPU-seconds of every hour of its
/// period (for the month heatmap and the busiest-hour window). `None` without a
/// Serverless workgroup.
pub fn hourly_rpu_seconds(scenario: &Scenario) -> Result<Option<Vec<f64>>, EngineError> {
    let Some(sv) = &scenario.serverless else {
        return Ok(None);
    };
    let capacity = Capacity {
        base: sv.base_rpu,
        max: sv.max_rpu,
    };
    let input = plan(scenario, capacity).input;
    let result = simulate_with(
        &input,
        &SimOptions {
            buckets: Some(crate::units::SECONDS_PER_HOUR),
            ..SimOptions::default()
        },
    )?;
    Ok(Some(result.bucket_billed_rpu_seconds))
}

/// The hour with the most billed RPU-seconds (the first of equals); `None` when nothing
/// was billed.
pub fn busiest_hour(hourly: &[f64]) -> Option<usize> {
    let (i, v) = hourly.iter().enumerate().fold(
        (0, 0.0),
        |best, (i, v)| if *v > best.1 { (i, *v) } else { best },
    );
    (v > 0.0).then_some(i)
}
