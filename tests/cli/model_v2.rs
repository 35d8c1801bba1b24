//! Billing model v2 through the binary: metering rules, usage limits, change-driven
//! refreshes, and the latency of the users' queries.

use crate::support::cli::{f, json, run};
use serde_json::Value;

const TOKYO: &str = "scenarios/zero-etl-tokyo-8rpu.toml";
const LIMIT: &str = "scenarios/usage-limit-deactivate.toml";
const TRADEOFF: &str = "scenarios/zero-etl-refresh-tradeoff.toml";

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6 * (1.0 + b.abs()), "{a} vs {b}");
}

#[test]
fn metering_both_prints_both_bills_and_the_busy_period_one_is_unchanged() {
    let r = run(&["estimate", "--metering", "both", TOKYO]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("busy-period (USD)"), "{}", r.stdout);
    assert!(r.stdout.contains("per-minute (USD)"), "{}", r.stdout);
    let total = r
        .stdout
        .lines()
        .find(|l| l.contains("Total") && l.contains("797.75"))
        .unwrap_or_else(|| panic!("no side-by-side total in {}", r.stdout));
    assert!(total.contains("642.83"), "{total}");

    let v = json(&["estimate", "--metering", "both", TOKYO]);
    let s = &v["scenarios"][0];
    close(f(&s["total_monthly_usd"]), 642.834);
    let bills = s["metering_bills"].as_array().unwrap();
    assert_eq!(bills[0]["metering"], "busy-period");
    close(f(&bills[0]["total_monthly_usd"]), 642.834);
    assert_eq!(bills[1]["metering"], "per-minute");
    close(f(&bills[1]["billed_rpu_seconds"]), 5_794_560.0);
    close(f(&bills[1]["total_monthly_usd"]), 797.7524);
    // Without --metering both there is no second bill.
    let v = json(&["estimate", TOKYO]);
    assert!(v["scenarios"][0].get("metering_bills").is_none());
}

#[test]
fn metering_per_minute_bills_every_scenario_under_that_rule() {
    let v = json(&["estimate", "--metering", "per-minute", TOKYO]);
    let sv = &v["scenarios"][0]["serverless"];
    assert_eq!(sv["metering"], "per-minute");
    close(f(&sv["billed_rpu_seconds"]), 5_794_560.0);
    close(f(&sv["billed_seconds"]), 396.0 * 30.0 * 60.0);
    // The scenario's own key does the same.
    let v = json(&["estimate", "--set", "serverless.metering=per-minute", TOKYO]);
    close(
        f(&v["scenarios"][0]["serverless"]["billed_rpu_seconds"]),
        5_794_560.0,
    );
    let r = run(&["estimate", "--metering", "per-minutes", TOKYO]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("per-minute"), "{}", r.stderr);
}

fn dashboards(sv: &Value) -> &Value {
    &sv["by_class"]["dashboards"]
}

#[test]
fn a_deactivate_limit_turns_away_the_rest_of_the_day_never_a_refresh() {
    let v = json(&["estimate", LIMIT]);
    let sv = &v["scenarios"][0]["serverless"];
    let trips = sv["usage_limit_trips"].as_array().unwrap();
    assert_eq!(trips.len(), 10, "every weekday of the two weeks");
    for t in trips {
        let start = f(&t["period_start_s"]);
        let at = f(&t["trip_s"]) - start;
        assert_eq!(start % 86_400.0, 0.0, "daily periods start at 00:00 UTC");
        assert!(
            (12.0 * 3600.0..18.0 * 3600.0).contains(&at),
            "trips mid-day: {at} s into the day"
        );
    }
    let rejected = dashboards(sv)["rejected"].as_u64().unwrap();
    assert!(rejected > 1000, "{rejected}");
    assert_eq!(sv["rejected"].as_u64(), Some(rejected));
    assert_eq!(sv["by_class"]["zero-etl sync"]["rejected"], 0);
    assert_eq!(sv["sync_runs"], 336, "every hourly refresh of 14 days ran");
    assert_eq!(sv["usage_limits"][0]["action"], "deactivate");
    assert_eq!(sv["usage_limits"][0]["periods_tripped"], 10);

    // With `log` nothing is turned away: the same queries, all run, and a larger bill.
    let logged = json(&[
        "estimate",
        "--set",
        "serverless.usage_limit.action=log",
        LIMIT,
    ]);
    let lsv = &logged["scenarios"][0]["serverless"];
    assert_eq!(dashboards(lsv)["rejected"], 0);
    assert_eq!(
        dashboards(lsv)["jobs"].as_u64().unwrap(),
        dashboards(sv)["jobs"].as_u64().unwrap() + rejected
    );
    assert!(f(&lsv["billed_rpu_seconds"]) > f(&sv["billed_rpu_seconds"]));

    // The table says when it tripped and how many queries were turned away.
    let r = run(&["estimate", LIMIT]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "Usage limit 1 (200.00 RPU-hours daily, deactivate): reached first at 2026-01-05 "
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("{} queries turned away", group(rejected))),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("zero-ETL refreshes keep running"),
        "{}",
        r.stdout
    );
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn points(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["sweep", TRADEOFF];
    all.extend_from_slice(args);
    json(&all)["points"].as_array().unwrap().clone()
}

#[test]
fn the_query_latency_of_a_sweep_does_not_depend_on_the_refreshes() {
    let by_duration = points(&["--param", "zero_etl.sync_duration=30s,2m,5m"]);
    let by_interval = points(&["--param", "zero_etl.refresh_interval=300,900,3600,14400"]);
    let p95 = f(&by_duration[0]["latency_p95_s"]);
    assert!(p95 > 40.0, "the analysts' p95, not a refresh's: {p95}");
    for p in by_duration.iter().chain(&by_interval) {
        assert_eq!(f(&p["latency_p95_s"]), p95, "{p}");
    }
    // Longer fixed parts cost more.
    let sync: Vec<f64> = by_duration
        .iter()
        .map(|p| f(&p["sync_monthly_usd"]))
        .collect();
    assert!(sync[0] < sync[1] && sync[1] < sync[2], "{sync:?}");
}

#[test]
fn change_driven_refresh_costs_grow_sub_linearly_with_their_number() {
    let p = points(&["--param", "zero_etl.refresh_interval=300,900,3600,14400"]);
    let sync: Vec<f64> = p.iter().map(|p| f(&p["sync_monthly_usd"])).collect();
    let staleness: Vec<f64> = p.iter().map(|p| f(&p["staleness_s"])).collect();
    // Refreshes: 48 times as many at 5 minutes as at 4 hours; the cost far less so.
    assert!(sync.windows(2).all(|w| w[0] > w[1]), "{sync:?}");
    assert!(sync[0] / sync[3] < 48.0 / 4.0, "{sync:?}");
    for (a, b) in [(0usize, 1usize), (1, 2), (2, 3)] {
        let refreshes = [300.0, 900.0, 3600.0, 14400.0];
        let more = refreshes[b] / refreshes[a];
        assert!(sync[a] / sync[b] < more, "{a} vs {b}: {sync:?}");
    }
    // Staleness: the interval plus the longest refresh (30 s + 600 MB/h × R / 2 MB/s).
    for (s, r) in staleness.iter().zip([300.0, 900.0, 3600.0, 14400.0]) {
        assert!(
            *s >= r + 30.0 + 600.0 * r / 3600.0 / 2.0 - 1e-6,
            "{s} for {r}"
        );
    }
    // Every report says how a refresh was modelled, with its numbers.
    let r = run(&["estimate", TRADEOFF]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("each refresh 30 s + 600 MB/h × 0.25 h / 2 MB/s = 105 s at 16 RPU"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("read in Europe/Dublin"), "{}", r.stdout);
    let r = run(&["estimate", TOKYO]);
    assert!(
        r.stdout.contains("each refresh 60 s at 8 RPU (default)"),
        "{}",
        r.stdout
    );
    let r = run(&["estimate", "--set", "zero_etl.refresh_interval=0", TOKYO]);
    assert!(
        r.stdout
            .contains("continuous replication (REFRESH_INTERVAL 0) keeps the workgroup busy at 8 RPU all period"),
        "{}",
        r.stdout
    );
}
