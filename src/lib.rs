//! redshift-cost: a cost and capacity estimator for Amazon Redshift.
//!
//! Flow: args → config → load & validate scenario → plan price/usage queries → fetch
//! (async) → simulate & compute (pure) → Report → render → write.

pub mod cli;
pub mod commands;
pub mod error;
pub mod fsx;
/// The cost model lives in the pure core crate.
pub use redshift_cost_core::model;
pub mod output;
pub mod pricing;
pub mod report;
pub mod scenario;
/// The sweep grid, its summaries and the pick live in the pure core crate.
pub use redshift_cost_core::sweep;
/// Units and money live in the pure core crate.
pub use redshift_cost_core::units;
pub mod usage;

#[cfg(test)]
mod tests_model;
