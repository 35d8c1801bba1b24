//! The `plan` document (`schema_version` 1): the pick, every target's value and slack, the
//! runners-up, the price of each target, or the closest candidates when nothing meets
//! the targets; rendered as JSON, a table or Markdown.

use super::format::{seconds, usd};
use super::markdown::escape;
use super::table::{new_table, right_align};
use redshift_cost_core::plan::{Outcome, SearchResult, Space, Target, TargetPrice};
use redshift_cost_core::scenario::Scenario;
use redshift_cost_core::units::Money;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    Table,
    Json,
    Markdown,
}

/// A configuration and what it does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigurationJson {
    pub base_rpu: f64,
    pub max_rpu: f64,
    /// REFRESH_INTERVAL, seconds; null without zero-ETL.
    pub refresh_interval_s: Option<f64>,
    /// The Serverless reservation priced (the suggested commitment), null for on demand.
    pub reserved_rpu: Option<f64>,
    pub monthly_usd: f64,
    /// The same configuration all on demand.
    pub on_demand_monthly_usd: f64,
    pub targets: Vec<TargetValueJson>,
}

/// A target's value for a configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetValueJson {
    pub target: String,
    pub limit: f64,
    pub value: f64,
    /// `limit − value`: how much room is left (negative when missed).
    pub slack: f64,
    pub met: bool,
}

/// What relaxing one target by one step saves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetPriceJson {
    pub target: String,
    pub limit: f64,
    pub relaxed_to: f64,
    /// Monthly USD saved by the relaxed pick (0 when the target does not bind).
    pub saving_usd: f64,
    pub relaxed_pick: Option<ConfigurationJson>,
}

/// How much simulating a plan took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchWork {
    /// Candidates simulated, for the pick and the price of every target together.
    pub simulated: usize,
    /// Of those, runs stopped once their bill could no longer win.
    pub stopped_early: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanReport {
    pub schema_version: u32,
    pub scenario: String,
    pub region: String,
    pub targets: Vec<String>,
    pub space: SpaceJson,
    /// Candidates in the whole space, and how many were simulated (for the pick and the
    /// price of every target together).
    pub grid_candidates: usize,
    pub simulated: usize,
    /// Of those, runs stopped once their bill could no longer win (not priced).
    pub stopped_early: usize,
    pub pick: Option<ConfigurationJson>,
    pub runners_up: Vec<ConfigurationJson>,
    pub target_prices: Vec<TargetPriceJson>,
    /// When nothing meets the targets: the closest candidates, and the target most missed.
    pub closest: Vec<ConfigurationJson>,
    pub binding_target: Option<String>,
    pub budget_usd: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpaceJson {
    pub base_rpu: Vec<f64>,
    /// Null: from each base up to its run's peak, in steps of 8.
    pub max_rpu: Option<Vec<f64>>,
    pub refresh_interval_s: Vec<f64>,
}

/// `x` to the nearest millionth (a micro-dollar, a microsecond): sums and differences of
/// money show as the decimals they are (`0.549422`, not `0.5494220000000496`).
fn micros(x: f64) -> f64 {
    if x.is_finite() {
        Money::from_usd(x).usd()
    } else {
        x
    }
}

fn configuration(o: &Outcome, targets: &[Target]) -> ConfigurationJson {
    ConfigurationJson {
        base_rpu: o.candidate.base,
        max_rpu: o.candidate.max,
        refresh_interval_s: o.candidate.interval,
        reserved_rpu: o.reserved_rpu,
        monthly_usd: micros(o.total_usd),
        on_demand_monthly_usd: micros(o.on_demand_usd),
        targets: targets
            .iter()
            .zip(&o.values)
            .map(|(t, v)| TargetValueJson {
                target: t.key.text(),
                limit: t.limit,
                value: micros(*v),
                slack: micros(t.limit - v),
                met: *v <= t.limit * (1.0 + 1e-12) + 1e-9,
            })
            .collect(),
    }
}

/// A target's value in its unit.
fn value_text(key: &str, v: f64, seconds_valued: bool) -> String {
    if seconds_valued {
        seconds(v)
    } else if key == "cost" {
        format!("{} USD", usd(v))
    } else {
        format!("{v:.0}")
    }
}

impl PlanReport {
    pub fn new(
        scenario: &Scenario,
        space: &Space,
        targets: &[Target],
        result: &SearchResult,
        prices: &[TargetPrice],
        work: SearchWork,
        budget_usd: Option<f64>,
    ) -> PlanReport {
        let pick = result
            .pick
            .map(|i| configuration(&result.evaluated[i], targets));
        let runners_up = result
            .ranked(targets, 4)
            .into_iter()
            .skip(1)
            .map(|o| configuration(o, targets))
            .collect();
        let (closest, binding_target) = if pick.is_none() {
            let closest: Vec<&Outcome> = result.closest(targets, 3);
            let binding = closest
                .first()
                .and_then(|o| o.binding(targets))
                .map(|i| targets[i].key.text());
            (
                closest.iter().map(|o| configuration(o, targets)).collect(),
                binding,
            )
        } else {
            (Vec::new(), None)
        };
        PlanReport {
            schema_version: super::SCHEMA_VERSION,
            scenario: scenario.name.clone(),
            region: scenario.region.clone(),
            targets: targets.iter().map(target_text).collect(),
            space: SpaceJson {
                base_rpu: space.bases.clone(),
                max_rpu: space.maxes.clone(),
                refresh_interval_s: space.intervals.clone(),
            },
            grid_candidates: result.grid_size,
            simulated: work.simulated,
            stopped_early: work.stopped_early,
            pick,
            runners_up,
            target_prices: prices
                .iter()
                .map(|p| TargetPriceJson {
                    target: targets[p.target].key.text(),
                    limit: targets[p.target].limit,
                    relaxed_to: p.relaxed_to,
                    saving_usd: p.found.as_ref().map_or(0.0, |(s, _)| micros(s.max(0.0))),
                    relaxed_pick: p.found.as_ref().map(|(_, o)| {
                        let mut t = targets.to_vec();
                        t[p.target].limit = p.relaxed_to;
                        configuration(o, &t)
                    }),
                })
                .collect(),
            closest,
            binding_target,
            budget_usd,
        }
    }

    pub fn pick_usd(&self) -> Option<f64> {
        self.pick.as_ref().map(|p| p.monthly_usd)
    }

    pub fn over_budget(&self) -> bool {
        matches!((self.pick_usd(), self.budget_usd), (Some(p), Some(b)) if p > b)
    }

    pub fn render(&self, format: PlanFormat) -> Vec<u8> {
        match format {
            PlanFormat::Json => {
                let mut v = serde_json::to_vec_pretty(self).expect("a plan always serializes");
                v.push(b'\n');
                v
            }
            PlanFormat::Table => self.text(false).into_bytes(),
            PlanFormat::Markdown => self.text(true).into_bytes(),
        }
    }

    fn is_seconds(target: &str) -> bool {
        !(target == "cost" || target == "rejected")
    }

    fn settings(c: &ConfigurationJson) -> String {
        let mut s = format!("base {} RPU, max {} RPU", c.base_rpu, c.max_rpu);
        if let Some(r) = c.refresh_interval_s {
            s.push_str(&format!(
                ", REFRESH_INTERVAL {}",
                if r == 0.0 {
                    "0 (continuous)".to_string()
                } else {
                    format!("{r:.0} s")
                }
            ));
        }
        match c.reserved_rpu {
            Some(r) => s.push_str(&format!(", {r} RPU reserved")),
            None => s.push_str(", on demand"),
        }
        s
    }

    /// The table (and, with `markdown`, the same as Markdown).
    fn text(&self, markdown: bool) -> String {
        let mut out = String::new();
        let heading = |out: &mut String, s: &str| {
            if markdown {
                out.push_str(&format!("\n### {s}\n\n"));
            } else {
                out.push_str(&format!("\n{s}\n"));
            }
        };
        if markdown {
            out.push_str(&format!("## Plan: {}\n\n", escape(&self.scenario)));
        } else {
            out.push_str(&format!("Plan for {} ({})\n", self.scenario, self.region));
        }
        out.push_str(&format!(
            "Targets: {}. {} of {} candidates simulated{}.\n",
            self.targets.join(", "),
            self.simulated,
            self.grid_candidates,
            match self.stopped_early {
                0 => String::new(),
                n => format!(" ({n} stopped early, once they could no longer win)"),
            }
        ));
        let table = |rows: &[&ConfigurationJson]| -> String {
            // REFRESH_INTERVAL only where the scenario has zero-ETL.
            let intervals = rows.iter().any(|c| c.refresh_interval_s.is_some());
            let mut header = vec!["Base RPU".to_string(), "Max RPU".to_string()];
            if intervals {
                header.push("REFRESH_INTERVAL".to_string());
            }
            header.extend(["Reserved RPU".to_string(), "Monthly (USD)".to_string()]);
            if let Some(first) = rows.first() {
                header.extend(first.targets.iter().map(|t| t.target.clone()));
            }
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|c| {
                    let mut row = vec![format!("{}", c.base_rpu), format!("{}", c.max_rpu)];
                    if intervals {
                        row.push(c.refresh_interval_s.map_or("—".into(), |r| {
                            if r == 0.0 {
                                "0 (continuous)".into()
                            } else {
                                seconds(r)
                            }
                        }));
                    }
                    row.extend([
                        c.reserved_rpu.map_or("—".into(), |r| format!("{r}")),
                        usd(c.monthly_usd),
                    ]);
                    row.extend(c.targets.iter().map(|t| {
                        let mark = if t.met { "" } else { " ✗" };
                        format!(
                            "{}{mark}",
                            value_text(&t.target, t.value, Self::is_seconds(&t.target))
                        )
                    }));
                    row
                })
                .collect();
            if markdown {
                let mut s = format!(
                    "| {} |\n|{}|\n",
                    header.join(" | "),
                    vec!["--:"; header.len()].join("|")
                );
                for r in cells {
                    s.push_str(&format!(
                        "| {} |\n",
                        r.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | ")
                    ));
                }
                s
            } else {
                let mut t = new_table(&header);
                for r in cells {
                    t.add_row(r);
                }
                right_align(&mut t, 0..header.len());
                format!("{t}\n")
            }
        };
        if let Some(p) = &self.pick {
            {
                heading(&mut out, "Pick");
                out.push_str(&format!(
                    "{}: {} USD a month{}.\n",
                    Self::settings(p),
                    usd(p.monthly_usd),
                    if p.reserved_rpu.is_some() {
                        format!(" ({} USD all on demand)", usd(p.on_demand_monthly_usd))
                    } else {
                        String::new()
                    }
                ));
                for t in &p.targets {
                    let secs = Self::is_seconds(&t.target);
                    out.push_str(&format!(
                        "{}{} {} (target {}, slack {})\n",
                        if markdown { "- " } else { "  " },
                        t.target,
                        value_text(&t.target, t.value, secs),
                        value_text(&t.target, t.limit, secs),
                        value_text(&t.target, t.slack, secs)
                    ));
                }
                if let Some(b) = self.budget_usd {
                    out.push_str(&format!(
                        "Budget {} USD: {}.\n",
                        usd(b),
                        if self.over_budget() {
                            "OVER BUDGET"
                        } else {
                            "within"
                        }
                    ));
                }
                let mut rows = vec![p];
                rows.extend(self.runners_up.iter());
                heading(&mut out, "The pick and the runners-up");
                out.push_str(&table(&rows));
                if !self.target_prices.is_empty() {
                    heading(&mut out, "The price of each target");
                    for tp in &self.target_prices {
                        let secs = Self::is_seconds(&tp.target);
                        let line = if tp.saving_usd > 0.005 {
                            format!(
                                "{} {} → {} saves {} USD a month ({})",
                                tp.target,
                                value_text(&tp.target, tp.limit, secs),
                                value_text(&tp.target, tp.relaxed_to, secs),
                                usd(tp.saving_usd),
                                tp.relaxed_pick
                                    .as_ref()
                                    .map(Self::settings)
                                    .unwrap_or_default()
                            )
                        } else {
                            format!(
                                "{} {} → {} saves nothing: it does not bind",
                                tp.target,
                                value_text(&tp.target, tp.limit, secs),
                                value_text(&tp.target, tp.relaxed_to, secs)
                            )
                        };
                        out.push_str(&format!("{}{line}\n", if markdown { "- " } else { "  " }));
                    }
                }
            }
        } else {
            {
                heading(&mut out, "No configuration meets the targets");
                if let Some(b) = &self.binding_target {
                    out.push_str(&format!(
                        "The target that binds: {b}. The closest candidates:\n"
                    ));
                }
                let rows: Vec<&ConfigurationJson> = self.closest.iter().collect();
                out.push_str(&table(&rows));
            }
        }
        out
    }
}

/// A target as written, its limit in its unit: `analysts.p95<=60s`, `cost<=2000`.
pub fn target_text(t: &Target) -> String {
    let limit = if t.key.is_seconds() {
        redshift_cost_core::durations::format_duration(t.limit)
    } else {
        let s = format!("{:.2}", t.limit);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    format!("{}<={limit}", t.key.text())
}
