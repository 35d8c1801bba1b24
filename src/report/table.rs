//! The terminal table (comfy-table, no colour, no wrapping: the same bytes everywhere).

use super::format::{count, quantity, seconds, signed_percent, unit_price, usd};
use super::{Report, ServerlessReport};
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use redshift_cost_core::units::SECONDS_PER_HOUR;
use std::fmt::Write;

/// A table in the house style: no colour, no wrapping, the same bytes on every terminal.
pub(crate) fn new_table<T: ToString>(header: &[T]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(ToString::to_string).collect::<Vec<_>>());
    t
}

pub(crate) fn right_align(t: &mut Table, columns: impl IntoIterator<Item = usize>) {
    for i in columns {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// The Serverless figures as short sentences (shared with the Markdown renderer).
pub(crate) fn serverless_facts(sv: &ServerlessReport) -> Vec<String> {
    let billed_h = sv.billed_rpu_seconds / SECONDS_PER_HOUR;
    let calc_h = sv.calculator_rpu_seconds / SECONDS_PER_HOUR;
    let mut facts = vec![
        format!(
            "Workgroup: base {} RPU, max {} RPU; peak {} RPU.",
            sv.base_rpu, sv.max_rpu, sv.peak_rpu
        ),
        format!(
            "Billed {} RPU-hours over {} charged ({} busy in {} busy periods; the rest is 60-second minimum charges).",
            quantity(billed_h),
            seconds(sv.billed_seconds),
            seconds(sv.busy_seconds),
            count(sv.busy_periods)
        ),
        format!(
            "Jobs completed: {}; latency p50 {}, p95 {}, max {}.",
            count(sv.jobs),
            seconds(sv.latency_p50_s),
            seconds(sv.latency_p95_s),
            seconds(sv.latency_max_s)
        ),
    ];
    if calc_h > 0.0 {
        facts.push(format!(
            "Calculator figure (duration × RPU, summed): {} RPU-hours; the simulated bill differs by {}.",
            quantity(calc_h),
            signed_percent((billed_h / calc_h - 1.0) * 100.0)
        ));
    }
    facts
}

pub(crate) fn render(report: &Report) -> Vec<u8> {
    let mut out = String::new();
    if report.scenarios.len() > 1 {
        let mut t = new_table(&["Scenario", "Region", "Period (h)", "Total (USD)"]);
        for s in &report.scenarios {
            t.add_row(vec![
                s.name.clone(),
                s.region.clone(),
                quantity(s.period_hours),
                usd(s.total_monthly_usd),
            ]);
        }
        right_align(&mut t, [2, 3]);
        let _ = writeln!(out, "{t}\n");
    }
    for (i, s) in report.scenarios.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{} ({}, {} hours)",
            s.name,
            s.region,
            quantity(s.period_hours)
        );
        let mut t = new_table(&[
            "Component",
            "Quantity",
            "Unit",
            "Unit price (USD)",
            "Monthly (USD)",
            "Price source",
        ]);
        for c in &s.components {
            t.add_row(vec![
                c.component.clone(),
                quantity(c.quantity),
                c.unit.clone(),
                unit_price(c.unit_price_usd),
                usd(c.monthly_usd),
                c.price_source.clone(),
            ]);
        }
        t.add_row(vec![
            "Total".to_string(),
            String::new(),
            String::new(),
            String::new(),
            usd(s.total_monthly_usd),
            String::new(),
        ]);
        right_align(&mut t, [1, 3, 4]);
        let _ = writeln!(out, "{t}");
        if let Some(b) = s.budget_usd {
            let _ = writeln!(out, "Budget: {} USD", usd(b));
        }
        if let Some(sv) = &s.serverless {
            for fact in serverless_facts(sv) {
                let _ = writeln!(out, "{fact}");
            }
        }
        if let Some(o) = &s.observed {
            for fact in o.facts() {
                let _ = writeln!(out, "{fact}");
            }
        }
        for fact in super::facts::service_facts(s) {
            let _ = writeln!(out, "{fact}");
        }
    }
    for b in &report.budget_breaches {
        let _ = writeln!(
            out,
            "\nOVER BUDGET: {}: budget {} USD, estimate {} USD, over by {} USD",
            b.scenario,
            usd(b.budget_usd),
            usd(b.estimate_usd),
            usd(b.excess_usd)
        );
    }
    out.into_bytes()
}
