//! `plan` over the whole default space of `scenarios/bi-business-hours-us-east-1.toml`
//! (every allowed base RPU, each max from the base to its run's peak) with a p95 target:
//! the search and the price of the target, as the command runs them (the scenario read
//! once, candidates estimated in memory in parallel on all cores).

use criterion::{criterion_group, criterion_main, Criterion};
use redshift_cost::output::Messages;
use redshift_cost::pipeline::{self, Loader};
use redshift_cost::scenario::Limits;
use redshift_cost::sources::prices::bundled::bundled;
use redshift_cost_core::engine::RunMemo;
use redshift_cost_core::plan::{default_space, parse_target};
use std::path::Path;

fn plan_bi(c: &mut Criterion) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bi-business-hours-us-east-1.toml");
    let loader = Loader::new(bundled(), Limits::default());
    let loaded = loader
        .load(std::slice::from_ref(&path), &[], &mut Messages::default())
        .unwrap_or_else(|e| panic!("{}", e.render()));
    let scenario = loaded[0].scenario().clone();
    let space = default_space(&scenario);
    let targets = vec![parse_target("p95<=60s").expect("a target")];
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    group.bench_function("plan_bi_default_space", |b| {
        b.iter(|| {
            let run = pipeline::plan(
                &scenario,
                bundled(),
                &space,
                &targets,
                &RunMemo::default(),
                &|_| {},
            )
            .unwrap_or_else(|e| panic!("{}", e.render()));
            assert!(run.result.pick.is_some());
            run.simulated
        });
    });
    group.finish();
}

criterion_group!(benches, plan_bi);
criterion_main!(benches);
