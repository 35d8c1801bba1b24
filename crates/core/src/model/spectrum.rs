//! Spectrum: on a provisioned cluster, per TB scanned; on Serverless, RPU time (the
//! class `spectrum scans`, simulated with the workloads). Athena for the same scans is a
//! comparison line. Spectrum, Athena and cross-region data sharing all bill each query's
//! bytes rounded up to the next MB, with a 10 MB minimum per query ([`Scans`]).

use super::costs::{ComponentKind, CostLine, TB};
use super::figures::{need, Deployment, EstimateError, Parts};
use super::notes::Note;
use super::workload::SPECTRUM_CLASS;
use crate::prices::{Price, PriceKey, PriceSheet};
use crate::scenario::Scenario;
use crate::units::{GB_PER_TB, HOURS_PER_DAY, MB_PER_GB, MB_PER_TB};

/// The smallest amount a query is billed for, MB.
pub const MIN_MB_PER_QUERY: f64 = 10.0;

/// MB billed for one query that scans `mb`: rounded up to the MB, at least 10 MB.
pub fn billed_mb(mb: f64) -> f64 {
    // A hair of tolerance so that 1.0000000001 MB of float noise is not billed as 2.
    (mb - 1e-9).ceil().max(MIN_MB_PER_QUERY)
}

/// Queries and data of a period from per-day rates: each query scans an equal share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scans {
    /// Queries in the period.
    pub queries: f64,
    /// MB one query scans.
    pub mb_per_query: f64,
    /// MB billed per query (rounded up, 10 MB minimum).
    pub billed_mb_per_query: f64,
}

impl Scans {
    /// `queries_per_day` queries scanning `tb_per_day` TB together, over `period_hours`.
    pub fn per_day(queries_per_day: f64, tb_per_day: f64, period_hours: f64) -> Scans {
        let mb_per_query = if queries_per_day > 0.0 {
            tb_per_day * MB_PER_TB / queries_per_day
        } else {
            0.0
        };
        Scans {
            queries: queries_per_day * period_hours / HOURS_PER_DAY,
            mb_per_query,
            billed_mb_per_query: billed_mb(mb_per_query),
        }
    }

    /// TB scanned in the period.
    pub fn scanned_tb(&self) -> f64 {
        self.queries * self.mb_per_query / MB_PER_TB
    }

    /// TB billed in the period.
    pub fn billed_tb(&self) -> f64 {
        self.queries * self.billed_mb_per_query / MB_PER_TB
    }

    /// GB billed in the period.
    pub fn billed_gb(&self) -> f64 {
        self.queries * self.billed_mb_per_query / MB_PER_GB
    }
}

/// Spectrum on a provisioned cluster: TB billed × the per-TB price.
pub fn spectrum_line(scans: &Scans, price: Price) -> CostLine {
    CostLine::new(
        "spectrum: S3 data scanned".into(),
        ComponentKind::SpectrumScan,
        scans.billed_tb(),
        TB,
        PriceKey::SpectrumTb,
        price,
    )
}

/// Athena for the same scans (same rounding, same 10 MB minimum): a comparison line.
pub fn athena_line(scans: &Scans, price: Price) -> CostLine {
    CostLine::new(
        "Athena for the same scans (comparison, not in the total)".into(),
        ComponentKind::Comparison,
        scans.billed_tb(),
        TB,
        PriceKey::AthenaTb,
        price,
    )
}

/// Spectrum's line (provisioned) or note (Serverless), and the Athena comparison line.
pub fn add_spectrum(
    scenario: &Scenario,
    sheet: &PriceSheet,
    deployment: Option<Deployment>,
    out: &mut Parts,
) -> Result<(), EstimateError> {
    let Some(sp) = &scenario.spectrum else {
        return Ok(());
    };
    let prices = &sheet.prices;
    let scans = Scans::per_day(sp.queries_per_day, sp.tb_per_day, scenario.period.hours);
    match deployment {
        Some(Deployment::Provisioned) => {
            let price = need(
                prices.spectrum_tb,
                scenario,
                "Spectrum per-TB",
                "spectrum_tb",
            )?;
            out.lines.push(spectrum_line(&scans, price));
        }
        Some(Deployment::Serverless) => {
            let rate = sp.scan_gb_per_second.unwrap_or(0.0);
            out.notes.push(Note::SpectrumOnServerless {
                scans_per_day: sp.queries_per_day,
                class: SPECTRUM_CLASS,
                seconds_each: if rate > 0.0 && sp.queries_per_day > 0.0 {
                    sp.tb_per_day * GB_PER_TB / sp.queries_per_day / rate
                } else {
                    0.0
                },
                gb_per_second: rate,
            });
        }
        None => {}
    }
    match prices.athena_tb {
        Some(price) if scans.queries > 0.0 => out.comparisons.push(athena_line(&scans, price)),
        Some(_) => {}
        None => out.notes.push(Note::NoAthenaPrice {
            region: scenario.region.clone(),
        }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::data_sharing::data_sharing_line;
    use crate::prices::{Provenance, SourceKind};
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    fn price(usd: f64) -> Price {
        Price {
            usd,
            source: Provenance {
                kind: SourceKind::Override,
                date: None,
            },
        }
    }

    #[test]
    fn a_query_of_1_mb_is_billed_as_10_mb() {
        assert_eq!(billed_mb(1.0), 10.0);
        assert_eq!(billed_mb(0.0), 10.0);
        assert_eq!(billed_mb(10.0), 10.0);
        // Rounded up to the next MB.
        assert_eq!(billed_mb(10.2), 11.0);
        assert_eq!(billed_mb(1234.0001), 1235.0);
        // One 1-MB Spectrum query a day for 30 days: 300 MB at 5 USD/TB.
        let s = Scans::per_day(1.0, 1.0 / MB_PER_TB, 720.0);
        assert_relative_eq!(s.queries, 30.0);
        let l = spectrum_line(&s, price(5.0));
        assert_relative_eq!(l.quantity, 300.0 / MB_PER_TB, epsilon = 1e-15);
        // 0.00143 USD, to the micro-dollar.
        assert_relative_eq!(l.cost.usd(), 300.0 / MB_PER_TB * 5.0, epsilon = 5e-7);
    }

    #[test]
    fn spectrum_scans_at_5_usd_per_tb() {
        // 100 queries a day scanning 2 TB together (20.48 GB = 20,971.52 MB each, billed
        // 20,972 MB), 30 days: 3,000 × 20,972 MB = 60.0014 TB × 5 = 300.007 USD.
        let s = Scans::per_day(100.0, 2.0, 720.0);
        assert_relative_eq!(s.mb_per_query, 20_971.52, epsilon = 1e-9);
        assert_eq!(s.billed_mb_per_query, 20_972.0);
        assert_relative_eq!(s.scanned_tb(), 60.0, epsilon = 1e-9);
        let l = spectrum_line(&s, price(5.0));
        assert_relative_eq!(
            l.cost.usd(),
            3000.0 * 20_972.0 / MB_PER_TB * 5.0,
            epsilon = 5e-7
        );
        assert_relative_eq!(athena_line(&s, price(5.0)).cost.usd(), l.cost.usd());
    }

    #[test]
    fn cross_region_sharing_has_a_10_mb_minimum() {
        // 1,000 queries a day of 2 MB each across regions, 30 days, 0.02 USD/GB:
        // 30,000 × 10 MB = 300,000 MB = 292.97 GB → 5.86 USD (not 1.17 for 2 MB each).
        let s = Scans::per_day(1000.0, 1000.0 * 2.0 / MB_PER_TB, 720.0);
        let l = data_sharing_line(&s, price(0.02), Some("us-west-2"));
        assert_relative_eq!(l.quantity, 300_000.0 / 1024.0, epsilon = 1e-9);
        assert_relative_eq!(l.cost.usd(), 300_000.0 / 1024.0 * 0.02, epsilon = 1e-12);
        assert_eq!(l.component, "cross-region data sharing from us-west-2");
    }

    proptest! {
        #[test]
        fn billed_covers_scanned_and_grows_with_it(
            q in 0.1..10_000.0f64, tb in 0.0..50.0f64, more in 0.0..5.0f64,
        ) {
            let s = Scans::per_day(q, tb, 730.0);
            prop_assert!(s.billed_tb() + 1e-9 >= s.scanned_tb());
            prop_assert!(s.billed_mb_per_query >= MIN_MB_PER_QUERY);
            prop_assert!(s.billed_mb_per_query < s.mb_per_query.max(MIN_MB_PER_QUERY) + 1.0);
            let m = Scans::per_day(q, tb + more, 730.0);
            prop_assert!(m.billed_tb() + 1e-9 >= s.billed_tb());
        }
    }
}
