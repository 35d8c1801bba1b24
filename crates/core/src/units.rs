//! Named units and money. Bare numbers for time, capacity and prices do not appear
//! elsewhere: they come from here.

use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

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
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
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

/// An amount of US dollars, exact to the micro-dollar: sums never drift, and the amount
/// reads as written (`2.61`, never `2.6100000000000003`). An amount that came from a
/// figure that is not a number is kept as "not a number" through every sum, so that it
/// cannot pass unnoticed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money {
    micros: i64,
}

impl Money {
    pub const ZERO: Money = Money { micros: 0 };
    /// Not a number: from a NaN, infinite or astronomically large figure.
    pub const INVALID: Money = Money { micros: i64::MIN };
    const MICROS_PER_USD: f64 = 1_000_000.0;

    /// `usd` rounded to the nearest micro-dollar; [`Money::INVALID`] when it is not a
    /// finite amount within ±9.2 × 10^12 USD.
    pub fn from_usd(usd: f64) -> Money {
        let micros = (usd * Self::MICROS_PER_USD).round();
        // i64::MIN itself is the invalid marker, so the range is open at the bottom.
        if micros.is_finite() && micros > i64::MIN as f64 && micros < i64::MAX as f64 {
            Money {
                micros: micros as i64,
            }
        } else {
            Money::INVALID
        }
    }

    /// Whole micro-dollars.
    pub fn from_micros(micros: i64) -> Money {
        Money { micros }
    }

    /// The amount in dollars: the double nearest the exact decimal (NaN when invalid),
    /// so that it prints as its decimal.
    pub fn usd(self) -> f64 {
        if self.is_valid() {
            self.micros as f64 / Self::MICROS_PER_USD
        } else {
            f64::NAN
        }
    }

    pub fn micros(self) -> i64 {
        self.micros
    }

    pub fn is_valid(self) -> bool {
        self != Money::INVALID
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        if !(self.is_valid() && rhs.is_valid()) {
            return Money::INVALID;
        }
        match self.micros.checked_add(rhs.micros) {
            Some(m) if m != i64::MIN => Money { micros: m },
            _ => Money::INVALID,
        }
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        if !rhs.is_valid() {
            return Money::INVALID;
        }
        self + Money {
            micros: -rhs.micros,
        }
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// Decimal places of a unit price: the AWS Price List publishes ten (`0.2925000000`).
pub const PRICE_DECIMALS: i32 = 10;

/// A derived unit price (a discount applied) at the Price List's precision, so that
/// `0.375 × 0.8` reads `0.3`, not `0.30000000000000004`.
pub fn round_price(usd: f64) -> f64 {
    let scale = 10f64.powi(PRICE_DECIMALS);
    let r = (usd * scale).round() / scale;
    if r.is_finite() {
        r
    } else {
        usd
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
    fn money_sums_exactly_and_reads_as_written() {
        let a = Money::from_usd(1.1) + Money::from_usd(1.51);
        assert_eq!(a.usd(), 2.61);
        assert_eq!(format!("{}", a.usd()), "2.61");
        let many: Money = (0..1000).map(|_| Money::from_usd(0.1)).sum();
        assert_eq!(many, Money::from_usd(100.0));
        assert_eq!(Money::from_usd(0.000_000_4), Money::ZERO);
        assert_eq!(Money::from_usd(0.000_000_6).micros(), 1);
        assert_eq!((Money::from_usd(2.0) - Money::from_usd(3.5)).usd(), -1.5);
    }

    #[test]
    fn money_that_is_not_a_number_stays_so() {
        for bad in [f64::NAN, f64::INFINITY, -f64::INFINITY, 1e300] {
            assert!(!Money::from_usd(bad).is_valid(), "{bad}");
        }
        let sum = Money::from_usd(1.0) + Money::from_usd(f64::NAN);
        assert!(sum.usd().is_nan());
        let big = Money::from_micros(i64::MAX - 1) + Money::from_micros(5);
        assert!(!big.is_valid());
        let total: Money = [Money::from_usd(1.0), Money::INVALID, Money::from_usd(2.0)]
            .into_iter()
            .sum();
        assert!(!total.is_valid());
    }

    #[test]
    fn derived_prices_have_the_price_lists_precision() {
        assert_eq!(round_price(0.375 * (1.0 - 0.2)), 0.3);
        assert_eq!(round_price(0.000_016_666_7), 0.000_016_666_7);
        assert!(round_price(f64::NAN).is_nan());
    }

    #[test]
    fn month_is_a_twelfth_of_a_year() {
        assert_eq!(HOURS_PER_MONTH * 12.0, 8760.0);
    }
}
