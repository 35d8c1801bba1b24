//! Live prices from the AWS Price List Query API (`aws-sdk-pricing`): the only async code
//! of the pricing side. The caller owns the runtime (see `cli`); [`fetch`] never panics
//! and always returns within [`LiveConfig::total_timeout`].
//!
//! The queries are planned as data first ([`plan_queries`]): for each priced region, one
//! GetProducts query per product family, filtered on `regionCode` and `productFamily`,
//! paginated with NextToken (MaxResults 100). Every `PriceList` element is decoded by
//! [`records`](super::records).

use super::records::{parse_record, LivePrices, PriceRecord};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_pricing::config::{Credentials, ProvideCredentials};
use aws_sdk_pricing::error::SdkError;
use aws_sdk_pricing::operation::get_products::GetProductsError;
use aws_sdk_pricing::types::{Filter, FilterType};
use aws_sdk_pricing::Client;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The Price List service code of Amazon Redshift.
pub const SERVICE_CODE: &str = "AmazonRedshift";
/// The Price List endpoint region used unless `--pricing-endpoint-region` says otherwise.
pub const DEFAULT_ENDPOINT_REGION: &str = "us-east-1";
/// Regions with a Price List Query API endpoint (the priced region is independent).
pub const ENDPOINT_REGIONS: [&str; 3] = ["us-east-1", "eu-central-1", "ap-south-1"];
/// The IAM action the fetch needs.
pub const IAM_ACTION: &str = "pricing:GetProducts";

/// A product family the estimator reads from the Price List.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    Serverless,
    ManagedStorage,
    BackupStorage,
    Nodes,
    ConcurrencyScaling,
    DataScan,
}

impl Family {
    pub const ALL: [Family; 6] = [
        Family::Serverless,
        Family::ManagedStorage,
        Family::BackupStorage,
        Family::Nodes,
        Family::ConcurrencyScaling,
        Family::DataScan,
    ];

    /// The `productFamily` attribute value.
    pub fn product_family(self) -> &'static str {
        match self {
            Family::Serverless => "Serverless",
            Family::ManagedStorage => "Redshift Managed Storage",
            Family::BackupStorage => "Storage Snapshot",
            Family::Nodes => "Compute Instance",
            Family::ConcurrencyScaling => "Redshift Concurrency Scaling",
            Family::DataScan => "Redshift Data Scan",
        }
    }
}

/// One GetProducts query (all its pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceQuery {
    pub region: String,
    pub family: Family,
}

impl PriceQuery {
    /// The query's filters: `regionCode` and `productFamily`, both TERM_MATCH.
    pub fn filters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("regionCode", self.region.clone()),
            ("productFamily", self.family.product_family().to_string()),
        ]
    }
}

/// The queries that price `regions`: every family for every region.
pub fn plan_queries(regions: &[String]) -> Vec<PriceQuery> {
    regions
        .iter()
        .flat_map(|r| {
            Family::ALL.iter().map(move |&family| PriceQuery {
                region: r.clone(),
                family,
            })
        })
        .collect()
}

/// Timeouts, retries and the endpoint region of a fetch.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveConfig {
    /// Region of the Price List endpoint (not the priced region).
    pub endpoint_region: String,
    pub connect_timeout: Duration,
    /// Each call (one attempt of one page).
    pub attempt_timeout: Duration,
    /// The whole fetch, credentials included.
    pub total_timeout: Duration,
    /// Looking up credentials (the standard chain may ask instance metadata).
    pub credentials_timeout: Duration,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    /// MaxResults of each page (1..=100).
    pub page_size: i32,
    /// Queries in flight at once.
    pub concurrency: usize,
    /// Endpoint URL to use instead of the one aws-config resolves (which honours
    /// `AWS_ENDPOINT_URL_PRICING` and `AWS_ENDPOINT_URL`).
    pub endpoint_url: Option<String>,
    /// Credentials to use instead of the standard chain.
    pub credentials: Option<Credentials>,
}

impl Default for LiveConfig {
    fn default() -> LiveConfig {
        LiveConfig {
            endpoint_region: DEFAULT_ENDPOINT_REGION.to_string(),
            connect_timeout: Duration::from_secs(3),
            attempt_timeout: Duration::from_secs(5),
            // Under --prices auto the fallback must answer within 15 s.
            total_timeout: Duration::from_secs(12),
            credentials_timeout: Duration::from_secs(3),
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            page_size: 100,
            concurrency: 4,
            endpoint_url: None,
            credentials: None,
        }
    }
}

/// Why live prices could not be had. `Display` is a short reason for a warning or an
/// error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("no AWS credentials found{0}")]
    NoCredentials(String),
    #[error("no usable AWS credentials ({0})")]
    Credentials(String),
    #[error("the Price List API rejected the credentials ({0})")]
    CredentialsRejected(String),
    #[error("access denied: the credentials lack the IAM permission {IAM_ACTION} ({0})")]
    AccessDenied(String),
    #[error("throttled by the Price List API (ThrottlingException) after {attempts} attempts")]
    Throttled { attempts: u32 },
    #[error("{0}")]
    Timeout(String),
    #[error("cannot reach the Price List API: {0}")]
    Network(String),
    #[error("the Price List API failed: {0}")]
    Service(String),
    #[error("unexpected answer from the Price List API: {0}")]
    BadAnswer(String),
    #[error("the Price List has no {SERVICE_CODE} prices for {region}")]
    NoProducts { region: String },
}

impl FetchError {
    /// `true` for a missing `pricing:GetProducts` permission.
    pub fn is_access_denied(&self) -> bool {
        matches!(self, FetchError::AccessDenied(_))
    }
}

fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// The innermost error message of a chain (e.g. `Connection refused (os error 111)`).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Whether the HTTP client's read timeout (not its connect timeout) ended the call.
fn is_read_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.to_string().contains("read timeout") {
            return true;
        }
        cur = err.source();
    }
    false
}

fn classify(e: SdkError<GetProductsError>, config: &LiveConfig) -> FetchError {
    match &e {
        SdkError::ServiceError(se) => {
            let status = se.raw().status().as_u16();
            let err = se.err();
            let code = err.meta().code().unwrap_or("UnknownError").to_string();
            let message = err.meta().message().unwrap_or("").trim().to_string();
            let detail = if message.is_empty() {
                code.clone()
            } else {
                format!("{code}: {message}")
            };
            match err {
                GetProductsError::AccessDeniedException(_) => FetchError::AccessDenied(detail),
                GetProductsError::ThrottlingException(_) => FetchError::Throttled {
                    attempts: config.max_attempts,
                },
                _ if code.contains("AccessDenied") => FetchError::AccessDenied(detail),
                _ if code.contains("Throttl") || code == "TooManyRequestsException" => {
                    FetchError::Throttled {
                        attempts: config.max_attempts,
                    }
                }
                _ if matches!(
                    code.as_str(),
                    "UnrecognizedClientException"
                        | "InvalidSignatureException"
                        | "ExpiredTokenException"
                        | "InvalidClientTokenId"
                        | "IncompleteSignature"
                ) =>
                {
                    FetchError::CredentialsRejected(detail)
                }
                _ => FetchError::Service(format!("HTTP {status} {detail}")),
            }
        }
        SdkError::TimeoutError(_) => FetchError::Timeout(format!(
            "no answer from the Price List API within {}",
            secs(config.attempt_timeout)
        )),
        SdkError::DispatchFailure(df) if df.is_timeout() && !is_read_timeout(&e) => {
            FetchError::Timeout(format!(
                "cannot reach the Price List API within {}",
                secs(config.connect_timeout)
            ))
        }
        SdkError::DispatchFailure(df) if df.is_timeout() => FetchError::Timeout(format!(
            "no answer from the Price List API within {}",
            secs(config.attempt_timeout)
        )),
        SdkError::DispatchFailure(_) => FetchError::Network(root_cause(&e)),
        SdkError::ResponseError(_) => FetchError::BadAnswer(root_cause(&e)),
        _ => FetchError::Service(root_cause(&e)),
    }
}

/// A client for `config.endpoint_region` with resolved credentials, or why there is none.
///
/// aws-config's standard chain is used (environment, shared files, SSO, web identity,
/// container and instance metadata; `AWS_EC2_METADATA_DISABLED` is respected), and so is
/// its endpoint resolution: `AWS_ENDPOINT_URL_PRICING`, then `AWS_ENDPOINT_URL`.
/// Credentials are looked up once, within `credentials_timeout`, so a machine without
/// any answers at once instead of after a failed request.
pub async fn client(config: &LiveConfig) -> Result<Client, FetchError> {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(config.connect_timeout)
        .read_timeout(config.attempt_timeout)
        .operation_attempt_timeout(config.attempt_timeout)
        .build();
    let retries = RetryConfig::standard()
        .with_max_attempts(config.max_attempts.max(1))
        .with_initial_backoff(config.initial_backoff)
        .with_max_backoff(Duration::from_secs(5));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(config.endpoint_region.clone()))
        .timeout_config(timeouts)
        .retry_config(retries);
    if let Some(url) = &config.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(c) = &config.credentials {
        loader = loader.credentials_provider(c.clone());
    }
    let sdk = loader.load().await;
    let provider = sdk
        .credentials_provider()
        .ok_or_else(|| FetchError::NoCredentials(String::new()))?;
    let credentials = match tokio::time::timeout(
        config.credentials_timeout,
        provider.provide_credentials(),
    )
    .await
    {
        Err(_) => {
            return Err(FetchError::NoCredentials(format!(
                " (the credential lookup took longer than {})",
                secs(config.credentials_timeout)
            )))
        }
        Ok(Err(CredentialsError::CredentialsNotLoaded(_))) => {
            return Err(FetchError::NoCredentials(String::new()))
        }
        Ok(Err(e)) => return Err(FetchError::Credentials(root_cause(&e))),
        Ok(Ok(c)) => c,
    };
    let conf = aws_sdk_pricing::config::Builder::from(&sdk)
        .credentials_provider(credentials)
        .build();
    Ok(Client::from_conf(conf))
}

/// The records of a query (or a region), and notes on records that could not be read.
type Records = (Vec<PriceRecord>, Vec<String>);

/// All pages of one query, decoded. Records that cannot be decoded are noted, not
/// fatal.
async fn run_query(
    client: &Client,
    query: &PriceQuery,
    config: &LiveConfig,
) -> Result<Records, FetchError> {
    let mut filters = Vec::new();
    for (field, value) in query.filters() {
        filters.push(
            Filter::builder()
                .r#type(FilterType::TermMatch)
                .field(field)
                .value(value)
                .build()
                .map_err(|e| FetchError::Service(e.to_string()))?,
        );
    }
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0usize;
    loop {
        let page = client
            .get_products()
            .service_code(SERVICE_CODE)
            .set_filters(Some(filters.clone()))
            .format_version("aws_v1")
            .max_results(config.page_size.clamp(1, 100))
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| classify(e, config))?;
        pages += 1;
        for item in page.price_list() {
            match parse_record(item) {
                Ok(r) => records.push(r),
                Err(e) => skipped.push(format!(
                    "{} {}: skipped a record: {e}",
                    query.region,
                    query.family.product_family()
                )),
            }
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => {
                if token.as_deref() == Some(t) || pages >= 1_000 {
                    return Err(FetchError::BadAnswer(format!(
                        "pagination does not end ({pages} pages)"
                    )));
                }
                token = Some(t.to_string());
            }
            _ => break,
        }
    }
    Ok((records, skipped))
}

/// Fetches the prices of `regions` (region codes). Each region gets its prices or the
/// first error of its queries; a region whose answer holds none of the estimator's prices
/// gets [`FetchError::NoProducts`]. Never takes longer than `config.total_timeout`.
pub async fn fetch(
    config: &LiveConfig,
    regions: &[String],
) -> BTreeMap<String, Result<LivePrices, FetchError>> {
    let every = |e: FetchError| -> BTreeMap<String, Result<LivePrices, FetchError>> {
        regions
            .iter()
            .map(|r| (r.clone(), Err(e.clone())))
            .collect()
    };
    let too_long = || {
        FetchError::Timeout(format!(
            "the price fetch took longer than {}",
            secs(config.total_timeout)
        ))
    };
    let deadline = tokio::time::Instant::now() + config.total_timeout;
    let client = match tokio::time::timeout_at(deadline, client(config)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return every(e),
        Err(_) => return every(too_long()),
    };

    let queries = plan_queries(regions);
    let permits = Arc::new(tokio::sync::Semaphore::new(config.concurrency.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, q) in queries.iter().cloned().enumerate() {
        let (client, config, permits) = (client.clone(), config.clone(), permits.clone());
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (i, run_query(&client, &q, &config).await)
        });
    }
    let mut results: Vec<Option<Result<_, FetchError>>> = vec![None; queries.len()];
    loop {
        match tokio::time::timeout_at(deadline, set.join_next()).await {
            Ok(Some(Ok((i, r)))) => results[i] = Some(r),
            Ok(Some(Err(_))) => {} // a panicked task: its slot stays empty
            Ok(None) => break,
            Err(_) => {
                set.abort_all();
                break;
            }
        }
    }

    let mut per_region: BTreeMap<String, Result<Records, FetchError>> = regions
        .iter()
        .map(|r| (r.clone(), Ok((Vec::new(), Vec::new()))))
        .collect();
    for (q, r) in queries.iter().zip(results) {
        let slot = per_region.get_mut(&q.region).expect("planned region");
        let Ok((records, skipped)) = slot else {
            continue;
        };
        match r {
            Some(Ok((mut more, mut notes))) => {
                records.append(&mut more);
                skipped.append(&mut notes);
            }
            Some(Err(e)) => *slot = Err(e),
            None => *slot = Err(too_long()),
        }
    }
    per_region
        .into_iter()
        .map(|(region, r)| {
            let prices = r.and_then(|(records, skipped)| {
                let mut prices = LivePrices::from_records(&region, &records);
                if prices.is_empty() {
                    return Err(FetchError::NoProducts {
                        region: region.clone(),
                    });
                }
                prices.notes.splice(0..0, skipped);
                Ok(prices)
            });
            (region, prices)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_cover_every_family_of_every_region() {
        let q = plan_queries(&["us-east-1".into(), "ap-northeast-1".into()]);
        assert_eq!(q.len(), 12);
        assert_eq!(q[0].region, "us-east-1");
        assert_eq!(
            q[0].filters(),
            vec![
                ("regionCode", "us-east-1".to_string()),
                ("productFamily", "Serverless".to_string())
            ]
        );
        assert_eq!(q[11].family.product_family(), "Redshift Data Scan");
    }

    #[test]
    fn default_limits_are_the_documented_ones() {
        let c = LiveConfig::default();
        assert!(c.connect_timeout <= Duration::from_secs(3));
        assert!(c.attempt_timeout <= Duration::from_secs(5));
        assert!(c.total_timeout <= Duration::from_secs(12));
        assert_eq!(c.page_size, 100);
        assert_eq!(c.endpoint_region, "us-east-1");
    }

    #[test]
    fn error_messages_name_what_failed() {
        let e = FetchError::AccessDenied("AccessDeniedException: no".into());
        assert!(e.to_string().contains("pricing:GetProducts"), "{e}");
        assert!(e.is_access_denied());
        assert_eq!(
            FetchError::Throttled { attempts: 3 }.to_string(),
            "throttled by the Price List API (ThrottlingException) after 3 attempts"
        );
        assert_eq!(
            FetchError::NoCredentials(String::new()).to_string(),
            "no AWS credentials found"
        );
        assert_eq!(secs(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(secs(Duration::from_secs(30)), "30 s");
    }
}
