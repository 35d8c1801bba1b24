//! The pure core of redshift-cost: named units and money, and the Redshift Serverless
//! timeline engine (processor sharing, 60-second minimum charge windows, attribution by
//! class). Nothing here reads a file, talks to a network or knows a price: inputs are
//! passed in, figures come out. See docs/architecture.md.

pub mod engine;
pub mod units;
