//! Checks the document tree against the scenario format and builds the domain types.

use super::diag::{did_you_mean, list_code, show, Diagnostic, Diagnostics, Location, SourceText};
use super::doc::{Node, Origin, Table, Value};
use super::set::SetArg;
use super::{
    ArrivalPattern, Arrivals, ChangeRate, DataSharing, Days, DurationSpread, InstanceUse,
    LambdaArch, LambdaExtract, Locations, Ml, NodeType, Observed, Period, Pipeline, PipelineKind,
    PriceOverrides, Provisioned, ReservedTerm, SagemakerProcessing, Scenario, Serverless,
    ServerlessReservation, ServicePriceOverrides, Snapshots, Spectrum, Storage, Window, Workload,
    WorkloadSource, ZeroEtl, ZeroEtlSource,
};
use chrono::NaiveDate;
use redshift_cost_core::durations::{format_duration, parse_duration, parse_window};
use redshift_cost_core::engine::{BreachAction, LimitPeriod, Metering, UsageLimit};
use redshift_cost_core::forecast::{Growth, StorageGrowth};
use redshift_cost_core::uncertainty::{Range, Sets, UncertainInput};
use redshift_cost_core::units::{Rpu, Seconds, HOURS_PER_MONTH, SECONDS_PER_DAY, SECONDS_PER_HOUR};
use std::path::{Path, PathBuf};

mod services;
mod trace;

/// The largest max capacity Redshift Serverless allows.
pub(super) const MAX_RPU_LIMIT: Rpu = 5632.0;
/// The longest period a scenario may simulate.
pub(super) const MAX_PERIOD_DAYS: f64 = 366.0;
/// Default zero-ETL sync duration.
pub(super) const DEFAULT_SYNC_DURATION: Seconds = 60.0;
/// The engine's name for zero-ETL sync jobs; no workload may use it.
pub(super) const RESERVED_WORKLOAD_NAME: &str = "zero-etl sync";
/// Default seed for `arrival = "poisson"`.
pub(super) const DEFAULT_SEED: u64 = 1;

const TOP_KEYS: &[&str] = &[
    "name",
    "region",
    "period",
    "budget_usd",
    "serverless",
    "workload",
    "zero_etl",
    "storage",
    "prices",
    "observed",
    "provisioned",
    "spectrum",
    "data_sharing",
    "snapshots",
    "ml",
    "pipeline",
    "timezone",
    "seed",
    "growth",
    "terraform_address",
    "cloudformation_resource",
];
const RANGE_KEYS: &[&str] = &["p5", "p95"];
const GROWTH_KEYS: &[&str] = &[
    "storage_gb_per_month",
    "storage_pct_per_month",
    "workload_pct_per_month",
    "start",
];
/// The fastest growth `[growth]` accepts, percent a month (doubling every month).
const MAX_GROWTH_PCT: f64 = 100.0;
const PERIOD_KEYS: &[&str] = &["length", "start"];
const SERVERLESS_KEYS: &[&str] = &[
    "base_rpu",
    "max_rpu",
    "reserved_rpu",
    "reservation",
    "metering",
    "usage_limit",
];
/// Keys that ask for AI-driven scaling (price-performance targets), which is not modelled.
const AI_SCALING_KEYS: &[&str] = &[
    "price_performance_target",
    "price_performance",
    "ai_scaling",
];
const USAGE_LIMIT_KEYS: &[&str] = &["rpu_hours", "period", "action"];
const DURATION_KEYS: &[&str] = &["median", "p95"];
const WORKLOAD_KEYS: &[&str] = &[
    "name",
    "per_day",
    "users",
    "queries_per_user_per_day",
    "duration",
    "rpu",
    "window",
    "days",
    "arrival",
    "seed",
    "trace",
    "every",
    "offset",
];
/// Keys that only make sense for generated arrivals.
const ARRIVAL_ONLY_KEYS: &[&str] = &[
    "per_day",
    "users",
    "queries_per_user_per_day",
    "duration",
    "window",
    "days",
    "arrival",
    "seed",
    "every",
    "offset",
];
const ZERO_ETL_KEYS: &[&str] = &[
    "source",
    "refresh_interval",
    "sync_duration",
    "sync_rpu",
    "change_mb_per_hour",
    "apply_mb_per_second",
];
const STORAGE_KEYS: &[&str] = &["managed_gb", "snapshot_gb"];
const PRICES_KEYS: &[&str] = &[
    "rpu_hour",
    "managed_storage_gb_month",
    "backup_gb_month",
    "node_hour",
    "concurrency_scaling_node_second",
    "spectrum_tb",
    "athena_tb",
    "inter_region_gb",
    "copy_backup_gb_month",
    "ml_million_cells",
    "s3_gb_month",
    "lambda_request",
    "lambda_gb_second",
    "sagemaker_instance_hour",
];
const OBSERVED_KEYS: &[&str] = &[
    "workgroup",
    "namespace",
    "days",
    "end",
    "integration_id",
    "bill",
    "cost_tag",
];
/// The longest `[observed]` look-back: CloudWatch keeps hourly data for 455 days.
pub(super) const MAX_OBSERVED_DAYS: u32 = 455;
/// The default `[observed]` look-back.
pub(super) const DEFAULT_OBSERVED_DAYS: u32 = 30;

/// The most jobs a scenario may ask the engine for, unless `--max-jobs` says otherwise
/// (about 32 bytes each in the engine, so 50 million is some 2 GB at peak).
pub const DEFAULT_MAX_JOBS: u64 = 50_000_000;
/// The smallest RPU demand of a job: below it a demand is noise (and a subnormal one
/// turns the month into NaN).
pub const MIN_DEMAND_RPU: Rpu = 0.01;
/// A job may ask for at most this many times the workgroup's max capacity.
pub const MAX_DEMAND_FACTOR: f64 = 100.0;
/// A job may last at most the period plus this.
pub(super) const DURATION_MARGIN: Seconds = SECONDS_PER_DAY;

/// Errors beyond this many are counted but not located.
const LOCATE_LIMIT: usize = 100;

const DURATION_EXPECTED: &str = "a number of seconds or a duration string like \"3m\"";

/// Decoding state: where things are, and what has gone wrong so far.
pub(crate) struct Ctx<'a> {
    pub src: SourceText<'a>,
    pub sets: &'a [SetArg],
    /// Directory trace paths are relative to.
    pub base_dir: PathBuf,
    pub diags: Diagnostics,
    pub warnings: Vec<String>,
    /// (table label, key) pairs already offered as "did you mean" for a misspelt key.
    pub suggested: Vec<(String, String)>,
    /// The workgroup's max capacity, once `[serverless]` is decoded (bounds demands).
    pub max_rpu: Option<Rpu>,
    /// The period, once decoded (bounds durations).
    pub period_secs: Seconds,
    /// The most jobs the scenario may ask for.
    pub max_jobs: u64,
    /// Traces already read in this run (a sweep point decodes its scenario again
    /// without reading the trace again).
    pub traces: &'a super::trace::TraceCache,
    /// Inputs given as ranges, as they are decoded.
    pub uncertain: Vec<UncertainInput>,
}

impl Ctx<'_> {
    pub(crate) fn loc(&self, origin: &Origin) -> Location {
        match origin {
            Origin::File(span) => self.src.locate(span.clone()),
            Origin::Set(i) => Location::Set {
                arg: self
                    .sets
                    .get(*i)
                    .map(|s| show_long(&s.raw))
                    .unwrap_or_default(),
            },
            Origin::Root => Location::File {
                file: self.src.file.to_string(),
            },
        }
    }

    pub(crate) fn diag(&self, origin: &Origin, message: impl Into<String>) -> Diagnostic {
        // Past this many errors nothing more will be shown: skip locating them (each
        // lookup scans the text).
        if self.diags.len() >= LOCATE_LIMIT {
            return Diagnostic::new(message, None);
        }
        Diagnostic::new(message, Some(self.loc(origin)))
    }

    pub(crate) fn error(&mut self, origin: &Origin, message: impl Into<String>) {
        let d = self.diag(origin, message);
        self.diags.push(d);
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub(crate) fn warn(&mut self, origin: &Origin, message: impl AsRef<str>) {
        let at = self.loc(origin).short();
        self.warnings.push(format!("{at}: {}", message.as_ref()));
    }

    /// Reports every key of `t` not in `allowed`, with a suggestion.
    fn check_keys(&mut self, t: &Table, allowed: &[&str], label: &str) {
        for e in &t.entries {
            if allowed.contains(&e.key.as_str()) {
                continue;
            }
            let mut d = self.diag(
                &e.key_origin,
                format!("unknown key `{}` in {label}", show(&e.key)),
            );
            d = match did_you_mean(&e.key, allowed) {
                Some(s) => {
                    self.suggested.push((label.to_string(), s.to_string()));
                    d.help(format!("did you mean `{s}`?"))
                }
                None => d.help(format!("the keys allowed here are {}", list_code(allowed))),
            };
            self.push(d);
        }
    }

    /// A required key's value, or an error at the table.
    fn required<'t>(
        &mut self,
        t: &'t Table,
        table_origin: &Origin,
        key: &str,
        label: &str,
        example: &str,
    ) -> Option<&'t Node> {
        let node = t.get(key);
        // A misspelt key already got "unknown key ... did you mean `key`?": say it once.
        let misspelt = self.suggested.iter().any(|(l, k)| l == label && k == key);
        if node.is_none() && !misspelt {
            let d = self
                .diag(
                    table_origin,
                    format!("missing required key `{key}` in {label}"),
                )
                .help(format!("add e.g. `{example}`"));
            self.push(d);
        }
        node
    }

    fn type_error(&mut self, key: &str, node: &Node, expected: &str) {
        let mut d = self.diag(
            &node.origin,
            format!("{key}: expected {expected}, found {}", found(&node.value)),
        );
        if let Value::Str(s) = &node.value {
            if expected.starts_with("a number") && s.trim().parse::<f64>().is_ok() {
                d = d.help(format!(
                    "write numbers without quotes: {key} = {}",
                    s.trim()
                ));
            }
        }
        self.push(d);
    }

    fn string<'n>(&mut self, key: &str, node: &'n Node) -> Option<&'n str> {
        if let Value::Str(s) = &node.value {
            Some(s)
        } else {
            self.type_error(key, node, "a string");
            None
        }
    }

    /// The `name` of a `[[noun]]` entry: required, non-empty, not `reserved`, and unique
    /// among `seen` (where it is recorded). Returns the name when valid and the label
    /// messages about the entry use (`workload `x``, or `[[workload]]` without a name).
    fn entry_name<'t>(
        &mut self,
        t: &'t Table,
        origin: &Origin,
        noun: &str,
        example: &str,
        reserved: Option<&str>,
        seen: &mut Vec<(String, Origin)>,
    ) -> (Option<&'t str>, String) {
        let section = format!("[[{noun}]]");
        let name_node = self.required(t, origin, "name", &section, example);
        let name = name_node.and_then(|n| self.nonempty_string("name", n));
        let label = match name {
            Some(n) => format!("{noun} `{}`", show(n)),
            None => section,
        };
        if let (Some(name), Some(name_node)) = (name, name_node) {
            if let Some(r) = reserved.filter(|r| name.trim().eq_ignore_ascii_case(r)) {
                self.error(
                    &name_node.origin,
                    format!("the {noun} name \"{r}\" is reserved for zero-ETL syncs"),
                );
            } else if let Some((_, first)) = seen.iter().find(|(n, _)| n == name) {
                let first = self.loc(first).short();
                let d = self
                    .diag(
                        &name_node.origin,
                        format!("duplicate {noun} name \"{}\"", show(name)),
                    )
                    .note(format!("first used at {first}"));
                self.push(d);
            } else {
                seen.push((name.to_string(), name_node.origin.clone()));
            }
        }
        (name, label)
    }

    fn nonempty_string<'n>(&mut self, key: &str, node: &'n Node) -> Option<&'n str> {
        let s = self.string(key, node)?;
        if s.trim().is_empty() {
            self.error(&node.origin, format!("{key} must not be empty"));
            return None;
        }
        Some(s)
    }

    /// A finite number (integers accepted).
    fn number(&mut self, key: &str, node: &Node) -> Option<f64> {
        let v = match &node.value {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            _ => {
                self.type_error(key, node, "a number");
                return None;
            }
        };
        if !v.is_finite() {
            self.error(
                &node.origin,
                format!("{key} must be a finite number; found {}", fmt_num(v)),
            );
            return None;
        }
        Some(v)
    }

    fn non_negative(&mut self, key: &str, node: &Node) -> Option<f64> {
        let v = self.number(key, node)?;
        if v < 0.0 {
            self.error(
                &node.origin,
                format!("{key} must be >= 0; found {}", fmt_num(v)),
            );
            return None;
        }
        Some(v)
    }

    fn positive(&mut self, key: &str, node: &Node) -> Option<f64> {
        let v = self.number(key, node)?;
        if v <= 0.0 {
            self.error(
                &node.origin,
                format!("{key} must be > 0; found {}", fmt_num(v)),
            );
            return None;
        }
        Some(v)
    }

    /// The RPUs a job asks for: > 0, at least [`MIN_DEMAND_RPU`] and at most
    /// [`MAX_DEMAND_FACTOR`] × max_rpu.
    pub(crate) fn demand(&mut self, key: &str, node: &Node) -> Option<Rpu> {
        let v = self.positive(key, node)?;
        let max = self.max_rpu.unwrap_or(MAX_RPU_LIMIT);
        let top = MAX_DEMAND_FACTOR * max;
        if v < MIN_DEMAND_RPU || v > top {
            let d = self
                .diag(
                    &node.origin,
                    format!(
                        "{key} must be from {} to {} RPU ({}× max_rpu {}); found {}",
                        fmt_num(MIN_DEMAND_RPU),
                        fmt_num(top),
                        fmt_num(MAX_DEMAND_FACTOR),
                        fmt_num(max),
                        fmt_num(v)
                    ),
                )
                .note("a job's demand is the RPUs it would use with no limit; demands beyond these bounds are not a workload but a typo");
            self.push(d);
            return None;
        }
        Some(v)
    }

    pub(crate) fn opt_demand(&mut self, t: &Table, key: &str) -> Option<Rpu> {
        t.get(key).and_then(|n| self.demand(key, n))
    }

    /// The longest a job may run: the period plus [`DURATION_MARGIN`].
    pub(crate) fn max_job_seconds(&self) -> Seconds {
        self.period_secs + DURATION_MARGIN
    }

    /// How long a job runs: > 0 and at most the period plus a day.
    pub(crate) fn job_duration(&mut self, key: &str, node: &Node) -> Option<Seconds> {
        let v = self.positive_duration(key, node)?;
        let limit = self.max_job_seconds();
        if v > limit {
            let d = self
                .diag(
                    &node.origin,
                    format!(
                        "{key} must be at most the period plus a day ({}); found {}",
                        format_duration(limit),
                        format_duration(v)
                    ),
                )
                .help("a job longer than the simulated period is never finished inside it; lengthen `period` or shorten the job");
            self.push(d);
            return None;
        }
        Some(v)
    }

    fn opt_non_negative(&mut self, t: &Table, key: &str) -> Option<f64> {
        t.get(key).and_then(|n| self.non_negative(key, n))
    }

    /// A duration in seconds: a number or a duration string; never negative.
    fn duration(&mut self, key: &str, node: &Node) -> Option<Seconds> {
        let v = match &node.value {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            Value::Str(s) => match parse_duration(s) {
                Ok(v) => v,
                Err(e) => {
                    self.error(
                        &node.origin,
                        format!("{key}: invalid duration \"{}\": {e}", show(s)),
                    );
                    return None;
                }
            },
            _ => {
                self.type_error(key, node, DURATION_EXPECTED);
                return None;
            }
        };
        if !v.is_finite() {
            self.error(
                &node.origin,
                format!(
                    "{key} must be a finite number of seconds; found {}",
                    fmt_num(v)
                ),
            );
            return None;
        }
        if v < 0.0 {
            self.error(
                &node.origin,
                format!("{key} cannot be negative; found {}", fmt_num(v)),
            );
            return None;
        }
        Some(v)
    }

    fn positive_duration(&mut self, key: &str, node: &Node) -> Option<Seconds> {
        let v = self.duration(key, node)?;
        if v <= 0.0 {
            self.error(&node.origin, format!("{key} must be > 0; found 0"));
            return None;
        }
        Some(v)
    }

    /// `{ p5 = a, p95 = b }` (`0 < a < b`, each read by `read`): the range, recorded as
    /// the uncertain input `name` that sets `sets`.
    fn range(
        &mut self,
        key: &str,
        node: &Node,
        t: &Table,
        name: &str,
        sets: Sets,
        read: fn(&mut Self, &str, &Node) -> Option<f64>,
    ) -> Option<Range> {
        let label = format!("the range of `{key}`");
        self.check_keys(t, RANGE_KEYS, &label);
        let p5_node = self.required(t, &node.origin, "p5", &label, "p5 = 80");
        let p5 = p5_node.and_then(|n| read(self, "p5", n));
        let p95_node = self.required(t, &node.origin, "p95", &label, "p95 = 130");
        let p95 = p95_node.and_then(|n| read(self, "p95", n));
        let (p5, p95) = (p5?, p95?);
        if p5 <= 0.0 {
            self.error(
                &p5_node?.origin,
                format!("{key}: p5 must be > 0 in a range; found {}", fmt_num(p5)),
            );
            return None;
        }
        if p95 <= p5 {
            let d = self
                .diag(
                    &p95_node?.origin,
                    format!(
                        "{key}: p95 ({}) must be above p5 ({})",
                        fmt_num(p95),
                        fmt_num(p5)
                    ),
                )
                .help(format!(
                    "for a value that does not vary, write `{key} = {}`",
                    fmt_num(p5)
                ));
            self.push(d);
            return None;
        }
        let range = Range { p5, p95 };
        self.uncertain.push(UncertainInput {
            name: name.to_string(),
            sets,
            range,
        });
        Some(range)
    }

    /// A number >= 0, or a range `{ p5 = 80, p95 = 130 }` (its median is returned and the
    /// range recorded as the uncertain input `name`).
    fn amount(&mut self, key: &str, node: &Node, name: &str, sets: Sets) -> Option<f64> {
        match &node.value {
            Value::Table(t) => self
                .range(key, node, t, name, sets, Self::non_negative)
                .map(|r| r.median()),
            Value::Int(_) | Value::Float(_) => self.non_negative(key, node),
            _ => {
                self.type_error(key, node, RANGE_EXPECTED);
                None
            }
        }
    }

    /// A duration > 0, or a range of durations `{ p5 = "10m", p95 = "20m" }`.
    fn duration_amount(&mut self, key: &str, node: &Node, name: &str, sets: Sets) -> Option<f64> {
        match &node.value {
            Value::Table(t) => self
                .range(key, node, t, name, sets, Self::positive_duration)
                .map(|r| r.median()),
            _ => self.positive_duration(key, node),
        }
    }

    /// One of `choices`; returns its index.
    fn choice(&mut self, key: &str, node: &Node, choices: &[&str]) -> Option<usize> {
        let s = self.string(key, node)?;
        if let Some(i) = choices.iter().position(|c| *c == s) {
            return Some(i);
        }
        let mut d = self.diag(&node.origin, format!("unknown {key} \"{}\"", show(s)));
        if let Some(c) = did_you_mean(s, choices) {
            d = d.help(format!("did you mean `{c}`?"));
        }
        d = d.help(format!("{key} must be one of {}", list_code(choices)));
        self.push(d);
        None
    }

    /// A table, or an error saying what was expected.
    fn table<'n>(&mut self, key: &str, node: &'n Node) -> Option<&'n Table> {
        if let Value::Table(t) = &node.value {
            Some(t)
        } else {
            let d = self
                .diag(
                    &node.origin,
                    format!("{key}: expected a table, found {}", found(&node.value)),
                )
                .help(format!("write it as a [{key}] section"));
            self.push(d);
            None
        }
    }
}

/// What a key that takes a range expects, for "expected ..., found ..." messages.
const RANGE_EXPECTED: &str = "a number or a range like { p5 = 80, p95 = 130 }";

/// "the string \"x\"" for strings (they are what users mistype), else the type.
fn found(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("the string \"{}\"", show(s)),
        other => other.type_name().to_string(),
    }
}

fn show_long(s: &str) -> String {
    if s.chars().count() > 120 {
        let cut: String = s.chars().take(120).collect();
        format!("{}…", show(&cut).trim_end_matches('…'))
    } else {
        s.chars()
            .flat_map(|c| {
                if c.is_control() {
                    c.escape_default().collect::<Vec<_>>()
                } else {
                    vec![c]
                }
            })
            .collect()
    }
}

/// A count for messages, rounded and grouped: `1,000,000,000`; astronomic counts in
/// scientific notation.
pub(super) fn grouped(n: f64) -> String {
    if n.is_nan() || n.abs() >= 1e18 {
        return format!("{n:.1e}");
    }
    let digits = format!("{}", n.round().abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(super) use redshift_cost_core::durations::fmt_num;

/// Every allowed base capacity: 4, 8..=512 step 8, 544..=1024 step 32.
pub(super) fn allowed_base_rpus() -> Vec<Rpu> {
    let mut v = vec![4.0];
    v.extend((1..=64).map(|i| f64::from(i) * 8.0));
    v.extend((17..=32).map(|i| f64::from(i) * 32.0));
    v
}

/// Decodes the whole document. Errors go to `ctx.diags`; the scenario is returned only
/// when there are none.
pub(super) fn decode(
    ctx: &mut Ctx<'_>,
    root: &Table,
    path: &Path,
    regions: &[(String, String)],
) -> Option<Scenario> {
    ctx.check_keys(root, TOP_KEYS, "the scenario");
    let root_origin = Origin::Root;

    let name = ctx
        .required(
            root,
            &root_origin,
            "name",
            "the scenario",
            "name = \"tokyo 8 RPU\"",
        )
        .and_then(|n| ctx.nonempty_string("name", n))
        .map(str::to_string);
    let region = ctx
        .required(
            root,
            &root_origin,
            "region",
            "the scenario",
            "region = \"us-east-1\"",
        )
        .and_then(|n| region(ctx, n, regions));
    let period = period(ctx, root.get("period"));
    ctx.period_secs = period.seconds();
    let timezone = root.get("timezone").and_then(|n| timezone(ctx, n));
    let budget_usd = root
        .get("budget_usd")
        .and_then(|n| ctx.non_negative("budget_usd", n));
    let run_seed = match root.get("seed") {
        None => Some(DEFAULT_SEED),
        Some(n) => seed(ctx, n),
    };
    let address = |ctx: &mut Ctx<'_>, key: &str| {
        root.get(key)
            .and_then(|n| ctx.nonempty_string(key, n))
            .map(str::to_string)
    };
    let terraform_address = address(ctx, "terraform_address");
    let cloudformation_resource = address(ctx, "cloudformation_resource");

    let serverless_node = root.get("serverless");
    let serverless = serverless_node.and_then(|n| serverless(ctx, n));

    let max_rpu = serverless.as_ref().map(|s| s.max_rpu);
    ctx.max_rpu = max_rpu;
    let mut workloads = Vec::new();
    let mut workload_origin = None;
    if let Some(node) = root.get("workload") {
        workload_origin = Some(node.origin.clone());
        let items = match &node.value {
            Value::Array(items) if items.iter().all(|i| matches!(i.value, Value::Table(_))) => {
                Some(items)
            }
            other => {
                let d = ctx
                    .diag(
                        &node.origin,
                        format!(
                            "workload: expected an array of tables, found {}",
                            found(other)
                        ),
                    )
                    .help("write each workload as its own [[workload]] section");
                ctx.push(d);
                None
            }
        };
        let mut seen: Vec<(String, Origin)> = Vec::new();
        for item in items.into_iter().flatten() {
            if let Some(w) = workload(ctx, item, &period, max_rpu, &mut seen) {
                workloads.push(w);
            }
        }
    }

    let zero_etl_node = root.get("zero_etl");
    let zero_etl = zero_etl_node.and_then(|n| zero_etl(ctx, n, max_rpu));
    let observed_node = root.get("observed");
    let observed = observed_node.and_then(|n| observed(ctx, n));

    // Workloads and zero-ETL run on a provisioned cluster too.
    let provisioned_node = root.get("provisioned");
    if serverless_node.is_none() && provisioned_node.is_none() {
        services::needs_a_warehouse(ctx, workload_origin.as_ref(), zero_etl_node);
    }
    if serverless_node.is_none() {
        let needed_by = observed_node.map(|n| (&n.origin, "[observed]"));
        if let Some((origin, what)) = needed_by {
            let d = ctx
                .diag(origin, format!("{what} needs a [serverless] section"))
                .help("add `[serverless]` with `base_rpu = 8` (the workgroup's base capacity)");
            ctx.push(d);
        }
    }

    let storage = root
        .get("storage")
        .and_then(|n| ctx.table("storage", n))
        .map(|t| {
            ctx.check_keys(t, STORAGE_KEYS, "[storage]");
            Storage {
                managed_gb: t
                    .get("managed_gb")
                    .and_then(|n| {
                        ctx.amount("managed_gb", n, "storage.managed_gb", Sets::ManagedGb)
                    })
                    .unwrap_or(0.0),
                snapshot_gb: t
                    .get("snapshot_gb")
                    .and_then(|n| {
                        ctx.amount("snapshot_gb", n, "storage.snapshot_gb", Sets::SnapshotGb)
                    })
                    .unwrap_or(0.0),
            }
        })
        .unwrap_or_default();

    let prices = root
        .get("prices")
        .and_then(|n| ctx.table("prices", n))
        .map(|t| {
            ctx.check_keys(t, PRICES_KEYS, "[prices]");
            PriceOverrides {
                rpu_hour: ctx.opt_non_negative(t, "rpu_hour"),
                managed_storage_gb_month: ctx.opt_non_negative(t, "managed_storage_gb_month"),
                backup_gb_month: ctx.opt_non_negative(t, "backup_gb_month"),
                services: services::price_overrides(ctx, t),
            }
        })
        .unwrap_or_default();
    let services = services::decode_services(
        ctx,
        root,
        serverless.as_ref(),
        zero_etl.as_ref(),
        &storage,
        regions,
    );

    let growth = root
        .get("growth")
        .and_then(|n| growth(ctx, n, &workloads, &storage));

    if !ctx.diags.is_empty() {
        return None;
    }
    let mut locations = Locations {
        file: ctx.src.file.to_string(),
        region: root.get("region").map(|n| ctx.loc(&n.origin).short()),
        ..Locations::default()
    };
    if let Some(Value::Array(items)) = root.get("workload").map(|n| &n.value) {
        for item in items {
            if let Value::Table(t) = &item.value {
                if let Some(Value::Str(name)) = t.get("name").map(|n| &n.value) {
                    locations
                        .workloads
                        .insert(name.clone(), ctx.loc(&item.origin).short());
                }
            }
        }
    }
    let scenario = Scenario {
        name: name?,
        path: path.to_path_buf(),
        region: region?,
        period,
        budget_usd,
        serverless,
        workloads,
        zero_etl,
        storage,
        prices,
        observed,
        provisioned: services.provisioned,
        serverless_reservation: services.serverless_reservation,
        spectrum: services.spectrum,
        data_sharing: services.data_sharing,
        snapshots: services.snapshots,
        ml: services.ml,
        pipelines: services.pipelines,
        timezone: timezone.flatten(),
        seed: run_seed?,
        uncertain: std::mem::take(&mut ctx.uncertain),
        growth,
        terraform_address,
        cloudformation_resource,
        locations,
    };
    check_job_count(ctx, root, &scenario);
    ctx.diags.is_empty().then_some(scenario)
}

/// The keys that set how many jobs a source asks for, in the order they are blamed.
const RATE_KEYS: &[&str] = &[
    "users",
    "per_day",
    "queries_per_user_per_day",
    "trace",
    "syncs_per_month",
    "runs_per_month",
    "rows",
    "queries_per_day",
    "refresh_interval",
];

/// Refuses a scenario that asks the engine for more than `ctx.max_jobs` jobs, at the key
/// of the source that asks for most, before a single job is generated.
fn check_job_count(ctx: &mut Ctx<'_>, root: &Table, scenario: &Scenario) {
    use redshift_cost_core::scenario::{job_counts, JobSource};
    use redshift_cost_core::uncertainty::{at_z, Z_CLAMP};
    // Runs may draw a range up to its top: count the jobs there.
    let top;
    let scenario = if scenario.uncertain.is_empty() {
        scenario
    } else {
        top = at_z(scenario, Z_CLAMP);
        &top
    };
    let counts = job_counts(scenario);
    let total: f64 = counts.iter().map(|(_, n)| n).sum();
    if total <= ctx.max_jobs as f64 {
        return;
    }
    let Some((worst, _)) = counts.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
        return;
    };
    let named = |list: &str, name: &str| -> Option<&Table> {
        let Some(Value::Array(items)) = root.get(list).map(|n| &n.value) else {
            return None;
        };
        items.iter().find_map(|i| match &i.value {
            Value::Table(t) => match t.get("name").map(|n| &n.value) {
                Some(Value::Str(s)) if s == name => Some(t),
                _ => None,
            },
            _ => None,
        })
    };
    let rate_node = |t: &Table| {
        RATE_KEYS
            .iter()
            .find_map(|k| t.get(k))
            .map(|n| n.origin.clone())
    };
    let table = |key: &str| match root.get(key).map(|n| &n.value) {
        Some(Value::Table(t)) => Some(t),
        _ => None,
    };
    let origin = match worst {
        JobSource::Workload(n) => named("workload", n).and_then(rate_node),
        JobSource::Pipeline(n) => named("pipeline", n).and_then(rate_node),
        JobSource::ZeroEtl => table("zero_etl")
            .and_then(rate_node)
            .or_else(|| root.get("zero_etl").map(|n| n.origin.clone())),
        JobSource::Spectrum => table("spectrum").and_then(rate_node),
    };
    let origin = origin.unwrap_or(Origin::Root);
    let mut d = ctx
        .diag(
            &origin,
            format!(
                "this scenario asks for about {} jobs in its period, more than the limit of {}",
                grouped(total),
                grouped(ctx.max_jobs as f64),
            ),
        )
        .note(format!("{} asks for most of them", job_source_label(worst)));
    for (source, n) in counts.iter().filter(|(_, n)| *n >= 1.0).take(4) {
        d = d.note(format!(
            "{}: {} jobs",
            job_source_label(source),
            grouped(*n)
        ));
    }
    d = d.help("lower the rate, shorten `period`, or raise the limit with --max-jobs (memory grows by about 32 bytes a job)");
    ctx.push(d);
}

/// How messages name a job source: `workload `w``, `[zero_etl] refreshes`, ...
fn job_source_label(source: &redshift_cost_core::scenario::JobSource) -> String {
    use redshift_cost_core::scenario::JobSource;
    match source {
        JobSource::Workload(n) => format!("workload `{}`", super::diag::show(n)),
        JobSource::Pipeline(n) => format!("pipeline `{}`", super::diag::show(n)),
        JobSource::ZeroEtl => "[zero_etl] refreshes".to_string(),
        JobSource::Spectrum => "[spectrum] scans".to_string(),
    }
}

fn region(ctx: &mut Ctx<'_>, node: &Node, regions: &[(String, String)]) -> Option<String> {
    let s = ctx.nonempty_string("region", node)?;
    if regions.is_empty() || regions.iter().any(|(code, _)| code == s) {
        return Some(s.to_string());
    }
    // Score each region by its code, its location name and the city in parentheses.
    let mut scored: Vec<(f64, &(String, String))> = regions
        .iter()
        .map(|r| {
            let (code, location) = r;
            let city = location
                .split_once('(')
                .map_or("", |(_, c)| c.trim_end_matches(')'));
            let score = super::diag::similarity(s, code)
                .max(super::diag::similarity(s, location))
                .max(super::diag::similarity(s, city));
            (score, r)
        })
        .filter(|(score, _)| *score >= super::diag::CLOSE)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    // Only near-ties with the best match are worth listing.
    let top = scored.first().map_or(0.0, |(score, _)| *score);
    let best: Vec<String> = scored
        .iter()
        .filter(|(score, _)| *score >= top - 0.05)
        .take(3)
        .map(|(_, (code, location))| format!("`{code}` ({location})"))
        .collect();
    let mut d = ctx.diag(&node.origin, format!("unknown region \"{}\"", show(s)));
    d = match best.len() {
        0 => {
            let codes: Vec<&str> = regions.iter().map(|(c, _)| c.as_str()).take(8).collect();
            let more = regions.len().saturating_sub(codes.len());
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            d.help(format!(
                "region takes a region code; known codes include {}{tail}",
                codes.join(", ")
            ))
        }
        1 => d.help(format!("did you mean {}?", best.concat())),
        _ => d.help(format!("did you mean one of {}?", best.join(", "))),
    };
    ctx.push(d);
    None
}

fn period(ctx: &mut Ctx<'_>, node: Option<&Node>) -> Period {
    let default = Period {
        hours: HOURS_PER_MONTH,
        start: Period::default_start(),
    };
    let Some(node) = node else {
        return default;
    };
    match &node.value {
        Value::Table(t) => {
            ctx.check_keys(t, PERIOD_KEYS, "[period]");
            let hours = t
                .get("length")
                .and_then(|n| period_length(ctx, "length", n))
                .unwrap_or(default.hours);
            let start = t
                .get("start")
                .and_then(|n| period_start(ctx, n))
                .unwrap_or(default.start);
            Period { hours, start }
        }
        Value::Str(_) | Value::Int(_) | Value::Float(_) => Period {
            hours: period_length(ctx, "period", node).unwrap_or(default.hours),
            start: default.start,
        },
        _ => {
            ctx.type_error(
                "period",
                node,
                "a duration string like \"30d\" or a [period] table with `length` and `start`",
            );
            default
        }
    }
}

/// Period length in hours: > 0 and at most [`MAX_PERIOD_DAYS`].
fn period_length(ctx: &mut Ctx<'_>, key: &str, node: &Node) -> Option<f64> {
    let secs = ctx.duration(key, node)?;
    if secs <= 0.0 || secs > MAX_PERIOD_DAYS * SECONDS_PER_DAY {
        ctx.error(
            &node.origin,
            format!(
                "{key} must be longer than 0 and at most {} days; found {}",
                fmt_num(MAX_PERIOD_DAYS),
                format_duration(secs)
            ),
        );
        return None;
    }
    Some(secs / SECONDS_PER_HOUR)
}

fn period_start(ctx: &mut Ctx<'_>, node: &Node) -> Option<NaiveDate> {
    let bad = |ctx: &mut Ctx<'_>, what: String| {
        ctx.error(
            &node.origin,
            format!("start must be a date like 2026-11-02; found {what}"),
        );
        None
    };
    match &node.value {
        Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .or_else(|| bad(ctx, format!("{dt}")))
            }
            _ => bad(
                ctx,
                format!("{dt} (a date with no time of day is expected)"),
            ),
        },
        Value::Str(s) => match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => bad(ctx, format!("\"{}\"", show(s))),
        },
        other => bad(ctx, found(other)),
    }
}

fn serverless(ctx: &mut Ctx<'_>, node: &Node) -> Option<Serverless> {
    let t = ctx.table("serverless", node)?;
    let mut allowed = SERVERLESS_KEYS.to_vec();
    for e in t
        .entries
        .iter()
        .filter(|e| AI_SCALING_KEYS.contains(&e.key.as_str()))
    {
        allowed.push(AI_SCALING_KEYS[0]);
        allowed.push(e.key.as_str());
        let d = ctx
            .diag(
                &e.key_origin,
                format!("`{}`: AI-driven scaling (price-performance targets) is not modelled", e.key),
            )
            .note("with a price-performance target, Redshift Serverless picks capacity from its own forecasts, which no public rule describes")
            .help("approximate it with `base_rpu` and `max_rpu`: set them from the ComputeCapacity your workgroup shows (`redshift-cost observe`), and sweep max_rpu to see the range (docs/model.md, \"AI-driven scaling\")");
        ctx.push(d);
    }
    ctx.check_keys(t, &allowed, "[serverless]");
    let metering = match t.get("metering") {
        None => Some(Metering::default()),
        Some(n) => {
            let names: Vec<&str> = Metering::ALL.iter().map(|m| m.name()).collect();
            ctx.choice("metering", n, &names).map(|i| Metering::ALL[i])
        }
    };
    let usage_limits = match t.get("usage_limit") {
        None => Some(Vec::new()),
        Some(n) => usage_limits(ctx, n),
    };
    let base = ctx
        .required(t, &node.origin, "base_rpu", "[serverless]", "base_rpu = 8")
        .and_then(|n| base_rpu(ctx, n));
    let max_node = t.get("max_rpu");
    let max = match max_node {
        Some(n) => ctx.positive("max_rpu", n),
        None => Some(MAX_RPU_LIMIT),
    };
    let (base, max) = (base?, max?);
    if let Some(n) = max_node {
        if max < base || max > MAX_RPU_LIMIT {
            ctx.error(
                &n.origin,
                format!(
                    "max_rpu must be at least base_rpu ({}) and at most {}; found {}",
                    fmt_num(base),
                    fmt_num(MAX_RPU_LIMIT),
                    fmt_num(max)
                ),
            );
            return None;
        }
    }
    Some(Serverless {
        base_rpu: base,
        max_rpu: max,
        metering: metering?,
        usage_limits: usage_limits?,
    })
}

/// `[serverless.usage_limit]` (one table) or `[[serverless.usage_limit]]` (several).
fn usage_limits(ctx: &mut Ctx<'_>, node: &Node) -> Option<Vec<UsageLimit>> {
    let tables: Vec<(&Table, &Origin)> = match &node.value {
        Value::Table(t) => vec![(t, &node.origin)],
        Value::Array(items) if items.iter().all(|i| matches!(i.value, Value::Table(_))) => items
            .iter()
            .filter_map(|i| match &i.value {
                Value::Table(t) => Some((t, &i.origin)),
                _ => None,
            })
            .collect(),
        other => {
            let d = ctx
                .diag(
                    &node.origin,
                    format!("usage_limit: expected a table, found {}", found(other)),
                )
                .help("write it as [serverless.usage_limit] (or [[serverless.usage_limit]] for several) with `rpu_hours`, `period` and `action`");
            ctx.push(d);
            return None;
        }
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (t, origin) in tables {
        let label = "[serverless.usage_limit]";
        ctx.check_keys(t, USAGE_LIMIT_KEYS, label);
        let rpu_hours = ctx
            .required(t, origin, "rpu_hours", label, "rpu_hours = 500")
            .and_then(|n| ctx.positive("rpu_hours", n).map(|v| (v, n)));
        if let Some((v, n)) = rpu_hours {
            if v.fract() != 0.0 {
                ctx.warn(
                    &n.origin,
                    format!(
                        "usage_limit: AWS takes whole RPU-hours (CreateUsageLimit `amount`); {} is modelled as given",
                        fmt_num(v)
                    ),
                );
            }
        }
        let period = match t.get("period") {
            None => Some(LimitPeriod::Monthly),
            Some(n) => {
                let names: Vec<&str> = LimitPeriod::ALL.iter().map(|p| p.name()).collect();
                ctx.choice("period", n, &names).map(|i| LimitPeriod::ALL[i])
            }
        };
        let action = match t.get("action") {
            None => Some(BreachAction::Log),
            Some(n) => {
                let names: Vec<&str> = BreachAction::ALL.iter().map(|a| a.name()).collect();
                ctx.choice("action", n, &names)
                    .map(|i| BreachAction::ALL[i])
            }
        };
        match (rpu_hours, period, action) {
            (Some((rpu_hours, _)), Some(period), Some(action)) => out.push(UsageLimit {
                rpu_hours,
                period,
                action,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// `timezone`: an IANA name (`Europe/Dublin`); `Some(None)` for UTC itself.
fn timezone(ctx: &mut Ctx<'_>, node: &Node) -> Option<Option<chrono_tz::Tz>> {
    let s = ctx.nonempty_string("timezone", node)?;
    if matches!(s, "UTC" | "Etc/UTC") {
        return Some(None);
    }
    if let Ok(tz) = s.parse::<chrono_tz::Tz>() {
        return Some(Some(tz));
    }
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()).collect();
    let mut d = ctx.diag(&node.origin, format!("unknown time zone \"{}\"", show(s)));
    let folded = names.iter().find(|n| n.eq_ignore_ascii_case(s));
    if let Some(c) = folded.copied().or_else(|| did_you_mean(s, &names)) {
        d = d.help(format!("did you mean `{c}`?"));
    }
    d = d.help("use an IANA time zone name such as \"Europe/Dublin\" or \"America/New_York\" (times of day are UTC without one)");
    ctx.push(d);
    None
}

fn base_rpu(ctx: &mut Ctx<'_>, node: &Node) -> Option<Rpu> {
    let v = ctx.number("base_rpu", node)?;
    let allowed = allowed_base_rpus();
    if allowed.contains(&v) {
        return Some(v);
    }
    let below = allowed.iter().copied().rev().find(|a| *a < v);
    let above = allowed.iter().copied().find(|a| *a > v);
    let help = match (below, above) {
        (Some(b), Some(a)) => format!(
            "the nearest allowed values are {} and {}",
            fmt_num(b),
            fmt_num(a)
        ),
        (None, _) => "the smallest allowed value is 4".to_string(),
        (_, None) => "the largest allowed value is 1024".to_string(),
    };
    let d = ctx
        .diag(
            &node.origin,
            format!(
                "base_rpu must be 4, or 8 to 512 in steps of 8, or 512 to 1024 in steps of 32; found {}",
                fmt_num(v)
            ),
        )
        .help(help);
    ctx.push(d);
    None
}

fn workload(
    ctx: &mut Ctx<'_>,
    node: &Node,
    period: &Period,
    max_rpu: Option<Rpu>,
    seen: &mut Vec<(String, Origin)>,
) -> Option<Workload> {
    let Value::Table(t) = &node.value else {
        return None;
    };
    let (name, label) = ctx.entry_name(
        t,
        &node.origin,
        "workload",
        "name = \"dashboards\"",
        Some(RESERVED_WORKLOAD_NAME),
        seen,
    );
    ctx.check_keys(t, WORKLOAD_KEYS, &label);

    let rpu_node = t.get("rpu");
    let rpu = rpu_node.and_then(|n| ctx.demand("rpu", n));
    if let (Some(r), Some(max), Some(n)) = (rpu, max_rpu, rpu_node) {
        if r > max {
            ctx.warn(
                &n.origin,
                format!(
                    "{label}: rpu {} is above max_rpu {}",
                    fmt_num(r),
                    fmt_num(max)
                ),
            );
        }
    }

    let source = if let Some(trace_node) = t.get("trace") {
        for key in ARRIVAL_ONLY_KEYS {
            if let Some(e) = t.entry(key) {
                let d = ctx
                    .diag(
                        &e.key_origin,
                        format!("`{key}` cannot be used with `trace`"),
                    )
                    .note("a trace workload takes its arrivals and durations from the CSV file");
                ctx.push(d);
            }
        }
        let rel = ctx.nonempty_string("trace", trace_node)?;
        let workload_name = name.unwrap_or("?");
        let tr = trace::load(ctx, trace_node, rel, workload_name, rpu, period, max_rpu)?;
        WorkloadSource::Trace(tr)
    } else {
        WorkloadSource::Arrivals(arrivals(ctx, t, &node.origin, &label, name, rpu)?)
    };
    Some(Workload {
        name: name?.to_string(),
        source,
    })
}

fn arrivals(
    ctx: &mut Ctx<'_>,
    t: &Table,
    origin: &Origin,
    label: &str,
    name: Option<&str>,
    rpu: Option<Rpu>,
) -> Option<Arrivals> {
    // Ranges are a workload's (a pipeline's rate is fixed).
    let ranged = name.is_some();
    let name = name.unwrap_or("?");
    let rate = || Sets::WorkloadRate {
        workload: name.to_string(),
    };
    let amount = |ctx: &mut Ctx<'_>, key: &str, n: &Node| {
        if ranged {
            ctx.amount(key, n, &format!("{name}.{key}"), rate())
        } else {
            ctx.non_negative(key, n)
        }
    };
    let every_e = t.entry("every");
    if let Some(o) = t.entry("offset").filter(|_| every_e.is_none()) {
        let d = ctx
            .diag(&o.key_origin, "`offset` needs `every`")
            .help("offset shifts a periodic workload: every = \"15m\" with offset = \"2m\" runs at :02, :17, :32 and :47");
        ctx.push(d);
    }
    let periodic = match every_e {
        None => None,
        Some(e) => {
            for key in ["per_day", "users", "queries_per_user_per_day", "arrival"] {
                if let Some(other) = t.entry(key) {
                    let d = ctx
                        .diag(
                            &other.key_origin,
                            format!("`{key}` cannot be used together with `every`"),
                        )
                        .help("`every` sets the rate of a periodic workload; give either it or a rate a day");
                    ctx.push(d);
                }
            }
            let every = if ranged {
                ctx.duration_amount(
                    "every",
                    &e.node,
                    &format!("{name}.every"),
                    Sets::WorkloadEvery {
                        workload: name.to_string(),
                    },
                )
            } else {
                ctx.positive_duration("every", &e.node)
            };
            let offset = match t.get("offset") {
                None => Some(0.0),
                Some(n) => ctx.duration("offset", n),
            };
            match (every, offset, t.get("offset")) {
                (Some(every), Some(offset), Some(n)) if offset >= every => {
                    ctx.error(
                        &n.origin,
                        format!(
                            "offset ({}) must be shorter than every ({})",
                            format_duration(offset),
                            format_duration(every)
                        ),
                    );
                    Some(None)
                }
                (Some(every), Some(offset), _) => Some(Some((every, offset))),
                _ => Some(None),
            }
        }
    };
    let per_day_e = t.entry("per_day");
    let users_e = t.entry("users");
    let qpu_e = t.entry("queries_per_user_per_day");
    let per_day = match (per_day_e, users_e, qpu_e) {
        _ if periodic.is_some() => Some(0.0),
        (Some(p), None, None) => amount(ctx, "per_day", &p.node),
        (None, Some(u), Some(q)) => {
            let users = amount(ctx, "users", &u.node);
            let qpu = amount(ctx, "queries_per_user_per_day", &q.node);
            Some(users? * qpu?)
        }
        (Some(_), Some(other), _) | (Some(_), None, Some(other)) => {
            let d = ctx
                .diag(
                    &other.key_origin,
                    format!("`{}` cannot be used together with `per_day`", other.key),
                )
                .help("give either per_day, or users and queries_per_user_per_day");
            ctx.push(d);
            None
        }
        (None, Some(u), None) => {
            let d = ctx
                .diag(&u.key_origin, "`users` needs `queries_per_user_per_day`")
                .help("jobs a day = users × queries_per_user_per_day");
            ctx.push(d);
            None
        }
        (None, None, Some(q)) => {
            let d = ctx
                .diag(&q.key_origin, "`queries_per_user_per_day` needs `users`")
                .help("jobs a day = users × queries_per_user_per_day");
            ctx.push(d);
            None
        }
        (None, None, None) => {
            let d = ctx
                .diag(origin, format!("{label} needs a rate or a trace"))
                .help("add `per_day = 100`, or `users` and `queries_per_user_per_day`, or `every = \"15m\"`, or `trace = \"file.csv\"`");
            ctx.push(d);
            None
        }
    };
    let duration = ctx
        .required(t, origin, "duration", label, "duration = \"3m\"")
        .and_then(|n| duration_spec(ctx, n));
    let window = match t.get("window") {
        None => Some(Window::WHOLE_DAY),
        Some(n) => ctx.string("window", n).and_then(|s| match parse_window(s) {
            Ok(w) => Some(w),
            Err(e) => {
                ctx.error(&n.origin, format!("window \"{}\": {e}", show(s)));
                None
            }
        }),
    };
    let days = match t.get("days") {
        None => Some(Days::All),
        Some(n) => ctx.choice("days", n, &["all", "weekdays"]).map(|i| {
            if i == 0 {
                Days::All
            } else {
                Days::Weekdays
            }
        }),
    };
    let poisson = match t.get("arrival") {
        None => Some(false),
        Some(n) => ctx
            .choice("arrival", n, &["even", "poisson"])
            .map(|i| i == 1),
    };
    let seed = match t.get("seed") {
        None => Some(DEFAULT_SEED),
        Some(n) => seed(ctx, n),
    };
    let poisson = poisson?;
    let drawn = matches!(duration, Some((_, Some(_))));
    if !poisson && !drawn {
        if let Some(n) = t.get("seed") {
            ctx.warn(
                &n.origin,
                format!("{label}: seed has no effect with arrival = \"even\" (or `every`) and a fixed duration"),
            );
        }
    }
    let window = window?;
    let (pattern, per_day) = match periodic {
        Some(p) => {
            let (every, offset) = p?;
            (
                ArrivalPattern::Every { every, offset },
                window.runs_every(every, offset),
            )
        }
        None if poisson => (ArrivalPattern::Poisson { seed: seed? }, per_day?),
        None => (ArrivalPattern::Even, per_day?),
    };
    let (duration, p95) = duration?;
    let spread = match p95 {
        None => None,
        Some(p95) => Some(DurationSpread {
            p95,
            seed: seed?,
            max_draw: ctx.max_job_seconds(),
        }),
    };
    Some(Arrivals {
        per_day,
        duration,
        spread,
        rpu,
        window,
        days: days?,
        pattern,
    })
}

/// `duration = "40s"` or `duration = { median = "40s", p95 = "3m" }`: the median and, for
/// a distribution, the 95th percentile.
fn duration_spec(ctx: &mut Ctx<'_>, node: &Node) -> Option<(Seconds, Option<Seconds>)> {
    let Value::Table(t) = &node.value else {
        return ctx.job_duration("duration", node).map(|d| (d, None));
    };
    ctx.check_keys(t, DURATION_KEYS, "the duration table");
    let median = ctx
        .required(
            t,
            &node.origin,
            "median",
            "the duration table",
            "median = \"40s\"",
        )
        .and_then(|n| ctx.job_duration("median", n));
    let p95_node = ctx.required(t, &node.origin, "p95", "the duration table", "p95 = \"3m\"");
    let p95 = p95_node.and_then(|n| ctx.job_duration("p95", n));
    let (median, p95) = (median?, p95?);
    if p95 <= median {
        let d = ctx
            .diag(
                &p95_node?.origin,
                format!(
                    "p95 ({}) must be longer than the median ({})",
                    format_duration(p95),
                    format_duration(median)
                ),
            )
            .help("for durations that do not vary, write `duration = \"40s\"`");
        ctx.push(d);
        return None;
    }
    Some((median, Some(p95)))
}

/// `[growth]`: how storage and the workloads grow month by month, for `forecast`.
fn growth(
    ctx: &mut Ctx<'_>,
    node: &Node,
    workloads: &[Workload],
    storage: &Storage,
) -> Option<Growth> {
    let t = ctx.table("growth", node)?;
    ctx.check_keys(t, GROWTH_KEYS, "[growth]");
    let pct = |ctx: &mut Ctx<'_>, key: &str, n: &Node| -> Option<f64> {
        let v = ctx.number(key, n)?;
        if v <= -100.0 || v > MAX_GROWTH_PCT {
            let d = ctx
                .diag(
                    &n.origin,
                    format!(
                        "{key} must be above -100 and at most {} (percent a month); found {}",
                        fmt_num(MAX_GROWTH_PCT),
                        fmt_num(v)
                    ),
                )
                .help("write a percentage: 5 for 5 % a month");
            ctx.push(d);
            return None;
        }
        Some(v)
    };
    let storage_growth = match (
        t.entry("storage_gb_per_month"),
        t.entry("storage_pct_per_month"),
    ) {
        (Some(_), Some(b)) => {
            let d = ctx
                .diag(
                    &b.key_origin,
                    "`storage_pct_per_month` cannot be used together with `storage_gb_per_month`",
                )
                .help("storage grows either by GB or by a percentage a month: give one");
            ctx.push(d);
            return None;
        }
        (Some(a), None) => {
            let v = ctx.number("storage_gb_per_month", &a.node)?;
            if v < 0.0 && -v * 12.0 > storage.managed_gb * 100.0 {
                ctx.warn(
                    &a.node.origin,
                    "storage_gb_per_month shrinks storage faster than it holds; months below 0 GB are billed as 0",
                );
            }
            Some(StorageGrowth::GbPerMonth(v))
        }
        (None, Some(b)) => Some(StorageGrowth::PctPerMonth(pct(
            ctx,
            "storage_pct_per_month",
            &b.node,
        )?)),
        (None, None) => None,
    };
    let mut workload_pct = 0.0;
    let mut by_name = Vec::new();
    if let Some(n) = t.get("workload_pct_per_month") {
        match &n.value {
            Value::Table(named) => {
                let names: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
                for e in &named.entries {
                    if !names.contains(&e.key.as_str()) {
                        let mut d = ctx.diag(
                            &e.key_origin,
                            format!(
                                "[growth] workload_pct_per_month: no workload `{}`",
                                show(&e.key)
                            ),
                        );
                        d = match did_you_mean(&e.key, &names) {
                            Some(s) => d.help(format!("did you mean `{s}`?")),
                            None => d.help(format!("the workloads are {}", list_code(&names))),
                        };
                        ctx.push(d);
                        continue;
                    }
                    if let Some(v) = pct(ctx, "workload_pct_per_month", &e.node) {
                        by_name.push((e.key.clone(), v));
                    }
                }
            }
            _ => workload_pct = pct(ctx, "workload_pct_per_month", n)?,
        }
    }
    let start = match t.get("start") {
        None => None,
        Some(n) => {
            let s = ctx.string("start", n)?;
            if let Ok(d) = NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d") {
                Some(d)
            } else {
                let d = ctx
                    .diag(
                        &n.origin,
                        format!(
                            "start: expected a month like \"2027-01\", found \"{}\"",
                            show(s)
                        ),
                    )
                    .help("month 1 of the forecast starts on the first day of this month");
                ctx.push(d);
                return None;
            }
        }
    };
    Some(Growth {
        storage: storage_growth,
        workload_pct,
        workload_pct_by_name: by_name,
        start,
    })
}

fn seed(ctx: &mut Ctx<'_>, node: &Node) -> Option<u64> {
    let ok = match &node.value {
        Value::Int(i) => u64::try_from(*i).ok(),
        Value::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64 => {
            Some(*f as u64)
        }
        Value::Float(_) => None,
        _ => {
            ctx.type_error("seed", node, "a whole number");
            return None;
        }
    };
    if ok.is_none() {
        let shown = match &node.value {
            Value::Int(i) => i.to_string(),
            Value::Float(f) => fmt_num(*f),
            _ => String::new(),
        };
        ctx.error(
            &node.origin,
            format!(
                "seed must be a whole number from 0 to {}; found {shown}",
                u64::MAX
            ),
        );
    }
    ok
}

fn zero_etl(ctx: &mut Ctx<'_>, node: &Node, max_rpu: Option<Rpu>) -> Option<ZeroEtl> {
    let t = ctx.table("zero_etl", node)?;
    ctx.check_keys(t, ZERO_ETL_KEYS, "[zero_etl]");
    let names: Vec<&str> = ZeroEtlSource::ALL.iter().map(|s| s.name()).collect();
    let source = ctx
        .required(
            t,
            &node.origin,
            "source",
            "[zero_etl]",
            "source = \"aurora-mysql\"",
        )
        .and_then(|n| ctx.choice("source", n, &names))
        .and_then(|i| ZeroEtlSource::ALL.get(i).copied());
    let interval_node = t.get("refresh_interval");
    let interval = match (interval_node, source) {
        (Some(n), source) => {
            let v = ctx.duration("refresh_interval", n);
            match (v, source) {
                (Some(v), _) if v.fract() != 0.0 => {
                    let d = ctx
                        .diag(
                            &n.origin,
                            format!(
                                "refresh_interval must be a whole number of seconds; found {}",
                                fmt_num(v)
                            ),
                        )
                        .note("REFRESH_INTERVAL is set in whole seconds in SQL (ALTER DATABASE ... INTEGRATION SET REFRESH_INTERVAL 900)");
                    ctx.push(d);
                    None
                }
                (Some(v), Some(src)) => {
                    let (lo, hi) = src.refresh_interval_range();
                    if v < lo || v > hi {
                        ctx.error(
                            &n.origin,
                            format!(
                                "refresh_interval must be between {} and {} seconds for {}; found {}",
                                fmt_num(lo),
                                fmt_num(hi),
                                src.name(),
                                fmt_num(v)
                            ),
                        );
                        None
                    } else {
                        Some(v)
                    }
                }
                (v, _) => v,
            }
        }
        (None, Some(src)) => Some(src.default_refresh_interval()),
        (None, None) => None,
    };
    let sync_node = t.get("sync_duration");
    let sync_duration = match sync_node {
        Some(n) => ctx.job_duration("sync_duration", n),
        None => Some(DEFAULT_SYNC_DURATION),
    };
    let sync_rpu_node = t.get("sync_rpu");
    let sync_rpu = sync_rpu_node.and_then(|n| ctx.demand("sync_rpu", n));
    let change = change_rate(ctx, t);
    let (source, refresh_interval, sync_duration, change) =
        (source?, interval?, sync_duration?, change?);
    let z = ZeroEtl {
        source,
        refresh_interval,
        sync_duration,
        sync_rpu,
        change,
    };
    let refresh = z.refresh_seconds();
    if refresh > ctx.max_job_seconds() {
        let at = t.get("change_mb_per_hour").unwrap_or(node);
        let d = ctx
            .diag(
                &at.origin,
                format!(
                    "zero_etl: each refresh would take {}, longer than the period plus a day",
                    format_duration(refresh)
                ),
            )
            .help("check change_mb_per_hour and apply_mb_per_second (a refresh applies the changes of one REFRESH_INTERVAL)");
        ctx.push(d);
        return None;
    }
    if refresh_interval > 0.0 && refresh >= refresh_interval {
        let at = sync_node.or(interval_node).unwrap_or(node);
        let what = if change.is_some() {
            "each refresh (sync_duration plus applying the interval's changes)"
        } else {
            "sync_duration"
        };
        ctx.warn(
            &at.origin,
            format!(
                "zero_etl: {what} ({}) is not shorter than refresh_interval ({}); syncs run back to back",
                format_duration(refresh),
                format_duration(refresh_interval)
            ),
        );
    }
    if let (Some(r), Some(max), Some(n)) = (sync_rpu, max_rpu, sync_rpu_node) {
        if r > max {
            ctx.warn(
                &n.origin,
                format!(
                    "zero_etl: sync_rpu {} is above max_rpu {}",
                    fmt_num(r),
                    fmt_num(max)
                ),
            );
        }
    }
    Some(z)
}

/// `change_mb_per_hour` and `apply_mb_per_second`: both or neither. `Some(None)` when
/// neither is given.
fn change_rate(ctx: &mut Ctx<'_>, t: &Table) -> Option<Option<ChangeRate>> {
    let change = t.entry("change_mb_per_hour");
    let apply = t.entry("apply_mb_per_second");
    match (change, apply) {
        (None, None) => Some(None),
        (Some(c), Some(a)) => {
            let c = ctx.non_negative("change_mb_per_hour", &c.node);
            let a = ctx.positive("apply_mb_per_second", &a.node);
            Some(Some(ChangeRate {
                mb_per_hour: c?,
                apply_mb_per_second: a?,
            }))
        }
        (Some(one), None) | (None, Some(one)) => {
            let missing = if one.key == "change_mb_per_hour" {
                "apply_mb_per_second"
            } else {
                "change_mb_per_hour"
            };
            let d = ctx
                .diag(&one.key_origin, format!("`{}` needs `{missing}`", one.key))
                .help("each refresh lasts sync_duration + change_mb_per_hour × (refresh_interval / 1 h) / apply_mb_per_second; give both");
            ctx.push(d);
            None
        }
    }
}

fn observed(ctx: &mut Ctx<'_>, node: &Node) -> Option<Observed> {
    let t = ctx.table("observed", node)?;
    ctx.check_keys(t, OBSERVED_KEYS, "[observed]");
    let workgroup = ctx
        .required(
            t,
            &node.origin,
            "workgroup",
            "[observed]",
            "workgroup = \"analytics\"",
        )
        .and_then(|n| ctx.nonempty_string("workgroup", n))
        .map(|s| s.trim().to_string());
    // Outer `None`: present but invalid (already reported); `Some(None)`: absent.
    let mut optional = |key: &str| match t.get(key) {
        None => Some(None),
        Some(n) => ctx
            .nonempty_string(key, n)
            .map(|s| Some(s.trim().to_string())),
    };
    let namespace = optional("namespace");
    let integration_id = optional("integration_id");
    let cost_tag = match t.get("cost_tag") {
        None => Some(None),
        Some(n) => ctx
            .nonempty_string("cost_tag", n)
            .map(str::to_string)
            .and_then(|s| match s.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                    Some(Some((k.trim().to_string(), v.trim().to_string())))
                }
                _ => {
                    ctx.type_error("cost_tag", n, "a `KEY=VALUE` string (e.g. \"team=bi\")");
                    None
                }
            }),
    };
    let bill = match t.get("bill") {
        None => Some(false),
        Some(n) => {
            if let Value::Bool(b) = &n.value {
                Some(*b)
            } else {
                ctx.type_error("bill", n, "true or false");
                None
            }
        }
    };
    let days = match t.get("days") {
        None => Some(DEFAULT_OBSERVED_DAYS),
        Some(n) => observed_days(ctx, n),
    };
    let end = match t.get("end") {
        None => Some(None),
        Some(n) => observed_end(ctx, n),
    };
    Some(Observed {
        workgroup: workgroup?,
        namespace: namespace?,
        days: days?,
        end: end?,
        integration_id: integration_id?,
        bill: bill?,
        cost_tag: cost_tag?,
    })
}

fn observed_days(ctx: &mut Ctx<'_>, node: &Node) -> Option<u32> {
    let v = match &node.value {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => {
            ctx.type_error("days", node, "a whole number of days");
            return None;
        }
    };
    if v.fract() != 0.0 || v < 1.0 || v > f64::from(MAX_OBSERVED_DAYS) {
        let d = ctx
            .diag(
                &node.origin,
                format!(
                    "days must be a whole number from 1 to {MAX_OBSERVED_DAYS}; found {}",
                    fmt_num(v)
                ),
            )
            .note(format!(
                "CloudWatch keeps hourly datapoints for {MAX_OBSERVED_DAYS} days"
            ));
        ctx.push(d);
        return None;
    }
    Some(v as u32)
}

fn observed_end(ctx: &mut Ctx<'_>, node: &Node) -> Option<Option<NaiveDate>> {
    let bad = |ctx: &mut Ctx<'_>, what: String| {
        ctx.error(
            &node.origin,
            format!("end must be a date like 2026-11-01; found {what}"),
        );
        None
    };
    match &node.value {
        Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .map(Some)
                    .or_else(|| bad(ctx, format!("{dt}")))
            }
            _ => bad(
                ctx,
                format!("{dt} (a date with no time of day is expected)"),
            ),
        },
        Value::Str(s) => match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => Some(Some(d)),
            Err(_) => bad(ctx, format!("\"{}\"", show(s))),
        },
        other => bad(ctx, found(other)),
    }
}

#[cfg(test)]
mod key_table {
    use super::super::keys::names;
    use super::services::{
        DATA_API_KEYS, DATA_SHARING_KEYS, LAMBDA_KEYS, ML_KEYS, PROVISIONED_KEYS, SAGEMAKER_KEYS,
        SNAPSHOTS_KEYS, SPECTRUM_KEYS,
    };
    use super::*;

    fn sorted(v: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = v.iter().map(|s| (*s).to_string()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// The schema and the reference come from the key table; the decoder checks files
    /// against its own lists: they must be the same keys.
    #[test]
    fn the_key_table_has_exactly_the_decoders_keys() {
        let pipeline: Vec<&str> = LAMBDA_KEYS
            .iter()
            .chain(SAGEMAKER_KEYS)
            .chain(DATA_API_KEYS)
            .copied()
            .collect();
        for (section, decoder) in [
            ("", TOP_KEYS),
            ("period", PERIOD_KEYS),
            ("serverless", SERVERLESS_KEYS),
            ("serverless.usage_limit", USAGE_LIMIT_KEYS),
            ("workload", WORKLOAD_KEYS),
            ("zero_etl", ZERO_ETL_KEYS),
            ("storage", STORAGE_KEYS),
            ("prices", PRICES_KEYS),
            ("observed", OBSERVED_KEYS),
            ("growth", GROWTH_KEYS),
            ("provisioned", PROVISIONED_KEYS),
            ("spectrum", SPECTRUM_KEYS),
            ("data_sharing", DATA_SHARING_KEYS),
            ("snapshots", SNAPSHOTS_KEYS),
            ("ml", ML_KEYS),
            ("pipeline", &pipeline),
        ] {
            assert_eq!(
                sorted(&names(section)),
                sorted(decoder),
                "section `{section}`"
            );
        }
    }
}
