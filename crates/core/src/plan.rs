//! `plan`: the cheapest Serverless settings (base RPU, max RPU, REFRESH_INTERVAL and a
//! reservation) that meet the users' latency, freshness and cost targets.
//!
//! The search is exact over its space and prunes with what the model guarantees
//! (docs/plan.md):
//! - more capacity never slows a job under processor sharing, so for a base and an
//!   interval, latency and staleness never rise with max RPU: maxes are tried from the
//!   top down and the first that misses a latency or staleness target ends the descent;
//! - every max at or above a run's peak capacity gives that run's figures (the engine's
//!   memo), so maxes stop at the peak;
//! - staleness is at least REFRESH_INTERVAL plus a refresh's solo duration, so an
//!   interval that misses it is never simulated;
//! - a run's busy time never falls below the uncapped run's, and every busy second bills
//!   at least the base capacity, so a base whose floor `(1 − d) × B × busy × price`
//!   (plus the fixed lines) exceeds the best cost found cannot win and is skipped.
//!
//! Candidates are evaluated in rounds of a fixed size, the best cost updated only between
//! rounds, so the result does not depend on the number of threads. Evaluating a
//! candidate (the scenario with its settings, estimated) is the caller's.

use crate::durations::parse_duration;
use crate::scenario::{Scenario, ZeroEtlSource};
use crate::units::{Rpu, Seconds};
use std::collections::BTreeMap;

/// A statistic of the users' query latency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stat {
    P50,
    P95,
    Max,
}

impl Stat {
    pub fn name(self) -> &'static str {
        match self {
            Stat::P50 => "p50",
            Stat::P95 => "p95",
            Stat::Max => "max",
        }
    }
}

/// What a target bounds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TargetKey {
    /// A workload's queries (`analysts.p95`).
    Workload { name: String, stat: Stat },
    /// All the users' queries (`p95`).
    Queries(Stat),
    /// Zero-ETL data staleness: REFRESH_INTERVAL + the longest refresh.
    Staleness,
    /// USD for the period.
    Cost,
    /// Queries turned away by a usage limit.
    Rejected,
}

impl TargetKey {
    /// The key as written: `analysts.p95`, `p95`, `staleness`, `cost`, `rejected`.
    pub fn text(&self) -> String {
        match self {
            TargetKey::Workload { name, stat } => format!("{name}.{}", stat.name()),
            TargetKey::Queries(stat) => stat.name().to_string(),
            TargetKey::Staleness => "staleness".into(),
            TargetKey::Cost => "cost".into(),
            TargetKey::Rejected => "rejected".into(),
        }
    }

    /// Whether the value is seconds (latency, staleness).
    pub fn is_seconds(&self) -> bool {
        matches!(
            self,
            TargetKey::Workload { .. } | TargetKey::Queries(_) | TargetKey::Staleness
        )
    }

    /// Never rises with more capacity (for one base and interval): latency, staleness.
    fn falls_with_capacity(&self) -> bool {
        self.is_seconds()
    }
}

/// `KEY<=VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub key: TargetKey,
    /// Seconds for latency and staleness, USD for cost, a count for rejected.
    pub limit: f64,
}

/// Parses `KEY<=VALUE`: `analysts.p95<=60s`, `p95<=2m`, `staleness<=15m`, `cost<=2000`,
/// `rejected<=0`. Workload names are checked against the scenario by the caller.
pub fn parse_target(text: &str) -> Result<Target, String> {
    let (key, value) = text.split_once("<=").ok_or_else(|| {
        format!("expected KEY<=VALUE (e.g. \"analysts.p95<=60s\" or \"staleness<=15m\"), found `{text}`")
    })?;
    let key = key.trim();
    let value = value.trim();
    let stat = |s: &str| match s {
        "p50" => Some(Stat::P50),
        "p95" => Some(Stat::P95),
        "max" => Some(Stat::Max),
        _ => None,
    };
    let key = match key {
        "staleness" => TargetKey::Staleness,
        "cost" => TargetKey::Cost,
        "rejected" => TargetKey::Rejected,
        k => match stat(k) {
            Some(s) => TargetKey::Queries(s),
            None => match k.rsplit_once('.') {
                Some((name, s)) if !name.trim().is_empty() && stat(s.trim()).is_some() => {
                    TargetKey::Workload {
                        name: name.trim().to_string(),
                        stat: stat(s.trim()).unwrap_or(Stat::P95),
                    }
                }
                _ => {
                    return Err(format!(
                        "unknown target `{k}`: expected <workload>.p95 (or .p50, .max), p95, p50, max, staleness, cost or rejected"
                    ))
                }
            },
        },
    };
    let limit = if key.is_seconds() {
        parse_duration(value).map_err(|e| format!("target `{text}`: {e}"))?
    } else {
        let v = value
            .trim_end_matches("USD")
            .trim()
            .replace(',', "")
            .parse::<f64>()
            .map_err(|_| format!("target `{text}`: `{value}` is not a number"))?;
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("target `{text}`: the limit must be a number >= 0"));
        }
        v
    };
    Ok(Target { key, limit })
}

/// One configuration the plan may pick.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Candidate {
    pub base: Rpu,
    pub max: Rpu,
    /// REFRESH_INTERVAL, with zero-ETL.
    pub interval: Option<Seconds>,
}

impl Candidate {
    fn key(&self) -> (u64, u64, u64) {
        (
            self.base.to_bits(),
            self.max.to_bits(),
            self.interval.map_or(u64::MAX, f64::to_bits),
        )
    }
}

/// The scenario with `c`'s settings (and no reservation of its own: the plan prices the
/// best one).
pub fn apply(scenario: &Scenario, c: &Candidate) -> Scenario {
    let mut s = scenario.clone();
    if let Some(sv) = s.serverless.as_mut() {
        sv.base_rpu = c.base;
        sv.max_rpu = c.max;
    }
    s.serverless_reservation = None;
    if let (Some(z), Some(r)) = (s.zero_etl.as_mut(), c.interval) {
        z.refresh_interval = r;
    }
    s
}

/// The largest max RPU Serverless allows.
pub const MAX_RPU: Rpu = 5632.0;

/// The search space.
#[derive(Debug, Clone, PartialEq)]
pub struct Space {
    pub bases: Vec<Rpu>,
    /// `None`: from each base up to the run's peak, in steps of 8.
    pub maxes: Option<Vec<Rpu>>,
    /// REFRESH_INTERVAL values; empty without zero-ETL.
    pub intervals: Vec<Seconds>,
}

/// Every allowed base RPU: 4, 8 to 512 in steps of 8, 512 to 1024 in steps of 32.
pub fn allowed_bases() -> Vec<Rpu> {
    let mut v = vec![4.0];
    v.extend((1..=64).map(|k| f64::from(k) * 8.0));
    v.extend((1..=16).map(|k| 512.0 + f64::from(k) * 32.0));
    v
}

/// REFRESH_INTERVAL values tried by default: a geometric grid inside the source's range
/// (with 0, continuous replication, where the source allows it).
pub fn default_intervals(source: ZeroEtlSource) -> Vec<Seconds> {
    let (lo, hi) = source.refresh_interval_range();
    let grid = [
        0.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14_400.0, 28_800.0,
        43_200.0, 86_400.0, 172_800.0, 432_000.0,
    ];
    grid.into_iter()
        .filter(|r| (*r == 0.0 && lo == 0.0) || (*r >= lo.max(1.0) && *r <= hi))
        .collect()
}

/// The default space of `scenario`.
pub fn default_space(scenario: &Scenario) -> Space {
    Space {
        bases: allowed_bases(),
        maxes: None,
        intervals: scenario
            .zero_etl
            .as_ref()
            .map(|z| default_intervals(z.source))
            .unwrap_or_default(),
    }
}

/// What one evaluated candidate costs and does.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub candidate: Candidate,
    /// Period cost with the best reservation (none or the suggested commitment).
    pub total_usd: f64,
    /// The reservation that gives it (RPU), `None` for on demand.
    pub reserved_rpu: Option<Rpu>,
    pub on_demand_usd: f64,
    /// The lines other than Serverless compute (storage, ...): the cost floor.
    pub fixed_usd: f64,
    /// The discount of the reservation term priced, and the on-demand RPU-hour price.
    pub discount: f64,
    pub rpu_hour_usd: f64,
    /// Peak capacity of the run.
    pub peak_rpu: Rpu,
    /// Busy seconds of the run.
    pub busy_seconds: Seconds,
    /// Every target's value, in the order of the targets.
    pub values: Vec<f64>,
    /// The simulation was stopped once its bill could no longer win: its figures are
    /// unknown (infinite), its cost above the best found.
    pub stopped: bool,
}

impl Outcome {
    /// A candidate whose run was stopped early.
    pub fn stopped(candidate: Candidate, targets: usize) -> Outcome {
        Outcome {
            candidate,
            total_usd: f64::INFINITY,
            reserved_rpu: None,
            on_demand_usd: f64::INFINITY,
            fixed_usd: 0.0,
            discount: 0.0,
            rpu_hour_usd: 0.0,
            peak_rpu: 0.0,
            busy_seconds: 0.0,
            values: vec![f64::INFINITY; targets],
            stopped: true,
        }
    }
}

impl Outcome {
    pub fn meets(&self, targets: &[Target]) -> bool {
        !self.stopped
            && targets
                .iter()
                .zip(&self.values)
                .all(|(t, v)| *v <= t.limit * (1.0 + 1e-12) + 1e-9)
    }

    /// How far the worst target is missed, relative to its limit (0 when all are met).
    pub fn violation(&self, targets: &[Target]) -> f64 {
        targets
            .iter()
            .zip(&self.values)
            .map(|(t, v)| ((v - t.limit) / t.limit.max(1.0)).max(0.0))
            .fold(0.0, f64::max)
    }

    /// The target missed by most, relative to its limit.
    pub fn binding(&self, targets: &[Target]) -> Option<usize> {
        targets
            .iter()
            .zip(&self.values)
            .enumerate()
            .filter(|(_, (t, v))| **v > t.limit)
            .max_by(|a, b| {
                let r = |(t, v): (&Target, &f64)| (v - t.limit) / t.limit.max(1.0);
                r(a.1).total_cmp(&r(b.1))
            })
            .map(|(i, _)| i)
    }
}

/// Candidates evaluated per round, whatever the number of threads.
pub const ROUND: usize = 8;

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    /// Every candidate simulated, in the order they were.
    pub evaluated: Vec<Outcome>,
    /// Index into `evaluated` of the cheapest that meets every target (ties: the first in
    /// grid order).
    pub pick: Option<usize>,
    /// Candidates in the full grid (maxes counted up to each base's peak).
    pub grid_size: usize,
}

impl SearchResult {
    /// The cheapest candidates meeting `targets`, best first, at most `n`.
    pub fn ranked(&self, targets: &[Target], n: usize) -> Vec<&Outcome> {
        let mut v: Vec<&Outcome> = self.evaluated.iter().filter(|o| o.meets(targets)).collect();
        v.sort_by(|a, b| {
            a.total_usd.total_cmp(&b.total_usd).then(
                a.candidate
                    .partial_cmp(&b.candidate)
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
        });
        v.dedup_by(|a, b| a.candidate == b.candidate);
        v.truncate(n);
        v
    }

    /// The candidates closest to meeting `targets`, at most `n`.
    pub fn closest(&self, targets: &[Target], n: usize) -> Vec<&Outcome> {
        let mut v: Vec<&Outcome> = self.evaluated.iter().collect();
        v.sort_by(|a, b| {
            a.violation(targets)
                .total_cmp(&b.violation(targets))
                .then(a.total_usd.total_cmp(&b.total_usd))
        });
        v.dedup_by(|a, b| a.candidate == b.candidate);
        v.truncate(n);
        v
    }
}

/// Evaluated candidates kept across searches (the price of each target searches again).
#[derive(Default)]
pub struct Cache {
    done: BTreeMap<(u64, u64, u64), Outcome>,
}

impl Cache {
    /// Candidates whose run was stopped early, once they could no longer win.
    pub fn stopped(&self) -> usize {
        self.done.values().filter(|o| o.stopped).count()
    }
}

/// Simulates a batch of candidates, each with the bill (RPU-seconds) above which its run
/// can no longer win and may stop ([`Outcome::stopped`]): the outcomes in the batch's
/// order.
pub type Evaluate<'a, E> = dyn FnMut(&[Candidate], &[Option<f64>]) -> Result<Vec<Outcome>, E> + 'a;

/// Runs the search. `evaluate` simulates a batch (in parallel, in any order) and returns
/// the outcomes in the batch's order.
/// With `prune_by_capacity` false (a scenario whose usage limits turn queries away, where
/// more capacity can change which queries run), every max of a base is evaluated.
pub fn search<E>(
    space: &Space,
    targets: &[Target],
    prune_by_capacity: bool,
    cache: &mut Cache,
    evaluate: &mut Evaluate<'_, E>,
) -> Result<SearchResult, E> {
    let mut evaluated: Vec<Outcome> = Vec::new();
    let run = |batch: &[Candidate],
               bounds: &[Option<f64>],
               cache: &mut Cache|
     -> Result<Vec<Outcome>, E> {
        let (todo, todo_bounds): (Vec<Candidate>, Vec<Option<f64>>) = batch
            .iter()
            .zip(bounds)
            .filter(|(c, _)| !cache.done.contains_key(&c.key()))
            .map(|(c, b)| (*c, *b))
            .unzip();
        if !todo.is_empty() {
            for o in evaluate(&todo, &todo_bounds)? {
                cache.done.insert(o.candidate.key(), o);
            }
        }
        Ok(batch
            .iter()
            .filter_map(|c| cache.done.get(&c.key()).cloned())
            .collect())
    };
    let mut run = run;
    let staleness = targets
        .iter()
        .position(|t| t.key == TargetKey::Staleness)
        .map(|i| targets[i].limit);
    let intervals: Vec<Option<Seconds>> = if space.intervals.is_empty() {
        vec![None]
    } else {
        space.intervals.iter().map(|r| Some(*r)).collect()
    };
    // Pairs (interval, base) in grid order, each first probed uncapped.
    let pairs: Vec<(Option<Seconds>, Rpu)> = intervals
        .iter()
        .flat_map(|r| space.bases.iter().map(move |b| (*r, *b)))
        .collect();
    let uncapped = |r: Option<Seconds>, b: Rpu| Candidate {
        base: b,
        max: space
            .maxes
            .as_ref()
            .and_then(|m| m.iter().copied().filter(|m| *m >= b).reduce(f64::max))
            .unwrap_or(MAX_RPU)
            .max(b),
        interval: r,
    };
    let mut best: Option<f64> = None;
    let mut peaks: BTreeMap<u64, Rpu> = BTreeMap::new();
    // Floors: the fixed lines and the uncapped busy time of each interval, once known.
    let mut floors: BTreeMap<u64, (f64, f64, f64, f64)> = BTreeMap::new();
    let floor_of = |floors: &BTreeMap<u64, (f64, f64, f64, f64)>, r: Option<Seconds>, b: Rpu| {
        floors
            .get(&r.map_or(u64::MAX, f64::to_bits))
            .map(|(fixed, busy, discount, price)| {
                fixed + (1.0 - discount) * b * busy / 3600.0 * price
            })
    };
    let mut i = 0;
    while i < pairs.len() {
        // One round: up to ROUND pairs that may still win.
        let mut round = Vec::new();
        while i < pairs.len() && round.len() < ROUND {
            let (r, b) = pairs[i];
            i += 1;
            // A staleness target below the interval itself cannot be met at this interval.
            if let (Some(limit), Some(r)) = (staleness, r) {
                if r > limit {
                    continue;
                }
            }
            if let (Some(best), Some(floor)) = (best, floor_of(&floors, r, b)) {
                if floor > best * (1.0 + 1e-12) {
                    continue;
                }
            }
            round.push((r, b));
        }
        if round.is_empty() {
            continue;
        }
        let probes: Vec<Candidate> = round.iter().map(|(r, b)| uncapped(*r, *b)).collect();
        // Probes run whole: their peak and busy time bound everything else.
        let probed = run(&probes, &vec![None; probes.len()], cache)?;
        // Each pair's maxes, top down, until one misses a target that never rises with
        // capacity.
        let mut descents: Vec<(Vec<Candidate>, usize)> = Vec::new();
        for ((r, b), o) in round.iter().zip(&probed) {
            floors.entry(r.map_or(u64::MAX, f64::to_bits)).or_insert((
                o.fixed_usd,
                o.busy_seconds,
                o.discount,
                o.rpu_hour_usd,
            ));
            let maxes = maxes_of(space, *b, o.peak_rpu);
            let seen = peaks.entry(r.map_or(u64::MAX, f64::to_bits)).or_insert(0.0);
            *seen = seen.max(o.peak_rpu);
            // The probe is the grid's top: every max at or above the peak is the same run.
            let mut top = o.clone();
            if let Some(m) = maxes.last() {
                if space.maxes.is_none() && *m >= o.peak_rpu {
                    top.candidate.max = *m;
                }
            }
            cache
                .done
                .entry(top.candidate.key())
                .or_insert_with(|| top.clone());
            let falls_missed = targets
                .iter()
                .zip(&o.values)
                .any(|(t, v)| t.key.falls_with_capacity() && *v > t.limit * (1.0 + 1e-12) + 1e-9);
            if falls_missed && prune_by_capacity {
                // Even the most capacity misses it: no max of this base can meet it.
                evaluated.push(top);
                continue;
            }
            let list: Vec<Candidate> = maxes
                .iter()
                .rev()
                .map(|m| Candidate {
                    base: *b,
                    max: *m,
                    interval: *r,
                })
                .collect();
            descents.push((list, 0));
        }
        loop {
            let batch: Vec<Candidate> = descents
                .iter()
                .filter_map(|(list, at)| list.get(*at).copied())
                .collect();
            if batch.is_empty() {
                break;
            }
            // A run may stop once its bill's floor passes the best cost found.
            let bounds: Vec<Option<f64>> = batch
                .iter()
                .map(|c| {
                    let best = best?;
                    let (fixed, _, discount, price) =
                        floors.get(&c.interval.map_or(u64::MAX, f64::to_bits))?;
                    let per_rpu_second = (1.0 - discount) * price / 3600.0;
                    (per_rpu_second > 0.0)
                        .then(|| (best - fixed) / per_rpu_second * (1.0 + 1e-9) + 1e-6)
                })
                .collect();
            let outcomes = run(&batch, &bounds, cache)?;
            evaluated.extend(outcomes.iter().cloned());
            let mut k = 0;
            for (list, at) in &mut descents {
                if *at >= list.len() {
                    continue;
                }
                let o = &outcomes[k];
                k += 1;
                let stop = prune_by_capacity
                    && !o.stopped
                    && targets.iter().zip(&o.values).any(|(t, v)| {
                        t.key.falls_with_capacity() && *v > t.limit * (1.0 + 1e-12) + 1e-9
                    });
                *at = if stop { list.len() } else { *at + 1 };
            }
        }
        // The best only moves between rounds: the same answer for any thread count.
        best = evaluated
            .iter()
            .filter(|o| o.meets(targets))
            .map(|o| o.total_usd)
            .reduce(f64::min);
    }
    // The pick: the cheapest that meets every target; ties by grid order.
    let order = |c: &Candidate| {
        let ri = intervals
            .iter()
            .position(|r| *r == c.interval)
            .unwrap_or(usize::MAX);
        let bi = space
            .bases
            .iter()
            .position(|b| *b == c.base)
            .unwrap_or(usize::MAX);
        (ri, bi, c.max.to_bits())
    };
    let pick = evaluated
        .iter()
        .enumerate()
        .filter(|(_, o)| o.meets(targets))
        .min_by(|a, b| {
            a.1.total_usd
                .total_cmp(&b.1.total_usd)
                .then(order(&a.1.candidate).cmp(&order(&b.1.candidate)))
        })
        .map(|(i, _)| i);
    // The full grid, each base's maxes counted up to the highest peak seen at its interval.
    let grid_size = pairs
        .iter()
        .map(|(r, b)| {
            let peak = peaks
                .get(&r.map_or(u64::MAX, f64::to_bits))
                .copied()
                .unwrap_or(*b);
            maxes_of(space, *b, peak).len()
        })
        .sum();
    Ok(SearchResult {
        evaluated,
        pick,
        grid_size,
    })
}

/// The maxes of `base`: the space's (at or above the base), or from the base up to the
/// run's peak in steps of 8 (every max above the peak gives the peak's figures).
fn maxes_of(space: &Space, base: Rpu, peak: Rpu) -> Vec<Rpu> {
    match &space.maxes {
        Some(list) => {
            let mut v: Vec<Rpu> = list.iter().copied().filter(|m| *m >= base).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        }
        None => maxes_in(base, peak),
    }
}

/// Every max from `base` up to `peak`, in steps of 8 (the last rounded up to a multiple
/// of 8; just the base when the peak is not above it).
pub fn maxes_in(base: Rpu, peak: Rpu) -> Vec<Rpu> {
    match () {
        () if peak <= base => vec![base],
        () => {
            let top = ((peak / 8.0).ceil() * 8.0).clamp(base, MAX_RPU);
            let mut v = vec![base];
            let mut m = (base / 8.0).floor() * 8.0 + 8.0;
            while m < top {
                v.push(m);
                m += 8.0;
            }
            if top > base {
                v.push(top);
            }
            v
        }
    }
}

/// A target relaxed by one step, and the cheapest pick then with its saving.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetPrice {
    /// Index into the targets.
    pub target: usize,
    pub relaxed_to: f64,
    /// USD saved and the relaxed pick; `None` when nothing meets the relaxed targets.
    pub found: Option<(f64, Outcome)>,
}

/// The next looser value of a target, one step of a ladder: latency and staleness on
/// round durations, cost +10 %, rejected ×10 (from 0 to 10).
pub fn relaxed(t: &Target) -> Option<f64> {
    const LADDER: [f64; 22] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 300.0, 600.0, 900.0,
        1200.0, 1800.0, 3600.0, 7200.0, 14_400.0, 43_200.0, 86_400.0,
    ];
    match t.key {
        TargetKey::Cost => None,
        TargetKey::Rejected => Some(if t.limit < 10.0 { 10.0 } else { t.limit * 10.0 }),
        _ => LADDER.iter().copied().find(|v| *v > t.limit * (1.0 + 1e-9)),
    }
}

/// The least staleness `scenario`'s zero-ETL can reach over `intervals`: the interval plus
/// one refresh's solo duration (0 with continuous replication).
pub fn least_staleness(scenario: &Scenario, intervals: &[Seconds]) -> Option<Seconds> {
    let z = scenario.zero_etl.as_ref()?;
    intervals
        .iter()
        .map(|r| {
            let mut z = z.clone();
            z.refresh_interval = *r;
            if *r > 0.0 {
                r + z.refresh_seconds()
            } else {
                0.0
            }
        })
        .reduce(f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_with_units() {
        let t = parse_target("analyst queries.p95<=200s").unwrap();
        assert_eq!(
            t.key,
            TargetKey::Workload {
                name: "analyst queries".into(),
                stat: Stat::P95
            }
        );
        assert_eq!(t.limit, 200.0);
        assert_eq!(parse_target("staleness<=15m").unwrap().limit, 900.0);
        assert_eq!(
            parse_target("p50 <= 1m").unwrap().key,
            TargetKey::Queries(Stat::P50)
        );
        assert_eq!(parse_target("cost<=2,000").unwrap().limit, 2000.0);
        assert_eq!(
            parse_target("rejected<=0").unwrap().key,
            TargetKey::Rejected
        );
        assert!(parse_target("p95=60s").unwrap_err().contains("KEY<=VALUE"));
        assert!(parse_target("latency<=60s")
            .unwrap_err()
            .contains("unknown target"));
        assert!(parse_target("staleness<=soon").is_err());
        assert!(parse_target("cost<=-5").is_err());
    }

    #[test]
    fn the_default_grid_respects_each_source() {
        let aurora = default_intervals(ZeroEtlSource::AuroraMysql);
        assert_eq!(aurora[0], 0.0);
        assert_eq!(*aurora.last().unwrap(), 432_000.0);
        let dynamo = default_intervals(ZeroEtlSource::Dynamodb);
        assert_eq!(dynamo[0], 900.0);
        assert_eq!(allowed_bases().len(), 81);
    }

    #[test]
    fn maxes_run_from_the_base_to_the_peak() {
        let space = Space {
            bases: vec![],
            maxes: None,
            intervals: vec![],
        };
        assert_eq!(maxes_of(&space, 8.0, 30.0), vec![8.0, 16.0, 24.0, 32.0]);
        assert_eq!(maxes_of(&space, 4.0, 4.0), vec![4.0]);
        assert_eq!(maxes_of(&space, 4.0, 12.0), vec![4.0, 8.0, 16.0]);
        let listed = Space {
            maxes: Some(vec![64.0, 8.0, 16.0, 8.0]),
            ..space
        };
        assert_eq!(maxes_of(&listed, 16.0, 1000.0), vec![16.0, 64.0]);
    }

    /// A made-up world that keeps the model's guarantees: latency falls with max and
    /// base, cost rises with base and wobbles with max, staleness is the interval plus a
    /// refresh that is slower on less capacity, and every max above the peak (200) is the
    /// peak's run.
    fn fake(c: &Candidate, targets: &[Target]) -> Outcome {
        let max = c.max.min(200.0);
        let capacity = max + c.base;
        let latency = 10.0 + 4000.0 / capacity;
        let interval = c.interval.unwrap_or(0.0);
        let staleness = interval + 60.0 * 64.0 / capacity;
        let wobble = ((max / 8.0).ceil() as u64 % 3) as f64;
        let refreshes = if interval > 0.0 {
            86_400.0 / interval
        } else {
            300.0
        };
        let total = 100.0 + 3.0 * c.base + wobble + refreshes * 0.5;
        let values = targets
            .iter()
            .map(|t| match t.key {
                TargetKey::Staleness => staleness,
                TargetKey::Cost => total,
                TargetKey::Rejected => 0.0,
                _ => latency,
            })
            .collect();
        Outcome {
            candidate: *c,
            total_usd: total,
            reserved_rpu: None,
            on_demand_usd: total,
            fixed_usd: 100.0,
            discount: 0.0,
            rpu_hour_usd: 3.0 * 3600.0 / 1000.0,
            peak_rpu: 200.0,
            busy_seconds: 1000.0,
            values,
            stopped: false,
        }
    }

    /// `fake` outcomes, each run stopped when its bill (total − fixed, at 0.003 USD an
    /// RPU-second) passes its bound; with the number stopped.
    fn honour_bounds(
        batch: &[Candidate],
        bounds: &[Option<f64>],
        targets: &[Target],
    ) -> (Vec<Outcome>, usize) {
        let mut stopped = 0;
        let outcomes = batch
            .iter()
            .zip(bounds)
            .map(|(c, bound)| {
                let o = fake(c, targets);
                let billed = (o.total_usd - o.fixed_usd) / 0.003;
                if bound.is_some_and(|b| billed > b) {
                    stopped += 1;
                    Outcome::stopped(*c, targets.len())
                } else {
                    o
                }
            })
            .collect();
        (outcomes, stopped)
    }

    proptest::proptest! {
        #[test]
        fn the_search_finds_what_an_exhaustive_one_finds(
            latency in 15.0..80.0f64,
            staleness in 400.0..4000.0f64,
            nbases in 1usize..12,
        ) {
            let targets = vec![
                Target { key: TargetKey::Queries(Stat::P95), limit: latency },
                Target { key: TargetKey::Staleness, limit: staleness },
            ];
            let space = Space {
                bases: allowed_bases().into_iter().take(nbases).collect(),
                maxes: None,
                intervals: vec![0.0, 300.0, 900.0, 1800.0, 3600.0],
            };
            let mut evaluations = 0usize;
            // Runs honour their bound (a stopped run's figures are unknown).
            let mut eval = |batch: &[Candidate], bounds: &[Option<f64>]| -> Result<Vec<Outcome>, ()> {
                evaluations += batch.len();
                Ok(honour_bounds(batch, bounds, &targets).0)
            };
            let found = search(&space, &targets, true, &mut Cache::default(), &mut eval).unwrap();
            // Exhaustive: every base, every max from the base to the peak, every interval.
            let mut best: Option<Outcome> = None;
            for r in &space.intervals {
                for b in &space.bases {
                    for m in maxes_of(&space, *b, 200.0) {
                        let o = fake(&Candidate { base: *b, max: m, interval: Some(*r) }, &targets);
                        if o.meets(&targets) && best.as_ref().is_none_or(|x| o.total_usd < x.total_usd) {
                            best = Some(o);
                        }
                    }
                }
            }
            let pick = found.pick.map(|i| found.evaluated[i].total_usd);
            proptest::prop_assert_eq!(pick, best.map(|o| o.total_usd));
            proptest::prop_assert!(evaluations <= found.grid_size + space.bases.len() * space.intervals.len());
        }
    }

    /// A p95 target of 40 s over every allowed base, with these intervals.
    fn p95_over_every_base(intervals: Vec<Seconds>) -> (Vec<Target>, Space) {
        let targets = vec![Target {
            key: TargetKey::Queries(Stat::P95),
            limit: 40.0,
        }];
        let space = Space {
            bases: allowed_bases(),
            maxes: None,
            intervals,
        };
        (targets, space)
    }

    #[test]
    fn pruning_skips_what_cannot_win() {
        let (targets, space) = p95_over_every_base(vec![]);
        let mut evaluations = 0usize;
        let mut eval = |batch: &[Candidate], _: &[Option<f64>]| -> Result<Vec<Outcome>, ()> {
            evaluations += batch.len();
            Ok(batch.iter().map(|c| fake(c, &targets)).collect())
        };
        let found = search(&space, &targets, true, &mut Cache::default(), &mut eval).unwrap();
        assert!(found.pick.is_some());
        // The floor (3 × base × busy) rules out the large bases without simulating them.
        assert!(
            evaluations * 2 < found.grid_size,
            "{evaluations} of {}",
            found.grid_size
        );
    }

    #[test]
    fn runs_stopped_once_they_cannot_win_change_nothing_but_the_work() {
        let (targets, space) = p95_over_every_base(vec![0.0, 300.0, 900.0, 1800.0, 3600.0]);
        let mut whole = |batch: &[Candidate], _: &[Option<f64>]| -> Result<Vec<Outcome>, ()> {
            Ok(batch.iter().map(|c| fake(c, &targets)).collect())
        };
        let found = search(&space, &targets, true, &mut Cache::default(), &mut whole).unwrap();
        let mut stopped = 0usize;
        let mut bounded =
            |batch: &[Candidate], bounds: &[Option<f64>]| -> Result<Vec<Outcome>, ()> {
                let (outcomes, n) = honour_bounds(batch, bounds, &targets);
                stopped += n;
                Ok(outcomes)
            };
        let with_stops =
            search(&space, &targets, true, &mut Cache::default(), &mut bounded).unwrap();
        assert!(stopped > 0, "no run was given a bound it passed");
        assert!(found.pick.is_some());
        assert_eq!(
            with_stops.pick.map(|i| &with_stops.evaluated[i]),
            found.pick.map(|i| &found.evaluated[i])
        );
        // Every run stopped costs more than the pick: its bound was a cost already beaten.
        let pick = &found.evaluated[found.pick.unwrap_or_default()];
        for o in with_stops.evaluated.iter().filter(|o| o.stopped) {
            assert!(fake(&o.candidate, &targets).total_usd > pick.total_usd);
        }
    }

    #[test]
    fn relaxing_a_target_takes_one_step_of_its_ladder() {
        let t = |key, limit| Target { key, limit };
        assert_eq!(relaxed(&t(TargetKey::Queries(Stat::P95), 60.0)), Some(90.0));
        assert_eq!(relaxed(&t(TargetKey::Staleness, 900.0)), Some(1200.0));
        assert_eq!(relaxed(&t(TargetKey::Rejected, 0.0)), Some(10.0));
        assert_eq!(relaxed(&t(TargetKey::Cost, 10.0)), None);
    }
}
