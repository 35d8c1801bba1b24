//! What a scenario asks of the simulation, computed from its rates alone: the days its
//! workloads run on, the Spectrum scans and Lambda pages it implies, and how many jobs
//! that makes. The loader refuses a scenario on these counts before any job exists; the
//! model builds its jobs from the same helpers.

use super::{
    ArrivalPattern, Arrivals, Days, LambdaExtract, Period, PipelineKind, Scenario, Spectrum,
    Window, WorkloadSource,
};
use crate::units::{
    Rpu, Seconds, GB_PER_TB, HOURS_PER_DAY, HOURS_PER_MONTH, SECONDS_PER_DAY, SECONDS_PER_HOUR,
};
use chrono::{Datelike, Duration, Weekday};

/// The largest response a Lambda function may return, bytes (its pages are cut to it).
pub const LAMBDA_PAYLOAD_BYTES: f64 = 6.0 * 1024.0 * 1024.0;
/// Bytes in a GB, as table sizes are given.
pub const BYTES_PER_GB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Day indices (from the period start) that overlap the period, all and weekdays only.
pub struct ActiveDays {
    pub all: Vec<u32>,
    pub weekdays: Vec<u32>,
}

impl ActiveDays {
    pub fn of(&self, days: Days) -> &[u32] {
        match days {
            Days::All => &self.all,
            Days::Weekdays => &self.weekdays,
        }
    }
}

impl Period {
    /// The period's length in seconds.
    pub fn seconds(&self) -> Seconds {
        self.hours * SECONDS_PER_HOUR
    }

    /// The period in billing months. The model doc's worked example prices 30 days of
    /// storage as one month (100 GB × 0.0261 = 2.61), so a period of 28 to 31 days counts
    /// as exactly one month; other lengths scale by 730-hour months.
    pub fn months(&self) -> f64 {
        let days = self.hours / HOURS_PER_DAY;
        if (28.0..=31.0).contains(&days) {
            1.0
        } else {
            self.hours / HOURS_PER_MONTH
        }
    }

    /// The days (from the start) that overlap the period, all and weekdays only.
    pub fn active_days(&self) -> ActiveDays {
        active_days(self.start, self.seconds())
    }
}

fn active_days(start: chrono::NaiveDate, horizon: Seconds) -> ActiveDays {
    let count = (horizon / SECONDS_PER_DAY).ceil() as u32;
    let all: Vec<u32> = (0..count).collect();
    let weekdays = all
        .iter()
        .copied()
        .filter(|&k| {
            let day = start + Duration::days(i64::from(k));
            !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
        })
        .collect();
    ActiveDays { all, weekdays }
}

impl Spectrum {
    /// Spectrum scans as arrivals: evenly over every day, each `GB per query / scan rate`
    /// long. `None` when nothing is scanned (or no scan rate: not a Serverless scenario).
    pub fn arrivals(&self, base: Rpu) -> Option<Arrivals> {
        let sp = self;
        let rate = sp.scan_gb_per_second?;
        if sp.queries_per_day <= 0.0 || sp.tb_per_day <= 0.0 {
            return None;
        }
        let gb_per_query = sp.tb_per_day * GB_PER_TB / sp.queries_per_day;
        Some(Arrivals {
            per_day: sp.queries_per_day,
            duration: gb_per_query / rate,
            spread: None,
            rpu: Some(sp.rpu.unwrap_or(base)),
            window: Window::WHOLE_DAY,
            days: Days::All,
            pattern: ArrivalPattern::Even,
        })
    }
}

impl LambdaExtract {
    /// Rows of one page: `page_rows`, or as many as fit in the 6 MB response.
    pub fn rows_per_page(&self) -> f64 {
        let bytes_per_row = self.bytes_per_row();
        match self.page_rows {
            Some(p) => p,
            None if bytes_per_row > 0.0 => (LAMBDA_PAYLOAD_BYTES / bytes_per_row).floor().max(1.0),
            None => self.rows.max(1.0),
        }
    }

    /// Bytes of one row as the response carries it.
    pub fn bytes_per_row(&self) -> f64 {
        if self.rows > 0.0 {
            self.table_gb * BYTES_PER_GB / self.rows
        } else {
            0.0
        }
    }

    /// Invocations (pages) of one sync.
    pub fn invocations_per_sync(&self) -> f64 {
        (self.rows / self.rows_per_page()).ceil().max(1.0)
    }
}

/// What asks the engine for jobs, for [`job_counts`] (the loader names them in its
/// refusal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobSource {
    Workload(String),
    ZeroEtl,
    Spectrum,
    Pipeline(String),
}

/// How many jobs `scenario` asks the engine for, per source, computed from its rates
/// without generating them (an upper bound for Poisson arrivals' expected count). What
/// the loader refuses a scenario on before any memory is spent.
pub fn job_counts(scenario: &Scenario) -> Vec<(JobSource, f64)> {
    let horizon = scenario.period.seconds();
    let days = scenario.period.active_days();
    let arrivals = |a: &Arrivals| -> f64 {
        let n = a.per_day * days.of(a.days).len() as f64;
        match a.pattern {
            ArrivalPattern::Even | ArrivalPattern::Every { .. } => n,
            // Six standard deviations above the mean.
            ArrivalPattern::Poisson { .. } => n + 6.0 * n.sqrt(),
        }
    };
    let mut out = Vec::new();
    for w in &scenario.workloads {
        let n = match &w.source {
            WorkloadSource::Arrivals(a) => arrivals(a),
            WorkloadSource::Trace(t) => t.rows.len() as f64,
        };
        out.push((JobSource::Workload(w.name.clone()), n));
    }
    if let Some(z) = &scenario.zero_etl {
        let n = if z.refresh_interval > 0.0 {
            (horizon / z.refresh_interval).ceil()
        } else {
            0.0
        };
        out.push((JobSource::ZeroEtl, n));
    }
    // The scan's demand does not change how many scans there are.
    if let Some(a) = scenario.spectrum.as_ref().and_then(|sp| sp.arrivals(1.0)) {
        out.push((JobSource::Spectrum, arrivals(&a)));
    }
    let months = scenario.period.months();
    for p in &scenario.pipelines {
        let n = match &p.kind {
            PipelineKind::LambdaExtract(l) => {
                (l.syncs_per_month * months).max(0.0).ceil() * l.invocations_per_sync().floor()
            }
            PipelineKind::SagemakerProcessing(s) => (s.runs_per_month * months).max(0.0).ceil(),
            PipelineKind::DataApi(a) => arrivals(a),
        };
        out.push((JobSource::Pipeline(p.name.clone()), n));
    }
    out
}
