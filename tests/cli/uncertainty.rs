//! How sure are we: `estimate --runs` against the runs at the ranges' own quantiles, the
//! same numbers for any thread count, budgets at a quantile; `forecast` month by month,
//! its storage billed on the month's mean and its cumulative cost exact.

use crate::support::cli::{cmd, f, json, run};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The worked example with its 100 queries a day replaced by `per_day`.
fn tokyo_with(dir: &Path, name: &str, per_day: &str) -> PathBuf {
    let text = std::fs::read_to_string(
        crate::support::cli::root().join("scenarios/zero-etl-tokyo-8rpu.toml"),
    )
    .unwrap()
    .replace("users = 10\n", &format!("per_day = {per_day}\n"))
    .replace("queries_per_user_per_day = 10\n", "");
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn total(v: &Value) -> f64 {
    f(&v["scenarios"][0]["total_monthly_usd"])
}

#[test]
fn runs_give_quantiles_that_match_the_runs_at_the_ranges_own_quantiles() {
    let dir = tempfile::tempdir().unwrap();
    let ranged = tokyo_with(dir.path(), "ranged.toml", "{ p5 = 80, p95 = 130 }");
    let ranged = ranged.to_str().unwrap();
    let v = json(&["estimate", ranged, "--runs", "1000"]);
    let d = &v["scenarios"][0]["distribution"];
    assert_eq!(d["runs"], 1000);
    assert_eq!(d["single_point"], false);
    let q = |k: &str| f(&d["total_monthly_usd"][k]);
    // The single run holds the range at its median, √(80 × 130) queries a day.
    let median = json(&[
        "estimate",
        tokyo_with(
            dir.path(),
            "median.toml",
            &format!("{}", (80.0f64 * 130.0).sqrt()),
        )
        .to_str()
        .unwrap(),
    ]);
    assert!((total(&v) - total(&median)).abs() < 1e-6, "{v}");
    assert!(
        (q("p50") - total(&median)).abs() / total(&median) < 0.02,
        "{d}"
    );
    // P5 and P95 land on the runs at 80 and 130 queries a day (the total rises with the
    // volume alone), within the sampling error of 1,000 runs.
    let at = |n: &str| {
        total(&json(&[
            "estimate",
            tokyo_with(dir.path(), "at.toml", n).to_str().unwrap(),
        ]))
    };
    let (low, high) = (at("80"), at("130"));
    assert!(
        (q("p5") - low).abs() / low < 0.02,
        "P5 {} vs {low}",
        q("p5")
    );
    assert!(
        (q("p95") - high).abs() / high < 0.02,
        "P95 {} vs {high}",
        q("p95")
    );
    assert!(low < q("p50") && q("p50") < high);
    // The volume carries the whole spread; the sync and storage lines do not move.
    assert_eq!(d["drivers"][0]["input"], "analyst queries.per_day");
    assert!(f(&d["drivers"][0]["correlation"]) > 0.99, "{d}");
    let sync = d["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == "compute: zero-etl sync")
        .unwrap();
    assert_eq!(sync["monthly_usd"]["p5"], sync["monthly_usd"]["p95"]);
    crate::estimate::assert_no_float_noise(&v, "estimate --runs", "");
    // The table says the range and what carries it.
    let r = run(&["estimate", ranged, "--runs", "200"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Over 200 runs the month costs"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("carried by analyst queries.per_day"),
        "{}",
        r.stdout
    );
}

#[test]
fn runs_are_the_same_on_one_thread_and_on_two() {
    let scenario = "scenarios/uncertain-growth-us-east-1.toml";
    let once = |threads: &str| {
        let cache = tempfile::tempdir().unwrap();
        let out = cmd(cache.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["estimate", scenario, "--runs", "60", "--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let (one, two) = (once("1"), once("2"));
    assert!(!one.is_empty());
    assert_eq!(one, two, "the runs depend on the thread count");
}

#[test]
fn a_scenario_with_nothing_uncertain_is_a_single_point() {
    let r = run(&[
        "estimate",
        "scenarios/zero-etl-tokyo-8rpu.toml",
        "--runs",
        "5",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Nothing in this scenario is uncertain: over 5 runs its month is a single point, 642.83 USD."),
        "{}",
        r.stdout
    );
    let v = json(&[
        "estimate",
        "scenarios/zero-etl-tokyo-8rpu.toml",
        "--runs",
        "5",
    ]);
    assert_eq!(v["scenarios"][0]["distribution"]["single_point"], true);
}

#[test]
fn a_budget_can_be_held_to_a_quantile_of_the_runs() {
    let dir = tempfile::tempdir().unwrap();
    let ranged = tokyo_with(dir.path(), "ranged.toml", "{ p5 = 80, p95 = 130 }");
    let ranged = ranged.to_str().unwrap();
    // 700 USD: the single run (654.49) is within it, the P95 (about 814) is not.
    let median = run(&["estimate", ranged, "--budget", "700"]);
    assert_eq!(median.code, 0, "{}", median.stderr);
    let p95 = run(&[
        "estimate",
        ranged,
        "--budget",
        "700",
        "--runs",
        "300",
        "--budget-quantile",
        "0.95",
    ]);
    assert_eq!(p95.code, 3, "{}", p95.stderr);
    assert!(p95.stdout.contains("(P95 of the runs)"), "{}", p95.stdout);
    // A quantile needs runs; nonsense is refused with exit 2.
    assert_eq!(
        run(&["estimate", ranged, "--budget-quantile", "0.9"]).code,
        2
    );
    assert_eq!(run(&["estimate", ranged, "--runs", "0"]).code, 2);
    assert_eq!(run(&["estimate", ranged, "--runs", "1000000"]).code, 2);
    let bad = run(&["estimate", ranged, "--runs", "3", "--budget-quantile", "95"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("between 0 and 1"), "{}", bad.stderr);
}

#[test]
fn the_distribution_chart_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("runs.png");
    let r = run(&[
        "estimate",
        "scenarios/uncertain-growth-us-east-1.toml",
        "--runs",
        "20",
        "--distribution-chart",
        png.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
}

/// A scenario of 1,000 GB growing 5 % a month, 12 months.
fn growing(dir: &Path) -> PathBuf {
    let path = dir.join("growing.toml");
    std::fs::write(
        &path,
        "name = \"growing\"\nregion = \"us-east-1\"\n[serverless]\nbase_rpu = 8\n\
         [[workload]]\nname = \"q\"\nper_day = 100\nduration = \"1m\"\n\
         [storage]\nmanaged_gb = 1000\n\
         [growth]\nstorage_pct_per_month = 5\nworkload_pct_per_month = 3\nstart = \"2027-01\"\n",
    )
    .unwrap();
    path
}

#[test]
fn forecast_bills_each_month_on_its_mean_storage_and_adds_up_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = growing(dir.path());
    let v = json(&["forecast", path.to_str().unwrap(), "--months", "12"]);
    let months = v["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0]["label"], "2027-01");
    assert_eq!(months[11]["label"], "2027-12");
    // By hand: month 12 runs from 1000 × 1.05^11 to 1000 × 1.05^12 GB; billed on the
    // mean of that exponential path, 1000 × 1.05^11 × 0.05 / ln 1.05 = 1,752.750157 GB,
    // at 0.024 USD a GB-month in us-east-1.
    let m12 = &months[11];
    let mean_gb = 1000.0 * 1.05f64.powi(11) * 0.05 / 1.05f64.ln();
    assert!(
        (f(&m12["managed_storage_gb"]) - 1_752.750_157).abs() < 1e-6,
        "{m12}"
    );
    assert!((mean_gb - 1_752.750_157).abs() < 1e-6);
    let storage = m12["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == "managed storage")
        .unwrap();
    assert!(
        (f(&storage["monthly_usd"]) - (mean_gb * 0.024 * 1e6).round() / 1e6).abs() < 1e-9,
        "{storage}"
    );
    // The cumulative line adds the months up exactly, in micro-dollars.
    let mut sum: i64 = 0;
    for m in months {
        sum += (f(&m["total_monthly_usd"]) * 1e6).round() as i64;
        assert_eq!((f(&m["cumulative_usd"]) * 1e6).round() as i64, sum, "{m}");
    }
    assert_eq!((f(&v["total_usd"]) * 1e6).round() as i64, sum);
    // Growth shows: month 12 costs more than month 1.
    assert!(f(&m12["total_monthly_usd"]) > f(&months[0]["total_monthly_usd"]));
    crate::estimate::assert_no_float_noise(&v, "forecast", "");
}

#[test]
fn forecast_renders_every_format_and_its_chart() {
    let dir = tempfile::tempdir().unwrap();
    let path = growing(dir.path());
    let p = path.to_str().unwrap();
    let table = run(&["forecast", p, "--months", "3"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table.stdout.contains("Forecast for growing"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("Cumulative (USD)"),
        "{}",
        table.stdout
    );
    let md = run(&["forecast", p, "--months", "3", "--format", "markdown"]);
    assert!(
        md.stdout
            .starts_with("## Forecast: growing (3 months, 2027-01 to 2027-03)"),
        "{}",
        md.stdout
    );
    let csv = run(&["forecast", p, "--months", "3", "--format", "csv"]);
    assert!(
        csv.stdout
            .starts_with("month,label,component,monthly_usd,cumulative_usd"),
        "{}",
        csv.stdout
    );
    assert_eq!(
        csv.stdout.lines().filter(|l| l.contains(",total,")).count(),
        3
    );
    let chart = dir.path().join("forecast.svg");
    let runs = json(&[
        "forecast",
        p,
        "--months",
        "3",
        "--runs",
        "10",
        "--chart",
        chart.to_str().unwrap(),
    ]);
    assert!(
        runs["months"][2]["cumulative_distribution"]["p95"].is_number(),
        "{runs}"
    );
    assert!(std::fs::read_to_string(&chart).unwrap().starts_with("<svg"));
    // A forecast over its budget exits 3; nonsense months exit 2.
    assert_eq!(
        run(&["forecast", p, "--months", "3", "--budget", "1"]).code,
        3
    );
    assert_eq!(run(&["forecast", p, "--months", "0"]).code, 2);
    assert_eq!(run(&["forecast", p, "--months", "1000"]).code, 2);
}

#[test]
fn forecast_says_when_reserved_nodes_pay_off() {
    let v = json(&[
        "forecast",
        "scenarios/provisioned-ra3-us-east-1.toml",
        "--months",
        "12",
    ]);
    let nodes = v["reserved_nodes"].as_array().unwrap();
    assert!(!nodes.is_empty(), "{v}");
    // An always-on cluster: a no-upfront term saves from the first month.
    let no_upfront = nodes
        .iter()
        .find(|n| n["term"] == "1yr-no-upfront")
        .unwrap();
    assert_eq!(no_upfront["month"], 1, "{v}");
}

#[test]
fn a_report_with_runs_carries_the_distribution_and_its_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let r = run(&[
        "report",
        "scenarios/uncertain-growth-us-east-1.toml",
        "--out",
        out.to_str().unwrap(),
        "--runs",
        "20",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["scenarios"][0]["distribution"]["runs"], 20);
    assert!(out.join("distribution.svg").is_file());
    let md = std::fs::read_to_string(out.join("index.md")).unwrap();
    assert!(
        md.contains("| Over 20 runs | P5 | P50 | P95 | Mean |"),
        "{md}"
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<th>Over 20 runs</th>"));
}
