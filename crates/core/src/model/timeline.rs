//! The capacity timeline of a scenario over a window of its period (for charts).

use super::workload::plan;
use crate::engine::{simulate_with, Capacity, EngineError, SimOptions, Timeline};
use crate::scenario::Scenario;
use crate::units::Seconds;

/// Simulates `scenario` again, recording capacity over `[from, to)` seconds from the
/// period start. `None` when the scenario has no Serverless workgroup.
pub fn capacity_timeline(
    scenario: &Scenario,
    from: Seconds,
    to: Seconds,
) -> Result<Option<Timeline>, EngineError> {
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
    Ok(result.timeline)
}
