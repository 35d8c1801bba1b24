//! Helpers shared by the test modules.

pub(crate) mod cli;
pub(crate) mod pricelist;
pub(crate) mod python;
pub(crate) mod servers;
