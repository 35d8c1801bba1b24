//! The month heatmap: billed RPU-hours by day (rows) and hour of day (columns) on the
//! scenario's clock, in seven shades: where the money goes.

use super::clock::Clock;
use super::layout::{with_legend, Entry, Swatch};
use super::{err, font, trim, ChartError, KeyedAxis};
use chrono::{NaiveDate, Timelike};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Billed RPU-hours of each hour of the period.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapChart {
    pub title: String,
    pub clock: Clock,
    /// Billed RPU-seconds of hour `h` of the period (hours from 00:00 UTC of its start).
    pub hourly_rpu_seconds: Vec<f64>,
}

/// Light to dark blue.
const SHADES: [RGBColor; 7] = [
    RGBColor(222, 235, 247),
    RGBColor(198, 219, 239),
    RGBColor(158, 202, 225),
    RGBColor(107, 174, 214),
    RGBColor(66, 146, 198),
    RGBColor(33, 113, 181),
    RGBColor(8, 69, 148),
];

const ROW_PX: u32 = 20;

/// The grid: local dates, and per date the RPU-hours of each local hour (hours the clock
/// skips stay 0; a repeated hour adds up).
pub(super) fn grid(h: &HeatmapChart) -> Vec<(NaiveDate, [f64; 24])> {
    let mut rows: Vec<(NaiveDate, [f64; 24])> = Vec::new();
    for (i, rpu_s) in h.hourly_rpu_seconds.iter().enumerate() {
        let local = h.clock.local(i as f64 * 3600.0);
        let date = local.date();
        if rows.last().is_none_or(|r| r.0 != date) {
            if let Some(pos) = rows.iter().position(|r| r.0 == date) {
                rows[pos].1[local.hour() as usize] += rpu_s / 3600.0;
                continue;
            }
            rows.push((date, [0.0; 24]));
        }
        if let Some(last) = rows.last_mut() {
            last.1[local.hour() as usize] += rpu_s / 3600.0;
        }
    }
    rows
}

pub(super) fn size(h: &HeatmapChart) -> (u32, u32) {
    let days = grid(h).len().max(1) as u32;
    (1200, 190 + days * ROW_PX)
}

/// The shade of `v` on a scale up to `top` (`None` for nothing billed).
fn shade(v: f64, top: f64) -> Option<usize> {
    if v <= 0.0 || top <= 0.0 {
        return None;
    }
    Some((((v / top) * SHADES.len() as f64).ceil() as usize).clamp(1, SHADES.len()) - 1)
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    h: &HeatmapChart,
) -> Result<(), ChartError> {
    let rows = grid(h);
    if rows.is_empty() {
        return Err(ChartError::Empty("no hours"));
    }
    let top = rows
        .iter()
        .flat_map(|r| r.1.iter().copied())
        .fold(0.0, f64::max);
    let step = top / SHADES.len() as f64;
    let legend: Vec<Entry> = SHADES
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Entry::new(
                format!("≤ {}", trim(super::round_sig(step * (i + 1) as f64))),
                Swatch::Fill(c.to_rgba()),
            )
        })
        .chain([Entry::new(
            "RPU-hours billed in the hour (blank: none)",
            Swatch::Fill(RGBColor(255, 255, 255).to_rgba()),
        )])
        .collect();
    let plot = with_legend(root, &legend)?;
    let n = rows.len();
    let dates: Vec<String> = rows
        .iter()
        .map(|r| r.0.format("%a %-d %b").to_string())
        .collect();
    let mut chart = ChartBuilder::on(&plot)
        .caption(&h.title, font(22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(110)
        .build_cartesian_2d(
            KeyedAxis {
                range: 0.0..24.0,
                keys: (0..24).map(|k| f64::from(k) + 0.5).collect(),
            },
            KeyedAxis {
                range: -0.5..n as f64 - 0.5,
                keys: (0..n).map(|i| i as f64).collect(),
            },
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .set_all_tick_mark_size(0)
        .x_label_formatter(&|x| format!("{:02}", (x - 0.5).round() as i64))
        .y_label_formatter(&|y| {
            // Row 0 at the top: the first day reads first.
            let i = n as f64 - 1.0 - y.round();
            dates.get(i as usize).cloned().unwrap_or_default()
        })
        .x_desc(format!("Hour of day, {}", h.clock.zone_label(0.0)))
        .label_style(font(13))
        .axis_desc_style(font(16))
        .draw()
        .map_err(err)?;
    // Runs of equal shade in a row are one rectangle, drawn shade by shade so the SVG
    // holds one path per shade; white lines then part the cells.
    for (s, colour) in SHADES.iter().enumerate() {
        let mut cells: Vec<Rectangle<(f64, f64)>> = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let y = n as f64 - 1.0 - i as f64;
            let mut hour = 0;
            while hour < 24 {
                if shade(r.1[hour], top) != Some(s) {
                    hour += 1;
                    continue;
                }
                let start = hour;
                while hour < 24 && shade(r.1[hour], top) == Some(s) {
                    hour += 1;
                }
                cells.push(Rectangle::new(
                    [(start as f64, y - 0.5), (hour as f64, y + 0.5)],
                    colour.filled(),
                ));
            }
        }
        chart.draw_series(cells).map_err(err)?;
    }
    let parting = WHITE.stroke_width(3);
    chart
        .draw_series((1..24).map(|h| {
            PathElement::new(
                [(f64::from(h), -0.5), (f64::from(h), n as f64 - 0.5)],
                parting,
            )
        }))
        .map_err(err)?;
    chart
        .draw_series((1..n).map(|i| {
            let y = i as f64 - 0.5;
            PathElement::new([(0.0, y), (24.0, y)], parting)
        }))
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_land_on_the_local_day_and_hour() {
        // 48 hours from 00:00 UTC, read in Tokyo (UTC+9): hour 15 UTC is 00:00 next day.
        let mut hourly = vec![0.0; 48];
        hourly[0] = 3600.0 * 8.0;
        hourly[15] = 3600.0 * 2.0;
        let h = HeatmapChart {
            title: String::new(),
            clock: Clock {
                start: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
                zone: Some(chrono_tz::Tz::Asia__Tokyo),
            },
            hourly_rpu_seconds: hourly,
        };
        let g = grid(&h);
        assert_eq!(g.len(), 3);
        assert_eq!(g[0].0.to_string(), "2026-01-05");
        assert_eq!(g[0].1[9], 8.0);
        assert_eq!(g[1].1[0], 2.0);
        let total: f64 = g.iter().flat_map(|r| r.1.iter()).sum();
        assert_eq!(total, 10.0);
        assert_eq!(shade(8.0, 8.0), Some(6));
        assert_eq!(shade(0.5, 8.0), Some(0));
        assert_eq!(shade(0.0, 8.0), None);
    }
}
