//! Scenario `[prices]` overrides: the top of the precedence order
//! (override > live/cache > bundled).

use super::{Price, Provenance, RegionPrices, Tier};
use crate::scenario::{NodeType, PriceOverrides, ServicePriceOverrides};
use std::collections::BTreeMap;

/// `prices` with the scenario's overrides applied; overridden prices are marked
/// [`Provenance::override_`].
pub fn apply_overrides(prices: &RegionPrices, overrides: &PriceOverrides) -> RegionPrices {
    let price = |usd: f64| Price {
        usd,
        source: Provenance::override_(),
    };
    let mut out = prices.clone();
    if let Some(usd) = overrides.rpu_hour {
        out.rpu_hour = Some(price(usd));
    }
    if let Some(usd) = overrides.managed_storage_gb_month {
        out.rms_gb_month = Some(price(usd));
    }
    if let Some(usd) = overrides.backup_gb_month {
        // One rate for every tier; keep the tier boundaries when the book has them.
        out.backup_tiers = if out.backup_tiers.is_empty() {
            vec![Tier {
                begin: 0.0,
                end: None,
                price: price(usd),
            }]
        } else {
            out.backup_tiers
                .iter()
                .map(|t| Tier {
                    price: price(usd),
                    ..*t
                })
                .collect()
        };
    }
    apply_service_overrides(&mut out, &overrides.services);
    out
}

/// One rate for every tier of `tiers` (keeping the boundaries), or one unbounded tier.
fn flat_tiers(tiers: &[Tier], price: Price) -> Vec<Tier> {
    if tiers.is_empty() {
        vec![Tier {
            begin: 0.0,
            end: None,
            price,
        }]
    } else {
        tiers.iter().map(|t| Tier { price, ..*t }).collect()
    }
}

/// The `[prices]` keys of the services around the warehouse. `node_hour` and
/// `concurrency_scaling_node_second` apply to every node type (a scenario has one).
fn apply_service_overrides(out: &mut RegionPrices, o: &ServicePriceOverrides) {
    let price = |usd: f64| Price {
        usd,
        source: Provenance::override_(),
    };
    let set = |slot: &mut Option<Price>, usd: Option<f64>| {
        if let Some(usd) = usd {
            *slot = Some(price(usd));
        }
    };
    set(&mut out.spectrum_tb, o.spectrum_tb);
    set(&mut out.athena_tb, o.athena_tb);
    set(&mut out.inter_region_gb, o.inter_region_gb);
    set(&mut out.s3_gb_month, o.s3_gb_month);
    set(&mut out.lambda_request, o.lambda_request);
    let every_key = |map: &mut BTreeMap<String, Price>, usd: Option<f64>, keys: &[&str]| {
        if let Some(usd) = usd {
            for k in keys {
                map.insert((*k).to_string(), price(usd));
            }
            for p in map.values_mut() {
                *p = price(usd);
            }
        }
    };
    let node_types: Vec<&str> = NodeType::ALL.iter().map(|n| n.name()).collect();
    every_key(&mut out.node_hour, o.node_hour, &node_types);
    every_key(
        &mut out.concurrency_scaling_node_second,
        o.concurrency_scaling_node_second,
        &node_types,
    );
    every_key(
        &mut out.lambda_gb_second,
        o.lambda_gb_second,
        &["x86", "arm"],
    );
    if let Some(usd) = o.ml_million_cells {
        out.ml_million_cells_tiers = flat_tiers(&out.ml_million_cells_tiers, price(usd));
    }
    for (instance, usd) in &o.sagemaker_instance_hour {
        out.sagemaker_instance_hour
            .insert(instance.clone(), price(*usd));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::prices::bundled::bundled;
    use crate::sources::prices::SourceKind;

    #[test]
    fn overrides_win_and_say_so() {
        let tokyo = bundled().region("ap-northeast-1").unwrap();
        let o = PriceOverrides {
            rpu_hour: Some(0.5),
            managed_storage_gb_month: None,
            backup_gb_month: Some(0.02),
            ..PriceOverrides::default()
        };
        let p = apply_overrides(tokyo, &o);
        assert_eq!(p.rpu_hour.unwrap().usd, 0.5);
        assert_eq!(p.rpu_hour.unwrap().source.kind, SourceKind::Override);
        assert_eq!(p.rms_gb_month, tokyo.rms_gb_month);
        assert_eq!(p.backup_tiers.len(), tokyo.backup_tiers.len());
        assert!(p.backup_tiers.iter().all(|t| t.price.usd == 0.02));
        assert_eq!(apply_overrides(tokyo, &PriceOverrides::default()), *tokyo);
    }

    #[test]
    fn service_overrides_fill_gaps_and_win() {
        let tokyo = bundled().region("ap-northeast-1").unwrap();
        let mut sagemaker = BTreeMap::new();
        sagemaker.insert("ml.g5.xlarge".to_string(), 1.4);
        let o = PriceOverrides {
            services: ServicePriceOverrides {
                node_hour: Some(3.0),
                lambda_request: Some(0.0000002),
                lambda_gb_second: Some(0.00001),
                ml_million_cells: Some(10.0),
                sagemaker_instance_hour: sagemaker,
                ..ServicePriceOverrides::default()
            },
            ..PriceOverrides::default()
        };
        let p = apply_overrides(tokyo, &o);
        assert_eq!(p.node_hour["ra3.4xlarge"].usd, 3.0);
        assert_eq!(p.node_hour["dc2.large"].source.kind, SourceKind::Override);
        assert_eq!(p.lambda_request.unwrap().usd, 0.0000002);
        assert_eq!(p.lambda_gb_second["arm"].usd, 0.00001);
        assert_eq!(p.ml_million_cells_tiers.len(), 1);
        assert_eq!(p.ml_million_cells_tiers[0].end, None);
        assert_eq!(p.sagemaker_instance_hour["ml.g5.xlarge"].usd, 1.4);
        // Untouched prices stay the book's.
        assert_eq!(p.rpu_hour, tokyo.rpu_hour);
        assert_eq!(p.inter_region_gb, None);
        // Tiers keep their boundaries.
        let use1 = bundled().region("us-east-1").unwrap();
        let p = apply_overrides(use1, &o);
        assert_eq!(p.ml_million_cells_tiers.len(), 3);
        assert!(p.ml_million_cells_tiers.iter().all(|t| t.price.usd == 10.0));
    }
}
