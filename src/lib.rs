//! redshift-cost: a cost and capacity estimator for Amazon Redshift.
//!
//! The binary runs [`parse`] then [`run`]: the command line is checked into a command's
//! configuration (`cli`), the command (`commands`) runs the [`pipeline`] — load the
//! scenarios ([`scenario`]), resolve prices and usage ([`sources`]), estimate with the
//! pure core crate (`redshift_cost_core`, re-exported here as [`model`], [`units`], ...),
//! build the document ([`report`]) — and [`output`] writes it. See docs/architecture.md.

mod cli;
mod commands;
pub mod error;
mod fsx;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod scenario;
pub mod sources;

pub use cli::{parse, run, Invocation};
/// The calibration maths live in the pure core crate.
pub use redshift_cost_core::calibrate;
/// Typed warnings and notes live in the pure core crate.
pub use redshift_cost_core::messages;
/// The cost model lives in the pure core crate.
pub use redshift_cost_core::model;
/// The price types live in the pure core crate.
pub use redshift_cost_core::prices;
/// The sweep grid, its summaries and the pick live in the pure core crate.
pub use redshift_cost_core::sweep;
/// Units and money live in the pure core crate.
pub use redshift_cost_core::units;

#[cfg(test)]
mod tests_model;
