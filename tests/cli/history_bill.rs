//! The bill (Cost Explorer, against moto seeded through its API) and the warehouse's own
//! history (the Redshift Data API, against tests/support/data_api_server.py, a fixture
//! server speaking its JSON 1.1 protocol), all on 127.0.0.1, through the real binary.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

use crate::support::servers::PyServer as Server;

/// `script` with `args`, when the test Python has moto.
fn serve(script: &str, args: &[&str]) -> Option<Server> {
    Server::start(script, args, "moto", "the Cost Explorer and Data API tests")
}

/// The binary, hermetic: static test credentials, no profile, no IMDS, bundled prices.
fn cmd(home: &Path) -> Command {
    let mut c = Command::cargo_bin("redshift-cost").expect("binary is built");
    c.current_dir(root())
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_MAX_ATTEMPTS", "2")
        .env("REDSHIFT_COST_CACHE_DIR", home)
        .env("REDSHIFT_COST_PRICES", "bundled")
        .env("NO_COLOR", "1");
    c
}

/// One day of Cost Explorer's answer: (usage type, cost, quantity, unit) groups.
fn ce_day(day: &str, next: &str, groups: &[(&str, String, String, &str)]) -> Value {
    json!({
        "TimePeriod": {"Start": day, "End": next},
        "Total": {},
        "Groups": groups.iter().map(|(t, cost, q, unit)| json!({
            "Keys": [t],
            "Metrics": {
                "UnblendedCost": {"Amount": cost, "Unit": "USD"},
                "UsageQuantity": {"Amount": q, "Unit": unit}
            }
        })).collect::<Vec<_>>(),
        "Estimated": false
    })
}

#[test]
fn observe_bill_reports_exactly_the_seeded_month_per_day_and_line() {
    // 30 days of ServerlessUsage RPU-hours and RMS GB-months, and a snapshot line on
    // some days, in two pages (the first carries a NextPageToken).
    let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let mut days = Vec::new();
    let mut expect_day: Vec<(String, i64, i64)> = Vec::new(); // (date, rpu-h ×1000, cost ×1000)
    let (mut rpu_total, mut cost_total) = (0i64, 0i64);
    for k in 0..30 {
        let d = start + chrono::Duration::days(k);
        let next = d + chrono::Duration::days(1);
        let rpu_milli = 100_000 + 1_234 * k; // 100.000 + 1.234 k RPU-hours
        let compute_milli = rpu_milli * 375 / 1000; // × 0.375 USD
        let gb_milli = 33_333 + k; // GB-months a day
        let storage_milli = gb_milli * 24 / 1000;
        let mut groups = vec![
            (
                "USE1-Redshift:ServerlessUsage",
                format!("{}.{:03}", compute_milli / 1000, compute_milli % 1000),
                format!("{}.{:03}", rpu_milli / 1000, rpu_milli % 1000),
                "Hrs",
            ),
            (
                "USE1-RMS:Serverless",
                format!("{}.{:03}", storage_milli / 1000, storage_milli % 1000),
                format!("{}.{:03}", gb_milli / 1000, gb_milli % 1000),
                "GB-Mo",
            ),
        ];
        let mut day_cost = compute_milli + storage_milli;
        if k % 7 == 0 {
            groups.push((
                "USE1-PaidSnapshotStorage",
                "1.500".into(),
                "65.217".into(),
                "GB-Mo",
            ));
            day_cost += 1500;
        }
        rpu_total += rpu_milli;
        cost_total += day_cost;
        expect_day.push((d.to_string(), rpu_milli, day_cost));
        days.push(ce_day(&d.to_string(), &next.to_string(), &groups));
    }
    let (first, second) = days.split_at(15);
    let results = json!({"results": [
        {"ResultsByTime": first, "NextPageToken": "page-2", "DimensionValueAttributes": []},
        {"ResultsByTime": second, "DimensionValueAttributes": []},
    ]});
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("ce.json");
    std::fs::write(&seed, serde_json::to_vec(&results).unwrap()).unwrap();
    let Some(moto) = serve("moto_server.py", &["--ce-results", seed.to_str().unwrap()]) else {
        return;
    };
    let out = cmd(dir.path())
        .env("AWS_ENDPOINT_URL_COST_EXPLORER", &moto.url)
        .args([
            "observe",
            "--bill",
            "--region",
            "us-east-1",
            "--end",
            "2026-12-01",
            "--days",
            "30",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let milli = |x: &Value| (x.as_f64().unwrap() * 1000.0).round() as i64;
    let line = |name: &str| {
        v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["line"] == name)
            .unwrap_or_else(|| panic!("no line {name}: {v}"))
            .clone()
    };
    let compute = line("serverless compute");
    assert_eq!(milli(&compute["quantity"]), rpu_total);
    assert_eq!(
        compute["usage_types"],
        json!(["USE1-Redshift:ServerlessUsage"])
    );
    assert_eq!(compute["unit"], "Hrs");
    assert_eq!(line("managed storage")["unit"], "GB-Mo");
    assert_eq!(milli(&line("snapshots")["cost_usd"]), 5 * 1500);
    assert_eq!(milli(&v["total_usd"]), cost_total);
    // Exact sums: no float noise in the document.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("0000000") && !text.contains("9999999"),
        "{text}"
    );
    let got_days = v["days"].as_array().unwrap();
    assert_eq!(got_days.len(), 30);
    for (day, (date, rpu, cost)) in got_days.iter().zip(&expect_day) {
        assert_eq!(day["date"], date.as_str());
        assert_eq!(
            milli(&day["lines"]["serverless compute"]["quantity"]),
            *rpu,
            "{date}"
        );
        assert_eq!(milli(&day["cost_usd"]), *cost, "{date}");
    }
    // The table says the same, and a tag narrows the filter (moto answers the new
    // request body from its queue: nothing left, so an empty bill).
    let table = cmd(dir.path())
        .env("AWS_ENDPOINT_URL_COST_EXPLORER", &moto.url)
        .args([
            "observe",
            "--bill",
            "--region",
            "us-east-1",
            "--end",
            "2026-12-01",
            "--days",
            "30",
        ])
        .output()
        .unwrap();
    assert!(table.status.success());
    let t = String::from_utf8_lossy(&table.stdout);
    assert!(
        t.contains("serverless compute") && t.contains("USE1-RMS:Serverless"),
        "{t}"
    );
    let bad_tag = cmd(dir.path())
        .args(["observe", "--bill", "--cost-tag", "team"])
        .output()
        .unwrap();
    assert_eq!(bad_tag.status.code(), Some(2));
}

/// A SYS_QUERY_HISTORY fixture: 300 queries over two days, every 10th a cache hit.
fn query_rows() -> Vec<Value> {
    (0..300)
        .map(|i| {
            let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                + chrono::Duration::seconds(600 * i + 17);
            json!([
                at.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
                1_500_000 + 250_000 * (i % 9),
                if i % 3 == 0 { "INSERT" } else { "SELECT" },
                100 + i % 4,
                "",
                i % 10 == 0
            ])
        })
        .collect()
}

fn fixture(dir: &Path, usage_rows: Vec<Value>) -> PathBuf {
    let f = json!({
        "page_size": 70,
        "time_column": {
            "sys_query_history": "start_time",
            "sys_serverless_usage": "start_time",
            "sys_integration_activity": "integration_start_time"
        },
        "tables": {
            "sys_query_history": {
                "columns": [["start_time", "timestamp"], ["elapsed_time", "int8"], ["query_type", "varchar"], ["user_id", "int4"], ["query_label", "varchar"], ["result_cache_hit", "bool"]],
                "rows": query_rows()
            },
            "sys_serverless_usage": {
                "columns": [["start_time", "timestamp"], ["end_time", "timestamp"], ["compute_seconds", "float8"], ["compute_capacity", "float8"], ["charged_seconds", "int8"]],
                "rows": usage_rows
            },
            "sys_integration_activity": {
                "columns": [["integration_id", "varchar"], ["checkpoint_type", "varchar"], ["checkpoint_bytes", "int8"], ["integration_start_time", "timestamp"], ["integration_end_time", "timestamp"]],
                "rows": (0..96).map(|k| {
                    let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(0, 0, 0).unwrap()
                        + chrono::Duration::seconds(900 * k);
                    let mb = 10 + (k % 5) * 20;
                    // 45 s fixed + 2 s a 10 MB.
                    let dur = 45 + mb / 5;
                    json!(["integ-1", "cdc", mb * 1_000_000,
                           at.format("%Y-%m-%d %H:%M:%S").to_string(),
                           (at + chrono::Duration::seconds(dur)).format("%Y-%m-%d %H:%M:%S").to_string()])
                }).collect::<Vec<_>>()
            }
        }
    });
    let path = dir.join("fixture.json");
    std::fs::write(&path, serde_json::to_vec(&f).unwrap()).unwrap();
    path
}

fn history(dir: &Path, server: &Server, args: &[&str]) -> std::process::Output {
    cmd(dir)
        .env("AWS_ENDPOINT_URL_REDSHIFT_DATA", &server.url)
        .arg("history")
        .args(args)
        .args(["--database", "dev", "--end", "2026-01-07", "--days", "2"])
        .output()
        .unwrap()
}

#[test]
fn history_queries_writes_a_trace_of_the_served_rows_that_estimate_runs_on() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.jsonl");
    let fx = fixture(dir.path(), Vec::new());
    let Some(server) = serve(
        "data_api_server.py",
        &[fx.to_str().unwrap(), "--log", log.to_str().unwrap()],
    ) else {
        return;
    };
    let trace = dir.path().join("trace.csv");
    let out = history(
        dir.path(),
        &server,
        &[
            "queries",
            "--workgroup",
            "analytics",
            "--out",
            trace.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("259 queries written (29 result-cache hits skipped"),
        "{stderr}"
    );
    // Row by row: the served rows without the cache hits, in seconds.
    let csv = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "arrival_s,duration_s,class");
    let served: Vec<(f64, f64, String)> = query_rows()
        .iter()
        .filter(|r| r[5] == false && r[0].as_str().unwrap() < "2026-01-07")
        .map(|r| {
            let at = chrono::NaiveDateTime::parse_from_str(
                r[0].as_str().unwrap(),
                "%Y-%m-%d %H:%M:%S%.f",
            )
            .unwrap();
            let origin = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap();
            (
                (at - origin).num_seconds() as f64,
                r[1].as_f64().unwrap() / 1e6,
                r[2].as_str().unwrap().to_lowercase(),
            )
        })
        .collect();
    assert_eq!(lines.len() - 1, served.len());
    for (line, (a, d, c)) in lines[1..].iter().zip(&served) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[0].parse::<f64>().unwrap(), *a);
        assert_eq!(f[1].parse::<f64>().unwrap(), *d);
        assert_eq!(f[2], c);
    }
    // The window went as typed parameters, the SQL has no literal, results came in pages.
    let requests: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let exec = requests
        .iter()
        .find(|r| r["op"] == "ExecuteStatement")
        .unwrap();
    assert_eq!(
        exec["body"]["Parameters"],
        json!([
            {"name": "window_start", "value": "2026-01-05 00:00:00"},
            {"name": "window_end", "value": "2026-01-07 00:00:00"}
        ])
    );
    assert_eq!(exec["body"]["WorkgroupName"], "analytics");
    assert!(
        requests
            .iter()
            .filter(|r| r["op"] == "DescribeStatement")
            .count()
            >= 3,
        "SUBMITTED → STARTED → FINISHED"
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r["op"] == "GetStatementResult")
            .count(),
        5,
        "300 rows in pages of 70"
    );
    // A scenario replays the trace.
    let scenario = dir.path().join("replay.toml");
    std::fs::write(
        &scenario,
        format!(
            "name = \"replay\"\nregion = \"us-east-1\"\n[period]\nstart = \"2026-01-05\"\nlength = \"2d\"\n[serverless]\nbase_rpu = 8\n[[workload]]\nname = \"history\"\ntrace = \"{}\"\n",
            trace.display()
        ),
    )
    .unwrap();
    let est = cmd(dir.path())
        .args(["estimate", scenario.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(
        est.status.success(),
        "{}",
        String::from_utf8_lossy(&est.stderr)
    );
    let v: Value = serde_json::from_slice(&est.stdout).unwrap();
    assert_eq!(v["scenarios"][0]["serverless"]["jobs"], 259);
}

#[test]
fn history_refreshes_fits_the_sync_duration_and_apply_rate() {
    let dir = tempfile::tempdir().unwrap();
    let fx = fixture(dir.path(), Vec::new());
    let Some(server) = serve("data_api_server.py", &[fx.to_str().unwrap()]) else {
        return;
    };
    let out = history(
        dir.path(),
        &server,
        &["refreshes", "--workgroup", "analytics", "--format", "json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let i = &v["integrations"][0];
    assert_eq!(i["refreshes"], 96);
    assert_eq!(i["cadence_s"], 900.0);
    // duration = 45 s + MB / 5 MB/s.
    assert!(
        (i["sync_duration_s"].as_f64().unwrap() - 45.0).abs() < 1e-6,
        "{i}"
    );
    assert!(
        (i["apply_mb_per_second"].as_f64().unwrap() - 5.0).abs() < 1e-6,
        "{i}"
    );
    assert!(i["suggested_toml"]
        .as_str()
        .unwrap()
        .contains("refresh_interval = 900"));
}

#[test]
fn data_api_faults_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let fx = fixture(dir.path(), Vec::new());
    let Some(server) = serve("data_api_server.py", &[fx.to_str().unwrap()]) else {
        return;
    };
    let run = |wg: &str, extra: &[&str]| {
        let mut args = vec!["usage", "--workgroup", wg];
        args.extend_from_slice(extra);
        let o = history(dir.path(), &server, &args);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, err) = run("denied", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("access denied") && err.contains("redshift-data:ExecuteStatement"),
        "{err}"
    );
    let (code, err) = run("throttled", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("kept throttling ExecuteStatement"), "{err}");
    // Throttled once, then answered: the retry succeeds (and the window is empty here).
    let (code, err) = run("throttled-once", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("has no rows"), "{err}");
    let (code, err) = run("stuck", &["--max-wait", "2s"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("did not finish within 2 s") && err.contains("cancelled"),
        "{err}"
    );
    let (code, err) = run("failing", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("failed: ERROR: permission denied"), "{err}");
    let (code, err) = run("empty", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("SYS_SERVERLESS_USAGE has no rows"), "{err}");
}

/// SYS_SERVERLESS_USAGE rows of `scenario` simulated under `metering`, a row a minute.
fn usage_rows(scenario: &str, metering: redshift_cost_core::engine::Metering) -> Vec<Value> {
    let loaded =
        redshift_cost::scenario::parse_scenario(scenario, Path::new("s.toml"), &[], &[]).unwrap();
    let mut s = loaded.scenario;
    s.serverless.as_mut().unwrap().metering = metering;
    let options = redshift_cost_core::engine::SimOptions {
        buckets: Some(60.0),
        ..Default::default()
    };
    let (r, _) = redshift_cost_core::model::timeline::simulate_scenario(&s, &options)
        .unwrap()
        .unwrap();
    let origin = s.period.start.and_hms_opt(0, 0, 0).unwrap();
    r.bucket_billed_rpu_seconds
        .iter()
        .zip(&r.bucket_busy_rpu_seconds)
        .enumerate()
        .filter(|(_, (b, _))| **b > 0.0)
        .map(|(k, (billed, busy))| {
            let at = origin + chrono::Duration::minutes(k as i64);
            json!([
                at.format("%Y-%m-%d %H:%M:%S").to_string(),
                (at + chrono::Duration::minutes(1))
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                busy,
                busy / 60.0,
                billed.round() as i64
            ])
        })
        .collect()
}

const SHORT_QUERIES: &str = "name = \"short queries\"\nregion = \"us-east-1\"\nseed = 7\n[period]\nstart = \"2026-01-05\"\nlength = \"2d\"\n[serverless]\nbase_rpu = 8\nmax_rpu = 64\n[[workload]]\nname = \"pings\"\nper_day = 400\nduration = \"12s\"\narrival = \"poisson\"\n";

#[test]
fn history_usage_identifies_the_metering_rule_the_usage_was_made_under() {
    use redshift_cost_core::engine::Metering;
    let scenario_dir = tempfile::tempdir().unwrap();
    let scenario = scenario_dir.path().join("short.toml");
    std::fs::write(&scenario, SHORT_QUERIES).unwrap();
    for (rule, name) in [
        (Metering::PerMinute, "per-minute"),
        (Metering::BusyPeriod, "busy-period"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let rows = usage_rows(SHORT_QUERIES, rule);
        let (billed, ran): (f64, f64) = rows.iter().fold((0.0, 0.0), |(b, r), row| {
            (b + row[4].as_f64().unwrap(), r + row[2].as_f64().unwrap())
        });
        let fx = fixture(dir.path(), rows);
        let Some(server) = serve("data_api_server.py", &[fx.to_str().unwrap()]) else {
            return;
        };
        let out = history(
            dir.path(),
            &server,
            &[
                "usage",
                "--workgroup",
                "analytics",
                "--scenario",
                scenario.to_str().unwrap(),
                "--format",
                "json",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["charged_rpu_seconds"].as_f64().unwrap(), billed);
        assert!((v["compute_rpu_seconds"].as_f64().unwrap() - ran).abs() < 1e-3);
        assert_eq!(v["days"].as_array().unwrap().len(), 2);
        let m = &v["metering"];
        assert_eq!(m["fits"], name, "{m}");
        assert!(
            m["busy_period_overhead"].as_f64().unwrap()
                < m["per_minute_overhead"].as_f64().unwrap()
        );
        assert!(m["statement"]
            .as_str()
            .unwrap()
            .contains(&format!("set `metering = \"{name}\"`")));
    }
}
