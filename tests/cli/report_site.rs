//! `report` over every bundled scenario: charts whose labels never collide, an HTML page
//! under 400 KB that headless Chromium renders, Mermaid blocks that follow the
//! `xychart-beta` grammar, and a PR comment under GitHub's limit.

use crate::support::cli::run;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The report of every bundled scenario, made once for the tests of this file.
fn full_report() -> &'static Path {
    static DIR: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        let r = run(&[
            "report",
            "scenarios",
            "--out",
            out.to_str().unwrap(),
            "--prices",
            "bundled",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        (dir, out)
    })
    .1
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Checks one ```mermaid block against the documented `xychart-beta` grammar
/// (https://mermaid.js.org/syntax/xyChart.html): the header, a quoted title, a category
/// x-axis, a numeric y-axis range, and bar/line series as long as the categories, inside
/// the range.
fn check_xychart(block: &str) -> Result<(), String> {
    let mut lines = block.lines().map(str::trim).filter(|l| !l.is_empty());
    let head = lines.next().ok_or("empty block")?;
    if head != "xychart-beta" && head != "xychart-beta horizontal" {
        return Err(format!("bad header {head:?}"));
    }
    let quoted = |s: &str| -> Result<String, String> {
        let s = s.trim();
        let inner = s
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .ok_or_else(|| format!("not a quoted string: {s:?}"))?;
        if inner.contains('"') {
            return Err(format!("a quote inside {s:?}"));
        }
        Ok(inner.to_string())
    };
    let list = |s: &str| -> Result<Vec<String>, String> {
        let inner = s
            .trim()
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .ok_or_else(|| format!("not a [list]: {s:?}"))?;
        Ok(inner.split(',').map(|x| x.trim().to_string()).collect())
    };
    let (mut categories, mut range, mut series) = (None, None, Vec::new());
    for line in lines {
        let (key, rest) = line
            .split_once(' ')
            .ok_or_else(|| format!("bad line {line:?}"))?;
        match key {
            "title" => {
                quoted(rest)?;
            }
            "x-axis" => {
                // Quoted names (commas allowed inside), separated by commas.
                let inner = rest
                    .trim()
                    .strip_prefix('[')
                    .and_then(|r| r.strip_suffix(']'))
                    .ok_or_else(|| format!("not a [list]: {rest:?}"))?;
                let mut names = 0;
                let mut chars = inner.trim().chars().peekable();
                loop {
                    if chars.next() != Some('"') {
                        return Err(format!("a category is not quoted in {inner:?}"));
                    }
                    if !chars.by_ref().any(|c| c == '"') {
                        return Err(format!("an unclosed quote in {inner:?}"));
                    }
                    names += 1;
                    while chars.peek() == Some(&' ') {
                        chars.next();
                    }
                    match chars.next() {
                        None => break,
                        Some(',') => {
                            while chars.peek() == Some(&' ') {
                                chars.next();
                            }
                        }
                        Some(c) => return Err(format!("{c:?} after a category in {inner:?}")),
                    }
                }
                categories = Some(names);
            }
            "y-axis" => {
                let (title, nums) = rest
                    .rsplit_once('"')
                    .map(|(t, n)| (format!("{t}\""), n))
                    .ok_or("y-axis without a title")?;
                quoted(&title)?;
                let (lo, hi) = nums.split_once("-->").ok_or("y-axis without a range")?;
                let (lo, hi): (f64, f64) = (
                    lo.trim()
                        .parse()
                        .map_err(|_| format!("bad number {lo:?}"))?,
                    hi.trim()
                        .parse()
                        .map_err(|_| format!("bad number {hi:?}"))?,
                );
                if lo >= hi {
                    return Err(format!("empty range {lo} --> {hi}"));
                }
                range = Some((lo, hi));
            }
            "bar" | "line" => {
                let values: Vec<f64> = list(rest)?
                    .iter()
                    .map(|v| v.parse().map_err(|_| format!("bad number {v:?}")))
                    .collect::<Result<_, _>>()?;
                series.push(values);
            }
            other => return Err(format!("unknown statement {other:?}")),
        }
    }
    let n = categories.ok_or("no x-axis")?;
    let (lo, hi) = range.ok_or("no y-axis")?;
    if series.is_empty() {
        return Err("no series".into());
    }
    for s in &series {
        if s.len() != n {
            return Err(format!("{} values for {n} categories", s.len()));
        }
        if let Some(v) = s.iter().find(|v| !v.is_finite() || **v < lo || **v > hi) {
            return Err(format!("{v} outside {lo} --> {hi}"));
        }
    }
    Ok(())
}

fn mermaid_blocks(markdown: &str) -> Vec<&str> {
    markdown
        .split("```mermaid\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or(""))
        .collect()
}

#[test]
fn the_grammar_check_refuses_what_mermaid_would() {
    let good = "xychart-beta\n    title \"t\"\n    x-axis [\"a\", \"b\"]\n    y-axis \"USD\" 0 --> 10\n    bar [1, 9.5]\n";
    assert_eq!(check_xychart(good), Ok(()));
    for (bad, why) in [
        (good.replace("xychart-beta", "xychart"), "header"),
        (good.replace("[1, 9.5]", "[1]"), "1 values for 2"),
        (good.replace("\"a\"", "\"a\"b\""), "after a category"),
        (good.replace("\"a\"", "a"), "not quoted"),
        (good.replace("9.5", "11"), "outside"),
        (good.replace("0 --> 10", "10 --> 0"), "empty range"),
        (good.replace("bar", "pie"), "unknown"),
    ] {
        let e = check_xychart(&bad).unwrap_err();
        assert!(e.contains(why), "{why}: {e}");
    }
}

#[test]
fn every_bundled_scenario_reports_with_readable_charts_and_mermaid_that_parses() {
    let dir = full_report();
    let mut svgs = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            svgs += 1;
            let svg = std::fs::read_to_string(&path).unwrap();
            let layout = redshift_cost::report::charts::layout::read_svg(&svg);
            let faults = layout.faults();
            assert!(faults.is_empty(), "{}: {faults:#?}", path.display());
        }
    }
    // The cost chart, a capacity timeline per Serverless scenario, heatmaps.
    assert!(svgs >= 20, "{svgs}");
    let html = std::fs::metadata(dir.join("index.html")).unwrap().len();
    assert!(html < 400_000, "index.html is {html} bytes");
    let md = read(dir, "index.md");
    let comment = read(dir, "comment.md");
    assert!(comment.chars().count() < 65_536);
    for (name, text) in [("index.md", &md), ("comment.md", &comment)] {
        let blocks = mermaid_blocks(text);
        assert!(!blocks.is_empty(), "{name} has no Mermaid");
        for b in blocks {
            if let Err(e) = check_xychart(b) {
                panic!("{name}: {e}\n{b}");
            }
        }
    }
    // The image files are linked too, and every scenario has its <details>.
    assert!(md.contains("![Monthly cost by scenario and kind of cost](cost-breakdown.svg)"));
    let summary: Value = serde_json::from_str(&read(dir, "summary.json")).unwrap();
    let scenarios = summary["scenarios"].as_array().unwrap();
    assert_eq!(comment.matches("<details>").count(), scenarios.len());
    let g = &summary["generated"];
    assert_eq!(g["tool"], "redshift-cost");
    assert_eq!(g["billing_model"], "v2");
    assert_eq!(g["bundled_prices_as_of"], "2025-03-19");
    assert!(g["generated_at"].as_str().unwrap().ends_with('Z'));
    assert!(md.starts_with("# Redshift cost report: "), "{}", &md[..80]);
    assert!(md.contains(&format!("**All {} scenarios**", scenarios.len())));
}

/// `1234.5` → `1,234.50`.
fn grouped(usd: f64) -> String {
    let cents = (usd * 100.0).round() as i64;
    let whole = (cents / 100).to_string();
    let mut out = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{out}.{:02}", cents % 100)
}

/// Chromium (`REDSHIFT_COST_TEST_CHROMIUM`, else `chromium` on the PATH), installed by
/// `scripts/test.sh` when absent; with CI=true its absence fails the test.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("REDSHIFT_COST_TEST_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| {
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .find_map(|name| {
                    std::env::var_os("PATH").and_then(|paths| {
                        std::env::split_paths(&paths)
                            .map(|p| p.join(name))
                            .find(|p| p.is_file())
                    })
                })
        });
    if found.is_none() {
        let msg = "the browser test needs Chromium: run `bash scripts/test.sh` (it installs it), or set REDSHIFT_COST_TEST_CHROMIUM";
        assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "{msg}");
        eprintln!("SKIPPED: {msg}");
    }
    found
}

/// Runs headless Chromium on `page` with `args`: (stdout, the console lines of stderr).
fn headless(browser: &Path, profile: &Path, page: &Path, args: &[&str]) -> (String, Vec<String>) {
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

#[test]
fn index_html_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = full_report();
    let work = tempfile::tempdir().unwrap();
    let profile = work.path().join("profile");
    let page = dir.join("index.html");

    // The harness sees console errors: a page with one is caught.
    let bad = work.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><p>x</p><script>console.error('boom')</script>",
    )
    .unwrap();
    let (_, console) = headless(&browser, &profile, &bad, &["--dump-dom"]);
    assert!(console.iter().any(|l| l.contains("boom")), "{console:?}");

    let shot = work.path().join("shot.png");
    let (_, console) = headless(
        &browser,
        &profile,
        &page,
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    assert!(console.is_empty(), "console: {console:#?}");
    // Not blank: many pixels that are not the white page, in many colours.
    let png = std::fs::read(&shot).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let inked = pixels.iter().filter(|p| p[..3] != [255, 255, 255]).count();
    assert!(
        inked * 50 > pixels.len(),
        "{inked} of {} pixels inked",
        pixels.len()
    );
    let colours: std::collections::BTreeSet<[u8; 3]> =
        pixels.iter().map(|p| [p[0], p[1], p[2]]).collect();
    assert!(colours.len() > 20, "{} colours", colours.len());

    // The rendered grand total is the sum of summary.json's totals.
    let (dom, console) = headless(&browser, &profile, &page, &["--dump-dom"]);
    assert!(console.is_empty(), "console: {console:#?}");
    let summary: Value = serde_json::from_str(&read(dir, "summary.json")).unwrap();
    let sum: f64 = summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["total_monthly_usd"].as_f64().unwrap())
        .sum();
    let rendered = dom
        .split("id=\"grand-total\"><strong>")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or_else(|| panic!("no grand total in the DOM"));
    assert_eq!(rendered, grouped(sum));
    assert!(dom.contains("<nav aria-label=\"Contents\">"));
}
