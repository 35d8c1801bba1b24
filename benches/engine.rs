//! The engine on a generated month of 1,000,000 jobs (issue: "a month with 1,000,000 jobs
//! must simulate in well under a second in release mode"): a normal month (capacity to
//! spare) and a saturated one (the same jobs on 8–64 RPU: a queue of about a million).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use redshift_cost_core::engine::{simulate, Capacity, SimInput, WorkJob};
use redshift_cost_core::model::workload::SplitMix64;
use redshift_cost_core::units::SECONDS_PER_DAY;

/// `n` jobs spread at random over 30 days: 1 s to 10 min each, 4 to 64 RPU, five classes,
/// on a 128–5632 RPU workgroup (at 1,000,000 jobs the mean demand is ~3,900 RPU).
fn month(n: usize) -> SimInput {
    month_on(n, 128.0, 5632.0)
}

/// The month of [`month`] on a workgroup of `base`–`max` RPU.
fn month_on(n: usize, base: f64, max: f64) -> SimInput {
    let period = 30.0 * SECONDS_PER_DAY;
    let mut rng = SplitMix64::new(2026);
    let work = (0..n)
        .map(|_| WorkJob {
            arrival: rng.next_open01() * period,
            duration: 1.0 + rng.next_open01() * 599.0,
            rpu: 4.0 * (1 + rng.next_u64() % 16) as f64,
            class: (rng.next_u64() % 5) as usize,
        })
        .collect();
    SimInput {
        capacity: Capacity { base, max },
        period,
        classes: (0..5).map(|c| format!("class {c}")).collect(),
        work,
        fixed: vec![],
        shared: vec![],
    }
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let input = month(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("simulate_month", n), &input, |b, input| {
            b.iter(|| simulate(input).expect("valid input"));
        });
    }
    let saturated = month_on(1_000_000, 8.0, 64.0);
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_with_input(
        BenchmarkId::new("simulate_saturated_month", 1_000_000),
        &saturated,
        |b, input| {
            b.iter(|| simulate(input).expect("valid input"));
        },
    );
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
