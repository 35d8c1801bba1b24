//! Charts as SVG or PNG bytes (plotters, with a vendored font so the output is the same
//! on every machine): the cost breakdown, the sweep curve and the capacity timeline.

use super::format::trimmed as trim;
use plotters::coord::Shift;
use plotters::prelude::*;
use redshift_cost_core::engine::Timeline;
use redshift_cost_core::units::SECONDS_PER_HOUR;
use std::path::Path;
use std::sync::OnceLock;

/// DejaVu Sans (see `assets/fonts/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
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

/// Monthly USD by component, one stacked bar per scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct CostBreakdown {
    pub title: String,
    /// (scenario name, [(component, USD)]).
    pub bars: Vec<(String, Vec<(String, f64)>)>,
}

/// Monthly cost against a swept value, with data staleness on a second axis when known.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepCurve {
    pub title: String,
    /// Axis label of the swept value, with its unit.
    pub x_label: String,
    /// Logarithmic x axis (REFRESH_INTERVAL spans 0 to days); 0 is drawn left of the
    /// smallest positive value and labelled "0".
    pub log_x: bool,
    /// (x, total USD, staleness seconds).
    pub points: Vec<(f64, f64, Option<f64>)>,
    /// The x marked as the pick (e.g. cheapest interval within `--max-staleness`).
    pub pick: Option<f64>,
}

/// RPU capacity over a window of the simulated period.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityChart {
    pub title: String,
    pub base_rpu: f64,
    pub max_rpu: f64,
    pub timeline: Timeline,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Cost(CostBreakdown),
    Sweep(SweepCurve),
    Capacity(CapacityChart),
    Frontier(FrontierChart),
    Distribution(DistributionChart),
    Forecast(ForecastChart),
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
            Ok(svg.into_bytes())
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
        Chart::Cost(c) => draw_cost(root, c),
        Chart::Sweep(s) => draw_sweep(root, s),
        Chart::Capacity(c) => draw_capacity(root, c),
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
    let mut chart = ChartBuilder::on(root)
        .caption(&f.title, font(24))
        .margin(20)
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
            .map_err(err)?
            .label("target")
            .legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 20, y)], colour(3).stroke_width(2))
            });
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
        .draw_series(
            missed
                .iter()
                .map(|p| Circle::new(*p, 3, RGBColor(170, 170, 170).filled())),
        )
        .map_err(err)?
        .label("misses a target")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, RGBColor(170, 170, 170).filled()));
    chart
        .draw_series(met.iter().map(|p| Circle::new(*p, 4, colour(0).filled())))
        .map_err(err)?
        .label("meets every target")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, colour(0).filled()));
    if let Some(p) = f.pick {
        chart
            .draw_series([Circle::new(p, 9, colour(1).stroke_width(3))])
            .map_err(err)?
            .label("pick")
            .legend(|(x, y)| Circle::new((x + 10, y), 6, colour(1).stroke_width(3)));
    }
    draw_legend(&mut chart)?;
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
    let mut chart = ChartBuilder::on(root)
        .caption(&f.title, font(24))
        .margin(20)
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
        .map_err(err)?
        .label("month")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], colour(0).filled()));
    if f.months.iter().any(|m| m.2.is_some()) {
        chart
            .draw_series(f.months.iter().enumerate().filter_map(|(i, m)| {
                let (p5, p95) = m.2?;
                let x = i as f64;
                Some(PathElement::new(
                    [(x, p5), (x, p95)],
                    colour(5).stroke_width(3),
                ))
            }))
            .map_err(err)?
            .label("P5–P95 of the runs")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], colour(5).stroke_width(3)));
    }
    let band: Vec<(f64, (f64, f64))> = f
        .cumulative_band
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.map(|b| (i as f64, b)))
        .collect();
    if band.len() >= 2 {
        let outline: Vec<(f64, f64)> = band
            .iter()
            .map(|(x, b)| (*x, b.1))
            .chain(band.iter().rev().map(|(x, b)| (*x, b.0)))
            .collect();
        chart
            .draw_secondary_series([Polygon::new(outline, colour(1).mix(0.25).filled())])
            .map_err(err)?
            .label("cumulative P5–P95 (right axis)")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], colour(1).mix(0.25).filled())
            });
    }
    chart
        .draw_secondary_series(LineSeries::new(
            f.cumulative.iter().enumerate().map(|(i, c)| (i as f64, *c)),
            colour(1).stroke_width(3),
        ))
        .map_err(err)?
        .label("cumulative (right axis)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], colour(1).stroke_width(3)));
    chart
        .configure_series_labels()
        .label_font(font(15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
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

/// The legend box, the same on every chart.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<(), ChartError> {
    chart
        .configure_series_labels()
        .label_font(font(15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)
}

fn draw_cost<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &CostBreakdown,
) -> Result<(), ChartError> {
    if c.bars.is_empty() {
        return Err(ChartError::Empty("no scenarios"));
    }
    // Components in first-seen order, one colour each.
    let mut components: Vec<&str> = Vec::new();
    for (_, parts) in &c.bars {
        for (name, _) in parts {
            if !components.contains(&name.as_str()) {
                components.push(name);
            }
        }
    }
    let top = c
        .bars
        .iter()
        .map(|(_, parts)| parts.iter().map(|p| p.1.max(0.0)).sum::<f64>())
        .fold(0.0, f64::max);
    let y_max = nice_ceiling(top * 1.1);
    let n = c.bars.len();
    let names: Vec<String> = c.bars.iter().map(|b| b.0.clone()).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, font(28))
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(
            KeyedAxis {
                range: -0.5..n as f64 - 0.5,
                keys: (0..n).map(|i| i as f64).collect(),
            },
            0f64..y_max,
        )
        .map_err(err)?;
    let label_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-9 && i >= 0.0 {
            names.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&label_of)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc("Monthly cost (USD)")
        .x_desc("Scenario")
        .label_style(font(16))
        .axis_desc_style(font(18))
        .draw()
        .map_err(err)?;
    for (ci, comp) in components.iter().enumerate() {
        let col = colour(ci);
        let rects: Vec<Rectangle<(f64, f64)>> = c
            .bars
            .iter()
            .enumerate()
            .filter_map(|(i, (_, parts))| {
                let below: f64 = parts
                    .iter()
                    .take_while(|p| p.0 != *comp)
                    .map(|p| p.1.max(0.0))
                    .sum();
                let v = parts.iter().find(|p| p.0 == *comp)?.1.max(0.0);
                let x = i as f64;
                Some(Rectangle::new(
                    [(x - 0.35, below), (x + 0.35, below + v)],
                    col.filled(),
                ))
            })
            .collect();
        chart
            .draw_series(rects)
            .map_err(err)?
            .label(*comp)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], col.filled()));
    }
    // Totals above the bars.
    let totals: Vec<Text<'_, (f64, f64), String>> = c
        .bars
        .iter()
        .enumerate()
        .map(|(i, (_, parts))| {
            let total: f64 = parts.iter().map(|p| p.1.max(0.0)).sum();
            Text::new(
                format!("{total:.2} USD"),
                (i as f64 - 0.12, total + y_max * 0.01),
                font(16),
            )
        })
        .collect();
    chart.draw_series(totals).map_err(err)?;
    draw_legend(&mut chart)
}

/// A round number at or above `x` (1, 2, 2.5 or 5 × a power of ten).
fn nice_ceiling(x: f64) -> f64 {
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

fn draw_sweep<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &SweepCurve,
) -> Result<(), ChartError> {
    if s.points.is_empty() {
        return Err(ChartError::Empty("no sweep points"));
    }
    // Map x to the drawing axis: log10 for log axes, with 0 placed half a decade left of
    // the smallest positive value.
    let min_pos = s
        .points
        .iter()
        .map(|p| p.0)
        .filter(|x| *x > 0.0)
        .fold(f64::INFINITY, f64::min);
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
    let from_u = |u: f64| -> f64 {
        if !s.log_x {
            u
        } else if (u - zero_u).abs() < 1e-9 && s.points.iter().any(|p| p.0 <= 0.0) {
            0.0
        } else {
            10f64.powf(u)
        }
    };
    let us: Vec<f64> = s.points.iter().map(|p| to_u(p.0)).collect();
    let (u0, u1) = us
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &u| {
            (a.min(u), b.max(u))
        });
    let pad = ((u1 - u0) * 0.05).max(0.1);
    let y_max = nice_ceiling(s.points.iter().map(|p| p.1).fold(0.0, f64::max) * 1.1);
    let stale: Vec<(f64, f64)> = s
        .points
        .iter()
        .zip(&us)
        .filter_map(|(p, u)| p.2.map(|st| (*u, st)))
        .collect();
    // Round the staleness axis in the unit its labels use, so ticks fall on round values.
    let stale_top = stale.iter().map(|p| p.1).fold(0.0, f64::max) * 1.1;
    let stale_unit = if stale_top >= 2.0 * SECONDS_PER_HOUR {
        SECONDS_PER_HOUR
    } else if stale_top >= 120.0 {
        60.0
    } else {
        1.0
    };
    let stale_max = nice_ceiling(stale_top / stale_unit) * stale_unit;

    let mut chart = ChartBuilder::on(root)
        .caption(&s.title, font(28))
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .right_y_label_area_size(if stale.is_empty() { 0 } else { 90 })
        .build_cartesian_2d(
            KeyedAxis {
                range: u0 - pad..u1 + pad,
                keys: us.clone(),
            },
            0f64..y_max,
        )
        .map_err(err)?
        .set_secondary_coord(
            u0 - pad..u1 + pad,
            KeyedAxis {
                range: 0f64..stale_max,
                keys: {
                    let step = nice_ceiling(stale_max / stale_unit / 6.0) * stale_unit;
                    // Bounded: a step of 0 (or NaN) must not make endless keys.
                    (0..=1_000)
                        .map(|k| f64::from(k) * step)
                        .take_while(|v| *v <= stale_max + 1e-9)
                        .collect()
                },
            },
        );
    let x_fmt = |u: &f64| {
        let x = from_u(*u);
        if s.log_x || s.x_label.contains("(s)") {
            interval_label(x)
        } else {
            trim(x)
        }
    };
    chart
        .configure_mesh()
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc(&s.x_label)
        .y_desc("Monthly cost (USD)")
        .label_style(font(16))
        .axis_desc_style(font(18))
        .draw()
        .map_err(err)?;
    let cost_col = colour(0);
    let mut line: Vec<(f64, f64)> = us
        .iter()
        .copied()
        .zip(s.points.iter().map(|p| p.1))
        .collect();
    line.sort_by(|a, b| a.0.total_cmp(&b.0));
    chart
        .draw_series(LineSeries::new(line.clone(), cost_col.stroke_width(3)))
        .map_err(err)?
        .label("monthly cost (USD, left axis)")
        .legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 20, y)], cost_col.stroke_width(3))
        });
    chart
        .draw_series(
            line.iter()
                .map(|&(u, y)| Circle::new((u, y), 5, cost_col.filled())),
        )
        .map_err(err)?;
    if !stale.is_empty() {
        let stale_col = colour(5);
        chart
            .configure_secondary_axes()
            .y_label_formatter(&|y| interval_label(*y))
            .y_desc("Worst-case data staleness")
            .label_style(font(16))
            .axis_desc_style(font(18))
            .draw()
            .map_err(err)?;
        let mut pts = stale.clone();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_secondary_series(LineSeries::new(pts.clone(), stale_col.stroke_width(2)))
            .map_err(err)?
            .label("worst-case data staleness (right axis)")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], stale_col.stroke_width(2))
            });
        chart
            .draw_secondary_series(
                pts.iter()
                    .map(|&(u, y)| TriangleMarker::new((u, y), 6, stale_col.filled())),
            )
            .map_err(err)?;
    }
    if let Some(pick) = s.pick {
        let u = to_u(pick);
        let cost = s.points.iter().find(|p| p.0 == pick).map_or(0.0, |p| p.1);
        let pick_col = colour(2);
        chart
            .draw_series(std::iter::once(Circle::new(
                (u, cost),
                10,
                pick_col.stroke_width(3),
            )))
            .map_err(err)?
            .label(format!("pick: {} ({cost:.2} USD)", x_fmt(&u)))
            .legend(move |(x, y)| Circle::new((x + 10, y), 6, pick_col.stroke_width(3)));
    }
    draw_legend(&mut chart)
}

fn draw_capacity<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &CapacityChart,
) -> Result<(), ChartError> {
    let t = &c.timeline;
    if t.to <= t.from {
        return Err(ChartError::Empty("an empty time window"));
    }
    let hours = |s: f64| (s - t.from) / SECONDS_PER_HOUR;
    let x_max = hours(t.to);
    let peak = t.segments.iter().map(|s| s.capacity).fold(0.0, f64::max);
    let max_on_scale = c.max_rpu <= peak.max(c.base_rpu) * 2.0;
    let y_top = nice_ceiling(
        peak.max(c.base_rpu)
            .max(if max_on_scale { c.max_rpu } else { 0.0 })
            * 1.15,
    );
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, font(28))
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(0f64..x_max, 0f64..y_top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(format!(
            "Hours from {} h into the period",
            trim(t.from / SECONDS_PER_HOUR)
        ))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc("Capacity (RPU)")
        .label_style(font(16))
        .axis_desc_style(font(18))
        .draw()
        .map_err(err)?;
    let window_col = RGBColor(230, 159, 0);
    // Overlapping windows are billed once: draw their union.
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
            Rectangle::new(
                [(hours(s), 0.0), (hours(e), c.base_rpu)],
                window_col.mix(0.35).filled(),
            )
        }))
        .map_err(err)?
        .label("charge window (60-second minimum, billed at base)")
        .legend(move |(x, y)| {
            Rectangle::new([(x, y - 6), (x + 14, y + 6)], window_col.mix(0.35).filled())
        });
    let busy_col = colour(0);
    chart
        .draw_series(t.segments.iter().map(|seg| {
            Rectangle::new(
                [(hours(seg.start), 0.0), (hours(seg.end), seg.capacity)],
                busy_col.mix(0.8).filled(),
            )
        }))
        .map_err(err)?
        .label("capacity while busy (billed)")
        .legend(move |(x, y)| {
            Rectangle::new([(x, y - 6), (x + 14, y + 6)], busy_col.mix(0.8).filled())
        });
    let base_col = colour(2);
    chart
        .draw_series(LineSeries::new(
            vec![(0.0, c.base_rpu), (x_max, c.base_rpu)],
            base_col.stroke_width(2),
        ))
        .map_err(err)?
        .label(format!("base capacity ({} RPU)", c.base_rpu))
        .legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 20, y)], base_col.stroke_width(2))
        });
    let max_col = colour(5);
    if max_on_scale {
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, c.max_rpu), (x_max, c.max_rpu)],
                max_col.stroke_width(2),
            ))
            .map_err(err)?
            .label(format!("max capacity ({} RPU)", c.max_rpu))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], max_col.stroke_width(2))
            });
    } else {
        chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .map_err(err)?
            .label(format!("max capacity {} RPU (off scale)", c.max_rpu))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], max_col.stroke_width(2))
            });
    }
    draw_legend(&mut chart)
}

#[cfg(test)]
mod tests {
    use super::*;
    use redshift_cost_core::engine::CapacitySegment;

    fn cost() -> Chart {
        Chart::Cost(CostBreakdown {
            title: "Monthly cost by component".into(),
            bars: vec![
                (
                    "zero-etl tokyo".into(),
                    vec![
                        ("compute: queries".into(), 592.8),
                        ("managed storage".into(), 2.61),
                    ],
                ),
                (
                    "bi".into(),
                    vec![
                        ("compute: dashboards".into(), 3417.85),
                        ("managed storage".into(), 49.15),
                    ],
                ),
            ],
        })
    }

    fn sweep() -> Chart {
        Chart::Sweep(SweepCurve {
            title: "Cost vs REFRESH_INTERVAL".into(),
            x_label: "zero_etl.refresh_interval (s, log scale)".into(),
            log_x: true,
            points: vec![
                (0.0, 3438.24, Some(0.0)),
                (60.0, 2000.0, Some(120.0)),
                (3600.0, 642.83, Some(3660.0)),
            ],
            pick: Some(60.0),
        })
    }

    fn capacity() -> Chart {
        Chart::Capacity(CapacityChart {
            title: "Capacity, day 1".into(),
            base_rpu: 8.0,
            max_rpu: 5632.0,
            timeline: Timeline {
                from: 0.0,
                to: 86_400.0,
                segments: vec![CapacitySegment {
                    start: 0.0,
                    end: 60.0,
                    capacity: 16.0,
                    demand: 16.0,
                }],
                charge_windows: vec![(0.0, 60.0)],
            },
        })
    }

    #[test]
    fn svg_has_the_titles_and_labels_as_text_and_is_deterministic() {
        for (chart, words) in [
            (
                cost(),
                vec![
                    "Monthly cost by component",
                    "Monthly cost (USD)",
                    "managed storage",
                    "zero-etl tokyo",
                ],
            ),
            (
                sweep(),
                vec!["Cost vs REFRESH_INTERVAL", "staleness", "1h", "pick: 1m"],
            ),
            (
                capacity(),
                vec![
                    "Capacity, day 1",
                    "Capacity (RPU)",
                    "base capacity (8 RPU)",
                    "off scale",
                ],
            ),
        ] {
            let a = render(&chart, ChartFormat::Svg, DEFAULT_SIZE).unwrap();
            let b = render(&chart, ChartFormat::Svg, DEFAULT_SIZE).unwrap();
            assert_eq!(a, b);
            let svg = String::from_utf8(a).unwrap();
            assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
            assert!(svg.contains("width=\"1200\"") && svg.contains("height=\"700\""));
            for w in words {
                assert!(svg.contains(w), "missing {w:?}");
            }
        }
    }

    #[test]
    fn png_is_a_png_of_the_requested_size_and_deterministic() {
        for chart in [cost(), sweep(), capacity()] {
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
