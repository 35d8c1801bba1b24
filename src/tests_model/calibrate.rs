//! Tests of `calibrate` with scenarios read by the loader.
use crate::scenario::*;
use redshift_cost_core::calibrate::*;
use redshift_cost_core::engine::{simulate, Capacity};
use redshift_cost_core::model::workload::plan;
use std::path::Path;

fn scenario(body: &str) -> Scenario {
    let text = format!("name = \"t\"\nregion = \"us-east-1\"\nperiod = \"30d\"\n{body}");
    parse_scenario(&text, Path::new("x.toml"), &[], &[])
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

#[test]
fn usage_excludes_minimum_charges() {
    // One 10-second job a day at 8 RPU: billed 60 s × 8, used 10 s × 8.
    let s = scenario(
        "[serverless]\nbase_rpu = 8\n[[workload]]\nname = \"w\"\nper_day = 1\nduration = 10\n",
    );
    let sv = s.serverless.clone().unwrap();
    let p = plan(
        &s,
        Capacity {
            base: sv.base_rpu,
            max: sv.max_rpu,
        },
    );
    let sim = simulate(&p.input).unwrap();
    assert_eq!(sim.billed_rpu_seconds.0, 30.0 * 60.0 * 8.0);
    assert_eq!(usage_rpu_seconds(&sim, 8.0), 30.0 * 10.0 * 8.0);
    let w = window_compute(&sim, 8.0, 720.0, 360.0);
    assert_eq!(w.usage_rpu_seconds, 15.0 * 80.0);
    assert_eq!(w.billed_rpu_seconds, 15.0 * 480.0);
}

#[test]
fn linear_workload_calibrates_proportionally() {
    // 24 jobs a day of 10 minutes at 8 RPU, never overlapping: compute is linear.
    let s = scenario(
        "[serverless]\nbase_rpu = 8\n[[workload]]\nname = \"w\"\nper_day = 24\nduration = \"10m\"\n",
    );
    let modelled = 30.0 * 24.0 * 600.0 * 8.0;
    let c = calibrate(&s, modelled * 1.25, 30).unwrap();
    assert!((c.factor - 1.25).abs() < 1e-9, "{c:?}");
    assert!((c.before_rpu_seconds - modelled).abs() < 1e-6);
    assert!(c.residual().abs() < TOLERANCE, "{c:?}");
}

#[test]
fn nonlinear_workload_converges() {
    // Overlapping jobs below base capacity (billed at base while busy), a max cap, and
    // a zero-ETL sync that no factor changes.
    let s = scenario(
        "[serverless]\nbase_rpu = 8\nmax_rpu = 16\n\
         [[workload]]\nname = \"a\"\nper_day = 300\nduration = \"4m\"\nrpu = 4\nwindow = \"09:00-17:00\"\n\
         [[workload]]\nname = \"b\"\nper_day = 2\nduration = \"1h\"\nrpu = 32\narrival = \"poisson\"\n\
         [zero_etl]\nsource = \"aurora-mysql\"\nrefresh_interval = 3600\nsync_duration = \"2m\"\n",
    );
    for target_h in [300.0, 900.0, 2000.0] {
        let c = calibrate(&s, target_h * 3600.0, 30).unwrap();
        assert!(c.residual().abs() < ACCEPTABLE, "{target_h}: {c:?}");
        assert!(c.iterations <= MAX_ITERATIONS + 3);
        // The verification run agrees with what the search found.
        let check = modelled(&s, c.factor, 720.0).unwrap();
        assert_eq!(check, c.after_rpu_seconds);
    }
}

#[test]
fn what_cannot_be_calibrated() {
    let none = scenario("[serverless]\nbase_rpu = 8\n");
    assert_eq!(
        calibrate(&none, 100.0, 30),
        Err(CalibrationError::NoWorkloads)
    );
    let s = scenario(
        "[serverless]\nbase_rpu = 8\n[[workload]]\nname = \"w\"\nper_day = 24\nduration = \"10m\"\n",
    );
    assert_eq!(
        calibrate(&s, 0.0, 30),
        Err(CalibrationError::NothingObserved(30))
    );
    let idle = scenario(
        "[serverless]\nbase_rpu = 8\n[[workload]]\nname = \"w\"\nper_day = 0\nduration = \"10m\"\n",
    );
    assert_eq!(
        calibrate(&idle, 100.0, 30),
        Err(CalibrationError::NoWorkloadCompute)
    );
}

#[test]
fn scaling_reaches_traces_too() {
    let mut s = scenario(
        "[serverless]\nbase_rpu = 8\n[[workload]]\nname = \"w\"\nper_day = 24\nduration = \"10m\"\n",
    );
    s.workloads.push(crate::scenario::Workload {
        name: "t".into(),
        source: WorkloadSource::Trace(crate::scenario::Trace {
            path: "t.csv".into(),
            rpu: None,
            rows: vec![crate::scenario::TraceRow {
                arrival: 0.0,
                duration: 100.0,
                rpu: crate::scenario::TraceRow::DEFAULT,
                class: crate::scenario::TraceRow::DEFAULT,
            }]
            .into(),
            rpus: Vec::new().into(),
            classes: Vec::new(),
        }),
    });
    scale_workloads(&mut s, 2.0);
    match (&s.workloads[0].source, &s.workloads[1].source) {
        (WorkloadSource::Arrivals(a), WorkloadSource::Trace(t)) => {
            assert_eq!(a.duration, 1200.0);
            assert_eq!(t.rows[0].duration, 200.0);
        }
        other => panic!("{other:?}"),
    }
}
