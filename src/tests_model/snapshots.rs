//! Tests of `model::backups` with scenarios read by the loader and the bundled prices.
use super::*;
use crate::scenario::*;
use crate::sources::prices::*;
use approx::assert_relative_eq;
use proptest::prelude::*;
use redshift_cost_core::model::{costs::*, snapshots::*};

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
