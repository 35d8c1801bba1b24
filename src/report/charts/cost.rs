//! The cost breakdown: one horizontal bar per scenario, sorted by total, stacked and
//! coloured by what the money is spent on; the legend in a strip below the plot.

use super::layout::{fit, text_width, with_legend, Entry, Swatch};
use super::{err, font, nice_ceiling, ChartError, KeyedAxis};
use crate::report::format::whole_usd;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use redshift_cost_core::model::costs::CostFamily;

/// Monthly USD by family of cost, one bar per scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct CostBreakdown {
    pub title: String,
    pub bars: Vec<CostBar>,
}

/// One scenario's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct CostBar {
    pub name: String,
    /// USD by family (several lines of one family are summed when drawn).
    pub parts: Vec<(CostFamily, f64)>,
    /// Marked "over budget" after its total.
    pub over_budget: bool,
}

impl CostBar {
    pub fn total(&self) -> f64 {
        self.parts.iter().map(|p| p.1.max(0.0)).sum()
    }

    fn by_family(&self) -> Vec<(CostFamily, f64)> {
        CostFamily::ALL
            .iter()
            .map(|f| {
                let usd = self
                    .parts
                    .iter()
                    .filter(|p| p.0 == *f)
                    .map(|p| p.1.max(0.0))
                    .sum::<f64>();
                (*f, usd)
            })
            .filter(|(_, usd)| *usd > 0.0)
            .collect()
    }

    fn label(&self) -> String {
        let mut s = format!("{} USD", whole_or_cents(self.total()));
        if self.over_budget {
            s.push_str(" · over budget");
        }
        s
    }
}

/// Cents under 10,000 USD (where they still say something), whole dollars above.
fn whole_or_cents(usd: f64) -> String {
    if usd < 10_000.0 {
        crate::report::format::usd(usd)
    } else {
        whole_usd(usd)
    }
}

/// The colour of a family: fixed, so a family looks the same on every report.
pub fn family_colour(f: CostFamily) -> RGBColor {
    match f {
        CostFamily::Compute => RGBColor(0, 114, 178),
        CostFamily::ZeroEtl => RGBColor(86, 180, 233),
        CostFamily::Reservation => RGBColor(0, 0, 0),
        CostFamily::Storage => RGBColor(230, 159, 0),
        CostFamily::Snapshots => RGBColor(240, 228, 66),
        CostFamily::Spectrum => RGBColor(0, 158, 115),
        CostFamily::DataTransfer => RGBColor(213, 94, 0),
        CostFamily::Ml => RGBColor(204, 121, 167),
        CostFamily::Pipelines => RGBColor(153, 102, 51),
        CostFamily::Other => RGBColor(150, 150, 150),
    }
}

const ROW_PX: u32 = 30;
const NAME_FONT: u32 = 15;
const NAME_AREA: u32 = 320;

/// Pixels: 1200 wide, tall enough for a 30-pixel row per scenario and the legend.
pub(super) fn size(c: &CostBreakdown) -> (u32, u32) {
    let legend = super::layout::legend_height(&entries(c), 1200);
    let rows = c.bars.len().max(1) as u32;
    (1200, (150 + rows * ROW_PX + legend).max(420))
}

fn entries(c: &CostBreakdown) -> Vec<Entry> {
    CostFamily::ALL
        .iter()
        .filter(|f| {
            c.bars
                .iter()
                .any(|b| b.by_family().iter().any(|p| p.0 == **f))
        })
        .map(|f| Entry::new(f.label(), Swatch::Fill(family_colour(*f).to_rgba())))
        .collect()
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &CostBreakdown,
) -> Result<(), ChartError> {
    if c.bars.is_empty() {
        return Err(ChartError::Empty("no scenarios"));
    }
    let mut bars: Vec<&CostBar> = c.bars.iter().collect();
    // Largest on top: row 0 is the bottom of the axis.
    bars.sort_by(|a, b| a.total().total_cmp(&b.total()).then(b.name.cmp(&a.name)));
    let n = bars.len();
    let plot = with_legend(root, &entries(c))?;
    let (w, _) = plot.dim_in_pixel();
    let top = bars.iter().map(|b| b.total()).fold(0.0, f64::max).max(1.0);
    // Room after the longest bar for its label: the axis runs to where the label ends.
    let plot_px = f64::from(w.saturating_sub(40 + NAME_AREA)).max(100.0);
    let label_px = bars
        .iter()
        .map(|b| f64::from(text_width(&b.label(), NAME_FONT) + 16))
        .fold(0.0, f64::max);
    let x_max = nice_ceiling(top / (1.0 - (label_px / plot_px).min(0.6)));
    let names: Vec<String> = bars
        .iter()
        .map(|b| fit(&b.name, NAME_AREA - 24, NAME_FONT))
        .collect();
    let mut chart = ChartBuilder::on(&plot)
        .caption(&c.title, font(26))
        .margin(20)
        .margin_right(50)
        .x_label_area_size(56)
        .y_label_area_size(NAME_AREA)
        .build_cartesian_2d(
            0f64..x_max,
            KeyedAxis {
                range: -0.5..n as f64 - 0.5,
                keys: (0..n).map(|i| i as f64).collect(),
            },
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(7)
        .x_label_formatter(&|x| whole_usd(*x))
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 1e-9 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_desc("Monthly cost (USD)")
        .label_style(font(NAME_FONT))
        .axis_desc_style(font(17))
        .draw()
        .map_err(err)?;
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64;
        let mut from = 0.0;
        for (family, usd) in bar.by_family() {
            chart
                .draw_series([Rectangle::new(
                    [(from, y - 0.32), (from + usd, y + 0.32)],
                    family_colour(family).filled(),
                )])
                .map_err(err)?;
            from += usd;
        }
        let style = font(NAME_FONT).pos(Pos::new(HPos::Left, VPos::Center));
        let style = if bar.over_budget {
            style.color(&RGBColor(176, 0, 32))
        } else {
            style
        };
        chart
            .draw_series([EmptyElement::at((from, y)) + Text::new(bar.label(), (6, 0), style)])
            .map_err(err)?;
    }
    Ok(())
}
