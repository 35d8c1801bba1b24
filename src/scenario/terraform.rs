//! Terraform plans (`terraform show -json PLAN`, HashiCorp's documented format:
//! `format_version`, `resource_changes[].{address, type, change.{actions, before, after,
//! after_unknown}}`, `configuration`) and CloudFormation templates (JSON or YAML): the
//! warehouse a scenario models, read into the before and after [`InfraSide`]s the core
//! applies. Every value taken says where it came from; values unknown until apply keep
//! the scenario's with a warning.

use super::diag::{did_you_mean, show};
use redshift_cost_core::durations::fmt_num;
use redshift_cost_core::engine::{BreachAction, LimitPeriod, UsageLimit};
use redshift_cost_core::infra::InfraSide;
use redshift_cost_core::scenario::{NodeType, Scenario};
use serde_json::{Map, Value};
use std::path::Path;

pub(crate) const WORKGROUP: &str = "aws_redshiftserverless_workgroup";
pub(crate) const USAGE_LIMIT: &str = "aws_redshiftserverless_usage_limit";
pub(crate) const CLUSTER: &str = "aws_redshift_cluster";
pub(crate) const SNAPSHOT_SCHEDULE: &str = "aws_redshift_snapshot_schedule";

/// The largest plan or template read.
const MAX_IAC_BYTES: u64 = 256 * 1024 * 1024;

/// One `resource_changes[]` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResourceChange {
    pub(crate) address: String,
    pub(crate) rtype: String,
    pub(crate) actions: Vec<String>,
    pub(crate) before: Option<Map<String, Value>>,
    pub(crate) after: Option<Map<String, Value>>,
    pub(crate) after_unknown: Map<String, Value>,
}

/// A plan (or a template, as a plan that only creates).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// The file, as messages name it.
    pub(crate) file: String,
    /// `terraform` or `cloudformation`.
    pub(crate) kind: &'static str,
    pub(crate) changes: Vec<ResourceChange>,
    /// (usage limit, workgroup) configuration addresses the configuration ties together.
    pub(crate) limit_refs: Vec<(String, String)>,
}

/// A value the plan sets for the scenario, as shown to the user.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct PlanValue {
    /// The scenario key (`serverless.base_rpu`, `serverless.usage_limit`, ...).
    pub(crate) key: String,
    /// The scenario's own value.
    pub(crate) scenario: String,
    /// The plan's before and after values (null where that side has none).
    pub(crate) before: Option<String>,
    pub(crate) after: Option<String>,
    /// The resource that sets it.
    pub(crate) from: String,
}

/// What a plan says about one scenario's warehouse.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlanMatch {
    pub(crate) address: String,
    pub(crate) rtype: String,
    /// `create`, `update`, `replace`, `delete`, `no-op`, `read`.
    pub(crate) action: String,
    /// `None`: the resource does not exist on that side (created, or deleted).
    pub(crate) before: Option<InfraSide>,
    pub(crate) after: Option<InfraSide>,
    pub(crate) values: Vec<PlanValue>,
    /// Unknown-after-apply values and usage limits that could not be tied to a workgroup.
    pub(crate) warnings: Vec<String>,
    /// Sentences about what the plan changes that the bill does not show.
    pub(crate) notes: Vec<String>,
}

fn action_of(actions: &[String]) -> String {
    let has = |a: &str| actions.iter().any(|x| x == a);
    if has("delete") && has("create") {
        "replace".into()
    } else {
        actions.first().cloned().unwrap_or_else(|| "no-op".into())
    }
}

/// `module.a.aws_x.b[0]` → `module.a.aws_x.b` (instance keys dropped, to match the
/// configuration's addresses).
fn strip_index(address: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    let mut in_string = false;
    for ch in address.chars() {
        match ch {
            '"' if depth > 0 => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => depth -= 1,
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

/// A JSON error located by line and column.
fn json_error(file: &str, e: &serde_json::Error) -> String {
    format!("{file}:{}:{}: not valid JSON: {e}", e.line(), e.column())
}

/// Reads a plan file (`terraform show -json PLAN > plan.json`).
pub(crate) fn read_plan(path: &Path) -> Result<Plan, String> {
    let file = path.display().to_string();
    let text = crate::fsx::read_text(path, MAX_IAC_BYTES)
        .map_err(|e| format!("cannot read the Terraform plan {file}: {e}"))?;
    parse_plan(&text, &file)
}

/// Parses a plan's JSON text; `file` names it in messages.
pub(crate) fn parse_plan(text: &str, file: &str) -> Result<Plan, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    let not_a_plan = |why: &str| {
        format!(
            "{file} is not a Terraform plan in JSON: {why} (write one with `terraform show -json PLAN > plan.json`)"
        )
    };
    let root = v
        .as_object()
        .ok_or_else(|| not_a_plan("expected an object"))?;
    let version = root
        .get("format_version")
        .and_then(Value::as_str)
        .ok_or_else(|| not_a_plan("no format_version"))?;
    if !(version.starts_with("0.") || version.starts_with("1.")) {
        return Err(format!(
            "{file}: plan format_version {version} is not one this version reads (0.x, 1.x)"
        ));
    }
    let changes = match root.get("resource_changes") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                resource_change(item).ok_or_else(|| {
                    not_a_plan(&format!(
                        "resource_changes[{i}] lacks address, type or change.actions"
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(not_a_plan("resource_changes is not an array")),
    };
    let mut limit_refs = Vec::new();
    if let Some(module) = root.get("configuration").and_then(|c| c.get("root_module")) {
        module_refs(module, "", &mut limit_refs, 0);
    }
    Ok(Plan {
        file: file.to_string(),
        kind: "terraform",
        changes,
        limit_refs,
    })
}

fn resource_change(item: &Value) -> Option<ResourceChange> {
    let change = item.get("change")?;
    let obj = |v: Option<&Value>| v.and_then(Value::as_object).cloned();
    Some(ResourceChange {
        address: item.get("address")?.as_str()?.to_string(),
        rtype: item.get("type")?.as_str()?.to_string(),
        actions: change
            .get("actions")?
            .as_array()?
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect(),
        before: obj(change.get("before")),
        after: obj(change.get("after")),
        after_unknown: obj(change.get("after_unknown")).unwrap_or_default(),
    })
}

/// Usage limits whose `resource_arn` expression references a workgroup, per module.
fn module_refs(module: &Value, prefix: &str, out: &mut Vec<(String, String)>, depth: usize) {
    if depth > 32 {
        return;
    }
    for r in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(address), Some(USAGE_LIMIT)) = (
            r.get("address").and_then(Value::as_str),
            r.get("type").and_then(Value::as_str),
        ) else {
            continue;
        };
        let refs = r
            .pointer("/expressions/resource_arn/references")
            .and_then(Value::as_array);
        for reference in refs.into_iter().flatten().filter_map(Value::as_str) {
            let mut parts = reference.split('.');
            if let (Some(WORKGROUP), Some(name)) = (parts.next(), parts.next()) {
                out.push((
                    format!("{prefix}{address}"),
                    format!("{prefix}{WORKGROUP}.{name}"),
                ));
                break;
            }
        }
    }
    if let Some(calls) = module.get("module_calls").and_then(Value::as_object) {
        for (name, call) in calls {
            if let Some(m) = call.get("module") {
                module_refs(m, &format!("{prefix}module.{name}."), out, depth + 1);
            }
        }
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|x| x.is_finite())
}

fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

/// The warehouse `scenario` models in `plan`: its `terraform_address` (or
/// `cloudformation_resource` for a template), else the only workgroup (with
/// `[serverless]`) or cluster (with `[provisioned]`) of the plan.
pub(crate) fn match_scenario(plan: &Plan, scenario: &Scenario) -> Result<PlanMatch, String> {
    let wanted_types: Vec<&str> = match (&scenario.serverless, &scenario.provisioned) {
        (Some(_), _) => vec![WORKGROUP],
        (None, Some(_)) => vec![CLUSTER],
        (None, None) => {
            return Err(format!(
                "scenario `{}` has neither [serverless] nor [provisioned]: nothing in {} to apply",
                scenario.name, plan.file
            ))
        }
    };
    let candidates: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| wanted_types.contains(&c.rtype.as_str()))
        .collect();
    let named = match plan.kind {
        "cloudformation" => scenario.cloudformation_resource.as_deref(),
        _ => scenario.terraform_address.as_deref(),
    };
    let key = if plan.kind == "cloudformation" {
        "cloudformation_resource"
    } else {
        "terraform_address"
    };
    let listed = || {
        candidates
            .iter()
            .map(|c| c.address.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let change = match named {
        Some(name) => plan
            .changes
            .iter()
            .find(|c| c.address == name)
            .ok_or_else(|| {
                let addresses: Vec<&str> = candidates.iter().map(|c| c.address.as_str()).collect();
                let hint = did_you_mean(name, &addresses)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                format!(
                    "scenario `{}`: {key} `{}` is not in {} (its {}: {}){hint}",
                    scenario.name,
                    show(name),
                    plan.file,
                    wanted_types.join(", "),
                    if addresses.is_empty() { "none".to_string() } else { listed() }
                )
            })?,
        None => match candidates.as_slice() {
            [one] => *one,
            [] => {
                return Err(format!(
                    "{} has no {} for scenario `{}`",
                    plan.file,
                    wanted_types.join(" or "),
                    scenario.name
                ))
            }
            _ => {
                return Err(format!(
                    "{} has {} resources of type {}: {}; say which one scenario `{}` models with `{key} = \"...\"`",
                    plan.file,
                    candidates.len(),
                    wanted_types.join(", "),
                    listed(),
                    scenario.name
                ))
            }
        },
    };
    let mut m = PlanMatch {
        address: change.address.clone(),
        rtype: change.rtype.clone(),
        action: action_of(&change.actions),
        before: None,
        after: None,
        values: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
    };
    if change.rtype == WORKGROUP {
        workgroup(plan, change, scenario, &mut m)?;
    } else {
        cluster(change, scenario, &mut m)?;
    }
    Ok(m)
}

/// Whether `key` is unknown until apply on the after side.
fn unknown(change: &ResourceChange, key: &str) -> bool {
    change
        .after_unknown
        .get(key)
        .is_some_and(|v| v == &Value::Bool(true))
}

fn workgroup(
    plan: &Plan,
    change: &ResourceChange,
    scenario: &Scenario,
    m: &mut PlanMatch,
) -> Result<(), String> {
    let sv = scenario.serverless.as_ref().ok_or("no [serverless]")?;
    // AI-driven scaling is not modelled: the same refusal as the scenario key's.
    if let Some(after) = &change.after {
        let enabled = match after.get("price_performance_target") {
            Some(Value::Array(items)) => items
                .iter()
                .any(|t| t.get("enabled").is_none_or(|e| e == &Value::Bool(true))),
            Some(Value::Object(t)) => t.get("enabled").is_none_or(|e| e == &Value::Bool(true)),
            _ => false,
        };
        if enabled {
            return Err(format!(
                "{}: {}.price_performance_target: AI-driven scaling (price-performance targets) is not modelled; approximate it with base and max capacity set from the ComputeCapacity your workgroup shows (`redshift-cost observe`), and sweep max_rpu to see the range (docs/model.md, \"AI-driven scaling\")",
                plan.file, change.address
            ));
        }
    }
    let file = plan.file.as_str();
    let mut sides = [InfraSide::default(), InfraSide::default()];
    for (i, side) in [change.before.as_ref(), change.after.as_ref()]
        .into_iter()
        .enumerate()
    {
        // A number of this side, or (after) a warning when it is unknown until apply.
        let mut read = |attr: &str, key: &str, scenario_value: f64| -> Option<f64> {
            let side = side?;
            if i == 1 && unknown(change, attr) {
                m.warnings.push(format!(
                    "{file}: {}.{attr} is unknown until apply; the scenario's {key} {} is kept",
                    change.address,
                    fmt_num(scenario_value)
                ));
                return None;
            }
            number(side.get(attr))
        };
        sides[i].base_rpu = read("base_capacity", "base_rpu", sv.base_rpu);
        sides[i].max_rpu = read("max_capacity", "max_rpu", sv.max_rpu).filter(|m| *m > 0.0);
    }
    // The usage limits tied to this workgroup.
    let workgroups = plan.changes.iter().filter(|c| c.rtype == WORKGROUP).count();
    let own = strip_index(&change.address);
    let mut limits: [Vec<UsageLimit>; 2] = [Vec::new(), Vec::new()];
    let mut any_limit = false;
    for l in plan.changes.iter().filter(|c| c.rtype == USAGE_LIMIT) {
        let config = strip_index(&l.address);
        let tied = match plan.limit_refs.iter().find(|(limit, _)| *limit == config) {
            Some((_, wg)) => *wg == own,
            None if workgroups == 1 => true,
            None => {
                m.warnings.push(format!(
                    "{file}: usage limit {} cannot be tied to a workgroup (its resource_arn names none the plan shows); it is left out",
                    l.address
                ));
                false
            }
        };
        if !tied {
            continue;
        }
        for (i, side) in [l.before.as_ref(), l.after.as_ref()]
            .into_iter()
            .enumerate()
        {
            let Some(side) = side else { continue };
            if text(side.get("usage_type")).is_some_and(|t| t != "serverless-compute") {
                continue;
            }
            any_limit = true;
            if i == 1 && unknown(l, "amount") {
                m.warnings.push(format!(
                    "{file}: {}.amount is unknown until apply; the limit is left out of the after side",
                    l.address
                ));
                continue;
            }
            let Some(amount) = number(side.get("amount")).filter(|a| *a > 0.0) else {
                continue;
            };
            let period = match text(side.get("period")).unwrap_or("monthly") {
                "daily" => LimitPeriod::Daily,
                "weekly" => LimitPeriod::Weekly,
                _ => LimitPeriod::Monthly,
            };
            let action = match text(side.get("breach_action")).unwrap_or("log") {
                "deactivate" => BreachAction::Deactivate,
                "emit-metric" => BreachAction::EmitMetric,
                _ => BreachAction::Log,
            };
            limits[i].push(UsageLimit {
                rpu_hours: amount,
                period,
                action,
            });
        }
    }
    if any_limit {
        let [before, after] = limits;
        sides[0].usage_limits = Some(before);
        sides[1].usage_limits = Some(after);
    }
    let [before, after] = sides;
    let show_limits = |l: &Option<Vec<UsageLimit>>| {
        l.as_ref().map(|l| {
            if l.is_empty() {
                "none".to_string()
            } else {
                l.iter()
                    .map(|u| {
                        format!(
                            "{} RPU-hours {} ({})",
                            fmt_num(u.rpu_hours),
                            u.period.name(),
                            u.action.name()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        })
    };
    let b = change.before.as_ref().map(|_| &before);
    let a = change.after.as_ref().map(|_| &after);
    for (key, scen, get) in [
        (
            "serverless.base_rpu",
            fmt_num(sv.base_rpu),
            (|s: &InfraSide| s.base_rpu) as fn(&InfraSide) -> Option<f64>,
        ),
        (
            "serverless.max_rpu",
            fmt_num(sv.max_rpu),
            |s: &InfraSide| s.max_rpu,
        ),
    ] {
        let (bv, av) = (b.and_then(get), a.and_then(get));
        if bv.is_some() || av.is_some() {
            m.values.push(PlanValue {
                key: key.into(),
                scenario: scen,
                before: bv.map(fmt_num),
                after: av.map(fmt_num),
                from: change.address.clone(),
            });
        }
    }
    if any_limit {
        m.values.push(PlanValue {
            key: "serverless.usage_limit".into(),
            scenario: show_limits(&Some(sv.usage_limits.clone())).unwrap_or_default(),
            before: b.and_then(|s| show_limits(&s.usage_limits)),
            after: a.and_then(|s| show_limits(&s.usage_limits)),
            from: format!("{USAGE_LIMIT} of {}", change.address),
        });
    }
    m.before = change.before.as_ref().map(|_| before);
    m.after = change.after.as_ref().map(|_| after);
    Ok(())
}

fn cluster(change: &ResourceChange, scenario: &Scenario, m: &mut PlanMatch) -> Result<(), String> {
    let p = scenario.provisioned.as_ref().ok_or("no [provisioned]")?;
    let node_type = |side: &Map<String, Value>, after: bool| -> Result<Option<NodeType>, String> {
        if after && unknown(change, "node_type") {
            return Ok(None);
        }
        match text(side.get("node_type")) {
            None => Ok(None),
            Some(t) => NodeType::ALL
                .iter()
                .copied()
                .find(|n| n.name() == t)
                .map(Some)
                .ok_or_else(|| {
                    format!(
                        "{}: node_type \"{}\" is not a node type this version prices",
                        change.address,
                        show(t)
                    )
                }),
        }
    };
    let mut sides = [InfraSide::default(), InfraSide::default()];
    for (i, side) in [change.before.as_ref(), change.after.as_ref()]
        .into_iter()
        .enumerate()
    {
        let Some(side) = side else { continue };
        let after = i == 1;
        sides[i].node_type = node_type(side, after)?;
        if after && unknown(change, "node_type") {
            m.warnings.push(format!(
                "{}.node_type is unknown until apply; the scenario's {} is kept",
                change.address,
                p.node_type.name()
            ));
        }
        if after && unknown(change, "number_of_nodes") {
            m.warnings.push(format!(
                "{}.number_of_nodes is unknown until apply; the scenario's {} is kept",
                change.address, p.nodes
            ));
        } else {
            sides[i].nodes = number(side.get("number_of_nodes"))
                .filter(|n| *n >= 1.0 && n.fract() == 0.0 && *n <= 128.0)
                .map(|n| n as u32);
        }
    }
    let [before, after] = sides;
    let b = change.before.as_ref().map(|_| &before);
    let a = change.after.as_ref().map(|_| &after);
    let pairs = [
        (
            "provisioned.node_type",
            p.node_type.name().to_string(),
            b.and_then(|s| s.node_type).map(|t| t.name().to_string()),
            a.and_then(|s| s.node_type).map(|t| t.name().to_string()),
        ),
        (
            "provisioned.nodes",
            p.nodes.to_string(),
            b.and_then(|s| s.nodes).map(|n| n.to_string()),
            a.and_then(|s| s.nodes).map(|n| n.to_string()),
        ),
    ];
    for (key, scen, bv, av) in pairs {
        if bv.is_some() || av.is_some() {
            m.values.push(PlanValue {
                key: key.into(),
                scenario: scen,
                before: bv,
                after: av,
                from: change.address.clone(),
            });
        }
    }
    m.before = change.before.as_ref().map(|_| before);
    m.after = change.after.as_ref().map(|_| after);
    Ok(())
}

/// Notes on snapshot schedules in the plan (they change no line: automated snapshot
/// storage is modelled by retention).
pub(crate) fn schedule_notes(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|c| c.rtype == SNAPSHOT_SCHEDULE)
        .map(|c| {
            let definitions = c
                .after
                .as_ref()
                .or(c.before.as_ref())
                .and_then(|s| s.get("definitions"))
                .and_then(Value::as_array)
                .map(|d| {
                    d.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            format!(
                "{} ({}; {definitions}): automated snapshot storage is modelled by retention ([snapshots] automated_retention_days), so the schedule changes no line",
                c.address,
                action_of(&c.actions)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_keys_are_dropped_and_actions_named() {
        assert_eq!(
            strip_index("module.a[0].aws_x.b[\"k]\"]"),
            "module.a.aws_x.b"
        );
        assert_eq!(strip_index("aws_x.b"), "aws_x.b");
        let a = |v: &[&str]| action_of(&v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>());
        assert_eq!(a(&["delete", "create"]), "replace");
        assert_eq!(a(&["create", "delete"]), "replace");
        assert_eq!(a(&["update"]), "update");
        assert_eq!(a(&[]), "no-op");
    }

    #[test]
    fn usage_limits_are_tied_to_workgroups_through_the_configuration() {
        let plan = parse_plan(
            r#"{"format_version":"1.2","resource_changes":[],
               "configuration":{"root_module":{"module_calls":{"wh":{"module":{"resources":[
                 {"address":"aws_redshiftserverless_usage_limit.l","type":"aws_redshiftserverless_usage_limit",
                  "expressions":{"resource_arn":{"references":["aws_redshiftserverless_workgroup.bi.arn","aws_redshiftserverless_workgroup.bi"]}}}
               ]}}}}}}"#,
            "p.json",
        )
        .unwrap();
        assert_eq!(
            plan.limit_refs,
            vec![(
                "module.wh.aws_redshiftserverless_usage_limit.l".to_string(),
                "module.wh.aws_redshiftserverless_workgroup.bi".to_string()
            )]
        );
        let e = parse_plan(r#"{"format_version":"2.0"}"#, "p.json").unwrap_err();
        assert!(e.contains("format_version 2.0"), "{e}");
        let e = parse_plan(
            r#"{"format_version":"1.0","resource_changes":[{"type":"x"}]}"#,
            "p.json",
        )
        .unwrap_err();
        assert!(e.contains("resource_changes[0] lacks address"), "{e}");
    }
}
