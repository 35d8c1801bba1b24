//! Smaller SVG: runs of rectangles (or lines) that differ only in where they are become
//! one `<path>`, in the same drawing order, so the picture is unchanged. A month heatmap
//! goes from ~80 KB to ~20 KB; a report of twenty scenarios fits in a few hundred KB.

/// The attributes of an element, in order.
fn attributes(tag: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].trim().rsplit(' ').next().unwrap_or("").trim();
        let after = &rest[eq + 2..];
        let Some(end) = after.find('"') else {
            break;
        };
        out.push((name, &after[..end]));
        rest = &after[end + 1..];
    }
    out
}

/// An attribute that says what SVG assumes anyway.
fn is_default(a: &(&str, &str)) -> bool {
    *a == ("opacity", "1")
}

/// A number with at most two decimals (`12.096774193548388` → `12.1`).
fn short_number(v: &str) -> String {
    v.parse::<f64>().map_or_else(
        |_| v.to_string(),
        |x| {
            let s = format!("{x:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        },
    )
}

#[derive(PartialEq)]
enum Kind {
    Rect,
    Line,
}

/// The attributes a `<g>` passes down to the `<text>`s it holds.
const TEXT_STYLE: [&str; 5] = ["font-family", "font-size", "opacity", "fill", "text-anchor"];

/// One element of a run: its kind, its style (the attributes besides position) and the
/// path segment it draws.
fn segment(line: &str) -> Option<(Kind, String, String)> {
    let t = line.trim();
    let (kind, body) = if let Some(b) = t.strip_prefix("<rect ") {
        (Kind::Rect, b)
    } else if let Some(b) = t.strip_prefix("<line ") {
        (Kind::Line, b)
    } else if let Some(b) = t.strip_prefix("<polyline ") {
        return polyline(b);
    } else {
        return None;
    };
    let body = body.strip_suffix("/>")?;
    let attrs = attributes(body);
    let get = |n: &str| attrs.iter().find(|a| a.0 == n).map(|a| a.1);
    let geometry: &[&str] = match kind {
        Kind::Rect => &["x", "y", "width", "height"],
        Kind::Line => &["x1", "y1", "x2", "y2"],
    };
    let style: Vec<String> = attrs
        .iter()
        .filter(|a| !geometry.contains(&a.0) && !is_default(a))
        .map(|(n, v)| format!("{n}=\"{v}\""))
        .collect();
    let g: Vec<&str> = geometry.iter().map(|n| get(n)).collect::<Option<_>>()?;
    let d = match kind {
        Kind::Rect => format!("M{} {}h{}v{}h-{}z", g[0], g[1], g[2], g[3], g[2]),
        Kind::Line => format!("M{} {}L{} {}", g[0], g[1], g[2], g[3]),
    };
    Some((kind, style.join(" "), d))
}

/// An unfilled `<polyline>` as a line path.
fn polyline(body: &str) -> Option<(Kind, String, String)> {
    let body = body.strip_suffix("/>")?;
    let attrs = attributes(body);
    if attrs.iter().any(|a| a.0 == "fill" && a.1 != "none") {
        return None;
    }
    let points = attrs.iter().find(|a| a.0 == "points")?.1;
    let style: Vec<String> = attrs
        .iter()
        .filter(|a| a.0 != "points" && a.0 != "fill" && !is_default(a))
        .map(|(n, v)| format!("{n}=\"{v}\""))
        .collect();
    let mut d = String::new();
    for (i, p) in points.split_whitespace().enumerate() {
        let (x, y) = p.split_once(',')?;
        d.push(if i == 0 { 'M' } else { 'L' });
        d.push_str(x);
        d.push(' ');
        d.push_str(y);
    }
    Some((Kind::Line, style.join(" "), d))
}

/// A `<text>` element as (its style attributes, the element without them).
fn text(tag: &str, content: &str) -> (String, String) {
    let body = tag.trim().trim_start_matches("<text").trim_end_matches('>');
    let attrs = attributes(body);
    let style: Vec<String> = attrs
        .iter()
        .filter(|a| TEXT_STYLE.contains(&a.0) && !is_default(a) && **a != ("fill", "#000000"))
        .map(|(n, v)| match *n {
            // plotters writes sizes like 12.096774193548388: two decimals draw the same.
            "font-size" => format!("{n}=\"{}\"", short_number(v)),
            _ => format!("{n}=\"{v}\""),
        })
        .collect();
    let own: Vec<String> = attrs
        .iter()
        .filter(|a| !TEXT_STYLE.contains(&a.0))
        .map(|(n, v)| format!("{n}=\"{v}\""))
        .collect();
    (
        style.join(" "),
        format!("<text {}>{}</text>", own.join(" "), content.trim()),
    )
}

/// `svg` with runs of same-styled rectangles and lines merged into paths, and runs of
/// same-styled texts grouped under one `<g>` carrying their style.
pub(super) fn compact(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len() / 2);
    let mut run: Option<(Kind, String, String)> = None;
    let mut group: Option<String> = None;
    let flush = |out: &mut String, run: &mut Option<(Kind, String, String)>| {
        if let Some((kind, style, d)) = run.take() {
            let fill = if kind == Kind::Line {
                " fill=\"none\""
            } else {
                ""
            };
            out.push_str(&format!("<path d=\"{d}\" {style}{fill}/>\n"));
        }
    };
    let close = |out: &mut String, group: &mut Option<String>| {
        if group.take().is_some() {
            out.push_str("</g>\n");
        }
    };
    let mut lines = svg.lines();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("<text") {
            flush(&mut out, &mut run);
            // plotters writes the tag, the content and `</text>` on lines of their own.
            let mut content = String::new();
            let mut closed = false;
            if let Some(end) = line.find("</text>") {
                let open = line.find('>').unwrap_or(0);
                content.push_str(&line[open + 1..end]);
                closed = true;
            }
            while !closed {
                match lines.next() {
                    Some(l) if l.trim() == "</text>" => closed = true,
                    Some(l) => content.push_str(l),
                    None => closed = true,
                }
            }
            let tag = line.find('>').map_or(line, |i| &line[..=i]);
            let (style, element) = text(tag, &content);
            if group.as_deref() != Some(style.as_str()) {
                close(&mut out, &mut group);
                out.push_str(&format!("<g {style}>\n"));
                group = Some(style);
            }
            out.push_str(&element);
            out.push('\n');
            continue;
        }
        close(&mut out, &mut group);
        if let Some((kind, style, d)) = segment(line) {
            match &mut run {
                Some((k, s, path)) if *k == kind && *s == style => path.push_str(&d),
                _ => {
                    flush(&mut out, &mut run);
                    run = Some((kind, style, d));
                }
            }
        } else {
            flush(&mut out, &mut run);
            out.push_str(line);
            out.push('\n');
        }
    }
    flush(&mut out, &mut run);
    close(&mut out, &mut group);
    out
}

/// The rectangles of a `d` that [`compact`] wrote (`M x y h w v h h -w z`, repeated).
pub(super) fn rects_of_path(d: &str) -> Vec<(f64, f64, f64, f64)> {
    d.split('M')
        .filter(|s| s.ends_with('z'))
        .filter_map(|s| {
            let s = s.trim_end_matches('z');
            let (xy, rest) = s.split_once('h')?;
            let (x, y) = xy.split_once(' ')?;
            let (w, rest) = rest.split_once('v')?;
            let (h, _) = rest.split_once('h')?;
            let (x, y, w, h): (f64, f64, f64, f64) = (
                x.parse().ok()?,
                y.parse().ok()?,
                w.parse().ok()?,
                h.parse().ok()?,
            );
            Some((x, y, x + w, y + h))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_become_paths_in_drawing_order() {
        let svg = "<svg width=\"10\" height=\"10\">\n\
<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>\n\
<rect x=\"1\" y=\"2\" width=\"3\" height=\"4\" opacity=\"1\" fill=\"#0072B2\" stroke=\"none\"/>\n\
<rect x=\"5\" y=\"2\" width=\"1\" height=\"4\" opacity=\"1\" fill=\"#0072B2\" stroke=\"none\"/>\n\
<line opacity=\"0.1\" stroke=\"#000000\" stroke-width=\"1\" x1=\"0\" y1=\"5\" x2=\"9\" y2=\"5\"/>\n\
<line opacity=\"0.1\" stroke=\"#000000\" stroke-width=\"1\" x1=\"0\" y1=\"7\" x2=\"9\" y2=\"7\"/>\n\
<text x=\"1\" y=\"1\" font-size=\"9.0967\" fill=\"#000000\">\na\n</text>\n\
<text x=\"1\" y=\"4\" font-size=\"9.1\" transform=\"rotate(270, 1, 4)\">\nb &amp; c\n</text>\n\
<polyline fill=\"none\" opacity=\"1\" stroke=\"#000000\" stroke-width=\"1\" points=\"1,2 3,4 \"/>\n\
<rect x=\"6\" y=\"2\" width=\"1\" height=\"4\" opacity=\"1\" fill=\"#0072B2\" stroke=\"none\"/>\n\
</svg>\n";
        let c = compact(svg);
        assert_eq!(
            c,
            "<svg width=\"10\" height=\"10\">\n\
<path d=\"M0 0h10v10h-10z\" fill=\"#FFFFFF\" stroke=\"none\"/>\n\
<path d=\"M1 2h3v4h-3zM5 2h1v4h-1z\" fill=\"#0072B2\" stroke=\"none\"/>\n\
<path d=\"M0 5L9 5M0 7L9 7\" opacity=\"0.1\" stroke=\"#000000\" stroke-width=\"1\" fill=\"none\"/>\n\
<g font-size=\"9.1\">\n\
<text x=\"1\" y=\"1\">a</text>\n\
<text x=\"1\" y=\"4\" transform=\"rotate(270, 1, 4)\">b &amp; c</text>\n\
</g>\n\
<path d=\"M1 2L3 4\" stroke=\"#000000\" stroke-width=\"1\" fill=\"none\"/>\n\
<path d=\"M6 2h1v4h-1z\" fill=\"#0072B2\" stroke=\"none\"/>\n\
</svg>\n"
        );
        assert_eq!(
            rects_of_path("M1 2h3v4h-3zM5 2h1v4h-1z"),
            vec![(1.0, 2.0, 4.0, 6.0), (5.0, 2.0, 6.0, 6.0)]
        );
    }
}
