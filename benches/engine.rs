//! The engine on a generated month of 1,000,000 jobs, in jobs per second:
//!
//! - `engine_normal`: capacity to spare (about 116 jobs running at a time);
//! - `engine_saturated`: the same jobs on 8–64 RPU, a queue that grows to about a million;
//! - `engine_unsorted`: the normal month with its jobs in random order, so that the engine
//!   sorts them first (traces and the workload generator give them in arrival order,
//!   which the engine reads in place).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use redshift_cost_core::engine::{
    simulate, BreachAction, Capacity, LimitPeriod, Metering, Rules, SimInput, UsageLimit, WorkJob,
};
use redshift_cost_core::model::workload::SplitMix64;
use redshift_cost_core::units::SECONDS_PER_DAY;

const JOBS: usize = 1_000_000;

/// `n` jobs spread at random over 30 days: 1 s to 10 min each, 4 to 64 RPU, five classes,
/// on a 128–5632 RPU workgroup (at 1,000,000 jobs the mean demand is ~3,900 RPU).
fn month(n: usize) -> SimInput {
    month_on(n, 128.0, 5632.0)
}

/// The month of [`month`] on a workgroup of `base`–`max` RPU.
fn month_on(n: usize, base: f64, max: f64) -> SimInput {
    let period = 30.0 * SECONDS_PER_DAY;
    let mut rng = SplitMix64::new(2026);
    let mut work: Vec<WorkJob> = (0..n)
        .map(|_| WorkJob {
            arrival: rng.next_open01() * period,
            duration: 1.0 + rng.next_open01() * 599.0,
            rpu: 4.0 * (1 + rng.next_u64() % 16) as f64,
            class: (rng.next_u64() % 5) as usize,
        })
        .collect();
    work.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
    SimInput {
        capacity: Capacity { base, max },
        period,
        classes: (0..5).map(|c| format!("class {c}")).collect(),
        work,
        fixed: vec![],
        shared: vec![],
        rules: Rules::default(),
    }
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(JOBS as u64));
    let normal = month(JOBS);
    group.bench_with_input(
        BenchmarkId::new("engine_normal", JOBS),
        &normal,
        |b, input| {
            b.iter(|| simulate(input).expect("valid input"));
        },
    );
    let saturated = month_on(JOBS, 8.0, 64.0);
    group.bench_with_input(
        BenchmarkId::new("engine_saturated", JOBS),
        &saturated,
        |b, input| {
            b.iter(|| simulate(input).expect("valid input"));
        },
    );
    let mut unsorted = normal.clone();
    let mut rng = SplitMix64::new(7);
    for i in (1..unsorted.work.len()).rev() {
        unsorted
            .work
            .swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    // Model v2's rules on the normal month: per-minute metering and a daily deactivate
    // limit of 80,000 RPU-hours, below the month's demand of some 94,000 a day, so that it
    // is watched at every step and trips late each day.
    let mut ruled = normal.clone();
    ruled.rules = Rules {
        metering: Metering::PerMinute,
        limits: vec![UsageLimit {
            rpu_hours: 80_000.0,
            period: LimitPeriod::Daily,
            action: BreachAction::Deactivate,
        }],
        ..Rules::default()
    };
    group.bench_with_input(
        BenchmarkId::new("engine_per_minute_limited", JOBS),
        &ruled,
        |b, input| {
            b.iter(|| simulate(input).expect("valid input"));
        },
    );
    group.bench_with_input(
        BenchmarkId::new("engine_unsorted", JOBS),
        &unsorted,
        |b, input| {
            b.iter(|| simulate(input).expect("valid input"));
        },
    );
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
