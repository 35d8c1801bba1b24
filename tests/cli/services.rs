//! The services around the warehouse through the binary: provisioned clusters, reservations,
//! Spectrum, snapshots, data sharing, Redshift ML, pipelines and `compare`, on the
//! bundled example scenarios (hand-computed figures in each file's header).

use crate::support::cli::{f, json, run};
use serde_json::Value;

fn scenario(file: &str, sets: &[&str]) -> Value {
    let path = format!("scenarios/{file}");
    let mut args = vec!["estimate", path.as_str()];
    for s in sets {
        args.extend(["--set", s]);
    }
    json(&args)["scenarios"][0].clone()
}

fn usd_of(s: &Value, component: &str) -> f64 {
    let c = s["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == component)
        .unwrap_or_else(|| panic!("no component {component} in {:#}", s["components"]));
    f(&c["monthly_usd"])
}

#[track_caller]
fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 0.005, "{a} vs {b}");
}

#[test]
fn provisioned_cluster() {
    let s = scenario("provisioned-ra3-us-east-1.toml", &[]);
    assert_eq!(s["deployment"], "provisioned");
    close(usd_of(&s, "compute: 6 × ra3.4xlarge on demand"), 14_278.80);
    close(
        usd_of(
            &s,
            "concurrency scaling: 6 × ra3.4xlarge beyond the free hour a day",
        ),
        591.30,
    );
    close(usd_of(&s, "managed storage"), 491.52);
    close(f(&s["total_monthly_usd"]), 15_361.62);
    let p = &s["provisioned"];
    assert_eq!(p["node_type"], "ra3.4xlarge");
    assert_eq!(p["nodes"], 6);
    assert_eq!(p["pricing"], "on-demand");
    close(f(&p["running_hours"]), 730.0);
    assert!(s["serverless"].is_null());
    // Reserved for a year, all upfront, at the published 18,848 USD a node spread over
    // 8,760 hours, for every hour of the period: 4,380 × 2.1516 = 9,424.00.
    let s = scenario(
        "provisioned-ra3-us-east-1.toml",
        &["provisioned.reservation=1yr-all-upfront"],
    );
    close(
        usd_of(
            &s,
            "compute: 6 × ra3.4xlarge reserved 1 yr all upfront, upfront amortised over the term",
        ),
        9_424.00,
    );
    // Running 12 h a day (from midnight): 30 days × 12 h + the 10-hour 31st day = 370 h.
    let s = scenario(
        "provisioned-ra3-us-east-1.toml",
        &["provisioned.hours_per_day=12"],
    );
    close(
        usd_of(&s, "compute: 6 × ra3.4xlarge on demand"),
        6.0 * 370.0 * 3.26,
    );
    close(usd_of(&s, "managed storage"), 491.52);
}

#[test]
fn snapshots_and_copies() {
    let s = scenario("snapshots-dc2-cross-region-us-east-1.toml", &[]);
    close(usd_of(&s, "compute: 4 × dc2.8xlarge on demand"), 14_016.0);
    close(usd_of(&s, "snapshot storage"), 33.58);
    close(usd_of(&s, "snapshot copy transfer to us-west-2"), 60.83);
    close(usd_of(&s, "snapshot copy storage (us-west-2)"), 269.10);
    // On RA3 every GB of backup is billed: 11,700 × 0.023, plus RMS.
    let s = scenario(
        "snapshots-dc2-cross-region-us-east-1.toml",
        &["provisioned.node_type=ra3.4xlarge", "provisioned.nodes=2"],
    );
    close(usd_of(&s, "snapshot storage"), 269.10);
    close(usd_of(&s, "managed storage"), 144.0);
}

#[test]
fn spectrum_and_athena() {
    let s = scenario("spectrum-provisioned-us-east-1.toml", &[]);
    close(usd_of(&s, "spectrum: S3 data scanned"), 228.14);
    let athena = &s["comparisons"][0];
    assert_eq!(athena["kind"], "comparison");
    close(f(&athena["monthly_usd"]), 228.14);
    // The comparison line is not in the total.
    let sum: f64 = s["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| f(&c["monthly_usd"]))
        .sum();
    close(sum, f(&s["total_monthly_usd"]));
}

#[test]
fn serverless_reservation_and_suggestion() {
    let s = scenario("serverless-reservation-us-east-1.toml", &[]);
    close(
        usd_of(&s, "serverless reservation: 8 RPU (1 yr no upfront)"),
        1752.0,
    );
    let r = &s["serverless"]["reservation"];
    assert_eq!(f(&r["reserved_rpu"]), 8.0);
    assert_eq!(f(&r["suggested_reserved_rpu"]), 8.0);
    assert_eq!(r["term"], "1yr-no-upfront");
    // Without a reservation the report still suggests one.
    let s = scenario("data-api-polling-us-east-1.toml", &[]);
    close(f(&s["total_monthly_usd"]), 2190.025);
    let r = &s["serverless"]["reservation"];
    assert!(r["reserved_rpu"].is_null());
    assert_eq!(f(&r["suggested_reserved_rpu"]), 8.0);
    close(f(&r["suggested_compute_usd"]), 1752.0);
    let t = run(&["estimate", "scenarios/data-api-polling-us-east-1.toml"]);
    assert!(
        t.stdout
            .contains("Cheapest commitment for this profile (1yr-no-upfront): 8 RPU"),
        "{}",
        t.stdout
    );
}

#[test]
fn ml_sharing_and_pipelines() {
    let s = scenario("redshift-ml-us-east-1.toml", &[]);
    close(usd_of(&s, "Redshift ML training"), 80.0);
    let training = s["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "ml_training")
        .unwrap();
    assert_eq!(training["price_source"], "bundled 2025-03-19 (unverified)");
    // An override replaces the unverified price.
    let s = scenario(
        "redshift-ml-us-east-1.toml",
        &["prices.ml_million_cells=10"],
    );
    close(usd_of(&s, "Redshift ML training"), 40.0);

    let s = scenario("data-sharing-cross-region-us-east-1.toml", &[]);
    close(
        usd_of(&s, "cross-region data sharing from eu-west-1"),
        124.76,
    );

    let s = scenario("lambda-extract-us-east-1.toml", &[]);
    close(usd_of(&s, "orders extract: Lambda requests"), 0.02);
    close(usd_of(&s, "orders extract: Lambda duration (x86)"), 3.42);
    let l = &s["pipelines"][0];
    assert_eq!(l["type"], "lambda-extract");
    assert_eq!(f(&l["lambda"]["rows_per_page"]), 2929.0);
    assert_eq!(f(&l["lambda"]["invocations_per_sync"]), 3415.0);
    assert!(s["serverless"]["by_class_rpu_seconds"]["orders extract page queries"].is_number());

    let s = scenario("sagemaker-processing-us-east-1.toml", &[]);
    close(usd_of(&s, "compute: features UNLOAD"), 60.0);
    close(
        usd_of(&s, "features: SageMaker Processing 2 × ml.m5.xlarge"),
        6.90,
    );
    close(
        usd_of(&s, "features: SageMaker training 1 × ml.m5.2xlarge"),
        13.83,
    );
    close(usd_of(&s, "features: S3 storage of unloaded data"), 8.05);
}

#[test]
fn estimate_with_both_deployments_adds_the_comparison() {
    let s = scenario("compare-serverless-vs-provisioned-us-east-1.toml", &[]);
    assert_eq!(s["deployment"], "serverless");
    let c = &s["comparison"];
    close(f(&c["serverless"]["total_usd"]), f(&s["total_monthly_usd"]));
    close(f(&c["provisioned"]["compute_usd"]), 4759.60);
    assert!(f(&c["break_even_busy_hours_per_day"]) > 0.0);
}

#[test]
fn compare_command() {
    let file = "scenarios/compare-serverless-vs-provisioned-us-east-1.toml";
    let r = run(&["compare", file]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Serverless vs provisioned:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Break-even: the two cost the same at"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("compute: 2 × ra3.4xlarge on demand"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stderr.matches("note: prices:").count(), 1, "{}", r.stderr);
    let v = json(&["compare", file]);
    assert_eq!(v["schema_version"], 1);
    let c = &v["comparisons"][0];
    let be = f(&c["break_even_busy_hours_per_day"]);
    // At the break-even, Serverless's compute equals the cluster's total less its own
    // other costs.
    let days = f(&c["period_hours"]) / 24.0;
    close(
        f(&c["serverless"]["other_usd"]) + be * days * f(&c["serverless_usd_per_busy_hour"]),
        f(&c["provisioned"]["total_usd"]),
    );
    let names: Vec<&str> = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "BI + ELT: Serverless vs 2 × ra3.4xlarge (Serverless)",
            "BI + ELT: Serverless vs 2 × ra3.4xlarge (provisioned)"
        ]
    );
    for format in ["markdown", "csv"] {
        let r = run(&["compare", file, "--format", format]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(
            r.stdout.contains("4,759.60") || r.stdout.contains("4759.6,"),
            "{}",
            r.stdout
        );
    }
    // A scenario without both sections is invalid input for compare.
    let r = run(&["compare", "scenarios/zero-etl-tokyo-8rpu.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("has no [provisioned] section; compare needs both"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn new_keys_have_located_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "name = \"b\"\nregion = \"us-east-1\"\n[provisioned]\nnode_type = \"ra3.4xlarg\"\nnodes = 2\n[[pipeline]]\nname = \"p\"\ntype = \"data-api\"\nper_dya = 3\nduration = 1\n",
    )
    .unwrap();
    let r = run(&["estimate", path.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("bad.toml:4:13"), "{}", r.stderr);
    assert!(
        r.stderr.contains("did you mean `ra3.4xlarge`?"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean `per_day`?"), "{}", r.stderr);
}
