//! How sure are we: inputs given as ranges, Monte Carlo runs of the month, and the
//! quantiles of what they give (docs/uncertainty.md).
//!
//! A range `{ p5 = a, p95 = b }` is a log-normal through those two quantiles: median
//! `√(a × b)`, `σ = ln(b / a) / (2 × 1.6448536)`. A scenario holds each uncertain input at
//! its median, so a single run is the run at the median inputs. Run `k` of a Monte Carlo
//! draws every range once (one standard normal each, clamped to ±[`Z_CLAMP`]) from a
//! generator seeded by the scenario's `seed` and `k`, and re-seeds every Poisson process
//! and duration distribution from their own seeds and `k`: run `k` is the same on every
//! machine and for any number of threads.

use crate::model::workload::SplitMix64;
use crate::scenario::{ArrivalPattern, Scenario, WorkloadSource};
pub use crate::scenario::{Range, Sets, UncertainInput, Z_CLAMP};

/// Mixes a seed with a run index (SplitMix64's finaliser over both).
pub fn run_seed(seed: u64, run: u64) -> u64 {
    let mut g = SplitMix64::new(seed ^ run.wrapping_mul(0xD1B5_4A32_D192_ED03));
    g.next_u64()
}

/// A standard normal from `g` (Box-Muller, one of the pair).
fn standard_normal(g: &mut SplitMix64) -> f64 {
    let (u, v) = (g.next_open01(), g.next_open01());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Run `run` of `base`: every range drawn once, every seed mixed with the run index.
/// Returns the scenario and the value drawn for each of `base.uncertain`, in order.
/// Volumes are scaled by the drawn value over the range's median, so a scenario derived
/// from one that holds the median (a forecast month) keeps what it changed; run `k`
/// draws the same values for every month of a forecast.
pub fn draw(base: &Scenario, run: u64) -> (Scenario, Vec<f64>) {
    let mut s = base.clone();
    let mut g = SplitMix64::new(run_seed(base.seed, run));
    let mut drawn = Vec::with_capacity(base.uncertain.len());
    for input in &base.uncertain {
        let value = input.range.at(standard_normal(&mut g));
        drawn.push(value);
        set(&mut s, &input.sets, value / input.range.median(), value);
    }
    for w in &mut s.workloads {
        if let WorkloadSource::Arrivals(a) = &mut w.source {
            if let ArrivalPattern::Poisson { seed } = &mut a.pattern {
                *seed = run_seed(*seed, run);
            }
            if let Some(spread) = &mut a.spread {
                spread.seed = run_seed(spread.seed, run);
            }
        }
    }
    (s, drawn)
}

/// `base` with every range at the value `z` standard deviations from its median (the
/// loader checks the job count at `z = Z_CLAMP`).
pub fn at_z(base: &Scenario, z: f64) -> Scenario {
    let mut s = base.clone();
    for input in &base.uncertain {
        let value = input.range.at(z);
        set(&mut s, &input.sets, value / input.range.median(), value);
    }
    s
}

fn arrivals<'s>(s: &'s mut Scenario, name: &str) -> Option<&'s mut crate::scenario::Arrivals> {
    s.workloads
        .iter_mut()
        .find(|w| w.name == name)
        .and_then(|w| match &mut w.source {
            WorkloadSource::Arrivals(a) => Some(a),
            WorkloadSource::Trace(_) => None,
        })
}

fn set(s: &mut Scenario, sets: &Sets, factor: f64, value: f64) {
    match sets {
        Sets::WorkloadRate { workload } => {
            if let Some(a) = arrivals(s, workload) {
                a.per_day *= factor;
            }
        }
        Sets::WorkloadEvery { workload } => {
            if let Some(a) = arrivals(s, workload) {
                if let ArrivalPattern::Every { offset, .. } = a.pattern {
                    let offset = offset.min(value * 0.999_999);
                    a.pattern = ArrivalPattern::Every {
                        every: value,
                        offset,
                    };
                    a.per_day = a.window.runs_every(value, offset);
                }
            }
        }
        // Factors, not values: a forecast month that grew its storage keeps its growth.
        Sets::ManagedGb => s.storage.managed_gb *= factor,
        Sets::SnapshotGb => s.storage.snapshot_gb *= factor,
        Sets::SpectrumTbPerDay => {
            if let Some(sp) = s.spectrum.as_mut() {
                sp.tb_per_day *= factor;
            }
        }
        Sets::SpectrumQueriesPerDay => {
            if let Some(sp) = s.spectrum.as_mut() {
                sp.queries_per_day *= factor;
            }
        }
    }
}

/// P5, P50, P95 and the mean of a set of runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    pub mean: f64,
}

impl Quantiles {
    /// The quantiles of `values` (the value at rank `ceil(p × n)`, as the model's latency
    /// percentiles), `None` when empty.
    pub fn of(values: &[f64]) -> Option<Quantiles> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        Some(Quantiles {
            p5: quantile_sorted(&v, 0.05),
            p50: quantile_sorted(&v, 0.5),
            p95: quantile_sorted(&v, 0.95),
            mean: v.iter().sum::<f64>() / v.len() as f64,
        })
    }

    /// The quantile `q` (0 < q < 1) of `values`.
    pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        Some(quantile_sorted(&v, q))
    }

    /// Whether every run gave the same value.
    pub fn is_point(&self) -> bool {
        self.p5 == self.p95
    }
}

/// The value at rank `ceil(q × n)` (1-based) of sorted `v`.
fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// Spearman's rank correlation of `x` and `y` (ties get their mean rank); 0 when either
/// does not vary.
pub fn rank_correlation(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let n = rx.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mean = f64::midpoint(n, 1.0);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mean) * (b - mean);
        sxx += (a - mean) * (a - mean);
        syy += (b - mean) * (b - mean);
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|a, b| v[*a].total_cmp(&v[*b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for k in &order[i..=j] {
            out[*k] = rank;
        }
        i = j + 1;
    }
    out
}

/// How much of the total's spread an input carries: its rank correlation with the total
/// and that squared, as a share of the variance (approximate: inputs are drawn
/// independently, so the squares of their correlations add up to at most about 1; what
/// is left is the seeds' own variation, Poisson arrivals and drawn durations).
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    pub input: String,
    pub correlation: f64,
    pub share: f64,
}

/// The drivers of `totals`, largest share first: each input's drawn values against the
/// totals of the same runs.
pub fn drivers(inputs: &[UncertainInput], drawn: &[Vec<f64>], totals: &[f64]) -> Vec<Driver> {
    let mut out: Vec<Driver> = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let x: Vec<f64> = drawn.iter().map(|d| d[i]).collect();
            let r = rank_correlation(&x, totals);
            Driver {
                input: input.name.clone(),
                correlation: r,
                share: r * r,
            }
        })
        .collect();
    let sum: f64 = out.iter().map(|d| d.share).sum();
    if sum > 1.0 {
        for d in &mut out {
            d.share /= sum;
        }
    }
    out.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.input.cmp(&b.input)));
    out
}

/// What one run of a Monte Carlo gives: the month's total, each cost line and each
/// workload's p95 latency.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunFigures {
    pub total_usd: f64,
    /// `(component, USD)` in the estimate's order.
    pub lines: Vec<(String, f64)>,
    /// `(workload, p95 latency seconds)` for the query classes.
    pub latency_p95_s: Vec<(String, f64)>,
}

/// The spread of a scenario's runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub runs: usize,
    pub total_usd: Quantiles,
    /// Every cost line met in any run (0 in a run without it), first-met order.
    pub lines: Vec<(String, Quantiles)>,
    pub latency_p95_s: Vec<(String, Quantiles)>,
    /// The ranges, largest share of the total's spread first.
    pub drivers: Vec<(Driver, Range)>,
    /// Poisson arrivals or drawn durations vary from run to run.
    pub seeded: bool,
    /// The totals of the runs, in run order (for charts and budget quantiles).
    pub totals: Vec<f64>,
}

impl Distribution {
    /// Whether every run gave the same total.
    pub fn is_point(&self) -> bool {
        self.total_usd.is_point()
    }
}

/// Whether `scenario`'s runs vary by seed alone (Poisson arrivals, drawn durations).
pub fn varies_by_seed(scenario: &Scenario) -> bool {
    scenario.workloads.iter().any(|w| match &w.source {
        WorkloadSource::Arrivals(a) => {
            a.spread.is_some() || matches!(a.pattern, ArrivalPattern::Poisson { .. })
        }
        WorkloadSource::Trace(_) => false,
    })
}

/// The distribution of `runs` (in run order) of `scenario`, with the values drawn for
/// its ranges in each; `None` without runs.
pub fn summarize(
    scenario: &Scenario,
    runs: &[RunFigures],
    drawn: &[Vec<f64>],
) -> Option<Distribution> {
    let totals: Vec<f64> = runs.iter().map(|r| r.total_usd).collect();
    let total_usd = Quantiles::of(&totals)?;
    let columns = |pick: fn(&RunFigures) -> &[(String, f64)]| -> Vec<(String, Quantiles)> {
        let mut names: Vec<&str> = Vec::new();
        for r in runs {
            for (n, _) in pick(r) {
                if !names.contains(&n.as_str()) {
                    names.push(n);
                }
            }
        }
        names
            .into_iter()
            .filter_map(|n| {
                let values: Vec<f64> = runs
                    .iter()
                    .map(|r| {
                        pick(r)
                            .iter()
                            .find(|(m, _)| m == n)
                            .map_or(0.0, |(_, v)| *v)
                    })
                    .collect();
                Quantiles::of(&values).map(|q| (n.to_string(), q))
            })
            .collect()
    };
    let lines = columns(|r| &r.lines);
    let latency_p95_s = columns(|r| &r.latency_p95_s);
    let drivers = drivers(&scenario.uncertain, drawn, &totals)
        .into_iter()
        .filter_map(|d| {
            let range = scenario.uncertain.iter().find(|u| u.name == d.input)?.range;
            Some((d, range))
        })
        .collect();
    Some(Distribution {
        runs: runs.len(),
        total_usd,
        lines,
        latency_p95_s,
        drivers,
        seeded: varies_by_seed(scenario),
        totals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Z95;
    use approx::assert_relative_eq;

    #[test]
    fn a_range_is_the_log_normal_through_its_two_quantiles() {
        let r = Range {
            p5: 80.0,
            p95: 130.0,
        };
        assert_relative_eq!(r.median(), (80.0f64 * 130.0).sqrt());
        assert_relative_eq!(r.at(-Z95), 80.0, epsilon = 1e-9);
        assert_relative_eq!(r.at(Z95), 130.0, epsilon = 1e-9);
        assert_relative_eq!(r.at(0.0), r.median());
        // Clamped far in the tails.
        assert_eq!(r.at(100.0), r.top());
        // Drawn, about 5 % of values fall below p5 and 5 % above p95.
        let mut g = SplitMix64::new(7);
        let n = 20_000;
        let values: Vec<f64> = (0..n).map(|_| r.at(standard_normal(&mut g))).collect();
        let below = values.iter().filter(|v| **v < 80.0).count() as f64 / f64::from(n);
        let above = values.iter().filter(|v| **v > 130.0).count() as f64 / f64::from(n);
        assert!((below - 0.05).abs() < 0.006, "{below}");
        assert!((above - 0.05).abs() < 0.006, "{above}");
    }

    #[test]
    fn quantiles_take_the_ceiling_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).rev().collect();
        let q = Quantiles::of(&v).unwrap();
        assert_eq!((q.p5, q.p50, q.p95), (5.0, 50.0, 95.0));
        assert_relative_eq!(q.mean, 50.5);
        assert!(Quantiles::of(&[3.0; 4]).unwrap().is_point());
        assert_eq!(Quantiles::of(&[]), None);
        assert_eq!(Quantiles::quantile(&[1.0, 2.0, 3.0], 0.95), Some(3.0));
    }

    /// Pearson's correlation of the ranks, the textbook way (ranks by counting).
    fn reference_spearman(x: &[f64], y: &[f64]) -> f64 {
        let rank = |v: &[f64], i: usize| {
            let less = v.iter().filter(|w| **w < v[i]).count() as f64;
            let equal = v.iter().filter(|w| **w == v[i]).count() as f64;
            less + f64::midpoint(equal, 1.0)
        };
        let n = x.len();
        let rx: Vec<f64> = (0..n).map(|i| rank(x, i)).collect();
        let ry: Vec<f64> = (0..n).map(|i| rank(y, i)).collect();
        let m = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (mx, my) = (m(&rx), m(&ry));
        let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
        let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
        let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
        if vx == 0.0 || vy == 0.0 {
            0.0
        } else {
            cov / (vx * vy).sqrt()
        }
    }

    proptest::proptest! {
        #[test]
        fn rank_correlation_matches_the_textbook(
            pairs in proptest::collection::vec((0u8..20, 0u8..20), 2..40)
        ) {
            let x: Vec<f64> = pairs.iter().map(|p| f64::from(p.0)).collect();
            let y: Vec<f64> = pairs.iter().map(|p| f64::from(p.1)).collect();
            let (a, b) = (rank_correlation(&x, &y), reference_spearman(&x, &y));
            proptest::prop_assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
    }

    #[test]
    fn drivers_rank_the_input_that_moves_the_total() {
        let inputs = vec![
            UncertainInput {
                name: "a.per_day".into(),
                sets: Sets::WorkloadRate {
                    workload: "a".into(),
                },
                range: Range { p5: 1.0, p95: 2.0 },
            },
            UncertainInput {
                name: "storage.managed_gb".into(),
                sets: Sets::ManagedGb,
                range: Range { p5: 1.0, p95: 2.0 },
            },
        ];
        let mut g = SplitMix64::new(3);
        let drawn: Vec<Vec<f64>> = (0..500)
            .map(|_| vec![g.next_open01(), g.next_open01()])
            .collect();
        let totals: Vec<f64> = drawn.iter().map(|d| 100.0 * d[0] + d[1]).collect();
        let d = drivers(&inputs, &drawn, &totals);
        assert_eq!(d[0].input, "a.per_day");
        assert!(d[0].share > 0.95 && d[1].share < 0.05, "{d:?}");
        assert!(d.iter().map(|d| d.share).sum::<f64>() <= 1.0 + 1e-12);
    }

    #[test]
    fn run_seeds_differ_by_run_and_repeat_by_run() {
        assert_eq!(run_seed(1, 5), run_seed(1, 5));
        assert_ne!(run_seed(1, 5), run_seed(1, 6));
        assert_ne!(run_seed(1, 5), run_seed(2, 5));
    }
}
