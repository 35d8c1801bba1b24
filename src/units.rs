//! Named units and money. Bare numbers for time, capacity and prices do not appear
//! elsewhere: they come from here.

use serde::Serialize;
use std::iter::Sum;
use std::ops::{Add, AddAssign};

/// Seconds in a minute.
pub const SECONDS_PER_MINUTE: f64 = 60.0;
/// Seconds in an hour.
pub const SECONDS_PER_HOUR: f64 = 3600.0;
/// Seconds in a day.
pub const SECONDS_PER_DAY: f64 = 86_400.0;
/// Hours in the billing month AWS uses for monthly estimates (8760 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Hours in a day.
pub const HOURS_PER_DAY: f64 = 24.0;
/// Gigabytes in a terabyte, as AWS bills storage tiers (binary: 50 TB = 51,200 GB).
pub const GB_PER_TB: f64 = 1024.0;
/// Megabytes in a terabyte, for per-MB rounding of scan charges.
pub const MB_PER_TB: f64 = 1024.0 * 1024.0;
/// Megabytes in a gigabyte.
pub const MB_PER_GB: f64 = 1024.0;

/// A duration in seconds.
pub type Seconds = f64;
/// A capacity or demand in Redshift Processing Units.
pub type Rpu = f64;

/// RPU-seconds: the unit Redshift Serverless meters compute in.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct RpuSeconds(pub f64);

impl RpuSeconds {
    /// The same quantity in RPU-hours, the unit it is priced in.
    pub fn to_rpu_hours(self) -> f64 {
        self.0 / SECONDS_PER_HOUR
    }
}

impl Add for RpuSeconds {
    type Output = RpuSeconds;
    fn add(self, rhs: RpuSeconds) -> RpuSeconds {
        RpuSeconds(self.0 + rhs.0)
    }
}

impl AddAssign for RpuSeconds {
    fn add_assign(&mut self, rhs: RpuSeconds) {
        self.0 += rhs.0;
    }
}

impl Sum for RpuSeconds {
    fn sum<I: Iterator<Item = RpuSeconds>>(iter: I) -> RpuSeconds {
        RpuSeconds(iter.map(|x| x.0).sum())
    }
}

/// An amount of money in US dollars (unrounded; rounding is a rendering concern).
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Usd(pub f64);

impl Add for Usd {
    type Output = Usd;
    fn add(self, rhs: Usd) -> Usd {
        Usd(self.0 + rhs.0)
    }
}

impl AddAssign for Usd {
    fn add_assign(&mut self, rhs: Usd) {
        self.0 += rhs.0;
    }
}

impl Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        Usd(iter.map(|x| x.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpu_seconds_convert_to_hours() {
        assert_eq!(RpuSeconds(7200.0).to_rpu_hours(), 2.0);
        let total: RpuSeconds = [RpuSeconds(1.0), RpuSeconds(2.5)].into_iter().sum();
        assert_eq!(total, RpuSeconds(3.5));
    }

    #[test]
    fn month_is_a_twelfth_of_a_year() {
        assert_eq!(HOURS_PER_MONTH * 12.0, 8760.0);
    }
}
