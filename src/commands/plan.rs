//! `redshift-cost plan`: the cheapest Serverless settings that meet the targets, found by
//! the core's search (`redshift_cost_core::plan`) over in-memory copies of the scenario,
//! evaluated in parallel on all cores.

use super::charts::write_chart;
use super::{PriceConfig, ScenarioConfig};
use crate::error::{Error, Exit};
use crate::output::{write_output, Messages};
use crate::pipeline;
use crate::report::charts::{Chart, FrontierChart};
use crate::report::plan::{PlanFormat, PlanReport, SearchWork};
use crate::sources::AsyncRuntime;
use redshift_cost_core::engine::{Metering, RunMemo};
use redshift_cost_core::plan::{default_space, least_staleness, Outcome, Space, Target, TargetKey};
use redshift_cost_core::scenario::Scenario;
use redshift_cost_core::sweep::{number, Param};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) struct PlanConfig {
    pub(crate) scenario: ScenarioConfig,
    pub(crate) targets: Vec<Target>,
    /// `--space KEY=VALUES`: replaces a dimension of the default space.
    pub(crate) space: Vec<Param>,
    pub(crate) metering: Option<Metering>,
    pub(crate) budget: Option<f64>,
    pub(crate) format: PlanFormat,
    pub(crate) out: Option<PathBuf>,
    pub(crate) chart: Option<PathBuf>,
    pub(crate) prices: PriceConfig,
}

/// The dimensions `--space` may set.
const SPACE_KEYS: [&str; 3] = [
    "serverless.base_rpu",
    "serverless.max_rpu",
    "zero_etl.refresh_interval",
];

/// The space: the default one with `--space`'s dimensions replaced.
fn space_of(scenario: &Scenario, overrides: &[Param]) -> Result<Space, Error> {
    let mut space = default_space(scenario);
    for p in overrides {
        let values = p
            .values
            .iter()
            .map(|v| number(v))
            .collect::<Result<Vec<f64>, String>>()
            .map_err(|e| Error::Input(format!("--space {}: {e}", p.path)))?;
        match p.path.as_str() {
            "serverless.base_rpu" => {
                let allowed = redshift_cost_core::plan::allowed_bases();
                if let Some(bad) = values.iter().find(|v| !allowed.contains(v)) {
                    return Err(Error::Input(format!(
                        "--space serverless.base_rpu: {bad} is not a base capacity Serverless allows (4, or 8 to 512 in steps of 8, or 512 to 1024 in steps of 32)"
                    )));
                }
                space.bases = values;
            }
            "serverless.max_rpu" => {
                if let Some(bad) = values.iter().find(|v| !(**v >= 4.0 && **v <= 5632.0)) {
                    return Err(Error::Input(format!(
                        "--space serverless.max_rpu: {bad} is outside 4 to 5632"
                    )));
                }
                space.maxes = Some(values);
            }
            "zero_etl.refresh_interval" => {
                let Some(z) = &scenario.zero_etl else {
                    return Err(Error::Input(
                        "--space zero_etl.refresh_interval: the scenario has no [zero_etl]".into(),
                    ));
                };
                let (lo, hi) = z.source.refresh_interval_range();
                if let Some(bad) = values.iter().find(|v| **v < lo || **v > hi) {
                    return Err(Error::Input(format!(
                        "--space zero_etl.refresh_interval: {bad} s is outside {lo} to {hi} s for {}",
                        z.source.name()
                    )));
                }
                space.intervals = values;
            }
            other => {
                let hint = crate::scenario::did_you_mean(other, &SPACE_KEYS)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(Error::Input(format!(
                    "--space {other}: not a dimension of the plan (serverless.base_rpu, serverless.max_rpu, zero_etl.refresh_interval){hint}"
                )));
            }
        }
    }
    if space.bases.is_empty() {
        return Err(Error::Input("--space: no base RPU to try".into()));
    }
    Ok(space)
}

/// Refuses targets that name no workload of the scenario or that no configuration in the
/// space can meet whatever it costs.
fn check_targets(scenario: &Scenario, targets: &[Target], space: &Space) -> Result<(), Error> {
    if targets.is_empty() {
        return Err(Error::Input(
            "plan needs at least one --target (e.g. --target \"analysts.p95<=60s\")".into(),
        ));
    }
    if scenario.serverless.is_none() {
        return Err(Error::Input(format!(
            "scenario `{}` has no [serverless] section: plan searches Serverless settings",
            scenario.name
        )));
    }
    let names: Vec<&str> = scenario.workloads.iter().map(|w| w.name.as_str()).collect();
    for t in targets {
        match &t.key {
            TargetKey::Workload { name, .. } if !names.contains(&name.as_str()) => {
                let hint = crate::scenario::did_you_mean(name, &names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(Error::Input(format!(
                    "target `{}`: scenario `{}` has no workload `{name}` (its workloads: {}){hint}",
                    t.key.text(),
                    scenario.name,
                    names.join(", ")
                )));
            }
            TargetKey::Staleness => {
                let Some(least) = least_staleness(scenario, &space.intervals) else {
                    return Err(Error::Input(format!(
                        "target `staleness`: scenario `{}` has no [zero_etl]",
                        scenario.name
                    )));
                };
                if t.limit < least {
                    let z = scenario.zero_etl.as_ref().map_or("", |z| z.source.name());
                    return Err(Error::Input(format!(
                        "the targets contradict each other or the source: staleness <= {} s cannot be met; the least the searched REFRESH_INTERVALs reach with {z} is {} s (the shortest interval plus one refresh)",
                        fmt(t.limit),
                        fmt(least)
                    )));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn fmt(x: f64) -> String {
    let s = format!("{x:.1}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub(crate) fn run(
    c: &PlanConfig,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    let (_loader, loaded) = pipeline::load(&c.scenario, messages)?;
    let base = &loaded[0];
    let mut scenario = base.scenario().clone();
    if let (Some(rule), Some(sv)) = (c.metering, scenario.serverless.as_mut()) {
        sv.metering = rule;
    }
    let space = space_of(&scenario, &c.space)?;
    check_targets(&scenario, &c.targets, &space)?;
    let resolved = pipeline::resolve_loaded(
        std::slice::from_ref(base),
        &c.prices.source(runtime),
        messages,
    )?;
    let book = &resolved.book;
    let progress_bar = (std::io::stderr().is_terminal() && !messages.is_quiet()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} candidates simulated  {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let tick = |n: usize| {
        if let Some(bar) = &progress_bar {
            bar.inc(n as u64);
        }
    };
    let memo = RunMemo::default();
    let planned = pipeline::plan(&scenario, book, &space, &c.targets, &memo, &tick)?;
    let (result, prices) = (planned.result, planned.prices);
    if let Some(bar) = progress_bar {
        bar.finish_and_clear();
    }
    let estimate = pipeline::estimate_one_with(&scenario, book, Some(&memo))?;
    pipeline::note_prices(messages, &resolved, &[estimate]);
    let budget = c.budget.or(scenario.budget_usd);
    let work = SearchWork {
        simulated: planned.simulated,
        stopped_early: planned.stopped_early,
    };
    let report = PlanReport::new(
        &scenario, &space, &c.targets, &result, &prices, work, budget,
    );
    let bytes = report.render(c.format);
    write_output(c.out.as_deref(), &bytes)?;
    if let Some(path) = &c.chart {
        write_chart(
            path,
            &Chart::Frontier(frontier(&scenario, &c.targets, &result)),
        )?;
    }
    if report.over_budget() {
        messages.warn(redshift_cost_core::messages::Warning::OverBudget {
            scenario: scenario.name.clone(),
            budget_usd: budget.unwrap_or(0.0),
            estimate_usd: report.pick_usd().unwrap_or(0.0),
            excess_usd: report.pick_usd().unwrap_or(0.0) - budget.unwrap_or(0.0),
        });
        return Ok(Exit::OverBudget);
    }
    Ok(Exit::Ok)
}

/// The cost/latency frontier: every candidate simulated, by its latency (the first
/// latency target, else the queries' p95) and cost, the pick marked.
fn frontier(
    scenario: &Scenario,
    targets: &[Target],
    result: &redshift_cost_core::plan::SearchResult,
) -> FrontierChart {
    let latency = targets
        .iter()
        .position(|t| matches!(t.key, TargetKey::Workload { .. } | TargetKey::Queries(_)));
    let (label, limit) = match latency {
        Some(i) => (
            format!("{} (s)", targets[i].key.text()),
            Some(targets[i].limit),
        ),
        None => ("cost only".to_string(), None),
    };
    let x = |o: &Outcome| latency.map_or(o.candidate.max, |i| o.values[i]);
    FrontierChart {
        title: format!(
            "{}: cost against latency of every candidate simulated",
            scenario.name
        ),
        x_label: if latency.is_some() {
            label
        } else {
            "max RPU".to_string()
        },
        points: result
            .evaluated
            .iter()
            .map(|o| (x(o), o.total_usd, o.meets(targets)))
            .collect(),
        pick: result.pick.map(|i| {
            let o = &result.evaluated[i];
            (x(o), o.total_usd)
        }),
        limit,
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // reads the bundled example scenario
mod tests {
    use super::*;
    use crate::pipeline::plan_evaluate as evaluate;
    use crate::sources::prices::bundled::bundled;
    use redshift_cost_core::plan::{maxes_in, parse_target, search, Cache, Candidate};

    fn tokyo() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/zero-etl-tokyo-8rpu.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        crate::scenario::parse_scenario(&text, &path, &[], &[])
            .unwrap()
            .scenario
    }

    fn plan_in(
        scenario: &Scenario,
        space: &Space,
        targets: &[Target],
        threads: usize,
    ) -> (redshift_cost_core::plan::SearchResult, usize) {
        let memo = RunMemo::default();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let count = std::sync::atomic::AtomicUsize::new(0);
        let tick = |n: usize| {
            count.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        };
        let result = pool.install(|| {
            let mut eval = |batch: &[Candidate], bounds: &[Option<f64>]| {
                evaluate(scenario, bundled(), &memo, targets, batch, bounds, &tick)
            };
            search(space, targets, true, &mut Cache::default(), &mut eval).unwrap()
        });
        (result, count.into_inner())
    }

    #[test]
    fn the_pick_is_what_an_exhaustive_search_of_the_same_space_finds() {
        let scenario = tokyo();
        let targets = vec![
            parse_target("analyst queries.p95<=200s").unwrap(),
            parse_target("staleness<=20m").unwrap(),
        ];
        let space = Space {
            bases: vec![4.0, 8.0, 16.0, 24.0],
            maxes: None,
            intervals: vec![0.0, 300.0, 600.0, 900.0, 1800.0, 3600.0],
        };
        let (found, simulated) = plan_in(&scenario, &space, &targets, 2);
        // Every candidate of the space, each max from the base to 64 RPU (above the
        // scenario's peak of 16) and the uncapped 5632.
        let memo = RunMemo::default();
        let mut all = Vec::new();
        for r in &space.intervals {
            for b in &space.bases {
                for m in maxes_in(*b, 64.0).into_iter().chain([5632.0]) {
                    all.push(Candidate {
                        base: *b,
                        max: m,
                        interval: Some(*r),
                    });
                }
            }
        }
        let exhaustive = evaluate(
            &scenario,
            bundled(),
            &memo,
            &targets,
            &all,
            &vec![None; all.len()],
            &|_| {},
        )
        .unwrap();
        let best = exhaustive
            .iter()
            .filter(|o| o.meets(&targets))
            .map(|o| o.total_usd)
            .reduce(f64::min)
            .unwrap();
        let pick = &found.evaluated[found.pick.unwrap()];
        assert!(
            (pick.total_usd - best).abs() < 1e-9,
            "{} vs {best}",
            pick.total_usd
        );
        assert!(pick.meets(&targets));
        assert!(simulated < all.len(), "{simulated} of {}", all.len());
        // The same answer on one thread.
        let (one, _) = plan_in(&scenario, &space, &targets, 1);
        assert_eq!(one.evaluated[one.pick.unwrap()], *pick);
        assert_eq!(one.evaluated.len(), found.evaluated.len());
    }
}
