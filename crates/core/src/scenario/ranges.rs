//! Inputs a scenario gives as ranges, and how it grows: plain data, decoded by the loader
//! and used by `uncertainty` (Monte Carlo runs) and `forecast`.

use super::Z95;
use chrono::NaiveDate;

/// Draws are clamped to this many standard deviations (a 1-in-30,000 tail each side), so
/// a run never asks for an unbounded volume; the loader checks job counts at the top.
pub const Z_CLAMP: f64 = 4.0;

/// A value known as a range: its 5th and 95th percentiles (`0 < p5 < p95`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub p5: f64,
    pub p95: f64,
}

impl Range {
    /// The median of the log-normal through the two quantiles: `√(p5 × p95)`.
    pub fn median(&self) -> f64 {
        (self.p5 * self.p95).sqrt()
    }

    /// `σ` of the log-normal: `ln(p95 / p5) / (2 × z95)`.
    pub fn sigma(&self) -> f64 {
        (self.p95 / self.p5).ln() / (2.0 * Z95)
    }

    /// The value at standard normal `z` (clamped to ±[`Z_CLAMP`]).
    pub fn at(&self, z: f64) -> f64 {
        self.median() * (self.sigma() * z.clamp(-Z_CLAMP, Z_CLAMP)).exp()
    }

    /// The largest value a run may draw.
    pub fn top(&self) -> f64 {
        self.at(Z_CLAMP)
    }
}

/// What an uncertain input sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sets {
    /// A factor on a workload's jobs a day (`per_day`, `users`,
    /// `queries_per_user_per_day`): the drawn value over the median.
    WorkloadRate { workload: String },
    /// A periodic workload's `every` (seconds).
    WorkloadEvery { workload: String },
    /// `[storage] managed_gb`.
    ManagedGb,
    /// `[storage] snapshot_gb`.
    SnapshotGb,
    /// `[spectrum] tb_per_day`.
    SpectrumTbPerDay,
    /// `[spectrum] queries_per_day`.
    SpectrumQueriesPerDay,
}

/// One input given as a range.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertainInput {
    /// As written: `analysts.per_day`, `storage.managed_gb`, ...
    pub name: String,
    pub sets: Sets,
    pub range: Range,
}

/// How storage grows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StorageGrowth {
    /// GB added a month.
    GbPerMonth(f64),
    /// Percent a month, compounding.
    PctPerMonth(f64),
}

/// `[growth]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Growth {
    pub storage: Option<StorageGrowth>,
    /// Percent a month for every workload (`workload_pct_per_month = 3`).
    pub workload_pct: f64,
    /// Percent a month by workload name (`workload_pct_per_month = { analysts = 5 }`);
    /// replaces `workload_pct` for the workloads it names.
    pub workload_pct_by_name: Vec<(String, f64)>,
    /// The first day of month 1 (`start = "2027-01"`); the period's start otherwise.
    pub start: Option<NaiveDate>,
}

impl Growth {
    /// The growth of `workload`, percent a month.
    pub fn workload_pct_of(&self, workload: &str) -> f64 {
        self.workload_pct_by_name
            .iter()
            .find(|(n, _)| n == workload)
            .map_or(self.workload_pct, |(_, p)| *p)
    }
}
