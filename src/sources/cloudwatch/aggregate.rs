//! From datapoints to an observation: totals in the report's units, a daily series, an
//! hour-of-day profile and the gaps. Pure: the datapoints come from `fetch` or a test.

use super::plan::{MetricPlan, ObservedWindow, Purpose, Query, Series, UnitFamily};
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use std::collections::{BTreeMap, HashMap};

/// Datapoints by query id: (epoch seconds, value), in any order.
pub type Datapoints = HashMap<String, Vec<(i64, f64)>>;

/// What the CloudWatch calls returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FetchedMetrics {
    pub points: Datapoints,
    /// Queries that returned nothing usable, with the reason (a failed percentile call,
    /// a query whose status was not `Complete`).
    pub failed: Vec<(String, String)>,
}

/// The unit a metric's data was published in, as read from the unit probes.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedUnit {
    /// The CloudWatch unit (`Megabytes`), or the documented one when the data carries
    /// none of the candidates.
    pub unit: &'static str,
    /// Factor to the report's unit (seconds, GB).
    pub factor: f64,
    /// A note when the unit had to be assumed or the data mixes units.
    pub note: Option<String>,
}

/// One day of the compute series.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub date: NaiveDate,
    /// `None`: no datapoint that day (a gap, not a zero).
    pub rpu_hours: Option<f64>,
}

/// Serverless compute: `ComputeSeconds` and `ComputeCapacity` of a workgroup.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeObs {
    pub rpu_seconds: f64,
    pub unit: &'static str,
    pub datapoints: usize,
    pub daily: Vec<Day>,
    /// Average RPU-hours in each hour of the day (UTC), over the days with data.
    pub hourly_profile: [f64; 24],
    pub gap_days: Vec<NaiveDate>,
    pub capacity_avg_rpu: Option<f64>,
    pub capacity_max_rpu: Option<f64>,
}

/// A storage metric averaged over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageObs {
    /// `None` when the metric has no datapoint in the window.
    pub gb_avg: Option<f64>,
    pub unit: &'static str,
    pub datapoints: usize,
}

/// Provisioned-cluster metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterObs {
    pub concurrency_scaling_seconds: Option<f64>,
    pub managed_storage_gb_avg: Option<f64>,
}

/// Zero-ETL `IntegrationLag` percentiles over the window, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct LagObs {
    pub p50_s: Option<f64>,
    pub p95_s: Option<f64>,
}

/// Everything observed over one window.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub window: ObservedWindow,
    pub compute: Option<ComputeObs>,
    pub storage: Option<StorageObs>,
    pub snapshot: Option<StorageObs>,
    pub cluster: Option<ClusterObs>,
    pub lag: Option<LagObs>,
    /// Notes for stderr: assumed units, missing data, failed queries.
    pub notes: Vec<String>,
}

/// Reads the unit of `series` from its probes' sample counts.
pub fn resolve_unit(plan: &MetricPlan, fetched: &FetchedMetrics, series: Series) -> ResolvedUnit {
    let family = series.family();
    let data = plan
        .all()
        .find(|q| q.series == series && q.purpose == Purpose::Data);
    let (documented, documented_factor) = family.documented();
    let Some(data) = data else {
        return ResolvedUnit {
            unit: documented,
            factor: documented_factor,
            note: None,
        };
    };
    // Probes belong to the first series of the metric (IntegrationLag's p95 shares p50's).
    let mut found: Vec<(&'static str, f64, f64)> = Vec::new();
    for q in plan.main.iter().filter(|q| same_metric(q, data)) {
        if let Purpose::UnitProbe(i) = q.purpose {
            let samples: f64 = fetched
                .points
                .get(&q.id)
                .map_or(0.0, |v| v.iter().map(|(_, x)| x).sum());
            if samples > 0.0 {
                let (unit, factor) = family.candidates()[i];
                found.push((unit, factor, samples));
            }
        }
    }
    found.sort_by(|a, b| b.2.total_cmp(&a.2));
    let has_data = fetched.points.get(&data.id).is_some_and(|v| !v.is_empty());
    match found.as_slice() {
        [] if family == UnitFamily::Plain || !has_data => ResolvedUnit {
            unit: documented,
            factor: documented_factor,
            note: None,
        },
        [] => {
            let names: Vec<&str> = family.candidates().iter().map(|(u, _)| *u).collect();
            ResolvedUnit {
                unit: documented,
                factor: documented_factor,
                note: Some(format!(
                    "{}: the data carries none of the units {}; assumed {documented}, as AWS documents",
                    data.metric,
                    names.join(", ")
                )),
            }
        }
        [(unit, factor, _)] => ResolvedUnit {
            unit,
            factor: *factor,
            note: None,
        },
        [(unit, factor, _), rest @ ..] => {
            let others: Vec<&str> = rest.iter().map(|(u, _, _)| *u).collect();
            ResolvedUnit {
                unit,
                factor: *factor,
                note: Some(format!(
                    "{}: the data mixes units ({unit} and {}); all of it was read as {unit}, the most common",
                    data.metric,
                    others.join(", ")
                )),
            }
        }
    }
}

fn same_metric(a: &Query, b: &Query) -> bool {
    a.namespace == b.namespace && a.metric == b.metric && a.dimensions == b.dimensions
}

/// The datapoints of `series` inside the window, sorted by time, or `None` when the
/// series was not planned.
fn series_points(
    plan: &MetricPlan,
    fetched: &FetchedMetrics,
    series: Series,
) -> Option<Vec<(i64, f64)>> {
    let q = plan
        .all()
        .find(|q| q.series == series && q.purpose == Purpose::Data)?;
    let (start, end) = (plan.window.start.timestamp(), plan.window.end.timestamp());
    let mut points: Vec<(i64, f64)> = fetched
        .points
        .get(&q.id)
        .map(|v| {
            v.iter()
                .copied()
                .filter(|(t, x)| *t >= start && *t < end && x.is_finite())
                .collect()
        })
        .unwrap_or_default();
    points.sort_by_key(|(t, _)| *t);
    Some(points)
}

fn mean(points: &[(i64, f64)]) -> Option<f64> {
    (!points.is_empty()).then(|| points.iter().map(|(_, x)| x).sum::<f64>() / points.len() as f64)
}

fn storage(
    plan: &MetricPlan,
    fetched: &FetchedMetrics,
    series: Series,
    notes: &mut Vec<String>,
) -> Option<StorageObs> {
    let points = series_points(plan, fetched, series)?;
    let unit = resolve_unit(plan, fetched, series);
    notes.extend(unit.note.clone());
    Some(StorageObs {
        gb_avg: mean(&points).map(|m| m * unit.factor),
        unit: unit.unit,
        datapoints: points.len(),
    })
}

fn timestamp(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

/// Builds the observation of `plan` from what was fetched.
pub fn aggregate(plan: &MetricPlan, fetched: &FetchedMetrics) -> Observation {
    let mut notes = Vec::new();
    for (id, why) in &fetched.failed {
        let metric = plan.query(id).map_or(id.as_str(), |q| q.metric);
        let stat = plan.query(id).map_or("", |q| q.stat);
        notes.push(format!("{metric} {stat}: no data ({why})"));
    }

    let compute = series_points(plan, fetched, Series::ComputeSeconds).map(|points| {
        let unit = resolve_unit(plan, fetched, Series::ComputeSeconds);
        notes.extend(unit.note.clone());
        let mut by_day: BTreeMap<NaiveDate, f64> = BTreeMap::new();
        let mut profile = [0.0; 24];
        for (t, x) in &points {
            let ts = timestamp(*t);
            let rpu_s = x * unit.factor;
            *by_day.entry(ts.date_naive()).or_default() += rpu_s;
            profile[ts.hour() as usize] += rpu_s / 3600.0;
        }
        let days_with_data = by_day.len();
        if days_with_data > 0 {
            for p in &mut profile {
                *p /= days_with_data as f64;
            }
        }
        let daily: Vec<Day> = plan
            .window
            .dates()
            .into_iter()
            .map(|date| Day {
                date,
                rpu_hours: by_day.get(&date).map(|s| s / 3600.0),
            })
            .collect();
        let gap_days = daily
            .iter()
            .filter(|d| d.rpu_hours.is_none())
            .map(|d| d.date)
            .collect();
        let cap_avg = series_points(plan, fetched, Series::CapacityAvg).unwrap_or_default();
        let cap_max = series_points(plan, fetched, Series::CapacityMax).unwrap_or_default();
        ComputeObs {
            rpu_seconds: points.iter().map(|(_, x)| x * unit.factor).sum(),
            unit: unit.unit,
            datapoints: points.len(),
            daily,
            hourly_profile: profile,
            gap_days,
            capacity_avg_rpu: mean(&cap_avg),
            capacity_max_rpu: cap_max.iter().map(|(_, x)| *x).reduce(f64::max),
        }
    });

    let storage_obs = storage(plan, fetched, Series::DataStorage, &mut notes);
    let snapshot = storage(plan, fetched, Series::SnapshotStorage, &mut notes);

    let cluster = series_points(plan, fetched, Series::ConcurrencyScaling).map(|cs| {
        let unit = resolve_unit(plan, fetched, Series::ConcurrencyScaling);
        notes.extend(unit.note.clone());
        let rms = storage(plan, fetched, Series::ClusterStorage, &mut notes);
        ClusterObs {
            concurrency_scaling_seconds: (!cs.is_empty())
                .then(|| cs.iter().map(|(_, x)| x * unit.factor).sum()),
            managed_storage_gb_avg: rms.and_then(|r| r.gb_avg),
        }
    });

    let lag = series_points(plan, fetched, Series::LagP50).map(|p50| {
        let unit = resolve_unit(plan, fetched, Series::LagP50);
        notes.extend(unit.note.clone());
        let p95 = series_points(plan, fetched, Series::LagP95).unwrap_or_default();
        // One bucket spans the window; should there be more, the worst is reported.
        let worst = |v: &[(i64, f64)]| v.iter().map(|(_, x)| x * unit.factor).reduce(f64::max);
        LagObs {
            p50_s: worst(&p50),
            p95_s: worst(&p95),
        }
    });

    Observation {
        window: plan.window,
        compute,
        storage: storage_obs,
        snapshot,
        cluster,
        lag,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::super::plan::{plan, Target};
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 2, 3, 12, 0, 0).unwrap()
    }

    fn the_plan(target: Target) -> MetricPlan {
        let end = NaiveDate::from_ymd_opt(2026, 2, 1);
        plan(
            &target,
            ObservedWindow::days_before(end, 31, now()).unwrap(),
            now(),
        )
    }

    fn wg() -> Target {
        Target {
            workgroup: Some("wg".into()),
            namespace: Some("ns".into()),
            ..Target::default()
        }
    }

    fn at(day: u32, hour: u32) -> i64 {
        Utc.with_ymd_and_hms(2026, 1, day, hour, 0, 0)
            .unwrap()
            .timestamp()
    }

    #[test]
    fn compute_totals_daily_profile_and_gaps() {
        let p = the_plan(wg());
        let mut f = FetchedMetrics::default();
        let mut cs = Vec::new();
        for day in 1..=31 {
            if day == 10 || day == 11 {
                continue; // two days with no datapoints
            }
            cs.push((at(day, 9), 7200.0)); // 2 RPU-hours at 09:00
            cs.push((at(day, 14), 3600.0)); // 1 RPU-hour at 14:00
        }
        // Outside the window: ignored.
        cs.push((at(31, 0) + 86_400, 1e9));
        f.points.insert("compute".into(), cs);
        f.points
            .insert("compute_unit0".into(), vec![(at(1, 0), 58.0)]);
        f.points
            .insert("capavg".into(), vec![(at(1, 9), 8.0), (at(1, 14), 16.0)]);
        f.points
            .insert("capmax".into(), vec![(at(1, 9), 8.0), (at(2, 14), 32.0)]);
        let o = aggregate(&p, &f);
        let c = o.compute.unwrap();
        assert_eq!(c.rpu_seconds, 29.0 * 10_800.0);
        assert_eq!(c.unit, "Seconds");
        assert_eq!(c.datapoints, 58);
        assert_eq!(c.daily.len(), 31);
        assert_eq!(c.daily[0].rpu_hours, Some(3.0));
        assert_eq!(c.daily[9].rpu_hours, None);
        let gaps: Vec<String> = c
            .gap_days
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        assert_eq!(gaps, ["2026-01-10", "2026-01-11"]);
        assert_eq!(c.hourly_profile[9], 2.0);
        assert_eq!(c.hourly_profile[14], 1.0);
        assert_eq!(c.hourly_profile[0], 0.0);
        assert_eq!(c.capacity_avg_rpu, Some(12.0));
        assert_eq!(c.capacity_max_rpu, Some(32.0));
        assert!(o.notes.is_empty(), "{:?}", o.notes);
        // Storage planned but absent: reported as unknown, not as zero.
        assert_eq!(o.storage.unwrap().gb_avg, None);
    }

    #[test]
    fn units_are_read_from_the_probes() {
        let p = the_plan(wg());
        let mut f = FetchedMetrics::default();
        f.points.insert("compute".into(), vec![(at(1, 0), 5000.0)]);
        f.points
            .insert("compute_unit1".into(), vec![(at(1, 0), 1.0)]); // Milliseconds
        f.points.insert(
            "storage".into(),
            vec![(at(1, 0), 2048.0), (at(1, 1), 4096.0)],
        );
        f.points
            .insert("storage_unit3".into(), vec![(at(1, 0), 2.0)]); // Gigabytes
        f.points.insert("snapshot".into(), vec![(at(1, 0), 1024.0)]);
        let o = aggregate(&p, &f);
        let c = o.compute.unwrap();
        assert_eq!(c.unit, "Milliseconds");
        assert_eq!(c.rpu_seconds, 5.0);
        let s = o.storage.unwrap();
        assert_eq!((s.unit, s.gb_avg), ("Gigabytes", Some(3072.0)));
        // No probe answered for the snapshot data: the documented MB, with a note.
        let snap = o.snapshot.unwrap();
        assert_eq!((snap.unit, snap.gb_avg), ("Megabytes", Some(1.0)));
        assert!(o.notes[0].contains("SnapshotStorage: the data carries none of the units"));
    }

    #[test]
    fn mixed_units_take_the_most_common_and_say_so() {
        let p = the_plan(wg());
        let mut f = FetchedMetrics::default();
        f.points.insert("storage".into(), vec![(at(1, 0), 1.0)]);
        f.points
            .insert("storage_unit2".into(), vec![(at(1, 0), 10.0)]);
        f.points
            .insert("storage_unit0".into(), vec![(at(1, 0), 1.0)]);
        let u = resolve_unit(&p, &f, Series::DataStorage);
        assert_eq!(u.unit, "Megabytes");
        assert!(u
            .note
            .unwrap()
            .contains("mixes units (Megabytes and Bytes)"));
    }

    #[test]
    fn no_data_at_all_is_all_gaps() {
        let p = the_plan(wg());
        let o = aggregate(&p, &FetchedMetrics::default());
        let c = o.compute.unwrap();
        assert_eq!(c.rpu_seconds, 0.0);
        assert_eq!(c.gap_days.len(), 31);
        assert!(c.daily.iter().all(|d| d.rpu_hours.is_none()));
        assert_eq!(c.capacity_avg_rpu, None);
    }

    #[test]
    fn cluster_and_lag() {
        let p = the_plan(Target {
            cluster: Some("c".into()),
            integration: Some("i".into()),
            ..Target::default()
        });
        let mut f = FetchedMetrics::default();
        f.points
            .insert("cscaling".into(), vec![(at(1, 0), 60.0), (at(2, 0), 30.0)]);
        f.points
            .insert("rms".into(), vec![(at(1, 0), 1024.0), (at(2, 0), 3072.0)]);
        f.points.insert("lagp50".into(), vec![(at(1, 0), 12.0)]);
        f.failed.push(("lagp95".into(), "InternalFailure".into()));
        let o = aggregate(&p, &f);
        assert!(o.compute.is_none());
        let c = o.cluster.unwrap();
        assert_eq!(c.concurrency_scaling_seconds, Some(90.0));
        assert_eq!(c.managed_storage_gb_avg, Some(2.0));
        let lag = o.lag.unwrap();
        assert_eq!((lag.p50_s, lag.p95_s), (Some(12.0), None));
        assert!(o
            .notes
            .iter()
            .any(|n| n == "IntegrationLag p95: no data (InternalFailure)"));
    }
}
