//! The pure model: engine, components, costs. No I/O, no async, no AWS types.

pub mod backups;
pub mod compare;
pub mod costs;
pub mod engine;
pub mod estimate;
pub mod ml;
pub mod pipelines;
pub mod provisioned;
pub mod reservations;
pub mod scans;
pub mod surface;
pub mod timeline;
pub mod workload;
