//! The words of a run's warnings and notes: one sentence per typed value of
//! `redshift_cost_core::messages`, without the `warning:` / `note:` prefix (the printer adds it).

use super::format::usd;
use super::observe::day_list;
use redshift_cost_core::messages::{PriceAnswer, PriceFallback, RunNote, Warning};

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The sentence of `w`.
pub fn warning(w: &Warning) -> String {
    match w {
        Warning::Scenario { located } => located.clone(),
        Warning::PriceCacheUnreadable { reason } => {
            format!("ignoring the price cache: {reason}; it will be replaced")
        }
        Warning::PriceCacheOld {
            region,
            days,
            fetched,
        } => format!(
            "the cached prices for {region} are {days} days old (fetched {}); refresh them with --refresh-prices",
            date(*fetched)
        ),
        Warning::NoCachedPrices { region, as_of } => format!(
            "no cached prices for {region}; using bundled prices as of {}",
            date(*as_of)
        ),
        Warning::LivePriceRemark { region, remark } => {
            format!("live prices for {region}: {remark}")
        }
        Warning::PricesRejected {
            region,
            answer,
            rejected,
            factor,
        } => {
            let (what, tail) = match answer {
                PriceAnswer::Live => ("live prices", " and the answer is not cached"),
                PriceAnswer::Cached => ("cached prices", ""),
            };
            format!(
                "{what} for {region}: rejected {} (a price must be finite and within ×{}–×{factor} of the bundled one); the bundled price is used{tail}",
                rejected.join(", "),
                1.0 / factor,
            )
        }
        Warning::PriceCacheUnwritable { path, reason } => {
            format!("cannot write the price cache {path}: {reason}")
        }
        Warning::LivePricesUnavailable {
            reason,
            fallback,
            regions,
        } => {
            let label = match fallback {
                PriceFallback::Bundled { as_of } => format!("bundled prices as of {}", date(*as_of)),
                PriceFallback::Cached { fetched } => {
                    format!("cached prices fetched {}", date(*fetched))
                }
            };
            let which = regions
                .as_ref()
                .map(|r| format!(" for {}", r.join(", ")))
                .unwrap_or_default();
            format!("live prices unavailable ({reason}); using {label}{which}")
        }
        Warning::PricesFellBack {
            region,
            answer,
            prices,
            as_of,
        } => {
            let what = match answer {
                PriceAnswer::Cached => "the cached Price List answer",
                PriceAnswer::Live => "the live Price List answer",
            };
            format!(
                "{what} for {region} has no {}; using the bundled price{} (bundled {})",
                prices.join(", "),
                if prices.len() == 1 { "" } else { "s" },
                date(*as_of)
            )
        }
        Warning::UnknownRegion { region } => {
            format!("the price book has no region `{region}`: costs are not shown")
        }
        Warning::NothingToCalibrate => {
            "--calibrate: no scenario has an [observed] table; nothing was calibrated".into()
        }
        Warning::NotCalibrated { scenario } => {
            format!("scenario `{scenario}` has no [observed] table: not calibrated")
        }
        Warning::ObservedUsageUnavailable { reason } => {
            format!("observed usage is not shown: {reason}; the estimates are unaffected")
        }
        Warning::ScenarioObservedUsageUnavailable { scenario, reason } => {
            format!("scenario `{scenario}`: observed usage is not shown: {reason}")
        }
        Warning::ObservationGaps {
            scenario: None,
            gap_days,
            window_days,
        } => {
            let days: Vec<String> = gap_days.iter().map(|d| date(*d)).collect();
            format!(
                "{} of {window_days} days have no ComputeSeconds datapoints; they are gaps, not zeros: {}",
                days.len(),
                day_list(&days)
            )
        }
        Warning::ObservationGaps {
            scenario: Some(scenario),
            gap_days,
            window_days,
        } => format!(
            "scenario `{scenario}`: {} of {window_days} observed days have no datapoints; calibration counts them as idle",
            gap_days.len()
        ),
        Warning::CalibrationOff { scenario, residual } => format!(
            "scenario `{scenario}`: calibration ended {:+.1} % from the observation",
            residual * 100.0
        ),
        Warning::NoStalenessToPick => {
            "--max-staleness needs a scenario with [zero_etl]; no point was picked".into()
        }
        Warning::OverBudget {
            scenario,
            budget_usd,
            estimate_usd,
            excess_usd,
        } => format!(
            "over budget: scenario `{scenario}`: budget {} USD, estimate {} USD, over by {} USD",
            usd(*budget_usd),
            usd(*estimate_usd),
            usd(*excess_usd)
        ),
    }
}

/// The sentence of `n`.
pub fn note(n: &RunNote) -> String {
    match n {
        RunNote::Prices {
            description,
            lines_by_source: None,
        } => format!("prices: {description}"),
        RunNote::Prices {
            description,
            lines_by_source: Some(lines),
        } => {
            let used: Vec<String> = lines
                .iter()
                .map(|(src, n)| format!("{src} ({n} line{})", if *n == 1 { "" } else { "s" }))
                .collect();
            format!(
                "prices: {description}; cost lines priced from: {}",
                if used.is_empty() {
                    "none".to_string()
                } else {
                    used.join(", ")
                }
            )
        }
        RunNote::ObservationPrices {
            description,
            region,
        } => format!("prices: {description}, region {region}"),
        RunNote::Observation { scenario, remark } => format!("scenario `{scenario}`: {remark}"),
        RunNote::History { workgroup, remark } => format!("workgroup `{workgroup}`: {remark}"),
        RunNote::ChartFiles { what, files } => format!(
            "{what}, one file per scenario: {}",
            files
                .iter()
                .map(|(scenario, file)| format!("`{scenario}` → {file}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn fallbacks_name_the_regions_only_when_not_all_failed() {
        let as_of = NaiveDate::from_ymd_opt(2025, 3, 19).unwrap();
        let all = Warning::LivePricesUnavailable {
            reason: "no AWS credentials found".into(),
            fallback: PriceFallback::Bundled { as_of },
            regions: None,
        };
        assert_eq!(
            warning(&all),
            "live prices unavailable (no AWS credentials found); using bundled prices as of 2025-03-19"
        );
        let some = Warning::LivePricesUnavailable {
            reason: "throttled".into(),
            fallback: PriceFallback::Bundled { as_of },
            regions: Some(vec!["us-east-1".into()]),
        };
        assert!(warning(&some).ends_with("as of 2025-03-19 for us-east-1"));
        let fell = Warning::PricesFellBack {
            region: "ap-northeast-1".into(),
            answer: PriceAnswer::Live,
            prices: vec![
                "backup storage price".into(),
                "ra3.large node-hour price".into(),
            ],
            as_of,
        };
        assert_eq!(
            warning(&fell),
            "the live Price List answer for ap-northeast-1 has no backup storage price, ra3.large node-hour price; using the bundled prices (bundled 2025-03-19)"
        );
    }

    #[test]
    fn budget_warnings_are_in_dollars_and_cents() {
        let w = Warning::OverBudget {
            scenario: "bi".into(),
            budget_usd: 1000.0,
            estimate_usd: 1234.567,
            excess_usd: 234.567,
        };
        assert_eq!(
            warning(&w),
            "over budget: scenario `bi`: budget 1,000.00 USD, estimate 1,234.57 USD, over by 234.57 USD"
        );
    }
}
