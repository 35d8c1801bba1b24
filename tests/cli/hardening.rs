//! Nothing lost, nothing unbounded, nothing silently wrong: report folders that are not
//! the tool's, kills in the middle of a report, absurd sizes, absurd prices and
//! endpoints that never answer — through the real binary.

use crate::support::cli::{cmd, root, run, std_cmd};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKYO: &str = "scenarios/zero-etl-tokyo-8rpu.toml";

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn tokyo() -> String {
    root().join(TOKYO).to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------------
// report folders

#[test]
fn a_report_into_its_own_input_folder_is_refused_and_loses_nothing() {
    let ws = tempfile::tempdir().unwrap();
    let scen = ws.path().join("scen");
    std::fs::create_dir(&scen).unwrap();
    std::fs::copy(root().join(TOKYO), scen.join("tokyo.toml")).unwrap();
    let r = run(&[
        "report",
        scen.to_str().unwrap(),
        "--out",
        ws.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("is not empty and is not a report"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("`scen`"), "{}", r.stderr);
    assert_eq!(names(ws.path()), vec!["scen"]);
    assert_eq!(names(&scen), vec!["tokyo.toml"]);
}

#[test]
fn a_folder_with_notes_is_refused_and_force_writes_beside_the_notes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    let r = run(&["report", &tokyo(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("`notes.txt`"), "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(names(&out), vec!["notes.txt"]);

    // Forced, twice: the notes stay, the report is written beside them.
    for _ in 0..2 {
        let r = run(&[
            "report",
            &tokyo(),
            "--out",
            out.to_str().unwrap(),
            "--force",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let notes = std::fs::read_to_string(out.join("notes.txt")).unwrap();
        assert_eq!(notes, "keep me");
        assert!(out.join("summary.json").is_file());
        assert!(out.join(".redshift-cost-report").is_file());
    }
    // And the plain run is still refused: the notes are not the tool's.
    assert_eq!(
        run(&["report", &tokyo(), "--out", out.to_str().unwrap()]).code,
        2
    );
}

#[test]
fn a_second_report_replaces_its_own_folder_and_leaves_nothing_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    for budget in ["1", "100000"] {
        report_with_budget(&out, budget);
    }
    assert_eq!(names(dir.path()), vec!["report"]);
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(
        summary.contains("100000"),
        "the second report is the one in place"
    );
}

#[test]
fn parallel_reports_into_one_folder_all_succeed_and_leave_one_whole_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let cache = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut c = std_cmd(cache.path());
            c.args(["report", &tokyo(), "--out", out.to_str().unwrap()])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(names(dir.path()), vec!["report"]);
    assert!(names(&out).contains(&"summary.json".to_string()));
}

/// Writes the Tokyo report into `out` with `budget` (exit 0, or 3 when over it) and
/// returns its summary.json.
fn report_with_budget(out: &Path, budget: &str) -> Vec<u8> {
    let r = run(&[
        "report",
        &tokyo(),
        "--out",
        out.to_str().unwrap(),
        "--budget",
        budget,
    ]);
    assert!(r.code == 0 || r.code == 3, "{}", r.stderr);
    std::fs::read(out.join("summary.json")).unwrap()
}

/// Starts a report that pauses at `step`, kills it there with SIGKILL, and returns the
/// folder's `summary.json` afterwards (`None` when the folder is missing).
fn kill_at(out: &Path, step: &str, budget: &str, no_exchange: bool) -> Option<Vec<u8>> {
    let cache = tempfile::tempdir().unwrap();
    let mut c = std_cmd(cache.path());
    c.args([
        "report",
        &tokyo(),
        "--out",
        out.to_str().unwrap(),
        "--budget",
        budget,
    ])
    .env("REDSHIFT_COST_TEST_PAUSE_AT", step)
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    if no_exchange {
        c.env("REDSHIFT_COST_TEST_NO_EXCHANGE", "1");
    }
    let mut child = c.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut reader = BufReader::new(stderr);
    let mut paused = false;
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        if line.contains(&format!("paused at {step}")) {
            paused = true;
            break;
        }
        line.clear();
    }
    assert!(paused, "the run never reached `{step}`");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    std::fs::read(out.join("summary.json")).ok()
}

#[test]
fn a_report_killed_at_any_step_leaves_the_old_or_the_new_report_and_the_next_run_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let write = |budget: &str| report_with_budget(&out, budget);
    let old = write("111111");
    let whole = |summary: &[u8]| {
        let n = names(&out);
        assert!(
            n.contains(&"index.md".to_string()) && n.contains(&".redshift-cost-report".to_string()),
            "{n:?}"
        );
        summary.to_vec()
    };
    // Killed with the new folder built beside it: the old report is in place.
    let got = kill_at(&out, "built", "222222", false).expect("the folder is there");
    assert_eq!(whole(&got), old);
    // Killed right after the exchange: the new report is in place.
    let got = kill_at(&out, "exchanged", "333333", false).expect("the folder is there");
    let new = whole(&got);
    assert_ne!(new, old);
    assert!(String::from_utf8_lossy(&new).contains("333333"));
    // The next run removes what the killed runs left beside the folder.
    let last = write("444444");
    assert!(String::from_utf8_lossy(&last).contains("444444"));
    assert_eq!(names(dir.path()), vec!["report"]);

    // Without RENAME_EXCHANGE the old folder is moved aside first: killed there, the
    // folder is missing for a moment but the old report is whole beside it, and the next
    // run puts it back before it writes.
    let missing = kill_at(&out, "moved-aside", "555555", true);
    assert!(missing.is_none());
    let aside: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|n| {
            std::path::Path::new(n)
                .extension()
                .is_some_and(|x| x == "old")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{:?}", names(dir.path()));
    let kept = std::fs::read(dir.path().join(&aside[0]).join("summary.json")).unwrap();
    assert_eq!(kept, last);
    let after = write("666666");
    assert!(String::from_utf8_lossy(&after).contains("666666"));
    assert_eq!(names(dir.path()), vec!["report"]);
}

#[test]
fn an_output_file_is_whole_and_stale_temporaries_of_dead_runs_go() {
    // `--out FILE` goes through the same writer: a stale temporary of a dead run beside
    // it is removed by the next write, and the file is whole.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("estimate.json");
    std::fs::write(
        dir.path()
            .join(".estimate.json.redshift-cost.4000000000.tmp"),
        "half",
    )
    .unwrap();
    let r = run(&[
        "estimate",
        &tokyo(),
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(names(dir.path()), vec!["estimate.json"]);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(v["scenarios"].is_array());
}

#[test]
fn a_reader_that_closes_the_pipe_early_is_not_a_failure() {
    // `estimate ... | head -1`: the reader is gone before the report is written.
    let cache = tempfile::tempdir().unwrap();
    let mut c = std_cmd(cache.path());
    c.args(["estimate", "scenarios", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

// ---------------------------------------------------------------------------------
// bounded work

fn scenario(dir: &Path, body: &str) -> String {
    let p = dir.join("s.toml");
    std::fs::write(&p, body).unwrap();
    p.to_string_lossy().into_owned()
}

const BASE: &str = r#"name = "hardening"
region = "us-east-1"

[serverless]
base_rpu = 8
max_rpu = 64

[[workload]]
name = "analysts"
users = 10
queries_per_user_per_day = 10
duration = "30s"

[zero_etl]
source = "aurora-mysql"
refresh_interval = 300
"#;

#[test]
fn a_billion_users_is_refused_at_its_line_before_any_job_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(
        dir.path(),
        &BASE.replace("users = 10", "users = 1000000000"),
    );
    let r = run(&["estimate", &s]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("s.toml:10:9"), "{}", r.stderr);
    assert!(
        r.stderr.contains("more than the limit of 50,000,000"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("workload `analysts` asks for most of them"),
        "{}",
        r.stderr
    );
    // The limit is the user's to raise (or lower).
    let r = run(&["estimate", &s, "--max-jobs", "10"]);
    assert_eq!(r.code, 2);
    let ok = scenario(dir.path(), BASE);
    let r = run(&["--max-jobs", "10", "estimate", &ok]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("limit of 10"), "{}", r.stderr);
    assert_eq!(run(&["estimate", &ok, "--max-jobs", "100000"]).code, 0);
}

#[test]
fn absurd_intervals_durations_demands_and_rates_are_refused_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path(), BASE);
    let cases: &[(&str, &str)] = &[
        (
            "zero_etl.refresh_interval=0.001",
            "refresh_interval must be a whole number of seconds",
        ),
        (
            "zero_etl.refresh_interval=1e-300",
            "refresh_interval must be a whole number of seconds",
        ),
        (
            "workload.analysts.duration=\"1000h\"",
            "duration must be at most the period plus a day",
        ),
        (
            "workload.analysts.rpu=1e-310",
            "rpu must be from 0.01 to 6400 RPU",
        ),
        (
            "workload.analysts.rpu=1e8",
            "rpu must be from 0.01 to 6400 RPU",
        ),
        (
            "workload.analysts.trace=\"/dev/zero\"",
            "not a regular file",
        ),
        ("budget_usd=0x", "expected a number"),
    ];
    for (set, expected) in cases {
        let r = run(&["estimate", &s, "--set", set]);
        assert_eq!(r.code, 2, "--set {set}: {}", r.stderr);
        assert!(r.stderr.contains(expected), "--set {set}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    let in_file = scenario(
        dir.path(),
        &BASE.replace("refresh_interval = 300", "refresh_interval = 0.5"),
    );
    let r = run(&["estimate", &in_file]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("s.toml:16:20"), "{}", r.stderr);
}

#[test]
fn a_queue_that_cannot_drain_ends_with_an_error_not_a_spin() {
    // Allowed sizes whose queue would drain over millennia: the engine notices that its
    // clock no longer advances and stops.
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(
        dir.path(),
        &BASE
            .replace("users = 10\nqueries_per_user_per_day = 10", "per_day = 100")
            .replace("duration = \"30s\"", "duration = \"30d\"\nrpu = 6400"),
    );
    let r = run(&["estimate", &s]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("stopped making progress"), "{}", r.stderr);
}

#[test]
fn traces_with_bad_bytes_or_many_classes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.csv"),
        b"arrival_s,duration_s,class\n0,10,ok\n5,10,b\xffd\n".as_slice(),
    )
    .unwrap();
    let body = BASE.replace(
        "users = 10\nqueries_per_user_per_day = 10\nduration = \"30s\"",
        "trace = \"t.csv\"",
    );
    let s = scenario(dir.path(), &body);
    let r = run(&["estimate", &s]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("invalid UTF-8 in column `class`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("t.csv:3:7"), "{}", r.stderr);

    // 20,000 distinct classes: each its own cost line, none merged.
    let mut csv = String::from("arrival_s,duration_s,class\n");
    for i in 0..20_000 {
        csv.push_str(&format!("{},1,c{i}\n", i * 10));
    }
    std::fs::write(dir.path().join("t.csv"), csv).unwrap();
    let r = run(&["estimate", &s, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let classes = v["scenarios"][0]["serverless"]["by_class_rpu_seconds"]
        .as_object()
        .unwrap();
    // The trace's classes, the workload itself and the zero-ETL syncs.
    assert_eq!(classes.len(), 20_002);
}

#[test]
fn trace_errors_name_the_row_under_comments_blank_lines_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let body = BASE.replace(
        "users = 10\nqueries_per_user_per_day = 10\nduration = \"30s\"",
        "trace = \"t.csv\"",
    );
    let s = scenario(dir.path(), &body);
    for (csv, at) in [
        // The bad row is on line 4, after a comment and a blank line.
        (
            &b"arrival_s,duration_s\n# exported\n\n5,abc\n"[..],
            "t.csv:4:3",
        ),
        // CRLF line endings: line 2, not the header above it.
        (b"arrival_s,duration_s\r\n5,abc\r\n", "t.csv:2:3"),
        // A quoted field that spans two lines: the next row is on line 4.
        (
            b"arrival_s,duration_s,class\n0,1,\"two\nlines\"\n5,abc\n",
            "t.csv:4:3",
        ),
    ] {
        std::fs::write(dir.path().join("t.csv"), csv).unwrap();
        let r = run(&["estimate", &s]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("duration_s must be a number; found `abc`"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains(at), "{at}: {}", r.stderr);
    }
    // A comment on the last line, without a line break, is a comment (not an empty row).
    std::fs::write(
        dir.path().join("t.csv"),
        b"arrival_s,duration_s\n5,10\n# end",
    )
    .unwrap();
    let r = run(&["estimate", &s]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn an_invalid_utf8_scenario_is_a_located_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.toml");
    std::fs::write(&p, b"name = \"x\"\nregion = \"us-\xff-1\"\n".as_slice()).unwrap();
    let r = run(&["estimate", p.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("s.toml:2:14"), "{}", r.stderr);
    assert!(r.stderr.contains("invalid UTF-8"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------
// prices and endpoints

/// A TCP server on 127.0.0.1 that accepts connections and never answers; counts them.
struct Blackhole {
    url: String,
    accepted: Arc<AtomicUsize>,
}

impl Blackhole {
    fn start() -> Blackhole {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let n = accepted.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for conn in listener.incoming().flatten() {
                n.fetch_add(1, Ordering::SeqCst);
                held.push(conn); // kept open, never answered
            }
        });
        Blackhole { url, accepted }
    }
}

fn with_credentials(c: &mut assert_cmd::Command) {
    c.env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1");
}

#[test]
fn a_price_list_that_never_answers_falls_back_within_15_seconds() {
    let hole = Blackhole::start();
    let cache = tempfile::tempdir().unwrap();
    let mut c = cmd(cache.path());
    with_credentials(&mut c);
    c.env("REDSHIFT_COST_PRICES", "auto")
        .env("AWS_ENDPOINT_URL_PRICING", &hole.url)
        .args(["estimate", TOKYO, "--format", "json"])
        .timeout(Duration::from_mins(1));
    let start = Instant::now();
    let out = c.output().unwrap();
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        hole.accepted.load(Ordering::SeqCst) > 0,
        "the fetch was tried"
    );
    assert!(stderr.contains("using bundled prices"), "{stderr}");
    assert!(took < Duration::from_secs(15), "the fallback took {took:?}");
}

#[test]
fn a_cloudwatch_that_never_answers_fails_observe_within_30_seconds_and_never_touches_estimate() {
    let hole = Blackhole::start();
    let cache = tempfile::tempdir().unwrap();
    // estimate of a scenario without [observed] never connects to CloudWatch.
    let mut c = cmd(cache.path());
    with_credentials(&mut c);
    c.env("AWS_ENDPOINT_URL_CLOUDWATCH", &hole.url)
        .args(["estimate", TOKYO]);
    assert!(c.output().unwrap().status.success());
    assert_eq!(hole.accepted.load(Ordering::SeqCst), 0);

    let mut c = cmd(cache.path());
    with_credentials(&mut c);
    c.env("AWS_ENDPOINT_URL_CLOUDWATCH", &hole.url)
        .args(["observe", "--workgroup", "wg"])
        .timeout(Duration::from_secs(90));
    let start = Instant::now();
    let out = c.output().unwrap();
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("CloudWatch"), "{stderr}");
    assert!(hole.accepted.load(Ordering::SeqCst) > 0);
    assert!(took < Duration::from_secs(30), "observe took {took:?}");
}

#[test]
fn an_absurd_live_price_is_refused_not_used_and_not_cached() {
    let mut records = crate::support::pricelist::fixture_records();
    for r in &mut records {
        let on_demand_rpu = r["product"]["attributes"]["usagetype"]
            .as_str()
            .is_some_and(|u| u.ends_with("Redshift:ServerlessUsage"));
        if on_demand_rpu {
            for term in r["terms"]["OnDemand"].as_object_mut().unwrap().values_mut() {
                for dim in term["priceDimensions"]
                    .as_object_mut()
                    .unwrap()
                    .values_mut()
                {
                    dim["pricePerUnit"]["USD"] = "1000000000.0000000000".into();
                }
            }
        }
    }
    let server = crate::support::pricelist::PriceListServer::with_records(records);
    let cache = tempfile::tempdir().unwrap();
    let mut c = cmd(cache.path());
    with_credentials(&mut c);
    c.env("REDSHIFT_COST_PRICES", "auto")
        .env("AWS_ENDPOINT_URL_PRICING", server.url())
        .args(["estimate", TOKYO, "--format", "json"])
        .timeout(Duration::from_mins(1));
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("rejected rpu_hour = 1000000000"),
        "{stderr}"
    );
    assert!(stderr.contains("not cached"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let compute = v["scenarios"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["unit"] == "RPU-hour")
        .unwrap()
        .clone();
    let price = compute["unit_price_usd"].as_f64().unwrap();
    assert!(price < 1.0, "{compute}");
    assert!(
        compute["price_source"]
            .as_str()
            .unwrap()
            .starts_with("bundled"),
        "{compute}"
    );
    assert!(!cache.path().join("prices/ap-northeast-1.json").exists());
}
