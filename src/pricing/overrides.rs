//! Scenario `[prices]` overrides: the top of the precedence order
//! (override > live/cache > bundled).

use super::book::{Price, PriceSource, RegionPrices, Tier};
use crate::scenario::PriceOverrides;

/// `prices` with the scenario's overrides applied; overridden prices are marked
/// [`PriceSource::override_`].
pub fn apply_overrides(prices: &RegionPrices, overrides: &PriceOverrides) -> RegionPrices {
    let price = |usd: f64| Price {
        usd,
        source: PriceSource::override_(),
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::bundled::bundled;
    use crate::pricing::SourceKind;

    #[test]
    fn overrides_win_and_say_so() {
        let tokyo = bundled().region("ap-northeast-1").unwrap();
        let o = PriceOverrides {
            rpu_hour: Some(0.5),
            managed_storage_gb_month: None,
            backup_gb_month: Some(0.02),
        };
        let p = apply_overrides(tokyo, &o);
        assert_eq!(p.rpu_hour.unwrap().usd, 0.5);
        assert_eq!(p.rpu_hour.unwrap().source.kind, SourceKind::Override);
        assert_eq!(p.rms_gb_month, tokyo.rms_gb_month);
        assert_eq!(p.backup_tiers.len(), tokyo.backup_tiers.len());
        assert!(p.backup_tiers.iter().all(|t| t.price.usd == 0.02));
        assert_eq!(apply_overrides(tokyo, &PriceOverrides::default()), *tokyo);
    }
}
