//! Sweeps as `sweep` runs them: every point parses the scenario text with its `--set`,
//! simulates the month and prices it, in parallel on all cores. A 100-point
//! REFRESH_INTERVAL sweep of the zero-ETL worked example, and a 20-point max-RPU sweep
//! of the trace replay (whose points each read the trace CSV again today).

use criterion::{criterion_group, criterion_main, Criterion};
use rayon::prelude::*;
use redshift_cost::cli::{estimate_all, known_regions};
use redshift_cost::pricing::bundled::bundled;
use redshift_cost::scenario::{parse_scenario, parse_set_arg};
use std::path::PathBuf;

/// `points` of `file` (relative to the repository), each `--set`, as totals.
fn run_points(file: &str, text: &str, points: &[String]) -> Vec<f64> {
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
    let regions = known_regions(bundled());
    points
        .par_iter()
        .map(|p| {
            let sets = vec![parse_set_arg(p).expect("valid set")];
            let loaded = parse_scenario(text, &scenario, &sets, &regions)
                .unwrap_or_else(|e| panic!("scenario loads: {e}"));
            let estimates = estimate_all(std::slice::from_ref(&loaded), bundled())
                .unwrap_or_else(|_| panic!("estimates"));
            estimates[0].total().usd()
        })
        .collect()
}

fn read(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
    redshift_cost::fsx::read_text(&path, redshift_cost::scenario::MAX_SCENARIO_BYTES)
        .expect("the example scenario is readable")
}

fn sweep(c: &mut Criterion) {
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);

    let tokyo = "scenarios/zero-etl-tokyo-8rpu.toml";
    let text = read(tokyo);
    let points: Vec<String> = (1..=100)
        .map(|k| format!("zero_etl.refresh_interval={}", k * 60))
        .collect();
    group.bench_function("zero_etl_refresh_interval_100_points", |b| {
        b.iter(|| {
            let totals = run_points(tokyo, &text, &points);
            assert_eq!(totals.len(), 100);
            totals
        });
    });

    let replay = "scenarios/trace-replay.toml";
    let text = read(replay);
    let points: Vec<String> = (1..=20)
        .map(|k| format!("serverless.max_rpu={}", 64 + k * 32))
        .collect();
    group.bench_function("trace_replay_max_rpu_20_points", |b| {
        b.iter(|| {
            let totals = run_points(replay, &text, &points);
            assert_eq!(totals.len(), 20);
            totals
        });
    });
    group.finish();
}

criterion_group!(benches, sweep);
criterion_main!(benches);
