//! The pure model: engine, components, costs. No I/O, no async, no AWS types.

pub mod backups;
pub mod compare;
pub mod costs;
/// The timeline engine lives in the pure core crate.
pub use redshift_cost_core::engine;
pub mod estimate;
pub mod ml;
pub mod pipelines;
pub mod provisioned;
pub mod reservations;
pub mod scans;
pub mod surface;
pub mod timeline;
pub mod workload;
