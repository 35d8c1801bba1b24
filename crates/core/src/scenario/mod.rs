//! Validated domain types: what a scenario means once every value has been checked.
//! Nothing here refers to TOML; `decode` builds these from the spanned document.

mod jobs;
mod ranges;
mod services;

use crate::units::{Rpu, Seconds};
use chrono::NaiveDate;
pub use jobs::{job_counts, ActiveDays, JobSource, BYTES_PER_GB, LAMBDA_PAYLOAD_BYTES};
pub use ranges::{Growth, Range, Sets, StorageGrowth, UncertainInput, Z_CLAMP};
pub use services::*;
use std::path::PathBuf;
use std::sync::Arc;

/// One scenario file, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// `name`.
    pub name: String,
    /// The file it was read from (for messages and for resolving trace paths).
    pub path: PathBuf,
    /// `region`, an AWS region code the price book knows.
    pub region: String,
    /// `period` (string form) or `[period]` (table form).
    pub period: Period,
    /// `budget_usd`: the period's cost ceiling, if any.
    pub budget_usd: Option<f64>,
    /// `[serverless]`; `None` when the file has no serverless table.
    pub serverless: Option<Serverless>,
    /// `[[workload]]` entries in file order.
    pub workloads: Vec<Workload>,
    /// `[zero_etl]`.
    pub zero_etl: Option<ZeroEtl>,
    /// `[storage]` (zeros when absent).
    pub storage: Storage,
    /// `[prices]` overrides.
    pub prices: PriceOverrides,
    /// `[observed]`: the workgroup whose CloudWatch metrics the estimate is held against.
    pub observed: Option<Observed>,
    /// `[provisioned]`: a provisioned cluster (with `[serverless]` too, an alternative).
    pub provisioned: Option<Provisioned>,
    /// `[serverless] reserved_rpu` and `reservation`.
    pub serverless_reservation: Option<ServerlessReservation>,
    /// `[spectrum]`.
    pub spectrum: Option<Spectrum>,
    /// `[data_sharing]`: cross-region data sharing.
    pub data_sharing: Option<DataSharing>,
    /// `[snapshots]`: automated snapshots and cross-region copies.
    pub snapshots: Option<Snapshots>,
    /// `[ml]`: Redshift ML training.
    pub ml: Option<Ml>,
    /// `[[pipeline]]` entries in file order.
    pub pipelines: Vec<Pipeline>,
    /// `timezone`: where `window` and `days` are read; `None` is UTC.
    pub timezone: Option<chrono_tz::Tz>,
    /// `seed`: where Monte Carlo runs draw their ranges from (`estimate --runs`).
    pub seed: u64,
    /// Inputs given as ranges (`per_day = { p5 = 80, p95 = 130 }`), each held at its
    /// median in the fields above.
    pub uncertain: Vec<UncertainInput>,
    /// `[growth]`, for `forecast`.
    pub growth: Option<Growth>,
    /// `terraform_address`: the resource of a Terraform plan the scenario models.
    pub terraform_address: Option<String>,
    /// `cloudformation_resource`: the logical ID of a template's resource it models.
    pub cloudformation_resource: Option<String>,
    /// Where some keys were written, for messages about the scenario after loading.
    pub locations: Locations,
}

/// Where parts of a scenario were written (`file:line:col`), for messages that arise
/// after loading (a missing price, an engine failure).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Locations {
    /// The scenario file.
    pub file: String,
    /// The `region = ...` line.
    pub region: Option<String>,
    /// Each `[[workload]]` header, by workload name.
    pub workloads: std::collections::BTreeMap<String, String>,
}

/// The simulated period: its length and the calendar date it starts on
/// (the date decides which days are weekdays).
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub hours: f64,
    pub start: NaiveDate,
}

impl Period {
    /// The default start date: a Monday, so `days = "weekdays"` starts on a working day.
    pub fn default_start() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 5).expect("valid date")
    }
}

/// `[serverless]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Serverless {
    /// Base capacity `B`.
    pub base_rpu: Rpu,
    /// Max capacity `M` (>= base).
    pub max_rpu: Rpu,
    /// `metering`: how the 60-second minimum applies.
    pub metering: crate::engine::Metering,
    /// `[serverless.usage_limit]` / `[[serverless.usage_limit]]`, in file order.
    pub usage_limits: Vec<crate::engine::UsageLimit>,
}

/// Which days of the period a workload runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Days {
    All,
    /// Monday to Friday, counted from the period's start date.
    Weekdays,
}

/// How arrivals are spread inside the daily window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArrivalPattern {
    /// Evenly spaced, the model doc's formula.
    Even,
    /// A seeded Poisson process with the same mean rate.
    Poisson { seed: u64 },
    /// `every` (with `offset`): one job every `every` seconds from `offset` after the
    /// window opens, on each active day; with the whole day on every day, one unbroken
    /// series from the period start.
    Every { every: Seconds, offset: Seconds },
}

/// A daily time window `[start, end)` in seconds after midnight. `end > start`;
/// `end` may exceed 86,400 for windows that run past midnight ("22:00-02:00").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub start: Seconds,
    pub end: Seconds,
}

impl Window {
    pub const WHOLE_DAY: Window = Window {
        start: 0.0,
        end: crate::units::SECONDS_PER_DAY,
    };

    pub fn length(&self) -> Seconds {
        self.end - self.start
    }

    /// Runs a day of a job every `every` seconds from `offset` into the window.
    pub fn runs_every(&self, every: Seconds, offset: Seconds) -> f64 {
        ((self.length() - offset) / every).ceil().max(0.0)
    }
}

/// One `[[workload]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub name: String,
    pub source: WorkloadSource,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WorkloadSource {
    /// Generated arrivals.
    Arrivals(Arrivals),
    /// A trace file, already read and checked.
    Trace(Trace),
}

/// Generated arrivals: `per_day` jobs a day (or `users` x `queries_per_user_per_day`).
#[derive(Debug, Clone, PartialEq)]
pub struct Arrivals {
    pub per_day: f64,
    /// Solo duration of each job; with [`Arrivals::spread`], the median.
    pub duration: Seconds,
    /// `duration = { median, p95 }`: log-normal durations, one draw per job.
    pub spread: Option<DurationSpread>,
    /// Demand of each job; `None` means the workgroup's base capacity.
    pub rpu: Option<Rpu>,
    pub window: Window,
    pub days: Days,
    pub pattern: ArrivalPattern,
}

/// A log-normal duration's 95th percentile and the seed of its draws.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DurationSpread {
    /// `q`, above the median.
    pub p95: Seconds,
    pub seed: u64,
    /// Draws are cut at this (the longest a job may run: the period plus a day).
    pub max_draw: Seconds,
}

/// The standard normal's 95th percentile.
pub const Z95: f64 = 1.644_853_6;

impl Arrivals {
    /// `sigma = ln(q / m) / 1.6448536` of the log-normal, 0 for a fixed duration.
    pub fn sigma(&self) -> f64 {
        self.spread
            .map_or(0.0, |s| (s.p95 / self.duration).ln() / Z95)
    }

    /// The mean solo duration: `m × exp(sigma² / 2)` (the duration itself when fixed).
    pub fn mean_duration(&self) -> Seconds {
        let sigma = self.sigma();
        self.duration * (sigma * sigma / 2.0).exp()
    }
}

/// A trace: one work job per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Resolved path of the CSV file.
    pub path: PathBuf,
    /// Demand for rows without an `rpu` column/value; `None` means base capacity.
    pub rpu: Option<Rpu>,
    /// The rows, sorted by arrival; shared with every simulation of the scenario (a
    /// sweep point or a calibration run reads them in place).
    pub rows: Arc<Vec<TraceRow>>,
    /// The distinct demands of the `rpu` column: rows refer to them by index.
    pub rpus: Arc<[Rpu]>,
    /// Class names of the `class` column, interned: rows refer to them by index.
    pub classes: Vec<String>,
}

/// One row of a trace: 24 bytes (see [`crate::engine::PackedJob`]), so that a month of millions of
/// queries fits.
pub type TraceRow = crate::engine::PackedJob;

impl Trace {
    /// Each row as (arrival, duration, its own demand, its own class name).
    pub fn expanded(&self) -> Vec<(Seconds, Seconds, Option<Rpu>, Option<String>)> {
        expand(&self.rows, &self.rpus, &self.classes)
    }
}

/// Rows with their demand and class looked up.
pub fn expand(
    rows: &[TraceRow],
    rpus: &[Rpu],
    classes: &[String],
) -> Vec<(Seconds, Seconds, Option<Rpu>, Option<String>)> {
    rows.iter()
        .map(|r| {
            (
                r.arrival,
                r.duration,
                rpus.get(r.rpu as usize).copied(),
                classes.get(r.class as usize).cloned(),
            )
        })
        .collect()
}

/// Zero-ETL integration sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZeroEtlSource {
    AuroraMysql,
    AuroraPostgresql,
    RdsMysql,
    Dynamodb,
}

impl ZeroEtlSource {
    pub const ALL: [ZeroEtlSource; 4] = [
        ZeroEtlSource::AuroraMysql,
        ZeroEtlSource::AuroraPostgresql,
        ZeroEtlSource::RdsMysql,
        ZeroEtlSource::Dynamodb,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ZeroEtlSource::AuroraMysql => "aurora-mysql",
            ZeroEtlSource::AuroraPostgresql => "aurora-postgresql",
            ZeroEtlSource::RdsMysql => "rds-mysql",
            ZeroEtlSource::Dynamodb => "dynamodb",
        }
    }

    /// REFRESH_INTERVAL range in seconds (AWS CREATE DATABASE docs).
    pub fn refresh_interval_range(self) -> (Seconds, Seconds) {
        match self {
            ZeroEtlSource::Dynamodb => (900.0, 432_000.0),
            _ => (0.0, 432_000.0),
        }
    }

    /// REFRESH_INTERVAL default in seconds.
    pub fn default_refresh_interval(self) -> Seconds {
        match self {
            ZeroEtlSource::Dynamodb => 900.0,
            _ => 0.0,
        }
    }
}

/// `[zero_etl]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ZeroEtl {
    pub source: ZeroEtlSource,
    /// REFRESH_INTERVAL in seconds; 0 means continuous replication.
    pub refresh_interval: Seconds,
    /// How long one refresh runs (used when the interval is > 0).
    pub sync_duration: Seconds,
    /// Demand of the sync; `None` means base capacity.
    pub sync_rpu: Option<Rpu>,
    /// `change_mb_per_hour` and `apply_mb_per_second`: each refresh applies the changes
    /// of its interval.
    pub change: Option<ChangeRate>,
}

/// How fast a zero-ETL source changes and how fast a refresh applies the changes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangeRate {
    /// `c`, MB of changed data an hour.
    pub mb_per_hour: f64,
    /// `p`, MB a second at the sync demand.
    pub apply_mb_per_second: f64,
}

impl ZeroEtl {
    /// How long one refresh runs: `sync_duration + c × (R / 3600) / p`, or
    /// `sync_duration` without a change rate (0 for continuous replication).
    pub fn refresh_seconds(&self) -> Seconds {
        if self.refresh_interval <= 0.0 {
            return 0.0;
        }
        self.sync_duration
            + self.change.map_or(0.0, |c| {
                c.mb_per_hour * (self.refresh_interval / crate::units::SECONDS_PER_HOUR)
                    / c.apply_mb_per_second
            })
    }
}

/// `[storage]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Storage {
    /// Redshift Managed Storage, GB (average over the period).
    pub managed_gb: f64,
    /// User snapshots billed at backup rates, GB.
    pub snapshot_gb: f64,
}

/// `[prices]`: per-scenario overrides (USD). `None` = use the price book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceOverrides {
    pub rpu_hour: Option<f64>,
    pub managed_storage_gb_month: Option<f64>,
    /// One rate for every backup tier.
    pub backup_gb_month: Option<f64>,
    /// Prices of the services around the warehouse (nodes, Spectrum, Lambda, SageMaker, ...).
    pub services: ServicePriceOverrides,
}

/// `[observed]`: where the warehouse's real usage is read (CloudWatch).
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The Serverless workgroup (`ComputeSeconds`, `ComputeCapacity`).
    pub workgroup: String,
    /// The namespace (`DataStorage`); discovered when absent.
    pub namespace: Option<String>,
    /// Whole UTC days of look-back (1 to 455, default 30).
    pub days: u32,
    /// The window ends at 00:00 UTC of this date (exclusive); `None` = today.
    pub end: Option<NaiveDate>,
    /// A zero-ETL integration whose `IntegrationLag` is shown beside REFRESH_INTERVAL.
    pub integration_id: Option<String>,
    /// `bill = true`: read the window's bill from Cost Explorer too.
    pub bill: bool,
    /// `cost_tag = "KEY=VALUE"`: only the costs with this cost-allocation tag.
    pub cost_tag: Option<(String, String)>,
}
