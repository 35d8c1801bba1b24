//! `diff OLD.json NEW.json`: per-scenario, per-component deltas between two estimate
//! reports (the JSON contract), for a PR review comment or a month-over-month report.

use super::format::{signed_percent, usd};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// The parts of a report JSON a diff reads (unknown keys are ignored, so reports from
/// newer versions with more keys still compare).
#[derive(Debug, Clone, Deserialize)]
pub struct ReportTotals {
    pub schema_version: u32,
    pub scenarios: Vec<ScenarioTotals>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ScenarioTotals {
    pub name: String,
    pub total_monthly_usd: f64,
    pub components: Vec<ComponentTotal>,
    /// Busy periods and each class's demand (older reports lack the demand).
    #[serde(default)]
    pub serverless: Option<ServerlessTotals>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerlessTotals {
    pub busy_periods: usize,
    /// By class name (a JSON object).
    #[serde(default)]
    pub by_class: std::collections::BTreeMap<String, ClassTotals>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ClassTotals {
    #[serde(default)]
    pub demand_rpu_seconds: Option<f64>,
}

impl ScenarioTotals {
    /// The demand of the class whose compute line is `component` (`compute: <class>`).
    fn demand_of(&self, component: &str) -> Option<f64> {
        let class = component.strip_prefix("compute: ")?;
        self.serverless
            .as_ref()?
            .by_class
            .get(class)?
            .demand_rpu_seconds
    }
}

/// Why a compute line moved although its class asks for the same work: the busy periods
/// it shares merged, split or were divided anew.
fn attribution_note(old: &ScenarioTotals, new: &ScenarioTotals, component: &str) -> Option<String> {
    let (a, b) = (old.demand_of(component)?, new.demand_of(component)?);
    if (a - b).abs() > 1e-9 * a.abs().max(1.0) {
        return None;
    }
    let (po, pn) = (
        old.serverless.as_ref()?.busy_periods,
        new.serverless.as_ref()?.busy_periods,
    );
    Some(
        match pn.cmp(&po) {
            std::cmp::Ordering::Less => "attribution moved: busy periods merged",
            std::cmp::Ordering::Greater => "attribution moved: busy periods split",
            std::cmp::Ordering::Equal => "attribution moved: shared time divided anew",
        }
        .to_string(),
    )
}

#[derive(Debug, Clone, Deserialize)]
pub struct ComponentTotal {
    pub component: String,
    pub monthly_usd: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{what} is not an estimate report (JSON with schema_version and scenarios): {source}")]
    Json {
        what: String,
        source: serde_json::Error,
    },
    #[error(
        "{what} has schema_version {found}; this version reads schema_version {}",
        super::SCHEMA_VERSION
    )]
    Version { what: String, found: u32 },
}

/// Parses a report JSON; `what` names it in errors (usually the file path).
pub fn parse_totals(json: &str, what: &str) -> Result<ReportTotals, DiffError> {
    let r: ReportTotals = serde_json::from_str(json).map_err(|source| DiffError::Json {
        what: what.to_string(),
        source,
    })?;
    if r.schema_version != super::SCHEMA_VERSION {
        return Err(DiffError::Version {
            what: what.to_string(),
            found: r.schema_version,
        });
    }
    Ok(r)
}

/// How a line changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Changed,
    Unchanged,
    New,
    Removed,
}

/// Old and new USD of one line; `None` where the line does not exist on that side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delta {
    pub old_usd: Option<f64>,
    pub new_usd: Option<f64>,
    pub delta_usd: f64,
    /// Relative change in percent; `None` when the old value is 0 or missing.
    pub delta_percent: Option<f64>,
    pub change: Change,
}

impl Delta {
    fn new(old: Option<f64>, new: Option<f64>) -> Delta {
        // In whole micro-dollars, as the reports' figures are: no float noise.
        let delta = ((new.unwrap_or(0.0) - old.unwrap_or(0.0)) * 1e6).round() / 1e6;
        let change = match (old, new) {
            (None, Some(_)) => Change::New,
            (Some(_), None) => Change::Removed,
            _ if delta.abs() < 5e-7 => Change::Unchanged,
            _ => Change::Changed,
        };
        Delta {
            old_usd: old,
            new_usd: new,
            delta_usd: delta,
            delta_percent: old.filter(|o| o.abs() > 0.0).map(|o| delta / o * 100.0),
            change,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentDelta {
    pub component: String,
    #[serde(flatten)]
    pub delta: Delta,
    /// Set when the line moved while its own inputs did not (see [`attribution_note`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioDelta {
    pub name: String,
    pub total: Delta,
    pub components: Vec<ComponentDelta>,
}

/// The whole diff (JSON output of `diff`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub schema_version: u32,
    pub scenarios: Vec<ScenarioDelta>,
    pub total: Delta,
}

/// Compares `old` with `new`: scenarios matched by name, components by label; order
/// follows `new`, then what only `old` had.
pub fn diff(old: &ReportTotals, new: &ReportTotals) -> Diff {
    let mut scenarios = Vec::new();
    for n in &new.scenarios {
        let o = old.scenarios.iter().find(|o| o.name == n.name);
        scenarios.push(scenario_delta(o, Some(n)));
    }
    for o in &old.scenarios {
        if !new.scenarios.iter().any(|n| n.name == o.name) {
            scenarios.push(scenario_delta(Some(o), None));
        }
    }
    let sum = |r: &ReportTotals| r.scenarios.iter().map(|s| s.total_monthly_usd).sum::<f64>();
    Diff {
        schema_version: super::SCHEMA_VERSION,
        scenarios,
        total: Delta::new(Some(sum(old)), Some(sum(new))),
    }
}

fn scenario_delta(old: Option<&ScenarioTotals>, new: Option<&ScenarioTotals>) -> ScenarioDelta {
    let name = new.or(old).map(|s| s.name.clone()).unwrap_or_default();
    let empty = Vec::new();
    let old_c = old.map_or(&empty, |s| &s.components);
    let new_c = new.map_or(&empty, |s| &s.components);
    let mut components: Vec<ComponentDelta> = new_c
        .iter()
        .map(|n| {
            let delta = Delta::new(
                old_c
                    .iter()
                    .find(|o| o.component == n.component)
                    .map(|o| o.monthly_usd),
                Some(n.monthly_usd),
            );
            let note = match (old, new) {
                (Some(o), Some(s))
                    if delta.change == Change::Changed && delta.delta_usd.abs() >= 0.005 =>
                {
                    attribution_note(o, s, &n.component)
                }
                _ => None,
            };
            ComponentDelta {
                component: n.component.clone(),
                delta,
                note,
            }
        })
        .collect();
    components.extend(
        old_c
            .iter()
            .filter(|o| !new_c.iter().any(|n| n.component == o.component))
            .map(|o| ComponentDelta {
                component: o.component.clone(),
                delta: Delta::new(Some(o.monthly_usd), None),
                note: None,
            }),
    );
    ScenarioDelta {
        name,
        total: Delta::new(
            old.map(|s| s.total_monthly_usd),
            new.map(|s| s.total_monthly_usd),
        ),
        components,
    }
}

fn money(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), usd)
}

fn signed_usd(x: f64) -> String {
    if x >= 0.0 {
        format!("+{}", usd(x))
    } else {
        usd(x)
    }
}

fn percent(d: &Delta) -> String {
    match d.change {
        Change::New => "new".into(),
        Change::Removed => "removed".into(),
        _ => d.delta_percent.map_or_else(|| "—".into(), signed_percent),
    }
}

/// Rows of the human renderings: (scenario, line, old, new, Δ USD, Δ %); lines that did
/// not change only with `all` (totals always).
fn rows(d: &Diff, all: bool) -> Vec<[String; 6]> {
    let mut out = Vec::new();
    for s in &d.scenarios {
        for c in s
            .components
            .iter()
            .filter(|c| all || c.delta.change != Change::Unchanged)
        {
            out.push([
                s.name.clone(),
                c.note.as_ref().map_or_else(
                    || c.component.clone(),
                    |note| format!("{} ({note})", c.component),
                ),
                money(c.delta.old_usd),
                money(c.delta.new_usd),
                signed_usd(c.delta.delta_usd),
                percent(&c.delta),
            ]);
        }
        out.push([
            s.name.clone(),
            "total".into(),
            money(s.total.old_usd),
            money(s.total.new_usd),
            signed_usd(s.total.delta_usd),
            percent(&s.total),
        ]);
    }
    if d.scenarios.len() > 1 {
        out.push([
            "all scenarios".into(),
            "total".into(),
            money(d.total.old_usd),
            money(d.total.new_usd),
            signed_usd(d.total.delta_usd),
            percent(&d.total),
        ]);
    }
    out
}

const HEADER: [&str; 6] = [
    "Scenario",
    "Line",
    "Old (USD)",
    "New (USD)",
    "Δ (USD)",
    "Δ %",
];

/// How many lines did not change: a sentence saying they are hidden, when any are.
fn hidden(d: &Diff, all: bool) -> Option<String> {
    let n = d
        .scenarios
        .iter()
        .flat_map(|s| &s.components)
        .filter(|c| c.delta.change == Change::Unchanged)
        .count();
    (!all && n > 0).then(|| {
        format!(
            "{n} unchanged line{} not shown (--all shows every line).",
            if n == 1 { "" } else { "s" }
        )
    })
}

/// The table; lines that did not change only with `all`.
pub fn render_table(d: &Diff, all: bool) -> Vec<u8> {
    let mut t = super::table::new_table(&HEADER);
    for r in rows(d, all) {
        t.add_row(r.to_vec());
    }
    super::table::right_align(&mut t, 2..6);
    let mut out = format!("{t}\n");
    if let Some(h) = hidden(d, all) {
        out.push_str(&h);
        out.push('\n');
    }
    out.into_bytes()
}

/// The Markdown table; lines that did not change only with `all`.
pub fn render_markdown(d: &Diff, all: bool) -> Vec<u8> {
    let mut out = String::from(
        "| Scenario | Line | Old (USD) | New (USD) | Δ (USD) | Δ % |\n|---|---|--:|--:|--:|--:|\n",
    );
    for r in rows(d, all) {
        let bold = r[1] == "total";
        let cells: Vec<String> = r
            .iter()
            .map(|c| {
                let c = c.replace('|', "\\|");
                if bold && !c.is_empty() {
                    format!("**{c}**")
                } else {
                    c
                }
            })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    if let Some(h) = hidden(d, all) {
        let _ = writeln!(out, "\n{h}");
    }
    out.into_bytes()
}

pub fn render_json(d: &Diff) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(d).expect("a diff always serializes");
    v.push(b'\n');
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(scenarios: &[(&str, &[(&str, f64)])]) -> ReportTotals {
        ReportTotals {
            schema_version: 1,
            scenarios: scenarios
                .iter()
                .map(|(name, comps)| ScenarioTotals {
                    name: name.to_string(),
                    total_monthly_usd: comps.iter().map(|c| c.1).sum(),
                    components: comps
                        .iter()
                        .map(|(c, v)| ComponentTotal {
                            component: c.to_string(),
                            monthly_usd: *v,
                        })
                        .collect(),
                    serverless: None,
                })
                .collect(),
        }
    }

    #[test]
    fn deltas_new_and_removed() {
        let old = report(&[
            ("a", &[("compute", 100.0), ("storage", 10.0)]),
            ("gone", &[("compute", 5.0)]),
        ]);
        let new = report(&[
            ("a", &[("compute", 150.0), ("snapshots", 2.0)]),
            ("b", &[("compute", 1.0)]),
        ]);
        let d = diff(&old, &new);
        let a = &d.scenarios[0];
        assert_eq!(a.name, "a");
        assert_eq!(a.components[0].delta.delta_usd, 50.0);
        assert_eq!(a.components[0].delta.delta_percent, Some(50.0));
        assert_eq!(a.components[1].delta.change, Change::New);
        assert_eq!(a.components[2].component, "storage");
        assert_eq!(a.components[2].delta.change, Change::Removed);
        assert_eq!(a.components[2].delta.delta_usd, -10.0);
        assert_eq!(a.total.delta_usd, 42.0);
        assert_eq!(d.scenarios[1].total.change, Change::New);
        assert_eq!(d.scenarios[2].name, "gone");
        assert_eq!(d.scenarios[2].total.change, Change::Removed);
        assert_eq!(d.total.delta_usd, (152.0 + 1.0) - (110.0 + 5.0));
        let md = String::from_utf8(render_markdown(&d, true)).unwrap();
        assert!(
            md.contains("| a | compute | 100.00 | 150.00 | +50.00 | +50.0 % |"),
            "{md}"
        );
        assert!(
            md.contains("| a | snapshots | — | 2.00 | +2.00 | new |"),
            "{md}"
        );
        let json: serde_json::Value = serde_json::from_slice(&render_json(&d)).unwrap();
        assert_eq!(json["scenarios"][0]["components"][2]["change"], "removed");
    }

    #[test]
    fn unchanged_lines_are_hidden_unless_all_and_totals_always_show() {
        let old = report(&[("a", &[("compute", 100.0), ("storage", 10.0)])]);
        let new = report(&[("a", &[("compute", 150.0), ("storage", 10.0)])]);
        let d = diff(&old, &new);
        let md = String::from_utf8(render_markdown(&d, false)).unwrap();
        assert!(!md.contains("| a | storage |"), "{md}");
        assert!(md.contains("| a | compute | 100.00 | 150.00 |"), "{md}");
        assert!(md.contains("| **a** | **total** |"), "{md}");
        assert!(
            md.contains("1 unchanged line not shown (--all shows every line)."),
            "{md}"
        );
        let all = String::from_utf8(render_markdown(&d, true)).unwrap();
        assert!(
            all.contains("| a | storage | 10.00 | 10.00 | +0.00 | +0.0 % |"),
            "{all}"
        );
        assert!(!all.contains("not shown"));
        let table = String::from_utf8(render_table(&d, false)).unwrap();
        assert!(
            !table.contains("storage") && table.contains("total"),
            "{table}"
        );
        // JSON keeps every line.
        let json: serde_json::Value = serde_json::from_slice(&render_json(&d)).unwrap();
        assert_eq!(json["scenarios"][0]["components"][1]["change"], "unchanged");
    }

    #[test]
    fn a_report_with_more_keys_still_parses_and_versions_are_checked() {
        let r = parse_totals(
            r#"{"schema_version":1,"extra":true,"scenarios":[{"name":"x","total_monthly_usd":1.5,"region":"r","components":[{"component":"c","monthly_usd":1.5,"unit":"u"}]}]}"#,
            "new.json",
        )
        .unwrap();
        assert_eq!(r.scenarios[0].components[0].monthly_usd, 1.5);
        let e = parse_totals(r#"{"schema_version":2,"scenarios":[]}"#, "x.json").unwrap_err();
        assert!(e.to_string().contains("schema_version 2"), "{e}");
        let e = parse_totals("[1,2]", "x.json").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("x.json is not an estimate report"),
            "{e}"
        );
    }
}
