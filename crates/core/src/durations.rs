//! Duration strings ("90s", "1h30m", "500ms", "120") and daily windows ("09:00-18:00"),
//! and the two ways user text and numbers are shown in messages.

use crate::scenario::Window;
use crate::units::{Seconds, SECONDS_PER_DAY, SECONDS_PER_HOUR, SECONDS_PER_MINUTE};

/// The units a duration string may use, with their length in seconds.
const UNITS: [(&str, f64); 19] = [
    ("ms", 0.001),
    ("s", 1.0),
    ("sec", 1.0),
    ("secs", 1.0),
    ("second", 1.0),
    ("seconds", 1.0),
    ("m", SECONDS_PER_MINUTE),
    ("min", SECONDS_PER_MINUTE),
    ("mins", SECONDS_PER_MINUTE),
    ("minute", SECONDS_PER_MINUTE),
    ("minutes", SECONDS_PER_MINUTE),
    ("h", SECONDS_PER_HOUR),
    ("hr", SECONDS_PER_HOUR),
    ("hrs", SECONDS_PER_HOUR),
    ("hour", SECONDS_PER_HOUR),
    ("hours", SECONDS_PER_HOUR),
    ("d", SECONDS_PER_DAY),
    ("day", SECONDS_PER_DAY),
    ("days", SECONDS_PER_DAY),
];

const UNIT_HELP: &str = "use ms, s, m, h or d, e.g. \"90s\", \"3m\", \"1h30m\" or \"1.5h\"";

/// Parses a duration string into seconds. A bare number means seconds. Components may
/// be chained ("1h30m") and separated by spaces ("1h 30m"). Never negative.
pub fn parse_duration(s: &str) -> Result<Seconds, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err(format!("the duration is empty; {UNIT_HELP}"));
    }
    if text.starts_with('-') {
        return Err("a duration cannot be negative".to_string());
    }
    let mut total = 0.0;
    let mut rest = text;
    let mut components = 0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() {
            let bad: String = rest.chars().take(12).collect();
            return Err(format!("expected a number at `{bad}`; {UNIT_HELP}"));
        }
        let value: f64 = number
            .parse()
            .map_err(|_| format!("`{number}` is not a number; {UNIT_HELP}"))?;
        let spaced = after.trim_start();
        let unit_len = spaced
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(spaced.len());
        let (unit, after) = spaced.split_at(unit_len);
        let factor = if unit.is_empty() {
            if components == 0 && after.trim().is_empty() {
                1.0
            } else {
                return Err(format!("`{number}` needs a unit; {UNIT_HELP}"));
            }
        } else {
            let lower = unit.to_ascii_lowercase();
            if let Some((_, f)) = UNITS.iter().find(|(name, _)| *name == lower) {
                *f
            } else {
                let shown: String = unit.chars().take(12).collect();
                return Err(format!("unknown unit `{shown}`; {UNIT_HELP}"));
            }
        };
        total += value * factor;
        components += 1;
        rest = after.trim_start();
    }
    if !total.is_finite() {
        return Err("the duration is too large".to_string());
    }
    Ok(total)
}

/// Formats seconds compactly for messages: "90s", "3m", "1h30m", "2d".
pub fn format_duration(secs: Seconds) -> String {
    if !secs.is_finite() {
        return format!("{secs}s");
    }
    if secs.fract() != 0.0 || secs < 60.0 {
        return format!("{}s", fmt_num(secs));
    }
    let mut rest = secs as u64;
    let mut out = String::new();
    for (unit, len) in [("d", 86_400u64), ("h", 3600), ("m", 60), ("s", 1)] {
        let n = rest / len;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
            rest -= n * len;
        }
    }
    out
}

/// Parses "HH:MM-HH:MM" (seconds optional: "HH:MM:SS"). "24:00" is allowed as the end.
/// An end at or before the start means the window runs past midnight.
pub fn parse_window(s: &str) -> Result<Window, String> {
    let text = s.trim();
    let Some((a, b)) = text.split_once('-') else {
        return Err(
            "expected a window like \"09:00-18:00\" (start-end, 24-hour clock)".to_string(),
        );
    };
    let start = parse_clock(a.trim()).map_err(|e| format!("window start: {e}"))?;
    let end = parse_clock(b.trim()).map_err(|e| format!("window end: {e}"))?;
    if start >= SECONDS_PER_DAY {
        return Err("the window cannot start at 24:00; use 00:00".to_string());
    }
    if end == start {
        return Err(
            "the window is empty (start equals end); use 00:00-24:00 for the whole day".to_string(),
        );
    }
    let end = if end < start {
        end + SECONDS_PER_DAY
    } else {
        end
    };
    Ok(Window { start, end })
}

/// "HH:MM" or "HH:MM:SS" → seconds after midnight; 24:00(:00) allowed.
fn parse_clock(s: &str) -> Result<Seconds, String> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(format!("expected HH:MM or HH:MM:SS, found `{}`", show(s)));
    }
    let field = |i: usize| -> u32 { parts.get(i).and_then(|p| p.parse().ok()).unwrap_or(0) };
    let (h, m, sec) = (field(0), field(1), field(2));
    if h > 24 || m > 59 || sec > 59 || (h == 24 && (m > 0 || sec > 0)) {
        return Err(format!(
            "`{}` is not a time of day (00:00 to 24:00)",
            show(s)
        ));
    }
    Ok(f64::from(h) * SECONDS_PER_HOUR + f64::from(m) * SECONDS_PER_MINUTE + f64::from(sec))
}

/// A user-provided string made safe and short for a message: control characters
/// escaped, long text cut.
pub fn show(s: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i >= MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A number for messages: integers without ".0", NaN as "nan".
pub fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        "nan".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_string()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() < 1e-4 || v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(90.0));
        assert_eq!(parse_duration("3m"), Ok(180.0));
        assert_eq!(parse_duration("1h"), Ok(3600.0));
        assert_eq!(parse_duration("1h30m"), Ok(5400.0));
        assert_eq!(parse_duration("1h 30m"), Ok(5400.0));
        assert_eq!(parse_duration("2d"), Ok(172_800.0));
        assert_eq!(parse_duration("1.5h"), Ok(5400.0));
        assert_eq!(parse_duration("500ms"), Ok(0.5));
        assert_eq!(parse_duration("120"), Ok(120.0));
        assert_eq!(parse_duration(" 7d "), Ok(604_800.0));
        assert_eq!(parse_duration("0"), Ok(0.0));
        assert_eq!(parse_duration("10MIN"), Ok(600.0));
        assert_eq!(parse_duration("3 minutes"), Ok(180.0));
        assert_eq!(parse_duration("1 hour 30 min"), Ok(5400.0));
    }

    #[test]
    fn bad_durations() {
        for bad in [
            "", "3x", "-5m", "m", "1.2.3s", "1h30", "abc", "5 5", "1e3", "inf",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(parse_duration("3x")
            .unwrap_err()
            .contains("unknown unit `x`"));
        assert!(parse_duration(&"9".repeat(400)).is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(format_duration(90.0), "1m30s");
        assert_eq!(format_duration(45.0), "45s");
        assert_eq!(format_duration(0.5), "0.5s");
        assert_eq!(format_duration(5400.0), "1h30m");
    }

    #[test]
    fn windows() {
        let w = parse_window("09:00-18:00").unwrap();
        assert_eq!((w.start, w.end), (32_400.0, 64_800.0));
        let w = parse_window("22:00-02:00").unwrap();
        assert_eq!((w.start, w.end), (79_200.0, 93_600.0));
        let w = parse_window("00:00-24:00").unwrap();
        assert_eq!(w, Window::WHOLE_DAY);
        let w = parse_window("09:00:30 - 09:01").unwrap();
        assert_eq!(w.length(), 30.0);
        let w = parse_window("18:00-00:00").unwrap();
        assert_eq!(w.end, 86_400.0);
    }

    #[test]
    fn bad_windows() {
        for bad in [
            "09:00",
            "09:00-09:00",
            "24:00-02:00",
            "25:00-26:00",
            "9-10",
            "09:60-10:00",
            "24:01-01:00",
            "00:00-24:30",
            "a:b-c:d",
            "09:00-18:00-19:00",
            "",
        ] {
            assert!(parse_window(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(parse_window("09:00-09:00").unwrap_err().contains("empty"));
    }
}
