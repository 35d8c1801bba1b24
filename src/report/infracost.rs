//! `--format infracost`: Infracost's output format (`"version": "0.2"`), so that
//! `infracost output --path theirs.json --path ours.json --format github-comment` puts
//! Redshift Serverless (which Infracost does not price) in the comment a team already
//! posts. One project per scenario, one resource per workgroup or cluster (named by its
//! Terraform address, else the scenario's name); money and quantities are decimal
//! strings; `pastBreakdown` and `diff` come from a plan's before side.

use super::{Component, Report, ScenarioReport};
use redshift_cost_core::units::Money;
use serde_json::{json, Map, Value};

/// The resource type of a scenario that names no Terraform resource.
pub const SCENARIO_RESOURCE: &str = "redshift_cost_scenario";

/// Infracost's hours in a month.
const HOURS_PER_MONTH: f64 = 730.0;

/// What a scenario's resource is called in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct InfracostResource {
    /// The scenario file, the project's name and path.
    pub path: String,
    /// The resource's name: its Terraform address, or the scenario's name.
    pub name: String,
    /// `aws_redshiftserverless_workgroup`, `aws_redshift_cluster`, ...
    pub resource_type: String,
}

/// A decimal string of `x`, at most `decimals` places, no trailing zeros.
fn decimal(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

fn money(x: f64) -> String {
    decimal(Money::from_usd(x).usd(), 6)
}

/// Whether a line is driven by the workload (its quantity is a usage estimate).
fn usage_based(c: &Component) -> bool {
    matches!(
        c.kind,
        "serverless_compute"
            | "zero_etl_sync"
            | "spectrum_compute"
            | "spectrum_scan"
            | "pipeline_compute"
            | "concurrency_scaling"
            | "data_sharing_transfer"
            | "lambda_requests"
            | "lambda_duration"
            | "sagemaker_processing"
            | "ml_training"
    )
}

fn cost_component(c: &Component) -> Value {
    json!({
        "name": c.component,
        "unit": c.unit,
        "hourlyQuantity": decimal(c.quantity / HOURS_PER_MONTH, 10),
        "monthlyQuantity": decimal(c.quantity, 10),
        "price": decimal(c.unit_price_usd, 10),
        "hourlyCost": money(c.monthly_usd / HOURS_PER_MONTH),
        "monthlyCost": money(c.monthly_usd),
        "usageBased": usage_based(c),
        "priceNotFound": false,
    })
}

fn resource(s: &ScenarioReport, r: &InfracostResource) -> Value {
    let usage: f64 = s
        .components
        .iter()
        .filter(|c| usage_based(c))
        .map(|c| c.monthly_usd)
        .sum();
    json!({
        "name": r.name,
        "resourceType": r.resource_type,
        "tags": {},
        "metadata": {"scenario": s.name, "region": s.region},
        "hourlyCost": money(s.total_monthly_usd / HOURS_PER_MONTH),
        "monthlyCost": money(s.total_monthly_usd),
        "monthlyUsageCost": money(usage),
        "costComponents": s.components.iter().map(cost_component).collect::<Vec<_>>(),
        "subresources": [],
    })
}

/// A breakdown of `resources` with their totals.
fn breakdown(resources: Vec<Value>) -> Value {
    let sum = |key: &str| -> f64 {
        resources
            .iter()
            .filter_map(|r| r.get(key).and_then(Value::as_str))
            .filter_map(|s| s.parse::<f64>().ok())
            .sum()
    };
    let (hourly, monthly, usage) = (
        sum("hourlyCost"),
        sum("monthlyCost"),
        sum("monthlyUsageCost"),
    );
    json!({
        "resources": resources,
        "totalHourlyCost": money(hourly),
        "totalMonthlyCost": money(monthly),
        "totalMonthlyUsageCost": money(usage),
    })
}

/// `after − before` of a resource, component by component (a component only on one side
/// counts with the other at 0).
fn resource_diff(before: Option<&Value>, after: Option<&Value>) -> Option<Value> {
    let base = after.or(before)?;
    let num = |r: Option<&Value>, key: &str| -> f64 {
        r.and_then(|r| r.get(key))
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0.0)
    };
    let components = |r: Option<&Value>| -> Vec<Value> {
        r.and_then(|r| r.get("costComponents"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (b, a) = (components(before), components(after));
    // Every component name, after's first, once each.
    let mut names: Vec<&str> = Vec::new();
    for name in a.iter().chain(&b).filter_map(|c| c["name"].as_str()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut diffed = Vec::new();
    for name in names {
        let find = |list: &[Value]| list.iter().find(|c| c["name"] == name).cloned();
        let (cb, ca) = (find(&b), find(&a));
        let Some(template) = ca.clone().or_else(|| cb.clone()) else {
            continue;
        };
        let mut c = template;
        for key in [
            "hourlyQuantity",
            "monthlyQuantity",
            "hourlyCost",
            "monthlyCost",
        ] {
            let v = num(ca.as_ref(), key) - num(cb.as_ref(), key);
            c[key] = Value::String(if key.ends_with("Cost") {
                money(v)
            } else {
                decimal(v, 10)
            });
        }
        diffed.push(c);
    }
    let mut r = base.clone();
    for key in ["hourlyCost", "monthlyCost", "monthlyUsageCost"] {
        r[key] = Value::String(money(num(after, key) - num(before, key)));
    }
    r["costComponents"] = Value::Array(diffed);
    Some(r)
}

fn summary(resources: usize, usage_based: usize) -> Value {
    json!({
        "totalResources": resources,
        "totalDetectedResources": resources,
        "totalSupportedResources": resources,
        "totalUnsupportedResources": 0,
        "totalUsageBasedResources": usage_based,
        "totalNoPriceResources": 0,
        "supportedResourceCounts": {},
        "unsupportedResourceCounts": {},
        "noPriceResourceCounts": {},
    })
}

/// The document: `after` (the report), `before` (a plan's before side: its scenarios by
/// name; a scenario absent from it has no past), `resources` (per scenario name).
pub fn render(
    after: &Report,
    before: Option<&Report>,
    resources: &[(String, InfracostResource)],
    time_generated: &str,
) -> Vec<u8> {
    let named = |name: &str| -> InfracostResource {
        resources.iter().find(|(n, _)| n == name).map_or_else(
            || InfracostResource {
                path: name.to_string(),
                name: name.to_string(),
                resource_type: SCENARIO_RESOURCE.into(),
            },
            |(_, r)| r.clone(),
        )
    };
    // Every scenario on either side, after's order first.
    let mut names: Vec<&str> = after.scenarios.iter().map(|s| s.name.as_str()).collect();
    if let Some(b) = before {
        for s in &b.scenarios {
            if !names.contains(&s.name.as_str()) {
                names.push(&s.name);
            }
        }
    }
    let mut projects = Vec::new();
    let mut totals = [0.0f64; 6];
    let mut usage_resources = 0;
    for name in names {
        let r = named(name);
        let a = after
            .scenarios
            .iter()
            .find(|s| s.name == name)
            .map(|s| resource(s, &r));
        let b = before
            .and_then(|b| b.scenarios.iter().find(|s| s.name == name))
            .map(|s| resource(s, &r));
        if a.as_ref()
            .and_then(|a| a["costComponents"].as_array())
            .is_some_and(|c| c.iter().any(|c| c["usageBased"] == true))
        {
            usage_resources += 1;
        }
        let breakdown_after = breakdown(a.iter().cloned().collect());
        let breakdown_before = breakdown(b.iter().cloned().collect());
        let diff = breakdown(resource_diff(b.as_ref(), a.as_ref()).into_iter().collect());
        let num = |v: &Value, k: &str| -> f64 {
            v[k].as_str().and_then(|s| s.parse().ok()).unwrap_or(0.0)
        };
        for (i, (v, k)) in [
            (&breakdown_after, "totalHourlyCost"),
            (&breakdown_after, "totalMonthlyCost"),
            (&breakdown_before, "totalHourlyCost"),
            (&breakdown_before, "totalMonthlyCost"),
            (&diff, "totalHourlyCost"),
            (&diff, "totalMonthlyCost"),
        ]
        .into_iter()
        .enumerate()
        {
            totals[i] += num(v, k);
        }
        let display = a
            .as_ref()
            .or(b.as_ref())
            .and_then(|x| x["metadata"]["scenario"].as_str())
            .unwrap_or(name)
            .to_string();
        projects.push(json!({
            "name": r.path,
            "displayName": display,
            "metadata": {"path": r.path, "type": "redshift_cost_scenario"},
            "pastBreakdown": breakdown_before,
            "breakdown": breakdown_after,
            "diff": diff,
            "summary": summary(usize::from(a.is_some()), usize::from(a.is_some() && usage_resources > 0)),
        }));
    }
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    let mut metadata = Map::new();
    for (key, value) in [
        ("infracostCommand", "redshift-cost estimate".to_string()),
        ("vcsBranch", env("GITHUB_HEAD_REF")),
        ("vcsCommitSha", env("GITHUB_SHA")),
        ("vcsCommitAuthorName", String::new()),
        ("vcsCommitAuthorEmail", String::new()),
        ("vcsCommitTimestamp", time_generated.to_string()),
        ("vcsCommitMessage", String::new()),
    ] {
        metadata.insert(key.into(), Value::String(value));
    }
    let doc = json!({
        "version": "0.2",
        "metadata": metadata,
        "currency": "USD",
        "projects": projects,
        "totalHourlyCost": money(totals[0]),
        "totalMonthlyCost": money(totals[1]),
        "pastTotalHourlyCost": money(totals[2]),
        "pastTotalMonthlyCost": money(totals[3]),
        "diffTotalHourlyCost": money(totals[4]),
        "diffTotalMonthlyCost": money(totals[5]),
        "timeGenerated": time_generated,
        "summary": summary(after.scenarios.len(), usage_resources),
    });
    let mut out = serde_json::to_vec_pretty(&doc).expect("a document always serializes");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_plain_strings_without_trailing_zeros() {
        assert_eq!(decimal(642.834, 6), "642.834");
        assert_eq!(decimal(2.0, 6), "2");
        assert_eq!(decimal(0.0261, 10), "0.0261");
        assert_eq!(decimal(-0.0000001, 6), "0");
        assert_eq!(money(2.6100000000000003), "2.61");
    }
}
