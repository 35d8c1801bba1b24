//! The pure core of redshift-cost: named units and money, the validated domain
//! `Scenario`, price types, the Redshift Serverless timeline engine (processor sharing,
//! 60-second minimum charge windows, attribution by class) and the cost model that
//! prices a scenario. Nothing here reads a file, talks to a network or looks a price up:
//! prices are passed in, figures come out. See docs/architecture.md.

/// The version of the billing model the engine implements (docs/serverless-billing-model.md).
pub const BILLING_MODEL: &str = "v2";

pub mod calibrate;
pub mod durations;
pub mod engine;
pub mod forecast;
pub mod infra;
pub mod messages;
pub mod model;
pub mod plan;
pub mod prices;
pub mod scenario;
pub mod sweep;
pub mod uncertainty;
pub mod units;
