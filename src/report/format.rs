//! Number formatting for the human formats (table, markdown). JSON and CSV stay unrounded.

use redshift_cost_core::units::SECONDS_PER_HOUR;

/// Groups the integer part with commas: `1234567.891` → `1,234,567.891`.
fn group(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// Whole dollars with separators, for chart axes: `12,345`.
pub fn whole_usd(x: f64) -> String {
    group(&format!("{:.0}", x.round() + 0.0))
}

/// At most 2 decimals, trailing zeros dropped: `2.5`, `80`, `0.33`.
pub fn trimmed(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Money, rounded to cents: `1,234.57`.
pub fn usd(x: f64) -> String {
    group(&format!("{:.2}", x + 0.0))
}

/// A unit price: at least 3 decimals, more only when the price has them
/// (`0.494`, `0.0261`, `0.00106`, `5.000`), at most 8.
pub fn unit_price(x: f64) -> String {
    let mut s = format!("{x:.8}");
    while s.ends_with('0') && s.split_once('.').is_some_and(|(_, f)| f.len() > 3) {
        s.pop();
    }
    group(&s)
}

/// A quantity, 2 decimals: `1,296.00`.
pub fn quantity(x: f64) -> String {
    group(&format!("{:.2}", x + 0.0))
}

/// Seconds as a short human duration: `45 s`, `3.6 min`, `216.0 h`.
pub fn seconds(x: f64) -> String {
    if x < 120.0 {
        format!("{x:.0} s")
    } else if x < 2.0 * SECONDS_PER_HOUR {
        format!("{:.1} min", x / 60.0)
    } else {
        format!("{} h", quantity(x / SECONDS_PER_HOUR))
    }
}

/// A whole count with separators.
pub fn count(n: usize) -> String {
    group(&n.to_string())
}

/// A percentage with sign, one decimal: `+12.5 %`.
pub fn signed_percent(x: f64) -> String {
    format!("{:+.1} %", x + 0.0)
}

/// A quantile as a percentile's number: 0.95 → `95`, 0.975 → `97.5`.
pub fn quantile_label(q: f64) -> String {
    let s = format!("{:.3}", q * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(usd(642.834), "642.83");
        assert_eq!(whole_usd(12_345.6), "12,346");
        assert_eq!(whole_usd(-0.3), "0");
        assert_eq!(whole_usd(-1_500.0), "-1,500");
        assert_eq!(trimmed(2.50), "2.5");
        assert_eq!(trimmed(80.0), "80");
        assert_eq!(usd(1234567.891), "1,234,567.89");
        assert_eq!(usd(-0.001), "-0.00");
        assert_eq!(unit_price(0.494), "0.494");
        assert_eq!(unit_price(0.0261), "0.0261");
        assert_eq!(unit_price(5.0), "5.000");
        assert_eq!(unit_price(0.00106), "0.00106");
        assert_eq!(quantity(1296.0), "1,296.00");
        assert_eq!(seconds(45.0), "45 s");
        assert_eq!(seconds(216.0), "3.6 min");
        assert_eq!(seconds(777600.0), "216.00 h");
        assert_eq!(count(3720), "3,720");
        assert_eq!(signed_percent(12.46), "+12.5 %");
    }
}
