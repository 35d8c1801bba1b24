//! Trace CSV files: `arrival_s,duration_s[,rpu][,class]`, or a SYS_QUERY_HISTORY export
//! with `start_time` and `elapsed_time` (microseconds).

use super::decode::{fmt_num, Ctx};
use super::diag::{did_you_mean, list_code, show, snippet, Diagnostic, Location, MAX_ERRORS};
use super::doc::Node;
use super::types::{Period, Trace, TraceRow};
use crate::units::{Rpu, SECONDS_PER_HOUR};
use chrono::{DateTime, NaiveDate, NaiveDateTime};

const FORM1_COLUMNS: &[&str] = &["arrival_s", "duration_s", "rpu", "class"];
const HEADER_HELP: &str = "the first line must name the columns: `arrival_s,duration_s` (plus optional `rpu` and `class`), or be a SYS_QUERY_HISTORY export with `start_time` and `elapsed_time`";

/// A problem with a trace file: about the file as a whole (reported at the scenario's
/// `trace =` line) or about one of its lines.
#[derive(Debug, Clone, PartialEq)]
pub enum TraceError {
    File(String),
    Line(Diagnostic),
}

/// The result of reading a trace's text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedTrace {
    /// Rows sorted by arrival.
    pub rows: Vec<TraceRow>,
    pub errors: Vec<TraceError>,
    /// SYS_QUERY_HISTORY rows with `elapsed_time` 0 (result-cache hits), skipped.
    pub skipped_zero: usize,
}

/// Reads the trace named by `node` (relative to the scenario's directory) and reports
/// problems into `ctx`.
pub(crate) fn load(
    ctx: &mut Ctx<'_>,
    node: &Node,
    rel: &str,
    workload: &str,
    default_rpu: Option<Rpu>,
    period: &Period,
    max_rpu: Option<Rpu>,
) -> Option<Trace> {
    let path = ctx.base_dir.join(rel);
    let display = path.display().to_string();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            ctx.error(
                &node.origin,
                format!("cannot read trace file `{}`: {e}", show(&display)),
            );
            return None;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let period_secs = period.hours * SECONDS_PER_HOUR;
    let parsed = parse_trace(&text, &display, period.start);
    let at = ctx.loc(&node.origin).short();
    let failed = !parsed.errors.is_empty();
    for e in parsed.errors {
        let d = match e {
            TraceError::File(msg) => ctx
                .diag(
                    &node.origin,
                    format!("trace file `{}`: {msg}", show(&display)),
                )
                .note(format!("trace of workload `{}`", show(workload))),
            TraceError::Line(d) => d.note(format!("trace of workload `{}` ({at})", show(workload))),
        };
        ctx.push(d);
    }
    if failed {
        return None;
    }
    let late = parsed
        .rows
        .iter()
        .filter(|r| r.arrival >= period_secs)
        .count();
    if late > 0 {
        ctx.warn(
            &node.origin,
            format!(
                "workload `{}`: {late} of {} rows of `{}` arrive at or after the period end ({} h) and are ignored",
                show(workload),
                parsed.rows.len(),
                show(&display),
                fmt_num(period.hours)
            ),
        );
    }
    if parsed.skipped_zero > 0 {
        ctx.warn(
            &node.origin,
            format!(
                "workload `{}`: skipped {} rows of `{}` with elapsed_time 0",
                show(workload),
                parsed.skipped_zero,
                show(&display)
            ),
        );
    }
    if let Some(max) = max_rpu {
        let over = parsed
            .rows
            .iter()
            .filter(|r| r.rpu.is_some_and(|x| x > max))
            .count();
        if over > 0 {
            ctx.warn(
                &node.origin,
                format!(
                    "workload `{}`: {over} rows of `{}` have rpu above max_rpu {}",
                    show(workload),
                    show(&display),
                    fmt_num(max)
                ),
            );
        }
    }
    Some(Trace {
        path,
        rpu: default_rpu,
        rows: parsed.rows,
    })
}

enum Form {
    /// Column indexes of arrival_s, duration_s, rpu, class.
    Plain {
        arrival: usize,
        duration: usize,
        rpu: Option<usize>,
        class: Option<usize>,
        width: usize,
    },
    /// Column indexes of start_time and elapsed_time.
    History { start: usize, elapsed: usize },
}

/// Parses a trace's text. `file` names it in messages; `start` is the period's first day
/// (SYS_QUERY_HISTORY timestamps are measured from its midnight, UTC).
pub fn parse_trace(text: &str, file: &str, start: NaiveDate) -> ParsedTrace {
    let mut out = ParsedTrace::default();
    if text.trim().is_empty() {
        out.errors.push(TraceError::File(format!(
            "the file is empty; {HEADER_HELP}"
        )));
        return out;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.errors
                .push(TraceError::File(format!("cannot read the header: {e}")));
            return out;
        }
    };
    let header_line = headers.position().map(|p| p.line()).unwrap_or(1) as usize;
    let form = match header_form(&headers, text, file, header_line) {
        Ok(f) => f,
        Err(errors) => {
            out.errors = errors;
            return out;
        }
    };
    let origin = start.and_hms_opt(0, 0, 0).unwrap_or_default();
    let mut any_row = false;
    for record in reader.records() {
        if out.errors.len() >= MAX_ERRORS {
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0) as usize;
                out.errors.push(TraceError::Line(line_diag(
                    text,
                    file,
                    line,
                    None,
                    format!("cannot read this row: {e}"),
                )));
                continue;
            }
        };
        any_row = true;
        let line = record.position().map(|p| p.line()).unwrap_or(0) as usize;
        let row = match &form {
            Form::Plain {
                arrival,
                duration,
                rpu,
                class,
                width,
            } => plain_row(&record, *arrival, *duration, *rpu, *class, *width),
            Form::History { start, elapsed } => history_row(&record, *start, *elapsed, origin),
        };
        match row {
            Ok(Some(r)) => out.rows.push(r),
            Ok(None) => out.skipped_zero += 1,
            Err((field, msg)) => out
                .errors
                .push(TraceError::Line(line_diag(text, file, line, field, msg))),
        }
    }
    if !any_row && out.errors.is_empty() {
        out.errors.push(TraceError::File(
            "the file has a header but no rows".to_string(),
        ));
    }
    out.rows.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
    out
}

fn header_form(
    headers: &csv::StringRecord,
    text: &str,
    file: &str,
    line: usize,
) -> Result<Form, Vec<TraceError>> {
    let cols: Vec<&str> = headers.iter().collect();
    let find_ci = |name: &str| cols.iter().position(|c| c.eq_ignore_ascii_case(name));
    let header_err = |field: Option<usize>, msg: String| {
        TraceError::Line(line_diag(text, file, line, field, msg))
    };
    if find_ci("start_time").is_some() || find_ci("elapsed_time").is_some() {
        return match (find_ci("start_time"), find_ci("elapsed_time")) {
            (Some(start), Some(elapsed)) => Ok(Form::History { start, elapsed }),
            (None, _) => Err(vec![header_err(
                None,
                "a SYS_QUERY_HISTORY export needs a `start_time` column".to_string(),
            )]),
            (_, None) => Err(vec![header_err(
                None,
                "a SYS_QUERY_HISTORY export needs an `elapsed_time` column".to_string(),
            )]),
        };
    }
    if cols.iter().all(|c| c.parse::<f64>().is_ok()) {
        let d = line_diag(
            text,
            file,
            line,
            None,
            "the trace has no header row".to_string(),
        )
        .help(HEADER_HELP);
        return Err(vec![TraceError::Line(d)]);
    }
    let mut errors = Vec::new();
    let mut index = [None; 4];
    for (i, c) in cols.iter().enumerate() {
        match FORM1_COLUMNS.iter().position(|k| k == c) {
            Some(k) => {
                if let Some(slot) = index.get_mut(k) {
                    if slot.is_some() {
                        errors.push(header_err(Some(i), format!("duplicate column `{c}`")));
                    }
                    *slot = Some(i);
                }
            }
            None => {
                let mut d = line_diag(
                    text,
                    file,
                    line,
                    Some(i),
                    format!("unknown column `{}` in the trace header", show(c)),
                );
                d = match did_you_mean(c, FORM1_COLUMNS) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "the columns are {} (or `start_time` and `elapsed_time` for a SYS_QUERY_HISTORY export)",
                        list_code(FORM1_COLUMNS)
                    )),
                };
                errors.push(TraceError::Line(d));
            }
        }
    }
    let [arrival, duration, rpu, class] = index;
    if errors.is_empty() {
        for (name, idx) in [("arrival_s", arrival), ("duration_s", duration)] {
            if idx.is_none() {
                errors.push(header_err(
                    None,
                    format!("the trace header has no `{name}` column"),
                ));
            }
        }
    }
    match (arrival, duration) {
        (Some(arrival), Some(duration)) if errors.is_empty() => Ok(Form::Plain {
            arrival,
            duration,
            rpu,
            class,
            width: cols.len(),
        }),
        _ => Err(errors),
    }
}

type RowResult = Result<Option<TraceRow>, (Option<usize>, String)>;

fn plain_row(
    record: &csv::StringRecord,
    arrival: usize,
    duration: usize,
    rpu: Option<usize>,
    class: Option<usize>,
    width: usize,
) -> RowResult {
    if record.len() > width {
        return Err((
            None,
            format!(
                "this row has {} fields but the header has {width}",
                record.len()
            ),
        ));
    }
    let arrival_s = number(record, arrival, "arrival_s")?
        .ok_or((Some(arrival), "arrival_s is missing".to_string()))?;
    if arrival_s < 0.0 {
        return Err((
            Some(arrival),
            format!("arrival_s must be >= 0; found {}", fmt_num(arrival_s)),
        ));
    }
    let duration_s = number(record, duration, "duration_s")?
        .ok_or((Some(duration), "duration_s is missing".to_string()))?;
    if duration_s <= 0.0 {
        return Err((
            Some(duration),
            format!("duration_s must be > 0; found {}", fmt_num(duration_s)),
        ));
    }
    let rpu_v = match rpu {
        Some(i) => number(record, i, "rpu")?,
        None => None,
    };
    if let (Some(v), Some(i)) = (rpu_v, rpu) {
        if v <= 0.0 {
            return Err((Some(i), format!("rpu must be > 0; found {}", fmt_num(v))));
        }
    }
    let class = class
        .and_then(|i| record.get(i))
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok(Some(TraceRow {
        arrival: arrival_s,
        duration: duration_s,
        rpu: rpu_v,
        class,
    }))
}

fn history_row(
    record: &csv::StringRecord,
    start: usize,
    elapsed: usize,
    origin: NaiveDateTime,
) -> RowResult {
    let ts_text = record.get(start).unwrap_or("");
    if ts_text.is_empty() {
        return Err((Some(start), "start_time is missing".to_string()));
    }
    let Some(ts) = parse_timestamp(ts_text) else {
        return Err((
            Some(start),
            format!(
                "start_time must be a timestamp like 2026-11-02 09:15:00.123456; found `{}`",
                show(ts_text)
            ),
        ));
    };
    let delta = ts - origin;
    let arrival = match delta.num_microseconds() {
        Some(us) => us as f64 / 1e6,
        None => delta.num_seconds() as f64,
    };
    if arrival < 0.0 {
        return Err((
            Some(start),
            format!(
                "start_time {} is before the period start ({} 00:00 UTC)",
                show(ts_text),
                origin.date()
            ),
        ));
    }
    let us = number(record, elapsed, "elapsed_time")?
        .ok_or((Some(elapsed), "elapsed_time is missing".to_string()))?;
    if us < 0.0 {
        return Err((
            Some(elapsed),
            format!("elapsed_time must be >= 0; found {}", fmt_num(us)),
        ));
    }
    if us == 0.0 {
        return Ok(None);
    }
    Ok(Some(TraceRow {
        arrival,
        duration: us / 1e6,
        rpu: None,
        class: None,
    }))
}

/// The field as a finite number; `Ok(None)` when empty.
fn number(
    record: &csv::StringRecord,
    i: usize,
    name: &str,
) -> Result<Option<f64>, (Option<usize>, String)> {
    let s = record.get(i).unwrap_or("");
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(v) => Err((
            Some(i),
            format!("{name} must be a finite number; found {}", fmt_num(v)),
        )),
        Err(_) => Err((
            Some(i),
            format!("{name} must be a number; found `{}`", show(s)),
        )),
    }
}

/// RFC 3339, or `YYYY-MM-DD HH:MM:SS[.ffffff][+00]` (space or `T`); naive times are UTC.
pub fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.naive_utc());
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.naive_utc());
        }
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt);
        }
    }
    None
}

/// A diagnostic at `line` of a CSV file, with carets under field `field` when it can be
/// found on the raw line (unquoted rows).
fn line_diag(text: &str, file: &str, line: usize, field: Option<usize>, msg: String) -> Diagnostic {
    let raw = line
        .checked_sub(1)
        .and_then(|i| text.split('\n').nth(i))
        .map(|l| l.strip_suffix('\r').unwrap_or(l));
    let Some(raw) = raw else {
        return Diagnostic::new(
            msg,
            Some(Location::Line {
                file: file.to_string(),
                line,
                snippet: None,
            }),
        );
    };
    let located = field
        .and_then(|f| field_span(raw, f))
        .and_then(|(start, end)| {
            let part = raw.get(start..end)?;
            let lead = part.len() - part.trim_start().len();
            let col0 = raw.get(..start + lead)?.chars().count();
            Some((col0, part.trim().chars().count().max(1)))
        });
    let location = match located {
        Some((col0, width)) => Location::Source {
            file: file.to_string(),
            line,
            column: col0 + 1,
            snippet: snippet(raw, col0, width),
        },
        None => Location::Line {
            file: file.to_string(),
            line,
            snippet: Some(snippet(raw, 0, 0)),
        },
    };
    Diagnostic::new(msg, Some(location))
}

/// Byte range of field `n` on a raw CSV line (quotes respected; `None` when the line
/// has fewer fields, e.g. because a quoted field continues on the next line).
fn field_span(raw: &str, n: usize) -> Option<(usize, usize)> {
    let mut in_quotes = false;
    let mut index = 0;
    let mut start = 0;
    for (i, c) in raw.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                if index == n {
                    return Some((start, i));
                }
                index += 1;
                start = i + 1;
            }
            _ => {}
        }
    }
    (index == n && !in_quotes).then_some((start, raw.len()))
}
