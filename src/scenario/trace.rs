//! Trace CSV files: `arrival_s,duration_s[,rpu][,class]`, or a SYS_QUERY_HISTORY export
//! with `start_time` and `elapsed_time` (microseconds).

use super::diag::{did_you_mean, list_code, show, snippet, Diagnostic, Location, MAX_ERRORS};
use super::records::Records;
use super::TraceRow;
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use redshift_cost_core::durations::fmt_num;
use redshift_cost_core::units::Rpu;
use std::io::Read;
use std::sync::Arc;

const FORM1_COLUMNS: &[&str] = &["arrival_s", "duration_s", "rpu", "class"];
const HEADER_HELP: &str = "the first line must name the columns: `arrival_s,duration_s` (plus optional `rpu` and `class`), or be a SYS_QUERY_HISTORY export with `start_time` and `elapsed_time`";

/// A problem with a trace file: about the file as a whole (reported at the scenario's
/// `trace =` line) or about one of its lines.
#[derive(Debug, Clone, PartialEq)]
pub enum TraceError {
    File(String),
    Line(Diagnostic),
}

/// The result of reading a trace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedTrace {
    /// Rows sorted by arrival.
    pub rows: Vec<TraceRow>,
    /// The trace's distinct demands: a row's `rpu` is an index into this.
    pub rpus: Vec<Rpu>,
    /// The trace's class names, interned: a row's class is an index into this.
    pub classes: Vec<String>,
    pub errors: Vec<TraceError>,
    /// SYS_QUERY_HISTORY rows with `elapsed_time` 0 (result-cache hits), skipped.
    pub skipped_zero: usize,
}

impl ParsedTrace {
    /// Each row as (arrival, duration, its own demand, its own class name).
    pub fn expanded(&self) -> Vec<(f64, f64, Option<Rpu>, Option<String>)> {
        super::expand(&self.rows, &self.rpus, &self.classes)
    }
}

/// The largest trace file read: 8 GiB (a month of SYS_QUERY_HISTORY with millions of
/// rows is a few hundred MB).
pub(crate) const MAX_TRACE_BYTES: u64 = 8 * 1024 * 1024 * 1024;

/// Bounds on a trace's rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RowLimits {
    /// The longest duration a row may have, seconds.
    pub max_duration: f64,
    /// The smallest and largest `rpu`.
    pub min_rpu: Rpu,
    pub max_rpu: Rpu,
}

impl RowLimits {
    /// No bounds beyond the format's own (positive, finite).
    pub(crate) const NONE: RowLimits = RowLimits {
        max_duration: f64::INFINITY,
        min_rpu: 0.0,
        max_rpu: f64::INFINITY,
    };
}

/// A trace as read, shared by every decode of the run that names it (a sweep's points,
/// a calibration's runs): the rows are read once and held once.
#[derive(Debug, Default)]
pub(crate) struct CachedTrace {
    /// Arc<Vec> rather than Arc<[T]>: taking the vector is free, a slice would be a copy
    /// (twice the memory at the peak for a trace of millions of rows).
    pub(crate) rows: Arc<Vec<TraceRow>>,
    pub(crate) rpus: Arc<[Rpu]>,
    pub(crate) classes: Vec<String>,
    pub(crate) errors: Vec<TraceError>,
    pub(crate) skipped_zero: usize,
    /// The longest duration of a row (0 without rows).
    longest: f64,
    /// Rows per demand (by index into `rpus`).
    rows_per_rpu: Vec<usize>,
}

impl CachedTrace {
    /// The trace as read (a read with errors is reported, never kept in a cache).
    pub(crate) fn from_parsed(p: ParsedTrace) -> CachedTrace {
        let longest = p.rows.iter().map(|r| r.duration).fold(0.0, f64::max);
        let mut rows_per_rpu = vec![0; p.rpus.len()];
        for r in &p.rows {
            if let Some(n) = rows_per_rpu.get_mut(r.rpu as usize) {
                *n += 1;
            }
        }
        CachedTrace {
            rows: Arc::new(p.rows),
            rpus: p.rpus.into(),
            classes: p.classes,
            errors: p.errors,
            skipped_zero: p.skipped_zero,
            longest,
            rows_per_rpu,
        }
    }

    /// Every row is within `limits` (else the trace is read again under them, so that
    /// the errors name their lines).
    pub(crate) fn within(&self, limits: &RowLimits) -> bool {
        self.longest <= limits.max_duration
            && self
                .rpus
                .iter()
                .all(|v| *v >= limits.min_rpu && *v <= limits.max_rpu)
    }

    /// Rows that arrive at or after `period` seconds (the rows are sorted by arrival).
    pub(crate) fn arriving_from(&self, period: f64) -> usize {
        self.rows.len() - self.rows.partition_point(|r| r.arrival < period)
    }

    /// Rows whose own demand is above `max` RPU.
    pub(crate) fn demanding_over(&self, max: Rpu) -> usize {
        self.rpus
            .iter()
            .zip(&self.rows_per_rpu)
            .filter(|(v, _)| **v > max)
            .map(|(_, n)| n)
            .sum()
    }
}

/// The traces a run has read, by file and period start (SYS_QUERY_HISTORY timestamps are
/// measured from the period's first day). Only traces read without errors are kept.
#[derive(Debug, Default)]
pub struct TraceCache {
    map: std::sync::Mutex<
        std::collections::HashMap<(std::path::PathBuf, NaiveDate), Arc<CachedTrace>>,
    >,
}

impl TraceCache {
    pub(crate) fn get(&self, key: &(std::path::PathBuf, NaiveDate)) -> Option<Arc<CachedTrace>> {
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    pub(crate) fn insert(
        &self,
        key: (std::path::PathBuf, NaiveDate),
        parsed: ParsedTrace,
    ) -> Arc<CachedTrace> {
        let t = Arc::new(CachedTrace::from_parsed(parsed));
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, Arc::clone(&t));
        t
    }
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
    parse_trace_bytes(text.as_bytes(), file, start, &RowLimits::NONE)
}

/// [`parse_trace`] of bytes that may not be UTF-8, with row bounds.
pub(crate) fn parse_trace_bytes(
    bytes: &[u8],
    file: &str,
    start: NaiveDate,
    limits: &RowLimits,
) -> ParsedTrace {
    let lines = |n: usize| {
        n.checked_sub(1)
            .and_then(|i| bytes.split(|b| *b == b'\n').nth(i))
            .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned())
    };
    parse_trace_reader(bytes, &lines, file, start, limits)
}

/// Values interned by a key (a class name's bytes, a demand's bits). A trace has a few
/// distinct classes and demands, so the keys are searched in a list, most recent hit
/// first; past [`Interned::LINEAR`] keys a hash map takes over, so a trace with many
/// stays linear. Ids stop short of [`TraceRow::DEFAULT`].
struct Interned<K, V> {
    keys: Vec<K>,
    ids: std::collections::HashMap<K, u32>,
    values: Vec<V>,
    /// The id found last (rows of one class often come in runs).
    recent: u32,
}

impl<K, V> Default for Interned<K, V> {
    fn default() -> Self {
        Interned {
            keys: Vec::new(),
            ids: std::collections::HashMap::new(),
            values: Vec::new(),
            recent: 0,
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone, V> Interned<K, V> {
    /// Keys searched in a list rather than hashed.
    const LINEAR: usize = 16;

    /// The id of `key` if it has one.
    fn known<Q>(&mut self, key: &Q) -> Option<u32>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        if let Some(k) = self.keys.get(self.recent as usize) {
            if k.borrow() == key {
                return Some(self.recent);
            }
        }
        let found = if self.keys.len() <= Self::LINEAR {
            self.keys
                .iter()
                .position(|k| k.borrow() == key)
                .map(|i| i as u32)
        } else {
            self.ids.get(key).copied()
        };
        if let Some(id) = found {
            self.recent = id;
        }
        found
    }

    /// The id of `key`, adding `value()` for a new one; `None` when ids run out.
    fn id<Q>(&mut self, key: &Q, value: impl FnOnce() -> V) -> Option<u32>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(id) = self.known(key) {
            return Some(id);
        }
        let id = u32::try_from(self.values.len())
            .ok()
            .filter(|i| *i < TraceRow::DEFAULT)?;
        let owned = key.to_owned();
        if self.keys.len() == Self::LINEAR {
            self.ids = self.keys.iter().cloned().zip(0..).collect();
        }
        if self.keys.len() >= Self::LINEAR {
            self.ids.insert(owned.clone(), id);
        }
        self.keys.push(owned);
        self.values.push(value());
        self.recent = id;
        Some(id)
    }
}

/// Class names by their bytes.
type Classes = Interned<Vec<u8>, String>;
/// Demands by their bits (few distinct values in a trace).
type Demands = Interned<u64, Rpu>;

/// A row as read, before its demand is interned.
struct Row {
    arrival: f64,
    duration: f64,
    rpu: Option<Rpu>,
    class: Option<u32>,
}

impl Row {
    /// The row as the trace keeps it, its demand interned into `demands`.
    fn pack(self, demands: &mut Demands) -> Result<TraceRow, RowError> {
        let rpu = match self.rpu {
            None => Some(TraceRow::DEFAULT),
            Some(v) => demands.id(&v.to_bits(), || v),
        }
        .ok_or_else(|| {
            RowError::Field(
                None,
                "more distinct rpu values than this tool can count".into(),
            )
        })?;
        Ok(TraceRow {
            arrival: self.arrival,
            duration: self.duration,
            rpu,
            class: self.class.unwrap_or(TraceRow::DEFAULT),
        })
    }
}

/// Parses a trace from `reader`, one record at a time (no per-row allocation but a new
/// class name's). `line_text` gives the text of a line for error snippets.
pub(crate) fn parse_trace_reader<R: std::io::Read>(
    reader: R,
    line_text: &dyn Fn(usize) -> Option<String>,
    file: &str,
    start: NaiveDate,
    limits: &RowLimits,
) -> ParsedTrace {
    let parallel = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let blocks = parallel.then_some(BLOCK_BYTES);
    parse_in_blocks(reader, line_text, file, start, limits, blocks)
}

/// [`parse_trace_reader`], reading blocks of `blocks` bytes two halves at a time (or
/// record by record throughout, without).
fn parse_in_blocks<R: std::io::Read>(
    reader: R,
    line_text: &dyn Fn(usize) -> Option<String>,
    file: &str,
    start: NaiveDate,
    limits: &RowLimits,
    blocks: Option<usize>,
) -> ParsedTrace {
    let mut out = ParsedTrace::default();
    let mut records = Records::new(reader);
    let has_header = match records.advance() {
        Ok(found) => found,
        Err(e) => {
            out.errors.push(TraceError::File(format!(
                "cannot read the header: {}",
                e.message
            )));
            return out;
        }
    };
    let blank_header = !has_header || (0..records.len()).all(|i| records.field(i) == Some(b""));
    if blank_header {
        // Only blank lines or comments so far: an empty file unless rows follow.
        if !has_header || matches!(records.advance(), Ok(false)) {
            out.errors.push(TraceError::File(format!(
                "the file is empty; {HEADER_HELP}"
            )));
            return out;
        }
    }
    let header_line = records.line();
    let header_text: Vec<String> = if let Ok(h) = (0..records.len())
        .map(|i| std::str::from_utf8(records.field(i).unwrap_or_default()).map(str::to_string))
        .collect::<Result<_, _>>()
    {
        h
    } else {
        out.errors.push(TraceError::Line(utf8_diag(
            line_text,
            file,
            header_line,
            "the header",
        )));
        return out;
    };
    let form = match header_form(&header_text, line_text, file, header_line) {
        Ok(f) => f,
        Err(errors) => {
            out.errors = errors;
            return out;
        }
    };
    let origin = start.and_hms_opt(0, 0, 0).unwrap_or_default();
    let rules = RowRules {
        form: &form,
        origin,
        limits,
    };
    let mut all = Chunk::default();
    // Blocks of whole lines are read two halves at a time, while they hold no quote
    // (a quoted field may run past a block); then record by record to the end.
    while let Some(block_bytes) = blocks.filter(|_| all.errors.len() < MAX_ERRORS) {
        let (block, line) = match records.block(block_bytes) {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(e) => {
                all.errors.push(RawError::Read {
                    line: 0,
                    message: e.to_string(),
                });
                break;
            }
        };
        let len = block.len();
        let budget = MAX_ERRORS - all.errors.len();
        let (first, second) = halves(block, line);
        let parts = std::thread::scope(|scope| {
            let later = scope.spawn(|| rules.read_all(second.0, second.1, budget));
            let earlier = rules.read_all(first.0, first.1, budget);
            (earlier, later.join())
        });
        let (earlier, Ok(later)) = parts else {
            // A panic in the other half: read the block again, record by record.
            break;
        };
        if all.errors.len() + earlier.errors.len() + later.errors.len() >= MAX_ERRORS {
            // The error limit falls inside this block: read it record by record, so
            // that reading stops exactly where it would.
            break;
        }
        all.append(earlier);
        all.append(later);
        records.consume(len);
    }
    if all.errors.len() < MAX_ERRORS {
        rules.read_rows(&mut records, &mut all, MAX_ERRORS);
    }
    all.errors.truncate(MAX_ERRORS);
    out.errors = all
        .errors
        .into_iter()
        .map(|e| e.located(line_text, file))
        .collect();
    if !all.any_row && out.errors.is_empty() {
        out.errors.push(TraceError::File(
            "the file has a header but no rows".to_string(),
        ));
    }
    out.rows = all.rows;
    out.skipped_zero = all.skipped_zero;
    if !out.rows.is_sorted_by(|a, b| a.arrival <= b.arrival) {
        out.rows.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
    }
    out.classes = all.classes.values;
    out.rpus = all.demands.values;
    out
}

/// Bytes of a trace read as one block, two halves in parallel.
const BLOCK_BYTES: usize = 4 << 20;

/// Whole lines of a trace and the line the first is on.
type Lines<'a> = (&'a [u8], usize);

/// `block` split at a line break near its middle: each half with its first line.
fn halves(block: &[u8], line: usize) -> (Lines<'_>, Lines<'_>) {
    let mid = block.len() / 2;
    let cut = memchr::memchr(b'\n', &block[mid..]).map_or(block.len(), |i| mid + i + 1);
    let (a, b) = block.split_at(cut);
    let lines_in_a = memchr::memchr_iter(b'\n', a).count();
    ((a, line), (b, line + lines_in_a))
}

/// A problem with a row, located once the rows are read (the snippet under it needs
/// the line's text, which only the caller can fetch).
enum RawError {
    Read {
        line: usize,
        message: String,
    },
    Field {
        line: usize,
        field: Option<usize>,
        message: String,
    },
    Utf8 {
        line: usize,
        what: String,
    },
}

impl RawError {
    fn located(self, line_text: &dyn Fn(usize) -> Option<String>, file: &str) -> TraceError {
        TraceError::Line(match self {
            RawError::Read { line, message } => line_diag(
                line_text,
                file,
                line,
                None,
                format!("cannot read this row: {message}"),
            ),
            RawError::Field {
                line,
                field,
                message,
            } => line_diag(line_text, file, line, field, message),
            RawError::Utf8 { line, what } => utf8_diag(line_text, file, line, &what),
        })
    }
}

/// Rows read from part of a trace, with class and demand ids of their own.
#[derive(Default)]
struct Chunk {
    rows: Vec<TraceRow>,
    classes: Classes,
    demands: Demands,
    errors: Vec<RawError>,
    any_row: bool,
    skipped_zero: usize,
}

impl Chunk {
    /// Adds `later`'s rows after this chunk's, its ids mapped onto this chunk's (new
    /// classes and demands get the next ids, as a reading in one go gives them).
    fn append(&mut self, later: Chunk) {
        let class_ids: Vec<Option<u32>> = later
            .classes
            .keys
            .into_iter()
            .zip(later.classes.values)
            .map(|(k, v)| self.classes.id(k.as_slice(), || v))
            .collect();
        let rpu_ids: Vec<Option<u32>> = later
            .demands
            .keys
            .iter()
            .zip(later.demands.values)
            .map(|(k, v)| self.demands.id(k, || v))
            .collect();
        let map = |ids: &[Option<u32>], id: u32| {
            if id == TraceRow::DEFAULT {
                Some(id)
            } else {
                ids.get(id as usize).copied().flatten()
            }
        };
        for mut row in later.rows {
            let (Some(class), Some(rpu)) = (map(&class_ids, row.class), map(&rpu_ids, row.rpu))
            else {
                self.errors.push(RawError::Field {
                    line: 0,
                    field: None,
                    message: "more distinct classes or rpu values than this tool can count"
                        .to_string(),
                });
                break;
            };
            row.class = class;
            row.rpu = rpu;
            self.rows.push(row);
        }
        self.errors.extend(later.errors);
        self.any_row |= later.any_row;
        self.skipped_zero += later.skipped_zero;
    }
}

/// How rows are read: the trace's form, the period's first midnight, the row bounds.
#[derive(Clone, Copy)]
struct RowRules<'a> {
    form: &'a Form,
    origin: NaiveDateTime,
    limits: &'a RowLimits,
}

impl RowRules<'_> {
    /// Every row of `bytes` (whole lines, the first on line `line`).
    fn read_all(&self, bytes: &[u8], line: usize, budget: usize) -> Chunk {
        let mut chunk = Chunk::default();
        self.read_rows(&mut Records::starting_at(bytes, line), &mut chunk, budget);
        chunk
    }

    /// Reads rows into `chunk` to the end, or until it holds `budget` errors.
    fn read_rows<R: Read>(&self, records: &mut Records<R>, chunk: &mut Chunk, budget: usize) {
        loop {
            if chunk.errors.len() >= budget {
                break;
            }
            match records.advance() {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    chunk.errors.push(RawError::Read {
                        line: e.line,
                        message: e.message,
                    });
                    continue;
                }
            }
            chunk.any_row = true;
            let line = records.line();
            let row = match self.form {
                Form::Plain {
                    arrival,
                    duration,
                    rpu,
                    class,
                    width,
                } => plain_row(
                    records,
                    *arrival,
                    *duration,
                    *rpu,
                    *class,
                    *width,
                    &mut chunk.classes,
                ),
                Form::History { start, elapsed } => {
                    history_row(records, *start, *elapsed, self.origin)
                }
            };
            let row = row.and_then(|r| match r {
                Some(r) => {
                    check_limits(&r, self.form, self.limits)?;
                    r.pack(&mut chunk.demands).map(Some)
                }
                None => Ok(None),
            });
            match row {
                Ok(Some(r)) => chunk.rows.push(r),
                Ok(None) => chunk.skipped_zero += 1,
                Err(RowError::Field(field, message)) => chunk.errors.push(RawError::Field {
                    line,
                    field,
                    message,
                }),
                Err(RowError::Utf8(what)) => chunk.errors.push(RawError::Utf8 { line, what }),
            }
        }
    }
}

/// A row's duration and demand against the scenario's bounds.
fn check_limits(r: &Row, form: &Form, limits: &RowLimits) -> Result<(), RowError> {
    let (duration_col, rpu_col, name) = match form {
        Form::Plain { duration, rpu, .. } => (Some(*duration), *rpu, "duration_s"),
        Form::History { elapsed, .. } => (Some(*elapsed), None, "elapsed_time"),
    };
    if r.duration > limits.max_duration {
        return Err(RowError::Field(
            duration_col,
            format!(
                "{name} {} is longer than the period plus a day ({})",
                redshift_cost_core::durations::format_duration(r.duration),
                redshift_cost_core::durations::format_duration(limits.max_duration)
            ),
        ));
    }
    if let Some(v) = r.rpu {
        if v < limits.min_rpu || v > limits.max_rpu {
            return Err(RowError::Field(
                rpu_col,
                format!(
                    "rpu must be from {} to {}; found {}",
                    fmt_num(limits.min_rpu),
                    fmt_num(limits.max_rpu),
                    fmt_num(v)
                ),
            ));
        }
    }
    Ok(())
}

/// "invalid UTF-8" at the first bad byte of `line`.
fn utf8_diag(
    line_text: &dyn Fn(usize) -> Option<String>,
    file: &str,
    line: usize,
    what: &str,
) -> Diagnostic {
    let raw = line_text(line).unwrap_or_default();
    let column0 = raw.chars().position(|c| c == char::REPLACEMENT_CHARACTER);
    let msg = format!("invalid UTF-8 in {what}: a trace must be UTF-8 text");
    match column0 {
        Some(c) => Diagnostic::new(
            msg,
            Some(Location::Source {
                file: file.to_string(),
                line,
                column: c + 1,
                snippet: snippet(&raw, c, 1),
            }),
        ),
        None => Diagnostic::new(
            msg,
            Some(Location::Line {
                file: file.to_string(),
                line,
                snippet: None,
            }),
        ),
    }
}

fn header_form(
    headers: &[String],
    text: &dyn Fn(usize) -> Option<String>,
    file: &str,
    line: usize,
) -> Result<Form, Vec<TraceError>> {
    let cols: Vec<&str> = headers.iter().map(String::as_str).collect();
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
        if let Some(k) = FORM1_COLUMNS.iter().position(|k| k == c) {
            if let Some(slot) = index.get_mut(k) {
                if slot.is_some() {
                    errors.push(header_err(Some(i), format!("duplicate column `{c}`")));
                }
                *slot = Some(i);
            }
        } else {
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

enum RowError {
    /// A field (or the row, `None`) breaks a rule.
    Field(Option<usize>, String),
    /// A field that must be read is not UTF-8.
    Utf8(String),
}

type RowResult = Result<Option<Row>, RowError>;

fn field_err(field: usize, msg: String) -> RowError {
    RowError::Field(Some(field), msg)
}

/// Field `i` as text ("" when absent).
fn text<'r, R: Read>(record: &'r Records<R>, i: usize, name: &str) -> Result<&'r str, RowError> {
    std::str::from_utf8(record.field(i).unwrap_or(b""))
        .map_err(|_| RowError::Utf8(format!("column `{name}`")))
}

fn plain_row<R: Read>(
    record: &Records<R>,
    arrival: usize,
    duration: usize,
    rpu: Option<usize>,
    class: Option<usize>,
    width: usize,
    classes: &mut Classes,
) -> RowResult {
    if record.len() > width {
        return Err(RowError::Field(
            None,
            format!(
                "this row has {} fields but the header has {width}",
                record.len()
            ),
        ));
    }
    let arrival_s = number(record, arrival, "arrival_s")?
        .ok_or_else(|| field_err(arrival, "arrival_s is missing".to_string()))?;
    if arrival_s < 0.0 {
        return Err(field_err(
            arrival,
            format!("arrival_s must be >= 0; found {}", fmt_num(arrival_s)),
        ));
    }
    let duration_s = number(record, duration, "duration_s")?
        .ok_or_else(|| field_err(duration, "duration_s is missing".to_string()))?;
    if duration_s <= 0.0 {
        return Err(field_err(
            duration,
            format!("duration_s must be > 0; found {}", fmt_num(duration_s)),
        ));
    }
    let rpu_v = match rpu {
        Some(i) => number(record, i, "rpu")?,
        None => None,
    };
    if let (Some(v), Some(i)) = (rpu_v, rpu) {
        if v <= 0.0 {
            return Err(field_err(
                i,
                format!("rpu must be > 0; found {}", fmt_num(v)),
            ));
        }
    }
    let class = match class {
        Some(i) => {
            let raw = record.field(i).unwrap_or(b"");
            if raw.is_empty() {
                None
            } else if let Some(id) = classes.known(raw) {
                // Checked as UTF-8 when first seen.
                Some(id)
            } else {
                let name = text(record, i, "class")?;
                Some(classes.id(raw, || name.to_string()).ok_or_else(|| {
                    field_err(
                        i,
                        "more distinct classes than this tool can count".to_string(),
                    )
                })?)
            }
        }
        None => None,
    };
    Ok(Some(Row {
        arrival: arrival_s,
        duration: duration_s,
        rpu: rpu_v,
        class,
    }))
}

fn history_row<R: Read>(
    record: &Records<R>,
    start: usize,
    elapsed: usize,
    origin: NaiveDateTime,
) -> RowResult {
    let ts_text = text(record, start, "start_time")?;
    if ts_text.is_empty() {
        return Err(field_err(start, "start_time is missing".to_string()));
    }
    let Some(ts) = parse_timestamp(ts_text) else {
        return Err(field_err(
            start,
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
        return Err(field_err(
            start,
            format!(
                "start_time {} is before the period start ({} 00:00 UTC)",
                show(ts_text),
                origin.date()
            ),
        ));
    }
    let us = number(record, elapsed, "elapsed_time")?
        .ok_or_else(|| field_err(elapsed, "elapsed_time is missing".to_string()))?;
    if us < 0.0 {
        return Err(field_err(
            elapsed,
            format!("elapsed_time must be >= 0; found {}", fmt_num(us)),
        ));
    }
    if us == 0.0 {
        return Ok(None);
    }
    Ok(Some(Row {
        arrival,
        duration: us / 1e6,
        rpu: None,
        class: None,
    }))
}

/// The field as a finite number; `Ok(None)` when empty.
fn number<R: Read>(record: &Records<R>, i: usize, name: &str) -> Result<Option<f64>, RowError> {
    let raw = record.field(i).unwrap_or(b"");
    if let Some(v) = fast_decimal(raw) {
        return Ok(Some(v));
    }
    let s = text(record, i, name)?;
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(v) => Err(field_err(
            i,
            format!("{name} must be a finite number; found {}", fmt_num(v)),
        )),
        Err(_) => Err(field_err(
            i,
            format!("{name} must be a number; found `{}`", show(s)),
        )),
    }
}

/// Powers of ten that are exact in an `f64`.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A plain decimal (`-12.345`: an optional minus, digits, an optional point and
/// digits) read without `str::parse` when that is exact, else `None` (the caller then
/// parses it in full). With its digits as an integer `m` of at most 2^53 and `k` ≤ 22
/// digits after the point, both `m` and `10^k` are exact `f64`s and `m / 10^k` is one
/// correctly rounded division: bit for bit what `str::parse::<f64>` gives (Clinger's
/// fast path).
fn fast_decimal(bytes: &[u8]) -> Option<f64> {
    const MAX_EXACT: u64 = 1 << 53;
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    // At most 19 digits: their value fits a u64 without checking each step.
    if digits.len() > 20 {
        return None;
    }
    let whole = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    let (int_part, rest) = digits.split_at(whole);
    let frac_part = match rest.split_first() {
        None => rest,
        Some((b'.', frac)) if frac.iter().all(u8::is_ascii_digit) => frac,
        Some(_) => return None,
    };
    let count = int_part.len() + frac_part.len();
    if count == 0 || count > 19 {
        return None;
    }
    let mantissa = int_part
        .iter()
        .chain(frac_part)
        .fold(0u64, |m, b| m * 10 + u64::from(b - b'0'));
    if mantissa > MAX_EXACT {
        return None;
    }
    let value = mantissa as f64 / EXACT_POWERS_OF_TEN.get(frac_part.len())?;
    Some(if negative { -value } else { value })
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
fn line_diag(
    text: &dyn Fn(usize) -> Option<String>,
    file: &str,
    line: usize,
    field: Option<usize>,
    msg: String,
) -> Diagnostic {
    let raw = if line == 0 { None } else { text(line) };
    let Some(raw) = raw.as_deref() else {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn class_ids_hold_across_the_switch_to_hashing() {
        let mut classes = Classes::default();
        let names: Vec<String> = (0..40).map(|i| format!("class{i}")).collect();
        for (i, n) in names.iter().enumerate() {
            assert_eq!(classes.id(n.as_bytes(), || n.clone()), Some(i as u32));
        }
        for (i, n) in names.iter().enumerate().rev() {
            assert_eq!(classes.id(n.as_bytes(), || unreachable!()), Some(i as u32));
        }
        assert_eq!(classes.values, names);
    }

    /// Trace text: a header, then rows good and bad, blank lines, comments, CRLF
    /// endings, quoted fields, many classes and demands.
    fn trace_text() -> impl Strategy<Value = String> {
        let row = prop_oneof![
            8 => (0u32..100_000, 1u32..5000, 0usize..4, 0usize..20).prop_map(|(a, d, r, c)| {
                format!("{}.{:03},{}.5,{},c{c}", a / 1000, a % 1000, d, [8, 16, 24, 32][r])
            }),
            1 => Just(String::new()),
            1 => Just("# note".to_string()),
            1 => Just("5,abc,8,x".to_string()),
            1 => Just("7,-1,8,y".to_string()),
            1 => Just("\"9\",\"2\",\"8\",\"q,\nuoted\"".to_string()),
            1 => Just("3,4,8,c1\r".to_string()),
            1 => Just("1,2,8,c1,extra".to_string()),
        ];
        prop::collection::vec(row, 0..60).prop_map(|rows| {
            let mut text = String::from("arrival_s,duration_s,rpu,class\n");
            for r in rows {
                text.push_str(&r);
                text.push('\n');
            }
            text
        })
    }

    proptest! {
        /// Reading in blocks, two halves at a time, gives exactly what reading record
        /// by record gives: rows, classes, demands, errors and their lines.
        #[test]
        fn blocks_read_what_records_read(text in trace_text(), block in 1usize..200) {
            let start = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
            let lines = |n: usize| text.split('\n').nth(n.wrapping_sub(1)).map(str::to_string);
            let limits = RowLimits { max_duration: 3000.0, ..RowLimits::NONE };
            let one = parse_in_blocks(text.as_bytes(), &lines, "t.csv", start, &limits, None);
            let blocks =
                parse_in_blocks(text.as_bytes(), &lines, "t.csv", start, &limits, Some(block));
            prop_assert_eq!(blocks, one);
        }

        /// The fast path gives exactly `str::parse`'s value, or leaves the text to it.
        #[test]
        fn fast_decimals_are_what_parse_gives(
            text in "-?[0-9]{0,20}(\\.[0-9]{0,25})?|[-+.eE0-9a]{0,8}"
        ) {
            if let Some(v) = fast_decimal(text.as_bytes()) {
                let want: f64 = text.parse().expect("the fast path takes only decimals");
                prop_assert_eq!(v.to_bits(), want.to_bits(), "{}", text);
            }
        }

        /// Durations as traces write them take the fast path.
        #[test]
        fn written_decimals_take_the_fast_path(x in 0.0..1e7f64, places in 0usize..7) {
            let text = format!("{x:.places$}");
            let want: f64 = text.parse().expect("a decimal");
            prop_assert_eq!(fast_decimal(text.as_bytes()).map(f64::to_bits), Some(want.to_bits()));
        }
    }
}
