//! Short sentences about the services around the warehouse (shared by the table and Markdown
//! renderers): the provisioned cluster, the Serverless reservation, the comparison with
//! the alternative, comparison lines and the model's notes.

use super::format::{quantity, unit_price, usd};
use super::wire::ComparisonJson as Comparison;
use super::{ProvisionedReport, ScenarioReport, ServerlessReport};
use redshift_cost_core::units::SECONDS_PER_HOUR;

/// Hours with one decimal: `17.4`.
fn h1(x: f64) -> String {
    format!("{x:.1}")
}

fn provisioned_facts(p: &ProvisionedReport, period_hours: f64) -> Vec<String> {
    let pricing = match p.reserved_discount {
        Some(d) => format!("reserved {} ({:.1} % off on demand)", p.pricing, d * 100.0),
        None => "on demand".to_string(),
    };
    let schedule = if p.hours_per_day >= 24.0 && p.days_per_week >= 7 {
        "always on".to_string()
    } else {
        format!(
            "{} h a day, {} days a week; paused hours are free but for storage",
            p.hours_per_day, p.days_per_week
        )
    };
    let mut out = vec![format!(
        "Cluster: {} × {}, {pricing}; runs {} of {} hours ({schedule}).",
        p.nodes,
        p.node_type,
        quantity(p.running_hours),
        quantity(period_hours)
    )];
    let what = if p.node_type.starts_with("ra3") {
        "managed-storage quota"
    } else {
        "SSD storage"
    };
    out.push(format!(
        "Storage: {} GB of data, {:.1} % of the cluster's {} GB {what}.",
        quantity(p.data_gb),
        if p.storage_capacity_gb > 0.0 {
            p.data_gb / p.storage_capacity_gb * 100.0
        } else {
            0.0
        },
        quantity(p.storage_capacity_gb)
    ));
    if p.concurrency_scaling_seconds > 0.0 {
        out.push(format!(
            "Concurrency scaling: {} h used, {} h free (1 h credit a day, at most 30 h banked), {} h billed per node.",
            quantity(p.concurrency_scaling_seconds / SECONDS_PER_HOUR),
            quantity(p.concurrency_scaling_free_seconds / SECONDS_PER_HOUR),
            quantity(p.concurrency_scaling_billed_seconds / SECONDS_PER_HOUR)
        ));
    }
    if let Some(b) = p.workload_busy_hours_per_day {
        out.push(format!(
            "The scenario's work (workloads, pipelines) keeps the warehouse busy {} h a day on average.",
            h1(b)
        ));
    }
    out
}

fn reservation_facts(sv: &ServerlessReport) -> Vec<String> {
    let Some(r) = &sv.reservation else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(rpu) = r.reserved_rpu {
        out.push(format!(
            "Reservation: {rpu} RPU ({}, {:.0} % off) covers {} of {} billed RPU-hours; {} RPU-hours above it are on demand.",
            r.term,
            r.discount * 100.0,
            quantity(r.covered_rpu_seconds / SECONDS_PER_HOUR),
            quantity(sv.billed_rpu_seconds / SECONDS_PER_HOUR),
            quantity(r.on_demand_rpu_seconds / SECONDS_PER_HOUR)
        ));
    }
    if r.reserved_rpu.is_some() || r.suggested_reserved_rpu > 0.0 {
        let suggestion = if r.suggested_reserved_rpu > 0.0 {
            format!("{} RPU", r.suggested_reserved_rpu)
        } else {
            "no reservation".to_string()
        };
        out.push(format!(
            "Cheapest commitment for this profile ({}): {suggestion}, compute {} USD (on demand {} USD{}).",
            r.term,
            usd(r.suggested_compute_usd),
            usd(r.on_demand_compute_usd),
            match r.reserved_rpu {
                Some(rpu) => format!(", with {rpu} RPU reserved {} USD", usd(r.compute_usd)),
                None => String::new(),
            }
        ));
    }
    out
}

/// The comparison of a Serverless estimate with its provisioned alternative.
pub fn comparison_facts(c: &Comparison) -> Vec<String> {
    let (cheaper, dearer) = if c.cheaper == "serverless" {
        ("Serverless", c.provisioned.total_usd)
    } else {
        ("The cluster", c.serverless.total_usd)
    };
    let pct = if dearer > 0.0 {
        c.saving_usd / dearer * 100.0
    } else {
        0.0
    };
    let mut out = vec![
        format!(
            "Serverless ({}): {} USD; provisioned ({}): {} USD. {cheaper} is cheaper by {} USD ({pct:.1} %).",
            c.serverless.configuration,
            usd(c.serverless.total_usd),
            c.provisioned.configuration,
            usd(c.provisioned.total_usd),
            usd(c.saving_usd)
        ),
        format!(
            "Serverless is billed {} h a day at {} RPU on average: {} USD per busy hour.",
            h1(c.serverless_busy_hours_per_day),
            h1(c.serverless_average_rpu),
            usd(c.serverless_usd_per_busy_hour)
        ),
    ];
    if let Some(b) = c.break_even_busy_hours_per_day {
        out.push(if b > 24.0 {
            format!(
                "Break-even: none; Serverless stays cheaper even busy 24 h a day (the two would meet at {} h).",
                h1(b)
            )
        } else if b < 0.0 {
            "Break-even: none; the cluster costs less than Serverless's storage and other lines alone.".to_string()
        } else {
            format!(
                "Break-even: the two cost the same at {} busy hours a day (now {}).",
                h1(b),
                h1(c.serverless_busy_hours_per_day)
            )
        });
    }
    out
}

/// Every sentence about the services around the warehouse for one scenario, in report order.
pub fn service_facts(s: &ScenarioReport) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = &s.provisioned {
        out.extend(provisioned_facts(p, s.period_hours));
    }
    if let Some(sv) = &s.serverless {
        out.extend(reservation_facts(sv));
    }
    for c in &s.comparisons {
        out.push(format!(
            "{}: {} {} × {} = {} USD ({}).",
            c.component,
            quantity(c.quantity),
            c.unit,
            unit_price(c.unit_price_usd),
            usd(c.monthly_usd),
            c.price_source
        ));
    }
    if let Some(c) = &s.comparison {
        out.push("Alternative: the [provisioned] cluster (see `redshift-cost compare`).".into());
        out.extend(comparison_facts(c));
    }
    out.extend(s.notes.iter().cloned());
    out
}
