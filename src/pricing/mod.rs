//! Prices: the price book and its sources (bundled, live, cache, override).

pub mod book;
pub mod bundled;
pub mod overrides;
pub use book::*;
pub use overrides::apply_overrides;
