//! `redshift-cost estimate` through the real binary: outputs, exit codes, diagnostics.

use crate::support::cli::{f, json, root, run};
use serde_json::Value;

const TOKYO: &str = "scenarios/zero-etl-tokyo-8rpu.toml";

fn component<'a>(scenario: &'a Value, name: &str) -> &'a Value {
    scenario["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == name)
        .unwrap_or_else(|| panic!("no component {name} in {scenario}"))
}

#[test]
fn worked_example_table() {
    let r = run(&["estimate", TOKYO]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("642.83"), "{}", r.stdout);
    insta::assert_snapshot!("worked_example_table", r.stdout);
    // The price note is said once, on stderr, with the date.
    assert_eq!(r.stderr.matches("note: prices:").count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("2025-03-19"), "{}", r.stderr);
}

#[test]
fn worked_example_json_contract() {
    let v = json(&["estimate", TOKYO]);
    assert_eq!(v["schema_version"], 1);
    let s = &v["scenarios"][0];
    for key in [
        "name",
        "region",
        "period_hours",
        "total_monthly_usd",
        "components",
        "serverless",
    ] {
        assert!(s.get(key).is_some(), "missing {key}");
    }
    assert!(
        (f(&s["total_monthly_usd"]) - 642.834).abs() < 0.0005,
        "{}",
        s["total_monthly_usd"]
    );
    assert_eq!(s["region"], "ap-northeast-1");
    assert_eq!(f(&s["period_hours"]), 720.0);
    let q = component(s, "compute: analyst queries");
    assert!((f(&q["monthly_usd"]) - 592.8).abs() < 1e-6);
    assert_eq!(q["unit"], "RPU-hour");
    assert_eq!(f(&q["unit_price_usd"]), 0.494);
    assert_eq!(q["price_source"], "bundled 2025-03-19");
    for key in [
        "component",
        "quantity",
        "unit",
        "unit_price_usd",
        "monthly_usd",
        "price_source",
    ] {
        assert!(q.get(key).is_some(), "component lacks {key}");
    }
    let sync = component(s, "compute: zero-etl sync");
    assert!((f(&sync["monthly_usd"]) - 47.424).abs() < 1e-6);
    let rms = component(s, "managed storage");
    assert!((f(&rms["monthly_usd"]) - 2.61).abs() < 1e-9);
    let sv = &s["serverless"];
    for key in [
        "billed_rpu_seconds",
        "busy_seconds",
        "billed_seconds",
        "peak_rpu",
        "jobs",
        "latency_p50_s",
        "latency_p95_s",
        "latency_max_s",
        "calculator_rpu_seconds",
        "by_class_rpu_seconds",
    ] {
        assert!(sv.get(key).is_some(), "serverless lacks {key}");
    }
    assert!((f(&sv["billed_rpu_seconds"]) - 4_665_600.0).abs() < 1e-3);
    // The headline counts the analysts' queries; the 720 refreshes have their own figures.
    assert_eq!(sv["jobs"], 3000);
    assert_eq!(sv["metering"], "busy-period");
    assert_eq!(sv["sync_runs"], 720);
    assert_eq!(f(&sv["sync_staleness_s"]), 3660.0);
    let analysts = &sv["by_class"]["analyst queries"];
    assert_eq!(analysts["jobs"], 3000);
    assert_eq!(analysts["rejected"], 0);
    assert!((f(&analysts["latency_p95_s"]) - 180.0).abs() < 1e-6);
    assert!((f(&analysts["rpu_seconds"]) - 4_320_000.0).abs() < 1e-3);
    assert_eq!(sv["by_class"]["zero-etl sync"]["jobs"], 720);
    assert_eq!(sv["usage_limit_trips"].as_array().map(Vec::len), Some(0));
    let by_class: f64 = sv["by_class_rpu_seconds"]
        .as_object()
        .unwrap()
        .values()
        .map(f)
        .sum();
    assert!((by_class - f(&sv["billed_rpu_seconds"])).abs() < 1e-3);
}

#[test]
fn continuous_replication_with_set() {
    let v = json(&["estimate", TOKYO, "--set", "zero_etl.refresh_interval=0"]);
    let s = &v["scenarios"][0];
    let compute: f64 = s["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["unit"] == "RPU-hour")
        .map(|c| f(&c["monthly_usd"]))
        .sum();
    assert!((compute - 3438.24).abs() < 1e-6, "{compute}");
    assert!((f(&component(s, "compute: zero-etl sync")["monthly_usd"]) - 2845.44).abs() < 1e-6);
}

#[test]
fn capped_at_8_rpu_queries_wait() {
    let v = json(&["estimate", TOKYO, "--set", "serverless.max_rpu=8"]);
    let s = &v["scenarios"][0];
    assert!((f(&s["total_monthly_usd"]) - 642.834).abs() < 0.0005);
    assert!((f(&s["serverless"]["latency_p95_s"]) - 216.0).abs() < 1e-6);
    assert!((f(&s["serverless"]["latency_max_s"]) - 240.0).abs() < 1e-6);
}

#[test]
fn price_override_is_labelled() {
    let v = json(&["estimate", TOKYO, "--set", "prices.rpu_hour=0.5"]);
    let q = component(&v["scenarios"][0], "compute: analyst queries");
    assert_eq!(q["price_source"], "override");
    assert!((f(&q["monthly_usd"]) - 600.0).abs() < 1e-6);
}

#[test]
fn markdown_and_csv() {
    let md = run(&["estimate", TOKYO, "--format", "markdown"]);
    assert_eq!(md.code, 0);
    insta::assert_snapshot!("worked_example_markdown", md.stdout);
    let csv = run(&["estimate", TOKYO, "--format", "csv"]);
    assert_eq!(csv.code, 0);
    insta::assert_snapshot!("worked_example_csv", csv.stdout);
    let total = csv
        .stdout
        .lines()
        .find(|l| l.contains(",total,"))
        .and_then(|l| l.split(',').nth(8))
        .map(|x| x.parse::<f64>().unwrap())
        .unwrap();
    assert!((total - 642.834).abs() < 0.0005);
}

#[test]
fn every_bundled_scenario_runs_in_every_format() {
    let mut count = 0;
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        count += 1;
        let rel = path
            .strip_prefix(root())
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        for format in ["table", "json", "markdown", "csv"] {
            let r = run(&["estimate", &rel, "--format", format]);
            assert!(
                r.code == 0 || r.code == 3,
                "{rel} ({format}) exited {}: {}",
                r.code,
                r.stderr
            );
            assert!(!r.stdout.is_empty(), "{rel} ({format}) printed nothing");
            assert!(!r.stderr.contains("panicked"), "{rel}: {}", r.stderr);
            if format == "json" {
                let v: Value = serde_json::from_str(&r.stdout).unwrap();
                let total = f(&v["scenarios"][0]["total_monthly_usd"]);
                let sum: f64 = v["scenarios"][0]["components"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| f(&c["monthly_usd"]))
                    .sum();
                assert!(
                    total > 0.0 && (total - sum).abs() < 1e-9,
                    "{rel}: {total} vs {sum}"
                );
                assert_no_float_noise(&v, &rel, "");
            }
        }
    }
    assert!(count >= 3, "expected the bundled scenarios, found {count}");
}

/// Every money figure (a key with `usd` in it) is whole micro-dollars, and every unit
/// price has at most the Price List's ten decimals: `2.61`, never `2.6100000000000003`.
pub(crate) fn assert_no_float_noise(v: &Value, file: &str, key: &str) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                assert_no_float_noise(x, file, k);
            }
        }
        Value::Array(items) => {
            for x in items {
                assert_no_float_noise(x, file, key);
            }
        }
        Value::Number(n) if key.contains("usd") => {
            // Decimals as printed: `2.61` has 2, `2e-7` has 7.
            let text = n.to_string();
            let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
            let written = mantissa.split_once('.').map_or(0, |(_, d)| d.len()) as i64;
            let decimals = written - exponent.parse::<i64>().unwrap();
            let allowed = if key.contains("price") { 10 } else { 6 };
            assert!(
                decimals <= allowed,
                "{file}: `{key}` = {text} is not whole {}",
                if allowed == 6 {
                    "micro-dollars"
                } else {
                    "Price List decimals"
                }
            );
        }
        _ => {}
    }
}

#[test]
fn a_directory_is_every_scenario_in_it_in_one_report() {
    let v = json(&["estimate", "scenarios"]);
    let names: Vec<&str> = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.len() >= 3, "{names:?}");
    assert!(names.contains(&"zero-etl tokyo 8 RPU"));
}

#[test]
fn budget_exceeded_exits_3_after_writing() {
    let r = run(&["estimate", TOKYO, "--budget", "100", "--format", "json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let breach = &v["budget_breaches"][0];
    assert_eq!(breach["scenario"], "zero-etl tokyo 8 RPU");
    assert!((f(&breach["excess_usd"]) - 542.834).abs() < 0.0005);
    assert!(r.stderr.contains("over budget: scenario `zero-etl tokyo 8 RPU`: budget 100.00 USD, estimate 642.83 USD, over by 542.83 USD"), "{}", r.stderr);
    let ok = run(&["estimate", TOKYO, "--budget", "700"]);
    assert_eq!(ok.code, 0);
}

#[test]
fn out_writes_the_file_and_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.json");
    let r = run(&[
        "estimate",
        TOKYO,
        "--format",
        "json",
        "--out",
        target.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let v: Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(v["schema_version"], 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn out_into_a_missing_directory_fails_with_1_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing").join("report.json");
    let r = run(&["estimate", TOKYO, "--out", target.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
    assert!(!target.exists());
}

/// Each bad input exits 2 with a short message naming file:line:column (or the --set),
/// never a panic.
fn bad(args: &[&str]) -> String {
    let r = run(args);
    assert_eq!(
        r.code, 2,
        "args {args:?}\nstdout: {}\nstderr: {}",
        r.stdout, r.stderr
    );
    assert!(
        r.stdout.is_empty(),
        "nothing on stdout on error: {}",
        r.stdout
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(r.stderr.lines().count() <= 25, "one screen: {}", r.stderr);
    r.stderr
}

#[test]
fn diagnostics_unknown_key_did_you_mean() {
    let e = bad(&["estimate", "tests/fixtures/bad/unknown-key.toml"]);
    assert!(e.contains("tests/fixtures/bad/unknown-key.toml:5:1"), "{e}");
    assert!(e.contains("did you mean `base_rpu`"), "{e}");
    insta::assert_snapshot!("diag_unknown_key", e);
}

#[test]
fn diagnostics_range() {
    let e = bad(&["estimate", "tests/fixtures/bad/base-rpu-range.toml"]);
    assert!(e.contains("base-rpu-range.toml:5:12"), "{e}");
    insta::assert_snapshot!("diag_base_rpu_range", e);
}

#[test]
fn diagnostics_syntax() {
    let e = bad(&["estimate", "tests/fixtures/bad/syntax.toml"]);
    assert!(e.contains("syntax.toml:2:"), "{e}");
    insta::assert_snapshot!("diag_syntax", e);
}

#[test]
fn diagnostics_region() {
    let e = bad(&["estimate", "tests/fixtures/bad/region.toml"]);
    assert!(e.contains("region.toml:2:10"), "{e}");
    assert!(e.contains("us-east-1"), "close matches are listed: {e}");
    insta::assert_snapshot!("diag_region", e);
}

#[test]
fn diagnostics_trace_files() {
    let e = bad(&["estimate", "tests/fixtures/bad/missing-trace.toml"]);
    assert!(e.contains("no-such-trace.csv"), "{e}");
    assert!(e.contains("missing-trace.toml:9:"), "{e}");
    let e = bad(&["estimate", "tests/fixtures/bad/bad-trace-row.toml"]);
    assert!(e.contains("bad-trace.csv:3"), "{e}");
    insta::assert_snapshot!("diag_bad_trace_row", e);
}

#[test]
fn diagnostics_numbers_and_sources() {
    let e = bad(&["estimate", "tests/fixtures/bad/nan.toml"]);
    assert!(e.contains("nan.toml:8:14"), "{e}");
    let e = bad(&["estimate", "tests/fixtures/bad/dynamodb-interval.toml"]);
    assert!(
        e.contains("900") && e.contains("432000"),
        "the allowed range is given: {e}"
    );
}

#[test]
fn diagnostics_set() {
    let e = bad(&["estimate", TOKYO, "--set", "zero_etl.refresh_intervall=60"]);
    assert!(e.contains("did you mean `refresh_interval`"), "{e}");
    let e = bad(&["estimate", TOKYO, "--set", "serverless.base_rpu=7"]);
    assert!(e.contains("--set serverless.base_rpu=7"), "{e}");
    let e = bad(&["estimate", TOKYO, "--set", "novalue"]);
    assert!(e.contains("novalue"), "{e}");
}

#[test]
fn usage_errors_exit_2() {
    bad(&["estimate"]);
    bad(&["estimate", TOKYO, "--format", "yaml"]);
    bad(&["estimate", "no/such/file.toml"]);
    bad(&["estimate", TOKYO, "--budget", "-5"]);
    bad(&["frobnicate"]);
}

#[test]
fn all_errors_of_several_files_are_reported_together() {
    let e = bad(&[
        "estimate",
        "tests/fixtures/bad/unknown-key.toml",
        "tests/fixtures/bad/region.toml",
    ]);
    assert!(
        e.contains("unknown-key.toml") && e.contains("region.toml"),
        "{e}"
    );
}

#[test]
fn help_documents_exit_codes() {
    let r = run(&["estimate", "--help"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("3  a budget was exceeded"),
        "{}",
        r.stdout
    );
}

#[test]
fn offline_default_says_once_which_prices_and_their_date() {
    // `auto` with no credentials (and a Price List endpoint nobody listens on): the
    // estimate still answers, on bundled prices, with one line on stderr.
    let cache = tempfile::tempdir().unwrap();
    let out = crate::support::cli::cmd(cache.path())
        .env("REDSHIFT_COST_PRICES", "auto")
        .env("AWS_ENDPOINT_URL_PRICING", "http://127.0.0.1:9")
        .args(["estimate", TOKYO])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("642.83"), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("bundled prices as of 2025-03-19"),
        "{stderr}"
    );
}
