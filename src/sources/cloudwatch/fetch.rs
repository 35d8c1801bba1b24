//! Talking to CloudWatch: the client (aws-config's standard chain, bounded retries and
//! timeouts), ListMetrics discovery and GetMetricData with pagination. Async, run on the
//! run's runtime by [`super::CloudWatch`]; everything it returns is handed to the pure
//! `aggregate`.

use super::aggregate::{aggregate, FetchedMetrics, Observation};
use super::plan::{
    plan, MetricPlan, ObservedWindow, Query, Target, MAX_QUERIES_PER_CALL, SERVERLESS_NAMESPACE,
};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudwatch as cw;
use aws_sdk_cloudwatch::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatch::types::{
    Dimension, DimensionFilter, Metric, MetricDataQuery, MetricStat, ScanBy, StandardUnit,
    StatusCode,
};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::time::Duration;

/// Attempts per request when `AWS_MAX_ATTEMPTS` is not set (throttling and transient
/// errors are retried with exponential backoff, up to this many attempts in all).
pub const MAX_ATTEMPTS: u32 = 5;
/// Pages followed per call before giving up (a guard against a server that never ends).
pub const MAX_PAGES: usize = 1000;

/// The IAM actions `observe` needs.
pub const GET_METRIC_DATA: &str = "cloudwatch:GetMetricData";
pub const LIST_METRICS: &str = "cloudwatch:ListMetrics";

/// Why observed usage could not be read. `Display` is the whole message.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum UsageError {
    #[error("no AWS region for CloudWatch: pass --region, or set AWS_REGION (or a region in the AWS profile)")]
    NoRegion,
    #[error("access denied: the credentials in use lack the IAM permission {action} ({code}: {message}); observed usage needs cloudwatch:GetMetricData and cloudwatch:ListMetrics (see docs/observe.md)")]
    AccessDenied {
        action: &'static str,
        code: String,
        message: String,
    },
    #[error("CloudWatch kept throttling {action} ({code}) through {attempts} attempts; try again later, or allow more attempts with AWS_MAX_ATTEMPTS")]
    Throttled {
        action: &'static str,
        code: String,
        attempts: u32,
    },
    #[error("no AWS credentials for CloudWatch ({0}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")]
    NoCredentials(String),
    #[error("cannot reach CloudWatch: {0}")]
    Unreachable(String),
    #[error("CloudWatch {action} failed: {code}: {message}")]
    Service {
        action: &'static str,
        code: String,
        message: String,
    },
    #[error("CloudWatch has no metrics for workgroup `{workgroup}` in {region} ({SERVERLESS_NAMESPACE}); {}", existing_list(existing))]
    NoSuchWorkgroup {
        workgroup: String,
        region: String,
        existing: Vec<String>,
    },
    #[error("{0}")]
    Window(String),
}

fn existing_list(existing: &[String]) -> String {
    if existing.is_empty() {
        "no workgroup has ComputeSeconds there: check the region".to_string()
    } else {
        let names: Vec<String> = existing.iter().map(|w| format!("`{w}`")).collect();
        format!("workgroups with metrics there: {}", names.join(", "))
    }
}

impl UsageError {
    /// Errors that are the user's input rather than the environment (exit 2).
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            UsageError::NoSuchWorkgroup { .. } | UsageError::Window(_) | UsageError::NoRegion
        )
    }
}

/// The retries used when the environment does not choose (`AWS_MAX_ATTEMPTS`,
/// `AWS_RETRY_MODE`): standard mode, [`MAX_ATTEMPTS`] attempts, backoff from 1 s up to 20 s.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_secs(1))
        .with_max_backoff(Duration::from_secs(20))
}

/// Connect, read, per-attempt and whole-operation timeouts: a CloudWatch endpoint that
/// accepts connections but never answers costs seconds, not minutes.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .read_timeout(Duration::from_secs(8))
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(20))
        .build()
}

/// The whole observation (credentials, discovery, every query) of one run must end
/// within this; past it, the run fails (or, under `estimate`, goes on without it).
pub const OBSERVE_DEADLINE: Duration = Duration::from_secs(25);

/// A CloudWatch client and the region it reads.
#[derive(Debug, Clone)]
pub struct Client {
    pub inner: cw::Client,
    pub region: String,
    /// Attempts per request, for messages.
    pub max_attempts: u32,
}

impl Client {
    /// From aws-config's standard chain (environment, profile, SSO, IMDS...);
    /// `AWS_ENDPOINT_URL_CLOUDWATCH` (or `AWS_ENDPOINT_URL`) points it elsewhere.
    pub async fn from_env(region: Option<&str>) -> Result<Client, UsageError> {
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeout_config());
        let env_chooses = std::env::var_os("AWS_MAX_ATTEMPTS").is_some()
            || std::env::var_os("AWS_RETRY_MODE").is_some();
        if !env_chooses {
            loader = loader.retry_config(retry_config());
        }
        if let Some(r) = region {
            loader = loader.region(Region::new(r.to_string()));
        }
        let conf = loader.load().await;
        let region = conf.region().ok_or(UsageError::NoRegion)?.to_string();
        let max_attempts = conf
            .retry_config()
            .map_or(MAX_ATTEMPTS, RetryConfig::max_attempts);
        Ok(Client {
            inner: cw::Client::new(&conf),
            region,
            max_attempts,
        })
    }

    /// Wraps a client built elsewhere (tests).
    pub fn new(inner: cw::Client, max_attempts: u32) -> Client {
        let region = inner
            .config()
            .region()
            .map_or_else(|| "us-east-1".to_string(), ToString::to_string);
        Client {
            inner,
            region,
            max_attempts,
        }
    }
}

fn classify<E>(
    action: &'static str,
    attempts: u32,
    e: SdkError<E, cw::config::http::HttpResponse>,
) -> UsageError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    use crate::sources::aws::{classify as sort, AwsError};
    let permission = "cloudwatch:GetMetricData and cloudwatch:ListMetrics";
    match sort("CloudWatch", action, permission, attempts, e) {
        AwsError::AccessDenied { code, message, .. } => UsageError::AccessDenied {
            action,
            code,
            message,
        },
        AwsError::Throttled { code, attempts, .. } => UsageError::Throttled {
            action,
            code,
            attempts,
        },
        AwsError::Service { code, message, .. } => UsageError::Service {
            action,
            code,
            message,
        },
        AwsError::NoCredentials { why, .. } => UsageError::NoCredentials(why),
        AwsError::NoRegion { .. } => UsageError::NoRegion,
        AwsError::Unreachable { why, .. } | AwsError::Other(why) => UsageError::Unreachable(why),
    }
}

/// A metric as ListMetrics names it; dimensions sorted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ListedMetric {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, String)>,
}

impl ListedMetric {
    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// ListMetrics, every page, de-duplicated (moto repeats metrics; so may pages).
pub async fn list_metrics(
    client: &Client,
    namespace: &str,
    metric: Option<&str>,
    dimensions: &[(&str, &str)],
) -> Result<Vec<ListedMetric>, UsageError> {
    let mut found = BTreeSet::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let filters: Vec<DimensionFilter> = dimensions
            .iter()
            .map(|(n, v)| DimensionFilter::builder().name(*n).value(*v).build())
            .collect();
        let out = client
            .inner
            .list_metrics()
            .namespace(namespace)
            .set_metric_name(metric.map(str::to_string))
            .set_dimensions((!filters.is_empty()).then_some(filters))
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(LIST_METRICS, client.max_attempts, e))?;
        for m in out.metrics() {
            let mut dims: Vec<(String, String)> = m
                .dimensions()
                .iter()
                .map(|d| {
                    (
                        d.name().unwrap_or_default().to_string(),
                        d.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            dims.sort();
            found.insert(ListedMetric {
                namespace: m.namespace().unwrap_or(namespace).to_string(),
                name: m.metric_name().unwrap_or_default().to_string(),
                dimensions: dims,
            });
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(found.into_iter().collect())
}

fn to_sdk(q: &Query) -> MetricDataQuery {
    let dims: Vec<Dimension> = q
        .dimensions
        .iter()
        .map(|(n, v)| Dimension::builder().name(n).value(v).build())
        .collect();
    let metric = Metric::builder()
        .namespace(q.namespace)
        .metric_name(q.metric)
        .set_dimensions((!dims.is_empty()).then_some(dims))
        .build();
    let stat = MetricStat::builder()
        .metric(metric)
        .period(i32::try_from(q.period).unwrap_or(i32::MAX))
        .stat(q.stat)
        .set_unit(q.unit.map(StandardUnit::from))
        .build();
    MetricDataQuery::builder()
        .id(&q.id)
        .metric_stat(stat)
        .return_data(true)
        .build()
}

/// GetMetricData for `queries` over `window`: at most [`MAX_QUERIES_PER_CALL`] queries a
/// call, every NextToken page followed, results merged by query id.
pub async fn get_metric_data(
    client: &Client,
    queries: &[Query],
    window: ObservedWindow,
) -> Result<FetchedMetrics, UsageError> {
    let mut fetched = FetchedMetrics::default();
    let start = aws_smithy_types::DateTime::from_secs(window.start.timestamp());
    let end = aws_smithy_types::DateTime::from_secs(window.end.timestamp());
    for chunk in queries.chunks(MAX_QUERIES_PER_CALL) {
        let sdk_queries: Vec<MetricDataQuery> = chunk.iter().map(to_sdk).collect();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            pages += 1;
            let out = client
                .inner
                .get_metric_data()
                .start_time(start)
                .end_time(end)
                .scan_by(ScanBy::TimestampAscending)
                .set_metric_data_queries(Some(sdk_queries.clone()))
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| classify(GET_METRIC_DATA, client.max_attempts, e))?;
            for r in out.metric_data_results() {
                let id = r.id().unwrap_or_default().to_string();
                let points = fetched.points.entry(id.clone()).or_default();
                points.extend(
                    r.timestamps()
                        .iter()
                        .map(aws_smithy_types::DateTime::secs)
                        .zip(r.values().iter().copied()),
                );
                if let Some(StatusCode::InternalError | StatusCode::Forbidden) = r.status_code() {
                    let why: Vec<&str> = r.messages().iter().filter_map(|m| m.value()).collect();
                    let status = r.status_code().map_or("", |s| s.as_str());
                    let why = if why.is_empty() {
                        status.to_string()
                    } else {
                        format!("{status}: {}", why.join("; "))
                    };
                    fetched.failed.push((id, why));
                }
            }
            match out.next_token() {
                Some(t) if !t.is_empty() && pages < MAX_PAGES => token = Some(t.to_string()),
                Some(t) if !t.is_empty() => {
                    fetched.failed.push((
                        "*".to_string(),
                        format!("stopped after {MAX_PAGES} pages; the data is incomplete"),
                    ));
                    break;
                }
                _ => break,
            }
        }
    }
    Ok(fetched)
}

/// What `observe` resolved on the way, besides the figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedUsage {
    pub region: String,
    /// The target as queried (the namespace may have been discovered).
    pub target: Target,
    pub plan: MetricPlan,
    pub observation: Observation,
}

/// Discovers, plans, fetches and aggregates: the whole observation of `target`.
pub async fn observe(
    client: &Client,
    target: &Target,
    window: ObservedWindow,
    now: DateTime<Utc>,
) -> Result<ObservedUsage, UsageError> {
    let mut target = target.clone();
    let mut notes = Vec::new();
    let mut listed = Vec::new();
    if let Some(wg) = &target.workgroup {
        listed = list_metrics(client, SERVERLESS_NAMESPACE, None, &[("Workgroup", wg)]).await?;
        if target.namespace.is_none() {
            discover_namespace(client, &listed, &mut target, &mut notes).await?;
        }
    }

    let plan = plan(&target, window, now);
    let mut fetched = get_metric_data(client, &plan.main, window).await?;
    if !plan.percentiles.is_empty() {
        match get_metric_data(client, &plan.percentiles, window).await {
            Ok(f) => {
                fetched.points.extend(f.points);
                fetched.failed.extend(f.failed);
            }
            Err(e) => {
                for q in &plan.percentiles {
                    fetched.failed.push((q.id.clone(), e.to_string()));
                }
            }
        }
    }
    let mut observation = aggregate(&plan, &fetched);
    notes.append(&mut observation.notes);
    observation.notes = notes;

    if let (Some(wg), Some(c)) = (&target.workgroup, &observation.compute) {
        if c.datapoints == 0 && listed.is_empty() {
            let all =
                list_metrics(client, SERVERLESS_NAMESPACE, Some("ComputeSeconds"), &[]).await?;
            let existing: BTreeSet<String> = all
                .iter()
                .filter_map(|m| m.dimension("Workgroup").map(str::to_string))
                .collect();
            return Err(UsageError::NoSuchWorkgroup {
                workgroup: wg.clone(),
                region: client.region.clone(),
                existing: existing.into_iter().collect(),
            });
        }
    }
    Ok(ObservedUsage {
        region: client.region.clone(),
        target,
        plan,
        observation,
    })
}

/// The namespace of a workgroup: the one its query metrics name beside it, or the only
/// one with DataStorage. Otherwise storage is left out, with a note.
async fn discover_namespace(
    client: &Client,
    listed: &[ListedMetric],
    target: &mut Target,
    notes: &mut Vec<String>,
) -> Result<(), UsageError> {
    let beside: BTreeSet<&str> = listed
        .iter()
        .filter_map(|m| m.dimension("Namespace"))
        .collect();
    if beside.len() == 1 {
        let ns = beside.into_iter().next().unwrap_or_default().to_string();
        notes.push(format!(
            "namespace `{ns}`: named beside the workgroup's metrics"
        ));
        target.namespace = Some(ns);
        return Ok(());
    }
    let storage = list_metrics(client, SERVERLESS_NAMESPACE, Some("DataStorage"), &[]).await?;
    let with_storage: BTreeSet<&str> = storage
        .iter()
        .filter_map(|m| m.dimension("Namespace"))
        .collect();
    if with_storage.len() == 1 {
        let ns = with_storage
            .into_iter()
            .next()
            .unwrap_or_default()
            .to_string();
        notes.push(format!(
            "namespace `{ns}`: the only one with DataStorage in {}; pass --namespace to choose",
            client.region
        ));
        target.namespace = Some(ns);
    } else if with_storage.is_empty() {
        notes.push("storage not observed: no namespace has DataStorage; pass --namespace".into());
    } else {
        let names: Vec<String> = with_storage.iter().map(|n| format!("`{n}`")).collect();
        notes.push(format!(
            "storage not observed: pass --namespace (namespaces with DataStorage: {})",
            names.join(", ")
        ));
    }
    Ok(())
}
