//! Model against observation: the modelled compute of the observed window, and the
//! calibration that scales workload durations until it matches what CloudWatch measured.
//!
//! CloudWatch's `ComputeSeconds` excludes the 60-second minimum charges, so the like-for-like
//! modelled figure is the integral of capacity over busy periods: billed RPU-seconds less the
//! charged-but-idle remainder (`B` × (billed seconds − busy seconds), `docs/model.md`).

use crate::engine::{simulate, Capacity, EngineError, SimResult};
use crate::model::workload::plan;
use crate::scenario::{Scenario, TraceRow, WorkloadSource};
use crate::units::{Rpu, SECONDS_PER_HOUR};
use thiserror::Error;

/// Secant iterations at most; each is one simulation of the period.
pub const MAX_ITERATIONS: usize = 30;
/// Converged when the modelled compute is within this fraction of the observation.
pub const TOLERANCE: f64 = 1e-6;
/// A calibration that ends further than this from the observation is reported as such.
pub const ACCEPTABLE: f64 = 0.01;

/// Modelled compute excluding the 60-second minimum charges: what `ComputeSeconds` measures.
pub fn usage_rpu_seconds(sim: &SimResult, base: Rpu) -> f64 {
    (sim.billed_rpu_seconds.0 - base * (sim.billed_seconds - sim.busy_seconds)).max(0.0)
}

/// Modelled compute over an observed window, pro rata of the simulated period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowCompute {
    /// Excluding minimum charges (compare with `ComputeSeconds`).
    pub usage_rpu_seconds: f64,
    /// Billed, minimum charges included.
    pub billed_rpu_seconds: f64,
}

/// Scales `window_hours` of a simulated period of `period_hours`.
pub fn window_compute(
    sim: &SimResult,
    base: Rpu,
    period_hours: f64,
    window_hours: f64,
) -> WindowCompute {
    let ratio = window_hours / period_hours;
    WindowCompute {
        usage_rpu_seconds: usage_rpu_seconds(sim, base) * ratio,
        billed_rpu_seconds: sim.billed_rpu_seconds.0 * ratio,
    }
}

/// Multiplies every workload's job durations (generated and trace) by `factor`.
/// Zero-ETL syncs are left alone: their length is configuration, not workload.
pub fn scale_workloads(scenario: &mut Scenario, factor: f64) {
    for w in &mut scenario.workloads {
        match &mut w.source {
            WorkloadSource::Arrivals(a) => {
                a.duration *= factor;
                if let Some(s) = &mut a.spread {
                    s.p95 *= factor;
                }
            }
            WorkloadSource::Trace(t) => {
                t.rows = std::sync::Arc::new(
                    t.rows
                        .iter()
                        .map(|r| TraceRow {
                            duration: r.duration * factor,
                            ..*r
                        })
                        .collect(),
                );
            }
        }
    }
}

/// Why a scenario cannot be calibrated.
#[derive(Debug, Error, PartialEq)]
pub enum CalibrationError {
    #[error("it has no [serverless] section")]
    NoServerless,
    #[error("it has no [[workload]] whose durations could be scaled")]
    NoWorkloads,
    #[error("CloudWatch observed no compute in the window (all {0} days are gaps or zero)")]
    NothingObserved(u32),
    #[error("its workloads model no compute to scale")]
    NoWorkloadCompute,
    #[error("{0}")]
    Engine(#[from] EngineError),
}

/// The result of a calibration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// Workload durations were multiplied by this.
    pub factor: f64,
    /// The observation, RPU-seconds over the window.
    pub observed_rpu_seconds: f64,
    /// Modelled (excluding minimum charges) over the window, before and after.
    pub before_rpu_seconds: f64,
    pub after_rpu_seconds: f64,
    /// Simulations run.
    pub iterations: usize,
}

impl Calibration {
    /// `(after − observed) / observed`.
    pub fn residual(&self) -> f64 {
        (self.after_rpu_seconds - self.observed_rpu_seconds) / self.observed_rpu_seconds
    }
}

/// The modelled compute (excluding minimum charges) of a `window_hours` window with every
/// workload duration multiplied by `factor`.
pub fn modelled(
    scenario: &Scenario,
    factor: f64,
    window_hours: f64,
) -> Result<f64, CalibrationError> {
    let sv = scenario
        .serverless
        .as_ref()
        .ok_or(CalibrationError::NoServerless)?;
    let mut s = scenario.clone();
    scale_workloads(&mut s, factor);
    let p = plan(
        &s,
        Capacity {
            base: sv.base_rpu,
            max: sv.max_rpu,
        },
    );
    let sim = simulate(&p.input)?;
    Ok(window_compute(&sim, sv.base_rpu, s.period.hours, window_hours).usage_rpu_seconds)
}

/// Finds the factor on workload durations that makes the modelled compute of a
/// `window_days` window (excluding minimum charges) equal `observed_rpu_seconds`.
///
/// Modelled compute grows continuously with the factor but not proportionally (capacity
/// never drops below base while busy; max capacity caps it), so the proportional factor is
/// only the first step: secant iterations follow, each one simulation, kept positive, and
/// the best factor found is verified by simulating it once more.
pub fn calibrate(
    scenario: &Scenario,
    observed_rpu_seconds: f64,
    window_days: u32,
) -> Result<Calibration, CalibrationError> {
    if scenario.serverless.is_none() {
        return Err(CalibrationError::NoServerless);
    }
    if scenario.workloads.is_empty() {
        return Err(CalibrationError::NoWorkloads);
    }
    if observed_rpu_seconds <= 0.0 {
        return Err(CalibrationError::NothingObserved(window_days));
    }
    let window_hours = f64::from(window_days) * 24.0;
    let target = observed_rpu_seconds;
    let before = modelled(scenario, 1.0, window_hours)?;
    let mut iterations = 1;
    // The part no factor changes (zero-ETL syncs): what a vanishing factor leaves.
    let floor = modelled(scenario, 1e-9, window_hours)?;
    iterations += 1;
    if before - floor <= f64::EPSILON * before.max(1.0) {
        return Err(CalibrationError::NoWorkloadCompute);
    }

    let (mut f0, mut g0) = (1.0, before - target);
    let mut best = (f0, g0.abs());
    // Proportional on the part that scales.
    let mut f1 = ((target - floor) / (before - floor)).max(1e-6);
    while iterations < MAX_ITERATIONS && best.1 > TOLERANCE * target {
        let g1 = modelled(scenario, f1, window_hours)? - target;
        iterations += 1;
        if g1.abs() < best.1 {
            best = (f1, g1.abs());
        }
        if g1.abs() <= TOLERANCE * target {
            break;
        }
        let mut next = if g1 == g0 {
            f1 * target / (g1 + target)
        } else {
            f1 - g1 * (f1 - f0) / (g1 - g0)
        };
        if !next.is_finite() || next <= 0.0 {
            next = f1 / 2.0;
        }
        (f0, g0) = (f1, g1);
        f1 = next;
    }
    let factor = best.0;
    let after = modelled(scenario, factor, window_hours)?;
    iterations += 1;
    Ok(Calibration {
        factor,
        observed_rpu_seconds: target,
        before_rpu_seconds: before,
        after_rpu_seconds: after,
        iterations,
    })
}

/// RPU-hours, for messages.
pub fn hours(rpu_seconds: f64) -> f64 {
    rpu_seconds / SECONDS_PER_HOUR
}

/// Which metering rule an observed minimum-charge overhead (billed ÷ ran) follows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeteringFit {
    pub observed: f64,
    /// The modelled overhead under `busy-period` and under `per-minute`.
    pub busy_period: f64,
    pub per_minute: f64,
    /// The rule nearer the observation; `None` when the two rules' overheads are too
    /// close for the data to tell them apart.
    pub pick: Option<crate::engine::Metering>,
}

/// Two modelled overheads closer than this (relative) cannot be told apart.
pub const METERING_RESOLUTION: f64 = 0.005;

/// Compares an observed overhead with each rule's modelled one (all ratios ≥ 1).
pub fn fit_metering(observed: f64, busy_period: f64, per_minute: f64) -> MeteringFit {
    use crate::engine::Metering;
    let apart =
        (busy_period - per_minute).abs() / busy_period.min(per_minute).max(f64::MIN_POSITIVE);
    let pick = (observed.is_finite() && apart >= METERING_RESOLUTION).then(|| {
        if (observed - busy_period).abs() <= (observed - per_minute).abs() {
            Metering::BusyPeriod
        } else {
            Metering::PerMinute
        }
    });
    MeteringFit {
        observed,
        busy_period,
        per_minute,
        pick,
    }
}

#[cfg(test)]
mod metering_fit_tests {
    use super::*;
    use crate::engine::Metering;

    #[test]
    fn the_nearer_rule_wins_unless_the_rules_agree() {
        assert_eq!(
            fit_metering(1.31, 1.20, 1.35).pick,
            Some(Metering::PerMinute)
        );
        assert_eq!(
            fit_metering(1.19, 1.20, 1.35).pick,
            Some(Metering::BusyPeriod)
        );
        assert_eq!(fit_metering(1.2, 1.200, 1.201).pick, None);
        assert_eq!(fit_metering(f64::NAN, 1.2, 1.4).pick, None);
    }
}
