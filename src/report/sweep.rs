//! The sweep document: the points of a sweep with their figures and the pick, as JSON
//! (`schema_version` 1), CSV, a table, and the sweep chart's curve.

use crate::report::charts::{SweepCurve, SweepPoint, SweepSeries};
use crate::report::format::{seconds, usd};
use crate::report::table::{new_table, right_align};
use redshift_cost_core::sweep::{number, Point, REFRESH_INTERVAL};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// The sweep's report (JSON output of `sweep`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepReport {
    pub schema_version: u32,
    pub scenario: String,
    pub param_names: Vec<String>,
    #[serde(serialize_with = "points_json")]
    pub points: Vec<Point>,
    pub max_staleness_s: Option<f64>,
    /// Index into `points` of the pick, when `--max-staleness` was given and a point meets it.
    pub pick: Option<usize>,
}

/// One point of the sweep as JSON: its params (numbers as numbers) and its figures.
#[derive(Serialize)]
struct PointJson<'a> {
    #[serde(serialize_with = "param_map")]
    params: &'a [(String, String)],
    total_monthly_usd: f64,
    compute_monthly_usd: f64,
    /// The zero-ETL refreshes' compute (0 without zero-ETL).
    sync_monthly_usd: f64,
    /// p95 latency of the users' queries (refreshes left out).
    latency_p95_s: f64,
    staleness_s: Option<f64>,
}

impl<'a> From<&'a Point> for PointJson<'a> {
    fn from(p: &'a Point) -> PointJson<'a> {
        PointJson {
            params: &p.params,
            total_monthly_usd: p.total_monthly_usd,
            compute_monthly_usd: p.compute_monthly_usd,
            sync_monthly_usd: p.sync_monthly_usd,
            latency_p95_s: p.latency_p95_s,
            staleness_s: p.staleness_s,
        }
    }
}

fn points_json<S: Serializer>(points: &[Point], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(points.iter().map(PointJson::from))
}

/// Params as a JSON object, numbers as numbers.
fn param_map<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        match v.parse::<f64>() {
            Ok(n) if n.is_finite() => map.serialize_entry(k, &n)?,
            _ => map.serialize_entry(k, v)?,
        }
    }
    map.end()
}

impl SweepReport {
    pub fn json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("a sweep report always serializes");
        v.push(b'\n');
        v
    }

    fn has_staleness(&self) -> bool {
        self.points.iter().any(|p| p.staleness_s.is_some())
    }

    pub fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = self.param_names.clone();
        header.extend(
            [
                "total_monthly_usd",
                "compute_monthly_usd",
                "sync_monthly_usd",
                "latency_p95_s",
                "staleness_s",
                "pick",
            ]
            .map(String::from),
        );
        let _ = w.write_record(&header);
        for (i, p) in self.points.iter().enumerate() {
            let mut row: Vec<String> = p.params.iter().map(|(_, v)| v.clone()).collect();
            row.push(p.total_monthly_usd.to_string());
            row.push(p.compute_monthly_usd.to_string());
            row.push(p.sync_monthly_usd.to_string());
            row.push(p.latency_p95_s.to_string());
            row.push(p.staleness_s.map(|s| s.to_string()).unwrap_or_default());
            row.push(if self.pick == Some(i) {
                "yes".into()
            } else {
                String::new()
            });
            let _ = w.write_record(&row);
        }
        w.into_inner().unwrap_or_default()
    }

    pub fn table(&self) -> Vec<u8> {
        let mut header: Vec<String> = self.param_names.clone();
        header.extend(["Monthly (USD)", "Compute (USD)"].map(String::from));
        if self.has_staleness() {
            header.push("Sync (USD)".into());
        }
        header.push("Query p95".into());
        if self.has_staleness() {
            header.push("Staleness".into());
        }
        if self.max_staleness_s.is_some() {
            header.push("Pick".into());
        }
        let mut t = new_table(&header);
        for (i, p) in self.points.iter().enumerate() {
            let mut row: Vec<String> = p.params.iter().map(|(_, v)| v.clone()).collect();
            row.push(usd(p.total_monthly_usd));
            row.push(usd(p.compute_monthly_usd));
            if self.has_staleness() {
                row.push(usd(p.sync_monthly_usd));
            }
            row.push(seconds(p.latency_p95_s));
            if self.has_staleness() {
                row.push(p.staleness_s.map_or_else(|| "—".into(), seconds));
            }
            if self.max_staleness_s.is_some() {
                row.push(if self.pick == Some(i) {
                    "← cheapest within limit".into()
                } else {
                    String::new()
                });
            }
            t.add_row(row);
        }
        let n = self.param_names.len();
        right_align(&mut t, n..n + 5);
        let mut out = format!(
            "{} — sweep of {}\n{t}\n",
            self.scenario,
            self.param_names.join(" × ")
        );
        match (self.max_staleness_s, self.pick) {
            (Some(limit), Some(i)) => {
                let p = &self.points[i];
                let what: Vec<String> = p.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                out.push_str(&format!(
                    "Cheapest within {} of staleness: {} at {} USD a month.\n",
                    seconds(limit),
                    what.join(", "),
                    usd(p.total_monthly_usd)
                ));
            }
            (Some(limit), None) => out.push_str(&format!(
                "No point keeps data staleness within {}.\n",
                seconds(limit)
            )),
            _ => {}
        }
        out.into_bytes()
    }

    /// The sweep chart over the first parameter: one line per value of the second (at
    /// most [`MAX_SERIES`], the title saying how many were left out), further parameters
    /// fixed at their first value and named in the title.
    pub fn chart(&self) -> Option<SweepCurve> {
        let name = self.param_names.first()?;
        let first = self.points.first()?;
        // Parameters after the second stay at their first value.
        let fixed_values: Vec<&String> = first.params.iter().skip(2).map(|(_, v)| v).collect();
        let mut series: Vec<SweepSeries> = Vec::new();
        let mut seconds = name == REFRESH_INTERVAL;
        for p in &self.points {
            if p.params
                .iter()
                .skip(2)
                .map(|(_, v)| v)
                .ne(fixed_values.iter().copied())
            {
                continue;
            }
            let raw = &p.params[0].1;
            let x = number(raw).ok()?;
            seconds |= raw.trim().parse::<f64>().is_err();
            let label = p.params.get(1).map(|(k, v)| format!("{k} = {v}"));
            let point = SweepPoint {
                x,
                total: p.total_monthly_usd,
                sync: p.sync_monthly_usd,
                staleness: p.staleness_s,
            };
            match series.iter_mut().find(|s| s.label == label) {
                Some(s) => s.points.push(point),
                None => series.push(SweepSeries {
                    label,
                    points: vec![point],
                }),
            }
        }
        let values = series.len();
        series.truncate(MAX_SERIES);
        let xs: Vec<f64> = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.x))
            .collect();
        let positive: Vec<f64> = xs.iter().copied().filter(|x| *x > 0.0).collect();
        let spread = positive.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            / positive.iter().copied().fold(f64::INFINITY, f64::min);
        let is_interval = name == REFRESH_INTERVAL;
        let log_x = is_interval || (positive.len() >= 3 && spread >= 100.0);
        let pick = self.pick.and_then(|i| {
            let p = &self.points[i];
            Some((number(&p.params[0].1).ok()?, p.total_monthly_usd))
        });
        let mut x_label = if is_interval {
            "REFRESH_INTERVAL".to_string()
        } else {
            name.clone()
        };
        if log_x {
            x_label.push_str(" (log scale)");
        }
        let fixed: Vec<String> = self
            .param_names
            .iter()
            .skip(2)
            .zip(&fixed_values)
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        let mut title = format!("{}: monthly cost vs {}", self.scenario, name);
        let mut remarks = fixed;
        if values > MAX_SERIES {
            remarks.push(format!(
                "{MAX_SERIES} of {values} values of {} drawn",
                self.param_names[1]
            ));
        }
        if !remarks.is_empty() {
            title.push_str(&format!(" ({})", remarks.join("; ")));
        }
        Some(SweepCurve {
            title,
            x_label,
            log_x,
            x_seconds: seconds,
            series,
            pick,
            max_staleness: self.max_staleness_s,
        })
    }
}

/// At most this many lines on a sweep chart (one colour each).
pub const MAX_SERIES: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_params_are_numbers_when_they_can_be() {
        let report = SweepReport {
            schema_version: 1,
            scenario: "s".into(),
            param_names: vec!["a".into(), "b".into()],
            points: vec![Point {
                params: vec![("a".into(), "60".into()), ("b".into(), "5m".into())],
                total_monthly_usd: 1.0,
                compute_monthly_usd: 1.0,
                sync_monthly_usd: 0.0,
                latency_p95_s: 0.0,
                staleness_s: None,
            }],
            max_staleness_s: None,
            pick: None,
        };
        let v: serde_json::Value = serde_json::from_slice(&report.json()).unwrap();
        let p = &v["points"][0];
        assert_eq!(p["params"]["a"], 60.0);
        assert_eq!(p["params"]["b"], "5m");
        assert!(p["staleness_s"].is_null());
        assert_eq!(p["total_monthly_usd"], 1.0);
    }
}
