//! Observed usage: what the warehouse actually did, read from CloudWatch.
//!
//! - [`plan`]: the GetMetricData queries as data (metric, statistic, period valid for the
//!   look-back, unit probes). Pure.
//! - [`aggregate`]: datapoints → totals in the report's units, daily series, hour-of-day
//!   profile, gaps. Pure.
//! - [`fetch`]: the CloudWatch client, ListMetrics discovery and paginated GetMetricData
//!   (async; bounded retries and timeouts).
//! - [`calibrate`] (in the core): modelled compute of the observed window, and the factor
//!   on workload durations that makes it match.
//! - what `observe` prints and the comparison `estimate` adds are documents of
//!   `report::observe`.
//! - [`command`]: the `observe` command and `estimate`'s `[observed]` handling.

pub mod aggregate;
/// The calibration maths live in the pure core crate.
pub use redshift_cost_core::calibrate;
pub mod command;
pub mod fetch;
pub mod plan;

pub use command::{attach_observed, observe_scenarios, run_observe, ObserveArgs, ObserveFormat};
pub use fetch::UsageError;
