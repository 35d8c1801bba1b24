//! A 100-point REFRESH_INTERVAL sweep of the zero-ETL worked example, as `sweep` runs it:
//! every point parses the scenario text with its `--set`, simulates the month and prices
//! it, in parallel on all cores.

use criterion::{criterion_group, criterion_main, Criterion};
use rayon::prelude::*;
use redshift_cost::cli::{estimate_all, known_regions};
use redshift_cost::pricing::bundled::bundled;
use redshift_cost::scenario::{parse_scenario, parse_set_arg};
use std::path::PathBuf;

fn sweep(c: &mut Criterion) {
    let scenario =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/zero-etl-tokyo-8rpu.toml");
    let text =
        redshift_cost::fsx::read_text(&scenario, redshift_cost::scenario::MAX_SCENARIO_BYTES)
            .expect("the example scenario is readable");
    let regions = known_regions(bundled());
    let points: Vec<String> = (1..=100)
        .map(|k| format!("zero_etl.refresh_interval={}", k * 60))
        .collect();
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.bench_function("zero_etl_refresh_interval_100_points", |b| {
        b.iter(|| {
            let totals: Vec<f64> = points
                .par_iter()
                .map(|p| {
                    let sets = vec![parse_set_arg(p).expect("valid set")];
                    let loaded = parse_scenario(&text, &scenario, &sets, &regions)
                        .unwrap_or_else(|e| panic!("scenario loads: {e}"));
                    let estimates = estimate_all(std::slice::from_ref(&loaded), bundled())
                        .unwrap_or_else(|_| panic!("estimates"));
                    estimates[0].total().usd()
                })
                .collect();
            assert_eq!(totals.len(), 100);
            totals
        });
    });
    group.finish();
}

criterion_group!(benches, sweep);
criterion_main!(benches);
