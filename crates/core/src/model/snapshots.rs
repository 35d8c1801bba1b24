//! Snapshots and backups: how much backup storage is billed, and cross-region copies.
//!
//! - Provisioned automated snapshots are incremental: a full copy of the data plus each
//!   day's changes for the retention period (`data + daily_change × retention_days`).
//!   Manual snapshots are `[storage] snapshot_gb`.
//! - DC2: backup storage up to the cluster's provisioned storage is free. RA3: all of it
//!   is billed.
//! - Serverless: recovery points (kept 24 h) are free; user snapshots are billed.
//! - Everything billed goes through the backup tiers (0–50 TB, 50–500 TB, > 500 TB).
//! - A cross-region copy transfers each day's changes at the inter-region rate and keeps
//!   the copies (for their own retention) at the other region's backup rates.

use super::costs::{snapshot_lines, ComponentKind, CostLine, GB};
use super::figures::{need, Deployment, EstimateError, Parts};
use super::notes::Note;
use crate::prices::{Price, PriceKey, PriceSheet, Provenance, Tier};
use crate::scenario::{NodeType, Scenario};
use crate::units::HOURS_PER_DAY;

/// GB of automated snapshots a provisioned cluster keeps.
pub fn automated_gb(data_gb: f64, daily_change_gb: f64, retention_days: u32) -> f64 {
    data_gb + daily_change_gb * f64::from(retention_days)
}

/// The free backup allowance: a DC2 cluster's provisioned storage, 0 for RA3.
pub fn free_backup_gb(node_type: NodeType, nodes: u32) -> f64 {
    if node_type.is_ra3() {
        0.0
    } else {
        node_type.storage_gb(nodes)
    }
}

/// Backup GB billed after the free allowance.
pub fn billed_backup_gb(total_gb: f64, free_gb: f64) -> f64 {
    (total_gb - free_gb).max(0.0)
}

/// Cost lines of `gb` of backup storage, labelled `what` (one per tier used).
pub fn backup_lines(what: &str, gb: f64, tiers: &[Tier], kind: ComponentKind) -> Vec<CostLine> {
    snapshot_lines(gb, tiers)
        .into_iter()
        .map(|mut l| {
            l.component = l.component.replacen("snapshot storage", what, 1);
            l.kind = kind;
            l
        })
        .collect()
}

/// The transfer line of a cross-region snapshot copy.
pub fn copy_transfer_line(region: &str, gb: f64, price: Price) -> CostLine {
    CostLine::new(
        format!("snapshot copy transfer to {region}"),
        ComponentKind::SnapshotCopyTransfer,
        gb,
        GB,
        PriceKey::InterRegionGb,
        price,
    )
}

/// Provisioned snapshots (automated + manual, with the DC2 allowance) through the backup
/// tiers, or the note that Serverless recovery points are free. User snapshots of a
/// Serverless (or storage-only) scenario are the estimate's own `snapshot storage` lines.
pub fn add_snapshots(
    scenario: &Scenario,
    sheet: &PriceSheet,
    deployment: Option<Deployment>,
    out: &mut Parts,
) -> Result<(), EstimateError> {
    let prices = &sheet.prices;
    let snapshots = scenario.snapshots.as_ref();
    let manual_gb = scenario.storage.snapshot_gb;
    if let (Some(Deployment::Provisioned), Some(p)) = (deployment, &scenario.provisioned) {
        let automated = snapshots.map_or(0.0, |s| {
            automated_gb(
                scenario.storage.managed_gb,
                s.daily_change_gb,
                s.automated_retention_days.unwrap_or(1),
            )
        });
        let total = automated + manual_gb;
        let free = free_backup_gb(p.node_type, p.nodes);
        let billed = billed_backup_gb(total, free);
        if total > 0.0 && free > 0.0 {
            out.notes.push(Note::FreeBackups {
                snapshot_gb: total,
                free_gb: total.min(free),
                allowance_gb: free,
            });
        }
        if billed > 0.0 {
            if prices.backup_tiers.is_empty() {
                return Err(need(None, scenario, "backup storage", "backup_gb_month").unwrap_err());
            }
            let months = scenario.period.months();
            for l in backup_lines(
                "snapshot storage",
                billed,
                &prices.backup_tiers,
                ComponentKind::SnapshotStorage,
            ) {
                out.lines.push(l.scaled(months));
            }
        }
    } else if deployment == Some(Deployment::Serverless) && snapshots.is_some() {
        out.notes.push(Note::ServerlessRecoveryPoints);
    }
    Ok(())
}

/// A cross-region snapshot copy: each day's changes transferred at the inter-region rate,
/// the copies kept at the other region's backup rates.
pub fn add_snapshot_copy(
    scenario: &Scenario,
    sheet: &PriceSheet,
    deployment: Option<Deployment>,
    out: &mut Parts,
) -> Result<(), EstimateError> {
    let Some(s) = scenario.snapshots.as_ref() else {
        return Ok(());
    };
    let Some(region) = &s.copy_region else {
        return Ok(());
    };
    let manual_gb = scenario.storage.snapshot_gb;
    let days = scenario.period.hours / HOURS_PER_DAY;
    let transfer_gb = s.daily_change_gb * days;
    let copy_retention = s
        .copy_retention_days
        .or(s.automated_retention_days)
        .unwrap_or(1);
    let copy_gb = match deployment {
        Some(Deployment::Provisioned) => {
            automated_gb(
                scenario.storage.managed_gb,
                s.daily_change_gb,
                copy_retention,
            ) + manual_gb
        }
        _ => manual_gb,
    };
    if transfer_gb > 0.0 {
        let price = need(
            sheet.prices.inter_region_gb,
            scenario,
            "inter-region transfer",
            "inter_region_gb",
        )?;
        out.lines
            .push(copy_transfer_line(region, transfer_gb, price));
    }
    if copy_gb > 0.0 {
        let tiers = copy_region_tiers(scenario, sheet, region);
        if tiers.is_empty() {
            return Err(EstimateError::missing_price(
                scenario,
                region,
                "backup storage (snapshot copy region)",
                "copy_backup_gb_month",
            ));
        }
        let months = scenario.period.months();
        for l in backup_lines(
            &format!("snapshot copy storage ({region})"),
            copy_gb,
            &tiers,
            ComponentKind::SnapshotCopyStorage,
        ) {
            out.lines.push(l.scaled(months).in_region(region));
        }
    }
    out.notes.push(Note::SnapshotCopy {
        region: region.clone(),
        first_copy_gb: scenario.storage.managed_gb.max(manual_gb),
    });
    Ok(())
}

/// Backup tiers of the snapshot copy region: the `[prices] copy_backup_gb_month`
/// override, else that region's prices in the sheet.
fn copy_region_tiers(scenario: &Scenario, sheet: &PriceSheet, region: &str) -> Vec<Tier> {
    if let Some(usd) = scenario.prices.services.copy_backup_gb_month {
        return vec![Tier {
            begin: 0.0,
            end: None,
            price: Price {
                usd,
                source: Provenance::override_(),
            },
        }];
    }
    sheet
        .other_regions
        .get(region)
        .map(|r| r.backup_tiers.clone())
        .unwrap_or_default()
}
