//! The pure model: engine, components, costs. No I/O, no async, no AWS types.

pub mod costs;
pub mod engine;
pub mod estimate;
pub mod workload;
