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
        files.push(("comment.md".into(), self.comment().into_bytes()));
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

    /// `Redshift cost report: 5 Jan 2026 + 30 days, generated 2026-12-06`.
    pub fn title(&self) -> String {
        let date = self
            .report
            .generated
            .as_ref()
            .map(|g| g.generated_at.chars().take(10).collect::<String>());
        let mut t = format!("Redshift cost report: {}", period_words(self.report));
        if let Some(d) = date {
            t.push_str(&format!(", generated {d}"));
        }
        t
    }

    fn generated_line(&self) -> Option<String> {
        self.report.generated.as_ref().map(|g| {
            format!(
                "Made by {} {} (billing model {}) at {}.",
                g.tool, g.tool_version, g.billing_model, g.generated_at
            )
        })
    }

    fn over(&self, name: &str) -> bool {
        self.report
            .budget_breaches
            .iter()
            .any(|b| b.scenario == name)
    }

    /// `over budget`, `ok`, or `—` without a budget.
    fn status(&self, s: &super::ScenarioReport) -> &'static str {
        if self.over(&s.name) {
            "over budget"
        } else if s.budget_usd.is_some() {
            "ok"
        } else {
            "—"
        }
    }

    fn grand_total(&self) -> f64 {
        // Summed in micro-dollars: no float noise in the total.
        let micros: i64 = self
            .report
            .scenarios
            .iter()
            .map(|s| (s.total_monthly_usd * 1e6).round() as i64)
            .sum();
        micros as f64 / 1e6
    }

    /// The Summary table (Markdown), with a status column and a grand-total row.
    fn summary_table(&self, with_region: bool) -> String {
        let mut out = String::new();
        let delta_col = self.baseline.is_some();
        out.push_str(if with_region {
            "| Scenario | Region | Period (h) | Total (USD) | Budget (USD) | Status |"
        } else {
            "| Scenario | Total (USD) | Budget (USD) | Status |"
        });
        out.push_str(if delta_col { " vs baseline |\n" } else { "\n" });
        out.push_str(if with_region {
            "|---|---|--:|--:|--:|---|"
        } else {
            "|---|--:|--:|---|"
        });
        out.push_str(if delta_col { "--:|\n" } else { "\n" });
        for s in &self.report.scenarios {
            let status = match self.status(s) {
                "over budget" => "**over budget**",
                other => other,
            };
            if with_region {
                let _ = write!(
                    out,
                    "| {} | {} | {} | {} | {} | {status} |",
                    escape(&s.name),
                    s.region,
                    s.period_hours,
                    usd(s.total_monthly_usd),
                    s.budget_usd.map_or_else(|| "—".into(), usd)
                );
            } else {
                let _ = write!(
                    out,
                    "| {} | {} | {} | {status} |",
                    escape(&s.name),
                    usd(s.total_monthly_usd),
                    s.budget_usd.map_or_else(|| "—".into(), usd)
                );
            }
            if delta_col {
                let _ = write!(
                    out,
                    " {} |",
                    self.total_delta(&s.name).unwrap_or_else(|| "—".into())
                );
            }
            out.push('\n');
        }
        let over = self.report.budget_breaches.len();
        let status = if over > 0 {
            format!("{over} over budget")
        } else {
            String::new()
        };
        if with_region {
            let _ = write!(
                out,
                "| **All {} scenarios** | | | **{}** | | {status} |",
                self.report.scenarios.len(),
                usd(self.grand_total())
            );
        } else {
            let _ = write!(
                out,
                "| **All {} scenarios** | **{}** | | {status} |",
                self.report.scenarios.len(),
                usd(self.grand_total())
            );
        }
        out.push_str(if delta_col { " |\n" } else { "\n" });
        out
    }

    /// The cost chart as a Mermaid block: totals, largest first.
    fn mermaid_costs(&self) -> String {
        let mut bars: Vec<(String, f64)> = self
            .report
            .scenarios
            .iter()
            .map(|s| (s.name.clone(), s.total_monthly_usd))
            .collect();
        bars.sort_by(|a, b| b.1.total_cmp(&a.1));
        mermaid_bars("Monthly cost (USD)", true, "USD", &bars)
    }

    /// A scenario's billed RPU-hours by day, from its heatmap, as a Mermaid block.
    fn mermaid_days(&self, scenario: &str) -> Option<String> {
        let heatmap = self.charts.iter().find_map(|c| match &c.chart {
            Chart::Heatmap(h) if c.scenario.as_deref() == Some(scenario) => Some(h),
            _ => None,
        })?;
        let mut days: Vec<(String, f64)> = Vec::new();
        for (i, rpu_s) in heatmap.hourly_rpu_seconds.iter().enumerate() {
            let day = heatmap
                .clock
                .local(i as f64 * 3600.0)
                .format("%-d %b")
                .to_string();
            match days.last_mut() {
                Some(last) if last.0 == day => last.1 += rpu_s / 3600.0,
                _ => days.push((day, rpu_s / 3600.0)),
            }
        }
        Some(mermaid_bars(
            "Billed RPU-hours by day",
            false,
            "RPU-hours",
            &days,
        ))
    }

    fn markdown(&self) -> String {
        let mut out = format!("# {}\n\n", self.title());
        let _ = writeln!(out, "Prices: {}\n", self.prices_text());
        if let Some(g) = self.generated_line() {
            let _ = writeln!(out, "{g}\n");
        }
        out.push_str("## Summary\n\n");
        out.push_str(&self.summary_table(true));
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
        out.push_str(&self.mermaid_costs());
        out.push('\n');
        for c in self.charts.iter().filter(|c| c.scenario.is_none()) {
            let _ = writeln!(out, "![{}]({}.svg)\n", c.alt, c.stem);
        }
        for s in &self.report.scenarios {
            out.push_str(&scenario_section(s));
            if let Some(m) = self.mermaid_days(&s.name) {
                out.push_str(&m);
                out.push('\n');
            }
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

    /// The PR comment: the summary, the cost chart as Mermaid, and one `<details>` per
    /// scenario, cut to fit GitHub's 65,536 characters (the rest named, in index.md).
    pub fn comment(&self) -> String {
        let mut head = format!("### {}\n\n", self.title());
        let _ = writeln!(head, "Prices: {}\n", self.prices_text());
        head.push_str(&self.summary_table(false));
        head.push('\n');
        head.push_str(&self.mermaid_costs());
        head.push('\n');
        let mut baseline = String::new();
        if let Some(d) = &self.baseline {
            baseline.push_str("<details><summary>Changes since the baseline</summary>\n\n");
            baseline.push_str(&String::from_utf8_lossy(&super::diff::render_markdown(
                d, false,
            )));
            baseline.push_str("\n</details>\n\n");
        }
        let sections: Vec<String> = self
            .report
            .scenarios
            .iter()
            .map(|s| {
                let mut body = format!(
                    "<details><summary><b>{}</b>: {} USD{}</summary>\n\n",
                    html_escape(&s.name),
                    usd(s.total_monthly_usd),
                    if self.over(&s.name) {
                        ", over budget"
                    } else {
                        ""
                    }
                );
                // The scenario's own heading is the summary line.
                let section = scenario_section(s);
                body.push_str(
                    section
                        .split_once('\n')
                        .map_or(section.as_str(), |x| x.1)
                        .trim_start(),
                );
                if let Some(m) = self.mermaid_days(&s.name) {
                    body.push_str(&m);
                }
                body.push_str("\n</details>\n\n");
                body
            })
            .collect();
        let mut out = head;
        let reserve = baseline.len() + 200;
        let mut left_out = 0;
        for section in &sections {
            if left_out == 0
                && out.chars().count() + section.chars().count() + reserve < COMMENT_LIMIT
            {
                out.push_str(section);
            } else {
                left_out += 1;
            }
        }
        if left_out > 0 {
            let _ = writeln!(
                out,
                "{left_out} more scenarios did not fit in a comment; they are in the report's index.md.\n"
            );
        }
        if out.chars().count() + baseline.chars().count() < COMMENT_LIMIT {
            out.push_str(&baseline);
        }
        out.trim_end().to_string() + "\n"
    }

    fn html(&self, svgs: &[String]) -> String {
        let title = html_escape(&self.title());
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>\n\
body{{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;max-width:1240px;margin:2em auto;padding:0 1em;color:#222}}\n\
table{{border-collapse:collapse;margin:1em 0}}th,td{{border:1px solid #ccc;padding:4px 8px}}caption{{text-align:left;font-weight:bold;padding:4px 0}}\n\
td.n,th.n{{text-align:right;font-variant-numeric:tabular-nums}}thead th{{background:#f4f4f4}}tbody th{{font-weight:normal;text-align:left}}\n\
.over{{color:#b00020;font-weight:bold}}figure{{margin:1em 0}}svg{{max-width:100%;height:auto}}nav li{{margin:2px 0}}\n\
</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n"
        );
        let _ = writeln!(out, "<p>Prices: {}</p>", html_escape(self.prices_text()));
        if let Some(g) = self.generated_line() {
            let _ = writeln!(out, "<p>{}</p>", html_escape(&g));
        }
        out.push_str("<nav aria-label=\"Contents\">\n<h2>Contents</h2>\n<ul>\n<li><a href=\"#summary\">Summary</a></li>\n");
        for s in &self.report.scenarios {
            let _ = writeln!(
                out,
                "<li><a href=\"#{}\">{}</a></li>",
                slug(&s.name),
                html_escape(&s.name)
            );
        }
        if self.baseline.is_some() {
            out.push_str("<li><a href=\"#baseline\">Changes since the baseline</a></li>\n");
        }
        out.push_str("</ul>\n</nav>\n");
        out.push_str("<h2 id=\"summary\">Summary</h2>\n<table>\n<caption>Monthly cost of each scenario</caption>\n<thead><tr><th scope=\"col\">Scenario</th><th scope=\"col\">Region</th><th scope=\"col\" class=\"n\">Period (h)</th><th scope=\"col\" class=\"n\">Total (USD)</th><th scope=\"col\" class=\"n\">Budget (USD)</th><th scope=\"col\">Status</th>");
        if self.baseline.is_some() {
            out.push_str("<th scope=\"col\" class=\"n\">vs baseline</th>");
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for s in &self.report.scenarios {
            let over = self.over(&s.name);
            let _ = write!(
                out,
                "<tr><th scope=\"row\"><a href=\"#{}\">{}</a></th><td>{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td><td{}>{}</td>",
                slug(&s.name),
                html_escape(&s.name),
                html_escape(&s.region),
                s.period_hours,
                if over { " over" } else { "" },
                usd(s.total_monthly_usd),
                s.budget_usd.map_or_else(|| "—".into(), usd),
                if over { " class=\"over\"" } else { "" },
                self.status(s)
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
        let over = self.report.budget_breaches.len();
        let _ = write!(
            out,
            "</tbody>\n<tfoot><tr><th scope=\"row\">All {} scenarios</th><td></td><td></td><td class=\"n\" id=\"grand-total\"><strong>{}</strong></td><td></td><td>{}</td>",
            self.report.scenarios.len(),
            usd(self.grand_total()),
            if over > 0 { format!("{over} over budget") } else { String::new() }
        );
        if self.baseline.is_some() {
            out.push_str("<td></td>");
        }
        out.push_str("</tr></tfoot>\n</table>\n");
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
            let _ = writeln!(
                out,
                "<section aria-labelledby=\"{0}\">\n<h2 id=\"{0}\">{1}</h2>",
                slug(&s.name),
                html_escape(&s.name)
            );
            let _ = writeln!(
                out,
                "<p>Region <code>{}</code>, period {} hours.</p>",
                html_escape(&s.region),
                s.period_hours
            );
            let _ = writeln!(
                out,
                "<table>\n<caption>Cost lines of {}</caption>\n<thead><tr><th scope=\"col\">Component</th><th scope=\"col\" class=\"n\">Quantity</th><th scope=\"col\">Unit</th><th scope=\"col\" class=\"n\">Unit price (USD)</th><th scope=\"col\" class=\"n\">Monthly (USD)</th><th scope=\"col\">Price source</th></tr></thead>\n<tbody>",
                html_escape(&s.name)
            );
            for c in &s.components {
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
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
                "</tbody>\n<tfoot><tr><th scope=\"row\">Total</th><td></td><td></td><td></td><th class=\"n\">{}</th><td></td></tr></tfoot>\n</table>",
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
            out.push_str("</section>\n");
        }
        if let Some(d) = &self.baseline {
            out.push_str("<h2 id=\"baseline\">Changes since the baseline</h2>\n<table>\n<caption>Month-over-month change of each line</caption>\n<thead><tr><th scope=\"col\">Scenario</th><th scope=\"col\">Line</th><th scope=\"col\" class=\"n\">Old (USD)</th><th scope=\"col\" class=\"n\">New (USD)</th><th scope=\"col\" class=\"n\">Δ (USD)</th><th scope=\"col\" class=\"n\">Δ %</th></tr></thead>\n");
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
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

/// GitHub's limit on a comment body (characters).
pub const COMMENT_LIMIT: usize = 65_536;

/// A label inside a Mermaid string: no double quotes (the grammar has no escape).
fn mermaid_label(s: &str) -> String {
    s.replace('"', "'")
}

/// A Mermaid number: at most two decimals.
fn mermaid_number(x: f64) -> String {
    super::format::trimmed((x * 100.0).round() / 100.0)
}

/// A Mermaid `xychart-beta` bar chart (GitHub renders it in Markdown, step summaries and
/// comments without image hosting).
pub fn mermaid_bars(
    title: &str,
    horizontal: bool,
    y_title: &str,
    bars: &[(String, f64)],
) -> String {
    let top = bars.iter().map(|b| b.1).fold(0.0, f64::max);
    let top = if top > 0.0 {
        super::charts::nice_ceiling(top * 1.05)
    } else {
        1.0
    };
    let labels: Vec<String> = bars
        .iter()
        .map(|b| format!("\"{}\"", mermaid_label(&b.0)))
        .collect();
    let values: Vec<String> = bars.iter().map(|b| mermaid_number(b.1)).collect();
    format!(
        "```mermaid\nxychart-beta{}\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"{}\" 0 --> {}\n    bar [{}]\n```\n",
        if horizontal { " horizontal" } else { "" },
        mermaid_label(title),
        labels.join(", "),
        mermaid_label(y_title),
        mermaid_number(top),
        values.join(", ")
    )
}

/// The period the report covers, in words: `5 Jan 2026 + 30 days`, or how many periods.
fn period_words(report: &Report) -> String {
    let mut periods: Vec<(&str, f64)> = report
        .scenarios
        .iter()
        .map(|s| (s.period_start.as_str(), s.period_hours))
        .collect();
    periods.sort_by(|a, b| a.0.cmp(b.0).then(a.1.total_cmp(&b.1)));
    periods.dedup();
    let one = |(start, hours): (&str, f64)| {
        let start = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d")
            .map_or_else(|_| start.to_string(), |d| d.format("%-d %b %Y").to_string());
        if hours % 24.0 == 0.0 {
            format!("{start} + {} days", hours / 24.0)
        } else {
            format!("{start} + {} hours", super::format::trimmed(hours))
        }
    };
    let date = |d: &str| {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_or_else(|_| d.to_string(), |d| d.format("%-d %b %Y").to_string())
    };
    match periods.as_slice() {
        [] => "no scenarios".into(),
        [p] => one(*p),
        [first, .., last] => format!(
            "{} periods starting between {} and {}",
            periods.len(),
            date(first.0),
            date(last.0)
        ),
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
