//! A scenario simulated again to record more than its figures: the capacity timeline
//! of a window, billed RPU-seconds by hour (for charts and the metering fit).

use super::workload::plan;
use crate::engine::{simulate_with, Capacity, EngineError, SimOptions, SimResult, Timeline};
use crate::scenario::Scenario;
use crate::units::Seconds;

/// Simulates `scenario`'s Serverless work again with `options` (what to record), at its
/// own capacity; with the names of its classes. `None` without a Serverless workgroup.
pub fn simulate_scenario(
    scenario: &Scenario,
    options: &SimOptions,
) -> Result<Option<(SimResult, Vec<String>)>, EngineError> {
    let Some(sv) = &scenario.serverless else {
        return Ok(None);
    };
    let capacity = Capacity {
        base: sv.base_rpu,
        max: sv.max_rpu,
    };
    let input = plan(scenario, capacity).input;
    let result = simulate_with(&input, options)?;
    Ok(Some((result, input.classes)))
}

/// The minimum-charge overhead (billed ÷ ran RPU-seconds) `scenario` models under
/// `rule` over its whole period: what the metering fit holds an observed overhead
/// against. `None` without Serverless work, or when nothing ran.
pub fn modelled_overhead(
    scenario: &Scenario,
    rule: crate::engine::Metering,
) -> Result<Option<f64>, EngineError> {
    let mut s = scenario.clone();
    let Some(sv) = s.serverless.as_mut() else {
        return Ok(None);
    };
    sv.metering = rule;
    Ok(simulate_scenario(&s, &SimOptions::default())?
        .map(|(r, _)| r)
        .filter(|r| r.busy_rpu_seconds.0 > 0.0)
        .map(|r| r.billed_rpu_seconds.0 / r.busy_rpu_seconds.0))
}

/// The capacity over `[from, to)` seconds from the period start, with the names of the
/// classes its segments split capacity by (for charts).
pub fn capacity_timeline(
    scenario: &Scenario,
    from: Seconds,
    to: Seconds,
) -> Result<Option<(Timeline, Vec<String>)>, EngineError> {
    let options = SimOptions {
        timeline: Some((from, to)),
        ..SimOptions::default()
    };
    Ok(simulate_scenario(scenario, &options)?
        .and_then(|(r, classes)| r.timeline.map(|t| (t, classes))))
}

/// The billed RPU-seconds of every hour of the period (for the month heatmap and the
/// busiest-hour window).
pub fn hourly_rpu_seconds(scenario: &Scenario) -> Result<Option<Vec<f64>>, EngineError> {
    let options = SimOptions {
        buckets: Some(crate::units::SECONDS_PER_HOUR),
        ..SimOptions::default()
    };
    Ok(simulate_scenario(scenario, &options)?.map(|(r, _)| r.bucket_billed_rpu_seconds))
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
