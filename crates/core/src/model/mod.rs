//! The cost model: turns a validated scenario and its price sheet into an estimate.
//! `estimate` plans the jobs, runs the engine and prices the Serverless compute and
//! managed storage; each other billed thing has its own file (provisioned clusters,
//! reservations, Spectrum, snapshots, data sharing, Redshift ML, pipelines). Pure: no
//! I/O, and every price comes from the [`crate::prices::PriceSheet`] passed in.

pub mod compare;
pub mod costs;
pub mod data_sharing;
pub mod estimate;
pub mod figures;
pub mod ml;
pub mod notes;
pub mod pipelines;
pub mod provisioned;
pub mod reservations;
pub mod snapshots;
pub mod spectrum;
pub mod timeline;
pub mod workload;
