//! What `observe` prints, and the modelled-vs-observed lines `estimate` adds to a
//! scenario. Pure: figures in, bytes or sentences out.

use crate::report::format::{quantity, signed_percent, unit_price, usd};
use crate::report::table::{new_table, right_align};
use crate::sources::cloudwatch::aggregate::Observation;
use crate::sources::prices::RegionPrices;
use redshift_cost_core::calibrate::{Calibration, WindowCompute};
use redshift_cost_core::model::costs::snapshot_lines;
use redshift_cost_core::units::{HOURS_PER_MONTH, SECONDS_PER_HOUR};
use serde::Serialize;
use std::fmt::Write;

/// The caveat every observed compute figure carries.
pub const LOWER_BOUND: &str = "CloudWatch ComputeSeconds excludes the 60-second minimum charges: observed compute is a lower bound on the bill";

/// One day of the daily series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyReport {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// `null` when the day has no datapoint (a gap).
    pub rpu_hours: Option<f64>,
}

/// One hour of the hour-of-day profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourReport {
    /// 0..=23, UTC.
    pub hour: u32,
    /// Average RPU-hours in that hour, over the days with data.
    pub rpu_hours_avg: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterReport {
    pub cluster: String,
    pub concurrency_scaling_seconds: Option<f64>,
    /// Scaled to the month.
    pub monthly_concurrency_scaling_seconds: Option<f64>,
    pub managed_storage_gb_avg: Option<f64>,
    pub monthly_managed_storage_usd: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LagReport {
    pub integration_id: String,
    pub lag_p50_s: Option<f64>,
    pub lag_p95_s: Option<f64>,
    /// The scenario's REFRESH_INTERVAL, seconds (in `estimate` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_interval_s: Option<f64>,
}

/// The report of `observe` (its JSON is a contract: keys are only ever added).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObserveReport {
    /// The version of this document's shape (the estimate report's, as every document).
    pub schema_version: u32,
    pub workgroup: Option<String>,
    pub namespace: Option<String>,
    pub region: String,
    pub days: u32,
    /// Window start and end (exclusive), RFC 3339, UTC.
    pub start: String,
    pub end: String,
    /// The month the monthly figures scale the window to.
    pub period_hours: f64,
    pub compute_rpu_seconds: Option<f64>,
    pub compute_rpu_hours: Option<f64>,
    /// The unit the ComputeSeconds data was published in.
    pub compute_unit: Option<String>,
    pub capacity_rpu_avg: Option<f64>,
    pub capacity_rpu_max: Option<f64>,
    pub monthly_rpu_hours: Option<f64>,
    pub rpu_hour_usd: Option<f64>,
    pub monthly_compute_usd: Option<f64>,
    /// DataStorage (Redshift Managed Storage) averaged over the window, GB.
    pub storage_gb_avg: Option<f64>,
    pub storage_unit: Option<String>,
    pub monthly_storage_usd: Option<f64>,
    /// SnapshotStorage averaged over the window, GB (account-wide: it has no dimension).
    pub snapshot_gb_avg: Option<f64>,
    pub monthly_snapshot_usd: Option<f64>,
    /// `bundled 2025-03-19`, ...: where the prices came from.
    pub price_source: Option<String>,
    pub daily: Vec<DailyReport>,
    pub hourly_profile: Vec<HourReport>,
    /// Days with no ComputeSeconds datapoint.
    pub gap_days: Vec<String>,
    pub cluster: Option<ClusterReport>,
    pub integration: Option<LagReport>,
    pub notes: Vec<String>,
}

/// What the report needs besides the observation.
pub struct ObserveContext<'a> {
    pub region: &'a str,
    pub workgroup: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub cluster: Option<&'a str>,
    pub integration: Option<&'a str>,
    pub prices: Option<&'a RegionPrices>,
    /// The period monthly figures are scaled to (730 h by default).
    pub period_hours: f64,
}

fn snapshot_cost(gb: f64, prices: &RegionPrices, months: f64) -> Option<f64> {
    if prices.backup_tiers.is_empty() {
        return None;
    }
    let per_month: redshift_cost_core::units::Money = snapshot_lines(gb, &prices.backup_tiers)
        .iter()
        .map(|l| l.cost)
        .sum();
    Some(redshift_cost_core::units::Money::from_usd(per_month.usd() * months).usd())
}

impl ObserveReport {
    pub fn new(o: &Observation, cx: &ObserveContext<'_>) -> ObserveReport {
        let window_hours = o.window.hours();
        let scale = cx.period_hours / window_hours;
        let months = cx.period_hours / HOURS_PER_MONTH;
        let rpu_hour = cx.prices.and_then(|p| p.rpu_hour);
        let rms = cx.prices.and_then(|p| p.rms_gb_month);
        let compute = o.compute.as_ref();
        let rpu_hours = compute.map(|c| c.rpu_seconds / SECONDS_PER_HOUR);
        let monthly_rpu_hours = rpu_hours.map(|h| h * scale);
        let storage_gb = o.storage.as_ref().and_then(|s| s.gb_avg);
        let snapshot_gb = o.snapshot.as_ref().and_then(|s| s.gb_avg);
        let mut notes = Vec::new();
        if compute.is_some() {
            notes.push(LOWER_BOUND.to_string());
        }
        if let Some(c) = compute {
            if !c.gap_days.is_empty() {
                notes.push(format!(
                    "{} of {} days have no ComputeSeconds datapoints (gaps, not zeros): {}",
                    c.gap_days.len(),
                    o.window.days(),
                    day_list(
                        &c.gap_days
                            .iter()
                            .map(std::string::ToString::to_string)
                            .collect::<Vec<_>>()
                    )
                ));
            }
        }
        notes.extend(o.notes.iter().cloned());
        let price_source = rpu_hour.or(rms).map(|p| p.source.to_string());
        ObserveReport {
            schema_version: crate::report::SCHEMA_VERSION,
            workgroup: cx.workgroup.map(str::to_string),
            namespace: cx.namespace.map(str::to_string),
            region: cx.region.to_string(),
            days: o.window.days(),
            start: o.window.start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            end: o.window.end.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            period_hours: cx.period_hours,
            compute_rpu_seconds: compute.map(|c| c.rpu_seconds),
            compute_rpu_hours: rpu_hours,
            compute_unit: compute
                .filter(|c| c.datapoints > 0)
                .map(|c| c.unit.to_string()),
            capacity_rpu_avg: compute.and_then(|c| c.capacity_avg_rpu),
            capacity_rpu_max: compute.and_then(|c| c.capacity_max_rpu),
            monthly_rpu_hours,
            rpu_hour_usd: rpu_hour.map(|p| p.usd),
            monthly_compute_usd: monthly_rpu_hours.zip(rpu_hour).map(|(h, p)| h * p.usd),
            storage_gb_avg: storage_gb,
            storage_unit: o
                .storage
                .as_ref()
                .filter(|s| s.datapoints > 0)
                .map(|s| s.unit.to_string()),
            monthly_storage_usd: storage_gb.zip(rms).map(|(gb, p)| gb * p.usd * months),
            snapshot_gb_avg: snapshot_gb,
            monthly_snapshot_usd: snapshot_gb
                .zip(cx.prices)
                .and_then(|(gb, p)| snapshot_cost(gb, p, months)),
            price_source,
            daily: compute
                .map(|c| {
                    c.daily
                        .iter()
                        .map(|d| DailyReport {
                            date: d.date.to_string(),
                            rpu_hours: d.rpu_hours,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            hourly_profile: compute
                .map(|c| {
                    (0u32..)
                        .zip(c.hourly_profile)
                        .map(|(hour, rpu_hours_avg)| HourReport {
                            hour,
                            rpu_hours_avg,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            gap_days: compute
                .map(|c| {
                    c.gap_days
                        .iter()
                        .map(std::string::ToString::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            cluster: cx.cluster.map(|id| {
                let c = o.cluster.as_ref();
                let cs = c.and_then(|c| c.concurrency_scaling_seconds);
                let gb = c.and_then(|c| c.managed_storage_gb_avg);
                ClusterReport {
                    cluster: id.to_string(),
                    concurrency_scaling_seconds: cs,
                    monthly_concurrency_scaling_seconds: cs.map(|s| s * scale),
                    managed_storage_gb_avg: gb,
                    monthly_managed_storage_usd: gb.zip(rms).map(|(gb, p)| gb * p.usd * months),
                }
            }),
            integration: cx.integration.map(|id| LagReport {
                integration_id: id.to_string(),
                lag_p50_s: o.lag.as_ref().and_then(|l| l.p50_s),
                lag_p95_s: o.lag.as_ref().and_then(|l| l.p95_s),
                refresh_interval_s: None,
            }),
            notes,
        }
    }

    pub fn json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("a report always serializes");
        out.push(b'\n');
        out
    }

    pub fn table(&self) -> Vec<u8> {
        let mut out = String::new();
        let what = match (&self.workgroup, &self.namespace) {
            (Some(wg), Some(ns)) => format!("workgroup `{wg}` (namespace `{ns}`)"),
            (Some(wg), None) => format!("workgroup `{wg}`"),
            _ => "provisioned".to_string(),
        };
        let _ = writeln!(
            out,
            "Observed usage: {what}, {}, {} days from {} to {} (UTC)",
            self.region,
            self.days,
            &self.start[..10],
            &self.end[..10]
        );
        let hours = if self.period_hours.fract() == 0.0 {
            format!("{}", self.period_hours as i64)
        } else {
            quantity(self.period_hours)
        };
        let month = format!("Monthly ({hours} h)");
        let mut t = new_table(&["Figure", "Observed", month.as_str()]);
        let opt = |v: Option<f64>, f: fn(f64) -> String, unit: &str| {
            v.map_or_else(|| "no data".to_string(), |x| format!("{} {unit}", f(x)))
        };
        if self.workgroup.is_some() {
            t.add_row(vec![
                "Compute (ComputeSeconds)".to_string(),
                opt(self.compute_rpu_hours, quantity, "RPU-hours"),
                opt(self.monthly_rpu_hours, quantity, "RPU-hours"),
            ]);
            t.add_row(vec![
                format!(
                    "Compute cost at {} USD/RPU-hour",
                    self.rpu_hour_usd.map_or("?".to_string(), unit_price)
                ),
                String::new(),
                opt(self.monthly_compute_usd, usd, "USD"),
            ]);
            t.add_row(vec![
                "Capacity (ComputeCapacity)".to_string(),
                match (self.capacity_rpu_avg, self.capacity_rpu_max) {
                    (Some(a), Some(m)) => {
                        format!("avg {} RPU, max {} RPU", quantity(a), quantity(m))
                    }
                    _ => "no data".to_string(),
                },
                String::new(),
            ]);
            t.add_row(vec![
                "Managed storage (DataStorage)".to_string(),
                if self.namespace.is_some() {
                    opt(self.storage_gb_avg, quantity, "GB")
                } else {
                    "no namespace".to_string()
                },
                opt(self.monthly_storage_usd, usd, "USD"),
            ]);
            t.add_row(vec![
                "Snapshots (SnapshotStorage)".to_string(),
                opt(self.snapshot_gb_avg, quantity, "GB"),
                opt(self.monthly_snapshot_usd, usd, "USD"),
            ]);
        }
        if let Some(c) = &self.cluster {
            t.add_row(vec![
                format!("Concurrency scaling (cluster `{}`)", c.cluster),
                opt(c.concurrency_scaling_seconds, quantity, "s"),
                opt(c.monthly_concurrency_scaling_seconds, quantity, "s"),
            ]);
            t.add_row(vec![
                "Managed storage (RedshiftManagedStorageTotalCapacity)".to_string(),
                opt(c.managed_storage_gb_avg, quantity, "GB"),
                opt(c.monthly_managed_storage_usd, usd, "USD"),
            ]);
        }
        if let Some(l) = &self.integration {
            t.add_row(vec![
                format!("Zero-ETL lag (integration `{}`)", l.integration_id),
                format!(
                    "p50 {}, p95 {}",
                    opt(l.lag_p50_s, quantity, "s"),
                    opt(l.lag_p95_s, quantity, "s")
                ),
                String::new(),
            ]);
        }
        right_align(&mut t, [1, 2]);
        let _ = writeln!(out, "{t}");

        if !self.daily.is_empty() {
            let max = self
                .daily
                .iter()
                .filter_map(|d| d.rpu_hours)
                .fold(0.0, f64::max);
            let mut t = new_table(&["Date (UTC)", "RPU-hours", ""]);
            for d in &self.daily {
                t.add_row(vec![
                    d.date.clone(),
                    d.rpu_hours.map_or("gap".to_string(), quantity),
                    d.rpu_hours.map_or(String::new(), |h| bar(h, max)),
                ]);
            }
            right_align(&mut t, [1]);
            let _ = writeln!(out, "\nDaily compute\n{t}");

            let max = self
                .hourly_profile
                .iter()
                .map(|h| h.rpu_hours_avg)
                .fold(0.0, f64::max);
            let mut t = new_table(&["Hour (UTC)", "Avg RPU-hours", ""]);
            for h in &self.hourly_profile {
                t.add_row(vec![
                    format!("{:02}:00", h.hour),
                    quantity(h.rpu_hours_avg),
                    bar(h.rpu_hours_avg, max),
                ]);
            }
            right_align(&mut t, [1]);
            let _ = writeln!(
                out,
                "\nHour-of-day profile (average over the days with data)\n{t}"
            );
        }
        for n in &self.notes {
            let _ = writeln!(out, "Note: {n}.");
        }
        out.into_bytes()
    }
}

/// A bar of up to 30 `#`, proportional to `x / max`.
fn bar(x: f64, max: f64) -> String {
    if max <= 0.0 || x <= 0.0 {
        return String::new();
    }
    "#".repeat(((x / max) * 30.0).round().max(1.0) as usize)
}

/// At most 10 dates, then "and N more".
pub fn day_list(days: &[String]) -> String {
    if days.len() <= 10 {
        days.join(", ")
    } else {
        format!("{} and {} more", days[..10].join(", "), days.len() - 10)
    }
}

/// Modelled against observed compute for one scenario of `estimate` (JSON under the
/// scenario as `"observed"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedComparison {
    pub workgroup: String,
    pub namespace: Option<String>,
    pub region: String,
    pub days: u32,
    pub start: String,
    pub end: String,
    /// CloudWatch ComputeSeconds over the window (excludes minimum charges).
    pub observed_rpu_seconds: f64,
    pub observed_rpu_hours: f64,
    /// The model over the same window (pro rata of the period), excluding minimum
    /// charges: the like-for-like figure.
    pub modelled_rpu_seconds: f64,
    pub modelled_rpu_hours: f64,
    /// The model over the same window, minimum charges included (what would be billed).
    pub modelled_billed_rpu_seconds: f64,
    /// `(modelled − observed) / observed × 100`; `null` when nothing was observed.
    pub difference_pct: Option<f64>,
    /// The observation scaled to the scenario's period, and priced.
    pub observed_period_rpu_hours: f64,
    pub observed_period_compute_usd: Option<f64>,
    pub storage_gb_avg: Option<f64>,
    pub gap_days: Vec<String>,
    pub calibration: Option<CalibrationReport>,
    pub integration: Option<LagReport>,
    /// `[observed] bill = true`: the model, CloudWatch and the bill side by side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bill: Option<BillComparison>,
    pub note: &'static str,
}

/// The model, CloudWatch and the bill (Cost Explorer) over the observed window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillComparison {
    pub lines: Vec<BillLineComparison>,
    pub days: Vec<BillDayComparison>,
    pub total_usd: f64,
    pub metering: Option<MeteringReport>,
}

/// One line: what each source says, in the line's unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillLineComparison {
    pub line: &'static str,
    pub unit: &'static str,
    /// The model over the window (compute with its minimum charges).
    pub model: Option<f64>,
    /// CloudWatch over the window (compute without the minimum charges).
    pub cloudwatch: Option<f64>,
    pub bill: f64,
    pub bill_usd: f64,
}

/// One day: compute RPU-hours from each source (the model's mean day).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillDayComparison {
    pub date: String,
    pub model_rpu_hours: f64,
    pub cloudwatch_rpu_hours: Option<f64>,
    pub bill_rpu_hours: f64,
    pub bill_usd: f64,
}

/// Which metering rule the bill's overhead (billed ÷ ran) follows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeteringReport {
    pub observed_overhead: f64,
    pub busy_period_overhead: f64,
    pub per_minute_overhead: f64,
    /// `null` when the two rules cannot be told apart.
    pub fits: Option<&'static str>,
    /// Set for this (calibrated) estimate.
    pub set: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationReport {
    /// Workload durations were multiplied by this.
    pub factor: f64,
    /// Modelled compute of the window (excluding minimum charges), on the scenario as
    /// written (before `--set`), before and after calibration.
    pub before_rpu_seconds: f64,
    pub after_rpu_seconds: f64,
    /// `(after − observed) / observed × 100`.
    pub residual_pct: f64,
    pub iterations: usize,
}

impl From<&Calibration> for CalibrationReport {
    fn from(c: &Calibration) -> CalibrationReport {
        CalibrationReport {
            factor: c.factor,
            before_rpu_seconds: c.before_rpu_seconds,
            after_rpu_seconds: c.after_rpu_seconds,
            residual_pct: c.residual() * 100.0,
            iterations: c.iterations,
        }
    }
}

/// Everything `ObservedComparison::new` needs.
pub struct ComparisonInput<'a> {
    pub workgroup: &'a str,
    pub namespace: Option<&'a str>,
    pub region: &'a str,
    pub observation: &'a Observation,
    pub modelled: WindowCompute,
    pub period_hours: f64,
    pub rpu_hour_usd: Option<f64>,
    pub calibration: Option<&'a Calibration>,
    pub integration: Option<LagReport>,
}

impl ObservedComparison {
    pub fn new(i: ComparisonInput<'_>) -> ObservedComparison {
        let o = i.observation;
        let observed = o.compute.as_ref().map_or(0.0, |c| c.rpu_seconds);
        let scale = i.period_hours / o.window.hours();
        let period_h = observed / SECONDS_PER_HOUR * scale;
        ObservedComparison {
            workgroup: i.workgroup.to_string(),
            namespace: i.namespace.map(str::to_string),
            region: i.region.to_string(),
            days: o.window.days(),
            start: o.window.start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            end: o.window.end.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            observed_rpu_seconds: observed,
            observed_rpu_hours: observed / SECONDS_PER_HOUR,
            modelled_rpu_seconds: i.modelled.usage_rpu_seconds,
            modelled_rpu_hours: i.modelled.usage_rpu_seconds / SECONDS_PER_HOUR,
            modelled_billed_rpu_seconds: i.modelled.billed_rpu_seconds,
            difference_pct: (observed > 0.0)
                .then(|| (i.modelled.usage_rpu_seconds - observed) / observed * 100.0),
            observed_period_rpu_hours: period_h,
            observed_period_compute_usd: i.rpu_hour_usd.map(|p| period_h * p),
            storage_gb_avg: o.storage.as_ref().and_then(|s| s.gb_avg),
            gap_days: o
                .compute
                .as_ref()
                .map(|c| {
                    c.gap_days
                        .iter()
                        .map(std::string::ToString::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            calibration: i.calibration.map(CalibrationReport::from),
            integration: i.integration,
            bill: None,
            note: LOWER_BOUND,
        }
    }

    /// The comparison as short sentences (table and Markdown renderers).
    pub fn facts(&self) -> Vec<String> {
        let mut facts = vec![format!(
            "Observed (CloudWatch, workgroup `{}`, {} days to {}): {} RPU-hours; modelled for the same window: {} RPU-hours excluding minimum charges ({} vs observed), {} RPU-hours billed.",
            self.workgroup,
            self.days,
            &self.end[..10],
            quantity(self.observed_rpu_hours),
            quantity(self.modelled_rpu_hours),
            self.difference_pct
                .map_or_else(|| "n/a".to_string(), signed_percent),
            quantity(self.modelled_billed_rpu_seconds / SECONDS_PER_HOUR),
        )];
        let mut scaled = format!(
            "Observed compute scaled to the period: {} RPU-hours",
            quantity(self.observed_period_rpu_hours)
        );
        if let Some(usd_) = self.observed_period_compute_usd {
            let _ = write!(scaled, ", {} USD", usd(usd_));
        }
        scaled.push_str(&format!(". {LOWER_BOUND}."));
        facts.push(scaled);
        if !self.gap_days.is_empty() {
            facts.push(format!(
                "Gaps: {} of {} days have no datapoints: {}.",
                self.gap_days.len(),
                self.days,
                day_list(&self.gap_days)
            ));
        }
        if let Some(c) = &self.calibration {
            facts.push(format!(
                "Calibrated: workload durations × {:.4}, so that the scenario as written models {} RPU-hours for the window (was {}; {} from the observation); --set what-ifs apply on top.",
                c.factor,
                quantity(c.after_rpu_seconds / SECONDS_PER_HOUR),
                quantity(c.before_rpu_seconds / SECONDS_PER_HOUR),
                signed_percent(c.residual_pct),
            ));
        }
        if let Some(l) = &self.integration {
            let s = |v: Option<f64>| {
                v.map_or_else(|| "no data".to_string(), |x| format!("{} s", quantity(x)))
            };
            let interval = match l.refresh_interval_s {
                Some(0.0) => "0 (continuous)".to_string(),
                Some(r) => format!("{} s", quantity(r)),
                None => "not set (no [zero_etl])".to_string(),
            };
            facts.push(format!(
                "Zero-ETL IntegrationLag (`{}`): p50 {}, p95 {}; REFRESH_INTERVAL {interval}.",
                l.integration_id,
                s(l.lag_p50_s),
                s(l.lag_p95_s),
            ));
        }
        if let Some(b) = &self.bill {
            let opt = |v: Option<f64>| v.map_or_else(|| "—".to_string(), quantity);
            let lines: Vec<String> = b
                .lines
                .iter()
                .map(|l| {
                    format!(
                        "{} {} {} (model {}, CloudWatch {}; {} USD)",
                        l.line,
                        quantity(l.bill),
                        l.unit,
                        opt(l.model),
                        opt(l.cloudwatch),
                        usd(l.bill_usd)
                    )
                })
                .collect();
            facts.push(format!(
                "The bill (Cost Explorer) for the window: {}; {} USD in all ({} days, per day in the JSON).",
                lines.join("; "),
                usd(b.total_usd),
                b.days.len()
            ));
            if let Some(m) = &b.metering {
                let pct = |x: f64| signed_percent((x - 1.0) * 100.0);
                facts.push(match m.fits {
                    Some(rule) => format!(
                        "Minimum-charge overhead: the bill is {} over what CloudWatch saw run; `busy-period` models {}, `per-minute` {}: `{rule}` fits{}.",
                        pct(m.observed_overhead),
                        pct(m.busy_period_overhead),
                        pct(m.per_minute_overhead),
                        if m.set {
                            ", and this calibrated estimate uses it"
                        } else {
                            "; `--calibrate` (or `metering` in [serverless]) uses it"
                        }
                    ),
                    None => format!(
                        "Minimum-charge overhead: the bill is {} over what CloudWatch saw run, but `busy-period` ({}) and `per-minute` ({}) model nearly the same overhead for this workload: the data cannot tell the rules apart.",
                        pct(m.observed_overhead),
                        pct(m.busy_period_overhead),
                        pct(m.per_minute_overhead),
                    ),
                });
            }
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::cloudwatch::aggregate::{ComputeObs, Day, StorageObs};
    use crate::sources::cloudwatch::plan::ObservedWindow;
    use crate::sources::prices::{Price, Provenance};
    use chrono::{NaiveDate, TimeZone, Utc};

    fn observation(gaps: bool) -> Observation {
        let now = Utc.with_ymd_and_hms(2026, 2, 2, 0, 0, 0).unwrap();
        let window =
            ObservedWindow::days_before(NaiveDate::from_ymd_opt(2026, 1, 31), 30, now).unwrap();
        let daily: Vec<Day> = window
            .dates()
            .into_iter()
            .enumerate()
            .map(|(i, date)| Day {
                date,
                rpu_hours: if gaps && i == 3 { None } else { Some(10.0) },
            })
            .collect();
        let gap_days = daily
            .iter()
            .filter(|d| d.rpu_hours.is_none())
            .map(|d| d.date)
            .collect();
        let mut profile = [0.0; 24];
        profile[9] = 10.0;
        Observation {
            window,
            compute: Some(ComputeObs {
                rpu_seconds: 30.0 * 36_000.0,
                unit: "Seconds",
                datapoints: 30,
                daily,
                hourly_profile: profile,
                gap_days,
                capacity_avg_rpu: Some(8.0),
                capacity_max_rpu: Some(16.0),
            }),
            storage: Some(StorageObs {
                gb_avg: Some(100.0),
                unit: "Megabytes",
                datapoints: 720,
            }),
            snapshot: None,
            cluster: None,
            lag: None,
            notes: vec![],
        }
    }

    fn prices() -> RegionPrices {
        let p = |usd| Price {
            usd,
            source: Provenance::override_(),
        };
        RegionPrices {
            region: "us-east-1".into(),
            rpu_hour: Some(p(0.375)),
            rms_gb_month: Some(p(0.024)),
            ..RegionPrices::default()
        }
    }

    #[test]
    fn observe_report_scales_to_the_month() {
        let o = observation(false);
        let prices = prices();
        let r = ObserveReport::new(
            &o,
            &ObserveContext {
                region: "us-east-1",
                workgroup: Some("wg"),
                namespace: Some("ns"),
                cluster: None,
                integration: None,
                prices: Some(&prices),
                period_hours: 730.0,
            },
        );
        assert_eq!(r.compute_rpu_seconds, Some(1_080_000.0));
        assert_eq!(r.compute_rpu_hours, Some(300.0));
        let monthly_h = 300.0 * 730.0 / 720.0;
        assert!((r.monthly_rpu_hours.unwrap() - monthly_h).abs() < 1e-9);
        assert!((r.monthly_compute_usd.unwrap() - monthly_h * 0.375).abs() < 1e-9);
        assert_eq!(r.storage_gb_avg, Some(100.0));
        assert!((r.monthly_storage_usd.unwrap() - 2.4).abs() < 1e-12);
        assert_eq!(r.daily.len(), 30);
        assert_eq!(r.hourly_profile.len(), 24);
        assert_eq!(r.start, "2026-01-01T00:00:00Z");
        assert_eq!(r.end, "2026-01-31T00:00:00Z");
        let json: serde_json::Value = serde_json::from_slice(&r.json()).unwrap();
        for key in [
            "workgroup",
            "days",
            "compute_rpu_seconds",
            "compute_rpu_hours",
            "monthly_compute_usd",
            "storage_gb_avg",
            "monthly_storage_usd",
            "daily",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        assert_eq!(json["daily"][0]["date"], "2026-01-01");
        assert_eq!(json["daily"][0]["rpu_hours"], 10.0);
        let table = String::from_utf8(r.table()).unwrap();
        assert!(table.contains("300.00 RPU-hours"), "{table}");
        assert!(
            table.contains("Note: CloudWatch ComputeSeconds excludes"),
            "{table}"
        );
    }

    #[test]
    fn gaps_are_null_not_zero() {
        let o = observation(true);
        let r = ObserveReport::new(
            &o,
            &ObserveContext {
                region: "us-east-1",
                workgroup: Some("wg"),
                namespace: None,
                cluster: None,
                integration: None,
                prices: None,
                period_hours: 730.0,
            },
        );
        let json: serde_json::Value = serde_json::from_slice(&r.json()).unwrap();
        assert!(json["daily"][3]["rpu_hours"].is_null());
        assert_eq!(json["gap_days"][0], "2026-01-04");
        assert!(json["monthly_compute_usd"].is_null());
        assert!(r
            .notes
            .iter()
            .any(|n| n.contains("1 of 30 days have no ComputeSeconds")));
        let table = String::from_utf8(r.table()).unwrap();
        assert!(table.contains("gap"), "{table}");
    }

    #[test]
    fn comparison_difference() {
        let o = observation(false);
        let c = ObservedComparison::new(ComparisonInput {
            workgroup: "wg",
            namespace: None,
            region: "us-east-1",
            observation: &o,
            modelled: WindowCompute {
                usage_rpu_seconds: 1_188_000.0,
                billed_rpu_seconds: 1_200_000.0,
            },
            period_hours: 720.0,
            rpu_hour_usd: Some(0.5),
            calibration: None,
            integration: None,
        });
        assert!((c.difference_pct.unwrap() - 10.0).abs() < 1e-9);
        assert_eq!(c.observed_period_rpu_hours, 300.0);
        assert_eq!(c.observed_period_compute_usd, Some(150.0));
        let facts = c.facts().join("\n");
        assert!(facts.contains("300.00 RPU-hours; modelled for the same window: 330.00 RPU-hours excluding minimum charges (+10.0 % vs observed)"), "{facts}");
        assert!(facts.contains("lower bound on the bill"), "{facts}");
    }
}
