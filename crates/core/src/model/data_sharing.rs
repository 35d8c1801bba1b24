//! Cross-region data sharing: the consumer pays the inter-region transfer of the data
//! its queries scan (rounded up per query like Spectrum scans).

use super::costs::{ComponentKind, CostLine, GB};
use super::figures::{need, EstimateError, Parts};
use super::spectrum::Scans;
use crate::prices::{Price, PriceKey, PriceSheet};
use crate::scenario::Scenario;

/// Cross-region data sharing: GB billed × the inter-region transfer rate.
pub fn data_sharing_line(scans: &Scans, price: Price, producer: Option<&str>) -> CostLine {
    let from = producer.map(|p| format!(" from {p}")).unwrap_or_default();
    CostLine::new(
        format!("cross-region data sharing{from}"),
        ComponentKind::DataSharingTransfer,
        scans.billed_gb(),
        GB,
        PriceKey::InterRegionGb,
        price,
    )
}

/// The transfer line of `[data_sharing]`, when its queries scan anything.
pub fn add_data_sharing(
    scenario: &Scenario,
    sheet: &PriceSheet,
    out: &mut Parts,
) -> Result<(), EstimateError> {
    let Some(ds) = &scenario.data_sharing else {
        return Ok(());
    };
    let scans = Scans::per_day(ds.queries_per_day, ds.tb_per_day, scenario.period.hours);
    if scans.queries > 0.0 {
        let price = need(
            sheet.prices.inter_region_gb,
            scenario,
            "inter-region transfer",
            "inter_region_gb",
        )?;
        out.lines.push(data_sharing_line(
            &scans,
            price,
            ds.producer_region.as_deref(),
        ));
    }
    Ok(())
}
