//! `observe --bill`: the bill by line and by day (exact sums of Cost Explorer's decimals),
//! beside CloudWatch's compute when a workgroup is named; the bill's RPU-hours over
//! CloudWatch's compute RPU-hours is the observed minimum-charge overhead.

use super::format::usd;
use super::table::{new_table, right_align};
use crate::sources::bill::{from_nanos, line_of, BillRow, Nanos};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The bill document (`schema_version` 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillReport {
    pub schema_version: u32,
    pub source: &'static str,
    pub region: String,
    pub start: String,
    /// Exclusive.
    pub end: String,
    pub cost_tag: Option<String>,
    pub lines: Vec<BillLineJson>,
    pub days: Vec<BillDayJson>,
    pub total_usd: f64,
    /// Days Cost Explorer marks as estimated (may still change).
    pub estimated_days: usize,
    /// With `--workgroup`: CloudWatch's compute beside the bill's.
    pub cloudwatch: Option<BillVsCloudWatch>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillLineJson {
    pub line: &'static str,
    pub usage_types: Vec<String>,
    pub quantity: f64,
    pub unit: String,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillDayJson {
    pub date: String,
    pub cost_usd: f64,
    /// By line: quantity and cost.
    pub lines: BTreeMap<&'static str, Amounts>,
    /// CloudWatch's compute RPU-hours that day (with `--workgroup`; `null` for a gap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloudwatch_rpu_hours: Option<Option<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Amounts {
    pub quantity: f64,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillVsCloudWatch {
    pub workgroup: String,
    /// `ComputeSeconds` / 3600: what ran, without the 60-second minimums.
    pub compute_rpu_hours: f64,
    /// The bill's serverless compute quantity (RPU-hours).
    pub billed_rpu_hours: f64,
    /// billed / compute: 1.0 means no minimum charges; 1.25 means a quarter more was
    /// billed than ran.
    pub minimum_charge_overhead: Option<f64>,
}

/// What `observe --bill` read, ready for [`BillReport::new`].
pub struct BillInput<'a> {
    pub region: &'a str,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub tag: Option<&'a (String, String)>,
    pub rows: &'a [BillRow],
    /// From CloudWatch, with a workgroup.
    pub cloudwatch: Option<CloudWatchCompute<'a>>,
}

/// (workgroup, compute RPU-seconds, daily RPU-hours) from CloudWatch.
pub type CloudWatchCompute<'a> = (&'a str, f64, &'a [(NaiveDate, Option<f64>)]);

impl BillReport {
    pub fn new(i: &BillInput<'_>) -> BillReport {
        let mut lines: BTreeMap<&'static str, (Vec<String>, Nanos, Nanos, String)> =
            BTreeMap::new();
        let mut days: BTreeMap<NaiveDate, BTreeMap<&'static str, (Nanos, Nanos)>> = BTreeMap::new();
        let mut estimated = std::collections::BTreeSet::new();
        for r in i.rows {
            let line = line_of(&r.usage_type);
            let e = lines
                .entry(line)
                .or_insert_with(|| (Vec::new(), 0, 0, r.unit.clone()));
            if !e.0.contains(&r.usage_type) {
                e.0.push(r.usage_type.clone());
            }
            e.1 += r.quantity;
            e.2 += r.cost;
            let d = days.entry(r.day).or_default().entry(line).or_insert((0, 0));
            d.0 += r.quantity;
            d.1 += r.cost;
            if r.estimated {
                estimated.insert(r.day);
            }
        }
        let total: Nanos = lines.values().map(|l| l.2).sum();
        let cw_day = |d: NaiveDate| {
            i.cloudwatch
                .and_then(|(_, _, daily)| daily.iter().find(|x| x.0 == d).map(|x| x.1))
        };
        let billed_rpu_hours = lines
            .get("serverless compute")
            .map_or(0.0, |l| from_nanos(l.1));
        BillReport {
            schema_version: 1,
            source:
                "Cost Explorer GetCostAndUsage (DAILY, UnblendedCost, UsageQuantity, by USAGE_TYPE)",
            region: i.region.to_string(),
            start: i.start.to_string(),
            end: i.end.to_string(),
            cost_tag: i.tag.map(|(k, v)| format!("{k}={v}")),
            lines: lines
                .into_iter()
                .map(|(line, (mut usage_types, q, c, unit))| {
                    usage_types.sort();
                    BillLineJson {
                        line,
                        usage_types,
                        quantity: from_nanos(q),
                        unit,
                        cost_usd: from_nanos(c),
                    }
                })
                .collect(),
            days: days
                .into_iter()
                .map(|(date, by_line)| BillDayJson {
                    date: date.to_string(),
                    cost_usd: from_nanos(by_line.values().map(|v| v.1).sum()),
                    lines: by_line
                        .into_iter()
                        .map(|(l, (q, c))| {
                            (
                                l,
                                Amounts {
                                    quantity: from_nanos(q),
                                    cost_usd: from_nanos(c),
                                },
                            )
                        })
                        .collect(),
                    cloudwatch_rpu_hours: i.cloudwatch.map(|_| cw_day(date).flatten()),
                })
                .collect(),
            total_usd: from_nanos(total),
            estimated_days: estimated.len(),
            cloudwatch: i.cloudwatch.map(|(wg, rpu_s, _)| {
                let compute = rpu_s / 3600.0;
                BillVsCloudWatch {
                    workgroup: wg.to_string(),
                    compute_rpu_hours: (compute * 1e6).round() / 1e6,
                    billed_rpu_hours,
                    minimum_charge_overhead: (compute > 0.0)
                        .then(|| (billed_rpu_hours / compute * 1e6).round() / 1e6),
                }
            }),
        }
    }

    pub fn render_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }

    pub fn render_table(&self) -> Vec<u8> {
        let mut out = format!(
            "Bill of Amazon Redshift in {} from {} to {} (exclusive){}\n",
            self.region,
            self.start,
            self.end,
            self.cost_tag
                .as_ref()
                .map_or_else(String::new, |t| format!(", tag {t}"))
        );
        let mut t = new_table(&["Line", "Usage types", "Quantity", "Unit", "Cost (USD)"]);
        for l in &self.lines {
            t.add_row(vec![
                l.line.to_string(),
                l.usage_types.join(", "),
                super::format::quantity(l.quantity),
                l.unit.clone(),
                usd(l.cost_usd),
            ]);
        }
        t.add_row(vec![
            "total".into(),
            String::new(),
            String::new(),
            String::new(),
            usd(self.total_usd),
        ]);
        right_align(&mut t, 2..3);
        right_align(&mut t, 4..5);
        out.push_str(&format!("{t}\n"));
        let with_cw = self.cloudwatch.is_some();
        let mut header = vec!["Day", "Compute RPU-h (bill)"];
        if with_cw {
            header.push("Compute RPU-h (CloudWatch)");
        }
        header.push("Cost (USD)");
        let mut d = new_table(&header);
        for day in &self.days {
            let mut row = vec![
                day.date.clone(),
                day.lines
                    .get("serverless compute")
                    .map_or_else(|| "—".into(), |a| super::format::quantity(a.quantity)),
            ];
            if with_cw {
                row.push(
                    day.cloudwatch_rpu_hours
                        .flatten()
                        .map_or_else(|| "—".into(), super::format::quantity),
                );
            }
            row.push(usd(day.cost_usd));
            d.add_row(row);
        }
        right_align(&mut d, 1..header.len());
        out.push_str(&format!("{d}\n"));
        if let Some(c) = &self.cloudwatch {
            out.push_str(&format!(
                "Workgroup {}: the bill's {} RPU-hours against CloudWatch's {} compute RPU-hours: {}.\n",
                c.workgroup,
                super::format::quantity(c.billed_rpu_hours),
                super::format::quantity(c.compute_rpu_hours),
                c.minimum_charge_overhead.map_or_else(
                    || "no compute in CloudWatch to compare with".to_string(),
                    |o| format!(
                        "a minimum-charge overhead of {:+.1} % (billed over ran)",
                        (o - 1.0) * 100.0
                    )
                )
            ));
        }
        if self.estimated_days > 0 {
            out.push_str(&format!(
                "{} day(s) are marked estimated by Cost Explorer and may still change.\n",
                self.estimated_days
            ));
        }
        out.into_bytes()
    }
}
