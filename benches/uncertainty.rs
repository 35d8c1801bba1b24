//! How sure are we, as the commands run it: `estimate --runs 1000` of the worked example
//! with its volume a range (`per_day = { p5 = 80, p95 = 130 }`), and a 12-month
//! `forecast` of the bundled scenario with ranges and growth, 50 runs a month. The
//! scenario is decoded once; every run is an in-memory scenario, in parallel on all
//! cores.

use criterion::{criterion_group, criterion_main, Criterion};
use redshift_cost::pipeline::{estimate_runs, forecast, known_regions};
use redshift_cost::scenario::{parse_scenario, DEFAULT_MAX_JOBS};
use redshift_cost::sources::prices::bundled::bundled;
use std::path::PathBuf;

fn scenario(file: &str, edit: impl Fn(String) -> String) -> redshift_cost_core::scenario::Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
    #[allow(clippy::disallowed_methods)] // the bench's own input, a bundled scenario
    let text = edit(std::fs::read_to_string(&path).expect("the bundled scenario"));
    parse_scenario(&text, &path, &[], &known_regions(bundled()))
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

fn runs(c: &mut Criterion) {
    let ranged = scenario("scenarios/zero-etl-tokyo-8rpu.toml", |t| {
        t.replace("users = 10\n", "per_day = { p5 = 80, p95 = 130 }\n")
            .replace("queries_per_user_per_day = 10\n", "")
    });
    assert_eq!(ranged.uncertain.len(), 1);
    let growing = scenario("scenarios/uncertain-growth-us-east-1.toml", |t| t);
    let mut group = c.benchmark_group("uncertainty");
    group.sample_size(10);
    group.bench_function("estimate_runs_1000_worked_example", |b| {
        b.iter(|| {
            estimate_runs(&ranged, bundled(), 1000)
                .unwrap_or_else(|e| panic!("{}", e.render()))
                .expect("runs")
                .total_usd
                .p50
        });
    });
    group.bench_function("forecast_12_months_50_runs", |b| {
        b.iter(|| {
            forecast(&growing, bundled(), 12, Some(50), DEFAULT_MAX_JOBS)
                .unwrap_or_else(|e| panic!("{}", e.render()))
                .len()
        });
    });
    group.finish();
}

criterion_group!(benches, runs);
criterion_main!(benches);
