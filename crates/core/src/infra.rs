//! Capacity from infrastructure code: what a Terraform plan or a CloudFormation template
//! sets for the warehouse a scenario models (base and max RPU, usage limits, node type
//! and count), applied over the scenario's own values. Reading the files is the loader's;
//! this is the pure part: a side's values and the scenario they give.

use crate::engine::UsageLimit;
use crate::scenario::{NodeType, Scenario};
use crate::units::Rpu;

/// What one side of a change (a plan's `before` or `after`, or a template) sets; `None`
/// leaves the scenario's value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InfraSide {
    pub base_rpu: Option<Rpu>,
    pub max_rpu: Option<Rpu>,
    /// Usage limits of the workgroup (`Some(vec![])`: the side has none).
    pub usage_limits: Option<Vec<UsageLimit>>,
    pub node_type: Option<NodeType>,
    pub nodes: Option<u32>,
}

/// Why a side cannot be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InfraError {
    #[error("the scenario has no [serverless] section for the workgroup's {0}")]
    NoServerless(&'static str),
    #[error("the scenario has no [provisioned] section for the cluster's {0}")]
    NoCluster(&'static str),
    #[error("base capacity {base} RPU is above max capacity {max} RPU")]
    BaseAboveMax { base: Rpu, max: Rpu },
}

/// `scenario` with `side`'s values in place of its own.
pub fn apply_side(scenario: &Scenario, side: &InfraSide) -> Result<Scenario, InfraError> {
    let mut s = scenario.clone();
    let serverless_set = side.base_rpu.is_some() || side.max_rpu.is_some();
    if serverless_set || side.usage_limits.is_some() {
        let what = if serverless_set {
            "capacity"
        } else {
            "usage limits"
        };
        let sv = s
            .serverless
            .as_mut()
            .ok_or(InfraError::NoServerless(what))?;
        if let Some(b) = side.base_rpu {
            sv.base_rpu = b;
        }
        if let Some(m) = side.max_rpu {
            sv.max_rpu = m;
        }
        if sv.base_rpu > sv.max_rpu {
            return Err(InfraError::BaseAboveMax {
                base: sv.base_rpu,
                max: sv.max_rpu,
            });
        }
        if let Some(limits) = &side.usage_limits {
            sv.usage_limits.clone_from(limits);
        }
    }
    if side.node_type.is_some() || side.nodes.is_some() {
        let p = s
            .provisioned
            .as_mut()
            .ok_or(InfraError::NoCluster("node type and count"))?;
        if let Some(t) = side.node_type {
            p.node_type = t;
        }
        if let Some(n) = side.nodes {
            p.nodes = n;
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{BreachAction, LimitPeriod};
    use crate::scenario::{Period, Serverless, Storage};

    fn serverless(base: Rpu, max: Rpu) -> Scenario {
        Scenario {
            name: "s".into(),
            path: "s.toml".into(),
            region: "us-east-1".into(),
            period: Period {
                hours: 730.0,
                start: Period::default_start(),
            },
            budget_usd: None,
            serverless: Some(Serverless {
                base_rpu: base,
                max_rpu: max,
                metering: crate::engine::Metering::BusyPeriod,
                usage_limits: vec![],
            }),
            workloads: vec![],
            zero_etl: None,
            storage: Storage::default(),
            prices: crate::scenario::PriceOverrides::default(),
            observed: None,
            provisioned: None,
            serverless_reservation: None,
            spectrum: None,
            data_sharing: None,
            snapshots: None,
            ml: None,
            pipelines: vec![],
            timezone: None,
            seed: 1,
            uncertain: vec![],
            growth: None,
            terraform_address: None,
            cloudformation_resource: None,
            locations: crate::scenario::Locations::default(),
        }
    }

    #[test]
    fn a_side_replaces_what_it_sets_and_keeps_the_rest() {
        let s = serverless(8.0, 64.0);
        let limit = UsageLimit {
            rpu_hours: 500.0,
            period: LimitPeriod::Monthly,
            action: BreachAction::Deactivate,
        };
        let side = InfraSide {
            base_rpu: Some(32.0),
            max_rpu: Some(128.0),
            usage_limits: Some(vec![limit]),
            ..InfraSide::default()
        };
        let out = apply_side(&s, &side).unwrap();
        let sv = out.serverless.unwrap();
        assert_eq!((sv.base_rpu, sv.max_rpu), (32.0, 128.0));
        assert_eq!(sv.usage_limits, vec![limit]);
        // Only the max: the base stays.
        let out = apply_side(
            &s,
            &InfraSide {
                max_rpu: Some(16.0),
                ..InfraSide::default()
            },
        )
        .unwrap();
        assert_eq!(out.serverless.unwrap().base_rpu, 8.0);
        // An empty side is the scenario.
        assert_eq!(apply_side(&s, &InfraSide::default()).unwrap(), s);
    }

    #[test]
    fn sides_that_cannot_apply_say_why() {
        let s = serverless(8.0, 64.0);
        let low = InfraSide {
            max_rpu: Some(4.0),
            ..InfraSide::default()
        };
        assert_eq!(
            apply_side(&s, &low),
            Err(InfraError::BaseAboveMax {
                base: 8.0,
                max: 4.0
            })
        );
        let cluster = InfraSide {
            nodes: Some(4),
            ..InfraSide::default()
        };
        assert!(matches!(
            apply_side(&s, &cluster),
            Err(InfraError::NoCluster(_))
        ));
    }
}
