//! redshift-cost: a cost and capacity estimator for Amazon Redshift.
//!
//! Flow: args → config → load & validate scenario → plan price/usage queries → fetch
//! (async) → simulate & compute (pure) → Report → render → write.

pub mod cli;
pub mod commands;
pub mod fsx;
pub mod model;
pub mod output;
pub mod pricing;
pub mod report;
pub mod scenario;
pub mod sweep;
pub mod units;
pub mod usage;
