//! Sweeps as `sweep` runs them (`pipeline::sweep_points`, the command's own path): the
//! scenario is read and its trace parsed once, then every point is the loaded document
//! decoded again in memory with its value, simulated and priced, in parallel on all
//! cores. A 100-point REFRESH_INTERVAL sweep of the zero-ETL worked example, and a
//! 20-point max-RPU sweep of the trace replay.

use criterion::{criterion_group, criterion_main, Criterion};
use redshift_cost::output::Messages;
use redshift_cost::pipeline::{sweep_points, Loader};
use redshift_cost::scenario::Limits;
use redshift_cost::sources::prices::bundled::bundled;
use std::path::PathBuf;

/// Loads `file` (relative to the repository) and sweeps `path` over `values`: the
/// points' totals.
fn sweep(file: &str, path: &str, values: &[String]) -> Vec<f64> {
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
    let loader = Loader::new(bundled(), Limits::default());
    let mut messages = Messages::default();
    let base = loader
        .load(std::slice::from_ref(&scenario), &[], &mut messages)
        .unwrap_or_else(|e| panic!("the scenario loads: {}", e.render()));
    let points: Vec<Vec<(String, String)>> = values
        .iter()
        .map(|v| vec![(path.to_string(), v.clone())])
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    sweep_points(
        &loader,
        &base[0].document,
        &[],
        &points,
        bundled(),
        threads,
        &|| {},
        &redshift_cost_core::engine::RunMemo::default(),
    )
    .unwrap_or_else(|e| panic!("the sweep runs: {}", e.render()))
    .into_iter()
    .map(|(_, p)| p.total_monthly_usd)
    .collect()
}

fn sweeps(c: &mut Criterion) {
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);

    let intervals: Vec<String> = (1..=100).map(|k| (k * 60).to_string()).collect();
    group.bench_function("zero_etl_refresh_interval_100_points", |b| {
        b.iter(|| {
            let totals = sweep(
                "scenarios/zero-etl-tokyo-8rpu.toml",
                "zero_etl.refresh_interval",
                &intervals,
            );
            assert_eq!(totals.len(), 100);
            totals
        });
    });

    let max_rpus: Vec<String> = (1..=20).map(|k| (64 + k * 32).to_string()).collect();
    group.bench_function("trace_replay_max_rpu_20_points", |b| {
        b.iter(|| {
            let totals = sweep(
                "scenarios/trace-replay.toml",
                "serverless.max_rpu",
                &max_rpus,
            );
            assert_eq!(totals.len(), 20);
            totals
        });
    });
    group.finish();
}

criterion_group!(benches, sweeps);
criterion_main!(benches);
