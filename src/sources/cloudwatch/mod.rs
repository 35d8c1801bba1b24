//! Observed usage from CloudWatch: what the warehouse actually did.
//!
//! - [`plan`]: the GetMetricData queries as data (metric, statistic, period valid for the
//!   look-back, unit probes). Pure.
//! - [`aggregate`]: datapoints → totals in the report's units, daily series, hour-of-day
//!   profile, gaps. Pure.
//! - [`fetch`]: the CloudWatch client, ListMetrics discovery and paginated GetMetricData
//!   (async; bounded retries and timeouts).
//! - [`CloudWatch`]: the [`super::UsageSource`] every command observes through.
//!
//! The calibration maths are in the core (`redshift_cost_core::calibrate`); what `observe`
//! prints and the comparison `estimate` adds are documents of `report::observe`.

pub mod aggregate;
pub mod fetch;
pub mod plan;

use super::{AsyncRuntime, Unfinished, UsageRequest, UsageSource};
use chrono::{DateTime, Utc};
use fetch::{observe, Client, ObservedUsage, UsageError, OBSERVE_DEADLINE};
use std::collections::HashMap;

/// CloudWatch through the standard credential and region chain (and
/// `AWS_ENDPOINT_URL_CLOUDWATCH`), on the run's runtime, within [`OBSERVE_DEADLINE`].
pub struct CloudWatch<'a> {
    pub runtime: &'a AsyncRuntime,
    /// The time the windows were computed from.
    pub now: DateTime<Utc>,
}

/// Errors that say CloudWatch cannot be used at all in this run (not one request's
/// problem): after one, no further request is tried.
pub fn environment_wide(e: &UsageError) -> bool {
    matches!(
        e,
        UsageError::Unreachable(_)
            | UsageError::NoCredentials(_)
            | UsageError::AccessDenied { .. }
            | UsageError::Throttled { .. }
            | UsageError::NoRegion
    )
}

impl UsageSource for CloudWatch<'_> {
    fn observe_all(&self, requests: &[UsageRequest]) -> Vec<Result<ObservedUsage, UsageError>> {
        let now = self.now;
        let run = self.runtime.block_on_within(OBSERVE_DEADLINE, async {
            let mut clients: HashMap<Option<String>, Client> = HashMap::new();
            let mut seen: HashMap<&UsageRequest, Result<ObservedUsage, UsageError>> =
                HashMap::new();
            let mut results = Vec::with_capacity(requests.len());
            let mut broken: Option<UsageError> = None;
            for r in requests {
                if let Some(e) = &broken {
                    results.push(Err(e.clone()));
                    continue;
                }
                if let Some(done) = seen.get(r) {
                    results.push(done.clone());
                    continue;
                }
                let client = match clients.get(&r.region) {
                    Some(c) => Ok(c.clone()),
                    None => Client::from_env(r.region.as_deref()).await.inspect(|c| {
                        clients.insert(r.region.clone(), c.clone());
                    }),
                };
                let result = match client {
                    Ok(c) => observe(&c, &r.target, r.window, now).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = &result {
                    if environment_wide(e) {
                        broken = Some(e.clone());
                    }
                }
                seen.insert(r, result.clone());
                results.push(result);
            }
            results
        });
        run.unwrap_or_else(|why| {
            // The deadline passed (or no runtime): every request gets that reason.
            let e = match why {
                Unfinished::NoRuntime(why) => UsageError::Unreachable(why),
                Unfinished::Deadline => UsageError::Unreachable(format!(
                    "CloudWatch did not answer within {} s (connect timeout 3 s, each call 10 s)",
                    OBSERVE_DEADLINE.as_secs()
                )),
            };
            requests.iter().map(|_| Err(e.clone())).collect()
        })
    }
}
