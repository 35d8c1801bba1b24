//! The sweep chart: monthly cost against a swept value, one line per value of a second
//! parameter, the zero-ETL refreshes' share drawn apart, worst-case staleness on its own
//! axis with the `--max-staleness` limit as a band, and at most eight tick labels.

use super::layout::{with_legend, Entry, Swatch};
use super::{colour, err, font, interval_label, nice_ceiling, trim, ChartError, KeyedAxis};
use crate::report::format::whole_usd;
use plotters::coord::Shift;
use plotters::prelude::*;
use redshift_cost_core::units::SECONDS_PER_HOUR;

/// Monthly cost against a swept value.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepCurve {
    pub title: String,
    /// Axis label of the swept value, with its unit.
    pub x_label: String,
    /// Logarithmic x axis (REFRESH_INTERVAL spans 0 to days); 0 is drawn half a decade
    /// left of the smallest positive value and labelled "0".
    pub log_x: bool,
    /// The swept value is a duration in seconds: ticks read `30s`, `15m`, `6h`.
    pub x_seconds: bool,
    /// One line per value of the second parameter (one line without one).
    pub series: Vec<SweepSeries>,
    /// The pick (x, total USD), e.g. the cheapest interval within `--max-staleness`.
    pub pick: Option<(f64, f64)>,
    /// `--max-staleness`, drawn as a band above it on the staleness axis.
    pub max_staleness: Option<f64>,
}

/// One line of a sweep chart.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSeries {
    /// `param = value` of the second parameter; `None` for the only line.
    pub label: Option<String>,
    pub points: Vec<SweepPoint>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepPoint {
    pub x: f64,
    pub total: f64,
    /// The zero-ETL refreshes' compute (USD), 0 without zero-ETL.
    pub sync: f64,
    pub staleness: Option<f64>,
}

/// The width of line `k` of `n`: 3 for one line; with several, each thinner than the one
/// before (5, 4, 3, 2), so that lines drawn on top of each other all show.
fn line_width(k: usize, n: usize) -> u32 {
    if n <= 1 {
        3
    } else {
        (5u32.saturating_sub(k as u32)).max(2)
    }
}

/// At most this many tick labels on an axis.
const MAX_TICKS: usize = 8;
/// Markers are drawn on a line of at most this many points.
const MARKERS_UP_TO: usize = 40;

/// Round durations a tick may sit on (seconds).
const DURATION_TICKS: [f64; 22] = [
    1.0,
    2.0,
    5.0,
    10.0,
    15.0,
    30.0,
    60.0,
    120.0,
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
    1_209_600.0,
    2_592_000.0,
];

/// Tick values between `lo` and `hi` (data units): round, at most [`MAX_TICKS`], spaced
/// evenly on the axis as drawn (`log`) or in value.
pub(super) fn ticks(lo: f64, hi: f64, log: bool, seconds: bool) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return Vec::new();
    }
    if log {
        let lo_pos = lo.max(f64::MIN_POSITIVE);
        let mut candidates: Vec<f64> = if seconds {
            DURATION_TICKS.to_vec()
        } else {
            (-6..=12)
                .flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k)))
                .collect()
        };
        candidates.retain(|v| *v >= lo_pos * 0.999 && *v <= hi * 1.001);
        let span = (hi / lo_pos).log10().max(1e-9);
        let gap = span / (MAX_TICKS as f64 + 0.5);
        let mut out: Vec<f64> = Vec::new();
        for v in candidates {
            if out.last().is_none_or(|last| (v / last).log10() >= gap) {
                out.push(v);
            }
        }
        if out.len() > MAX_TICKS {
            let step = out.len().div_ceil(MAX_TICKS);
            out = out.into_iter().step_by(step).collect();
        }
        return out;
    }
    let span = (hi - lo).max(f64::EPSILON);
    let raw = span / MAX_TICKS as f64;
    let step = if seconds {
        DURATION_TICKS
            .iter()
            .copied()
            .find(|s| *s >= raw)
            .unwrap_or_else(|| nice_ceiling(raw))
    } else {
        nice_ceiling(raw)
    };
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .take(MAX_TICKS + 1)
        .map(|k| k as f64 * step)
        .collect()
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &SweepCurve,
) -> Result<(), ChartError> {
    let all = || s.series.iter().flat_map(|l| l.points.iter());
    if all().next().is_none() {
        return Err(ChartError::Empty("no sweep points"));
    }
    let min_pos = all()
        .map(|p| p.x)
        .filter(|x| *x > 0.0)
        .fold(f64::INFINITY, f64::min);
    let has_zero = all().any(|p| p.x <= 0.0);
    let zero_u = if min_pos.is_finite() {
        min_pos.log10() - 0.5
    } else {
        0.0
    };
    let to_u = |x: f64| -> f64 {
        if !s.log_x {
            x
        } else if x > 0.0 {
            x.log10()
        } else {
            zero_u
        }
    };
    let (u0, u1) = all()
        .map(|p| to_u(p.x))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), u| {
            (a.min(u), b.max(u))
        });
    let pad = ((u1 - u0) * 0.04).max(0.1);
    let x_hi = all().map(|p| p.x).fold(f64::NEG_INFINITY, f64::max);
    let x_lo = if s.log_x {
        min_pos
    } else {
        all().map(|p| p.x).fold(f64::INFINITY, f64::min)
    };
    let mut keys: Vec<f64> = ticks(x_lo, x_hi, s.log_x, s.x_seconds)
        .into_iter()
        .map(to_u)
        .collect();
    if s.log_x && has_zero {
        keys.insert(0, zero_u);
    }
    let y_max = nice_ceiling(all().map(|p| p.total).fold(0.0, f64::max) * 1.08);

    // The staleness axis shows what matters: up to a few times the limit when there is
    // one (points above are pinned to the top, and the axis says so).
    let stale_max_seen = all().filter_map(|p| p.staleness).fold(0.0, f64::max);
    let has_stale = all().any(|p| p.staleness.is_some());
    let stale_top = match s.max_staleness {
        Some(limit) if limit > 0.0 => (stale_max_seen * 1.1).min(limit * 4.0).max(limit * 1.5),
        _ => stale_max_seen * 1.1,
    }
    .max(1.0);
    let stale_unit = if stale_top >= 2.0 * SECONDS_PER_HOUR {
        SECONDS_PER_HOUR
    } else if stale_top >= 120.0 {
        60.0
    } else {
        1.0
    };
    let stale_max = nice_ceiling(stale_top / stale_unit) * stale_unit;
    let clipped = stale_max_seen > stale_max;

    let several = s.series.len() > 1;
    let show_sync = !several && all().any(|p| p.sync > 0.0);
    let mut legend: Vec<Entry> = s
        .series
        .iter()
        .enumerate()
        .map(|(k, l)| {
            Entry::new(
                l.label.as_ref().map_or_else(
                    || "monthly cost (left axis)".to_string(),
                    |v| format!("cost, {v}"),
                ),
                Swatch::Line(colour(k), line_width(k, s.series.len())),
            )
        })
        .collect();
    let sync_col = colour(4);
    if show_sync {
        legend.push(Entry::new(
            "of which zero-ETL refreshes",
            Swatch::Line(sync_col, 2),
        ));
    }
    // One staleness line in its own colour; with several series, each series' own
    // colour (thin, with triangles) where their staleness differs.
    let stale_col = colour(5);
    let stale_differs = s.series.iter().skip(1).any(|l| {
        s.series[0]
            .points
            .iter()
            .zip(&l.points)
            .any(|(a, b)| a.staleness != b.staleness)
    });
    if has_stale {
        legend.push(Entry::new(
            if stale_differs {
                "worst-case staleness (right axis, thin, each line's colour)"
            } else {
                "worst-case staleness (right axis)"
            },
            Swatch::Triangle(if stale_differs { colour(0) } else { stale_col }),
        ));
    }
    let band_col = RGBColor(213, 94, 0).mix(0.12);
    if let (Some(limit), true) = (s.max_staleness, has_stale) {
        legend.push(Entry::new(
            format!("staler than --max-staleness {}", interval_label(limit)),
            Swatch::Fill(band_col),
        ));
    }
    let x_fmt = |u: f64| -> String {
        let x = if s.log_x {
            if has_zero && (u - zero_u).abs() < 1e-9 {
                0.0
            } else {
                10f64.powf(u)
            }
        } else {
            u
        };
        if s.x_seconds {
            interval_label(x)
        } else {
            trim(x)
        }
    };
    let pick_col = BLACK;
    if let Some((x, usd)) = s.pick {
        legend.push(Entry::new(
            format!(
                "pick: {} ({} USD)",
                x_fmt(to_u(x)),
                crate::report::format::usd(usd)
            ),
            Swatch::Ring(pick_col),
        ));
    }
    let plot = with_legend(root, &legend)?;

    let stale_keys: Vec<f64> = {
        let step = nice_ceiling(stale_max / stale_unit / 6.0) * stale_unit;
        (0..=1_000)
            .map(|k| f64::from(k) * step)
            .take_while(|v| *v <= stale_max + 1e-9)
            .collect()
    };
    let mut chart = ChartBuilder::on(&plot)
        .caption(&s.title, font(24))
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .right_y_label_area_size(if has_stale { 90 } else { 0 })
        .build_cartesian_2d(
            KeyedAxis {
                range: u0 - pad..u1 + pad,
                keys,
            },
            0f64..y_max,
        )
        .map_err(err)?
        .set_secondary_coord(
            u0 - pad..u1 + pad,
            KeyedAxis {
                range: 0f64..stale_max,
                keys: stale_keys,
            },
        );
    chart
        .configure_mesh()
        .x_label_formatter(&|u| x_fmt(*u))
        .y_label_formatter(&|y| whole_usd(*y))
        .x_desc(&s.x_label)
        .y_desc("Monthly cost (USD)")
        .label_style(font(16))
        .axis_desc_style(font(17))
        .draw()
        .map_err(err)?;
    if has_stale {
        let desc = if clipped {
            format!(
                "Worst-case staleness (above {} at the top)",
                interval_label(stale_max)
            )
        } else {
            "Worst-case staleness".to_string()
        };
        chart
            .configure_secondary_axes()
            .y_label_formatter(&|y| interval_label(*y))
            .y_desc(desc)
            .label_style(font(16))
            .axis_desc_style(font(17))
            .draw()
            .map_err(err)?;
        if let Some(limit) = s.max_staleness.filter(|l| *l < stale_max) {
            chart
                .draw_secondary_series([Rectangle::new(
                    [(u0 - pad, limit), (u1 + pad, stale_max)],
                    band_col.filled(),
                )])
                .map_err(err)?;
        }
    }
    for (k, line) in s.series.iter().enumerate() {
        let mut pts: Vec<(f64, SweepPoint)> = line.points.iter().map(|p| (to_u(p.x), *p)).collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let col = colour(k);
        chart
            .draw_series(LineSeries::new(
                pts.iter().map(|(u, p)| (*u, p.total)),
                col.stroke_width(line_width(k, s.series.len())),
            ))
            .map_err(err)?;
        let markers = pts.len() <= MARKERS_UP_TO;
        if markers {
            // Lines that coincide stay visible: each is thinner than the one before,
            // and odd lines mark their points with triangles.
            let size = 4 + 2 * (s.series.len() - 1 - k.min(s.series.len() - 1)) as i32;
            if k % 2 == 0 {
                chart
                    .draw_series(
                        pts.iter()
                            .map(|(u, p)| Circle::new((*u, p.total), size, col.filled())),
                    )
                    .map_err(err)?;
            } else {
                chart
                    .draw_series(
                        pts.iter().map(|(u, p)| {
                            TriangleMarker::new((*u, p.total), size + 1, col.filled())
                        }),
                    )
                    .map_err(err)?;
            }
        }
        if show_sync {
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|(u, p)| (*u, p.sync)),
                    sync_col.stroke_width(2),
                ))
                .map_err(err)?;
        }
        // Staleness depends on the refresh interval alone in most sweeps: then one line.
        if has_stale && (k == 0 || stale_differs) {
            let (c, w) = if stale_differs {
                (col, 1)
            } else {
                (stale_col, 2)
            };
            let st: Vec<(f64, f64)> = pts
                .iter()
                .filter_map(|(u, p)| p.staleness.map(|v| (*u, v.min(stale_max))))
                .collect();
            chart
                .draw_secondary_series(LineSeries::new(st.clone(), c.stroke_width(w)))
                .map_err(err)?;
            if markers {
                chart
                    .draw_secondary_series(
                        st.iter().map(|p| TriangleMarker::new(*p, 5, c.filled())),
                    )
                    .map_err(err)?;
            }
        }
    }
    if let Some((x, usd)) = s.pick {
        chart
            .draw_series([Circle::new((to_u(x), usd), 10, pick_col.stroke_width(3))])
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_few_and_round() {
        // 1,000 intervals from 1 s to 1 day.
        let t = ticks(1.0, 86_400.0, true, true);
        assert!(t.len() <= MAX_TICKS && t.len() >= 4, "{t:?}");
        assert!(t.iter().all(|v| DURATION_TICKS.contains(v)));
        let labels: Vec<String> = t.iter().map(|v| interval_label(*v)).collect();
        assert_eq!(labels.first().map(String::as_str), Some("1s"));
        assert!(
            labels.contains(&"1h".to_string()) && labels.contains(&"1d".to_string()),
            "{labels:?}"
        );
        let t = ticks(0.0, 1000.0, false, false);
        assert_eq!(t, vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
        let t = ticks(60.0, 3600.0, false, true);
        assert!(t.len() <= MAX_TICKS + 1 && t.contains(&1800.0), "{t:?}");
        assert!(ticks(f64::NAN, 1.0, true, true).is_empty());
        assert!(ticks(1.0, 1e30, true, false).len() <= MAX_TICKS);
    }
}
