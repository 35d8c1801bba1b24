//! The decoding step of a workload's `trace = "file.csv"`: the file read once per run
//! (through the run's [`crate::scenario::TraceCache`]) under the scenario's bounds, its
//! problems reported at the scenario's line and the trace's own lines.

use super::{fmt_num, Ctx, MAX_RPU_LIMIT};
use crate::scenario::diag::show;
use crate::scenario::doc::Node;
use crate::scenario::trace::{
    parse_trace_reader, CachedTrace, RowLimits, TraceError, MAX_TRACE_BYTES,
};
use crate::scenario::{Period, Trace};
use redshift_cost_core::units::Rpu;
use std::io::Read;
use std::sync::Arc;

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
    let period_secs = period.seconds();
    let limits = RowLimits {
        max_duration: ctx.max_job_seconds(),
        min_rpu: crate::scenario::MIN_DEMAND_RPU,
        max_rpu: crate::scenario::MAX_DEMAND_FACTOR * max_rpu.unwrap_or(MAX_RPU_LIMIT),
    };
    let key = (path.clone(), period.start);
    let cached = ctx.traces.get(&key).filter(|t| t.within(&limits));
    let parsed = if let Some(cached) = cached {
        cached
    } else {
        let file = match open_bounded(&path) {
            Ok(f) => f,
            Err(e) => {
                ctx.error(
                    &node.origin,
                    format!("cannot read trace file `{}`: {e}", show(&display)),
                );
                return None;
            }
        };
        let lines = |n: usize| nth_line_of(&path, n);
        let parsed = parse_trace_reader(
            std::io::BufReader::with_capacity(1 << 16, file.take(MAX_TRACE_BYTES)),
            &lines,
            &display,
            period.start,
            &limits,
        );
        if parsed.errors.is_empty() {
            ctx.traces.insert(key, parsed)
        } else {
            Arc::new(CachedTrace::from_parsed(parsed))
        }
    };
    let at = ctx.loc(&node.origin).short();
    let failed = !parsed.errors.is_empty();
    for e in parsed.errors.iter().cloned() {
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
    let late = parsed.arriving_from(period_secs);
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
        let over = parsed.demanding_over(max);
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
        rows: Arc::clone(&parsed.rows),
        rpus: Arc::clone(&parsed.rpus),
        classes: parsed.classes.clone(),
    })
}

/// Opens a regular file of at most [`MAX_TRACE_BYTES`]: a device or a FIFO would be
/// read forever.
pub(crate) fn open_bounded(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    crate::fsx::open_regular(path, MAX_TRACE_BYTES)
}

/// Line `n` (1-based) of the file, for showing under an error (read again: errors are
/// few and the file is not kept in memory).
pub(crate) fn nth_line_of(path: &std::path::Path, n: usize) -> Option<String> {
    use std::io::BufRead;
    let file = open_bounded(path).ok()?;
    let mut reader = std::io::BufReader::new(file.take(MAX_TRACE_BYTES));
    let mut buf = Vec::new();
    for _ in 0..n {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).ok()? == 0 {
            return None;
        }
    }
    let line = String::from_utf8_lossy(&buf).into_owned();
    Some(line.trim_end_matches(['\n', '\r']).to_string())
}
