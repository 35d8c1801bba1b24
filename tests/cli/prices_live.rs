//! Live prices end to end: the real binary against the Price List fixture server
//! (tests/cli/support/pricelist.rs) on 127.0.0.1, with static test credentials and a cache in
//! a temporary directory. Nothing here reaches beyond 127.0.0.1.

use crate::support::pricelist::{closed_port_url, Fault, PriceListServer};
use assert_cmd::Command;
use redshift_cost::sources::prices::live::{self, FetchError, LiveConfig};
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// us-east-1: Serverless compute, managed storage and snapshots in two backup tiers.
const USE1: &str = r#"
name = "live prices test"
region = "us-east-1"
period = "30d"

[serverless]
base_rpu = 8

[[workload]]
name = "queries"
users = 2
queries_per_user_per_day = 10
duration = "3m"
rpu = 8
arrival = "even"

[storage]
managed_gb = 100
snapshot_gb = 60000
"#;

/// The fixture's us-east-1 on-demand RPU-hour: a test value (the real and bundled price is
/// 0.375), so live prices can be told from bundled ones.
const FIXTURE_USE1_RPU: f64 = 0.39;
const BUNDLED_USE1_RPU: f64 = 0.375;

struct Env {
    dir: TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }

    fn warnings(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .collect()
    }
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("use1.toml"), USE1).unwrap();
        std::fs::write(
            dir.path().join("tokyo.toml"),
            USE1.replace("us-east-1", "ap-northeast-1"),
        )
        .unwrap();
        Env { dir }
    }

    fn cache_file(&self, region: &str) -> PathBuf {
        self.dir
            .path()
            .join("cache/prices")
            .join(format!("{region}.json"))
    }

    /// The binary with a clean environment: the endpoint, static test credentials, no
    /// instance metadata, no shared config files, the cache in the temporary directory.
    fn run(&self, endpoint: &str, args: &[&str]) -> Run {
        let none = self.dir.path().join("no-such-file");
        let out = Command::cargo_bin("redshift-cost")
            .unwrap()
            .env_clear()
            .env("AWS_ENDPOINT_URL_PRICING", endpoint)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", &none)
            .env("AWS_SHARED_CREDENTIALS_FILE", &none)
            .env("REDSHIFT_COST_CACHE_DIR", self.dir.path().join("cache"))
            .current_dir(self.dir.path())
            .args(args)
            .timeout(Duration::from_mins(1))
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// (component, unit price, price source) of every cost line of the first scenario.
fn lines(report: &Value) -> Vec<(String, f64, String)> {
    report["scenarios"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["component"].as_str().unwrap().to_string(),
                c["unit_price_usd"].as_f64().unwrap(),
                c["price_source"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

#[test]
fn a_scenario_priced_live_shows_the_servers_prices_and_live_sources() {
    let server = PriceListServer::start();
    let env = Env::new();
    let run = env.run(
        &server.url(),
        &[
            "estimate",
            "use1.toml",
            "--prices",
            "live",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let got = lines(&run.json());
    assert_eq!(got.len(), 4, "{got:?}");
    for (component, _, source) in &got {
        assert_eq!(source, &format!("live {}", today()), "{component}");
    }
    assert_eq!(got[0].1, FIXTURE_USE1_RPU);
    assert_eq!(got[1].1, 0.024);
    assert_eq!((got[2].1, got[3].1), (0.023, 0.022));
    assert!(
        run.stderr.contains(&format!(
            "note: prices: live AWS Price List prices fetched {}; cost lines priced from: live {} (4 lines)",
            today(),
            today()
        )),
        "{}",
        run.stderr
    );

    // What the binary sent: signed AWS JSON 1.1 GetProducts, filtered to the region.
    let requests = server.requests();
    assert_eq!(requests.len(), 6, "one query per product family");
    for r in &requests {
        assert_eq!(r.target, "AWSPriceListService.GetProducts");
        assert_eq!(r.content_type, "application/x-amz-json-1.1");
        assert!(
            r.authorization
                .starts_with("AWS4-HMAC-SHA256 Credential=test/"),
            "{}",
            r.authorization
        );
        assert!(r.authorization.contains("/us-east-1/pricing/aws4_request"));
        assert_eq!(r.body["ServiceCode"], "AmazonRedshift");
        assert_eq!(r.body["MaxResults"], 100);
        assert_eq!(r.body["FormatVersion"], "aws_v1");
        let filters = r.body["Filters"].as_array().unwrap();
        assert!(filters.iter().any(|f| f["Type"] == "TERM_MATCH"
            && f["Field"] == "regionCode"
            && f["Value"] == "us-east-1"));
    }

    // The same prices from the bundled book differ: the test value is visible.
    let bundled = env.run(
        &server.url(),
        &[
            "estimate",
            "use1.toml",
            "--prices",
            "bundled",
            "--format",
            "json",
        ],
    );
    assert_eq!(bundled.code, 0, "{}", bundled.stderr);
    let b = lines(&bundled.json());
    assert_eq!(b[0].1, BUNDLED_USE1_RPU);
    assert!(b.iter().all(|l| l.2 == "bundled 2025-03-19"), "{b:?}");
    assert_eq!(server.requests().len(), 6, "--prices bundled never asks");
}

#[test]
fn pagination_over_three_or_more_pages_and_reservation_skus_are_not_picked() {
    let server = PriceListServer::start();
    server.set_page_size(1);
    let env = Env::new();
    let run = env.run(
        &server.url(),
        &[
            "estimate",
            "use1.toml",
            "--prices",
            "live",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let serverless: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| {
            r.body["Filters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["Field"] == "productFamily" && f["Value"] == "Serverless")
        })
        .collect();
    // Two capacity-reservation SKUs come before the on-demand one, one per page.
    assert_eq!(serverless.len(), 3, "{serverless:?}");
    assert!(serverless[0].body.get("NextToken").is_none());
    assert!(serverless[1].body["NextToken"].is_string());
    assert!(serverless[2].body["NextToken"].is_string());
    assert!(server.get_products_count() >= 20, "every record is a page");
    let lines = lines(&run.json());
    // 0.2925 (CR-1YR-NU) and 2431 (CR-1YR-AU) are reservation rates, not on demand.
    assert_eq!(lines[0].1, FIXTURE_USE1_RPU);

    // The reserved terms are read from the on-demand SKU's Reserved terms.
    let prices = env.run(
        &server.url(),
        &["prices", "--region", "us-east-1", "--format", "json"],
    );
    assert_eq!(prices.code, 0, "{}", prices.stderr);
    let p = prices.json();
    let reserved = p["regions"][0]["reserved"].as_array().unwrap();
    let serverless: Vec<&Value> = reserved
        .iter()
        .filter(|r| r["product"] == "serverless")
        .collect();
    assert_eq!(serverless.len(), 4, "{serverless:?}");
    assert!(serverless
        .iter()
        .all(|r| r["hourly_usd"].as_f64().unwrap() < FIXTURE_USE1_RPU));
    assert!(reserved.iter().any(|r| r["product"] == "ra3.4xlarge"
        && r["term"] == "3yr-partial-upfront"
        && r["upfront_usd"].as_f64().unwrap() > 0.0));
}

#[test]
fn throttling_is_retried() {
    let server = PriceListServer::start();
    server.fail_first(2, Fault::Throttle);
    let env = Env::new();
    let run = env.run(
        &server.url(),
        &[
            "estimate",
            "use1.toml",
            "--prices",
            "live",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let throttled = server
        .requests()
        .iter()
        .filter(|r| r.fault == Some(Fault::Throttle))
        .count();
    assert_eq!(throttled, 2);
    assert_eq!(server.get_products_count(), 6 + 2);
    assert!(lines(&run.json()).iter().all(|l| l.2.starts_with("live ")));
}

#[test]
fn total_failure_falls_back_to_bundled_with_one_warning() {
    let server = PriceListServer::start();
    server.fail_always(Fault::Status500);
    let env = Env::new();
    let run = env.run(
        &server.url(),
        &["estimate", "use1.toml", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.warnings(),
        vec!["warning: live prices unavailable (the Price List API failed: HTTP 500 InternalErrorException: An internal error occurred (fixture).); using bundled prices as of 2025-03-19"],
        "{}",
        run.stderr
    );
    let lines = lines(&run.json());
    assert_eq!(lines[0].1, BUNDLED_USE1_RPU);
    assert!(
        lines.iter().all(|l| l.2 == "bundled 2025-03-19"),
        "{lines:?}"
    );
    // Bounded retries: 3 attempts for each of the 6 queries.
    assert_eq!(server.get_products_count(), 6 * 3);
    assert!(
        !env.cache_file("us-east-1").exists(),
        "nothing cached on failure"
    );
}

#[test]
fn the_server_down_still_answers_quickly_with_bundled_prices() {
    let env = Env::new();
    let start = Instant::now();
    let run = env.run(
        &closed_port_url(),
        &["estimate", "use1.toml", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0]
            .starts_with("warning: live prices unavailable (cannot reach the Price List API: "),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].ends_with("; using bundled prices as of 2025-03-19"));
    assert!(lines(&run.json())
        .iter()
        .all(|l| l.2 == "bundled 2025-03-19"));
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn no_credentials_fall_back_at_once() {
    let env = Env::new();
    let none = env.dir.path().join("no-such-file");
    let start = Instant::now();
    let out = Command::cargo_bin("redshift-cost")
        .unwrap()
        .env_clear()
        .env("AWS_ENDPOINT_URL_PRICING", closed_port_url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", &none)
        .env("AWS_SHARED_CREDENTIALS_FILE", &none)
        .env("REDSHIFT_COST_CACHE_DIR", env.dir.path().join("cache"))
        .current_dir(env.dir.path())
        .args(["estimate", "use1.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: live prices unavailable (no AWS credentials found); using bundled prices as of 2025-03-19"),
        "{stderr}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn prices_live_failure_exits_1_and_names_what_failed() {
    let server = PriceListServer::start();
    server.fail_always(Fault::AccessDenied);
    let env = Env::new();
    let run = env.run(
        &server.url(),
        &["estimate", "use1.toml", "--prices", "live"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("error: cannot fetch live prices for us-east-1 from the AWS Price List API (endpoint region us-east-1): access denied: the credentials lack the IAM permission pricing:GetProducts"),
        "{}",
        run.stderr
    );
    assert_eq!(
        server.get_products_count(),
        6,
        "access denied is not retried"
    );

    let down = env.run(
        &closed_port_url(),
        &["estimate", "use1.toml", "--prices", "live"],
    );
    assert_eq!(down.code, 1, "{}", down.stderr);
    assert!(
        down.stderr.contains("cannot reach the Price List API"),
        "{}",
        down.stderr
    );
    // Under auto the same access denial is a warning and bundled prices.
    let auto = env.run(&server.url(), &["estimate", "use1.toml"]);
    assert_eq!(auto.code, 0, "{}", auto.stderr);
    assert_eq!(auto.warnings().len(), 1, "{}", auto.stderr);
    assert!(auto.warnings()[0].contains("pricing:GetProducts"));
}

#[test]
fn the_cache_is_written_reused_and_refreshed() {
    let server = PriceListServer::start();
    let env = Env::new();
    let json = ["estimate", "use1.toml", "--format", "json"];
    let first = env.run(&server.url(), &json);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(lines(&first.json())
        .iter()
        .all(|l| l.2.starts_with("live ")));
    let file = env.cache_file("us-east-1");
    let cached: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(cached["region"], "us-east-1");
    assert_eq!(cached["prices"]["rpu_hour"], FIXTURE_USE1_RPU);
    assert!(cached["fetched_at"].as_str().unwrap().starts_with(&today()));
    assert_eq!(server.get_products_count(), 6);

    // Fresh: reused, no request.
    let second = env.run(&server.url(), &json);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let l = lines(&second.json());
    assert!(
        l.iter().all(|l| l.2 == format!("cache {}", today())),
        "{l:?}"
    );
    assert_eq!(l[0].1, FIXTURE_USE1_RPU);
    assert_eq!(server.get_products_count(), 6);
    assert!(second
        .stderr
        .contains("cached AWS Price List prices fetched"));

    // --prices cache works with the server down.
    let offline = env.run(
        &closed_port_url(),
        &[
            "estimate",
            "use1.toml",
            "--format",
            "json",
            "--prices",
            "cache",
        ],
    );
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert!(offline.warnings().is_empty(), "{}", offline.stderr);
    assert_eq!(lines(&offline.json())[0].2, format!("cache {}", today()));

    // --refresh-prices: fetched again.
    let refreshed = env.run(
        &server.url(),
        &[
            "estimate",
            "use1.toml",
            "--format",
            "json",
            "--refresh-prices",
        ],
    );
    assert_eq!(refreshed.code, 0, "{}", refreshed.stderr);
    assert!(lines(&refreshed.json())
        .iter()
        .all(|l| l.2.starts_with("live ")));
    assert_eq!(server.get_products_count(), 12);

    // Older than 7 days: fetched again under auto.
    let mut stale = cached.clone();
    stale["fetched_at"] = Value::from("2020-01-01T00:00:00Z");
    std::fs::write(&file, stale.to_string()).unwrap();
    let again = env.run(&server.url(), &json);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(server.get_products_count(), 18);
    // ... and a stale cache is the fallback when the fetch fails.
    std::fs::write(&file, stale.to_string()).unwrap();
    let down = env.run(&closed_port_url(), &json);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert_eq!(down.warnings().len(), 1, "{}", down.stderr);
    assert!(down.warnings()[0].ends_with("; using cached prices fetched 2020-01-01"));
    assert_eq!(lines(&down.json())[0].2, "cache 2020-01-01");
}

#[test]
fn a_corrupt_cache_is_survived_and_replaced() {
    let server = PriceListServer::start();
    let env = Env::new();
    let file = env.cache_file("us-east-1");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, b"{\"format\": 1, \"region\": \"us-ea\x00\xff").unwrap();

    // --prices cache: nothing usable, bundled, a warning each.
    let cache_only = env.run(
        &closed_port_url(),
        &[
            "estimate",
            "use1.toml",
            "--format",
            "json",
            "--prices",
            "cache",
        ],
    );
    assert_eq!(cache_only.code, 0, "{}", cache_only.stderr);
    assert!(lines(&cache_only.json())
        .iter()
        .all(|l| l.2 == "bundled 2025-03-19"));
    assert!(cache_only.warnings()[0].starts_with("warning: ignoring the price cache: "));

    let run = env.run(
        &server.url(),
        &["estimate", "use1.toml", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.warnings().len(), 1, "{}", run.stderr);
    assert!(
        run.warnings()[0].contains("is not a valid price cache file")
            && run.warnings()[0].ends_with("it will be replaced"),
        "{}",
        run.stderr
    );
    assert!(lines(&run.json()).iter().all(|l| l.2.starts_with("live ")));
    let replaced: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(replaced["prices"]["rpu_hour"], FIXTURE_USE1_RPU);
}

#[test]
fn a_product_missing_from_the_live_answer_falls_back_per_price() {
    let server = PriceListServer::start();
    server.omit_family("Storage Snapshot");
    let env = Env::new();
    let run = env.run(
        &server.url(),
        &[
            "estimate",
            "use1.toml",
            "--prices",
            "live",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let l = lines(&run.json());
    assert!(
        l[0].2.starts_with("live ") && l[1].2.starts_with("live "),
        "{l:?}"
    );
    assert_eq!(
        (l[2].2.as_str(), l[3].2.as_str()),
        ("bundled 2025-03-19", "bundled 2025-03-19")
    );
    assert_eq!(
        run.warnings(),
        vec!["warning: the live Price List answer for us-east-1 has no backup storage price; using the bundled price (bundled 2025-03-19)"],
        "{}",
        run.stderr
    );
}

#[test]
fn the_prices_command_lists_sources_and_dates() {
    let server = PriceListServer::start();
    let env = Env::new();
    let run = env.run(
        &server.url(),
        &["prices", "--region", "ap-northeast-1", "--prices", "live"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with(&format!(
        "ap-northeast-1 — Asia Pacific (Tokyo): live AWS Price List prices fetched {} (endpoint region us-east-1)\n",
        today()
    )), "{}", run.stdout);
    assert!(run.stdout.contains("Serverless compute"));
    assert!(run.stdout.contains(&format!("live {}", today())));
    // Inter-region transfer is not read from the Price List: bundled, not a warning.
    assert!(run.stdout.contains("bundled 2025-03-19"));
    // The fixture has no ds2 concurrency-scaling rows (retired node types): those prices
    // are bundled, and the run says so once.
    assert_eq!(
        run.warnings(),
        vec!["warning: the live Price List answer for ap-northeast-1 has no ds2.8xlarge concurrency-scaling price, ds2.xlarge concurrency-scaling price; using the bundled prices (bundled 2025-03-19)"],
        "{}",
        run.stderr
    );

    let json = env.run(
        &server.url(),
        &[
            "prices",
            "--region",
            "ap-northeast-1",
            "--format",
            "json",
            "--prices",
            "cache",
        ],
    );
    assert_eq!(json.code, 0, "{}", json.stderr);
    let v = json.json();
    assert_eq!(v["schema_version"], 1);
    let tokyo = &v["regions"][0];
    assert_eq!(tokyo["origin"], "cache");
    assert_eq!(tokyo["prices"][0]["name"], "rpu_hour");
    assert_eq!(tokyo["prices"][0]["usd"], 0.494);
    assert_eq!(tokyo["prices"][0]["source"], format!("cache {}", today()));

    // Wrong options are usage errors (exit 2).
    let bad = env.run(&server.url(), &["prices", "--region", "us-east-9"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("unknown region `us-east-9`"),
        "{}",
        bad.stderr
    );
    let bad = env.run(
        &server.url(),
        &["prices", "--prices", "bundled", "--refresh-prices"],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn the_endpoint_region_is_separate_from_the_priced_region() {
    let server = PriceListServer::start();
    let env = Env::new();
    let run = env.run(
        &server.url(),
        &[
            "estimate",
            "tokyo.toml",
            "--prices",
            "live",
            "--pricing-endpoint-region",
            "ap-south-1",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let l = lines(&run.json());
    assert_eq!(l[0].1, 0.494);
    let r = &server.requests()[0];
    assert!(
        r.authorization.contains("/ap-south-1/pricing/aws4_request"),
        "signed for the endpoint region: {}",
        r.authorization
    );
    assert!(r.body["Filters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["Field"] == "regionCode" && f["Value"] == "ap-northeast-1"));
}

// ----------------------------------------------------------------------------------------
// The library's fetch against the server, with short limits.

fn config(server: &PriceListServer) -> LiveConfig {
    LiveConfig {
        endpoint_url: Some(server.url()),
        credentials: Some(aws_sdk_pricing::config::Credentials::new(
            "test", "test", None, None, "test",
        )),
        ..LiveConfig::default()
    }
}

async fn count(
    client: &aws_sdk_pricing::Client,
    filters: Vec<(aws_sdk_pricing::types::FilterType, &str, &str)>,
) -> usize {
    let mut req = client.get_products().service_code("AmazonRedshift");
    for (t, f, v) in filters {
        req = req.filters(
            aws_sdk_pricing::types::Filter::builder()
                .r#type(t)
                .field(f)
                .value(v)
                .build()
                .unwrap(),
        );
    }
    let out = req.send().await.unwrap();
    for item in out.price_list() {
        // Each element is a JSON string of one record.
        let v: Value = serde_json::from_str(item).unwrap();
        assert!(v["product"]["sku"].is_string());
    }
    out.price_list().len()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn slow_answers_are_bounded_per_call_and_in_total() {
    let server = PriceListServer::start();
    server.fail_always(Fault::Slow(Duration::from_secs(3)));
    let per_call = LiveConfig {
        attempt_timeout: Duration::from_millis(300),
        max_attempts: 2,
        initial_backoff: Duration::from_millis(10),
        ..config(&server)
    };
    let start = Instant::now();
    let out = block_on(live::fetch(&per_call, &["us-east-1".to_string()]));
    assert_eq!(
        out["us-east-1"],
        Err(FetchError::Timeout(
            "no answer from the Price List API within 0.3 s".into()
        ))
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );

    let whole = LiveConfig {
        total_timeout: Duration::from_secs(1),
        ..config(&server)
    };
    let start = Instant::now();
    let out = block_on(live::fetch(&whole, &["us-east-1".to_string()]));
    assert_eq!(
        out["us-east-1"],
        Err(FetchError::Timeout(
            "the price fetch took longer than 1 s".into()
        ))
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );

    // Slow but within the limits: answered.
    server.fail_always(Fault::Slow(Duration::from_millis(200)));
    let out = block_on(live::fetch(
        &config(&server),
        &["ap-northeast-1".to_string()],
    ));
    assert_eq!(
        out["ap-northeast-1"].as_ref().unwrap().rpu_hour,
        Some(0.494)
    );
}

#[test]
fn the_fixture_server_speaks_the_price_list_protocol() {
    use aws_sdk_pricing::types::{Filter, FilterType};
    let server = PriceListServer::start();
    let cfg = config(&server);
    block_on(async {
        let client = live::client(&cfg).await.unwrap();
        let services = client
            .describe_services()
            .service_code("AmazonRedshift")
            .send()
            .await
            .unwrap();
        let s = &services.services()[0];
        assert_eq!(s.service_code(), "AmazonRedshift");
        assert!(s.attribute_names().iter().any(|a| a == "regionCode"));

        let use1 = (FilterType::TermMatch, "regionCode", "us-east-1");
        assert_eq!(
            count(
                &client,
                vec![
                    use1.clone(),
                    (FilterType::TermMatch, "productFamily", "Serverless")
                ]
            )
            .await,
            3
        );
        assert_eq!(
            count(
                &client,
                vec![(
                    FilterType::Equals,
                    "usagetype",
                    "USE1-Redshift:ServerlessUsage"
                )]
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &client,
                vec![
                    use1.clone(),
                    (FilterType::Contains, "usagetype", "-CR-1YR-")
                ]
            )
            .await,
            2
        );
        assert_eq!(
            count(
                &client,
                vec![
                    use1.clone(),
                    (FilterType::TermMatch, "productFamily", "Compute Instance"),
                    (FilterType::AnyOf, "instanceType", "ra3.4xlarge,ra3.xlplus"),
                ]
            )
            .await,
            2
        );
        assert_eq!(
            count(
                &client,
                vec![
                    use1.clone(),
                    (
                        FilterType::NoneOf,
                        "productFamily",
                        "Compute Instance,Redshift Concurrency Scaling,Redshift Managed Storage"
                    ),
                ]
            )
            .await,
            5
        );

        // NextToken pagination through the SDK.
        let mut token = None;
        let mut pages = 0;
        let mut records = 0;
        loop {
            let out = client
                .get_products()
                .service_code("AmazonRedshift")
                .filters(
                    Filter::builder()
                        .r#type(FilterType::TermMatch)
                        .field("regionCode")
                        .value("us-east-1")
                        .build()
                        .unwrap(),
                )
                .max_results(7)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            pages += 1;
            records += out.price_list().len();
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        assert_eq!((pages, records), (3, 20));
    });
}
