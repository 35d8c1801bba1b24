//! What a run tells its user besides the report, as typed values that carry facts
//! (names, numbers, dates): the warnings and the run's notes. `report::messages` words
//! them; the one printer (`output::Messages`) groups them by [`WarningKind`] and prints
//! each once.

use crate::prices::Provenance;
use chrono::NaiveDate;

/// Where a run's prices fell back to when a live answer could not be had.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PriceFallback {
    /// The bundled price book, as of its date.
    Bundled { as_of: NaiveDate },
    /// A stale cached answer, fetched on its date.
    Cached { fetched: NaiveDate },
}

/// Which answer a price check was made on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PriceAnswer {
    Live,
    Cached,
}

/// One warning of a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// A scenario file or trace breaks no rule but looks wrong: the loader's located
    /// message (`file:line:col: ...`, or `--set arg: ...`).
    Scenario { located: String },
    /// The price cache could not be read; it is replaced by the next live answer.
    PriceCacheUnreadable { reason: String },
    /// The cached prices of a region are older than the cache's maximum age.
    PriceCacheOld {
        region: String,
        days: i64,
        fetched: NaiveDate,
    },
    /// `--prices cache` and no cached prices for a region.
    NoCachedPrices { region: String, as_of: NaiveDate },
    /// The live answer for a region came with a remark (an unknown unit, a skipped
    /// record).
    LivePriceRemark { region: String, remark: String },
    /// Prices of a live or cached answer that were not finite or not plausible next to
    /// the bundled ones (each `name = value (bundled: value)`).
    PricesRejected {
        region: String,
        answer: PriceAnswer,
        rejected: Vec<String>,
        factor: f64,
    },
    /// The price cache could not be written.
    PriceCacheUnwritable { path: String, reason: String },
    /// The live Price List could not be used; `regions` is `None` when it failed for
    /// every region of the run.
    LivePricesUnavailable {
        reason: String,
        fallback: PriceFallback,
        regions: Option<Vec<String>>,
    },
    /// Cost lines of a region used bundled prices the live or cached answer lacked
    /// (each named in words: `Serverless RPU-hour price`).
    PricesFellBack {
        region: String,
        answer: PriceAnswer,
        prices: Vec<String>,
        as_of: NaiveDate,
    },
    /// The price book has no such region: costs are not shown.
    UnknownRegion { region: String },
    /// `--calibrate` and no scenario has an `[observed]` table.
    NothingToCalibrate,
    /// `--calibrate`: this scenario has no `[observed]` table.
    NotCalibrated { scenario: String },
    /// Observed usage could not be read for any scenario (credentials, network).
    ObservedUsageUnavailable { reason: String },
    /// Observed usage could not be read for one scenario.
    ScenarioObservedUsageUnavailable { scenario: String, reason: String },
    /// Days of the observed window without ComputeSeconds datapoints.
    ObservationGaps {
        /// The scenario, when the observation is a scenario's `[observed]` window.
        scenario: Option<String>,
        gap_days: Vec<NaiveDate>,
        window_days: u32,
    },
    /// A calibration that ended further from the observation than acceptable.
    CalibrationOff { scenario: String, residual: f64 },
    /// `--max-staleness` on a sweep whose points have no staleness.
    NoStalenessToPick,
    /// A scenario's estimate is over its budget.
    OverBudget {
        scenario: String,
        budget_usd: f64,
        estimate_usd: f64,
        excess_usd: f64,
    },
}

/// The groups warnings are printed in, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WarningKind {
    /// What the scenario files say.
    Scenario,
    /// Where the prices came from.
    Prices,
    /// Observed usage and calibration.
    Usage,
    /// The run's own options.
    Run,
    /// Budgets exceeded (last: they decide the exit code).
    Budget,
}

impl Warning {
    pub fn kind(&self) -> WarningKind {
        match self {
            Warning::Scenario { .. } => WarningKind::Scenario,
            Warning::PriceCacheUnreadable { .. }
            | Warning::PriceCacheOld { .. }
            | Warning::NoCachedPrices { .. }
            | Warning::LivePriceRemark { .. }
            | Warning::PricesRejected { .. }
            | Warning::PriceCacheUnwritable { .. }
            | Warning::LivePricesUnavailable { .. }
            | Warning::PricesFellBack { .. }
            | Warning::UnknownRegion { .. } => WarningKind::Prices,
            Warning::NothingToCalibrate
            | Warning::NotCalibrated { .. }
            | Warning::ObservedUsageUnavailable { .. }
            | Warning::ScenarioObservedUsageUnavailable { .. }
            | Warning::ObservationGaps { .. }
            | Warning::CalibrationOff { .. } => WarningKind::Usage,
            Warning::NoStalenessToPick => WarningKind::Run,
            Warning::OverBudget { .. } => WarningKind::Budget,
        }
    }
}

/// One note of a run (printed unless `--quiet`).
#[derive(Debug, Clone, PartialEq)]
pub enum RunNote {
    /// The prices used: the sources' description, and (when there are estimates) how
    /// many cost lines each provenance priced.
    Prices {
        description: String,
        lines_by_source: Option<Vec<(Provenance, usize)>>,
    },
    /// The prices of an observation's region.
    ObservationPrices { description: String, region: String },
    /// A remark of the CloudWatch reading of a scenario's `[observed]` window.
    Observation { scenario: String, remark: String },
    /// What `history` read from a workgroup's system views.
    History { workgroup: String, remark: String },
    /// Charts of several scenarios asked for one file name: the file each went to.
    ChartFiles {
        what: &'static str,
        files: Vec<(String, String)>,
    },
}
