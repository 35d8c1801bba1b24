//! The command line, in two stages (as ripgrep does): clap parses the arguments into the
//! structs of this module (the option groups every command shares — [`OutputArgs`],
//! [`ScenarioArgs`], [`PriceArgs`], [`ChartArgs`] — are declared once each), then
//! [`config`] checks them, once and early, into the plain `Config` of a command
//! (`commands::Config`). No clap type goes further than this module.
//!
//! stdout carries only the report, so `| jq` works; warnings and notes are printed once,
//! grouped, on stderr; errors get one `error:` prefix.

mod config;

use crate::commands::{self, diff::DiffFormat, observe::ObserveFormat, prices::PricesFormat};
use crate::output::{Messages, Words};
use crate::report::Format;
use crate::scenario::{parse_duration, parse_set_arg, SetArg};
use crate::sources::prices::live::DEFAULT_ENDPOINT_REGION;
use crate::sources::AsyncRuntime;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use redshift_cost_core::sweep::{parse_param, Param};
use std::path::PathBuf;
use std::process::ExitCode;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  failure (I/O, or network with no fallback)
  2  invalid input or usage (scenario errors name file:line:column)
  3  a budget was exceeded (the report is still written)";

/// Environment variable with the default of `--prices`.
const PRICES_ENV: &str = "REDSHIFT_COST_PRICES";

#[derive(Debug, Parser)]
#[command(
    name = "redshift-cost",
    version,
    about = "Cost and capacity estimator for Amazon Redshift Serverless, zero-ETL and storage",
    long_about = "Simulates a month of Amazon Redshift Serverless from a scenario file (workloads, \
zero-ETL refresh interval, storage) and prices it: 60-second minimum charges, concurrency and \
idle time included.",
    after_help = EXIT_CODES
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print nothing on stderr but errors: no notes, warnings or progress bars.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Colour `error:` (red) and `warning:` (yellow) on stderr: auto (on a terminal,
    /// unless NO_COLOR is set), always, or never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Refuse a scenario that asks the simulation for more jobs than this (each takes
    /// about 32 bytes of memory while it runs).
    #[arg(
        long,
        global = true,
        value_name = "N",
        env = "REDSHIFT_COST_MAX_JOBS",
        default_value_t = crate::scenario::DEFAULT_MAX_JOBS
    )]
    max_jobs: u64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Estimate the monthly cost of one or more scenarios (one report).
    #[command(after_help = EXIT_CODES)]
    Estimate(EstimateArgs),
    /// Read a workgroup's observed usage from CloudWatch (compute, capacity, storage),
    /// priced for a month. Needs cloudwatch:GetMetricData and cloudwatch:ListMetrics.
    #[command(after_help = EXIT_CODES)]
    Observe(ObserveArgs),
    /// Read the warehouse's own history through the Redshift Data API: a trace of its
    /// queries, its exact billed RPU-seconds (and which metering rule they follow), its
    /// zero-ETL refreshes. The system views keep about 7 days.
    #[command(after_help = EXIT_CODES)]
    History(HistoryArgs),
    /// Show the prices in use for a region, with where each came from and its date.
    #[command(after_help = EXIT_CODES)]
    Prices(PricesArgs),
    /// Compare Serverless with a provisioned cluster for scenarios that have both a
    /// [serverless] and a [provisioned] section: totals and the break-even busy hours a day.
    #[command(after_help = EXIT_CODES)]
    Compare(CompareArgs),
    /// Sweep one scenario over parameter values (e.g. REFRESH_INTERVAL): cost, latency and
    /// data staleness per point, in parallel on all cores.
    #[command(after_help = EXIT_CODES)]
    Sweep(SweepArgs),
    /// Find the cheapest Serverless settings (base RPU, max RPU, REFRESH_INTERVAL and a
    /// reservation) that meet latency, freshness and cost targets, and what each target
    /// costs.
    #[command(after_help = EXIT_CODES)]
    Plan(PlanArgs),
    /// Forecast a scenario month by month under its [growth]: every cost line, the
    /// cumulative cost, and from which month a reservation pays off.
    #[command(after_help = EXIT_CODES)]
    Forecast(ForecastArgs),
    /// Write a monthly report folder: index.md, index.html, summary.json and charts.
    #[command(after_help = EXIT_CODES)]
    Report(ReportArgs),
    /// Per-scenario, per-component deltas between two estimate JSON files, or between the
    /// two sides of a Terraform plan (--terraform).
    #[command(after_help = EXIT_CODES)]
    Diff(DiffArgs),
    /// Print a shell completion script: `redshift-cost completions bash > /etc/bash_completion.d/redshift-cost`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `redshift-cost man > redshift-cost.1`.
    Man,
    /// Print the JSON Schema of scenario files (for Taplo / Even Better TOML), or with
    /// --markdown the reference of every key.
    Schema {
        /// The key reference as Markdown (docs/scenario-keys.md) instead.
        #[arg(long)]
        markdown: bool,
    },
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always, into a pipe or a file too.
    Always,
    /// Never.
    Never,
}

// ---------------------------------------------------------------------------------------
// Option groups shared by the commands

/// Where the output goes.
#[derive(Debug, Clone, Args)]
struct OutputArgs {
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// How the scenarios are decoded.
#[derive(Debug, Clone, Args)]
struct ScenarioArgs {
    /// Override a scenario value, e.g. `--set zero_etl.refresh_interval=0` (repeatable;
    /// applies to every scenario; a sweep applies it before the swept values).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE", value_parser = parse_set_arg)]
    sets: Vec<SetArg>,
}

/// Where prices come from.
#[derive(Debug, Clone, Args)]
struct PriceArgs {
    /// Where prices come from (scenario `[prices]` overrides always win).
    #[arg(
        long,
        value_enum,
        value_name = "SOURCE",
        default_value_t = PriceModeArg::Auto,
        env = PRICES_ENV,
        help_heading = "Prices"
    )]
    prices: PriceModeArg,
    /// Fetch live prices even when the cached ones are fresh (cache max age: 7 days).
    #[arg(long, help_heading = "Prices")]
    refresh_prices: bool,
    /// Region of the Price List API endpoint: us-east-1, eu-central-1 or ap-south-1. It is
    /// independent of the region priced. `AWS_ENDPOINT_URL_PRICING` overrides the URL.
    #[arg(
        long,
        value_name = "REGION",
        default_value = DEFAULT_ENDPOINT_REGION,
        value_parser = parse_region_code,
        help_heading = "Prices"
    )]
    pricing_endpoint_region: String,
}

/// `--prices`: where prices may come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PriceModeArg {
    /// Cached prices if fresh, else live, else bundled (with one warning).
    Auto,
    /// Fetch from the AWS Price List API now; exit 1 if that fails.
    Live,
    /// Only the on-disk cache (whatever its age); bundled where there is none.
    Cache,
    /// Only the bundled price book: no network, no cache.
    Bundled,
}

/// The capacity-timeline window.
#[derive(Debug, Clone, Args)]
struct WindowArgs {
    /// Start of the timeline window, from the period start (e.g. 0, 2d, 36h). Without
    /// --from and --to, each scenario's busiest hour.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_arg)]
    from: Option<f64>,
    /// End of the timeline window (default: one day after --from).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_arg)]
    to: Option<f64>,
}

/// The charts of `estimate`.
#[derive(Debug, Clone, Args)]
struct ChartArgs {
    /// Draw the cost breakdown (a bar per scenario, by kind of cost) to FILE (.svg or .png).
    #[arg(long, value_name = "FILE.svg|FILE.png", value_parser = chart_path)]
    chart: Option<PathBuf>,
    /// Draw the capacity timeline to FILE (.svg or .png; one file per scenario, suffixed,
    /// when there are several).
    #[arg(long, value_name = "FILE.svg|FILE.png", value_parser = chart_path)]
    timeline: Option<PathBuf>,
    /// Draw billed RPU-hours by day and hour of day to FILE (.svg or .png; one file per
    /// scenario, suffixed, when there are several).
    #[arg(long, value_name = "FILE.svg|FILE.png", value_parser = chart_path)]
    heatmap: Option<PathBuf>,
    #[command(flatten)]
    window: WindowArgs,
}

/// Monte Carlo runs (docs/uncertainty.md).
#[derive(Debug, Clone, Args)]
struct RunsArgs {
    /// Run each scenario N times, its ranges (`per_day = { p5 = 80, p95 = 130 }`) drawn
    /// and its seeds varied per run, and report P5 / P50 / P95 and the mean of every
    /// figure (reproducible for any number of threads).
    #[arg(long, value_name = "N", value_parser = parse_runs, help_heading = "Uncertainty")]
    runs: Option<usize>,
    /// Check budgets against this quantile of the runs' totals (e.g. 0.95) instead of the
    /// single run at the median inputs. Needs --runs.
    #[arg(
        long,
        value_name = "Q",
        value_parser = parse_quantile,
        requires = "runs",
        help_heading = "Uncertainty"
    )]
    budget_quantile: Option<f64>,
}

/// Output formats of `estimate`, `compare` (and the report's documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// A boxed table for terminals (the default).
    Table,
    /// The versioned JSON contract, numbers unrounded.
    Json,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// One row per cost line, numbers unrounded.
    Csv,
}

/// Output formats of `estimate`: the report's, and Infracost's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EstimateFormatArg {
    /// A boxed table for terminals (the default).
    Table,
    /// The versioned JSON contract, numbers unrounded.
    Json,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// One row per cost line, numbers unrounded.
    Csv,
    /// Infracost's output format (version 0.2): merge it with `infracost output --path`.
    Infracost,
}

impl From<EstimateFormatArg> for Format {
    fn from(f: EstimateFormatArg) -> Format {
        match f {
            EstimateFormatArg::Table => Format::Table,
            EstimateFormatArg::Json => Format::Json,
            EstimateFormatArg::Markdown => Format::Markdown,
            EstimateFormatArg::Csv => Format::Csv,
            EstimateFormatArg::Infracost => Format::Infracost,
        }
    }
}

/// `--metering`: the rule the compute is billed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MeteringArg {
    /// One 60-second minimum per busy period (the default of scenarios).
    BusyPeriod,
    /// Every wall-clock minute a charge window touches, billed whole.
    PerMinute,
    /// Both bills side by side: the range to budget for.
    Both,
}

// ---------------------------------------------------------------------------------------
// Commands

#[derive(Debug, Args)]
struct EstimateArgs {
    /// Scenario files (TOML), or directories whose *.toml files are all estimated.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = EstimateFormatArg::Table)]
    format: EstimateFormatArg,
    /// A Terraform plan (`terraform show -json PLAN`): its workgroup's or cluster's values
    /// replace the scenario's, and its before and after give two estimates and their diff.
    #[arg(
        long,
        value_name = "PLAN.json",
        conflicts_with = "cloudformation",
        help_heading = "Infrastructure"
    )]
    terraform: Option<PathBuf>,
    /// A CloudFormation template (JSON or YAML): its workgroup's or cluster's values
    /// replace the scenario's.
    #[arg(long, value_name = "TEMPLATE", help_heading = "Infrastructure")]
    cloudformation: Option<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Budget in USD for every scenario (replaces `budget_usd`); exit 3 when exceeded.
    #[arg(long, value_name = "USD", value_parser = parse_budget)]
    budget: Option<f64>,
    /// Scale workload durations so that the modelled compute of each scenario's
    /// `[observed]` window matches CloudWatch; `--set` what-ifs then apply on top.
    #[arg(long)]
    calibrate: bool,
    /// Bill Serverless compute under this metering rule instead of the scenario's
    /// `[serverless] metering`; `both` prints both bills side by side.
    #[arg(long, value_enum, value_name = "RULE")]
    metering: Option<MeteringArg>,
    #[command(flatten)]
    pricing: PriceArgs,
    #[command(flatten)]
    charts: ChartArgs,
    #[command(flatten)]
    runs: RunsArgs,
    /// With --runs: draw each scenario's month over the runs (box: P25–P75, whiskers:
    /// P5–P95, the median and mean marked) to FILE (.svg or .png).
    #[arg(long, value_name = "FILE.svg|FILE.png", value_parser = chart_path, requires = "runs", help_heading = "Uncertainty")]
    distribution_chart: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// Scenario files (TOML) with both `[serverless]` and `[provisioned]`, or directories.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    scenario: ScenarioArgs,
    #[command(flatten)]
    pricing: PriceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SweepFormatArg {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
struct SweepArgs {
    /// The scenario file to sweep.
    #[arg(value_name = "SCENARIO")]
    scenario_file: PathBuf,
    /// A parameter and its values: `key.path=v1,v2,...`, `key.path=start..end*factor` or
    /// `key.path=start..end+step` (repeatable: the cartesian product is swept).
    #[arg(long = "param", required = true, value_name = "KEY.PATH=VALUES", value_parser = parse_param)]
    params: Vec<Param>,
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Mark the cheapest point whose worst-case data staleness is within this (e.g. 15m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_arg)]
    max_staleness: Option<f64>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = SweepFormatArg::Table)]
    format: SweepFormatArg,
    #[command(flatten)]
    output: OutputArgs,
    /// Draw the sweep curve to FILE (.svg or .png).
    #[arg(long, value_name = "FILE.svg|FILE.png", value_parser = chart_path)]
    chart: Option<PathBuf>,
    #[command(flatten)]
    pricing: PriceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PlanFormatArg {
    Table,
    Json,
    Markdown,
}

/// `--metering` of `plan`: one rule (both bills would be two plans).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PlanMeteringArg {
    BusyPeriod,
    PerMinute,
}

#[derive(Debug, Args)]
struct PlanArgs {
    /// The scenario file to plan.
    #[arg(value_name = "SCENARIO")]
    scenario_file: PathBuf,
    /// A target, KEY<=VALUE: `<workload>.p95` (or .p50, .max), `p95` (all queries),
    /// `staleness`, `cost` (USD), `rejected` (queries turned away); e.g. "analysts.p95<=60s",
    /// "staleness<=15m". Repeatable; at least one.
    #[arg(long = "target", required = true, value_name = "KEY<=VALUE", value_parser = parse_target)]
    targets: Vec<redshift_cost_core::plan::Target>,
    /// Replace a dimension of the search space (the sweep syntax):
    /// serverless.base_rpu, serverless.max_rpu or zero_etl.refresh_interval.
    #[arg(long = "space", value_name = "KEY=VALUES", value_parser = parse_param)]
    space: Vec<Param>,
    /// Bill under this metering rule instead of the scenario's.
    #[arg(long, value_enum, value_name = "RULE")]
    metering: Option<PlanMeteringArg>,
    /// Budget in USD (replaces `budget_usd`); exit 3 when the pick is over it.
    #[arg(long, value_name = "USD", value_parser = parse_budget)]
    budget: Option<f64>,
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = PlanFormatArg::Table)]
    format: PlanFormatArg,
    #[command(flatten)]
    output: OutputArgs,
    /// Draw the cost/latency frontier of the candidates, the pick marked, to FILE.
    #[arg(long, value_name = "FILE.svg|FILE.png", value_parser = chart_path)]
    chart: Option<PathBuf>,
    #[command(flatten)]
    pricing: PriceArgs,
}

#[derive(Debug, Args)]
struct ForecastArgs {
    /// The scenario file to forecast (its [growth] table says how it grows).
    #[arg(value_name = "SCENARIO")]
    scenario_file: PathBuf,
    /// Months to forecast, from 1 to 120.
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = parse_months)]
    months: u32,
    /// Monte Carlo runs a month: adds each month's P5–P95 (see estimate --runs).
    #[arg(long, value_name = "N", value_parser = parse_runs)]
    runs: Option<usize>,
    /// Budget in USD for the whole forecast; exit 3 when the cumulative cost passes it.
    #[arg(long, value_name = "USD", value_parser = parse_budget)]
    budget: Option<f64>,
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,
    #[command(flatten)]
    output: OutputArgs,
    /// Draw monthly and cumulative cost (with the runs' P5–P95 band) to FILE.
    #[arg(long, value_name = "FILE.svg|FILE.png", value_parser = chart_path)]
    chart: Option<PathBuf>,
    #[command(flatten)]
    pricing: PriceArgs,
}

/// The most months `forecast` accepts.
pub(crate) const MAX_FORECAST_MONTHS: u32 = 120;

fn parse_months(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_FORECAST_MONTHS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number of months from 1 to {MAX_FORECAST_MONTHS}, found `{s}`"
        )),
    }
}

fn parse_target(s: &str) -> Result<redshift_cost_core::plan::Target, String> {
    redshift_cost_core::plan::parse_target(s)
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// Scenario files or directories of *.toml scenarios.
    #[arg(required = true, value_name = "DIR_OR_FILES")]
    inputs: Vec<PathBuf>,
    /// The report folder to write: it must be absent, empty or an earlier report of this
    /// tool, and is then replaced as a whole, atomically.
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,
    /// Write into a --out folder that holds other files: the report's files are written
    /// (each atomically) beside them; nothing the tool did not write is deleted.
    #[arg(long)]
    force: bool,
    /// A previous report's summary.json: adds month-over-month deltas.
    #[arg(long, value_name = "OLD/summary.json")]
    baseline: Option<PathBuf>,
    /// Budget in USD for every scenario (replaces `budget_usd`); exit 3 when exceeded.
    #[arg(long, value_name = "USD", value_parser = parse_budget)]
    budget: Option<f64>,
    /// Also print the report's PR comment (comment.md: Markdown under GitHub's 65,536
    /// characters, one <details> per scenario) to stdout.
    #[arg(long)]
    comment: bool,
    #[command(flatten)]
    scenario: ScenarioArgs,
    #[command(flatten)]
    window: WindowArgs,
    #[command(flatten)]
    runs: RunsArgs,
    #[command(flatten)]
    pricing: PriceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormatArg {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// OLD.json NEW.json: two estimate reports (`estimate --format json`, or a report's
    /// summary.json). With --terraform: the scenario files the plan's resources carry.
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// A Terraform plan (`terraform show -json PLAN`): the scenarios priced before and
    /// after it, line by line; exit 3 when the after side is over budget.
    #[arg(long, value_name = "PLAN.json")]
    terraform: Option<PathBuf>,
    /// Show the lines that did not change too (hidden by default in the table and
    /// Markdown; JSON has every line).
    #[arg(long)]
    all: bool,
    /// With --terraform: a budget in USD for every scenario (replaces `budget_usd`).
    #[arg(long, value_name = "USD", value_parser = parse_budget, requires = "terraform")]
    budget: Option<f64>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = DiffFormatArg::Table)]
    format: DiffFormatArg,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    scenario: ScenarioArgs,
    #[command(flatten)]
    pricing: PriceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ObserveFormatArg {
    /// Tables for terminals.
    Table,
    /// JSON, numbers unrounded.
    Json,
}

#[derive(Debug, Args)]
struct ObserveArgs {
    /// The Serverless workgroup whose CloudWatch metrics to read.
    #[arg(long, value_name = "NAME", required_unless_present_any = ["cluster", "bill"])]
    workgroup: Option<String>,
    /// Read the bill from Cost Explorer (ce:GetCostAndUsage): Amazon Redshift in --region,
    /// by usage type and day; with --workgroup, beside CloudWatch's compute.
    #[arg(long)]
    bill: bool,
    /// Only the costs with this cost-allocation tag (with --bill).
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_tag, requires = "bill")]
    cost_tag: Option<(String, String)>,
    /// The namespace, for DataStorage (found from the workgroup's metrics when left out).
    #[arg(long, value_name = "NAME")]
    namespace: Option<String>,
    /// AWS region (default: the standard chain: AWS_REGION, the profile).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Whole UTC days to look back (1 to 455).
    #[arg(
        long,
        default_value_t = crate::sources::cloudwatch::plan::DEFAULT_DAYS,
        value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::sources::cloudwatch::plan::MAX_DAYS))
    )]
    days: u32,
    /// The window ends at 00:00 UTC of this date, exclusive (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    end: Option<NaiveDate>,
    /// A zero-ETL integration: IntegrationLag p50 and p95.
    #[arg(long, value_name = "ID")]
    integration: Option<String>,
    /// A provisioned cluster: ConcurrencyScalingSeconds and
    /// RedshiftManagedStorageTotalCapacity.
    #[arg(long, value_name = "ID")]
    cluster: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ObserveFormatArg::Table)]
    format: ObserveFormatArg,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    pricing: PriceArgs,
}

#[derive(Debug, Clone, Args)]
struct HistoryArgs {
    #[command(subcommand)]
    what: HistoryWhat,
}

#[derive(Debug, Clone, Subcommand)]
enum HistoryWhat {
    /// SYS_QUERY_HISTORY as a trace CSV (`arrival_s,duration_s,class`) for `trace =` in a
    /// scenario; result-cache hits are skipped and counted.
    Queries {
        #[command(flatten)]
        common: HistoryCommon,
        /// What a query's class is: its query_type, its user_id, or its query_label.
        #[arg(long, value_enum, default_value_t = ClassByArg::QueryType)]
        class_by: ClassByArg,
    },
    /// SYS_SERVERLESS_USAGE: the exact billed RPU-seconds of the window, day by day, and
    /// the minimum-charge overhead; with --scenario, which metering rule it follows.
    Usage {
        #[command(flatten)]
        common: HistoryCommon,
        /// A scenario of this workgroup: simulated under each metering rule and held
        /// against the observed overhead.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
    },
    /// SYS_INTEGRATION_ACTIVITY: each zero-ETL integration's refresh cadence and
    /// duration, and a suggested [zero_etl] (sync_duration, apply_mb_per_second).
    Refreshes {
        #[command(flatten)]
        common: HistoryCommon,
    },
}

#[derive(Debug, Clone, Args)]
struct HistoryCommon {
    /// The Serverless workgroup to run the statements on.
    #[arg(long, value_name = "NAME")]
    workgroup: String,
    /// The database to connect to.
    #[arg(long, value_name = "NAME")]
    database: String,
    /// A Secrets Manager secret with the database credentials (default: temporary
    /// credentials of the caller's IAM identity).
    #[arg(long, value_name = "ARN")]
    secret_arn: Option<String>,
    /// AWS region (default: the standard chain).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Whole UTC days to look back (the system views keep about 7).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=31))]
    days: u32,
    /// The window ends at 00:00 UTC of this date, exclusive (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    end: Option<NaiveDate>,
    /// How long a statement may run before it is cancelled and the run fails.
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = parse_duration_arg)]
    max_wait: f64,
    /// Output format (usage and refreshes; queries always write the trace CSV).
    #[arg(long, short, value_enum, default_value_t = ObserveFormatArg::Table)]
    format: ObserveFormatArg,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ClassByArg {
    QueryType,
    User,
    Label,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PricesFormatArg {
    /// One table per region (and one of its reserved terms).
    Table,
    /// Every price with its name, unit, source and date.
    Json,
}

#[derive(Debug, Args)]
struct PricesArgs {
    /// Region to show (repeatable). Default: $AWS_REGION, else $AWS_DEFAULT_REGION, else
    /// us-east-1.
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = PricesFormatArg::Table)]
    format: PricesFormatArg,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    pricing: PriceArgs,
}

// ---------------------------------------------------------------------------------------
// Value parsers

/// A duration on the command line: seconds or `"90s"`, `"15m"`, `"2d"`.
fn parse_duration_arg(s: &str) -> Result<f64, String> {
    parse_duration(s).map_err(|e| format!("{e} (e.g. 15m, 1h, 2d)"))
}

fn chart_path(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    match crate::report::charts::ChartFormat::from_path(&p) {
        Some(_) => Ok(p),
        None => Err(format!("`{s}`: a chart file must end in .svg or .png")),
    }
}

/// The most Monte Carlo runs `--runs` accepts (each is a whole simulated month).
pub(crate) const MAX_RUNS: usize = 100_000;

fn parse_runs(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_RUNS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number of runs from 1 to {MAX_RUNS}, found `{s}`"
        )),
    }
}

fn parse_quantile(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(q) if q > 0.0 && q < 1.0 => Ok(q),
        _ => Err(format!(
            "expected a quantile between 0 and 1 (e.g. 0.95), found `{s}`"
        )),
    }
}

fn parse_budget(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "expected a non-negative amount of USD, found `{s}`"
        )),
    }
}

/// A region code: lowercase letters, digits and dashes, e.g. `us-east-1`.
fn parse_region_code(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.contains('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not a region code such as us-east-1"))
    }
}

/// `KEY=VALUE`, both non-empty.
fn parse_tag(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
            Ok((k.trim().to_string(), v.trim().to_string()))
        }
        _ => Err(format!("expected KEY=VALUE, found `{s}`")),
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("expected a date like 2026-11-01, found `{s}`"))
}

// ---------------------------------------------------------------------------------------
// Entry points

/// A parsed command line, ready to run.
pub struct Invocation {
    cli: Cli,
}

/// Parses the process's arguments; `Err` with the exit code once clap has printed the
/// usage error (2) or the help or version (0).
pub fn parse() -> Result<Invocation, ExitCode> {
    use clap::{CommandFactory, FromArgMatches};
    // The version says what the figures rest on: the commit, the billing model and the
    // bundled prices' date.
    match Cli::command()
        .version(version())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => Ok(Invocation { cli }),
        Err(e) => {
            let _ = e.print();
            Err(ExitCode::from(if e.use_stderr() { 2 } else { 0 }))
        }
    }
}

/// The billing model the engine implements (docs/model.md).
pub(crate) use redshift_cost_core::BILLING_MODEL;

/// `0.1.0 (commit 1a2b3c4d5e6f, billing model v2, bundled prices 2025-03-19)`, made once.
pub(crate) fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        format!(
            "{} (commit {}, billing model {BILLING_MODEL}, bundled prices {})",
            env!("CARGO_PKG_VERSION"),
            env!("REDSHIFT_COST_COMMIT"),
            crate::sources::prices::bundled::bundled().as_of
        )
    })
}

/// Whether stderr gets colour under `choice`.
fn colored(choice: ColorArg) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// The completion script for `shell`, or the man page: documents of the command line
/// itself, generated from it.
fn generated(command: &Command) -> Option<Result<Vec<u8>, crate::error::Error>> {
    use clap::CommandFactory;
    let mut cmd = Cli::command().version(version());
    match command {
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "redshift-cost", &mut out);
            Some(Ok(out))
        }
        Command::Schema { markdown } => Some(Ok(if *markdown {
            crate::scenario::keys::reference().into_bytes()
        } else {
            let mut out =
                serde_json::to_vec_pretty(&crate::scenario::keys::schema()).unwrap_or_default();
            out.push(b'\n');
            out
        })),
        Command::Man => {
            let mut out = Vec::new();
            Some(
                clap_mangen::Man::new(cmd)
                    .render(&mut out)
                    .map(|()| out)
                    .map_err(|e| crate::error::Error::Failure(e.into())),
            )
        }
        _ => None,
    }
}

/// Checks the invocation into its command's `Config`, runs it on `runtime`, prints the
/// warnings and notes once, grouped, and then the error, if any; returns the exit code.
pub fn run(invocation: Invocation, runtime: &AsyncRuntime) -> ExitCode {
    let cli = invocation.cli;
    let color = colored(cli.color);
    if let Some(document) = generated(&cli.command) {
        return match document
            .and_then(|d| crate::output::write_output(None, &d).map_err(Into::into))
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{}", e.render());
                ExitCode::from(e.exit_code())
            }
        };
    }
    let mut messages = Messages::default();
    messages.set_quiet(cli.quiet);
    let result = config::config(&cli).and_then(|c| {
        use std::io::IsTerminal;
        if c.prints_to_stdout() && std::io::stdout().is_terminal() {
            crate::report::table::fit_to_terminal();
        }
        commands::run(&c, runtime, &mut messages)
    });
    messages.print(
        color,
        &Words {
            warning: crate::report::messages::warning,
            note: crate::report::messages::note,
        },
    );
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            let text = e.render();
            eprintln!(
                "{}",
                if color {
                    crate::output::paint(&text)
                } else {
                    text
                }
            );
            ExitCode::from(e.exit_code())
        }
    }
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Csv => Format::Csv,
        }
    }
}

impl From<SweepFormatArg> for commands::sweep::SweepFormat {
    fn from(f: SweepFormatArg) -> commands::sweep::SweepFormat {
        match f {
            SweepFormatArg::Table => commands::sweep::SweepFormat::Table,
            SweepFormatArg::Json => commands::sweep::SweepFormat::Json,
            SweepFormatArg::Csv => commands::sweep::SweepFormat::Csv,
        }
    }
}

impl From<DiffFormatArg> for DiffFormat {
    fn from(f: DiffFormatArg) -> DiffFormat {
        match f {
            DiffFormatArg::Table => DiffFormat::Table,
            DiffFormatArg::Markdown => DiffFormat::Markdown,
            DiffFormatArg::Json => DiffFormat::Json,
        }
    }
}

impl From<ObserveFormatArg> for ObserveFormat {
    fn from(f: ObserveFormatArg) -> ObserveFormat {
        match f {
            ObserveFormatArg::Table => ObserveFormat::Table,
            ObserveFormatArg::Json => ObserveFormat::Json,
        }
    }
}

impl From<PricesFormatArg> for PricesFormat {
    fn from(f: PricesFormatArg) -> PricesFormat {
        match f {
            PricesFormatArg::Table => PricesFormat::Table,
            PricesFormatArg::Json => PricesFormat::Json,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// clap's own consistency checks of every argument and command.
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn region_codes() {
        assert_eq!(parse_region_code("eu-central-1").unwrap(), "eu-central-1");
        assert!(parse_region_code("EU").is_err());
        assert!(parse_region_code("us east 1").is_err());
    }

    #[test]
    fn budgets_are_non_negative_dollars() {
        assert_eq!(parse_budget(" 12.5 ").unwrap(), 12.5);
        assert!(parse_budget("-1").is_err());
        assert!(parse_budget("NaN").is_err());
    }
}
