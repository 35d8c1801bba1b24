//! The CloudWatch fetch against aws-smithy-mocks (below the protocol layer, no network):
//! throttling and its bounds, pagination over several pages, empty results, AccessDenied,
//! discovery and its error, a failing percentile call.

use aws_sdk_cloudwatch::config::retry::RetryConfig;
use aws_sdk_cloudwatch::error::ErrorMetadata;
use aws_sdk_cloudwatch::operation::get_metric_data::{GetMetricDataError, GetMetricDataOutput};
use aws_sdk_cloudwatch::operation::list_metrics::{ListMetricsError, ListMetricsOutput};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataResult, StatusCode};
use aws_sdk_cloudwatch::Client as SdkClient;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use redshift_cost::sources::cloudwatch::fetch::{
    get_metric_data, list_metrics, observe, Client, UsageError,
};
use redshift_cost::sources::cloudwatch::plan::{plan, ObservedWindow, Target};

const ATTEMPTS: u32 = 3;

fn client(rules: &[&Rule]) -> Client {
    let sdk: SdkClient = mock_client!(aws_sdk_cloudwatch, RuleMode::Sequential, rules, |c| {
        c.retry_config(
            RetryConfig::standard()
                .with_max_attempts(ATTEMPTS)
                .with_initial_backoff(std::time::Duration::from_millis(1))
                .with_max_backoff(std::time::Duration::from_millis(5)),
        )
    });
    Client::new(sdk, ATTEMPTS)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 5, 12, 0, 0).unwrap()
}

fn window() -> ObservedWindow {
    ObservedWindow::days_before(NaiveDate::from_ymd_opt(2026, 3, 1), 3, now()).unwrap()
}

fn hour(h: i64) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(window().start.timestamp() + h * 3600)
}

fn result(id: &str, points: &[(i64, f64)], status: StatusCode) -> MetricDataResult {
    MetricDataResult::builder()
        .id(id)
        .set_timestamps(Some(points.iter().map(|(h, _)| hour(*h)).collect()))
        .set_values(Some(points.iter().map(|(_, v)| *v).collect()))
        .status_code(status)
        .build()
}

fn error(code: &str, message: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).message(message).build()
}

fn wg() -> Target {
    Target {
        workgroup: Some("wg".into()),
        namespace: Some("ns".into()),
        ..Target::default()
    }
}

fn listed(workgroup: &str, namespace: Option<&str>) -> Metric {
    let mut dims = vec![Dimension::builder()
        .name("Workgroup")
        .value(workgroup)
        .build()];
    if let Some(ns) = namespace {
        dims.push(Dimension::builder().name("Namespace").value(ns).build());
    }
    Metric::builder()
        .namespace("AWS/Redshift-Serverless")
        .metric_name("ComputeSeconds")
        .set_dimensions(Some(dims))
        .build()
}

#[tokio::test]
async fn throttling_is_retried_then_succeeds() {
    let rule = mock!(SdkClient::get_metric_data)
        .sequence()
        .error(|| GetMetricDataError::generic(error("Throttling", "Rate exceeded")))
        .times(2)
        .output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result("compute", &[(0, 60.0)], StatusCode::Complete))
                .build()
        })
        .build();
    let c = client(&[&rule]);
    let p = plan(&wg(), window(), now());
    let f = get_metric_data(&c, &p.main, window()).await.unwrap();
    assert_eq!(rule.num_calls(), 3);
    assert_eq!(
        f.points["compute"],
        vec![(window().start.timestamp(), 60.0)]
    );
}

#[tokio::test]
async fn throttling_is_bounded() {
    let rule = mock!(SdkClient::get_metric_data)
        .sequence()
        .error(|| GetMetricDataError::generic(error("Throttling", "Rate exceeded")))
        .repeatedly()
        .build();
    let c = client(&[&rule]);
    let p = plan(&wg(), window(), now());
    let e = get_metric_data(&c, &p.main, window()).await.unwrap_err();
    assert_eq!(rule.num_calls(), ATTEMPTS as usize);
    assert_eq!(
        e,
        UsageError::Throttled {
            action: "cloudwatch:GetMetricData",
            code: "Throttling".into(),
            attempts: ATTEMPTS
        }
    );
    assert!(e.to_string().contains("through 3 attempts"), "{e}");
}

#[tokio::test]
async fn pages_are_followed_and_merged() {
    let rule = mock!(SdkClient::get_metric_data)
        .sequence()
        .output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result(
                    "compute",
                    &[(0, 1.0), (1, 2.0)],
                    StatusCode::PartialData,
                ))
                .next_token("page-2")
                .build()
        })
        .output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result("compute", &[(2, 3.0)], StatusCode::PartialData))
                .metric_data_results(result("capmax", &[(2, 16.0)], StatusCode::Complete))
                .next_token("page-3")
                .build()
        })
        .output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result("compute", &[(50, 4.0)], StatusCode::Complete))
                .build()
        })
        .build();
    let tokens = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = tokens.clone();
    // A rule that never matches but records the token of every request.
    let recorder = mock!(SdkClient::get_metric_data)
        .match_requests(move |req| {
            seen.lock()
                .unwrap()
                .push(req.next_token().map(str::to_string));
            false
        })
        .then_output(|| GetMetricDataOutput::builder().build());
    let c = {
        let sdk: SdkClient = mock_client!(
            aws_sdk_cloudwatch,
            RuleMode::MatchAny,
            [&recorder, &rule],
            |c| c
        );
        Client::new(sdk, 1)
    };
    let p = plan(&wg(), window(), now());
    let f = get_metric_data(&c, &p.main, window()).await.unwrap();
    assert_eq!(rule.num_calls(), 3);
    assert_eq!(
        *tokens.lock().unwrap(),
        vec![None, Some("page-2".to_string()), Some("page-3".to_string())]
    );
    let values: Vec<f64> = f.points["compute"].iter().map(|(_, v)| *v).collect();
    assert_eq!(values, [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(f.points["capmax"].len(), 1);
    assert!(f.failed.is_empty());

    // Aggregated: all pages count, each day once.
    let o = redshift_cost::sources::cloudwatch::aggregate::aggregate(&p, &f);
    let compute = o.compute.unwrap();
    assert_eq!(compute.rpu_seconds, 10.0);
    assert_eq!(compute.daily.len(), 3);
    // Hours 0-2 fall on the first day, hour 50 on the third: the second is a gap.
    let second = window().start.date_naive() + Duration::days(1);
    assert_eq!(compute.gap_days, [second]);
    assert_eq!(compute.daily[0].rpu_hours, Some(6.0 / 3600.0));
}

#[tokio::test]
async fn more_queries_than_one_call_takes_are_split() {
    let rule = mock!(SdkClient::get_metric_data)
        .match_requests(|req| req.metric_data_queries().len() <= 500)
        .then_compute_output(|req| {
            let first = req.metric_data_queries()[0]
                .id()
                .unwrap_or_default()
                .to_string();
            GetMetricDataOutput::builder()
                .metric_data_results(result(&first, &[(0, 1.0)], StatusCode::Complete))
                .build()
        });
    let c = {
        let sdk: SdkClient = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&rule], |c| c);
        Client::new(sdk, 1)
    };
    let p = plan(&wg(), window(), now());
    let many: Vec<_> = (0..1200)
        .map(|i| {
            let mut q = p.main[0].clone();
            q.id = format!("q{i}");
            q
        })
        .collect();
    let f = get_metric_data(&c, &many, window()).await.unwrap();
    assert_eq!(rule.num_calls(), 3);
    let mut firsts: Vec<&String> = f.points.keys().collect();
    firsts.sort();
    assert_eq!(firsts, ["q0", "q1000", "q500"]);
}

#[tokio::test]
async fn empty_results_are_gaps_not_zeros() {
    let list = mock!(SdkClient::list_metrics).then_output(|| {
        ListMetricsOutput::builder()
            .metrics(listed("wg", None))
            .build()
    });
    let data = mock!(SdkClient::get_metric_data).then_output(|| {
        GetMetricDataOutput::builder()
            .metric_data_results(result("compute", &[], StatusCode::Complete))
            .build()
    });
    let c = client(&[&list, &data]);
    let o = observe(&c, &wg(), window(), now()).await.unwrap();
    let compute = o.observation.compute.unwrap();
    assert_eq!(compute.rpu_seconds, 0.0);
    assert_eq!(compute.gap_days.len(), 3);
    assert!(compute.daily.iter().all(|d| d.rpu_hours.is_none()));
    assert_eq!(o.observation.storage.unwrap().gb_avg, None);
}

#[tokio::test]
async fn access_denied_names_the_action() {
    let rule = mock!(SdkClient::get_metric_data).then_error(|| {
        GetMetricDataError::generic(error(
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/x is not authorized to perform: cloudwatch:GetMetricData",
        ))
    });
    let c = client(&[&rule]);
    let p = plan(&wg(), window(), now());
    let e = get_metric_data(&c, &p.main, window()).await.unwrap_err();
    assert_eq!(rule.num_calls(), 1, "access denied is not retried");
    let msg = e.to_string();
    assert!(
        msg.starts_with("access denied: the credentials in use lack the IAM permission cloudwatch:GetMetricData"),
        "{msg}"
    );
    assert!(msg.contains("cloudwatch:ListMetrics"), "{msg}");

    let rule = mock!(SdkClient::list_metrics)
        .then_error(|| ListMetricsError::generic(error("AccessDeniedException", "not authorized")));
    let c = client(&[&rule]);
    let e = observe(&c, &wg(), window(), now()).await.unwrap_err();
    assert!(
        matches!(
            e,
            UsageError::AccessDenied {
                action: "cloudwatch:ListMetrics",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn list_metrics_pages_and_duplicates() {
    let rule = mock!(SdkClient::list_metrics)
        .sequence()
        .output(|| {
            ListMetricsOutput::builder()
                .metrics(listed("a", None))
                .metrics(listed("a", None))
                .next_token("t2")
                .build()
        })
        .output(|| {
            ListMetricsOutput::builder()
                .metrics(listed("b", None))
                .metrics(listed("a", None))
                .build()
        })
        .build();
    let c = client(&[&rule]);
    let m = list_metrics(&c, "AWS/Redshift-Serverless", Some("ComputeSeconds"), &[])
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 2);
    let names: Vec<&str> = m.iter().filter_map(|m| m.dimension("Workgroup")).collect();
    assert_eq!(names, ["a", "b"]);
}

#[tokio::test]
async fn unknown_workgroup_names_the_existing_ones() {
    let none_for_wg =
        mock!(SdkClient::list_metrics).then_output(|| ListMetricsOutput::builder().build());
    let data = mock!(SdkClient::get_metric_data).then_output(|| {
        GetMetricDataOutput::builder()
            .metric_data_results(result("compute", &[], StatusCode::Complete))
            .build()
    });
    let existing = mock!(SdkClient::list_metrics).then_output(|| {
        ListMetricsOutput::builder()
            .metrics(listed("analytics", None))
            .metrics(listed("etl", None))
            .metrics(listed("analytics", None))
            .build()
    });
    let c = client(&[&none_for_wg, &data, &existing]);
    let e = observe(&c, &wg(), window(), now()).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "CloudWatch has no metrics for workgroup `wg` in us-east-1 (AWS/Redshift-Serverless); workgroups with metrics there: `analytics`, `etl`"
    );
    assert!(e.is_invalid_input());
}

#[tokio::test]
async fn namespace_is_discovered_beside_the_workgroup() {
    let list = mock!(SdkClient::list_metrics).then_output(|| {
        ListMetricsOutput::builder()
            .metrics(listed("wg", Some("sales")))
            .build()
    });
    let data = mock!(SdkClient::get_metric_data).then_compute_output(|req| {
        let has_storage = req
            .metric_data_queries()
            .iter()
            .any(|q| q.id() == Some("storage"));
        let mut out = GetMetricDataOutput::builder();
        if has_storage {
            out = out
                .metric_data_results(result("storage", &[(0, 2048.0)], StatusCode::Complete))
                .metric_data_results(result("storage_unit2", &[(0, 1.0)], StatusCode::Complete));
        }
        out.build()
    });
    let c = client(&[&list, &data]);
    let target = Target {
        workgroup: Some("wg".into()),
        ..Target::default()
    };
    let o = observe(&c, &target, window(), now()).await.unwrap();
    assert_eq!(o.target.namespace.as_deref(), Some("sales"));
    assert_eq!(o.observation.storage.unwrap().gb_avg, Some(2.0));
    assert!(o
        .observation
        .notes
        .iter()
        .any(|n| n.contains("namespace `sales`")));
}

#[tokio::test]
async fn a_failing_percentile_call_costs_only_the_lag() {
    let main = mock!(SdkClient::get_metric_data)
        .match_requests(|req| {
            req.metric_data_queries().iter().all(|q| {
                q.metric_stat()
                    .and_then(|s| s.stat())
                    .is_some_and(|s| !s.starts_with('p'))
            })
        })
        .then_output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result("cscaling", &[(0, 30.0)], StatusCode::Complete))
                .build()
        });
    let percentiles = mock!(SdkClient::get_metric_data)
        .then_error(|| GetMetricDataError::generic(error("InternalFailure", "boom")));
    let c = {
        let sdk: SdkClient = mock_client!(
            aws_sdk_cloudwatch,
            RuleMode::MatchAny,
            [&main, &percentiles],
            |c| c.retry_config(RetryConfig::disabled())
        );
        Client::new(sdk, 1)
    };
    let target = Target {
        cluster: Some("c1".into()),
        integration: Some("i-1".into()),
        ..Target::default()
    };
    let o = observe(&c, &target, window(), now()).await.unwrap();
    assert_eq!(
        o.observation.cluster.unwrap().concurrency_scaling_seconds,
        Some(30.0)
    );
    let lag = o.observation.lag.unwrap();
    assert_eq!((lag.p50_s, lag.p95_s), (None, None));
    assert!(
        o.observation.notes.iter().any(|n| n.starts_with("IntegrationLag p50: no data (CloudWatch cloudwatch:GetMetricData failed: InternalFailure: boom)")),
        "{:?}",
        o.observation.notes
    );
}

#[tokio::test]
async fn percentiles_are_read_when_they_work() {
    let rule = mock!(SdkClient::get_metric_data).then_compute_output(|req| {
        let mut out = GetMetricDataOutput::builder();
        for q in req.metric_data_queries() {
            let id = q.id().unwrap_or_default();
            let v = match id {
                "lagp50" => 40.0,
                "lagp95" => 300.0,
                "lagp50_unit0" => 10.0,
                _ => continue,
            };
            out = out.metric_data_results(result(id, &[(0, v)], StatusCode::Complete));
        }
        out.build()
    });
    let c = {
        let sdk: SdkClient = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&rule], |c| c);
        Client::new(sdk, 1)
    };
    let target = Target {
        integration: Some("i-1".into()),
        ..Target::default()
    };
    let o = observe(&c, &target, window(), now()).await.unwrap();
    let lag = o.observation.lag.unwrap();
    assert_eq!((lag.p50_s, lag.p95_s), (Some(40.0), Some(300.0)));
    // The window is whole days and ends on the date asked for.
    assert_eq!(o.plan.window.end - o.plan.window.start, Duration::days(3));
}
