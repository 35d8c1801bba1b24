//! `--terraform` and `--cloudformation`: each scenario's warehouse found in the plan or
//! template, its before and after sides applied over the scenario (in memory), and what
//! the report says about where every value came from.

use super::Infrastructure;
use crate::error::Error;
use crate::output::Messages;
use crate::report::iac::{IacJson, IacResourceJson, IacValueJson};
use crate::report::infracost::InfracostResource;
use crate::scenario::cloudformation::read_template;
use crate::scenario::terraform::{match_scenario, read_plan, schedule_notes, Plan};
use redshift_cost_core::infra::apply_side;
use redshift_cost_core::messages::Warning;
use redshift_cost_core::scenario::Scenario;

/// The scenarios of both sides of a change.
pub(crate) struct Applied {
    /// Per scenario, in order: its before side (`None`: the resource is created) and
    /// after side (`None`: deleted).
    pub(crate) before: Vec<Option<Scenario>>,
    pub(crate) after: Vec<Option<Scenario>>,
    /// The report's `infrastructure` object, its diff still to come.
    pub(crate) json: IacJson,
    /// Each scenario's resource, by scenario name, for `--format infracost`.
    pub(crate) resources: Vec<(String, InfracostResource)>,
    /// Whether the file has a before side at all (a template does not).
    pub(crate) has_before: bool,
}

/// Reads the plan or template.
pub(crate) fn read(infra: &Infrastructure) -> Result<Plan, Error> {
    match infra {
        Infrastructure::Terraform(p) => read_plan(p),
        Infrastructure::CloudFormation(p) => read_template(p),
    }
    .map_err(Error::Input)
}

/// Applies `plan` to every scenario; warnings (values unknown until apply, usage limits
/// that cannot be tied to a workgroup) are told once each.
pub(crate) fn apply(
    plan: &Plan,
    scenarios: &[Scenario],
    messages: &mut Messages,
) -> Result<Applied, Error> {
    let mut before = Vec::new();
    let mut after = Vec::new();
    let mut resources = Vec::new();
    let mut json_resources = Vec::new();
    let mut notes = schedule_notes(plan);
    for s in scenarios {
        let m = match_scenario(plan, s).map_err(Error::Input)?;
        for w in &m.warnings {
            messages.warn(Warning::Scenario { located: w.clone() });
        }
        notes.extend(m.notes.iter().cloned());
        let side = |side: &Option<redshift_cost_core::infra::InfraSide>, which: &str| {
            side.as_ref()
                .map(|v| {
                    apply_side(s, v).map_err(|e| {
                        Error::Input(format!(
                            "scenario `{}` with the {which} side of {} in {}: {e}",
                            s.name, m.address, plan.file
                        ))
                    })
                })
                .transpose()
        };
        before.push(side(&m.before, "before")?);
        after.push(side(&m.after, "after")?);
        resources.push((
            s.name.clone(),
            InfracostResource {
                path: s.path.display().to_string(),
                name: m.address.clone(),
                resource_type: m.rtype.clone(),
            },
        ));
        json_resources.push(IacResourceJson {
            scenario: s.name.clone(),
            address: m.address.clone(),
            resource_type: m.rtype.clone(),
            action: m.action.clone(),
            values: m
                .values
                .iter()
                .map(|v| IacValueJson {
                    key: v.key.clone(),
                    scenario: v.scenario.clone(),
                    before: v.before.clone(),
                    after: v.after.clone(),
                    from: v.from.clone(),
                })
                .collect(),
        });
    }
    let has_before = plan.kind == "terraform";
    Ok(Applied {
        before,
        after,
        json: IacJson {
            source: plan.kind,
            file: plan.file.clone(),
            resources: json_resources,
            notes,
            diff: None,
        },
        resources,
        has_before,
    })
}
