//! What a Terraform plan or a CloudFormation template set for each scenario, and the
//! before/after diff a pull-request reviewer wants: the `infrastructure` object of an
//! estimate report, and its table and Markdown.

use super::diff::{
    diff, render_markdown, render_table, ClassTotals, ComponentTotal, Diff, ReportTotals,
    ScenarioTotals, ServerlessTotals,
};
use super::Report;
use serde::Serialize;
use std::fmt::Write as _;

/// A value the plan sets: the scenario's, and the plan's before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IacValueJson {
    pub key: String,
    pub scenario: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub from: String,
}

/// The resource a scenario models and what the change does to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IacResourceJson {
    pub scenario: String,
    pub address: String,
    pub resource_type: String,
    /// `create`, `update`, `replace`, `delete`, `no-op`.
    pub action: String,
    pub values: Vec<IacValueJson>,
}

/// The `infrastructure` object: where the values came from, the before side's totals
/// and the diff (after − before).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IacJson {
    /// `terraform` or `cloudformation`.
    pub source: &'static str,
    pub file: String,
    pub resources: Vec<IacResourceJson>,
    /// Sentences on what the change does that no line shows (snapshot schedules).
    pub notes: Vec<String>,
    /// Before vs after, per scenario and line (a template has no before: null).
    pub diff: Option<Diff>,
}

/// The totals a diff reads, from a report.
pub fn totals(r: &Report) -> ReportTotals {
    ReportTotals {
        schema_version: r.schema_version,
        scenarios: r
            .scenarios
            .iter()
            .map(|s| ScenarioTotals {
                name: s.name.clone(),
                total_monthly_usd: s.total_monthly_usd,
                components: s
                    .components
                    .iter()
                    .map(|c| ComponentTotal {
                        component: c.component.clone(),
                        monthly_usd: c.monthly_usd,
                    })
                    .collect(),
                serverless: s.serverless.as_ref().map(|sv| ServerlessTotals {
                    busy_periods: sv.busy_periods,
                    by_class: sv
                        .by_class
                        .iter()
                        .map(|(name, c)| {
                            (
                                name.clone(),
                                ClassTotals {
                                    demand_rpu_seconds: Some(c.demand_rpu_seconds),
                                },
                            )
                        })
                        .collect(),
                }),
            })
            .collect(),
    }
}

/// The diff of a plan's two sides.
pub fn before_after(before: &Report, after: &Report) -> Diff {
    diff(&totals(before), &totals(after))
}

impl IacJson {
    fn source_name(&self) -> &'static str {
        if self.source == "cloudformation" {
            "CloudFormation template"
        } else {
            "Terraform plan"
        }
    }

    /// One sentence per resource: what it sets for its scenario.
    pub fn facts(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.resources {
            let values: Vec<String> = r
                .values
                .iter()
                .map(|v| {
                    let side = |x: &Option<String>| x.clone().unwrap_or_else(|| "—".into());
                    if self.diff.is_some() {
                        format!(
                            "{} {} → {} (scenario: {})",
                            v.key,
                            side(&v.before),
                            side(&v.after),
                            v.scenario
                        )
                    } else {
                        format!("{} {} (scenario: {})", v.key, side(&v.after), v.scenario)
                    }
                })
                .collect();
            out.push(format!(
                "{} ← {} ({}): {}",
                r.scenario,
                r.address,
                r.action,
                if values.is_empty() {
                    "sets nothing the scenario models".to_string()
                } else {
                    values.join("; ")
                }
            ));
        }
        out.extend(self.notes.iter().cloned());
        out
    }

    pub fn table(&self) -> String {
        let mut out = format!("\n{} {}\n", self.source_name(), self.file);
        for f in self.facts() {
            let _ = writeln!(out, "{f}");
        }
        if let Some(d) = &self.diff {
            out.push_str("Before and after:\n");
            out.push_str(&String::from_utf8_lossy(&render_table(d, false)));
        }
        out
    }

    pub fn markdown(&self) -> String {
        let mut out = format!(
            "\n## {} `{}`\n\n",
            self.source_name(),
            super::markdown::escape(&self.file)
        );
        for f in self.facts() {
            let _ = writeln!(out, "- {}", super::markdown::escape(&f));
        }
        if let Some(d) = &self.diff {
            out.push_str("\n### Before and after\n\n");
            out.push_str(&String::from_utf8_lossy(&render_markdown(d, false)));
        }
        out
    }
}
