//! The second stage of the command line: parsed arguments checked, once, into the plain
//! `Config` of a command. Everything that can be refused before a file is read is
//! refused here (contradictory price options, an empty timeline window).

use super::{
    ChartArgs, Cli, Command, FormatArg, MeteringArg, PlanFormatArg, PlanMeteringArg, PriceArgs,
    PriceModeArg, RunsArgs, ScenarioArgs, WindowArgs,
};
use crate::commands::{self, ChartConfig, Config, PriceConfig, ScenarioConfig, TimelineWindow};
use crate::error::Error;
use crate::scenario::Limits;
use crate::sources::prices::resolve::PriceMode;
use redshift_cost_core::engine::Metering;
use redshift_cost_core::units::SECONDS_PER_DAY;

/// The command's configuration.
pub(super) fn config(cli: &Cli) -> Result<Config, Error> {
    let limits = Limits {
        max_jobs: cli.max_jobs,
    };
    let scenarios = |paths: &[std::path::PathBuf], s: &ScenarioArgs| ScenarioConfig {
        paths: paths.to_vec(),
        sets: s.sets.clone(),
        limits,
    };
    Ok(match &cli.command {
        Command::Estimate(a) => Config::Estimate(commands::estimate::EstimateConfig {
            scenarios: scenarios(&a.scenarios, &a.scenario),
            format: a.format.into(),
            out: a.output.out.clone(),
            budget: a.budget,
            calibrate: a.calibrate,
            metering: match a.metering {
                None => commands::estimate::MeteringChoice::Scenario,
                Some(MeteringArg::BusyPeriod) => {
                    commands::estimate::MeteringChoice::Rule(Metering::BusyPeriod)
                }
                Some(MeteringArg::PerMinute) => {
                    commands::estimate::MeteringChoice::Rule(Metering::PerMinute)
                }
                Some(MeteringArg::Both) => commands::estimate::MeteringChoice::Both,
            },
            prices: prices(&a.pricing)?,
            charts: charts(&a.charts)?,
            runs: runs(&a.runs),
            distribution_chart: a.distribution_chart.clone(),
            infrastructure: match (&a.terraform, &a.cloudformation) {
                (Some(p), _) => Some(commands::Infrastructure::Terraform(p.clone())),
                (None, Some(p)) => Some(commands::Infrastructure::CloudFormation(p.clone())),
                (None, None) => None,
            },
        }),
        Command::Compare(a) => Config::Compare(commands::compare::CompareConfig {
            scenarios: scenarios(&a.scenarios, &a.scenario),
            format: a.format.into(),
            out: a.output.out.clone(),
            prices: prices(&a.pricing)?,
        }),
        Command::Sweep(a) => Config::Sweep(commands::sweep::SweepConfig {
            scenario: scenarios(std::slice::from_ref(&a.scenario_file), &a.scenario),
            params: a.params.clone(),
            max_staleness: a.max_staleness,
            format: a.format.into(),
            out: a.output.out.clone(),
            chart: a.chart.clone(),
            prices: prices(&a.pricing)?,
        }),
        Command::Plan(a) => Config::Plan(commands::plan::PlanConfig {
            scenario: scenarios(std::slice::from_ref(&a.scenario_file), &a.scenario),
            targets: a.targets.clone(),
            space: a.space.clone(),
            metering: a.metering.map(|m| match m {
                PlanMeteringArg::BusyPeriod => Metering::BusyPeriod,
                PlanMeteringArg::PerMinute => Metering::PerMinute,
            }),
            budget: a.budget,
            format: match a.format {
                PlanFormatArg::Table => crate::report::plan::PlanFormat::Table,
                PlanFormatArg::Json => crate::report::plan::PlanFormat::Json,
                PlanFormatArg::Markdown => crate::report::plan::PlanFormat::Markdown,
            },
            out: a.output.out.clone(),
            chart: a.chart.clone(),
            prices: prices(&a.pricing)?,
        }),
        Command::Forecast(a) => Config::Forecast(commands::forecast::ForecastConfig {
            scenario: scenarios(std::slice::from_ref(&a.scenario_file), &a.scenario),
            months: a.months,
            runs: a.runs,
            budget: a.budget,
            format: match a.format {
                FormatArg::Table => crate::report::forecast::ForecastFormat::Table,
                FormatArg::Json => crate::report::forecast::ForecastFormat::Json,
                FormatArg::Markdown => crate::report::forecast::ForecastFormat::Markdown,
                FormatArg::Csv => crate::report::forecast::ForecastFormat::Csv,
            },
            out: a.output.out.clone(),
            chart: a.chart.clone(),
            prices: prices(&a.pricing)?,
        }),
        Command::Report(a) => Config::Report(commands::report::ReportConfig {
            scenarios: scenarios(&a.inputs, &a.scenario),
            out: a.out.clone(),
            force: a.force,
            baseline: a.baseline.clone(),
            budget: a.budget,
            window: window(&a.window)?,
            runs: runs(&a.runs),
            prices: prices(&a.pricing)?,
            comment: a.comment,
            generated_at: generation_time(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?,
        }),
        Command::Completions { .. } | Command::Man | Command::Schema { .. } => {
            return Err(Error::Input(
                "completions and man are written by the command line itself, not run".into(),
            ))
        }
        Command::Diff(a) => Config::Diff(commands::diff::DiffConfig {
            inputs: match &a.terraform {
                Some(plan) => commands::diff::DiffInputs::Terraform {
                    plan: plan.clone(),
                    scenarios: scenarios(&a.files, &a.scenario),
                    budget: a.budget,
                    prices: prices(&a.pricing)?,
                },
                None => match a.files.as_slice() {
                    [old, new] => commands::diff::DiffInputs::Reports {
                        old: old.clone(),
                        new: new.clone(),
                    },
                    files => {
                        return Err(Error::Input(format!(
                            "diff takes two estimate reports (OLD.json NEW.json), or --terraform PLAN.json with scenario files; found {} file{}",
                            files.len(),
                            if files.len() == 1 { "" } else { "s" }
                        )))
                    }
                },
            },
            format: a.format.into(),
            out: a.output.out.clone(),
            all: a.all,
        }),
        Command::History(h) => {
            use commands::history::{ClassBy, HistoryConfig, HistoryKind};
            let (kind, common) = match &h.what {
                super::HistoryWhat::Queries { common, class_by } => (
                    HistoryKind::Queries(match class_by {
                        super::ClassByArg::QueryType => ClassBy::QueryType,
                        super::ClassByArg::User => ClassBy::User,
                        super::ClassByArg::Label => ClassBy::Label,
                    }),
                    common,
                ),
                super::HistoryWhat::Usage { common, scenario } => (
                    HistoryKind::Usage(scenario.as_ref().map(|p| ScenarioConfig {
                        paths: vec![p.clone()],
                        sets: Vec::new(),
                        limits,
                    })),
                    common,
                ),
                super::HistoryWhat::Refreshes { common } => (HistoryKind::Refreshes, common),
            };
            Config::History(HistoryConfig {
                kind,
                target: crate::sources::history::DataApiTarget {
                    workgroup: common.workgroup.clone(),
                    database: common.database.clone(),
                    secret_arn: common.secret_arn.clone(),
                    region: common.region.clone(),
                    max_wait: std::time::Duration::from_secs_f64(
                        common.max_wait.clamp(1.0, 86_400.0),
                    ),
                },
                days: common.days,
                end: common.end,
                json: common.format == super::ObserveFormatArg::Json,
                out: common.output.out.clone(),
            })
        }
        Command::Observe(a) => Config::Observe(commands::observe::ObserveConfig {
            workgroup: a.workgroup.clone(),
            namespace: a.namespace.clone(),
            region: a.region.clone(),
            days: a.days,
            end: a.end,
            integration: a.integration.clone(),
            cluster: a.cluster.clone(),
            format: a.format.into(),
            out: a.output.out.clone(),
            prices: prices(&a.pricing)?,
            bill: a.bill,
            cost_tag: a.cost_tag.clone(),
        }),
        Command::Prices(a) => Config::Prices(commands::prices::PricesConfig {
            regions: a.regions.clone(),
            format: a.format.into(),
            out: a.output.out.clone(),
            prices: prices(&a.pricing)?,
        }),
    })
}

/// `--prices`, `--refresh-prices` and the endpoint region, checked together.
fn prices(a: &PriceArgs) -> Result<PriceConfig, Error> {
    let mode = match a.prices {
        PriceModeArg::Auto => PriceMode::Auto,
        PriceModeArg::Live => PriceMode::Live,
        PriceModeArg::Cache => PriceMode::Cache,
        PriceModeArg::Bundled => PriceMode::Bundled,
    };
    if a.refresh_prices && matches!(mode, PriceMode::Cache | PriceMode::Bundled) {
        return Err(Error::Input(format!(
            "--refresh-prices fetches live prices; it cannot be used with --prices {}",
            if mode == PriceMode::Cache {
                "cache"
            } else {
                "bundled"
            }
        )));
    }
    Ok(PriceConfig {
        mode,
        refresh: a.refresh_prices,
        endpoint_region: a.pricing_endpoint_region.clone(),
    })
}

/// When the report says it was made: `SOURCE_DATE_EPOCH` (seconds since 1970, the
/// reproducible-builds convention) when set, else now.
fn generation_time(epoch: Option<&str>) -> Result<chrono::DateTime<chrono::Utc>, Error> {
    match epoch.map(str::trim).filter(|e| !e.is_empty()) {
        None => Ok(chrono::Utc::now()),
        Some(e) => e
            .parse::<i64>()
            .ok()
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .ok_or_else(|| {
                Error::Input(format!(
                    "SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC; found `{e}`"
                ))
            }),
    }
}

/// `--from` and `--to`: a window that ends after it starts (a day from `--from` without
/// `--to`); neither: each scenario's busiest hour.
fn window(a: &WindowArgs) -> Result<TimelineWindow, Error> {
    if a.from.is_none() && a.to.is_none() {
        return Ok(TimelineWindow::Busiest);
    }
    let from = a.from.unwrap_or(0.0);
    let to = a.to.unwrap_or(from + SECONDS_PER_DAY);
    if to <= from {
        return Err(Error::Input(format!(
            "--to ({to} s) must be after --from ({from} s)"
        )));
    }
    Ok(TimelineWindow::Fixed { from, to })
}

fn runs(a: &RunsArgs) -> Option<commands::RunsConfig> {
    a.runs.map(|runs| commands::RunsConfig {
        runs,
        budget_quantile: a.budget_quantile,
    })
}

fn charts(a: &ChartArgs) -> Result<ChartConfig, Error> {
    Ok(ChartConfig {
        chart: a.chart.clone(),
        timeline: a.timeline.clone(),
        heatmap: a.heatmap.clone(),
        window: window(&a.window)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_needs_a_fetching_mode() {
        let args = PriceArgs {
            prices: PriceModeArg::Bundled,
            refresh_prices: true,
            pricing_endpoint_region: "us-east-1".into(),
        };
        assert!(matches!(prices(&args), Err(Error::Input(_))));
        let args = PriceArgs {
            prices: PriceModeArg::Auto,
            ..args
        };
        assert_eq!(prices(&args).unwrap().mode, PriceMode::Auto);
    }

    #[test]
    fn source_date_epoch_fixes_the_generation_time() {
        assert_eq!(
            generation_time(Some("1767225600")).unwrap().to_rfc3339(),
            "2026-01-01T00:00:00+00:00"
        );
        assert!(generation_time(Some("yesterday")).is_err());
        let now = generation_time(None).unwrap();
        assert!((chrono::Utc::now() - now).num_seconds().abs() < 60);
    }

    #[test]
    fn a_window_ends_after_it_starts() {
        assert!(window(&WindowArgs {
            from: Some(3600.0),
            to: Some(3600.0)
        })
        .is_err());
        let w = |from, to| window(&WindowArgs { from, to }).unwrap();
        assert_eq!(
            w(Some(3600.0), None),
            TimelineWindow::Fixed {
                from: 3600.0,
                to: 3600.0 + SECONDS_PER_DAY
            }
        );
        assert_eq!(
            w(None, Some(7200.0)),
            TimelineWindow::Fixed {
                from: 0.0,
                to: 7200.0
            }
        );
        assert_eq!(w(None, None), TimelineWindow::Busiest);
    }
}
