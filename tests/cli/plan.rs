//! `redshift-cost plan` through the binary: the pick, contradictory and unmeetable
//! targets, budgets, the space and the frontier chart.

use crate::support::cli::{f, json, run};

const TOKYO: &str = "scenarios/zero-etl-tokyo-8rpu.toml";
const P95: &str = "analyst queries.p95<=200s";

#[test]
fn the_pick_meets_every_target_and_says_what_each_costs() {
    let v = json(&["plan", TOKYO, "--target", P95, "--target", "staleness<=20m"]);
    assert_eq!(v["schema_version"], 1);
    let pick = &v["pick"];
    assert!(pick["targets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["met"] == true));
    assert!(f(&pick["refresh_interval_s"]) <= 1200.0);
    assert!(f(&pick["monthly_usd"]) < 642.834 + 200.0);
    assert!(v["simulated"].as_u64().unwrap() < v["grid_candidates"].as_u64().unwrap());
    assert_eq!(v["target_prices"].as_array().unwrap().len(), 2);
    let r = run(&["plan", TOKYO, "--target", P95, "--target", "staleness<=20m"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Pick"), "{}", r.stdout);
    assert!(
        r.stdout.contains("The price of each target"),
        "{}",
        r.stdout
    );
    // Savings and costs are differences and sums of money: whole micro-dollars in JSON.
    let bi = json(&[
        "plan",
        "scenarios/bi-business-hours-us-east-1.toml",
        "--target",
        "p95<=60s",
    ]);
    assert!(f(&bi["target_prices"][0]["saving_usd"]) > 0.0, "{bi}");
    crate::estimate::assert_no_float_noise(&bi, "plan of the BI scenario", "");
    let md = run(&["plan", TOKYO, "--target", P95, "--format", "markdown"]);
    assert!(
        md.stdout.starts_with("## Plan: zero-etl tokyo 8 RPU"),
        "{}",
        md.stdout
    );
}

#[test]
fn contradictory_targets_exit_2_naming_the_constraint() {
    let r = run(&[
        "plan",
        TOKYO,
        "--set",
        "zero_etl.source=dynamodb",
        "--set",
        "zero_etl.refresh_interval=900",
        "--target",
        "staleness<=5m",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("staleness <= 300 s cannot be met"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("960 s"), "{}", r.stderr);
    let r = run(&["plan", TOKYO, "--target", "analyst query.p95<=60s"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("did you mean `analyst queries`?"),
        "{}",
        r.stderr
    );
    let r = run(&["plan", TOKYO, "--target", "latency<=60s"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("unknown target"), "{}", r.stderr);
    let r = run(&[
        "plan",
        TOKYO,
        "--target",
        P95,
        "--space",
        "serverless.base=8,16",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("did you mean `serverless.base_rpu`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unmeetable_target_lists_the_closest_candidates_and_what_binds() {
    // The queries take 180 s on their own: a 100-second p95 is out of reach.
    let v = json(&[
        "plan",
        TOKYO,
        "--target",
        "analyst queries.p95<=100s",
        "--space",
        "serverless.base_rpu=8,16",
    ]);
    assert!(v["pick"].is_null());
    assert_eq!(v["binding_target"], "analyst queries.p95");
    assert!(!v["closest"].as_array().unwrap().is_empty());
    let r = run(&[
        "plan",
        TOKYO,
        "--target",
        "analyst queries.p95<=100s",
        "--space",
        "serverless.base_rpu=8",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("No configuration meets the targets"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("The target that binds: analyst queries.p95"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_pick_over_budget_exits_3_and_the_space_narrows_the_search() {
    let r = run(&["plan", TOKYO, "--target", P95, "--budget", "100"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stdout.contains("OVER BUDGET"), "{}", r.stdout);
    let v = json(&[
        "plan",
        TOKYO,
        "--target",
        P95,
        "--space",
        "serverless.base_rpu=16",
        "--space",
        "serverless.max_rpu=32,64",
        "--space",
        "zero_etl.refresh_interval=3600",
    ]);
    let pick = &v["pick"];
    assert_eq!(f(&pick["base_rpu"]), 16.0);
    assert!([32.0, 64.0].contains(&f(&pick["max_rpu"])), "{pick}");
    assert_eq!(f(&pick["refresh_interval_s"]), 3600.0);
}

#[test]
fn the_frontier_chart_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("frontier.svg");
    let r = run(&[
        "plan",
        TOKYO,
        "--target",
        P95,
        "--chart",
        chart.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
    assert!(svg.contains("pick"));
}

#[test]
fn the_plan_example_meets_the_targets_its_comment_states() {
    let path = "scenarios/plan-analysts-freshness.toml";
    let text = std::fs::read_to_string(crate::support::cli::root().join(path)).unwrap();
    // The targets as the comment's command gives them: `--target "KEY<=VALUE"`.
    let targets: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('#'))
        .flat_map(|l| l.split("--target \"").skip(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(targets.len(), 2, "{targets:?}");
    let mut args = vec!["plan", path];
    for t in &targets {
        args.extend(["--target", t]);
    }
    let v = json(&args);
    let pick = &v["pick"];
    let met: Vec<&serde_json::Value> = pick["targets"].as_array().unwrap().iter().collect();
    assert_eq!(met.len(), 2, "{v}");
    assert!(met.iter().all(|t| t["met"] == true), "{v}");
    // The settings as written (base 32, max 256, 5-minute refreshes) are in the space:
    // the pick costs no more than they do (with the reservation, if one pays).
    let written = json(&["estimate", path]);
    let as_written = crate::support::cli::f(&written["scenarios"][0]["total_monthly_usd"]);
    assert!(f(&pick["monthly_usd"]) <= as_written, "{v}");
}
