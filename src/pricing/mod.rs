//! Prices: the price book and its sources (bundled, live, cache, override).
//!
//! Precedence per price: override > live/cache > bundled. [`resolve`] picks live, cached
//! or bundled prices per region; [`overrides`] applies a scenario's `[prices]` on top.

pub mod book;
pub mod bundled;
pub mod cache;
pub mod live;
pub mod overrides;
pub mod records;
pub mod resolve;
pub use book::*;
pub use overrides::apply_overrides;
