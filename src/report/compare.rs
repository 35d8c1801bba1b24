//! `redshift-cost compare`: Serverless vs provisioned for each scenario, the break-even
//! busy hours a day, then both estimates in full.

use super::facts::comparison_facts;
use super::format::usd;
use super::markdown::escape;
use super::table::{new_table, right_align};
use super::wire::ComparisonJson as Comparison;
use super::{Format, Report, ScenarioReport, SCHEMA_VERSION};
use redshift_cost_core::model::compare::compare;
use redshift_cost_core::model::figures::ScenarioEstimate;
use serde::Serialize;
use std::fmt::Write;

/// The compare report (JSON: `schema_version`, `comparisons`, `scenarios`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareReport {
    pub schema_version: u32,
    pub comparisons: Vec<Comparison>,
    /// Both estimates of every scenario, named `<name> (Serverless)` and
    /// `<name> (provisioned)`.
    pub scenarios: Vec<ScenarioReport>,
    /// The same estimates as an estimate report (for the human formats).
    #[serde(skip)]
    estimates: Report,
}

impl CompareReport {
    /// `pairs`: each scenario's Serverless and provisioned estimates.
    pub fn new(pairs: &[(ScenarioEstimate, ScenarioEstimate)]) -> CompareReport {
        let comparisons = pairs
            .iter()
            .map(|(s, p)| Comparison::from(&compare(s, p)))
            .collect();
        let named: Vec<ScenarioEstimate> = pairs
            .iter()
            .flat_map(|(s, p)| {
                let mut s = s.clone();
                let mut p = p.clone();
                s.name = format!("{} (Serverless)", s.name);
                p.name = format!("{} (provisioned)", p.name);
                [s, p]
            })
            .collect();
        let estimates = Report::new(&named, None);
        CompareReport {
            schema_version: SCHEMA_VERSION,
            comparisons,
            scenarios: estimates.scenarios.clone(),
            estimates,
        }
    }

    pub fn render(&self, format: Format) -> Vec<u8> {
        match format {
            // `compare` offers no Infracost format; its JSON is the nearest.
            Format::Json | Format::Infracost => {
                let mut out = serde_json::to_vec_pretty(self).expect("a report always serializes");
                out.push(b'\n');
                out
            }
            Format::Table => {
                let mut out = self.table().into_bytes();
                out.push(b'\n');
                out.extend(self.estimates.render(Format::Table));
                out
            }
            Format::Markdown => {
                let mut out = self.markdown().into_bytes();
                out.extend(self.estimates.render(Format::Markdown));
                out
            }
            Format::Csv => self.csv(),
        }
    }

    fn table(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.comparisons.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "Serverless vs provisioned: {} ({}, {} hours)",
                c.name,
                c.region,
                super::format::quantity(c.period_hours)
            );
            let mut t = new_table(&["", "Serverless", "Provisioned"]);
            for (label, a, b) in rows(c) {
                t.add_row(vec![label.to_string(), a, b]);
            }
            right_align(&mut t, [1, 2]);
            let _ = writeln!(out, "{t}");
            for fact in comparison_facts(c) {
                let _ = writeln!(out, "{fact}");
            }
        }
        out
    }

    fn markdown(&self) -> String {
        let mut out = String::new();
        for c in &self.comparisons {
            let _ = writeln!(out, "## Serverless vs provisioned: {}\n", escape(&c.name));
            out.push_str("| | Serverless | Provisioned |\n|---|--:|--:|\n");
            for (label, a, b) in rows(c) {
                let _ = writeln!(out, "| {label} | {} | {} |", escape(&a), escape(&b));
            }
            out.push('\n');
            for fact in comparison_facts(c) {
                let _ = writeln!(out, "- {fact}");
            }
            out.push('\n');
        }
        out
    }

    /// One row per side: scenario, deployment, configuration, compute, other, total, and
    /// the break-even busy hours a day.
    fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = [
            "scenario",
            "region",
            "period_hours",
            "deployment",
            "configuration",
            "compute_usd",
            "other_usd",
            "total_usd",
            "break_even_busy_hours_per_day",
        ];
        w.write_record(header)
            .expect("writing to memory cannot fail");
        for c in &self.comparisons {
            let be = c
                .break_even_busy_hours_per_day
                .map(|b| b.to_string())
                .unwrap_or_default();
            for (deployment, side) in [
                ("serverless", &c.serverless),
                ("provisioned", &c.provisioned),
            ] {
                w.write_record([
                    c.name.clone(),
                    c.region.clone(),
                    c.period_hours.to_string(),
                    deployment.to_string(),
                    side.configuration.clone(),
                    side.compute_usd.to_string(),
                    side.other_usd.to_string(),
                    side.total_usd.to_string(),
                    be.clone(),
                ])
                .expect("writing to memory cannot fail");
            }
        }
        w.into_inner().expect("writing to memory cannot fail")
    }
}

fn rows(c: &Comparison) -> Vec<(&'static str, String, String)> {
    vec![
        (
            "Configuration",
            c.serverless.configuration.clone(),
            c.provisioned.configuration.clone(),
        ),
        (
            "Compute (USD)",
            usd(c.serverless.compute_usd),
            usd(c.provisioned.compute_usd),
        ),
        (
            "Storage and other (USD)",
            usd(c.serverless.other_usd),
            usd(c.provisioned.other_usd),
        ),
        (
            "Total (USD)",
            usd(c.serverless.total_usd),
            usd(c.provisioned.total_usd),
        ),
    ]
}
