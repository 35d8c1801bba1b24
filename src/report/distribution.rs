//! `estimate --runs N`: the spread of a scenario's month over its Monte Carlo runs, as
//! the JSON `distribution` object beside its figures, and as rows and sentences for the
//! table and Markdown.

use super::format::{seconds, trimmed as trim, usd};
use redshift_cost_core::uncertainty::{Distribution, Quantiles};
use redshift_cost_core::units::Money;
use serde::Serialize;

/// P5 / P50 / P95 and the mean of one figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantilesJson {
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    pub mean: f64,
}

impl QuantilesJson {
    /// Money: whole micro-dollars (the mean of runs is no longer a sum of prices).
    fn usd(q: &Quantiles) -> QuantilesJson {
        let m = |x: f64| Money::from_usd(x).usd();
        QuantilesJson {
            p5: m(q.p5),
            p50: m(q.p50),
            p95: m(q.p95),
            mean: m(q.mean),
        }
    }

    fn seconds(q: &Quantiles) -> QuantilesJson {
        QuantilesJson {
            p5: q.p5,
            p50: q.p50,
            p95: q.p95,
            mean: q.mean,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineDistributionJson {
    pub component: String,
    pub monthly_usd: QuantilesJson,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyDistributionJson {
    pub workload: String,
    pub latency_p95_s: QuantilesJson,
}

/// A range and how much of the total's spread it carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriverJson {
    pub input: String,
    pub p5: f64,
    pub p95: f64,
    /// Spearman rank correlation of its drawn values with the runs' totals.
    pub correlation: f64,
    /// Approximate share of the total's variance (the correlation squared).
    pub share: f64,
}

/// The spread of a scenario's month over N runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistributionJson {
    pub runs: usize,
    /// Every run gave the same total: nothing in the scenario is uncertain.
    pub single_point: bool,
    pub total_monthly_usd: QuantilesJson,
    pub components: Vec<LineDistributionJson>,
    /// Each workload's p95 latency across the runs.
    pub latency: Vec<LatencyDistributionJson>,
    /// The ranges, largest share of the spread first.
    pub drivers: Vec<DriverJson>,
    /// Whether Poisson arrivals or drawn durations vary from run to run (their share is
    /// what the drivers leave).
    pub seeded_variation: bool,
    /// The totals of the runs, in run order, left out of the JSON (charts use them).
    #[serde(skip)]
    pub totals: Vec<f64>,
}

impl From<&Distribution> for DistributionJson {
    fn from(d: &Distribution) -> DistributionJson {
        DistributionJson {
            runs: d.runs,
            single_point: d.is_point(),
            total_monthly_usd: QuantilesJson::usd(&d.total_usd),
            components: d
                .lines
                .iter()
                .map(|(n, q)| LineDistributionJson {
                    component: n.clone(),
                    monthly_usd: QuantilesJson::usd(q),
                })
                .collect(),
            latency: d
                .latency_p95_s
                .iter()
                .map(|(n, q)| LatencyDistributionJson {
                    workload: n.clone(),
                    latency_p95_s: QuantilesJson::seconds(q),
                })
                .collect(),
            drivers: d
                .drivers
                .iter()
                .map(|(driver, range)| DriverJson {
                    input: driver.input.clone(),
                    p5: range.p5,
                    p95: range.p95,
                    correlation: (driver.correlation * 1e4).round() / 1e4,
                    share: (driver.share * 1e4).round() / 1e4,
                })
                .collect(),
            seeded_variation: d.seeded,
            totals: d.totals.clone(),
        }
    }
}

impl DistributionJson {
    /// Rows `[figure, P5, P50, P95, mean]` for a table: the total, each line, each
    /// workload's p95 latency.
    pub fn rows(&self) -> Vec<[String; 5]> {
        let money = |name: String, q: &QuantilesJson| {
            [name, usd(q.p5), usd(q.p50), usd(q.p95), usd(q.mean)]
        };
        let mut rows = vec![money("Total (USD)".into(), &self.total_monthly_usd)];
        rows.extend(
            self.components
                .iter()
                .map(|c| money(format!("{} (USD)", c.component), &c.monthly_usd)),
        );
        rows.extend(self.latency.iter().map(|l| {
            let q = &l.latency_p95_s;
            [
                format!("{} p95 latency", l.workload),
                seconds(q.p5),
                seconds(q.p50),
                seconds(q.p95),
                seconds(q.mean),
            ]
        }));
        rows
    }

    /// What the runs say, in sentences: the range, and what carries it.
    pub fn facts(&self) -> Vec<String> {
        let t = &self.total_monthly_usd;
        if self.single_point {
            return vec![format!(
                "Nothing in this scenario is uncertain: over {} runs its month is a single point, {} USD.",
                super::format::count(self.runs),
                usd(t.p50)
            )];
        }
        let mut out = vec![format!(
            "Over {} runs the month costs {} to {} USD (P5–P95), {} USD at the median.",
            super::format::count(self.runs),
            usd(t.p5),
            usd(t.p95),
            usd(t.p50)
        )];
        let carried: Vec<String> = self
            .drivers
            .iter()
            .filter(|d| d.share >= 0.005)
            .map(|d| {
                format!(
                    "{} (p5 {} – p95 {}: about {:.0} % of the spread, rank correlation {:.2})",
                    d.input,
                    trim(d.p5),
                    trim(d.p95),
                    d.share * 100.0,
                    d.correlation
                )
            })
            .collect();
        let small: Vec<&str> = self
            .drivers
            .iter()
            .filter(|d| d.share < 0.005)
            .map(|d| d.input.as_str())
            .collect();
        let rest = (1.0 - self.drivers.iter().map(|d| d.share).sum::<f64>()).max(0.0);
        let mut sentence = if carried.is_empty() {
            "No range moves the total noticeably".to_string()
        } else {
            format!("The spread is carried by {}", carried.join("; "))
        };
        if !small.is_empty() {
            sentence.push_str(&format!(
                "; {} {} under 1 % of it",
                small.join(", "),
                if small.len() == 1 {
                    "carries"
                } else {
                    "each carry"
                }
            ));
        }
        if self.seeded_variation {
            if rest >= 0.005 {
                sentence.push_str(&format!(
                    "; Poisson arrivals and drawn durations, which vary from run to run, carry the rest (about {:.0} %)",
                    rest * 100.0
                ));
            } else {
                sentence.push_str("; Poisson arrivals and drawn durations vary from run to run but barely move the total");
            }
        }
        sentence.push('.');
        out.push(sentence);
        out
    }
}
