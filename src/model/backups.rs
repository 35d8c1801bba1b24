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
use crate::pricing::{Price, Tier};
use crate::scenario::NodeType;

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
        price,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::bundled::bundled;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    fn tiers() -> Vec<Tier> {
        bundled().region("us-east-1").unwrap().backup_tiers.clone()
    }

    fn total(lines: &[CostLine]) -> f64 {
        lines.iter().map(|l| l.cost.usd()).sum()
    }

    #[test]
    fn fifty_tb_of_backup_is_1177_60() {
        let l = backup_lines(
            "snapshot storage",
            51_200.0,
            &tiers(),
            ComponentKind::SnapshotStorage,
        );
        assert_relative_eq!(total(&l), 1_177.60, epsilon = 1e-9);
    }

    #[test]
    fn dc2_backup_is_free_up_to_the_provisioned_storage() {
        // 4 × dc2.large = 640 GB of SSD. 500 GB of data, 50 GB a day for 7 days, 160 GB of
        // manual snapshots: 500 + 350 + 160 = 1,010 GB, 370 GB billed × 0.023 = 8.51 USD.
        let free = free_backup_gb(NodeType::Dc2Large, 4);
        assert_relative_eq!(free, 640.0);
        let total_gb = automated_gb(500.0, 50.0, 7) + 160.0;
        assert_relative_eq!(total_gb, 1010.0);
        let billed = billed_backup_gb(total_gb, free);
        assert_relative_eq!(billed, 370.0);
        let l = backup_lines(
            "snapshot storage",
            billed,
            &tiers(),
            ComponentKind::SnapshotStorage,
        );
        assert_relative_eq!(total(&l), 8.51, epsilon = 1e-9);
        // Within the allowance nothing is billed.
        assert_eq!(billed_backup_gb(600.0, free), 0.0);
        // RA3 has no allowance.
        assert_eq!(free_backup_gb(NodeType::Ra3Xlplus, 4), 0.0);
    }

    #[test]
    fn copies_are_labelled_and_priced() {
        let l = backup_lines(
            "snapshot copy storage (us-west-2)",
            100.0,
            &tiers(),
            ComponentKind::SnapshotCopyStorage,
        );
        assert_eq!(l[0].component, "snapshot copy storage (us-west-2)");
        assert_eq!(l[0].kind, ComponentKind::SnapshotCopyStorage);
        let p = bundled()
            .region("us-east-1")
            .unwrap()
            .inter_region_gb
            .unwrap();
        let t = copy_transfer_line("us-west-2", 1500.0, p);
        assert_relative_eq!(t.cost.usd(), 30.0, epsilon = 1e-9);
    }

    proptest! {
        #[test]
        fn more_backup_never_costs_less(gb in 0.0..1_000_000.0f64, more in 0.0..100_000.0f64, free in 0.0..10_000.0f64) {
            let t = tiers();
            let cost = |g: f64| total(&backup_lines("b", billed_backup_gb(g, free), &t, ComponentKind::SnapshotStorage));
            prop_assert!(cost(gb + more) + 1e-9 >= cost(gb));
            let parts: f64 = backup_lines("b", gb, &t, ComponentKind::SnapshotStorage).iter().map(|l| l.quantity).sum();
            prop_assert!((parts - gb).abs() <= 1e-9 * (1.0 + gb));
        }
    }
}
