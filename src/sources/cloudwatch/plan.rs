//! Planning the CloudWatch queries, as data: which metric, which statistic, which period
//! for the look-back, and which unit probes. Nothing here talks to AWS.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Redshift Serverless metrics.
pub const SERVERLESS_NAMESPACE: &str = "AWS/Redshift-Serverless";
/// Provisioned clusters and zero-ETL integrations.
pub const REDSHIFT_NAMESPACE: &str = "AWS/Redshift";

/// The longest look-back: CloudWatch keeps 1-hour datapoints for 455 days.
pub const MAX_DAYS: u32 = 455;
/// The default look-back of `observe` and `[observed]`.
pub const DEFAULT_DAYS: u32 = 30;
/// The resolution of the series: hourly, valid for every look-back CloudWatch keeps.
pub const SERIES_PERIOD: i64 = 3600;
/// GetMetricData takes at most this many queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;

const SECONDS_PER_DAY: i64 = 86_400;

/// The observed window: whole UTC days, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObservedWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl ObservedWindow {
    /// The `days` whole UTC days before `end` (00:00 UTC of that date, exclusive); `end`
    /// defaults to today, so today's partial day is never part of the window. `now` is the
    /// current time (a parameter, so that the rules can be tested).
    pub fn days_before(
        end: Option<NaiveDate>,
        days: u32,
        now: DateTime<Utc>,
    ) -> Result<ObservedWindow, String> {
        if days == 0 || days > MAX_DAYS {
            return Err(format!(
                "days must be between 1 and {MAX_DAYS} (CloudWatch keeps hourly data for {MAX_DAYS} days); found {days}"
            ));
        }
        let today = now.date_naive();
        let end_date = end.unwrap_or(today);
        if end_date > today {
            return Err(format!(
                "the window cannot end after today ({today}, UTC); found end {end_date}"
            ));
        }
        let end = end_date.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        let start = end - Duration::days(i64::from(days));
        if (today - start.date_naive()).num_days() > i64::from(MAX_DAYS) {
            return Err(format!(
                "the window starts on {}, more than {MAX_DAYS} days ago: CloudWatch no longer has that data",
                start.date_naive()
            ));
        }
        Ok(ObservedWindow { start, end })
    }

    pub fn days(&self) -> u32 {
        ((self.end - self.start).num_seconds() / SECONDS_PER_DAY) as u32
    }

    pub fn hours(&self) -> f64 {
        (self.end - self.start).num_seconds() as f64 / 3600.0
    }

    pub fn seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }

    /// Every date of the window, in order.
    pub fn dates(&self) -> Vec<NaiveDate> {
        let first = self.start.date_naive();
        (0..self.days())
            .map(|i| first + Duration::days(i64::from(i)))
            .collect()
    }
}

/// The smallest valid period at least `desired` seconds long, for data that starts
/// `start_age` seconds ago. CloudWatch answers only periods that are multiples of 60 s,
/// of 300 s when the start is more than 15 days ago, of 3600 s beyond 63 days.
pub fn valid_period(desired: i64, start_age: i64) -> i64 {
    let step = if start_age > 63 * SECONDS_PER_DAY {
        3600
    } else if start_age > 15 * SECONDS_PER_DAY {
        300
    } else {
        60
    };
    let desired = desired.max(step);
    (desired + step - 1) / step * step
}

/// How a metric's values convert to the unit the report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitFamily {
    /// Durations, reported in seconds.
    Time,
    /// Sizes, reported in GB (binary: 1 GB = 1024 MB).
    Storage,
    /// Counts and capacities (RPU): no conversion, no probes.
    Plain,
}

impl UnitFamily {
    /// CloudWatch units this family may be published in, with the factor to the
    /// report's unit.
    pub fn candidates(self) -> &'static [(&'static str, f64)] {
        const KB: f64 = 1024.0;
        match self {
            UnitFamily::Time => &[
                ("Seconds", 1.0),
                ("Milliseconds", 1e-3),
                ("Microseconds", 1e-6),
            ],
            UnitFamily::Storage => &[
                ("Bytes", 1.0 / (KB * KB * KB)),
                ("Kilobytes", 1.0 / (KB * KB)),
                ("Megabytes", 1.0 / KB),
                ("Gigabytes", 1.0),
                ("Terabytes", KB),
            ],
            UnitFamily::Plain => &[],
        }
    }

    /// The unit assumed when the data carries none of the candidates (`None`, `Count`),
    /// as documented by AWS.
    pub fn documented(self) -> (&'static str, f64) {
        match self {
            UnitFamily::Time => ("Seconds", 1.0),
            UnitFamily::Storage => ("Megabytes", 1.0 / 1024.0),
            UnitFamily::Plain => ("Count", 1.0),
        }
    }

    /// The report's unit.
    pub fn target(self) -> &'static str {
        match self {
            UnitFamily::Time => "seconds",
            UnitFamily::Storage => "GB",
            UnitFamily::Plain => "count",
        }
    }
}

/// A series the report reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Series {
    /// `ComputeSeconds` Sum (RPU-seconds), dimension Workgroup.
    ComputeSeconds,
    /// `ComputeCapacity` Average (RPU), dimension Workgroup.
    CapacityAvg,
    /// `ComputeCapacity` Maximum (RPU), dimension Workgroup.
    CapacityMax,
    /// `DataStorage` Average, dimension Namespace.
    DataStorage,
    /// `SnapshotStorage` Average, no dimensions.
    SnapshotStorage,
    /// `ConcurrencyScalingSeconds` Sum, dimension ClusterIdentifier.
    ConcurrencyScaling,
    /// `RedshiftManagedStorageTotalCapacity` Average, dimension ClusterIdentifier.
    ClusterStorage,
    /// `IntegrationLag` p50 over the window, dimension IntegrationId.
    LagP50,
    /// `IntegrationLag` p95 over the window, dimension IntegrationId.
    LagP95,
}

impl Series {
    pub fn namespace(self) -> &'static str {
        match self {
            Series::ComputeSeconds
            | Series::CapacityAvg
            | Series::CapacityMax
            | Series::DataStorage
            | Series::SnapshotStorage => SERVERLESS_NAMESPACE,
            Series::ConcurrencyScaling
            | Series::ClusterStorage
            | Series::LagP50
            | Series::LagP95 => REDSHIFT_NAMESPACE,
        }
    }

    pub fn metric(self) -> &'static str {
        match self {
            Series::ComputeSeconds => "ComputeSeconds",
            Series::CapacityAvg | Series::CapacityMax => "ComputeCapacity",
            Series::DataStorage => "DataStorage",
            Series::SnapshotStorage => "SnapshotStorage",
            Series::ConcurrencyScaling => "ConcurrencyScalingSeconds",
            Series::ClusterStorage => "RedshiftManagedStorageTotalCapacity",
            Series::LagP50 | Series::LagP95 => "IntegrationLag",
        }
    }

    pub fn stat(self) -> &'static str {
        match self {
            Series::ComputeSeconds | Series::ConcurrencyScaling => "Sum",
            Series::CapacityAvg
            | Series::DataStorage
            | Series::SnapshotStorage
            | Series::ClusterStorage => "Average",
            Series::CapacityMax => "Maximum",
            Series::LagP50 => "p50",
            Series::LagP95 => "p95",
        }
    }

    pub fn family(self) -> UnitFamily {
        match self {
            Series::ComputeSeconds
            | Series::ConcurrencyScaling
            | Series::LagP50
            | Series::LagP95 => UnitFamily::Time,
            Series::DataStorage | Series::SnapshotStorage | Series::ClusterStorage => {
                UnitFamily::Storage
            }
            Series::CapacityAvg | Series::CapacityMax => UnitFamily::Plain,
        }
    }

    /// The query id prefix (GetMetricData ids start with a lowercase letter).
    fn id(self) -> &'static str {
        match self {
            Series::ComputeSeconds => "compute",
            Series::CapacityAvg => "capavg",
            Series::CapacityMax => "capmax",
            Series::DataStorage => "storage",
            Series::SnapshotStorage => "snapshot",
            Series::ConcurrencyScaling => "cscaling",
            Series::ClusterStorage => "rms",
            Series::LagP50 => "lagp50",
            Series::LagP95 => "lagp95",
        }
    }

    /// Percentile statistics over the whole window (one value), not an hourly series.
    pub fn is_percentile(self) -> bool {
        matches!(self, Series::LagP50 | Series::LagP95)
    }
}

/// What a query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The series itself.
    Data,
    /// SampleCount over the window with `Unit` set to candidate `n` of the family: data
    /// published in that unit answers, other data does not. GetMetricData returns no unit,
    /// so this is how the unit is read from the data.
    UnitProbe(usize),
}

/// One GetMetricData query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub id: String,
    pub series: Series,
    pub purpose: Purpose,
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimensions: Vec<(String, String)>,
    pub stat: &'static str,
    pub period: i64,
    pub unit: Option<&'static str>,
}

/// What to observe. Empty fields are not queried.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Target {
    pub workgroup: Option<String>,
    pub namespace: Option<String>,
    pub cluster: Option<String>,
    pub integration: Option<String>,
}

/// The queries of one observation, split into calls: percentile statistics go in a call
/// of their own, so that a failure there (moto answers them with a 500) costs only them.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPlan {
    pub window: ObservedWindow,
    pub main: Vec<Query>,
    pub percentiles: Vec<Query>,
}

impl MetricPlan {
    pub fn all(&self) -> impl Iterator<Item = &Query> {
        self.main.iter().chain(&self.percentiles)
    }

    pub fn query(&self, id: &str) -> Option<&Query> {
        self.all().find(|q| q.id == id)
    }
}

/// Plans the queries for `target` over `window`, `now` being the current time.
pub fn plan(target: &Target, window: ObservedWindow, now: DateTime<Utc>) -> MetricPlan {
    let age = (now - window.start).num_seconds();
    let hourly = valid_period(SERIES_PERIOD, age);
    let whole = valid_period(window.seconds(), age);
    let mut series: Vec<(Series, Vec<(String, String)>)> = Vec::new();
    if let Some(wg) = &target.workgroup {
        let dims = vec![("Workgroup".to_string(), wg.clone())];
        series.push((Series::ComputeSeconds, dims.clone()));
        series.push((Series::CapacityAvg, dims.clone()));
        series.push((Series::CapacityMax, dims));
        series.push((Series::SnapshotStorage, Vec::new()));
    }
    if let Some(ns) = &target.namespace {
        series.push((
            Series::DataStorage,
            vec![("Namespace".to_string(), ns.clone())],
        ));
    }
    if let Some(c) = &target.cluster {
        let dims = vec![("ClusterIdentifier".to_string(), c.clone())];
        series.push((Series::ConcurrencyScaling, dims.clone()));
        series.push((Series::ClusterStorage, dims));
    }
    if let Some(i) = &target.integration {
        let dims = vec![("IntegrationId".to_string(), i.clone())];
        series.push((Series::LagP50, dims.clone()));
        series.push((Series::LagP95, dims));
    }

    let mut main = Vec::new();
    let mut percentiles = Vec::new();
    let mut probed: Vec<(&'static str, Vec<(String, String)>)> = Vec::new();
    for (s, dims) in series {
        let query = |id: String, purpose, stat, period, unit| Query {
            id,
            series: s,
            purpose,
            namespace: s.namespace(),
            metric: s.metric(),
            dimensions: dims.clone(),
            stat,
            period,
            unit,
        };
        let period = if s.is_percentile() { whole } else { hourly };
        let data = query(s.id().to_string(), Purpose::Data, s.stat(), period, None);
        if s.is_percentile() {
            percentiles.push(data);
        } else {
            main.push(data);
        }
        // One set of probes per metric (p50 and p95 share IntegrationLag's).
        let key = (s.metric(), dims.clone());
        if probed.contains(&key) {
            continue;
        }
        probed.push(key);
        for (i, (unit, _)) in s.family().candidates().iter().enumerate() {
            main.push(query(
                format!("{}_unit{i}", s.id()),
                Purpose::UnitProbe(i),
                "SampleCount",
                whole,
                Some(unit),
            ));
        }
    }
    MetricPlan {
        window,
        main,
        percentiles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 15, 30, 0).unwrap()
    }

    #[test]
    fn window_is_whole_days_before_the_end() {
        let w = ObservedWindow::days_before(None, 30, now()).unwrap();
        assert_eq!(w.end, Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap());
        assert_eq!(
            w.start,
            Utc.with_ymd_and_hms(2026, 10, 22, 0, 0, 0).unwrap()
        );
        assert_eq!(w.days(), 30);
        assert_eq!(w.hours(), 720.0);
        let dates = w.dates();
        assert_eq!(dates.len(), 30);
        assert_eq!(dates[0].to_string(), "2026-10-22");
        assert_eq!(dates[29].to_string(), "2026-11-20");

        let end = NaiveDate::from_ymd_opt(2026, 2, 1);
        let w = ObservedWindow::days_before(end, 31, now()).unwrap();
        assert_eq!(w.start.date_naive().to_string(), "2026-01-01");
    }

    #[test]
    fn window_rules() {
        assert!(ObservedWindow::days_before(None, 0, now())
            .unwrap_err()
            .contains("between 1 and 455"));
        assert!(ObservedWindow::days_before(None, 456, now()).is_err());
        assert!(ObservedWindow::days_before(None, 455, now()).is_ok());
        let tomorrow = NaiveDate::from_ymd_opt(2026, 11, 22);
        assert!(ObservedWindow::days_before(tomorrow, 1, now())
            .unwrap_err()
            .contains("cannot end after today"));
        let old = NaiveDate::from_ymd_opt(2025, 9, 1);
        assert!(ObservedWindow::days_before(old, 30, now())
            .unwrap_err()
            .contains("more than 455 days ago"));
    }

    #[test]
    fn periods_follow_the_look_back() {
        let day = 86_400;
        // Up to 15 days: multiples of 60.
        assert_eq!(valid_period(90, 3 * day), 120);
        assert_eq!(valid_period(10, 3 * day), 60);
        // Beyond 15 days: multiples of 300.
        assert_eq!(valid_period(90, 16 * day), 300);
        assert_eq!(valid_period(3600, 30 * day), 3600);
        assert_eq!(valid_period(3700, 30 * day), 3900);
        // Beyond 63 days: multiples of 3600.
        assert_eq!(valid_period(300, 64 * day), 3600);
        assert_eq!(valid_period(3601, 100 * day), 7200);
        assert_eq!(valid_period(30 * day, 100 * day), 30 * day);
    }

    #[test]
    fn plan_for_a_workgroup() {
        let w = ObservedWindow::days_before(None, 30, now()).unwrap();
        let target = Target {
            workgroup: Some("wg".into()),
            namespace: Some("ns".into()),
            ..Target::default()
        };
        let p = plan(&target, w, now());
        assert!(p.percentiles.is_empty());
        let cs = p.query("compute").unwrap();
        assert_eq!(
            (cs.namespace, cs.metric, cs.stat, cs.period),
            (SERVERLESS_NAMESPACE, "ComputeSeconds", "Sum", 3600)
        );
        assert_eq!(cs.dimensions, vec![("Workgroup".into(), "wg".into())]);
        assert_eq!(cs.unit, None);
        assert_eq!(p.query("capavg").unwrap().stat, "Average");
        assert_eq!(p.query("capmax").unwrap().stat, "Maximum");
        let ds = p.query("storage").unwrap();
        assert_eq!(ds.dimensions, vec![("Namespace".into(), "ns".into())]);
        assert!(p.query("snapshot").unwrap().dimensions.is_empty());
        // Probes: one per candidate unit, SampleCount over the whole window.
        let probes: Vec<&Query> = p
            .main
            .iter()
            .filter(|q| q.series == Series::ComputeSeconds && q.purpose != Purpose::Data)
            .collect();
        assert_eq!(probes.len(), 3);
        assert!(probes
            .iter()
            .all(|q| q.stat == "SampleCount" && q.period == 30 * 86_400));
        assert_eq!(probes[1].unit, Some("Milliseconds"));
        assert_eq!(p.query("storage_unit2").unwrap().unit, Some("Megabytes"));
        // Capacity is a plain count: no probes.
        assert!(p.query("capavg_unit0").is_none());
        // Ids are unique and valid.
        let mut ids: Vec<&str> = p.all().map(|q| q.id.as_str()).collect();
        assert!(ids
            .iter()
            .all(|id| id.starts_with(|c: char| c.is_ascii_lowercase())));
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), p.all().count());
        assert!(p.main.len() <= MAX_QUERIES_PER_CALL);
    }

    #[test]
    fn plan_for_cluster_and_integration() {
        let w = ObservedWindow::days_before(None, 90, now()).unwrap();
        let target = Target {
            cluster: Some("c1".into()),
            integration: Some("i-1".into()),
            ..Target::default()
        };
        let p = plan(&target, w, now());
        assert!(p.query("compute").is_none());
        let cs = p.query("cscaling").unwrap();
        assert_eq!(
            (cs.namespace, cs.metric, cs.stat),
            (REDSHIFT_NAMESPACE, "ConcurrencyScalingSeconds", "Sum")
        );
        assert_eq!(
            p.query("rms").unwrap().metric,
            "RedshiftManagedStorageTotalCapacity"
        );
        // Percentiles in a call of their own, one value for the whole window.
        let stats: Vec<&str> = p.percentiles.iter().map(|q| q.stat).collect();
        assert_eq!(stats, ["p50", "p95"]);
        assert!(p.percentiles.iter().all(|q| q.period == 90 * 86_400));
        // IntegrationLag is probed once, in the main call.
        assert_eq!(
            p.main
                .iter()
                .filter(|q| q.metric == "IntegrationLag")
                .count(),
            3
        );
    }
}
