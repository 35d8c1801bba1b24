//! One scenario's estimate: plan the jobs, simulate the period, price every component.

use super::costs::{compute_line, snapshot_lines, ComponentKind, CostLine, GB_MONTH};
use super::engine::{simulate, Capacity, EngineError, SimResult};
use super::workload::{plan, ClassKind};
use crate::pricing::RegionPrices;
use crate::scenario::Scenario;
use crate::units::{Rpu, RpuSeconds, Usd};
use thiserror::Error;

/// A scenario that cannot be priced with the prices at hand.
#[derive(Debug, Error, PartialEq)]
pub enum EstimateError {
    #[error("scenario `{scenario}`: the price book has no {what} price for {region}; set [prices] {key} in the scenario (or --set prices.{key}=...)")]
    MissingPrice {
        scenario: String,
        region: String,
        what: &'static str,
        key: &'static str,
    },
    #[error("scenario `{scenario}`: {source}")]
    Engine {
        scenario: String,
        source: EngineError,
    },
}

/// The engine's figures with the class names attached.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerlessFigures {
    pub base_rpu: Rpu,
    pub max_rpu: Rpu,
    pub sim: SimResult,
    /// Class names in the order of `sim.by_class_rpu_seconds`.
    pub classes: Vec<String>,
}

/// Everything estimated for one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioEstimate {
    pub name: String,
    pub region: String,
    pub period_hours: f64,
    pub budget_usd: Option<f64>,
    pub lines: Vec<CostLine>,
    pub serverless: Option<ServerlessFigures>,
}

impl ScenarioEstimate {
    pub fn total(&self) -> Usd {
        self.lines.iter().map(|l| l.cost).sum()
    }

    /// `Some(excess)` when the total is over the budget.
    pub fn over_budget(&self) -> Option<f64> {
        let budget = self.budget_usd?;
        let total = self.total().0;
        (total > budget).then_some(total - budget)
    }
}

/// Estimates `scenario` with `prices` (already resolved for its region, overrides applied).
pub fn estimate(
    scenario: &Scenario,
    prices: &RegionPrices,
) -> Result<ScenarioEstimate, EstimateError> {
    let missing = |what, key| EstimateError::MissingPrice {
        scenario: scenario.name.clone(),
        region: scenario.region.clone(),
        what,
        key,
    };
    let mut lines = Vec::new();
    let mut serverless = None;

    if let Some(sv) = &scenario.serverless {
        let capacity = Capacity {
            base: sv.base_rpu,
            max: sv.max_rpu,
        };
        let plan = plan(scenario, capacity);
        let sim = simulate(&plan.input).map_err(|source| EstimateError::Engine {
            scenario: scenario.name.clone(),
            source,
        })?;
        if !plan.input.classes.is_empty() {
            let rpu_hour = prices
                .rpu_hour
                .ok_or_else(|| missing("Serverless RPU-hour", "rpu_hour"))?;
            for ((name, kind), rpu_seconds) in plan
                .input
                .classes
                .iter()
                .zip(&plan.kinds)
                .zip(&sim.by_class_rpu_seconds)
            {
                let (component, kind) = match kind {
                    ClassKind::Workload => {
                        (format!("compute: {name}"), ComponentKind::ServerlessCompute)
                    }
                    ClassKind::ZeroEtl => (format!("compute: {name}"), ComponentKind::ZeroEtlSync),
                };
                lines.push(compute_line(
                    component,
                    kind,
                    RpuSeconds(rpu_seconds.0),
                    rpu_hour,
                ));
            }
        }
        serverless = Some(ServerlessFigures {
            base_rpu: sv.base_rpu,
            max_rpu: sv.max_rpu,
            sim,
            classes: plan.input.classes,
        });
    }

    let storage = &scenario.storage;
    if storage.managed_gb > 0.0 {
        let rms = prices
            .rms_gb_month
            .ok_or_else(|| missing("managed storage (RMS)", "managed_storage_gb_month"))?;
        lines.push(CostLine::new(
            "managed storage".into(),
            ComponentKind::ManagedStorage,
            storage.managed_gb * period_months(scenario),
            GB_MONTH,
            rms,
        ));
    }
    if storage.snapshot_gb > 0.0 {
        if prices.backup_tiers.is_empty() {
            return Err(missing("backup storage", "backup_gb_month"));
        }
        let months = period_months(scenario);
        for mut line in snapshot_lines(storage.snapshot_gb, &prices.backup_tiers) {
            // Tiers apply to the GB held; a period other than a month scales the GB-months.
            line.quantity *= months;
            line.cost = Usd(line.quantity * line.unit_price.usd);
            lines.push(line);
        }
    }

    Ok(ScenarioEstimate {
        name: scenario.name.clone(),
        region: scenario.region.clone(),
        period_hours: scenario.period.hours,
        budget_usd: scenario.budget_usd,
        lines,
        serverless,
    })
}

/// The period in billing months. The model doc's worked example prices 30 days of
/// storage as one month (100 GB × 0.0261 = 2.61), so a period of 28 to 31 days counts
/// as exactly one month; other lengths scale by 730-hour months.
pub fn period_months(scenario: &Scenario) -> f64 {
    let days = scenario.period.hours / crate::units::HOURS_PER_DAY;
    if (28.0..=31.0).contains(&days) {
        1.0
    } else {
        scenario.period.hours / crate::units::HOURS_PER_MONTH
    }
}
