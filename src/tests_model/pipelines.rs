//! Tests of `model::pipelines` with scenarios read by the loader and the bundled prices.
use super::*;
use crate::scenario::*;
use approx::assert_relative_eq;
use proptest::prelude::*;
use redshift_cost_core::model::pipelines::*;

fn extract(rows: f64, table_gb: f64, page_rows: Option<f64>) -> LambdaExtract {
    LambdaExtract {
        rows,
        table_gb,
        page_rows,
        syncs_per_month: 30.0,
        memory_mb: 1024.0,
        invocation_duration: 2.0,
        page_query_duration: 1.5,
        rpu: None,
        arch: LambdaArch::X86,
    }
}

#[test]
fn rows_per_page_from_the_6_mb_limit() {
    // 1,000,000 rows of 1 KiB: 6 MiB / 1 KiB = 6,144 rows a page, ⌈1e6 / 6144⌉ = 163
    // invocations a sync.
    let l = extract(1_000_000.0, 1_000_000.0 * 1024.0 / BYTES_PER_GB, None);
    let f = lambda_figures(&l, 30.0);
    assert_relative_eq!(f.bytes_per_row, 1024.0, epsilon = 1e-9);
    assert_eq!(f.rows_per_page, 6144.0);
    assert_eq!(f.invocations_per_sync, 163.0);
    assert!(!f.page_over_limit);
    assert_relative_eq!(f.page_mb, 6.0);
    // 30 syncs: 4,890 invocations × 1 GB × 2 s = 9,780 GB-seconds; 326 s a sync.
    assert_eq!(f.invocations, 4890.0);
    assert_relative_eq!(f.gb_seconds, 9780.0);
    assert_relative_eq!(f.sync_elapsed_s, 326.0);
    let p = bundled().region("us-east-1").unwrap();
    let lines = lambda_lines(
        "orders",
        &f,
        "x86",
        p.lambda_request.unwrap(),
        p.lambda_gb_second["x86"],
    );
    // 4,890 × 0.20 / 1M = 0.000978; 9,780 × 0.0000166667 = 0.163000326, billed to
    // the micro-dollar.
    assert_eq!(lines[0].cost.usd(), 0.000978);
    assert_eq!(lines[1].cost.usd(), 0.163_000);
}

#[test]
fn a_page_over_6_mb_is_flagged() {
    let l = extract(
        1_000_000.0,
        1_000_000.0 * 1024.0 / BYTES_PER_GB,
        Some(10_000.0),
    );
    let f = lambda_figures(&l, 1.0);
    assert!(f.page_over_limit);
    assert_relative_eq!(f.page_mb, 10_000.0 / 1024.0, epsilon = 1e-9);
    assert_eq!(f.invocations_per_sync, 100.0);
}

#[test]
fn page_queries_run_back_to_back_in_each_sync() {
    let l = extract(1_000_000.0, 1_000_000.0 * 1024.0 / BYTES_PER_GB, None);
    let f = lambda_figures(&l, 2.0);
    let jobs = lambda_jobs(&l, &f, 1000.0, 8.0, 0);
    assert_eq!(jobs.len(), 326);
    assert_relative_eq!(jobs[0].arrival, 250.0);
    assert_relative_eq!(jobs[1].arrival, 252.0);
    assert_relative_eq!(jobs[163].arrival, 750.0);
    assert!(jobs.iter().all(|j| j.duration == 1.5 && j.rpu == 8.0));
    assert_eq!(spread(0.5, 100.0), Vec::<f64>::new());
    assert_eq!(spread(2.0, 100.0), vec![25.0, 75.0]);
}

#[test]
fn sagemaker_instance_hours() {
    let u = InstanceUse {
        instance_type: "ml.m5.xlarge".into(),
        count: 2,
        hours: 0.5,
    };
    let p = bundled()
        .region("us-east-1")
        .unwrap()
        .sagemaker_instance_hour["ml.m5.xlarge"];
    // 30 runs × 2 instances × 0.5 h = 30 instance-hours × 0.23 = 6.90 USD.
    let l = sagemaker_line("features", false, &u, 30.0, p);
    assert_relative_eq!(l.quantity, 30.0);
    assert_relative_eq!(l.cost.usd(), 6.9, epsilon = 1e-9);
    assert_eq!(
        l.component,
        "features: SageMaker Processing 2 × ml.m5.xlarge"
    );
    assert_eq!(
        l.price_source().to_string(),
        "bundled 2025-03-19 (unverified)"
    );
}

proptest! {
    #[test]
    fn pages_cover_the_table_within_the_limit(rows in 1.0..1e9f64, gb in 0.0..500.0f64, syncs in 0.0..100.0f64) {
        let l = extract(rows.floor().max(1.0), gb, None);
        prop_assume!(l.table_gb * BYTES_PER_GB / l.rows <= LAMBDA_PAYLOAD_BYTES);
        let f = lambda_figures(&l, syncs);
        prop_assert!(f.rows_per_page * f.invocations_per_sync >= l.rows);
        prop_assert!(!f.page_over_limit);
        // A bigger table never needs fewer invocations.
        let g = lambda_figures(&extract(l.rows, gb * 1.5, None), syncs);
        prop_assert!(g.invocations_per_sync >= f.invocations_per_sync);
    }
}
