//! `sweep`: one scenario evaluated over a grid of parameter values (the cartesian product
//! of every `--param`), e.g. the monthly cost against REFRESH_INTERVAL.
//!
//! Parsing the parameter specs, building the grid, summarising each evaluated point and
//! picking the cheapest point within a staleness limit. Evaluating a point (the scenario
//! with the point's overrides, estimated) is the pipeline's; the sweep document and its
//! renderings are `report::sweep`.

use crate::durations::parse_duration;
use crate::model::figures::ScenarioEstimate;
use crate::model::workload::ZERO_ETL_CLASS;
use crate::units::Money;

/// The parameter whose points also get a data-staleness figure.
pub const REFRESH_INTERVAL: &str = "zero_etl.refresh_interval";

/// Most points one sweep may have (a typo like `1..1e9+1` must not hang the machine).
pub const MAX_POINTS: usize = 10_000;

/// One `--param key.path=...`: the values to try, as `--set` value texts.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub path: String,
    pub values: Vec<String>,
}

/// Parses `key.path=v1,v2,...`, `key.path=start..end*factor` (geometric) or
/// `key.path=start..end+step` (arithmetic; both inclusive of `end` when it is hit).
pub fn parse_param(s: &str) -> Result<Param, String> {
    let (path, spec) = s.split_once('=').ok_or_else(|| {
        format!("expected KEY.PATH=VALUES (e.g. {REFRESH_INTERVAL}=0,60,300), found `{s}`")
    })?;
    let path = path.trim();
    if path.is_empty() {
        return Err(format!("`{s}` has no key path before `=`"));
    }
    let spec = spec.trim();
    let values = if let Some((start, rest)) = spec.split_once("..") {
        range_values(start, rest).map_err(|e| format!("--param {s}: {e}"))?
    } else {
        spec.split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    if values.is_empty() {
        return Err(format!("--param {s}: no values"));
    }
    Ok(Param {
        path: path.to_string(),
        values,
    })
}

/// A swept value as a number: plain, or a duration (`15m`).
pub fn number(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let v = match s.parse::<f64>() {
        Ok(v) => v,
        Err(_) => parse_duration(s).map_err(|_| format!("`{s}` is not a number or a duration"))?,
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("`{s}` is not finite"))
    }
}

fn range_values(start: &str, rest: &str) -> Result<Vec<String>, String> {
    let (end, step, geometric) = if let Some((e, f)) = rest.split_once('*') {
        (e, f, true)
    } else if let Some((e, st)) = rest.split_once('+') {
        (e, st, false)
    } else {
        return Err("a range needs a step: start..end*factor or start..end+step".into());
    };
    let (start, end, step) = (number(start)?, number(end)?, number(step)?);
    if end < start {
        return Err(format!("the range ends ({end}) before it starts ({start})"));
    }
    if geometric && !(start > 0.0 && step > 1.0) {
        return Err("a geometric range needs start > 0 and factor > 1".into());
    }
    if !geometric && step <= 0.0 {
        return Err("an arithmetic range needs step > 0".into());
    }
    let mut out = Vec::new();
    let tolerance = 1e-9 * end.abs().max(1.0);
    let mut k = 0i32;
    loop {
        let v = if geometric {
            start * step.powi(k)
        } else {
            start + step * f64::from(k)
        };
        if v > end + tolerance {
            break;
        }
        if out.len() >= MAX_POINTS {
            return Err(format!("more than {MAX_POINTS} values"));
        }
        out.push(format_number(v));
        k += 1;
    }
    Ok(out)
}

/// Shortest text that reads back as `v` (integers without a decimal point).
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Every combination of the parameters' values (first parameter varies slowest).
pub fn grid(params: &[Param]) -> Result<Vec<Vec<(String, String)>>, String> {
    let size = params
        .iter()
        .try_fold(1usize, |acc, p| acc.checked_mul(p.values.len()))
        .filter(|n| *n <= MAX_POINTS)
        .ok_or_else(|| format!("the sweep has more than {MAX_POINTS} points"))?;
    let mut points = Vec::with_capacity(size);
    points.push(Vec::new());
    for p in params {
        points = points
            .into_iter()
            .flat_map(|prefix: Vec<(String, String)>| {
                p.values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push((p.path.clone(), v.clone()));
                    next
                })
            })
            .collect();
    }
    Ok(points)
}

/// The summary of one evaluated point.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub params: Vec<(String, String)>,
    pub total_monthly_usd: f64,
    pub compute_monthly_usd: f64,
    /// p95 latency of the users' queries (zero-ETL syncs left out).
    pub latency_p95_s: f64,
    /// What the zero-ETL refreshes cost (their compute line); 0 without zero-ETL.
    pub sync_monthly_usd: f64,
    /// Worst-case data staleness: REFRESH_INTERVAL + the longest sync latency (0 for
    /// continuous replication, whose apply lag is not modelled); `None` without zero-ETL.
    pub staleness_s: Option<f64>,
}

/// Summarises an estimate made with `params` set; `refresh_interval` is the scenario's
/// REFRESH_INTERVAL at that point (seconds), when it has zero-ETL.
pub fn summarize(
    params: Vec<(String, String)>,
    e: &ScenarioEstimate,
    refresh_interval: Option<f64>,
) -> Point {
    let compute: Money = e
        .lines
        .iter()
        .filter(|l| l.unit == crate::model::costs::RPU_HOUR)
        .map(|l| l.cost)
        .sum();
    let sync_latency = e.serverless.as_ref().and_then(|s| {
        let i = s.classes.iter().position(|c| c == ZERO_ETL_CLASS)?;
        s.sim.by_class.get(i).map(|c| c.latency_max_s)
    });
    let sync: Money = e
        .lines
        .iter()
        .filter(|l| l.kind == crate::model::costs::ComponentKind::ZeroEtlSync)
        .map(|l| l.cost)
        .sum();
    Point {
        params,
        total_monthly_usd: e.total().usd(),
        compute_monthly_usd: compute.usd(),
        sync_monthly_usd: sync.usd(),
        latency_p95_s: e.serverless.as_ref().map_or(0.0, |s| s.sim.latency_p95_s),
        staleness_s: refresh_interval.map(|r| r + sync_latency.unwrap_or(0.0)),
    }
}

/// The cheapest point whose staleness is known and within `max_staleness` (ties: the
/// first in grid order).
pub fn pick(points: &[Point], max_staleness: f64) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.staleness_s.is_some_and(|s| s <= max_staleness))
        .min_by(|a, b| {
            a.1.total_monthly_usd
                .total_cmp(&b.1.total_monthly_usd)
                .then(a.0.cmp(&b.0))
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_and_ranges() {
        let p = parse_param("zero_etl.refresh_interval=0,60, 300,15m").unwrap();
        assert_eq!(p.path, REFRESH_INTERVAL);
        assert_eq!(p.values, ["0", "60", "300", "15m"]);
        assert_eq!(
            parse_param("x=60..3600*2").unwrap().values,
            ["60", "120", "240", "480", "960", "1920"]
        );
        assert_eq!(
            parse_param("x=8..32+8").unwrap().values,
            ["8", "16", "24", "32"]
        );
        assert_eq!(
            parse_param("x=1m..5m+2m").unwrap().values,
            ["60", "180", "300"]
        );
        assert_eq!(
            parse_param("x=0.5..1+0.25").unwrap().values,
            ["0.5", "0.75", "1"]
        );
        for bad in [
            "novalue",
            "=1,2",
            "x=",
            "x=5..1+1",
            "x=0..10*2",
            "x=1..10*1",
            "x=1..10",
            "x=1..1e9+1",
            "x=a..b+1",
        ] {
            assert!(parse_param(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn grid_is_the_cartesian_product() {
        let a = parse_param("a=1,2").unwrap();
        let b = parse_param("b=x,y,z").unwrap();
        let g = grid(&[a, b]).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(
            g[0],
            vec![
                ("a".to_string(), "1".to_string()),
                ("b".to_string(), "x".to_string())
            ]
        );
        assert_eq!(g[5][0].1, "2");
        assert_eq!(g[5][1].1, "z");
        let big = parse_param("c=1..200+1").unwrap();
        assert!(grid(&[big.clone(), big]).is_err());
    }

    fn point(total: f64, staleness: Option<f64>) -> Point {
        Point {
            params: vec![("x".into(), total.to_string())],
            total_monthly_usd: total,
            compute_monthly_usd: total,
            sync_monthly_usd: 0.0,
            latency_p95_s: 0.0,
            staleness_s: staleness,
        }
    }

    #[test]
    fn pick_is_the_cheapest_within_the_limit() {
        let pts = vec![
            point(900.0, Some(60.0)),
            point(700.0, Some(960.0)),
            point(600.0, Some(3660.0)),
            point(100.0, None),
        ];
        assert_eq!(pick(&pts, 900.0), Some(0));
        assert_eq!(pick(&pts, 1000.0), Some(1));
        assert_eq!(pick(&pts, 1e9), Some(2));
        assert_eq!(pick(&pts, 10.0), None);
    }
}
