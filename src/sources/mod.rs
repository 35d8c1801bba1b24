//! Where a run's prices and observed usage come from, behind two traits the pipeline
//! resolves through: [`PriceSource`] (the bundled book, the on-disk cache, the live AWS
//! Price List) and [`UsageSource`] (CloudWatch). Nothing here knows the command line or
//! the report.
//!
//! The run's one async runtime ([`AsyncRuntime`]) is built in `main` and lent to the
//! sources that need it; its failure to start is a reason reported by the source that
//! needed it, never a panic.

pub mod aws;
pub mod bill;
pub mod cloudwatch;
pub mod history;
pub mod prices;

use cloudwatch::fetch::{ObservedUsage, UsageError};
use cloudwatch::plan::{ObservedWindow, Target};
use prices::resolve::{LiveFailure, Resolved};
use std::future::Future;
use std::time::Duration;

/// The prices of a run's regions, with where each came from.
pub trait PriceSource {
    /// Resolves `regions`; warnings are in [`Resolved::warnings`].
    ///
    /// # Errors
    /// When live prices were required and could not be fetched.
    fn resolve(&self, regions: &[String]) -> Result<Resolved, LiveFailure>;
}

/// One observation a run asks for: a target's metrics over a window, in a region (or
/// the standard chain's region when `None`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UsageRequest {
    pub region: Option<String>,
    pub target: Target,
    pub window: ObservedWindow,
}

/// Observed usage.
pub trait UsageSource {
    /// Observes every request, in order. After an error that makes the source unusable
    /// for the whole run (no credentials, access denied), the rest get that error
    /// without being tried; identical requests are read once.
    fn observe_all(&self, requests: &[UsageRequest]) -> Vec<Result<ObservedUsage, UsageError>>;
}

/// The bill (Cost Explorer).
pub trait BillSource {
    /// Every day and usage type of the request.
    fn bill(&self, request: &bill::BillRequest) -> Result<Vec<bill::BillRow>, aws::AwsError>;
}

/// The run's async runtime (a current-thread tokio runtime), or why it could not start.
pub struct AsyncRuntime {
    runtime: Result<tokio::runtime::Runtime, String>,
}

/// Why a future did not complete on the [`AsyncRuntime`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfinished {
    /// The runtime could not start.
    NoRuntime(String),
    /// The deadline passed.
    Deadline,
}

impl AsyncRuntime {
    /// Starts the runtime; a failure is kept and reported by whatever needs it.
    pub fn new() -> AsyncRuntime {
        AsyncRuntime {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the async runtime: {e}")),
        }
    }

    /// Runs `fut` to completion, for at most `deadline`.
    pub fn block_on_within<F: Future>(
        &self,
        deadline: Duration,
        fut: F,
    ) -> Result<F::Output, Unfinished> {
        let runtime = self
            .runtime
            .as_ref()
            .map_err(|e| Unfinished::NoRuntime(e.clone()))?;
        runtime
            .block_on(async { tokio::time::timeout(deadline, fut).await })
            .map_err(|_| Unfinished::Deadline)
    }

    /// Stops the runtime without waiting for tasks still hanging (a DNS lookup or a
    /// connection that outlived its deadline).
    pub fn shutdown(self) {
        if let Ok(rt) = self.runtime {
            rt.shutdown_timeout(Duration::from_millis(100));
        }
    }
}

impl Default for AsyncRuntime {
    fn default() -> AsyncRuntime {
        AsyncRuntime::new()
    }
}
