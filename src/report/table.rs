//! The terminal table (comfy-table, no colour, no wrapping: the same bytes everywhere).

use super::format::{count, quantity, seconds, signed_percent, unit_price, usd};
use super::{Report, ServerlessReport};
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use redshift_cost_core::units::SECONDS_PER_HOUR;
use std::fmt::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once per run when the document is printed on a terminal: tables are then fitted
/// to its width (cells wrap). Everywhere else (pipes, files) nothing wraps, so the same
/// input gives the same bytes.
static FIT_TO_TERMINAL: AtomicBool = AtomicBool::new(false);

/// Tables of this run are fitted to the terminal's width.
pub(crate) fn fit_to_terminal() {
    FIT_TO_TERMINAL.store(true, Ordering::Relaxed);
}

/// A table in the house style: no colour; no wrapping unless printed on a terminal.
pub(crate) fn new_table<T: ToString>(header: &[T]) -> Table {
    let mut t = Table::new();
    let arrangement = if FIT_TO_TERMINAL.load(Ordering::Relaxed) {
        ContentArrangement::Dynamic
    } else {
        ContentArrangement::Disabled
    };
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(arrangement)
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

/// A period time as a UTC date and time of day: `2026-01-05 14:32 UTC`.
pub(crate) fn period_time(period_start: &str, t: f64) -> String {
    match chrono::NaiveDate::parse_from_str(period_start, "%Y-%m-%d") {
        Ok(d) => {
            let at = d.and_hms_opt(0, 0, 0).unwrap_or_default()
                + chrono::Duration::seconds(t.floor() as i64);
            format!("{} UTC", at.format("%Y-%m-%d %H:%M"))
        }
        Err(_) => seconds(t),
    }
}

/// The Serverless figures as short sentences (shared with the Markdown renderer).
pub(crate) fn serverless_facts(sv: &ServerlessReport, period_start: &str) -> Vec<String> {
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
            "Queries completed: {}; latency p50 {}, p95 {}, max {} (zero-ETL refreshes left out).",
            count(sv.jobs),
            seconds(sv.latency_p50_s),
            seconds(sv.latency_p95_s),
            seconds(sv.latency_max_s)
        ),
    ];
    let sync = redshift_cost_core::model::workload::ZERO_ETL_CLASS;
    let per_class: Vec<String> = sv
        .by_class
        .iter()
        .filter(|(name, c)| name != sync && (c.jobs > 0 || c.rejected > 0))
        .map(|(name, c)| {
            let mut s = format!(
                "{name} p50 {}, p95 {}, max {} ({} jobs",
                seconds(c.latency_p50_s),
                seconds(c.latency_p95_s),
                seconds(c.latency_max_s),
                count(c.jobs)
            );
            if c.rejected > 0 {
                s.push_str(&format!(", {} turned away", count(c.rejected)));
            }
            s.push(')');
            s
        })
        .collect();
    if !per_class.is_empty() {
        facts.push(format!("Latency by workload: {}.", per_class.join("; ")));
    }
    if let (Some(runs), Some(p95)) = (sv.sync_runs, sv.sync_latency_p95_s) {
        if runs > 0 {
            facts.push(format!(
                "Zero-ETL refresh latency: p95 {} (a refresh waits for capacity when max_rpu binds).",
                seconds(p95)
            ));
        }
    }
    for (i, l) in sv.usage_limits.iter().enumerate() {
        let head = format!(
            "Usage limit {} ({} RPU-hours {}, {})",
            i + 1,
            quantity(l.rpu_hours),
            l.period,
            l.action
        );
        facts.push(match l.first_trip_s {
            None => format!("{head}: never reached."),
            Some(first) => {
                let periods = if l.period == "monthly" {
                    String::new()
                } else {
                    format!(", in {} {} periods", count(l.periods_tripped), l.period)
                };
                let turned_away = if l.action == "deactivate" {
                    format!("; {} queries turned away", count(sv.rejected))
                } else {
                    String::new()
                };
                format!(
                    "{head}: reached first at {}{periods}{turned_away}.",
                    period_time(period_start, first)
                )
            }
        });
    }
    if calc_h > 0.0 {
        facts.push(format!(
            "Calculator figure (duration × RPU, summed): {} RPU-hours; the simulated bill differs by {}.",
            quantity(calc_h),
            signed_percent((billed_h / calc_h - 1.0) * 100.0)
        ));
    }
    facts
}

/// The bills under both metering rules, line by line (`estimate --metering both`).
fn metering_table(a: &super::MeteringBill, b: &super::MeteringBill) -> Table {
    let mut t = new_table(&[
        "Metering".to_string(),
        format!("{} (USD)", a.metering),
        format!("{} (USD)", b.metering),
        "Difference (USD)".to_string(),
    ]);
    let other = |name: &str| {
        b.lines
            .iter()
            .filter(|l| l.component == name)
            .map(|l| l.monthly_usd)
            .sum::<f64>()
    };
    for l in &a.lines {
        let o = other(&l.component);
        t.add_row(vec![
            l.component.clone(),
            usd(l.monthly_usd),
            usd(o),
            usd(o - l.monthly_usd),
        ]);
    }
    for l in b
        .lines
        .iter()
        .filter(|l| !a.lines.iter().any(|x| x.component == l.component))
    {
        t.add_row(vec![
            l.component.clone(),
            usd(0.0),
            usd(l.monthly_usd),
            usd(l.monthly_usd),
        ]);
    }
    t.add_row(vec![
        "Total".to_string(),
        usd(a.total_monthly_usd),
        usd(b.total_monthly_usd),
        usd(b.total_monthly_usd - a.total_monthly_usd),
    ]);
    t.add_row(vec![
        "Billed RPU-hours".to_string(),
        quantity(a.billed_rpu_seconds / SECONDS_PER_HOUR),
        quantity(b.billed_rpu_seconds / SECONDS_PER_HOUR),
        quantity((b.billed_rpu_seconds - a.billed_rpu_seconds) / SECONDS_PER_HOUR),
    ]);
    right_align(&mut t, [1, 2, 3]);
    t
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
        if let [a, b] = s.metering_bills.as_slice() {
            let _ = writeln!(out, "{}", metering_table(a, b));
        }
        if let Some(d) = &s.distribution {
            let _ = writeln!(out, "{}", distribution_table(d));
            for fact in d.facts() {
                let _ = writeln!(out, "{fact}");
            }
        }
        if let Some(sv) = &s.serverless {
            for fact in serverless_facts(sv, &s.period_start) {
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
    if let Some(iac) = &report.infrastructure {
        out.push_str(&iac.table());
    }
    for b in &report.budget_breaches {
        let _ = writeln!(
            out,
            "\nOVER BUDGET: {}: budget {} USD, estimate {} USD{}, over by {} USD",
            b.scenario,
            usd(b.budget_usd),
            usd(b.estimate_usd),
            b.quantile_note(),
            usd(b.excess_usd)
        );
    }
    out.into_bytes()
}

/// The spread of a scenario over its runs: a row per figure, P5 / P50 / P95 / mean.
fn distribution_table(d: &super::distribution::DistributionJson) -> String {
    let mut t = new_table(&[&format!("Over {} runs", d.runs), "P5", "P50", "P95", "Mean"]);
    for row in d.rows() {
        t.add_row(row.to_vec());
    }
    right_align(&mut t, [1, 2, 3, 4]);
    t.to_string()
}
