//! `forecast`: the scenario month by month under its `[growth]`, with the cumulative
//! cost and when a reservation pays off. Every renderer returns bytes.

use super::charts::{Chart, ForecastChart};
use super::distribution::QuantilesJson;
use super::format::{quantity, usd};
use super::markdown::escape;
use super::table::{new_table, right_align};
use redshift_cost_core::forecast::{
    month_label, Growth, NodePayoff, ServerlessPayoff, StorageGrowth,
};
use redshift_cost_core::model::figures::ScenarioEstimate;
use redshift_cost_core::uncertainty::{Distribution, Quantiles};
use redshift_cost_core::units::Money;
use serde::Serialize;
use std::fmt::Write as _;

/// Output formats of `forecast`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForecastFormat {
    Table,
    Json,
    Markdown,
    Csv,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastLineJson {
    pub component: String,
    pub monthly_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthJson {
    /// 1-based.
    pub month: u32,
    /// `2027-01`.
    pub label: String,
    /// The month's mean managed storage, GB (what it is billed on).
    pub managed_storage_gb: f64,
    pub total_monthly_usd: f64,
    /// Months 1 to this one, added up exactly.
    pub cumulative_usd: f64,
    pub components: Vec<ForecastLineJson>,
    /// With `--runs`: the month's total over the runs (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<QuantilesJson>,
    /// With `--runs`: the cumulative cost over the runs (run `k` draws the same ranges
    /// in every month, so each run is one path through the year).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cumulative_distribution: Option<QuantilesJson>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrowthJson {
    pub storage_gb_per_month: Option<f64>,
    pub storage_pct_per_month: Option<f64>,
    /// Every workload's growth, percent a month, and the ones named apart.
    pub workload_pct_per_month: f64,
    pub workload_pct_by_name: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerlessPayoffJson {
    pub month: u32,
    pub label: String,
    pub reserved_rpu: f64,
    pub term: &'static str,
    /// Compute saved from that month to the end of the forecast.
    pub saving_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodePayoffJson {
    pub term: String,
    /// The first month by whose end the term has cost no more than on demand; null when
    /// not within the forecast.
    pub month: Option<u32>,
    pub label: Option<String>,
    /// Over the whole forecast: the term (its upfront fee in month 1) and on demand.
    pub reserved_usd: f64,
    pub on_demand_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastReport {
    pub schema_version: u32,
    pub scenario: String,
    pub region: String,
    pub months: Vec<MonthJson>,
    /// All the months together (the last month's `cumulative_usd`).
    pub total_usd: f64,
    pub growth: GrowthJson,
    /// Monte Carlo runs a month, with `--runs`.
    pub runs: Option<usize>,
    /// When a Serverless reservation starts to pay (null: not within the forecast, or no
    /// Serverless).
    pub serverless_reservation: Option<ServerlessPayoffJson>,
    /// For an on-demand provisioned cluster: each published reserved-node term.
    pub reserved_nodes: Vec<NodePayoffJson>,
    /// How the forecast was modelled, one sentence each.
    pub notes: Vec<String>,
}

/// One month's input to the report.
pub struct MonthInput<'a> {
    pub month: u32,
    pub estimate: &'a ScenarioEstimate,
    pub managed_storage_gb: f64,
    pub distribution: Option<&'a Distribution>,
}

impl ForecastReport {
    pub fn new(
        growth: &Growth,
        months: &[MonthInput<'_>],
        runs: Option<usize>,
        serverless: Option<&ServerlessPayoff>,
        nodes: &[NodePayoff],
    ) -> ForecastReport {
        let first = months.first().map(|m| m.estimate);
        let mut cumulative = Money::ZERO;
        // Each run's path: its totals added up month by month.
        let mut paths: Vec<Money> = Vec::new();
        let money_q = |q: Quantiles| {
            let money = |x: f64| Money::from_usd(x).usd();
            QuantilesJson {
                p5: money(q.p5),
                p50: money(q.p50),
                p95: money(q.p95),
                mean: money(q.mean),
            }
        };
        let label = |m: &MonthInput<'_>| month_label(m.estimate.period_start);
        let rows: Vec<MonthJson> = months
            .iter()
            .map(|m| {
                let total = m.estimate.total();
                cumulative += total;
                let cumulative_distribution = m.distribution.and_then(|d| {
                    if paths.is_empty() {
                        paths = vec![Money::ZERO; d.totals.len()];
                    }
                    if paths.len() != d.totals.len() {
                        return None;
                    }
                    for (p, t) in paths.iter_mut().zip(&d.totals) {
                        *p += Money::from_usd(*t);
                    }
                    let values: Vec<f64> = paths.iter().map(|p| p.usd()).collect();
                    Quantiles::of(&values).map(money_q)
                });
                MonthJson {
                    month: m.month,
                    label: label(m),
                    managed_storage_gb: (m.managed_storage_gb * 1e6).round() / 1e6,
                    total_monthly_usd: total.usd(),
                    cumulative_usd: cumulative.usd(),
                    components: m
                        .estimate
                        .lines
                        .iter()
                        .map(|l| ForecastLineJson {
                            component: l.component.clone(),
                            monthly_usd: l.cost.usd(),
                        })
                        .collect(),
                    distribution: m.distribution.map(|d| money_q(d.total_usd)),
                    cumulative_distribution,
                }
            })
            .collect();
        let month_label_of = |n: u32| rows.iter().find(|r| r.month == n).map(|r| r.label.clone());
        let (gb, pct) = match growth.storage {
            Some(StorageGrowth::GbPerMonth(g)) => (Some(g), None),
            Some(StorageGrowth::PctPerMonth(p)) => (None, Some(p)),
            None => (None, None),
        };
        let mut notes = vec![
            "The scenario as written is the first day of month 1; each month is billed on its mean: storage on the mean GB over the month (as AWS bills GB-months), workloads at their mean rate over the month.".to_string(),
        ];
        if *growth == Growth::default() {
            notes
                .push("The scenario has no [growth]: every month is forecast as the first.".into());
        }
        if first.is_some_and(|e| e.serverless.is_some()) {
            notes.push("Periodic workloads (`every`) keep their schedule and run longer as they grow; traces are replayed as they are.".into());
        }
        if let Some(p) = serverless {
            notes.push(format!(
                "A Serverless reservation of {} RPU ({}) first lowers the compute in month {} ({}) and saves {} USD from then to month {}.",
                quantity(p.reserved_rpu).trim_end_matches(".00"),
                p.term,
                p.month,
                month_label_of(p.month).unwrap_or_default(),
                usd(p.saving_usd),
                rows.len()
            ));
        }
        if serverless.is_none() && first.is_some_and(|e| e.reservation.is_some()) {
            notes.push(format!(
                "A Serverless reservation does not lower the compute in any of the {} months.",
                rows.len()
            ));
        }
        for n in nodes {
            notes.push(match n.month {
                Some(m) => format!(
                    "Reserved nodes {}: paid off by the end of month {m} ({}); over the forecast {} USD against {} USD on demand.",
                    n.term,
                    month_label_of(m).unwrap_or_default(),
                    usd(n.reserved_usd),
                    usd(n.on_demand_usd)
                ),
                None => format!(
                    "Reserved nodes {}: not paid off within the forecast ({} USD against {} USD on demand).",
                    n.term,
                    usd(n.reserved_usd),
                    usd(n.on_demand_usd)
                ),
            });
        }
        ForecastReport {
            schema_version: super::SCHEMA_VERSION,
            scenario: first.map(|e| e.name.clone()).unwrap_or_default(),
            region: first.map(|e| e.region.clone()).unwrap_or_default(),
            total_usd: cumulative.usd(),
            months: rows.clone(),
            growth: GrowthJson {
                storage_gb_per_month: gb,
                storage_pct_per_month: pct,
                workload_pct_per_month: growth.workload_pct,
                workload_pct_by_name: growth.workload_pct_by_name.clone(),
            },
            runs,
            serverless_reservation: serverless.map(|p| ServerlessPayoffJson {
                month: p.month,
                label: month_label_of(p.month).unwrap_or_default(),
                reserved_rpu: p.reserved_rpu,
                term: p.term,
                saving_usd: Money::from_usd(p.saving_usd).usd(),
            }),
            reserved_nodes: nodes
                .iter()
                .map(|n| NodePayoffJson {
                    term: n.term.clone(),
                    month: n.month,
                    label: n.month.and_then(month_label_of),
                    reserved_usd: Money::from_usd(n.reserved_usd).usd(),
                    on_demand_usd: Money::from_usd(n.on_demand_usd).usd(),
                })
                .collect(),
            notes,
        }
    }

    /// Every component met in any month, in first-met order.
    fn components(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for m in &self.months {
            for c in &m.components {
                if !names.contains(&c.component.as_str()) {
                    names.push(&c.component);
                }
            }
        }
        names
    }

    /// Rows of the month table: label, storage GB, each component, total, cumulative,
    /// and the P5–P95 of the runs when there are runs.
    fn rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let components = self.components();
        let mut header = vec!["Month".to_string(), "Storage (GB)".to_string()];
        header.extend(components.iter().map(|c| format!("{c} (USD)")));
        header.extend(["Total (USD)".to_string(), "Cumulative (USD)".to_string()]);
        if self.runs.is_some() {
            header.push("Month P5–P95 (USD)".to_string());
            header.push("Cumulative P5–P95 (USD)".to_string());
        }
        let rows = self
            .months
            .iter()
            .map(|m| {
                let mut row = vec![m.label.clone(), quantity(m.managed_storage_gb)];
                row.extend(components.iter().map(|c| {
                    usd(m
                        .components
                        .iter()
                        .filter(|l| l.component == *c)
                        .map(|l| l.monthly_usd)
                        .sum())
                }));
                row.extend([usd(m.total_monthly_usd), usd(m.cumulative_usd)]);
                if self.runs.is_some() {
                    let range = |q: Option<QuantilesJson>| {
                        q.map(|q| format!("{} – {}", usd(q.p5), usd(q.p95)))
                    };
                    row.push(range(m.distribution).unwrap_or_default());
                    row.push(range(m.cumulative_distribution).unwrap_or_default());
                }
                row
            })
            .collect();
        (header, rows)
    }

    pub fn render(&self, format: ForecastFormat) -> Vec<u8> {
        match format {
            ForecastFormat::Json => super::json::to_bytes(self),
            ForecastFormat::Table => self.text(false),
            ForecastFormat::Markdown => self.text(true),
            ForecastFormat::Csv => self.csv(),
        }
    }

    fn text(&self, markdown: bool) -> Vec<u8> {
        let mut out = String::new();
        let months = self.months.len();
        let span = match (self.months.first(), self.months.last()) {
            (Some(a), Some(b)) => format!("{} to {}", a.label, b.label),
            _ => String::new(),
        };
        if markdown {
            let _ = writeln!(
                out,
                "## Forecast: {} ({months} months, {span})\n",
                escape(&self.scenario)
            );
        } else {
            let _ = writeln!(
                out,
                "Forecast for {} ({}), {months} months, {span}",
                self.scenario, self.region
            );
        }
        let (header, rows) = self.rows();
        if markdown {
            let _ = writeln!(
                out,
                "| {} |\n|---|{}|",
                header.join(" | "),
                vec!["--:"; header.len() - 1].join("|")
            );
            for r in &rows {
                let cells: Vec<String> = r.iter().map(|c| escape(c)).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
            out.push('\n');
        } else {
            let mut t = new_table(&header);
            for r in rows {
                t.add_row(r);
            }
            right_align(&mut t, 1..header.len());
            let _ = writeln!(out, "{t}");
        }
        let _ = writeln!(
            out,
            "{}{} months: {} USD.{}",
            if markdown { "**" } else { "" },
            months,
            usd(self.total_usd),
            if markdown { "**\n" } else { "" }
        );
        for n in &self.notes {
            let _ = writeln!(out, "{}{n}", if markdown { "- " } else { "" });
        }
        out.into_bytes()
    }

    fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = [
            "month",
            "label",
            "component",
            "monthly_usd",
            "cumulative_usd",
            "managed_storage_gb",
            "p5_usd",
            "p95_usd",
        ];
        let _ = w.write_record(header);
        for m in &self.months {
            for c in &m.components {
                let _ = w.write_record([
                    m.month.to_string(),
                    m.label.clone(),
                    c.component.clone(),
                    c.monthly_usd.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
            let (p5, p95) = m.distribution.map_or((String::new(), String::new()), |q| {
                (q.p5.to_string(), q.p95.to_string())
            });
            let _ = w.write_record([
                m.month.to_string(),
                m.label.clone(),
                "total".to_string(),
                m.total_monthly_usd.to_string(),
                m.cumulative_usd.to_string(),
                m.managed_storage_gb.to_string(),
                p5,
                p95,
            ]);
        }
        w.into_inner().unwrap_or_default()
    }

    /// Monthly bars, the cumulative line and the runs' band.
    pub fn chart(&self) -> Chart {
        Chart::Forecast(ForecastChart {
            title: format!("{}: {} months", self.scenario, self.months.len()),
            months: self
                .months
                .iter()
                .map(|m| {
                    (
                        m.label.clone(),
                        m.total_monthly_usd,
                        m.distribution.map(|q| (q.p5, q.p95)),
                    )
                })
                .collect(),
            cumulative: self.months.iter().map(|m| m.cumulative_usd).collect(),
            cumulative_band: self
                .months
                .iter()
                .map(|m| m.cumulative_distribution.map(|q| (q.p5, q.p95)))
                .collect(),
        })
    }
}
