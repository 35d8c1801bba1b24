//! Tests of `model::ml` with scenarios read by the loader and the bundled prices.
use super::*;
use crate::scenario::*;
use crate::sources::prices::*;
use approx::assert_relative_eq;
use proptest::prelude::*;
use redshift_cost_core::model::{costs::*, ml::*};

fn ml(rows: f64, columns: f64, max_cells: f64) -> Ml {
    Ml {
        rows,
        columns,
        max_cells,
        trainings_per_month: 1.0,
        staging_gb: 0.0,
    }
}

fn tiers() -> Vec<Tier> {
    bundled()
        .region("us-east-1")
        .unwrap()
        .ml_million_cells_tiers
        .clone()
}

fn total(lines: &[CostLine]) -> f64 {
    lines.iter().map(|l| l.cost.usd()).sum()
}

#[test]
fn max_cells_caps_each_training() {
    // 5,000,000 rows × 20 columns = 100 M cells, sampled down to the default 1 M:
    // 1 M cells × 20 USD/M = 20 USD a training; 4 trainings = 80 USD.
    let m = ml(5_000_000.0, 20.0, 1_000_000.0);
    assert_relative_eq!(cells_per_training(&m), 1_000_000.0);
    let l = training_lines(&m, 4.0, &tiers());
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].component, "Redshift ML training");
    assert_relative_eq!(l[0].quantity, 4.0);
    assert_relative_eq!(total(&l), 80.0, epsilon = 1e-9);
    assert!(l[0].unit_price.source.is_unverified());
    // Under the cap the cells are rows × columns.
    assert_relative_eq!(cells_per_training(&ml(10_000.0, 30.0, 1e6)), 300_000.0);
}

#[test]
fn tiers_per_training() {
    // MAX_CELLS 150 M, 200 M cells of data: 10 M × 20 + 90 M × 15 + 50 M × 7
    // = 200 + 1,350 + 350 = 1,900 USD per training.
    let m = ml(10_000_000.0, 20.0, 150_000_000.0);
    let l = training_lines(&m, 1.0, &tiers());
    assert_eq!(l.len(), 3);
    assert_relative_eq!(total(&l), 1900.0, epsilon = 1e-6);
    assert_eq!(
        l[0].component,
        "Redshift ML training (0–10 M cells of each)"
    );
    assert_eq!(
        l[2].component,
        "Redshift ML training (> 100 M cells of each)"
    );
    assert_relative_eq!(
        total(&training_lines(&m, 2.0, &tiers())),
        3800.0,
        epsilon = 1e-6
    );
}

proptest! {
    #[test]
    fn more_cells_never_cost_less(rows in 0.0..1e8f64, cols in 0.0..100.0f64, max in 1.0..1e9f64, more in 0.0..1e7f64) {
        let t = tiers();
        let a = total(&training_lines(&ml(rows, cols, max), 1.0, &t));
        let b = total(&training_lines(&ml(rows + more, cols, max), 1.0, &t));
        prop_assert!(b + 1e-9 >= a);
        let m = ml(rows, cols, max);
        let parts: f64 = training_lines(&m, 1.0, &t).iter().map(|l| l.quantity).sum();
        prop_assert!((parts - cells_per_training(&m) / 1e6).abs() <= 1e-9 * (1.0 + parts));
    }
}
