//! Markdown: a summary table, then each scenario's cost lines and Serverless figures.

use super::format::{quantity, unit_price, usd};
use super::{table::serverless_facts, Report, ScenarioReport};
use std::fmt::Write;

pub fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// One scenario's section: heading, cost table, budget and Serverless figures.
pub fn scenario_section(s: &ScenarioReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", escape(&s.name));
    let _ = writeln!(
        out,
        "Region `{}`, period {} hours.\n",
        s.region,
        quantity(s.period_hours)
    );
    out.push_str(
        "| Component | Quantity | Unit | Unit price (USD) | Monthly (USD) | Price source |\n",
    );
    out.push_str("|---|--:|---|--:|--:|---|\n");
    for c in &s.components {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape(&c.component),
            quantity(c.quantity),
            c.unit,
            unit_price(c.unit_price_usd),
            usd(c.monthly_usd),
            c.price_source
        );
    }
    let _ = writeln!(
        out,
        "| **Total** | | | | **{}** | |\n",
        usd(s.total_monthly_usd)
    );
    if let Some(b) = s.budget_usd {
        let _ = writeln!(out, "Budget: {} USD.\n", usd(b));
    }
    if let [a, b] = s.metering_bills.as_slice() {
        let _ = writeln!(
            out,
            "| Metering | {} (USD) | {} (USD) |\n|---|--:|--:|",
            a.metering, b.metering
        );
        for l in &a.lines {
            let o: f64 = b
                .lines
                .iter()
                .filter(|x| x.component == l.component)
                .map(|x| x.monthly_usd)
                .sum();
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                escape(&l.component),
                usd(l.monthly_usd),
                usd(o)
            );
        }
        let _ = writeln!(
            out,
            "| **Total** | **{}** | **{}** |\n",
            usd(a.total_monthly_usd),
            usd(b.total_monthly_usd)
        );
    }
    if let Some(d) = &s.distribution {
        let _ = writeln!(
            out,
            "| Over {} runs | P5 | P50 | P95 | Mean |\n|---|--:|--:|--:|--:|",
            d.runs
        );
        for [name, p5, p50, p95, mean] in d.rows() {
            let _ = writeln!(out, "| {} | {p5} | {p50} | {p95} | {mean} |", escape(&name));
        }
        out.push('\n');
        for fact in d.facts() {
            let _ = writeln!(out, "{fact}\n");
        }
    }
    if let Some(sv) = &s.serverless {
        for fact in serverless_facts(sv, &s.period_start) {
            let _ = writeln!(out, "- {fact}");
        }
        out.push('\n');
    }
    if let Some(o) = &s.observed {
        for fact in o.facts() {
            let _ = writeln!(out, "- {fact}");
        }
        out.push('\n');
    }
    let facts = super::facts::service_facts(s);
    if !facts.is_empty() {
        for fact in facts {
            let _ = writeln!(out, "- {fact}");
        }
        out.push('\n');
    }
    out
}

pub fn render(report: &Report) -> Vec<u8> {
    let mut out = String::new();
    if report.scenarios.len() > 1 {
        out.push_str("| Scenario | Region | Period (h) | Total (USD) |\n|---|---|--:|--:|\n");
        for s in &report.scenarios {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape(&s.name),
                s.region,
                quantity(s.period_hours),
                usd(s.total_monthly_usd)
            );
        }
        out.push('\n');
    }
    for s in &report.scenarios {
        out.push_str(&scenario_section(s));
    }
    if let Some(iac) = &report.infrastructure {
        out.push_str(&iac.markdown());
        out.push('\n');
    }
    for b in &report.budget_breaches {
        let _ = writeln!(
            out,
            "**Over budget:** {}: budget {} USD, estimate {} USD{}, over by {} USD.\n",
            escape(&b.scenario),
            usd(b.budget_usd),
            usd(b.estimate_usd),
            b.quantile_note(),
            usd(b.excess_usd)
        );
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out.into_bytes()
}
