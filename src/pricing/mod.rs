//! Prices: the price book and its sources (bundled, live, cache, override).

pub mod book;
pub mod bundled;
pub use book::*;
