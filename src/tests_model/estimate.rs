//! Tests of `model::estimate` with scenarios read by the loader and the bundled prices.
use crate::scenario::*;
use redshift_cost_core::engine::*;
use redshift_cost_core::model::{estimate::*, workload::*};
use std::path::Path;

#[test]
fn engine_errors_name_the_workload_and_its_line_never_a_job_index() {
    let text = "name = \"s\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpu = 8\n[[workload]]\nname = \"w\"\nper_day = 2\nduration = \"1m\"\n";
    let s = parse_scenario(text, Path::new("s.toml"), &[], &[])
        .unwrap()
        .scenario;
    let p = plan(
        &s,
        Capacity {
            base: 8.0,
            max: 8.0,
        },
    );
    let e = EngineError::Job {
        index: 1,
        class: 0,
        what: "duration must be finite and > 0",
    };
    let context = engine_context(&p, &s.locations, &e);
    assert_eq!(context, "workload `w` (s.toml:5:1): ");
    assert!(!context.contains("job"));
}

fn scenario(text: &str) -> Scenario {
    parse_scenario(text, Path::new("s.toml"), &[], &[])
        .unwrap()
        .scenario
}

#[test]
fn drawn_durations_vary_per_job_and_the_calculator_counts_their_mean() {
    let s = scenario(
        "name = \"s\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpu = 8\n[[workload]]\nname = \"w\"\nper_day = 100\nduration = { median = \"40s\", p95 = \"3m\" }\n[[workload]]\nname = \"fixed\"\nper_day = 10\nduration = \"1m\"\n",
    );
    let p = plan(
        &s,
        Capacity {
            base: 8.0,
            max: 5632.0,
        },
    );
    let drawn: Vec<f64> = p
        .input
        .work
        .iter()
        .filter(|j| j.class == 0)
        .map(|j| j.duration)
        .collect();
    // 100 a day over 730 hours (30 days and 10 hours).
    assert_eq!(drawn.len(), 3042);
    let fixed = p.input.work.iter().filter(|j| j.class == 1).count() as f64;
    assert!(drawn.windows(2).any(|w| w[0] != w[1]), "one draw per job");
    let r = simulate(&p.input).unwrap();
    let WorkloadSource::Arrivals(a) = &s.workloads[0].source else {
        panic!("generated arrivals");
    };
    // The drawn jobs at the mean, plus the fixed workload's own durations; the bill itself
    // follows the drawn durations.
    let want = 3042.0 * a.mean_duration() * 8.0 + fixed * 60.0 * 8.0;
    approx::assert_relative_eq!(r.calculator_rpu_seconds.0, want, epsilon = 1e-6);
    let drawn_sum: f64 = drawn.iter().sum::<f64>() * 8.0 + fixed * 60.0 * 8.0;
    assert!((r.calculator_rpu_seconds.0 - drawn_sum).abs() > 1.0);
}

#[test]
fn change_driven_refreshes_grow_with_the_interval_and_their_cost_sub_linearly() {
    let at = |interval: &str| {
        let s = scenario(&format!(
            "name = \"s\"\nregion = \"us-east-1\"\nperiod = \"30d\"\n[serverless]\nbase_rpu = 8\n[zero_etl]\nsource = \"aurora-mysql\"\nrefresh_interval = \"{interval}\"\nsync_duration = \"30s\"\nchange_mb_per_hour = 600\napply_mb_per_second = 2\n"
        ));
        let p = plan(
            &s,
            Capacity {
                base: 8.0,
                max: 5632.0,
            },
        );
        let sync = simulate(&p.input).unwrap();
        (
            p.input.work[0].duration,
            p.input.work.len(),
            sync.billed_rpu_seconds.0,
        )
    };
    let (d15, n15, billed15) = at("15m");
    let (d60, n60, billed60) = at("1h");
    assert_eq!((d15, d60), (30.0 + 75.0, 30.0 + 300.0));
    assert_eq!((n15, n60), (2880, 720));
    // Four times the refreshes cost less than four times as much.
    assert!(
        billed15 < 4.0 * billed60 && billed15 > billed60,
        "{billed15} vs {billed60}"
    );
}
