//! `redshift-cost diff`: per-scenario, per-component deltas between two estimate JSON
//! files (no scenario is read and nothing is priced), or between the two sides of a
//! Terraform plan for the scenarios it carries (`--terraform`).

use super::{Infrastructure, PriceConfig, ScenarioConfig};
use crate::error::{Error, Exit};
use crate::output::{write_output, Messages};
use crate::pipeline;
use crate::report::diff::{diff, parse_totals, render_json, render_markdown, render_table};
use crate::report::format::usd;
use crate::report::iac::before_after;
use crate::report::Report;
use crate::sources::AsyncRuntime;
use redshift_cost_core::scenario::Scenario;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiffFormat {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Clone)]
pub(crate) enum DiffInputs {
    /// Two estimate reports.
    Reports { old: PathBuf, new: PathBuf },
    /// A plan and the scenarios it carries.
    Terraform {
        plan: PathBuf,
        scenarios: ScenarioConfig,
        budget: Option<f64>,
        prices: PriceConfig,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct DiffConfig {
    pub(crate) inputs: DiffInputs,
    pub(crate) format: DiffFormat,
    pub(crate) out: Option<PathBuf>,
    /// `--all`: lines that did not change too.
    pub(crate) all: bool,
}

pub(crate) fn run(
    c: &DiffConfig,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    let (d, after) = match &c.inputs {
        DiffInputs::Reports { old, new } => {
            let read = |p: &Path| -> Result<_, Error> {
                let text = crate::fsx::read_text(p, crate::fsx::MAX_JSON_BYTES)
                    .map_err(|e| Error::Input(format!("cannot read {}: {e}", p.display())))?;
                parse_totals(&text, &p.display().to_string())
                    .map_err(|e| Error::Input(format!("{e}")))
            };
            (diff(&read(old)?, &read(new)?), None)
        }
        DiffInputs::Terraform {
            plan,
            scenarios,
            budget,
            prices,
        } => {
            let (_, loaded) = pipeline::load(scenarios, messages)?;
            let plan = super::infrastructure::read(&Infrastructure::Terraform(plan.clone()))?;
            let resolved = pipeline::resolve_loaded(&loaded, &prices.source(runtime), messages)?;
            let all: Vec<Scenario> = loaded.iter().map(|l| l.scenario().clone()).collect();
            let applied = super::infrastructure::apply(&plan, &all, messages)?;
            let side = |v: &[Option<Scenario>]| -> Result<Report, Error> {
                let s: Vec<Scenario> = v.iter().flatten().cloned().collect();
                let estimates = pipeline::estimate(&s, &resolved.book)?;
                Ok(Report::new(&estimates, *budget))
            };
            let (before, after) = (side(&applied.before)?, side(&applied.after)?);
            pipeline::note_prices(messages, &resolved, &[]);
            (before_after(&before, &after), Some(after))
        }
    };
    let mut bytes = match c.format {
        DiffFormat::Table => render_table(&d, c.all),
        DiffFormat::Markdown => render_markdown(&d, c.all),
        DiffFormat::Json => render_json(&d),
    };
    if let (Some(after), DiffFormat::Table | DiffFormat::Markdown) = (&after, c.format) {
        bytes.extend(budget_status(after, c.format == DiffFormat::Markdown).into_bytes());
    }
    write_output(c.out.as_deref(), &bytes)?;
    Ok(match &after {
        Some(after) => pipeline::budget_exit(after, messages),
        None => Exit::Ok,
    })
}

/// The after side against each scenario's budget, one line each.
fn budget_status(after: &Report, markdown: bool) -> String {
    let mut out = String::new();
    for s in &after.scenarios {
        let Some(budget) = s.budget_usd else { continue };
        let over = s.total_monthly_usd > budget;
        let status = if over { "over budget" } else { "within budget" };
        let line = format!(
            "{}: after {} USD against a budget of {} USD: {status}",
            s.name,
            usd(s.total_monthly_usd),
            usd(budget)
        );
        if markdown {
            out.push_str(&format!(
                "\n{}{line}{}\n",
                if over { "**" } else { "" },
                if over { "**" } else { "" }
            ));
        } else {
            out.push_str(&format!("{line}\n"));
        }
    }
    out
}
