//! The pure model: engine, components, costs. No I/O, no async, no AWS types.

pub mod engine;
pub mod workload;
