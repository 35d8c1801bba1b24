//! `redshift-cost history queries|usage|refreshes`: the warehouse's own system views
//! through the Redshift Data API — a trace of its queries, the exact billed RPU-seconds
//! (and which metering rule they follow), and its zero-ETL refreshes.

use crate::error::{Error, Exit};
use crate::output::{write_output, Messages};
use crate::pipeline::{self, LoadedScenario};
use crate::sources::aws::AwsError;
use crate::sources::history::{read, DataApiTarget, Table, QUERIES_SQL, REFRESHES_SQL, USAGE_SQL};
use crate::sources::AsyncRuntime;
use chrono::{Duration, NaiveDate, Utc};
use redshift_cost_core::calibrate::fit_metering;
use redshift_cost_core::engine::Metering;
use redshift_cost_core::model::timeline::modelled_overhead;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Which history to read, with what only that one takes.
#[derive(Debug, Clone)]
pub(crate) enum HistoryKind {
    Queries(ClassBy),
    /// With a scenario: which metering rule the usage follows.
    Usage(Option<super::ScenarioConfig>),
    Refreshes,
}

/// How `history queries` names a query's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClassBy {
    QueryType,
    User,
    Label,
}

#[derive(Debug, Clone)]
pub(crate) struct HistoryConfig {
    pub(crate) kind: HistoryKind,
    pub(crate) target: DataApiTarget,
    pub(crate) days: u32,
    pub(crate) end: Option<NaiveDate>,
    pub(crate) json: bool,
    pub(crate) out: Option<PathBuf>,
}

/// Runs `history`.
pub(crate) fn run(
    c: &HistoryConfig,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    let end = c.end.unwrap_or_else(|| Utc::now().date_naive());
    let start = end - Duration::days(i64::from(c.days));
    let window = (start, end);
    let (sql, what) = match c.kind {
        HistoryKind::Queries(_) => (QUERIES_SQL, "SYS_QUERY_HISTORY"),
        HistoryKind::Usage(_) => (USAGE_SQL, "SYS_SERVERLESS_USAGE"),
        HistoryKind::Refreshes => (REFRESHES_SQL, "SYS_INTEGRATION_ACTIVITY"),
    };
    let table = read(runtime, &c.target, sql, window).map_err(super::aws_failure)?;
    if table.rows.is_empty() {
        return Err(Error::Input(format!(
            "{what} has no rows for workgroup `{}` from {start} to {end} (the system views keep about 7 days; is the window inside them?)",
            c.target.workgroup
        )));
    }
    let bytes = match &c.kind {
        HistoryKind::Queries(class_by) => queries(c, *class_by, &table, start, messages)?,
        HistoryKind::Usage(scenario) => usage(c, scenario.as_ref(), &table, messages)?,
        HistoryKind::Refreshes => refreshes(c, &table)?,
    };
    write_output(c.out.as_deref(), &bytes)?;
    Ok(Exit::Ok)
}

fn bad(e: AwsError) -> Error {
    Error::Failure(anyhow::Error::new(e))
}

/// SYS_QUERY_HISTORY → a trace (`arrival_s,duration_s,class`, arrivals from 00:00 UTC of
/// the window's first day), result-cache hits skipped and counted.
fn queries(
    c: &HistoryConfig,
    class_by: ClassBy,
    t: &Table,
    start: NaiveDate,
    messages: &mut Messages,
) -> Result<Vec<u8>, Error> {
    let (st, el) = (
        t.column("start_time").map_err(bad)?,
        t.column("elapsed_time").map_err(bad)?,
    );
    let hit = t.column("result_cache_hit").ok();
    let class_col = match class_by {
        ClassBy::QueryType => t.column("query_type"),
        ClassBy::User => t.column("user_id"),
        ClassBy::Label => t.column("query_label"),
    }
    .map_err(bad)?;
    let origin = start.and_hms_opt(0, 0, 0).unwrap_or_default();
    let mut out = String::from("arrival_s,duration_s,class\n");
    let (mut kept, mut hits, mut unreadable) = (0usize, 0usize, 0usize);
    for row in &t.rows {
        if hit.and_then(|i| row[i].as_bool()) == Some(true) {
            hits += 1;
            continue;
        }
        let (Some(at), Some(us)) = (row[st].as_time(), row[el].as_f64()) else {
            unreadable += 1;
            continue;
        };
        let arrival = (at - origin).num_microseconds().unwrap_or(0) as f64 / 1e6;
        let class = match class_by {
            ClassBy::User => format!("user {}", row[class_col].as_f64().map_or(0, |u| u as i64)),
            _ => row[class_col]
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or("default")
                .to_ascii_lowercase(),
        };
        let class = class.replace([',', '"', '\n'], " ");
        let _ = writeln!(out, "{arrival},{},{class}", (us / 1e6).max(0.0));
        kept += 1;
    }
    messages.note(redshift_cost_core::messages::RunNote::History {
        workgroup: c.target.workgroup.clone(),
        remark: format!(
            "{kept} queries written ({hits} result-cache hits skipped{}); arrivals are seconds from {start} 00:00 UTC: use `period = {{ start = \"{start}\", ... }}` with `trace =` in a scenario",
            if unreadable > 0 { format!(", {unreadable} unreadable rows skipped") } else { String::new() }
        ),
    });
    Ok(out.into_bytes())
}

/// The usage read from SYS_SERVERLESS_USAGE: billed and ran RPU-seconds, by day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
struct UsageJson {
    schema_version: u32,
    source: &'static str,
    workgroup: String,
    /// Σ charged_seconds: the exact billed RPU-seconds.
    charged_rpu_seconds: f64,
    /// Σ compute_seconds: what ran, without the minimum charges.
    compute_rpu_seconds: f64,
    /// charged ÷ compute.
    minimum_charge_overhead: Option<f64>,
    days: Vec<UsageDay>,
    metering: Option<MeteringJson>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
struct UsageDay {
    date: String,
    charged_rpu_hours: f64,
    compute_rpu_hours: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
struct MeteringJson {
    scenario: String,
    observed_overhead: f64,
    busy_period_overhead: f64,
    per_minute_overhead: f64,
    /// `busy-period`, `per-minute`, or `null` when the two cannot be told apart.
    fits: Option<&'static str>,
    statement: String,
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn usage(
    c: &HistoryConfig,
    scenario: Option<&super::ScenarioConfig>,
    t: &Table,
    messages: &mut Messages,
) -> Result<Vec<u8>, Error> {
    let st = t.column("start_time").map_err(bad)?;
    let (cs, ch) = (
        t.column("compute_seconds").map_err(bad)?,
        t.column("charged_seconds").map_err(bad)?,
    );
    let mut by_day: BTreeMap<NaiveDate, (f64, f64)> = BTreeMap::new();
    let (mut charged, mut compute) = (0.0, 0.0);
    for row in &t.rows {
        let Some(at) = row[st].as_time() else {
            continue;
        };
        let (c_s, ch_s) = (
            row[cs].as_f64().unwrap_or(0.0),
            row[ch].as_f64().unwrap_or(0.0),
        );
        compute += c_s;
        charged += ch_s;
        let d = by_day.entry(at.date()).or_default();
        d.0 += ch_s;
        d.1 += c_s;
    }
    let observed = (compute > 0.0).then(|| charged / compute);
    let metering = match (scenario, observed) {
        (Some(sc), Some(obs)) => Some(metering_fit(sc, obs, messages)?),
        (Some(_), None) => {
            return Err(Error::Input(
                "SYS_SERVERLESS_USAGE shows no compute in the window: nothing to fit a metering rule to".into(),
            ))
        }
        _ => None,
    };
    let doc = UsageJson {
        schema_version: 1,
        source: "SYS_SERVERLESS_USAGE through the Redshift Data API",
        workgroup: c.target.workgroup.clone(),
        charged_rpu_seconds: round6(charged),
        compute_rpu_seconds: round6(compute),
        minimum_charge_overhead: observed.map(round6),
        days: by_day
            .iter()
            .map(|(d, (ch, cs))| UsageDay {
                date: d.to_string(),
                charged_rpu_hours: round6(ch / 3600.0),
                compute_rpu_hours: round6(cs / 3600.0),
            })
            .collect(),
        metering,
    };
    if c.json {
        let mut v = serde_json::to_vec_pretty(&doc).unwrap_or_default();
        v.push(b'\n');
        return Ok(v);
    }
    let mut tbl = crate::report::table::new_table(&["Day", "Billed RPU-h", "Ran RPU-h"]);
    for d in &doc.days {
        tbl.add_row(vec![
            d.date.clone(),
            crate::report::format::quantity(d.charged_rpu_hours),
            crate::report::format::quantity(d.compute_rpu_hours),
        ]);
    }
    crate::report::table::right_align(&mut tbl, 1..3);
    let mut out = format!("{tbl}\n");
    let _ = writeln!(
        out,
        "Workgroup {}: {} RPU-hours billed, {} ran; minimum-charge overhead {}.",
        doc.workgroup,
        crate::report::format::quantity(charged / 3600.0),
        crate::report::format::quantity(compute / 3600.0),
        observed.map_or_else(|| "—".into(), |o| format!("{:+.2} %", (o - 1.0) * 100.0))
    );
    if let Some(m) = &doc.metering {
        let _ = writeln!(out, "{}", m.statement);
    }
    Ok(out.into_bytes())
}

/// Simulates the scenario under each metering rule and says which one the observed
/// overhead follows.
fn metering_fit(
    sc: &super::ScenarioConfig,
    observed: f64,
    messages: &mut Messages,
) -> Result<MeteringJson, Error> {
    let (_, loaded) = pipeline::load(sc, messages)?;
    let Some(first) = loaded.first() else {
        return Err(Error::Input(
            "history usage --scenario needs one scenario".into(),
        ));
    };
    let scenario = LoadedScenario::scenario(first);
    let overhead = |rule: Metering| -> Result<f64, Error> {
        modelled_overhead(scenario, rule)
            .map_err(|e| Error::Input(format!("scenario `{}`: {e}", scenario.name)))?
            .ok_or_else(|| {
                Error::Input(format!(
                    "scenario `{}` has no [serverless] work to compare metering rules with",
                    scenario.name
                ))
            })
    };
    let fit = fit_metering(
        observed,
        overhead(Metering::BusyPeriod)?,
        overhead(Metering::PerMinute)?,
    );
    let pct = |x: f64| format!("{:+.2} %", (x - 1.0) * 100.0);
    let statement = match fit.pick {
        Some(rule) => format!(
            "The observed overhead {} fits `{}` (modelled {}) better than `{}` (modelled {}): set `metering = \"{}\"` in [serverless] of `{}`.",
            pct(observed),
            rule.name(),
            pct(if rule == Metering::BusyPeriod { fit.busy_period } else { fit.per_minute }),
            if rule == Metering::BusyPeriod { "per-minute" } else { "busy-period" },
            pct(if rule == Metering::BusyPeriod { fit.per_minute } else { fit.busy_period }),
            rule.name(),
            scenario.name
        ),
        None => format!(
            "The data cannot tell the rules apart: `busy-period` and `per-minute` model overheads of {} and {} for `{}`, closer than the {} % this comparison resolves.",
            pct(fit.busy_period),
            pct(fit.per_minute),
            scenario.name,
            redshift_cost_core::calibrate::METERING_RESOLUTION * 100.0
        ),
    };
    Ok(MeteringJson {
        scenario: scenario.name.clone(),
        observed_overhead: round6(observed),
        busy_period_overhead: round6(fit.busy_period),
        per_minute_overhead: round6(fit.per_minute),
        fits: fit.pick.map(Metering::name),
        statement,
    })
}

/// SYS_INTEGRATION_ACTIVITY → per integration: refreshes, cadence, duration, and a
/// `[zero_etl]` suggestion.
fn refreshes(c: &HistoryConfig, t: &Table) -> Result<Vec<u8>, Error> {
    let id = t.column("integration_id").map_err(bad)?;
    let (s, e) = (
        t.column("integration_start_time").map_err(bad)?,
        t.column("integration_end_time").map_err(bad)?,
    );
    let bytes_col = t.column("checkpoint_bytes").ok();
    let mut by_id: BTreeMap<String, Vec<(f64, f64, f64)>> = BTreeMap::new();
    for row in &t.rows {
        let (Some(a), Some(b)) = (row[s].as_time(), row[e].as_time()) else {
            continue;
        };
        let at = a.and_utc().timestamp_millis() as f64 / 1e3;
        let dur = (b - a).num_milliseconds() as f64 / 1e3;
        let mb = bytes_col.and_then(|i| row[i].as_f64()).unwrap_or(0.0) / 1e6;
        by_id
            .entry(row[id].as_str().unwrap_or("?").to_string())
            .or_default()
            .push((at, dur.max(0.0), mb));
    }
    let median = |mut v: Vec<f64>| -> f64 {
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            0.0
        } else {
            v[v.len() / 2]
        }
    };
    let mut docs = Vec::new();
    let mut text = String::new();
    for (name, runs) in &by_id {
        let gaps: Vec<f64> = runs.windows(2).map(|w| w[1].0 - w[0].0).collect();
        let durs: Vec<f64> = runs.iter().map(|r| r.1).collect();
        let cadence = median(gaps);
        let p50 = median(durs.clone());
        let mut sorted = durs.clone();
        sorted.sort_by(f64::total_cmp);
        let p95 = sorted[((sorted.len() as f64 * 0.95).ceil() as usize).clamp(1, sorted.len()) - 1];
        // duration ≈ fixed + MB / rate: least squares over the refreshes.
        let n = runs.len() as f64;
        let (sx, sy) = (
            runs.iter().map(|r| r.2).sum::<f64>(),
            runs.iter().map(|r| r.1).sum::<f64>(),
        );
        let sxx = runs.iter().map(|r| r.2 * r.2).sum::<f64>();
        let sxy = runs.iter().map(|r| r.2 * r.1).sum::<f64>();
        let denom = n * sxx - sx * sx;
        let (fixed, rate) = if denom.abs() > 1e-12 {
            let slope = (n * sxy - sx * sy) / denom;
            let intercept = (sy - slope * sx) / n;
            (intercept.max(0.0), (slope > 0.0).then(|| 1.0 / slope))
        } else {
            (p50, None)
        };
        let snippet = format!(
            "[zero_etl]\nrefresh_interval = {}\nsync_duration = \"{}s\"{}",
            cadence.round(),
            fixed.round(),
            rate.map_or_else(String::new, |r| format!("\napply_mb_per_second = {r:.1}"))
        );
        let _ = writeln!(
            text,
            "Integration {name}: {} refreshes, every {:.0} s (median), taking {:.0} s (p50) to {:.0} s (p95).\nSuggested for the scenario:\n{snippet}\n",
            runs.len(),
            cadence,
            p50,
            p95
        );
        docs.push(serde_json::json!({
            "integration_id": name,
            "refreshes": runs.len(),
            "cadence_s": round6(cadence),
            "duration_p50_s": round6(p50),
            "duration_p95_s": round6(p95),
            "sync_duration_s": round6(fixed),
            "apply_mb_per_second": rate.map(round6),
            "suggested_toml": snippet,
        }));
    }
    if c.json {
        let doc = serde_json::json!({
            "schema_version": 1,
            "source": "SYS_INTEGRATION_ACTIVITY through the Redshift Data API",
            "workgroup": c.target.workgroup,
            "integrations": docs,
        });
        let mut v = serde_json::to_vec_pretty(&doc).unwrap_or_default();
        v.push(b'\n');
        return Ok(v);
    }
    Ok(text.into_bytes())
}
