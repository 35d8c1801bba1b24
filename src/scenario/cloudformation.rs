//! CloudFormation templates, JSON or YAML: `AWS::RedshiftServerless::Workgroup`
//! (`BaseCapacity`, `MaxCapacity`, `PricePerformanceTarget`) and `AWS::Redshift::Cluster`
//! (`NodeType`, `NumberOfNodes`), read as a plan whose every resource is created (a
//! template has no before). `Ref`s to parameters take the parameter's `Default`; any
//! other intrinsic function is unknown until deployment and keeps the scenario's value.

use super::terraform::{Plan, ResourceChange, CLUSTER, WORKGROUP};
use serde_json::{Map, Value};
use std::path::Path;

const MAX_TEMPLATE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a template; YAML unless it parses as JSON.
pub(crate) fn read_template(path: &Path) -> Result<Plan, String> {
    let file = path.display().to_string();
    let text = crate::fsx::read_text(path, MAX_TEMPLATE_BYTES)
        .map_err(|e| format!("cannot read the CloudFormation template {file}: {e}"))?;
    parse_template(&text, &file)
}

/// Parses a template's text; `file` names it in messages.
pub(crate) fn parse_template(text: &str, file: &str) -> Result<Plan, String> {
    let trimmed = text.trim_start();
    let root: Value = if trimmed.starts_with('{') {
        serde_json::from_str(text)
            .map_err(|e| format!("{file}:{}:{}: not valid JSON: {e}", e.line(), e.column()))?
    } else {
        let y: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(text).map_err(|e| match e.location() {
                Some(l) => format!("{file}:{}:{}: not valid YAML: {e}", l.line(), l.column()),
                None => format!("{file}: not valid YAML: {e}"),
            })?;
        yaml_to_json(y, 0)?
    };
    let resources = root
        .get("Resources")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{file} is not a CloudFormation template: no Resources section"))?;
    let parameters = root
        .get("Parameters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut changes = Vec::new();
    for (id, r) in resources {
        let (rtype, attributes): (&str, &[(&str, &str)]) =
            match r.get("Type").and_then(Value::as_str) {
                Some("AWS::RedshiftServerless::Workgroup") => (
                    WORKGROUP,
                    &[
                        ("BaseCapacity", "base_capacity"),
                        ("MaxCapacity", "max_capacity"),
                    ],
                ),
                Some("AWS::Redshift::Cluster") => (
                    CLUSTER,
                    &[
                        ("NodeType", "node_type"),
                        ("NumberOfNodes", "number_of_nodes"),
                    ],
                ),
                _ => continue,
            };
        let properties = r
            .get("Properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut after = Map::new();
        let mut unknown = Map::new();
        for (property, attribute) in attributes {
            let Some(v) = properties.get(*property) else {
                continue;
            };
            match resolve(v, &parameters) {
                Some(v) => {
                    after.insert((*attribute).to_string(), typed(attribute, v));
                }
                None => {
                    unknown.insert((*attribute).to_string(), Value::Bool(true));
                }
            }
        }
        if rtype == CLUSTER
            && properties.get("ClusterType").and_then(Value::as_str) == Some("single-node")
            && !after.contains_key("number_of_nodes")
        {
            after.insert("number_of_nodes".into(), Value::from(1));
        }
        if let Some(t) = properties.get("PricePerformanceTarget") {
            let enabled = t.get("Status").and_then(Value::as_str) != Some("DISABLED");
            after.insert(
                "price_performance_target".into(),
                serde_json::json!([{ "enabled": enabled }]),
            );
        }
        changes.push(ResourceChange {
            address: id.clone(),
            rtype: rtype.to_string(),
            actions: vec!["create".into()],
            before: None,
            after: Some(after),
            after_unknown: unknown,
        });
    }
    Ok(Plan {
        file: file.to_string(),
        kind: "cloudformation",
        changes,
        limit_refs: Vec::new(),
    })
}

/// A property's value: literal, or a `Ref` to a parameter with a `Default`; `None` for
/// anything decided at deployment.
fn resolve(v: &Value, parameters: &Map<String, Value>) -> Option<Value> {
    match v {
        Value::Object(o) if o.len() == 1 => {
            let name = o.get("Ref")?.as_str()?;
            parameters.get(name)?.get("Default").cloned()
        }
        Value::Object(_) | Value::Array(_) | Value::Null => None,
        other => Some(other.clone()),
    }
}

/// Numbers may be written as strings in a template (`"32"`).
fn typed(attribute: &str, v: Value) -> Value {
    match (&v, attribute) {
        (Value::String(s), "base_capacity" | "max_capacity" | "number_of_nodes") => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(v, Value::Number),
        _ => v,
    }
}

/// YAML to JSON, with CloudFormation's short forms in their long form (`!Ref X` →
/// `{"Ref": "X"}`, `!Sub s` → `{"Fn::Sub": "s"}`).
fn yaml_to_json(y: serde_yaml_ng::Value, depth: usize) -> Result<Value, String> {
    use serde_yaml_ng::Value as Y;
    if depth > 64 {
        return Err("the template nests too deeply".into());
    }
    Ok(match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(|i| yaml_to_json(i, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    other => serde_yaml_ng::to_string(&other)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                };
                out.insert(key, yaml_to_json(v, depth + 1)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let key = if name == "Ref" {
                "Ref".to_string()
            } else {
                format!("Fn::{name}")
            };
            let mut out = Map::new();
            out.insert(key, yaml_to_json(t.value, depth + 1)?);
            Value::Object(out)
        }
    })
}
