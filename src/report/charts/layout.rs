//! Text measurement with the vendored font, the legend strip every chart draws outside its
//! plot, and the layout check the tests run on rendered SVG: no two labels overlap, none
//! is clipped, and no label sits on a bar or cell.

use super::{err, font, register_font, ChartError};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The width in pixels of `text` at `size` in the charts' font.
pub fn text_width(text: &str, size: u32) -> u32 {
    register_font();
    font(size).font.box_size(text).map_or_else(
        // Without the font (never: it is compiled in), a generous estimate.
        |_| (text.chars().count() as u32) * size * 3 / 5,
        |(w, _)| w,
    )
}

/// `text` cut with an ellipsis until it fits `px` pixels at `size`.
pub fn fit(text: &str, px: u32, size: u32) -> String {
    if text_width(text, size) <= px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let cut: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(&cut, size) <= px {
            return cut;
        }
    }
    "…".into()
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    Fill(RGBAColor),
    Line(RGBColor, u32),
    Dot(RGBColor),
    Ring(RGBColor),
    Triangle(RGBColor),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub label: String,
    pub swatch: Swatch,
}

impl Entry {
    pub fn new(label: impl Into<String>, swatch: Swatch) -> Entry {
        Entry {
            label: label.into(),
            swatch,
        }
    }
}

const LEGEND_FONT: u32 = 15;
const LEGEND_ROW: u32 = 24;
const SWATCH: i32 = 16;

/// The legend's rows for a chart `width` pixels wide: entries flow left to right.
fn rows(entries: &[Entry], width: u32) -> Vec<Vec<(i32, &Entry)>> {
    let mut rows: Vec<Vec<(i32, &Entry)>> = Vec::new();
    let left = 20i32;
    let right = width as i32 - 20;
    let mut x = left;
    for e in entries {
        let w = SWATCH + 8 + text_width(&e.label, LEGEND_FONT) as i32 + 28;
        if rows.is_empty() || (x + w > right && x > left) {
            rows.push(Vec::new());
            x = left;
        }
        if let Some(row) = rows.last_mut() {
            row.push((x, e));
        }
        x += w;
    }
    rows
}

/// The height in pixels of the legend strip for `entries` on a chart `width` wide.
pub fn legend_height(entries: &[Entry], width: u32) -> u32 {
    if entries.is_empty() {
        0
    } else {
        rows(entries, width).len() as u32 * LEGEND_ROW + 12
    }
}

/// Draws the legend as a strip along the bottom of `root` and returns the area above it,
/// where the chart goes: the legend can never cover data.
pub fn with_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[Entry],
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    let (w, h) = root.dim_in_pixel();
    let lh = legend_height(entries, w);
    if lh == 0 {
        return Ok(root.clone());
    }
    let (plot, strip) = root.split_vertically(h.saturating_sub(lh));
    let style = font(LEGEND_FONT).pos(Pos::new(HPos::Left, VPos::Center));
    for (r, row) in rows(entries, w).iter().enumerate() {
        let y = 6 + r as i32 * LEGEND_ROW as i32 + LEGEND_ROW as i32 / 2;
        for (x, e) in row {
            let (x, sx) = (*x, *x + SWATCH);
            match e.swatch {
                Swatch::Fill(c) => strip
                    .draw(&Rectangle::new([(x, y - 6), (sx, y + 6)], c.filled()))
                    .map_err(err)?,
                Swatch::Line(c, width) => strip
                    .draw(&PathElement::new([(x, y), (sx, y)], c.stroke_width(width)))
                    .map_err(err)?,
                Swatch::Dot(c) => strip
                    .draw(&Circle::new((x + SWATCH / 2, y), 5, c.filled()))
                    .map_err(err)?,
                Swatch::Ring(c) => strip
                    .draw(&Circle::new((x + SWATCH / 2, y), 6, c.stroke_width(3)))
                    .map_err(err)?,
                Swatch::Triangle(c) => strip
                    .draw(&TriangleMarker::new((x + SWATCH / 2, y), 6, c.filled()))
                    .map_err(err)?,
            }
            strip
                .draw(&Text::new(e.label.clone(), (sx + 8, y), style.clone()))
                .map_err(err)?;
        }
    }
    Ok(plot)
}

/// A box on the canvas: `(left, top, right, bottom)` in pixels.
pub type PixelBox = (f64, f64, f64, f64);

/// A text label of a rendered SVG and the box it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub text: String,
    pub area: PixelBox,
}

/// What a rendered SVG chart shows: its size, its labels and its filled shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub size: (f64, f64),
    pub labels: Vec<Label>,
    /// Filled rectangles and markers other than white ones (the background).
    pub fills: Vec<PixelBox>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')? + at;
    Some(tag[at..end].to_string())
}

fn num(tag: &str, name: &str) -> f64 {
    attr(tag, name)
        .and_then(|v| v.trim_end_matches("px").parse().ok())
        .unwrap_or(0.0)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Reads the labels and filled rectangles of an SVG the charts rendered (plotters' SVG:
/// `<text x y dy text-anchor font-size [transform="rotate(270, x, y)"]>` and `<rect>`).
pub fn read_svg(svg: &str) -> Layout {
    let head = svg.find('>').map_or("", |i| &svg[..i]);
    let size = (num(head, "width"), num(head, "height"));
    let mut labels = Vec::new();
    let mut rest = svg;
    // The enclosing `<g>` (its style attributes apply to the texts it holds).
    let mut group = String::new();
    loop {
        let next = ["<text", "<g ", "</g>"]
            .iter()
            .filter_map(|t| rest.find(t).map(|i| (i, *t)))
            .min();
        let Some((i, kind)) = next else {
            break;
        };
        let Some(close) = rest[i..].find('>') else {
            break;
        };
        if kind == "</g>" {
            group.clear();
            rest = &rest[i + close + 1..];
            continue;
        }
        if kind == "<g " {
            group = rest[i..i + close].to_string();
            rest = &rest[i + close + 1..];
            continue;
        }
        let own = &rest[i..i + close];
        let tag = format!("{own} {}", group.trim_start_matches("<g"));
        let tag = tag.as_str();
        let body_at = i + close + 1;
        let Some(end) = rest[body_at..].find("</text>") else {
            break;
        };
        let text = unescape(rest[body_at..body_at + end].trim());
        rest = &rest[body_at + end..];
        if text.is_empty() {
            continue;
        }
        let (x, y) = (num(tag, "x"), num(tag, "y"));
        let px = num(tag, "font-size") * 1.24;
        let w = f64::from(text_width(&text, px.round() as u32));
        let h = px;
        // Along the text: where it starts; across it: where its top is.
        let start = match attr(tag, "text-anchor").as_deref() {
            Some("middle") => -w / 2.0,
            Some("end") => -w,
            _ => 0.0,
        };
        let top = match attr(tag, "dy").as_deref() {
            Some("0.76em") => 0.0,
            Some("0.5ex") => -h / 2.0,
            _ => -h,
        };
        let transform = attr(tag, "transform").unwrap_or_default();
        let area = if transform.starts_with("rotate(270") {
            // Reads upwards: "along" is −y, "down" is +x.
            (x + top, y - start - w, x + top + h, y - start)
        } else if transform.starts_with("rotate(90") {
            // Reads downwards: "along" is +y, "down" is −x.
            (x - top - h, y + start, x - top, y + start + w)
        } else {
            (x + start, y + top, x + start + w, y + top + h)
        };
        labels.push(Label { text, area });
    }
    let mut fills = Vec::new();
    for tag in filled(svg, "<rect") {
        let (x, y) = (num(tag, "x"), num(tag, "y"));
        let (w, h) = (num(tag, "width"), num(tag, "height"));
        if w > 0.0 && h > 0.0 {
            fills.push((x, y, x + w, y + h));
        }
    }
    // Filled markers (points of data).
    for tag in filled(svg, "<circle") {
        let (cx, cy, r) = (num(tag, "cx"), num(tag, "cy"), num(tag, "r"));
        fills.push((cx - r, cy - r, cx + r, cy + r));
    }
    // Runs of rectangles merged into paths by `svg::compact`.
    for tag in filled(svg, "<path") {
        fills.extend(super::svg::rects_of_path(
            &attr(tag, "d").unwrap_or_default(),
        ));
    }
    Layout {
        size,
        labels,
        fills,
    }
}

/// The tags opening with `open` whose fill is neither none nor white.
fn filled<'a>(svg: &'a str, open: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let mut rest = svg;
    std::iter::from_fn(move || {
        let i = rest.find(open)?;
        let close = rest[i..].find('>').unwrap_or(rest.len() - i);
        let tag = &rest[i..i + close];
        rest = &rest[i + close..];
        Some(tag)
    })
    .filter(|tag| {
        let fill = attr(tag, "fill").unwrap_or_default();
        fill != "none" && !fill.eq_ignore_ascii_case("#FFFFFF")
    })
}

/// How far two boxes overlap in both directions (both positive when they intersect).
fn overlap(a: PixelBox, b: PixelBox) -> (f64, f64) {
    (a.2.min(b.2) - a.0.max(b.0), a.3.min(b.3) - a.1.max(b.1))
}

impl Layout {
    /// Every fault of the layout: labels that overlap each other (by more than a pixel,
    /// which anti-aliasing absorbs), run off the canvas, or sit on a filled shape.
    pub fn faults(&self) -> Vec<String> {
        let tol = 1.0;
        let mut out = Vec::new();
        for (i, a) in self.labels.iter().enumerate() {
            let (l, t, r, b) = a.area;
            if l < -tol || t < -tol || r > self.size.0 + tol || b > self.size.1 + tol {
                out.push(format!("{:?} runs off the canvas at {:?}", a.text, a.area));
            }
            for b in &self.labels[i + 1..] {
                let (dx, dy) = overlap(a.area, b.area);
                if dx > tol && dy > tol {
                    out.push(format!("{:?} overlaps {:?}", a.text, b.text));
                }
            }
            for f in &self.fills {
                let (dx, dy) = overlap(a.area, *f);
                if dx > tol && dy > tol {
                    out.push(format!("{:?} sits on a filled shape at {f:?}", a.text));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plotters_text_and_finds_overlaps() {
        let svg = r##"<svg width="200" height="100" viewBox="0 0 200 100" xmlns="http://www.w3.org/2000/svg">
<rect x="0" y="0" width="200" height="100" opacity="1" fill="#FFFFFF" stroke="none"/>
<rect x="100" y="60" width="50" height="30" opacity="1" fill="#0072B2" stroke="none"/>
<text x="10" y="10" dy="0.76em" text-anchor="start" font-family="sans-serif" font-size="12.9" opacity="1" fill="#000000">
alpha
</text>
<text x="12" y="14" dy="0.76em" text-anchor="start" font-family="sans-serif" font-size="12.9" opacity="1" fill="#000000">
beta
</text>
<text x="190" y="50" dy="0.5ex" text-anchor="start" font-family="sans-serif" font-size="12.9" opacity="1" fill="#000000">
off the edge
</text>
<text x="120" y="75" dy="0.5ex" text-anchor="middle" font-family="sans-serif" font-size="12.9" opacity="1" fill="#000000">
on
</text>
<text x="10" y="90" dy="0.76em" text-anchor="middle" font-family="sans-serif" font-size="12.9" opacity="1" fill="#000000" transform="rotate(270, 10, 90)">
up
</text>
</svg>"##;
        let layout = read_svg(svg);
        assert_eq!(layout.size, (200.0, 100.0));
        assert_eq!(layout.labels.len(), 5);
        assert_eq!(layout.fills, vec![(100.0, 60.0, 150.0, 90.0)]);
        // Rotated: 16 px wide (the font's height), centred vertically on y = 90.
        let up = &layout.labels[4].area;
        assert!((up.2 - up.0 - 16.0).abs() < 0.1 && up.1 < 90.0 && up.3 > 90.0);
        let faults = layout.faults();
        assert!(faults
            .iter()
            .any(|f| f.contains("\"alpha\" overlaps \"beta\"")));
        assert!(faults
            .iter()
            .any(|f| f.contains("\"off the edge\" runs off")));
        assert!(faults.iter().any(|f| f.contains("\"on\" sits on")));
        assert_eq!(faults.len(), 3, "{faults:#?}");
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        let long = "a scenario with a very long name indeed, longer than any axis";
        let cut = fit(long, 120, 14);
        assert!(cut.ends_with('…') && text_width(&cut, 14) <= 120, "{cut}");
        assert_eq!(fit("short", 120, 14), "short");
    }
}
