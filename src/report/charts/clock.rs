//! Period seconds as clock time: the period starts at 00:00 UTC of its first day, and a
//! scenario's `timezone` says how its charts read the clock.

use chrono::{NaiveDate, NaiveDateTime, Offset, TimeZone};

/// Where a chart's period starts and the zone its clock is read in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    pub start: NaiveDate,
    /// `None`: UTC.
    pub zone: Option<chrono_tz::Tz>,
}

impl Clock {
    /// The local date and time `t` seconds into the period.
    pub fn local(&self, t: f64) -> NaiveDateTime {
        let utc = self.start.and_hms_opt(0, 0, 0).unwrap_or_default()
            + chrono::Duration::milliseconds((t * 1000.0).round() as i64);
        match self.zone {
            None => utc,
            Some(z) => z.from_utc_datetime(&utc).naive_local(),
        }
    }

    /// Local minus UTC at `t`, in seconds.
    pub fn offset_seconds(&self, t: f64) -> f64 {
        let utc = self.start.and_hms_opt(0, 0, 0).unwrap_or_default()
            + chrono::Duration::seconds(t as i64);
        match self.zone {
            None => 0.0,
            Some(z) => f64::from(z.offset_from_utc_datetime(&utc).fix().local_minus_utc()),
        }
    }

    /// `Asia/Tokyo (UTC+09:00)` or `UTC`, as of `t`.
    pub fn zone_label(&self, t: f64) -> String {
        match self.zone {
            None => "UTC".into(),
            Some(z) => {
                let off = self.offset_seconds(t) as i64;
                let sign = if off < 0 { '-' } else { '+' };
                let off = off.abs();
                format!(
                    "{} (UTC{sign}{:02}:{:02})",
                    z.name(),
                    off / 3600,
                    off % 3600 / 60
                )
            }
        }
    }

    /// Tick times (period seconds) over `[from, to)`: at most `max` of them, on round
    /// local clock times (minutes, hours, days).
    pub fn ticks(&self, from: f64, to: f64, max: usize) -> Vec<f64> {
        const STEPS: [f64; 14] = [
            60.0,
            300.0,
            600.0,
            900.0,
            1800.0,
            3600.0,
            7200.0,
            10_800.0,
            21_600.0,
            43_200.0,
            86_400.0,
            172_800.0,
            604_800.0,
            2_419_200.0,
        ];
        let span = to - from;
        if !(span > 0.0 && span.is_finite()) {
            return Vec::new();
        }
        let step = STEPS
            .iter()
            .copied()
            .find(|s| span / s <= max as f64 - 1.0)
            .unwrap_or(2_419_200.0);
        let off = self.offset_seconds(from);
        let first = ((from + off) / step).ceil() * step - off;
        (0..=max)
            .map(|k| first + k as f64 * step)
            .filter(|t| *t <= to + 1e-6)
            .collect()
    }

    /// Tick labels: the date on the first tick and wherever the day changes, else the time.
    pub fn tick_labels(&self, ticks: &[f64]) -> Vec<String> {
        let daily = ticks.windows(2).all(|w| w[1] - w[0] >= 86_400.0 - 1.0) && ticks.len() > 1;
        let mut last_day = None;
        ticks
            .iter()
            .map(|t| {
                let l = self.local(*t);
                let day = l.date();
                let label = if daily {
                    l.format("%a %-d %b").to_string()
                } else if last_day != Some(day) {
                    l.format("%a %-d %b %H:%M").to_string()
                } else {
                    l.format("%H:%M").to_string()
                };
                last_day = Some(day);
                label
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_time_in_the_zone_with_round_ticks() {
        let c = Clock {
            start: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            zone: Some(chrono_tz::Tz::Asia__Tokyo),
        };
        assert_eq!(c.local(0.0).to_string(), "2026-01-05 09:00:00");
        assert_eq!(c.zone_label(0.0), "Asia/Tokyo (UTC+09:00)");
        // A day from 10:30 UTC: ticks every 3 hours on the Tokyo clock.
        let t = c.ticks(37_800.0, 37_800.0 + 86_400.0, 9);
        assert!(t.len() <= 9 && t.len() >= 7, "{t:?}");
        let labels = c.tick_labels(&t);
        assert_eq!(labels[0], "Mon 5 Jan 21:00");
        assert_eq!(labels[1], "Tue 6 Jan 00:00");
        assert_eq!(labels[2], "03:00");
        // An hour: every 10 minutes.
        let t = c.ticks(0.0, 3600.0, 8);
        assert_eq!(c.tick_labels(&t)[1], "09:10");
        let utc = Clock { zone: None, ..c };
        assert_eq!(utc.zone_label(0.0), "UTC");
        assert_eq!(utc.local(90_000.0).to_string(), "2026-01-06 01:00:00");
    }
}
