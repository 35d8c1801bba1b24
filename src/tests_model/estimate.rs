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
