//! `sweep`, `report`, `diff` and the charts of `estimate`, through the real binary.

use crate::support::cli::{f, root, run};
use serde_json::Value;
use std::path::Path;

const TOKYO: &str = "scenarios/zero-etl-tokyo-8rpu.toml";
const BI: &str = "scenarios/bi-business-hours-us-east-1.toml";

fn sweep_json(extra: &[&str]) -> Value {
    let mut args = vec!["sweep", TOKYO, "--format", "json"];
    args.extend(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

fn totals(v: &Value) -> Vec<f64> {
    v["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| f(&p["total_monthly_usd"]))
        .collect()
}

#[test]
fn sweep_cost_does_not_rise_as_the_interval_grows() {
    let v = sweep_json(&[
        "--param",
        "zero_etl.refresh_interval=60,120,300,600,900,1800,3600",
    ]);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(
        v["param_names"],
        serde_json::json!(["zero_etl.refresh_interval"])
    );
    let t = totals(&v);
    assert_eq!(t.len(), 7);
    for w in t.windows(2) {
        assert!(w[1] <= w[0] + 1e-9, "cost rose: {t:?}");
    }
    // 3600 s is the worked example.
    assert!((t[6] - 642.834).abs() < 0.0005, "{t:?}");
    let p = &v["points"][6];
    for key in [
        "params",
        "total_monthly_usd",
        "compute_monthly_usd",
        "latency_p95_s",
        "staleness_s",
    ] {
        assert!(p.get(key).is_some(), "point lacks {key}");
    }
    assert_eq!(f(&p["params"]["zero_etl.refresh_interval"]), 3600.0);
    // Staleness = interval + the longest sync latency (1 minute here).
    assert!((f(&p["staleness_s"]) - 3660.0).abs() < 1e-6, "{p}");
}

#[test]
fn sweep_ranges_and_the_cartesian_product() {
    let v = sweep_json(&[
        "--param",
        "zero_etl.refresh_interval=900..3600*2",
        "--param",
        "serverless.base_rpu=8..16+8",
    ]);
    assert_eq!(v["param_names"].as_array().unwrap().len(), 2);
    let points = v["points"].as_array().unwrap();
    // 900, 1800, 3600 × 8, 16.
    assert_eq!(points.len(), 6);
    assert_eq!(f(&points[1]["params"]["serverless.base_rpu"]), 16.0);
    assert_eq!(f(&points[5]["params"]["zero_etl.refresh_interval"]), 3600.0);
    assert!(f(&points[1]["total_monthly_usd"]) > f(&points[0]["total_monthly_usd"]));
}

#[test]
fn max_staleness_picks_the_cheapest_interval_within_it() {
    let v = sweep_json(&[
        "--param",
        "zero_etl.refresh_interval=0,60,300,900,3600,21600",
        "--max-staleness",
        "15m",
    ]);
    // 900 s has 960 s of staleness (interval + 1-minute sync): 300 s is the pick.
    let pick = v["pick"].as_u64().unwrap() as usize;
    assert_eq!(
        f(&v["points"][pick]["params"]["zero_etl.refresh_interval"]),
        300.0
    );
    assert_eq!(f(&v["max_staleness_s"]), 900.0);
    let r = run(&[
        "sweep",
        TOKYO,
        "--param",
        "zero_etl.refresh_interval=0,60,300,900,3600,21600",
        "--max-staleness",
        "15m",
    ]);
    assert!(
        r.stdout
            .contains("Cheapest within 15.0 min of staleness: zero_etl.refresh_interval=300"),
        "{}",
        r.stdout
    );
    let none = sweep_json(&[
        "--param",
        "zero_etl.refresh_interval=3600",
        "--max-staleness",
        "1m",
    ]);
    assert!(none["pick"].is_null());
}

#[test]
fn sweep_csv_shape() {
    let r = run(&[
        "sweep",
        TOKYO,
        "--param",
        "zero_etl.refresh_interval=0,3600",
        "--format",
        "csv",
        "--max-staleness",
        "2h",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "zero_etl.refresh_interval,total_monthly_usd,compute_monthly_usd,sync_monthly_usd,latency_p95_s,staleness_s,pick");
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("0,3440.85"), "{}", lines[1]);
    assert!(lines[2].ends_with(",3660,yes"), "{}", lines[2]);
}

#[test]
fn sweep_errors_are_usage_errors() {
    for args in [
        vec!["sweep", TOKYO],
        vec!["sweep", TOKYO, "--param", "zero_etl.refresh_interval"],
        vec!["sweep", TOKYO, "--param", "zero_etl.refresh_interval=1..10"],
        vec!["sweep", TOKYO, "--param", "zero_etl.refresh_intervall=60"],
        vec!["sweep", TOKYO, "--param", "serverless.base_rpu=7"],
        vec!["sweep", TOKYO, "--param", "x=1", "--chart", "a.jpg"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
    }
    let r = run(&["sweep", TOKYO, "--param", "zero_etl.refresh_intervall=60"]);
    assert!(
        r.stderr.contains("did you mean `refresh_interval`"),
        "{}",
        r.stderr
    );
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

#[test]
fn sweep_chart_svg_and_png_are_valid_labelled_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("sweep.svg");
    let png = dir.path().join("sweep.png");
    let args = |out: &Path| {
        vec![
            "sweep".to_string(),
            TOKYO.to_string(),
            "--param".into(),
            "zero_etl.refresh_interval=0,60,300,900,3600,21600".into(),
            "--max-staleness".into(),
            "15m".into(),
            "--chart".into(),
            out.to_str().unwrap().to_string(),
        ]
    };
    let strs = |v: &[String]| {
        v.iter()
            .map(String::as_str)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    for out in [&svg, &png] {
        let a = strs(&args(out));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(run(&a).code, 0);
    }
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("width=\"1200\"") && text.contains("height=\"700\""));
    for label in [
        "monthly cost vs zero_etl.refresh_interval",
        "REFRESH_INTERVAL (log scale)",
        "Monthly cost (USD)",
        "Worst-case staleness",
        "pick: 5m",
    ] {
        assert!(text.contains(label), "SVG lacks {label:?}");
    }
    let first_png = std::fs::read(&png).unwrap();
    assert_eq!(png_size(&first_png), (1200, 700));
    let first_svg = text.into_bytes();
    for out in [&svg, &png] {
        let a = strs(&args(out));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(run(&a).code, 0);
    }
    assert_eq!(
        std::fs::read(&svg).unwrap(),
        first_svg,
        "SVG differs between runs"
    );
    assert_eq!(
        std::fs::read(&png).unwrap(),
        first_png,
        "PNG differs between runs"
    );
}

#[test]
fn estimate_draws_the_cost_breakdown_and_the_capacity_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let cost = dir.path().join("cost.svg");
    let timeline = dir.path().join("capacity.png");
    let r = run(&[
        "estimate",
        TOKYO,
        BI,
        "--chart",
        cost.to_str().unwrap(),
        "--timeline",
        timeline.to_str().unwrap(),
        "--from",
        "1d",
        "--to",
        "2d",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svg = std::fs::read_to_string(&cost).unwrap();
    for label in [
        "Monthly cost by scenario and kind of cost",
        "zero-ETL refreshes",
        "zero-etl tokyo 8 RPU",
        "BI dashboards, business hours",
    ] {
        assert!(svg.contains(label), "{label}");
    }
    // Two scenarios: one timeline each, suffixed, and a note naming each file.
    for name in [
        "capacity-zero-etl-tokyo-8-rpu.png",
        "capacity-bi-dashboards-business-hours.png",
    ] {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        assert_eq!(png_size(&bytes), (1200, 700));
        assert!(r.stderr.contains(name), "{}", r.stderr);
    }
    assert!(
        r.stderr.contains("--timeline, one file per scenario"),
        "{}",
        r.stderr
    );
    let bad = run(&[
        "estimate",
        TOKYO,
        "--timeline",
        "x.svg",
        "--from",
        "2d",
        "--to",
        "1d",
    ]);
    assert_eq!(bad.code, 2);
    // A window after the period ends is an error, not an empty chart.
    let after = run(&[
        "estimate",
        TOKYO,
        "--timeline",
        dir.path().join("late.svg").to_str().unwrap(),
        "--from",
        "40d",
    ]);
    assert_eq!(after.code, 2, "{}", after.stderr);
    assert!(
        after.stderr.contains("after its 720 h period ends"),
        "{}",
        after.stderr
    );
    assert!(!dir.path().join("late.svg").exists());
}

#[test]
fn timelines_default_to_the_busiest_hour_in_clock_time_and_heatmaps_cover_the_month() {
    let dir = tempfile::tempdir().unwrap();
    let timeline = dir.path().join("t.svg");
    let heatmap = dir.path().join("h.svg");
    let r = run(&[
        "estimate",
        BI,
        "--timeline",
        timeline.to_str().unwrap(),
        "--heatmap",
        heatmap.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = std::fs::read_to_string(&timeline).unwrap();
    assert!(t.contains("capacity, busiest hour, "), "{}", &t[..400]);
    assert!(t.contains("Time in UTC"));
    let h = std::fs::read_to_string(&heatmap).unwrap();
    assert!(h.contains("billed RPU-hours by day and hour"));
    for chart in [&t, &h] {
        let faults = redshift_cost::report::charts::layout::read_svg(chart).faults();
        assert!(faults.is_empty(), "{faults:#?}");
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// When reports/example says it was made (2026-01-01T00:00:00Z).
const EXAMPLE_EPOCH: &str = "1767225600";

#[test]
fn the_example_report_regenerates_identically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("example");
    let cache = tempfile::tempdir().unwrap();
    // The example says when it was made: pinned by SOURCE_DATE_EPOCH (2026-01-01).
    let r = crate::support::cli::cmd(cache.path())
        .env("SOURCE_DATE_EPOCH", EXAMPLE_EPOCH)
        .args(["report", TOKYO, BI, "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let expected = files(&root().join("reports/example"));
    let got = files(&out);
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&got), names(&expected));
    for ((name, a), (_, b)) in got.iter().zip(&expected) {
        assert!(
            a == b,
            "reports/example/{name} differs from a fresh run; if the change is intended, regenerate it with \
             `SOURCE_DATE_EPOCH={EXAMPLE_EPOCH} cargo run -- report {TOKYO} {BI} --out reports/example --prices bundled`"
        );
    }
}

#[test]
fn report_contents_budget_breach_and_baseline_deltas() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("2026-10");
    let r = run(&["report", TOKYO, "--out", first.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let second = dir.path().join("2026-11");
    let baseline = first.join("summary.json");
    let r = run(&[
        "report",
        TOKYO,
        BI,
        "--out",
        second.to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
        "--budget",
        "1000",
        "--set",
        "storage.managed_gb=200",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("over budget: scenario `BI dashboards, business hours`: budget 1,000.00 USD"),
        "{}",
        r.stderr
    );
    let md = std::fs::read_to_string(second.join("index.md")).unwrap();
    assert!(
        md.contains("![Monthly cost by scenario and kind of cost](cost-breakdown.svg)"),
        "{md}"
    );
    assert!(md.contains("### Over budget"));
    assert!(md.contains("## Changes since the baseline"));
    // Twice the managed storage: +100 GB × 0.0261 = +2.61 USD on 642.83.
    let expect = [
        "| zero-etl tokyo 8 RPU | ap-northeast-1 | 720 | 645.44 | 1,000.00 | ok | +2.61 USD (+0.4 %) |",
        "| zero-etl tokyo 8 RPU | managed storage | 2.61 | 5.22 | +2.61 | +100.0 % |",
        // 200 GB × 0.024 instead of 2,048 GB.
        "| BI dashboards, business hours | us-east-1 | 730 | 3,434.15 | 1,000.00 | **over budget** | new |",
        // The grand total, of the unrounded totals (645.44 + 3,434.15 shown).
        "| **All 2 scenarios** | | | **4,079.60** | | 1 over budget | |",
    ];
    for line in expect {
        assert!(md.contains(line), "missing {line}\n{md}");
    }
    let html = std::fs::read_to_string(second.join("index.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg") && html.contains("Monthly cost by scenario"));
    // A page for phones and screen readers: viewport, contents, captions and scopes.
    for part in [
        "<meta name=\"viewport\"",
        "<nav aria-label=\"Contents\">",
        "<a href=\"#bi-dashboards-business-hours\">",
        "<caption>Monthly cost of each scenario</caption>",
        "<th scope=\"col\">Scenario</th>",
        "<td class=\"over\">over budget</td>",
        "id=\"grand-total\"><strong>4,079.60</strong>",
        "<h2 id=\"baseline\">",
    ] {
        assert!(html.contains(part), "missing {part}");
    }
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "no external assets"
    );
    let summary: Value =
        serde_json::from_slice(&std::fs::read(second.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["budget_breaches"].as_array().unwrap().len(), 1);
    assert_eq!(
        png_size(&std::fs::read(second.join("cost-breakdown.png")).unwrap()),
        (1200, 420)
    );
}

#[test]
fn a_failed_report_leaves_no_partial_folder_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    assert_eq!(
        run(&["report", TOKYO, "--out", out.to_str().unwrap()]).code,
        0
    );
    let before = files(&out);
    // An invalid scenario: nothing is written, the old report stays whole.
    let r = run(&[
        "report",
        "tests/fixtures/bad/unknown-key.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(files(&out), before);
    // The target's parent is a file: the write fails (exit 1) and leaves nothing behind.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let r = run(&[
        "report",
        TOKYO,
        "--out",
        blocker.join("report").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut left = left;
    left.sort();
    assert_eq!(
        left,
        ["file", "report"],
        "temporary folders were left behind"
    );
}

#[test]
fn diff_marks_a_line_that_moved_while_its_own_work_did_not() {
    // A shorter REFRESH_INTERVAL changes the refreshes only; the analysts' queries are
    // the same, but their share of the busy periods they now share moves.
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    let tradeoff = "scenarios/zero-etl-refresh-tradeoff.toml";
    for (out, extra) in [(&old, None), (&new, Some("zero_etl.refresh_interval=300"))] {
        let mut args = vec![
            "estimate",
            tradeoff,
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ];
        if let Some(set) = extra {
            args.extend(["--set", set]);
        }
        assert_eq!(run(&args).code, 0);
    }
    let r = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let lines = v["scenarios"][0]["components"].as_array().unwrap();
    let line = |name: &str| lines.iter().find(|c| c["component"] == name).unwrap();
    assert_eq!(
        line("compute: analysts")["note"],
        "attribution moved: busy periods split"
    );
    // The refreshes' own work changed: no mark.
    assert!(line("compute: zero-etl sync").get("note").is_none());
    // No float noise in the deltas.
    assert!(!r.stdout.contains("00000000"), "{}", r.stdout);
    let md = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    assert!(
        md.stdout
            .contains("compute: analysts (attribution moved: busy periods split)"),
        "{}",
        md.stdout
    );
}

#[test]
fn diff_shows_per_component_deltas() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    assert_eq!(
        run(&[
            "estimate",
            TOKYO,
            "--format",
            "json",
            "--out",
            old.to_str().unwrap()
        ])
        .code,
        0
    );
    assert_eq!(
        run(&[
            "estimate",
            TOKYO,
            BI,
            "--format",
            "json",
            "--out",
            new.to_str().unwrap(),
            "--set",
            "storage.managed_gb=200"
        ])
        .code,
        0
    );
    let md = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(
        md.stdout.contains(
            "| zero-etl tokyo 8 RPU | managed storage | 2.61 | 5.22 | +2.61 | +100.0 % |"
        ),
        "{}",
        md.stdout
    );
    // Lines that did not change are hidden, and counted; --all shows them.
    assert!(
        !md.stdout.contains("compute: analyst queries"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains("2 unchanged lines not shown (--all shows every line)."),
        "{}",
        md.stdout
    );
    let all = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "markdown",
        "--all",
    ]);
    assert!(all.stdout.contains("| zero-etl tokyo 8 RPU | compute: analyst queries | 592.80 | 592.80 | +0.00 | +0.0 % |"), "{}", all.stdout);
    assert!(
        md.stdout
            .contains("| BI dashboards, business hours | compute: dashboards | — |"),
        "{}",
        md.stdout
    );
    let json = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["scenarios"][0]["components"][0]["change"], "unchanged");
    assert_eq!(v["scenarios"][1]["total"]["change"], "new");
    let table = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert!(table.stdout.contains("Δ (USD)"));
    let bad = run(&[
        "diff",
        old.to_str().unwrap(),
        "scenarios/zero-etl-tokyo-8rpu.toml",
    ]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("is not an estimate report"),
        "{}",
        bad.stderr
    );
}

#[test]
fn scenarios_with_the_same_name_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(TOKYO)).unwrap();
    for f in ["a.toml", "b.toml"] {
        std::fs::write(dir.path().join(f), &text).unwrap();
    }
    let r = run(&["estimate", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("are both named `zero-etl tokyo 8 RPU`"),
        "{}",
        r.stderr
    );
    // The same file twice is the same scenario twice: refused too.
    assert_eq!(run(&["estimate", TOKYO, TOKYO]).code, 2);
}
