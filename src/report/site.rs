//! The monthly report folder of `redshift-cost report`: `index.md`, a self-contained
//! `index.html` (inline SVG, no external assets), `summary.json` (the estimate JSON) and
//! the chart files. Built in memory as (file name, bytes) pairs; the caller writes them
//! (atomically, as one folder).

use super::charts::{render, Chart, ChartError, ChartFormat, CostBar, CostBreakdown};
use super::diff::{Change, Diff};
use super::format::{signed_percent, usd};
use super::markdown::{escape, scenario_section};
use super::{Format, Report};
use std::fmt::Write;

/// A chart of the report: written as `<stem>.svg` and `<stem>.png`.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteChart {
    pub stem: String,
    pub alt: String,
    /// The scenario it belongs to, or `None` for charts of the whole report.
    pub scenario: Option<String>,
    pub chart: Chart,
}

/// Everything a report folder shows.
pub struct Site<'a> {
    pub report: &'a Report,
    /// The one line saying which prices were used and their dates.
    pub price_note: &'a str,
    pub charts: Vec<SiteChart>,
    /// Month-over-month deltas against `--baseline`.
    pub baseline: Option<Diff>,
}

/// The cost-breakdown chart of a report (one stacked bar per scenario).
pub fn cost_breakdown(report: &Report) -> Chart {
    Chart::Cost(CostBreakdown {
        title: "Monthly cost by scenario and kind of cost".into(),
        bars: report
            .scenarios
            .iter()
            .map(|s| CostBar {
                name: s.name.clone(),
                parts: s
                    .components
                    .iter()
                    .map(|c| (c.family, c.monthly_usd))
                    .collect(),
                over_budget: report.budget_breaches.iter().any(|b| b.scenario == s.name),
            })
            .collect(),
    })
}

/// Each scenario's month over its `--runs` (scenarios without runs are left out).
pub fn distribution_chart(report: &Report) -> Chart {
    use redshift_cost_core::uncertainty::Quantiles;
    Chart::Distribution(super::charts::DistributionChart {
        title: "The month's total over the runs".into(),
        rows: report
            .scenarios
            .iter()
            .filter_map(|s| {
                let d = s.distribution.as_ref()?;
                let q = |p: f64| Quantiles::quantile(&d.totals, p).unwrap_or(0.0);
                Some(super::charts::DistributionRow {
                    name: s.name.clone(),
                    runs: d.runs,
                    quantiles: [q(0.05), q(0.25), q(0.5), q(0.75), q(0.95)],
                    mean: d.total_monthly_usd.mean,
                })
            })
            .collect(),
    })
}

/// A file-name-safe form of a scenario name: `zero-etl tokyo 8 RPU` → `zero-etl-tokyo-8-rpu`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let s = out.trim_matches('-').to_string();
    if s.is_empty() {
        "scenario".into()
    } else {
        s
    }
}

impl Site<'_> {
    /// The price note without its `prices: ` lead-in.
    fn prices_text(&self) -> &str {
        self.price_note
            .strip_prefix("prices: ")
            .unwrap_or(self.price_note)
    }

    /// Every file of the folder, in a fixed order.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
        let mut files = Vec::new();
        let mut svgs = Vec::new();
        for c in &self.charts {
            let svg = render(&c.chart, ChartFormat::Svg, c.chart.size())?;
            let png = render(&c.chart, ChartFormat::Png, c.chart.size())?;
            svgs.push(String::from_utf8_lossy(&svg).into_owned());
            files.push((format!("{}.svg", c.stem), svg));
            files.push((format!("{}.png", c.stem), png));
        }
        files.push(("summary.json".into(), self.report.render(Format::Json)));
        files.push(("index.md".into(), self.markdown().into_bytes()));
        files.push(("index.html".into(), self.html(&svgs).into_bytes()));
        Ok(files)
    }

    fn total_delta(&self, scenario: &str) -> Option<String> {
        let d = self.baseline.as_ref()?;
        let s = d.scenarios.iter().find(|s| s.name == scenario)?;
        Some(if s.total.change == Change::New {
            "new".into()
        } else {
            let pct = s
                .total
                .delta_percent
                .map(signed_percent)
                .unwrap_or_default();
            format!("{:+.2} USD ({pct})", s.total.delta_usd)
        })
    }

    fn markdown(&self) -> String {
        let mut out = String::from("# Redshift cost report\n\n");
        let _ = writeln!(out, "Prices: {}\n", self.prices_text());
        out.push_str("## Summary\n\n");
        let delta_col = self.baseline.is_some();
        out.push_str("| Scenario | Region | Period (h) | Total (USD) | Budget (USD) |");
        out.push_str(if delta_col { " vs baseline |\n" } else { "\n" });
        out.push_str("|---|---|--:|--:|--:|");
        out.push_str(if delta_col { "--:|\n" } else { "\n" });
        for s in &self.report.scenarios {
            let _ = write!(
                out,
                "| {} | {} | {} | {} | {} |",
                escape(&s.name),
                s.region,
                s.period_hours,
                usd(s.total_monthly_usd),
                s.budget_usd.map_or_else(|| "—".into(), usd)
            );
            if delta_col {
                let _ = write!(
                    out,
                    " {} |",
                    self.total_delta(&s.name).unwrap_or_else(|| "—".into())
                );
            }
            out.push('\n');
        }
        out.push('\n');
        if !self.report.budget_breaches.is_empty() {
            out.push_str("### Over budget\n\n");
            for b in &self.report.budget_breaches {
                let _ = writeln!(
                    out,
                    "- **{}**: budget {} USD, estimate {} USD, over by {} USD",
                    escape(&b.scenario),
                    usd(b.budget_usd),
                    usd(b.estimate_usd),
                    usd(b.excess_usd)
                );
            }
            out.push('\n');
        }
        for c in self.charts.iter().filter(|c| c.scenario.is_none()) {
            let _ = writeln!(out, "![{}]({}.svg)\n", c.alt, c.stem);
        }
        for s in &self.report.scenarios {
            out.push_str(&scenario_section(s));
            for c in self
                .charts
                .iter()
                .filter(|c| c.scenario.as_deref() == Some(&s.name))
            {
                let _ = writeln!(out, "![{}]({}.svg)\n", c.alt, c.stem);
            }
        }
        if let Some(d) = &self.baseline {
            out.push_str("## Changes since the baseline\n\n");
            out.push_str(&String::from_utf8_lossy(&super::diff::render_markdown(
                d, false,
            )));
            out.push('\n');
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }

    fn html(&self, svgs: &[String]) -> String {
        let mut out = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redshift cost report</title>\n<style>\n\
body{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;max-width:1240px;margin:2em auto;padding:0 1em;color:#222}\n\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px}\n\
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}\n\
.over{color:#b00020;font-weight:bold}figure{margin:1em 0}svg{max-width:100%;height:auto}\n\
</style>\n</head>\n<body>\n<h1>Redshift cost report</h1>\n",
        );
        let _ = writeln!(out, "<p>Prices: {}</p>", html_escape(self.prices_text()));
        out.push_str("<h2>Summary</h2>\n<table>\n<tr><th>Scenario</th><th>Region</th><th>Period (h)</th><th>Total (USD)</th><th>Budget (USD)</th>");
        if self.baseline.is_some() {
            out.push_str("<th>vs baseline</th>");
        }
        out.push_str("</tr>\n");
        for s in &self.report.scenarios {
            let over = self
                .report
                .budget_breaches
                .iter()
                .any(|b| b.scenario == s.name);
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td>",
                html_escape(&s.name),
                html_escape(&s.region),
                s.period_hours,
                if over { " over" } else { "" },
                usd(s.total_monthly_usd),
                s.budget_usd.map_or_else(|| "—".into(), usd)
            );
            if self.baseline.is_some() {
                let _ = write!(
                    out,
                    "<td class=\"n\">{}</td>",
                    html_escape(&self.total_delta(&s.name).unwrap_or_else(|| "—".into()))
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
        for b in &self.report.budget_breaches {
            let _ = writeln!(
                out,
                "<p class=\"over\">Over budget: {}: budget {} USD, estimate {} USD{}, over by {} USD</p>",
                html_escape(&b.scenario),
                usd(b.budget_usd),
                usd(b.estimate_usd),
                b.quantile_note(),
                usd(b.excess_usd)
            );
        }
        let figure = |out: &mut String, i: usize| {
            let _ = writeln!(
                out,
                "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
                svgs[i].trim(),
                html_escape(&self.charts[i].alt)
            );
        };
        for (i, c) in self.charts.iter().enumerate() {
            if c.scenario.is_none() {
                figure(&mut out, i);
            }
        }
        for s in &self.report.scenarios {
            let _ = writeln!(out, "<h2>{}</h2>", html_escape(&s.name));
            let _ = writeln!(
                out,
                "<p>Region <code>{}</code>, period {} hours.</p>",
                html_escape(&s.region),
                s.period_hours
            );
            out.push_str("<table>\n<tr><th>Component</th><th>Quantity</th><th>Unit</th><th>Unit price (USD)</th><th>Monthly (USD)</th><th>Price source</th></tr>\n");
            for c in &s.components {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                    html_escape(&c.component),
                    super::format::quantity(c.quantity),
                    html_escape(&c.unit),
                    super::format::unit_price(c.unit_price_usd),
                    usd(c.monthly_usd),
                    html_escape(&c.price_source)
                );
            }
            let _ = writeln!(
                out,
                "<tr><th>Total</th><td></td><td></td><td></td><th class=\"n\">{}</th><td></td></tr>\n</table>",
                usd(s.total_monthly_usd)
            );
            if let Some(d) = &s.distribution {
                let _ = writeln!(
                    out,
                    "<table>\n<tr><th>Over {} runs</th><th>P5</th><th>P50</th><th>P95</th><th>Mean</th></tr>",
                    d.runs
                );
                for row in d.rows() {
                    let _ = writeln!(
                        out,
                        "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                        html_escape(&row[0]),
                        html_escape(&row[1]),
                        html_escape(&row[2]),
                        html_escape(&row[3]),
                        html_escape(&row[4])
                    );
                }
                out.push_str("</table>\n");
                for fact in d.facts() {
                    let _ = writeln!(out, "<p>{}</p>", html_escape(&fact));
                }
            }
            if let Some(sv) = &s.serverless {
                out.push_str("<ul>\n");
                for fact in super::table::serverless_facts(sv, &s.period_start) {
                    let _ = writeln!(out, "<li>{}</li>", html_escape(&fact));
                }
                out.push_str("</ul>\n");
            }
            for (i, c) in self.charts.iter().enumerate() {
                if c.scenario.as_deref() == Some(&s.name) {
                    figure(&mut out, i);
                }
            }
        }
        if let Some(d) = &self.baseline {
            out.push_str("<h2>Changes since the baseline</h2>\n<table>\n<tr><th>Scenario</th><th>Line</th><th>Old (USD)</th><th>New (USD)</th><th>Δ (USD)</th><th>Δ %</th></tr>\n");
            for s in &d.scenarios {
                for c in &s.components {
                    let _ = writeln!(
                        out,
                        "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:+.2}</td><td class=\"n\">{}</td></tr>",
                        html_escape(&s.name),
                        html_escape(&c.component),
                        c.delta.old_usd.map_or_else(|| "—".into(), usd),
                        c.delta.new_usd.map_or_else(|| "—".into(), usd),
                        c.delta.delta_usd,
                        match c.delta.change {
                            Change::New => "new".to_string(),
                            Change::Removed => "removed".to_string(),
                            _ => c.delta.delta_percent.map_or_else(|| "—".into(), signed_percent),
                        }
                    );
                }
            }
            out.push_str("</table>\n");
        }
        out.push_str("</body>\n</html>\n");
        out
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_escapes() {
        assert_eq!(slug("zero-etl tokyo 8 RPU"), "zero-etl-tokyo-8-rpu");
        assert_eq!(
            slug("BI dashboards, business hours"),
            "bi-dashboards-business-hours"
        );
        assert_eq!(slug("!!!"), "scenario");
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
