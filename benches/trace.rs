//! A month replayed from a trace of 1,000,000 queries, as issue "Speed" specifies it:
//! 730 h, base 8 RPU, max 64 RPU, arrivals uniform over the month, durations exponential
//! with mean 30 s plus 1 s, demands 8, 8, 16 and 32 RPU, classes a, b and c. The bench
//! writes the CSV into a temporary directory itself.
//!
//! - `trace_parse`: reading and validating the scenario and its trace (the pipeline's
//!   load step), in rows per second.
//! - `estimate_trace_month`: the whole estimate (load, simulate, price), as `estimate`
//!   runs it.
//! - `sweep_trace_month`: a 20-point max-RPU sweep of it (64 to 1,280 RPU) as `sweep`
//!   runs it: the trace parsed once, the points in parallel, the maxes at or above the
//!   month's peak capacity taken from an earlier run.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use redshift_cost::output::Messages;
use redshift_cost::pipeline::{self, LoadedScenario, Loader};
use redshift_cost::scenario::Limits;
use redshift_cost::sources::prices::bundled::bundled;
use redshift_cost_core::model::workload::SplitMix64;
use std::io::Write;
use std::path::{Path, PathBuf};

const ROWS: usize = 1_000_000;
const HOURS: f64 = 730.0;

/// Writes the scenario and its trace into `dir`; returns the scenario's path.
fn write_month(dir: &Path) -> PathBuf {
    let mut rng = SplitMix64::new(11);
    let period = HOURS * 3600.0;
    let mut arrivals: Vec<f64> = (0..ROWS).map(|_| rng.next_open01() * period).collect();
    arrivals.sort_by(f64::total_cmp);
    let demands = [8, 8, 16, 32];
    let classes = ["a", "b", "c"];
    let mut csv = Vec::with_capacity(ROWS * 26);
    csv.extend_from_slice(b"arrival_s,duration_s,rpu,class\n");
    for a in arrivals {
        let duration = -rng.next_open01().ln() * 30.0 + 1.0;
        let rpu = demands[(rng.next_u64() % 4) as usize];
        let class = classes[(rng.next_u64() % 3) as usize];
        writeln!(csv, "{a:.3},{duration:.3},{rpu},{class}").expect("in memory");
    }
    let scenario = "name = \"trace month\"\nregion = \"us-east-1\"\nperiod = \"730h\"\n\
        [serverless]\nbase_rpu = 8\nmax_rpu = 64\n[[workload]]\nname = \"history\"\n\
        trace = \"month.csv\"\n";
    #[allow(clippy::disallowed_methods)] // the bench's own fixtures
    {
        std::fs::write(dir.join("month.csv"), csv).expect("the trace is written");
        std::fs::write(dir.join("month.toml"), scenario).expect("the scenario is written");
    }
    dir.join("month.toml")
}

fn trace_month(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = write_month(dir.path());
    let paths = std::slice::from_ref(&path);
    let mut group = c.benchmark_group("trace");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_with_input(BenchmarkId::new("trace_parse", ROWS), &path, |b, _| {
        b.iter(|| {
            let loader = Loader::new(bundled(), Limits::default());
            let loaded = loader
                .load(paths, &[], &mut Messages::default())
                .unwrap_or_else(|e| panic!("{}", e.render()));
            assert_eq!(loaded.len(), 1);
            loaded
        });
    });
    group.bench_with_input(
        BenchmarkId::new("estimate_trace_month", ROWS),
        &path,
        |b, _| {
            b.iter(|| {
                let loader = Loader::new(bundled(), Limits::default());
                let loaded = loader
                    .load(paths, &[], &mut Messages::default())
                    .unwrap_or_else(|e| panic!("{}", e.render()));
                let estimates =
                    pipeline::estimate(loaded.iter().map(LoadedScenario::scenario), bundled())
                        .unwrap_or_else(|e| panic!("{}", e.render()));
                estimates[0].total()
            });
        },
    );
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let points: Vec<Vec<(String, String)>> = (1..=20)
        .map(|k| vec![("serverless.max_rpu".to_string(), (k * 64).to_string())])
        .collect();
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_with_input(BenchmarkId::new("sweep_trace_month", 20), &path, |b, _| {
        b.iter(|| {
            let loader = Loader::new(bundled(), Limits::default());
            let loaded = loader
                .load(paths, &[], &mut Messages::default())
                .unwrap_or_else(|e| panic!("{}", e.render()));
            let swept = pipeline::sweep_points(
                &loader,
                &loaded[0].document,
                &[],
                &points,
                bundled(),
                threads,
                &|| {},
                &redshift_cost_core::engine::RunMemo::default(),
            )
            .unwrap_or_else(|e| panic!("{}", e.render()));
            assert_eq!(swept.len(), 20);
            swept
        });
    });
    group.finish();
}

criterion_group!(benches, trace_month);
criterion_main!(benches);
