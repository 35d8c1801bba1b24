//! `observe` and `estimate` with `[observed]` against a real CloudWatch emulator: moto,
//! behind tests/support/cbor_proxy.py (the SDK speaks Smithy RPC v2 CBOR, moto JSON 1.0),
//! both on 127.0.0.1. The tests write a month of metrics with PutMetricData through the
//! SDK, then run the real binary against them.
//!
//! Needs the Python virtual environment that `bash scripts/test.sh` creates (`.venv`, or
//! `REDSHIFT_COST_TEST_PYTHON`). Without it these tests fail when CI=true and are skipped,
//! with a notice, otherwise.

use crate::support::servers::PyServer;
use assert_cmd::Command;
use aws_sdk_cloudwatch::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use chrono::{Duration, NaiveDate, Utc};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// moto + the CBOR proxy (and, with a Cost Explorer seed, moto on its own port behind
/// the proxy, so that Cost Explorer is answered too); ends when dropped.
struct Backend {
    proxy: PyServer,
    /// moto serving Cost Explorer (and, through the proxy, CloudWatch).
    moto: Option<PyServer>,
    url: String,
}

const NEEDED_BY: &str = "the CloudWatch tests";

impl Backend {
    fn start() -> Option<Backend> {
        let proxy = PyServer::start("cbor_proxy.py", &["--moto"], "moto, cbor2", NEEDED_BY)?;
        let url = proxy.url.clone();
        Some(Backend {
            proxy,
            moto: None,
            url,
        })
    }

    /// moto seeded with `GetCostAndUsage` answers (`ce_results`), CloudWatch through
    /// the proxy in front of the same moto.
    fn start_with_bill(ce_results: &Path) -> Option<Backend> {
        let moto = PyServer::start(
            "moto_server.py",
            &["--ce-results", ce_results.to_str().unwrap()],
            "moto, cbor2",
            NEEDED_BY,
        )?;
        let proxy = PyServer::start(
            "cbor_proxy.py",
            &["--upstream", &moto.url],
            "moto, cbor2",
            NEEDED_BY,
        )?;
        let url = proxy.url.clone();
        Some(Backend {
            proxy,
            moto: Some(moto),
            url,
        })
    }

    /// An SDK client for writing test data through the proxy.
    fn sdk(&self) -> aws_sdk_cloudwatch::Client {
        let conf = aws_sdk_cloudwatch::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .build();
        aws_sdk_cloudwatch::Client::from_conf(conf)
    }

    /// The binary, hermetic, pointed at this backend.
    fn cmd(&self, home: &Path) -> Command {
        let mut c = cmd(home);
        c.env("AWS_ENDPOINT_URL_CLOUDWATCH", &self.proxy.url);
        if let Some(m) = &self.moto {
            c.env("AWS_ENDPOINT_URL_COST_EXPLORER", &m.url);
        }
        c
    }
}

/// The binary with static credentials, no IMDS, no profile files, bundled prices.
fn cmd(home: &Path) -> Command {
    let mut c = Command::cargo_bin("redshift-cost").expect("binary is built");
    c.current_dir(root())
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_MAX_ATTEMPTS")
        .env_remove("AWS_RETRY_MODE")
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("REDSHIFT_COST_CACHE_DIR", home)
        .env("REDSHIFT_COST_PRICES", "bundled")
        .env("NO_COLOR", "1");
    c
}

/// The window the tests use: 30 whole days ending two days ago.
fn window_end() -> NaiveDate {
    Utc::now().date_naive() - Duration::days(2)
}

fn dims(pairs: &[(&str, &str)]) -> Vec<Dimension> {
    pairs
        .iter()
        .map(|(n, v)| Dimension::builder().name(*n).value(*v).build())
        .collect()
}

/// Writes `data` with PutMetricData, in batches.
fn put(backend: &Backend, namespace: &str, data: Vec<MetricDatum>) {
    let client = backend.sdk();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for batch in data.chunks(500) {
            client
                .put_metric_data()
                .namespace(namespace)
                .set_metric_data(Some(batch.to_vec()))
                .send()
                .await
                .expect("PutMetricData through the proxy");
        }
    });
}

fn hourly(day: NaiveDate, hour: u32) -> aws_smithy_types::DateTime {
    let t = day.and_hms_opt(hour, 0, 0).unwrap().and_utc();
    aws_smithy_types::DateTime::from_secs(t.timestamp())
}

/// A month of one workgroup: every hour `rpu_seconds_per_hour` of ComputeSeconds (none on
/// `skip` days), ComputeCapacity 8, DataStorage 102,400 MB (100 GB) for namespace `ns`,
/// and a query metric naming both, as Redshift Serverless publishes them.
fn load_month(backend: &Backend, workgroup: &str, rpu_seconds_per_hour: f64, skip: &[i64]) {
    let first = window_end() - Duration::days(30);
    let mut data = Vec::new();
    for d in 0..30 {
        let day = first + Duration::days(d);
        for h in 0..24 {
            let ts = hourly(day, h);
            data.push(
                MetricDatum::builder()
                    .metric_name("DataStorage")
                    .set_dimensions(Some(dims(&[("Namespace", "ns")])))
                    .timestamp(ts)
                    .value(102_400.0)
                    .unit(StandardUnit::Megabytes)
                    .build(),
            );
            if skip.contains(&d) {
                continue;
            }
            data.push(
                MetricDatum::builder()
                    .metric_name("ComputeSeconds")
                    .set_dimensions(Some(dims(&[("Workgroup", workgroup)])))
                    .timestamp(ts)
                    .value(rpu_seconds_per_hour)
                    .unit(StandardUnit::Seconds)
                    .build(),
            );
            data.push(
                MetricDatum::builder()
                    .metric_name("ComputeCapacity")
                    .set_dimensions(Some(dims(&[("Workgroup", workgroup)])))
                    .timestamp(ts)
                    .value(8.0)
                    .unit(StandardUnit::Count)
                    .build(),
            );
        }
    }
    data.push(
        MetricDatum::builder()
            .metric_name("QueriesCompletedPerSecond")
            .set_dimensions(Some(dims(&[("Workgroup", workgroup), ("Namespace", "ns")])))
            .timestamp(hourly(first, 12))
            .value(1.0)
            .unit(StandardUnit::CountSecond)
            .build(),
    );
    put(backend, "AWS/Redshift-Serverless", data);
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(mut c: Command, args: &[&str]) -> Run {
    let out = c.args(args).output().unwrap();
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn json_of(r: &Run) -> Value {
    assert_eq!(r.code, 0, "stderr: {}\nstdout: {}", r.stderr, r.stdout);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

#[test]
fn observe_reports_exactly_what_was_written() {
    let Some(backend) = Backend::start() else {
        return;
    };
    // 2 days with no datapoints: gaps, not zeros.
    let per_hour = 17_280.0;
    load_month(&backend, "wg", per_hour, &[3, 4]);
    load_month(&backend, "other", 100.0, &[]);
    let home = tempfile::tempdir().unwrap();
    let end = window_end().to_string();
    let r = run(
        backend.cmd(home.path()),
        &[
            "observe",
            "--workgroup",
            "wg",
            "--end",
            &end,
            "--format",
            "json",
        ],
    );
    let j = json_of(&r);
    let written = per_hour * 24.0 * 28.0;
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["workgroup"], "wg");
    assert_eq!(j["days"], 30);
    assert_eq!(j["compute_rpu_seconds"].as_f64(), Some(written));
    assert_eq!(j["compute_rpu_hours"].as_f64(), Some(written / 3600.0));
    assert_eq!(j["compute_unit"], "Seconds");
    // Storage: the namespace was discovered beside the workgroup; MB read as MB.
    assert_eq!(j["namespace"], "ns");
    assert_eq!(j["storage_gb_avg"].as_f64(), Some(100.0));
    assert_eq!(j["storage_unit"], "Megabytes");
    // Monthly figures: the 720-hour window scaled to 730 hours, at bundled prices.
    let prices = redshift_cost::sources::prices::bundled::bundled()
        .region("us-east-1")
        .unwrap()
        .clone();
    let rpu_hour = prices.rpu_hour.unwrap().usd;
    let monthly = written / 3600.0 * 730.0 / 720.0 * rpu_hour;
    let got = j["monthly_compute_usd"].as_f64().unwrap();
    assert!((got - monthly).abs() < 1e-9, "{got} vs {monthly}");
    let rms = prices.rms_gb_month.unwrap().usd;
    let got = j["monthly_storage_usd"].as_f64().unwrap();
    assert!((got - 100.0 * rms).abs() < 1e-9, "{got}");
    assert_eq!(j["capacity_rpu_avg"].as_f64(), Some(8.0));
    // The daily series: 30 days, two of them gaps (null), the rest 24 hours each.
    let daily = j["daily"].as_array().unwrap();
    assert_eq!(daily.len(), 30);
    let first = window_end() - Duration::days(30);
    assert_eq!(daily[0]["date"], first.to_string());
    assert_eq!(
        daily[0]["rpu_hours"].as_f64(),
        Some(per_hour * 24.0 / 3600.0)
    );
    assert!(daily[3]["rpu_hours"].is_null() && daily[4]["rpu_hours"].is_null());
    assert_eq!(j["gap_days"].as_array().unwrap().len(), 2);
    assert!(
        r.stderr
            .contains("2 of 30 days have no ComputeSeconds datapoints"),
        "{}",
        r.stderr
    );
    let profile = j["hourly_profile"].as_array().unwrap();
    assert_eq!(profile.len(), 24);
    let avg = profile[5]["rpu_hours_avg"].as_f64().unwrap();
    assert!((avg - per_hour / 3600.0).abs() < 1e-9, "{avg}");
    assert!(j["notes"][0]
        .as_str()
        .unwrap()
        .contains("lower bound on the bill"));

    // The table says the same.
    let r = run(
        backend.cmd(home.path()),
        &[
            "observe",
            "--workgroup",
            "wg",
            "--namespace",
            "ns",
            "--end",
            &end,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown = redshift_cost::report::format::quantity(written / 3600.0);
    assert!(
        r.stdout.contains(&format!("{shown} RPU-hours")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Hour-of-day profile"), "{}", r.stdout);
    assert!(r.stdout.contains("gap"), "{}", r.stdout);
}

#[test]
fn observe_names_the_workgroups_that_exist() {
    let Some(backend) = Backend::start() else {
        return;
    };
    load_month(&backend, "analytics", 3600.0, &[]);
    let home = tempfile::tempdir().unwrap();
    let end = window_end().to_string();
    let r = run(
        backend.cmd(home.path()),
        &[
            "observe",
            "--workgroup",
            "analytcs",
            "--namespace",
            "ns",
            "--end",
            &end,
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("CloudWatch has no metrics for workgroup `analytcs` in us-east-1 (AWS/Redshift-Serverless); workgroups with metrics there: `analytics`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

fn scenario(dir: &Path, extra: &str) -> PathBuf {
    // 24 half-hour jobs a day at 8 RPU, an hour apart: 345,600 RPU-seconds a day, no
    // minimum charges, linear in the duration.
    let end = window_end();
    let text = format!(
        "name = \"observed wg\"\nregion = \"us-east-1\"\nperiod = \"30d\"\n\
         [serverless]\nbase_rpu = 8\n\
         [[workload]]\nname = \"jobs\"\nper_day = 24\nduration = \"30m\"\nrpu = 8\n\
         [observed]\nworkgroup = \"wg\"\nnamespace = \"ns\"\ndays = 30\nend = {end}\n{extra}"
    );
    let path = dir.join("observed.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn estimate_puts_modelled_beside_observed_and_calibrates() {
    let Some(backend) = Backend::start() else {
        return;
    };
    // Observed: 20 % more than the model (8 RPU × 1,800 s × 1.2 an hour).
    load_month(&backend, "wg", 17_280.0, &[]);
    let home = tempfile::tempdir().unwrap();
    let path = scenario(home.path(), "");
    let path = path.to_str().unwrap();

    let j = json_of(&run(
        backend.cmd(home.path()),
        &["estimate", path, "--format", "json"],
    ));
    let s = &j["scenarios"][0];
    let o = &s["observed"];
    let observed = 17_280.0 * 24.0 * 30.0;
    let modelled = 14_400.0 * 24.0 * 30.0;
    assert_eq!(o["workgroup"], "wg");
    assert_eq!(o["observed_rpu_seconds"].as_f64(), Some(observed));
    let m = o["modelled_rpu_seconds"].as_f64().unwrap();
    assert!((m - modelled).abs() < 1e-3, "{m}");
    let diff = o["difference_pct"].as_f64().unwrap();
    let expected = (modelled - observed) / observed * 100.0;
    assert!((diff - expected).abs() < 1e-6, "{diff} vs {expected}");
    assert!(o["calibration"].is_null());
    // The estimate itself is unchanged by the observation.
    let billed = s["serverless"]["billed_rpu_seconds"].as_f64().unwrap();
    assert!((billed - modelled).abs() < 1e-3, "{billed}");

    // The table shows both, with the difference and the lower-bound caveat.
    let r = run(backend.cmd(home.path()), &["estimate", path]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Observed (CloudWatch, workgroup `wg`, 30 days"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("(-16.7 % vs observed)"), "{}", r.stdout);
    assert!(r.stdout.contains("lower bound on the bill"), "{}", r.stdout);

    // --calibrate: durations × 1.2, the model now matches the observation.
    let j = json_of(&run(
        backend.cmd(home.path()),
        &["estimate", path, "--calibrate", "--format", "json"],
    ));
    let o = &j["scenarios"][0]["observed"];
    let factor = o["calibration"]["factor"].as_f64().unwrap();
    assert!((factor - 1.2).abs() < 1e-6, "{factor}");
    assert!(o["difference_pct"].as_f64().unwrap().abs() < 1e-4, "{o}");
    let billed = j["scenarios"][0]["serverless"]["billed_rpu_seconds"]
        .as_f64()
        .unwrap();
    assert!((billed - observed).abs() / observed < 1e-6, "{billed}");

    // What-ifs apply on top of the calibrated model: half the jobs, half the compute.
    let j = json_of(&run(
        backend.cmd(home.path()),
        &[
            "estimate",
            path,
            "--calibrate",
            "--set",
            "workload.jobs.per_day=12",
            "--format",
            "json",
        ],
    ));
    let o = &j["scenarios"][0]["observed"];
    let factor = o["calibration"]["factor"].as_f64().unwrap();
    assert!(
        (factor - 1.2).abs() < 1e-6,
        "the factor comes from the file as written: {factor}"
    );
    let diff = o["difference_pct"].as_f64().unwrap();
    assert!((diff + 50.0).abs() < 1e-3, "{diff}");
}

#[test]
fn unreachable_cloudwatch_warns_once_and_estimates_anyway() {
    // Needs no moto: nothing listens on the port.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let home = tempfile::tempdir().unwrap();
    let path = scenario(home.path(), "");
    // A second scenario (under a name of its own) on the same unreachable endpoint.
    let second = home.path().join("second.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("name = \"observed wg\""));
    std::fs::write(
        &second,
        text.replace("name = \"observed wg\"", "name = \"observed wg 2\""),
    )
    .unwrap();
    let mut c = cmd(home.path());
    c.env(
        "AWS_ENDPOINT_URL_CLOUDWATCH",
        format!("http://127.0.0.1:{port}"),
    )
    .env("AWS_MAX_ATTEMPTS", "1");
    let r = run(
        c,
        &[
            "estimate",
            path.to_str().unwrap(),
            second.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let j = json_of(&r);
    assert!(j["scenarios"][0].get("observed").is_none());
    assert_eq!(
        r.stderr
            .matches("observed usage is not shown: cannot reach CloudWatch")
            .count(),
        1,
        "{}",
        r.stderr
    );

    // --calibrate cannot go on without the observation: exit 1.
    let mut c = cmd(home.path());
    c.env(
        "AWS_ENDPOINT_URL_CLOUDWATCH",
        format!("http://127.0.0.1:{port}"),
    )
    .env("AWS_MAX_ATTEMPTS", "1");
    let r = run(c, &["estimate", path.to_str().unwrap(), "--calibrate"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("cannot calibrate: cannot reach CloudWatch"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

/// Short jobs whose 60-second minimums dominate: the two metering rules bill them
/// differently.
fn short_jobs_scenario(dir: &Path) -> (PathBuf, String) {
    let end = window_end();
    let text = format!(
        "name = \"billed wg\"\nregion = \"us-east-1\"\nperiod = \"30d\"\n\
         [serverless]\nbase_rpu = 8\n\
         [[workload]]\nname = \"pings\"\nper_day = 200\nduration = \"20s\"\nrpu = 8\n\
         [observed]\nworkgroup = \"wg\"\nnamespace = \"ns\"\ndays = 30\nend = {end}\nbill = true\n"
    );
    let path = dir.join("billed.toml");
    std::fs::write(&path, &text).unwrap();
    (path, text)
}

/// (ran, billed) RPU-seconds of `text` simulated under `rule`.
fn simulated(text: &str, rule: redshift_cost_core::engine::Metering) -> (f64, f64) {
    let mut s = redshift_cost::scenario::parse_scenario(text, Path::new("s.toml"), &[], &[])
        .unwrap()
        .scenario;
    s.serverless.as_mut().unwrap().metering = rule;
    let (r, _) = redshift_cost_core::model::timeline::simulate_scenario(
        &s,
        &redshift_cost_core::engine::SimOptions::default(),
    )
    .unwrap()
    .unwrap();
    (r.busy_rpu_seconds.0, r.billed_rpu_seconds.0)
}

#[test]
fn estimate_holds_the_model_against_the_bill_and_sets_the_metering_rule_it_follows() {
    use redshift_cost_core::engine::Metering;
    let home = tempfile::tempdir().unwrap();
    let (path, text) = short_jobs_scenario(home.path());
    let (ran, billed_bp) = simulated(&text, Metering::BusyPeriod);
    let (_, billed_pm) = simulated(&text, Metering::PerMinute);
    assert!(
        billed_pm > billed_bp * 1.05,
        "the rules must differ: {billed_bp} {billed_pm}"
    );
    // The bill: what per-minute metering charges, spread over the 30 days.
    let first = window_end() - Duration::days(30);
    let per_day_h = billed_pm / 3600.0 / 30.0;
    let days: Vec<Value> = (0..30)
        .map(|d| {
            let day = first + Duration::days(d);
            serde_json::json!({
                "TimePeriod": {"Start": day.to_string(), "End": (day + Duration::days(1)).to_string()},
                "Total": {},
                "Groups": [{
                    "Keys": ["USE1-Redshift:ServerlessUsage"],
                    "Metrics": {
                        "UnblendedCost": {"Amount": format!("{:.6}", per_day_h * 0.375), "Unit": "USD"},
                        "UsageQuantity": {"Amount": format!("{per_day_h:.6}"), "Unit": "Hrs"}
                    }
                }],
                "Estimated": false
            })
        })
        .collect();
    let seed = home.path().join("ce.json");
    std::fs::write(
        &seed,
        serde_json::to_vec(&serde_json::json!({"results": [{"ResultsByTime": days}]})).unwrap(),
    )
    .unwrap();
    let Some(backend) = Backend::start_with_bill(&seed) else {
        return;
    };
    // CloudWatch: what ran, evenly by hour.
    load_month(&backend, "wg", ran / 720.0, &[]);
    let path = path.to_str().unwrap();

    let j = json_of(&run(
        backend.cmd(home.path()),
        &["estimate", path, "--format", "json"],
    ));
    let s = &j["scenarios"][0];
    let b = &s["observed"]["bill"];
    let compute = b["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["line"] == "serverless compute")
        .unwrap();
    assert!(
        (compute["bill"].as_f64().unwrap() - billed_pm / 3600.0).abs() < 1e-3,
        "{compute}"
    );
    assert!(
        (compute["cloudwatch"].as_f64().unwrap() - ran / 3600.0).abs() < 1e-3,
        "{compute}"
    );
    assert!(
        (compute["model"].as_f64().unwrap() - billed_bp / 3600.0).abs() < 1e-3,
        "{compute}"
    );
    assert_eq!(b["days"].as_array().unwrap().len(), 30);
    let m = &b["metering"];
    assert_eq!(m["fits"], "per-minute", "{m}");
    assert_eq!(m["set"], false);
    assert_eq!(s["serverless"]["metering"], "busy-period");

    // --calibrate sets the rule the bill follows, and the estimate bills per minute.
    let j = json_of(&run(
        backend.cmd(home.path()),
        &["estimate", path, "--calibrate", "--format", "json"],
    ));
    let s = &j["scenarios"][0];
    assert_eq!(s["observed"]["bill"]["metering"]["set"], true);
    assert_eq!(s["serverless"]["metering"], "per-minute");
    let billed = s["serverless"]["billed_rpu_seconds"].as_f64().unwrap();
    assert!(
        (billed - billed_pm).abs() / billed_pm < 1e-3,
        "{billed} vs {billed_pm}"
    );
    let table = run(backend.cmd(home.path()), &["estimate", path, "--calibrate"]);
    assert!(
        table
            .stdout
            .contains("`per-minute` fits, and this calibrated estimate uses it"),
        "{}",
        table.stdout
    );
}
