//! Charts as SVG or PNG bytes (plotters, with a vendored font so the output is the same
//! on every machine): the cost breakdown, the sweep curve and the capacity timeline.

mod capacity;
pub mod clock;
mod cost;
mod heatmap;
pub mod layout;
mod svg;
mod sweep;

pub use capacity::CapacityChart;
pub use cost::{family_colour, CostBar, CostBreakdown};
pub use heatmap::HeatmapChart;
pub use sweep::{SweepCurve, SweepPoint, SweepSeries};

use super::format::trimmed as trim;
use plotters::coord::Shift;
use plotters::prelude::*;
use redshift_cost_core::units::SECONDS_PER_HOUR;
use std::path::Path;
use std::sync::OnceLock;

/// DejaVu Sans (see `assets/fonts/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// The family name charts ask for; bound to the vendored font.
const FAMILY: &str = "sans-serif";

/// Default chart size (pixels): readable at a glance.
pub const DEFAULT_SIZE: (u32, u32) = (1200, 700);

/// Chart file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    Svg,
    Png,
}

impl ChartFormat {
    /// From a file name's extension (`.svg` or `.png`, any case).
    pub fn from_path(path: &Path) -> Option<ChartFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "svg" => Some(ChartFormat::Svg),
            "png" => Some(ChartFormat::Png),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the PNG failed: {0}")]
    Png(String),
    #[error("nothing to chart: {0}")]
    Empty(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Cost(CostBreakdown),
    Sweep(SweepCurve),
    Capacity(CapacityChart),
    Heatmap(HeatmapChart),
    Frontier(FrontierChart),
    Distribution(DistributionChart),
    Forecast(ForecastChart),
}

impl Chart {
    /// The size the chart is drawn at (pixels): [`DEFAULT_SIZE`], or taller for a cost
    /// chart of many scenarios and a heatmap of many days.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Chart::Cost(c) => cost::size(c),
            Chart::Heatmap(h) => heatmap::size(h),
            Chart::Distribution(d) => (1200, (220 + 40 * d.rows.len() as u32).max(420)),
            _ => DEFAULT_SIZE,
        }
    }
}

/// `estimate --runs`: each scenario's month over its runs, as a horizontal box.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionChart {
    pub title: String,
    pub rows: Vec<DistributionRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DistributionRow {
    pub name: String,
    pub runs: usize,
    /// P5, P25, P50, P75, P95 of the month's total (USD).
    pub quantiles: [f64; 5],
    pub mean: f64,
}

/// A month of a forecast chart: its label, its cost (USD) and, with runs, its P5–P95.
pub type ForecastBar = (String, f64, Option<(f64, f64)>);

/// `forecast`: each month's cost (bars), the cumulative cost (a line on its own axis) and,
/// with runs, the P5–P95 band of each month.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastChart {
    pub title: String,
    pub months: Vec<ForecastBar>,
    pub cumulative: Vec<f64>,
    /// With runs: the cumulative cost's P5–P95 at each month.
    pub cumulative_band: Vec<Option<(f64, f64)>>,
}

/// `plan`'s candidates by latency and cost, the pick marked.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierChart {
    pub title: String,
    pub x_label: String,
    /// (latency or max RPU, USD, meets every target).
    pub points: Vec<(f64, f64, bool)>,
    pub pick: Option<(f64, f64)>,
    /// The latency target, drawn as a vertical line.
    pub limit: Option<f64>,
}

fn register_font() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // The font is a compile-time constant, checked by the tests.
            let _ = plotters::style::register_font(FAMILY, style, FONT);
        }
    });
}

/// A linear f64 axis whose tick marks sit exactly at given values (scenario slots, swept
/// values), labelled by the chart's own formatter.
#[derive(Clone)]
struct KeyedAxis {
    range: std::ops::Range<f64>,
    keys: Vec<f64>,
}

impl plotters::coord::ranged1d::Ranged for KeyedAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let frac = if span > 0.0 {
            (value - self.range.start) / span
        } else {
            0.0
        };
        limit.0 + (frac * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }
}

/// Renders `chart` as `format` at `size` pixels.
pub fn render(chart: &Chart, format: ChartFormat, size: (u32, u32)) -> Result<Vec<u8>, ChartError> {
    register_font();
    match format {
        ChartFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                draw(&root, chart)?;
                root.present()
                    .map_err(|e| ChartError::Draw(e.to_string()))?;
            }
            Ok(svg::compact(&svg).into_bytes())
        }
        ChartFormat::Png => {
            let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
                draw(&root, chart)?;
                root.present()
                    .map_err(|e| ChartError::Draw(e.to_string()))?;
            }
            encode_png(&rgb, size)
        }
    }
}

fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc
            .write_header()
            .map_err(|e| ChartError::Png(e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| ChartError::Png(e.to_string()))?;
    }
    Ok(out)
}

/// A colour-blind-friendly palette (Okabe–Ito), then a few extra tones.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
    RGBColor(120, 120, 120),
    RGBColor(153, 102, 51),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
) -> Result<(), ChartError> {
    root.fill(&WHITE).map_err(err)?;
    match chart {
        Chart::Cost(c) => cost::draw(root, c),
        Chart::Sweep(s) => sweep::draw(root, s),
        Chart::Capacity(c) => capacity::draw(root, c),
        Chart::Heatmap(h) => heatmap::draw(root, h),
        Chart::Frontier(f) => draw_frontier(root, f),
        Chart::Distribution(d) => draw_distribution(root, d),
        Chart::Forecast(f) => draw_forecast(root, f),
    }
}

fn draw_frontier<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &FrontierChart,
) -> Result<(), ChartError> {
    if f.points.is_empty() {
        return Err(ChartError::Empty("no candidates"));
    }
    let x_max = f
        .points
        .iter()
        .map(|p| p.0)
        .chain(f.limit)
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.08;
    let (y_lo, y_hi) = f
        .points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let span = (y_hi - y_lo).max(1.0);
    let y0 = (y_lo - span * 0.08).max(0.0);
    let y1 = nice_ceiling(y_hi + span * 0.08);
    let grey = RGBColor(170, 170, 170);
    let mut legend = Vec::new();
    if f.limit.is_some() {
        legend.push(layout::Entry::new(
            "target",
            layout::Swatch::Line(colour(3), 2),
        ));
    }
    legend.push(layout::Entry::new(
        "misses a target",
        layout::Swatch::Dot(grey),
    ));
    legend.push(layout::Entry::new(
        "meets every target",
        layout::Swatch::Dot(colour(0)),
    ));
    if f.pick.is_some() {
        legend.push(layout::Entry::new("pick", layout::Swatch::Ring(colour(1))));
    }
    let plot = layout::with_legend(root, &legend)?;
    let mut chart = ChartBuilder::on(&plot)
        .caption(&f.title, font(24))
        .margin(20)
        .margin_right(50)
        .x_label_area_size(60)
        .y_label_area_size(100)
        .build_cartesian_2d(0f64..x_max, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(&|x| trim(*x))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc(&f.x_label)
        .y_desc("Monthly cost (USD)")
        .label_style(font(16))
        .axis_desc_style(font(18))
        .draw()
        .map_err(err)?;
    if let Some(limit) = f.limit {
        chart
            .draw_series(LineSeries::new(
                [(limit, y0), (limit, y1)],
                colour(3).stroke_width(2),
            ))
            .map_err(err)?;
    }
    let missed: Vec<(f64, f64)> = f
        .points
        .iter()
        .filter(|p| !p.2)
        .map(|p| (p.0, p.1))
        .collect();
    let met: Vec<(f64, f64)> = f
        .points
        .iter()
        .filter(|p| p.2)
        .map(|p| (p.0, p.1))
        .collect();
    chart
        .draw_series(missed.iter().map(|p| Circle::new(*p, 3, grey.filled())))
        .map_err(err)?;
    chart
        .draw_series(met.iter().map(|p| Circle::new(*p, 4, colour(0).filled())))
        .map_err(err)?;
    if let Some(p) = f.pick {
        chart
            .draw_series([Circle::new(p, 9, colour(1).stroke_width(3))])
            .map_err(err)?;
    }
    Ok(())
}

fn draw_distribution<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &DistributionChart,
) -> Result<(), ChartError> {
    if d.rows.is_empty() {
        return Err(ChartError::Empty("no scenario with runs"));
    }
    let lo = d
        .rows
        .iter()
        .map(|r| r.quantiles[0])
        .fold(f64::INFINITY, f64::min);
    let hi = d.rows.iter().map(|r| r.quantiles[4]).fold(0.0, f64::max);
    let span = (hi - lo).max(hi * 0.02).max(1.0);
    let x0 = (lo - span * 0.1).max(0.0);
    let x1 = hi + span * 0.1;
    let n = d.rows.len();
    let names: Vec<String> = d.rows.iter().map(|r| r.name.clone()).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(&d.title, font(24))
        .margin(20)
        .margin_right(50)
        .x_label_area_size(60)
        .y_label_area_size(220)
        .build_cartesian_2d(
            x0..x1,
            KeyedAxis {
                range: -0.5..(n as f64 - 0.5),
                keys: (0..n).map(|i| i as f64).collect(),
            },
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(8)
        .x_label_formatter(&|x| super::format::whole_usd(*x))
        .y_label_formatter(&|y| {
            let i = y.round() as usize;
            names.get(i).map(|n| short(n, 28)).unwrap_or_default()
        })
        .x_desc("Monthly cost (USD): box P25–P75, whiskers P5–P95, bar the median, dot the mean")
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()
        .map_err(err)?;
    for (i, r) in d.rows.iter().enumerate() {
        let y = i as f64;
        let [p5, p25, p50, p75, p95] = r.quantiles;
        let c = colour(i);
        chart
            .draw_series([
                PathElement::new([(p5, y), (p95, y)], c.stroke_width(2)),
                PathElement::new([(p5, y - 0.15), (p5, y + 0.15)], c.stroke_width(2)),
                PathElement::new([(p95, y - 0.15), (p95, y + 0.15)], c.stroke_width(2)),
            ])
            .map_err(err)?;
        chart
            .draw_series([Rectangle::new(
                [(p25, y - 0.25), (p75, y + 0.25)],
                c.mix(0.35).filled(),
            )])
            .map_err(err)?;
        chart
            .draw_series([PathElement::new(
                [(p50, y - 0.3), (p50, y + 0.3)],
                BLACK.stroke_width(3),
            )])
            .map_err(err)?;
        chart
            .draw_series([Circle::new((r.mean, y), 5, BLACK.filled())])
            .map_err(err)?;
    }
    Ok(())
}

fn draw_forecast<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &ForecastChart,
) -> Result<(), ChartError> {
    if f.months.is_empty() {
        return Err(ChartError::Empty("no months"));
    }
    let n = f.months.len();
    let monthly_hi = f
        .months
        .iter()
        .map(|m| m.2.map_or(m.1, |b| b.1.max(m.1)))
        .fold(0.0, f64::max);
    let cumulative_hi = f
        .cumulative
        .iter()
        .copied()
        .chain(f.cumulative_band.iter().flatten().map(|b| b.1))
        .fold(0.0, f64::max);
    let y1 = half_step_ceiling(monthly_hi * 1.12).max(1.0);
    let c1 = half_step_ceiling(cumulative_hi * 1.05).max(1.0);
    let labels: Vec<String> = f.months.iter().map(|m| m.0.clone()).collect();
    let has_runs = f.months.iter().any(|m| m.2.is_some());
    let band: Vec<(f64, (f64, f64))> = f
        .cumulative_band
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.map(|b| (i as f64, b)))
        .collect();
    let mut legend = vec![layout::Entry::new(
        "month",
        layout::Swatch::Fill(colour(0).mix(0.8)),
    )];
    if has_runs {
        legend.push(layout::Entry::new(
            "P5–P95 of the runs",
            layout::Swatch::Line(colour(5), 3),
        ));
    }
    if band.len() >= 2 {
        legend.push(layout::Entry::new(
            "cumulative P5–P95 (right axis)",
            layout::Swatch::Fill(colour(1).mix(0.25)),
        ));
    }
    legend.push(layout::Entry::new(
        "cumulative (right axis)",
        layout::Swatch::Line(colour(1), 3),
    ));
    let plot = layout::with_legend(root, &legend)?;
    let mut chart = ChartBuilder::on(&plot)
        .caption(&f.title, font(24))
        .margin(20)
        .margin_right(50)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .right_y_label_area_size(100)
        .build_cartesian_2d(
            KeyedAxis {
                range: -0.6..(n as f64 - 0.4),
                keys: (0..n).map(|i| i as f64).collect(),
            },
            0.0..y1,
        )
        .map_err(err)?
        .set_secondary_coord(-0.6..(n as f64 - 0.4), 0.0..c1);
    let step = n.div_ceil(12).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_labels(8)
        .x_label_formatter(&|x| {
            let i = x.round() as usize;
            if i.is_multiple_of(step) {
                labels.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| super::format::whole_usd(*y))
        .y_desc("Monthly cost (USD)")
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()
        .map_err(err)?;
    chart
        .configure_secondary_axes()
        .y_labels(8)
        .y_label_formatter(&|y| super::format::whole_usd(*y))
        .y_desc("Cumulative (USD)")
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(f.months.iter().enumerate().map(|(i, m)| {
            let x = i as f64;
            Rectangle::new(
                [(x - 0.35, 0.0), (x + 0.35, m.1)],
                colour(0).mix(0.8).filled(),
            )
        }))
        .map_err(err)?;
    if has_runs {
        chart
            .draw_series(f.months.iter().enumerate().filter_map(|(i, m)| {
                let (p5, p95) = m.2?;
                let x = i as f64;
                Some(PathElement::new(
                    [(x, p5), (x, p95)],
                    colour(5).stroke_width(3),
                ))
            }))
            .map_err(err)?;
    }
    if band.len() >= 2 {
        let outline: Vec<(f64, f64)> = band
            .iter()
            .map(|(x, b)| (*x, b.1))
            .chain(band.iter().rev().map(|(x, b)| (*x, b.0)))
            .collect();
        chart
            .draw_secondary_series([Polygon::new(outline, colour(1).mix(0.25).filled())])
            .map_err(err)?;
    }
    chart
        .draw_secondary_series(LineSeries::new(
            f.cumulative.iter().enumerate().map(|(i, c)| (i as f64, *c)),
            colour(1).stroke_width(3),
        ))
        .map_err(err)?;
    Ok(())
}

/// `x` rounded up to a multiple of half its power of ten: 5,534 → 6,000, 53,794 → 55,000.
fn half_step_ceiling(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let step = 10f64.powf(x.log10().floor()) / 2.0;
    (x / step).ceil() * step
}

/// `name`, cut to `max` characters with an ellipsis.
fn short(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        let cut: String = name.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// A round number at or above `x` (1, 2, 2.5 or 5 × a power of ten).
pub(crate) fn nice_ceiling(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= x {
            return m * p;
        }
    }
    10.0 * p
}

/// `x` to two significant digits: 1,234 → 1,200; 0.0567 → 0.057.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let p = 10f64.powf(x.abs().log10().floor() - 1.0);
    (x / p).round() * p
}

/// Seconds as a short interval label: `0`, `45s`, `5m`, `1h`, `6h`, `2d`.
pub fn interval_label(s: f64) -> String {
    if s <= 0.0 {
        "0".into()
    } else if s < 60.0 {
        format!("{}s", trim(s))
    } else if s < SECONDS_PER_HOUR {
        format!("{}m", trim(s / 60.0))
    } else if s < 86_400.0 {
        format!("{}h", trim(s / SECONDS_PER_HOUR))
    } else {
        format!("{}d", trim(s / 86_400.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use redshift_cost_core::engine::{CapacitySegment, Timeline};
    use redshift_cost_core::model::costs::CostFamily;

    /// `n` scenarios with long names, several kinds of cost and one over budget.
    fn cost(n: usize) -> Chart {
        Chart::Cost(CostBreakdown {
            title: "Monthly cost by scenario and kind of cost".into(),
            bars: (0..n)
                .map(|i| CostBar {
                    name: format!(
                        "scenario {i} with a rather long name, business hours, eu-west-1"
                    ),
                    parts: vec![
                        (CostFamily::Compute, 100.0 * (i as f64 + 1.0).powi(2)),
                        (CostFamily::Storage, 49.15),
                        (CostFamily::ZeroEtl, 12.0 * i as f64),
                        (CostFamily::Compute, 7.5),
                    ],
                    over_budget: i == n / 2,
                })
                .collect(),
        })
    }

    /// A REFRESH_INTERVAL sweep of `n` log-spaced points, with a second parameter of
    /// `lines` values.
    fn sweep(n: usize, lines: usize) -> Chart {
        let series = (0..lines)
            .map(|l| SweepSeries {
                label: (lines > 1).then(|| format!("serverless.max_rpu = {}", 64 << l)),
                points: (0..n)
                    .map(|k| {
                        let x = if k == 0 {
                            0.0
                        } else {
                            10f64.powf(1.0 + 4.0 * k as f64 / n as f64)
                        };
                        SweepPoint {
                            x,
                            total: 3000.0 / (1.0 + x / 600.0) + 400.0 + 50.0 * l as f64,
                            sync: 2600.0 / (1.0 + x / 600.0),
                            staleness: Some(x + 120.0),
                        }
                    })
                    .collect(),
            })
            .collect();
        Chart::Sweep(SweepCurve {
            title: "zero-ETL refresh trade-off: monthly cost vs zero_etl.refresh_interval".into(),
            x_label: "REFRESH_INTERVAL (log scale)".into(),
            log_x: true,
            x_seconds: true,
            series,
            pick: Some((900.0, 1200.0)),
            max_staleness: Some(1200.0),
        })
    }

    fn clock() -> clock::Clock {
        clock::Clock {
            start: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            zone: Some(chrono_tz::Tz::Europe__Dublin),
        }
    }

    fn capacity() -> Chart {
        let segments = (0..200)
            .map(|k| {
                let start = 36_000.0 + 17.0 * f64::from(k);
                CapacitySegment {
                    start,
                    end: start + 9.0,
                    capacity: if k % 7 == 0 { 96.0 } else { 32.0 },
                    demand: 40.0,
                    by_class: if k % 7 == 0 {
                        vec![72.0, 24.0]
                    } else {
                        vec![24.0, 8.0]
                    },
                }
            })
            .collect();
        Chart::Capacity(CapacityChart {
            title: "BI dashboards: capacity, busiest hour, Mon 5 Jan 10:00–11:00".into(),
            base_rpu: 32.0,
            max_rpu: 5632.0,
            timeline: Timeline {
                from: 36_000.0,
                to: 39_600.0,
                segments,
                charge_windows: vec![(36_000.0, 36_060.0), (39_000.0, 39_100.0)],
            },
            classes: vec!["dashboards".into(), "zero-etl sync".into()],
            clock: clock(),
        })
    }

    fn heatmap() -> Chart {
        Chart::Heatmap(HeatmapChart {
            title: "BI dashboards: billed RPU-hours by day and hour".into(),
            clock: clock(),
            hourly_rpu_seconds: (0..31 * 24)
                .map(|h| {
                    if (8..18).contains(&(h % 24)) {
                        3600.0 * f64::from(h % 7) * 9.0
                    } else {
                        0.0
                    }
                })
                .collect(),
        })
    }

    fn forecast() -> Chart {
        Chart::Forecast(ForecastChart {
            title: "Forecast".into(),
            months: (1..=24)
                .map(|m| {
                    (
                        format!("2026-{m:02}"),
                        1000.0 * f64::from(m),
                        Some((900.0 * f64::from(m), 1100.0 * f64::from(m))),
                    )
                })
                .collect(),
            cumulative: (1..=24).map(|m| 500.0 * f64::from(m * (m + 1))).collect(),
            cumulative_band: (1..=24)
                .map(|m| {
                    Some((
                        450.0 * f64::from(m * (m + 1)),
                        550.0 * f64::from(m * (m + 1)),
                    ))
                })
                .collect(),
        })
    }

    fn frontier() -> Chart {
        Chart::Frontier(FrontierChart {
            title: "plan".into(),
            x_label: "p95 (s)".into(),
            points: (0..300)
                .map(|k| (f64::from(k), 5000.0 - 10.0 * f64::from(k), k % 3 == 0))
                .collect(),
            pick: Some((30.0, 4700.0)),
            limit: Some(60.0),
        })
    }

    fn every_chart() -> Vec<(&'static str, Chart)> {
        vec![
            ("cost, 1 scenario", cost(1)),
            ("cost, 13 scenarios", cost(13)),
            ("cost, 50 scenarios", cost(50)),
            ("sweep, 3 points", sweep(3, 1)),
            ("sweep, 1,000 points", sweep(1000, 1)),
            ("sweep, 2 parameters", sweep(12, 4)),
            ("capacity", capacity()),
            ("heatmap", heatmap()),
            ("forecast", forecast()),
            ("frontier", frontier()),
        ]
    }

    #[test]
    fn no_label_overlaps_another_runs_off_or_covers_data() {
        for (what, chart) in every_chart() {
            let svg =
                String::from_utf8(render(&chart, ChartFormat::Svg, chart.size()).unwrap()).unwrap();
            let layout = layout::read_svg(&svg);
            assert!(layout.labels.len() >= 5, "{what}: {:?}", layout.labels);
            assert!(!layout.fills.is_empty(), "{what}");
            let faults = layout.faults();
            assert!(faults.is_empty(), "{what}:\n{}", faults.join("\n"));
        }
    }

    #[test]
    fn the_check_catches_the_old_overprinted_chart() {
        // Long names under narrow bars, as the vertical bar chart drew them: caught.
        let chart = cost(13);
        let svg = String::from_utf8(render(&chart, ChartFormat::Svg, (400, 200)).unwrap()).unwrap();
        assert!(!layout::read_svg(&svg).faults().is_empty());
    }

    #[test]
    fn svg_has_the_titles_and_labels_as_text_and_is_deterministic() {
        for (chart, words) in [
            (
                cost(2),
                vec![
                    "Monthly cost by scenario",
                    "Monthly cost (USD)",
                    "storage",
                    "zero-ETL refreshes",
                    "over budget",
                ],
            ),
            (
                sweep(5, 1),
                vec![
                    "REFRESH_INTERVAL",
                    "staleness",
                    "pick: 15m (1,200.00 USD)",
                    "of which zero-ETL refreshes",
                ],
            ),
            (
                sweep(5, 2),
                vec![
                    "cost, serverless.max_rpu = 64",
                    "cost, serverless.max_rpu = 128",
                ],
            ),
            (
                capacity(),
                vec![
                    "Capacity (RPU)",
                    "dashboards (mean over 15s)",
                    "max 5632 RPU (off scale)",
                    "Time in Europe/Dublin (UTC+00:00)",
                    "Mon 5 Jan 10:00",
                ],
            ),
            (
                heatmap(),
                vec!["Hour of day, Europe/Dublin", "Mon 5 Jan", "Wed 4 Feb", "23"],
            ),
        ] {
            let a = render(&chart, ChartFormat::Svg, chart.size()).unwrap();
            let b = render(&chart, ChartFormat::Svg, chart.size()).unwrap();
            assert_eq!(a, b);
            let svg = String::from_utf8(a).unwrap();
            assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
            let texts: Vec<String> = layout::read_svg(&svg)
                .labels
                .into_iter()
                .map(|l| l.text)
                .collect();
            for w in words {
                assert!(
                    texts.iter().any(|t| t.contains(w)),
                    "missing {w:?} in {texts:?}"
                );
            }
        }
    }

    #[test]
    fn tall_charts_grow_with_their_rows() {
        assert_eq!(cost(1).size(), (1200, 420));
        let (_, h13) = cost(13).size();
        let (_, h50) = cost(50).size();
        assert!(h50 - h13 == 37 * 30, "{h13} {h50}");
        assert!(heatmap().size().1 > 31 * 20);
        assert_eq!(capacity().size(), DEFAULT_SIZE);
    }

    #[test]
    fn png_is_a_png_of_the_requested_size_and_deterministic() {
        for chart in [cost(3), sweep(5, 1), capacity(), heatmap()] {
            let a = render(&chart, ChartFormat::Png, (800, 500)).unwrap();
            assert_eq!(&a[..8], b"\x89PNG\r\n\x1a\n");
            let decoder = png::Decoder::new(std::io::Cursor::new(&a));
            let reader = decoder.read_info().unwrap();
            assert_eq!((reader.info().width, reader.info().height), (800, 500));
            assert_eq!(a, render(&chart, ChartFormat::Png, (800, 500)).unwrap());
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(nice_ceiling(642.0), 1000.0);
        assert_eq!(nice_ceiling(180.0), 200.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(round_sig(1234.0), 1200.0);
        assert_eq!(interval_label(0.0), "0");
        assert_eq!(interval_label(300.0), "5m");
        assert_eq!(interval_label(21_600.0), "6h");
        assert_eq!(interval_label(90.0), "1.5m");
        assert_eq!(
            ChartFormat::from_path(Path::new("a/b.PNG")),
            Some(ChartFormat::Png)
        );
        assert_eq!(ChartFormat::from_path(Path::new("a.jpg")), None);
    }
}
