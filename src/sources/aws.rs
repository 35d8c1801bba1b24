//! What the newer AWS sources (Cost Explorer, the Redshift Data API) share: loading the
//! standard chain with bounded timeouts and retries, and one error type that names the
//! service, the action and the IAM permission it needs.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::time::Duration;

/// Why an AWS call gave no answer we can use.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AwsError {
    #[error("no AWS region for {service}: pass --region, or set AWS_REGION (or a region in the AWS profile)")]
    NoRegion { service: &'static str },
    #[error("no AWS credentials for {service} ({why}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")]
    NoCredentials { service: &'static str, why: String },
    #[error("access denied: {service} {action} needs the IAM permission {permission} ({code}: {message}); see docs/observe.md")]
    AccessDenied {
        service: &'static str,
        action: &'static str,
        permission: &'static str,
        code: String,
        message: String,
    },
    #[error("{service} kept throttling {action} ({code}) through {attempts} attempts; try again later, or allow more attempts with AWS_MAX_ATTEMPTS")]
    Throttled {
        service: &'static str,
        action: &'static str,
        code: String,
        attempts: u32,
    },
    #[error("cannot reach {service}: {why}")]
    Unreachable { service: &'static str, why: String },
    #[error("{service} {action} failed: {code}: {message}")]
    Service {
        service: &'static str,
        action: &'static str,
        code: String,
        message: String,
    },
    #[error("{0}")]
    Other(String),
}

impl AwsError {
    /// Bad input on our side (exit 2) rather than a failure (exit 1).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, AwsError::NoRegion { .. })
    }
}

/// Attempts per request unless `AWS_MAX_ATTEMPTS`/`AWS_RETRY_MODE` choose.
pub const MAX_ATTEMPTS: u32 = 4;

/// aws-config's standard chain (environment, profile, SSO, IMDS; `AWS_ENDPOINT_URL_<SERVICE>`
/// overrides), with bounded timeouts and retries, in `region` or the chain's.
pub async fn load(
    region: Option<&str>,
    service: &'static str,
) -> Result<(SdkConfig, u32), AwsError> {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .read_timeout(Duration::from_secs(10))
        .operation_attempt_timeout(Duration::from_secs(15))
        .operation_timeout(Duration::from_secs(40))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts);
    let env_chooses = std::env::var_os("AWS_MAX_ATTEMPTS").is_some()
        || std::env::var_os("AWS_RETRY_MODE").is_some();
    if !env_chooses {
        loader = loader.retry_config(
            RetryConfig::standard()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(200)),
        );
    }
    if let Some(r) = region {
        loader = loader.region(Region::new(r.to_string()));
    }
    let conf = loader.load().await;
    if conf.region().is_none() {
        return Err(AwsError::NoRegion { service });
    }
    let attempts = conf
        .retry_config()
        .map_or(MAX_ATTEMPTS, RetryConfig::max_attempts);
    Ok((conf, attempts))
}

/// Runs `fut` (a whole read: loading the chain and every call) on the run's runtime
/// within `deadline`; past it, or without a runtime, the read is unreachable.
pub fn run_within<T>(
    runtime: &super::AsyncRuntime,
    deadline: Duration,
    service: &'static str,
    fut: impl std::future::Future<Output = Result<T, AwsError>>,
) -> Result<T, AwsError> {
    runtime
        .block_on_within(deadline, fut)
        .unwrap_or_else(|why| {
            Err(AwsError::Unreachable {
                service,
                why: match why {
                    super::Unfinished::NoRuntime(why) => why,
                    super::Unfinished::Deadline => {
                        format!("no answer within {} s", deadline.as_secs())
                    }
                },
            })
        })
}

/// Sorts an SDK error into an [`AwsError`] (CloudWatch's classifier maps it onward).
pub fn classify<E, R>(
    service: &'static str,
    action: &'static str,
    permission: &'static str,
    attempts: u32,
    e: aws_sdk_cloudwatch::error::SdkError<E, R>,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    use aws_sdk_cloudwatch::error::SdkError;
    if let SdkError::ServiceError(se) = &e {
        let code = se.err().code().unwrap_or("Unknown").to_string();
        let message = se
            .err()
            .message()
            .map_or_else(|| "no message".to_string(), str::to_string);
        let lower = code.to_ascii_lowercase();
        if lower.contains("accessdenied")
            || lower.contains("unauthorized")
            || lower == "notauthorized"
        {
            return AwsError::AccessDenied {
                service,
                action,
                permission,
                code,
                message,
            };
        }
        if lower.contains("throttl")
            || lower.contains("limitexceeded")
            || lower.contains("toomanyrequests")
        {
            return AwsError::Throttled {
                service,
                action,
                code,
                attempts,
            };
        }
        return AwsError::Service {
            service,
            action,
            code,
            message,
        };
    }
    let text = error_chain(&e);
    match e {
        SdkError::TimeoutError(_) => AwsError::Unreachable {
            service,
            why: format!("timed out: {text}"),
        },
        _ if text.contains("credential") => AwsError::NoCredentials {
            service,
            why: "none found in the environment, profile, web identity, container or instance metadata"
                .to_string(),
        },
        _ => AwsError::Unreachable { service, why: text },
    }
}

/// An error and its sources, each once, on one line (`dispatch failure: io error: ...`).
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}
