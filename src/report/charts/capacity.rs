//! The capacity timeline: clock time on the period's dates, capacity stacked by workload
//! class (each column's mean, so the area is what was billed), each column's peak as a
//! line, and the charged idle windows under the base capacity.

use super::clock::Clock;
use super::layout::{with_legend, Entry, Swatch};
use super::{colour, err, font, nice_ceiling, trim, ChartError, KeyedAxis};
use plotters::coord::Shift;
use plotters::prelude::*;
use redshift_cost_core::engine::Timeline;

/// RPU capacity over a window of the simulated period.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityChart {
    pub title: String,
    pub base_rpu: f64,
    pub max_rpu: f64,
    pub timeline: Timeline,
    /// The workload classes, in the order of each segment's `by_class`.
    pub classes: Vec<String>,
    pub clock: Clock,
}

/// Columns the window is cut into: each draws its mean capacity per class and its peak.
const COLUMNS: usize = 240;

/// Per column: the mean capacity of each class and the peak capacity.
pub(super) fn columns(c: &CapacityChart) -> (Vec<Vec<f64>>, Vec<f64>) {
    let t = &c.timeline;
    let span = t.to - t.from;
    let n = COLUMNS;
    let width = span / n as f64;
    let classes = c.classes.len().max(1);
    let mut mean = vec![vec![0.0; classes]; n];
    let mut peak = vec![0.0f64; n];
    if width <= 0.0 {
        return (mean, peak);
    }
    for seg in &t.segments {
        let first = (((seg.start - t.from) / width).floor().max(0.0) as usize).min(n - 1);
        let last = ((((seg.end - t.from) / width).ceil() as usize).max(first + 1)).min(n);
        for k in first..last {
            let (a, b) = (t.from + k as f64 * width, t.from + (k + 1) as f64 * width);
            let overlap = seg.end.min(b) - seg.start.max(a);
            if overlap <= 0.0 {
                continue;
            }
            peak[k] = peak[k].max(seg.capacity);
            if seg.by_class.is_empty() {
                mean[k][0] += seg.capacity * overlap / width;
            } else {
                for (m, share) in mean[k].iter_mut().zip(&seg.by_class) {
                    *m += share * overlap / width;
                }
            }
        }
    }
    (mean, peak)
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &CapacityChart,
) -> Result<(), ChartError> {
    let t = &c.timeline;
    if t.to <= t.from {
        return Err(ChartError::Empty("an empty time window"));
    }
    let (mean, peak) = columns(c);
    let n = mean.len();
    let width = (t.to - t.from) / n as f64;
    let top_peak = peak.iter().copied().fold(0.0, f64::max);
    let max_on_scale = c.max_rpu <= top_peak.max(c.base_rpu) * 2.0;
    let y_top = nice_ceiling(
        top_peak
            .max(c.base_rpu)
            .max(if max_on_scale { c.max_rpu } else { 0.0 })
            * 1.12,
    );
    let window_col = RGBColor(230, 159, 0);
    let peak_col = RGBColor(60, 60, 60);
    let base_col = colour(2);
    let max_col = colour(5);
    let class_colour = |k: usize| -> RGBColor {
        // Class colours skip the base/max/window colours.
        const ORDER: [usize; 6] = [0, 4, 3, 9, 6, 8];
        colour(ORDER[k % ORDER.len()])
    };
    let mut legend: Vec<Entry> = Vec::new();
    let drawn: Vec<usize> = (0..c.classes.len())
        .filter(|k| mean.iter().any(|col| col.get(*k).is_some_and(|v| *v > 0.0)))
        .collect();
    for &k in &drawn {
        legend.push(Entry::new(
            format!(
                "{} (mean over {})",
                c.classes[k],
                super::interval_label(width)
            ),
            Swatch::Fill(class_colour(k).mix(0.85)),
        ));
    }
    legend.push(Entry::new("peak capacity", Swatch::Line(peak_col, 1)));
    legend.push(Entry::new(
        "charged idle time (60-second minimum, at base)",
        Swatch::Fill(window_col.mix(0.35)),
    ));
    legend.push(Entry::new(
        format!("base {} RPU", trim(c.base_rpu)),
        Swatch::Line(base_col, 2),
    ));
    legend.push(Entry::new(
        if max_on_scale {
            format!("max {} RPU", trim(c.max_rpu))
        } else {
            format!("max {} RPU (off scale)", trim(c.max_rpu))
        },
        Swatch::Line(max_col, 2),
    ));
    let plot = with_legend(root, &legend)?;
    let ticks = c.clock.ticks(t.from, t.to, 8);
    let labels = c.clock.tick_labels(&ticks);
    let mut chart = ChartBuilder::on(&plot)
        .caption(&c.title, font(24))
        .margin(20)
        .margin_right(50)
        .x_label_area_size(56)
        .y_label_area_size(80)
        .build_cartesian_2d(
            KeyedAxis {
                range: t.from..t.to,
                keys: ticks.clone(),
            },
            0f64..y_top,
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .max_light_lines(1)
        .x_label_formatter(&|x| {
            ticks
                .iter()
                .position(|k| (k - x).abs() < 1e-6)
                .map(|i| labels[i].clone())
                .unwrap_or_default()
        })
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc(format!("Time in {}", c.clock.zone_label(t.from)))
        .y_desc("Capacity (RPU)")
        .label_style(font(14))
        .axis_desc_style(font(17))
        .draw()
        .map_err(err)?;
    // Charged windows (their union), under everything else.
    let mut windows = t.charge_windows.clone();
    windows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut union: Vec<(f64, f64)> = Vec::new();
    for (s, e) in windows {
        match union.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => union.push((s, e)),
        }
    }
    chart
        .draw_series(union.iter().map(|&(s, e)| {
            Rectangle::new([(s, 0.0), (e, c.base_rpu)], window_col.mix(0.35).filled())
        }))
        .map_err(err)?;
    // One stacked area per class, as a step outline.
    let x = |k: usize| t.from + k as f64 * width;
    let mut below = vec![0.0; n];
    for &k in &drawn {
        let top: Vec<f64> = (0..n)
            .map(|i| below[i] + mean[i].get(k).copied().unwrap_or(0.0))
            .collect();
        let mut outline: Vec<(f64, f64)> = Vec::with_capacity(4 * n);
        for (i, t) in top.iter().enumerate() {
            push_step(&mut outline, (x(i), *t), (x(i + 1), *t));
        }
        for (i, b) in below.iter().enumerate().rev() {
            push_step(&mut outline, (x(i + 1), *b), (x(i), *b));
        }
        chart
            .draw_series([Polygon::new(outline, class_colour(k).mix(0.85).filled())])
            .map_err(err)?;
        below = top;
    }
    let mut peak_line: Vec<(f64, f64)> = Vec::with_capacity(2 * n);
    for (i, p) in peak.iter().enumerate() {
        push_step(&mut peak_line, (x(i), *p), (x(i + 1), *p));
    }
    chart
        .draw_series(LineSeries::new(peak_line, peak_col.stroke_width(1)))
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            [(t.from, c.base_rpu), (t.to, c.base_rpu)],
            base_col.stroke_width(2),
        ))
        .map_err(err)?;
    if max_on_scale {
        chart
            .draw_series(LineSeries::new(
                [(t.from, c.max_rpu), (t.to, c.max_rpu)],
                max_col.stroke_width(2),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// Appends the step `a → b`, leaving out points a straight run does not need.
fn push_step(out: &mut Vec<(f64, f64)>, a: (f64, f64), b: (f64, f64)) {
    let n = out.len();
    if n >= 2 && out[n - 1].1 == a.1 && out[n - 2].1 == a.1 {
        // Extends a horizontal run: move its end.
        out[n - 1] = b;
        return;
    }
    if out.last() != Some(&a) {
        out.push(a);
    }
    out.push(b);
}

#[cfg(test)]
mod tests {
    use super::*;
    use redshift_cost_core::engine::CapacitySegment;

    #[test]
    fn columns_keep_the_area_and_the_peak() {
        let chart = CapacityChart {
            title: String::new(),
            base_rpu: 8.0,
            max_rpu: 64.0,
            timeline: Timeline {
                from: 0.0,
                to: 2400.0,
                segments: vec![
                    CapacitySegment {
                        start: 5.0,
                        end: 15.0,
                        capacity: 32.0,
                        demand: 32.0,
                        by_class: vec![24.0, 8.0],
                    },
                    CapacitySegment {
                        start: 15.0,
                        end: 40.0,
                        capacity: 8.0,
                        demand: 4.0,
                        by_class: vec![0.0, 8.0],
                    },
                ],
                charge_windows: vec![(5.0, 65.0)],
            },
            classes: vec!["a".into(), "b".into()],
            clock: Clock {
                start: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
                zone: None,
            },
        };
        let (mean, peak) = columns(&chart);
        assert_eq!(mean.len(), COLUMNS);
        // 10 s columns: the area (RPU-seconds) of each class is kept.
        let area = |k: usize| mean.iter().map(|c| c[k] * 10.0).sum::<f64>();
        assert!((area(0) - 240.0).abs() < 1e-9 && (area(1) - 280.0).abs() < 1e-9);
        assert_eq!(&peak[..5], &[32.0, 32.0, 8.0, 8.0, 0.0]);
        let mut steps = Vec::new();
        push_step(&mut steps, (0.0, 1.0), (1.0, 1.0));
        push_step(&mut steps, (1.0, 1.0), (2.0, 1.0));
        push_step(&mut steps, (2.0, 3.0), (3.0, 3.0));
        assert_eq!(steps, vec![(0.0, 1.0), (2.0, 1.0), (2.0, 3.0), (3.0, 3.0)]);
    }
}
