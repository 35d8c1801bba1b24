//! Every key of a scenario file, once: its section, type, default, range and what it
//! means. The decoder's key lists are checked against this table (a test), and from it
//! come `redshift-cost schema` (a JSON Schema for editors: Taplo, Even Better TOML) and
//! docs/scenario-keys.md (checked by a test, so it never drifts).

use serde_json::{json, Map, Value};

/// What a key takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Ty {
    Str,
    /// `true` or `false`.
    Bool,
    /// A number with optional bounds (inclusive).
    Number(Option<f64>, Option<f64>),
    Integer(Option<f64>, Option<f64>),
    /// Seconds, or a duration string (`"45s"`, `"3m"`, `"1h30m"`, `"30d"`).
    Duration,
    /// A number >= 0, or a range `{ p5, p95 }`.
    Amount,
    /// A duration, or a range of durations.
    DurationAmount,
    /// A duration, or `{ median, p95 }`.
    DurationSpread,
    Choice(&'static [&'static str]),
    /// `"HH:MM-HH:MM"`.
    Window,
    /// `"YYYY-MM-DD"`.
    Date,
    /// `"YYYY-MM"`.
    Month,
    /// A `[section]` table.
    Table,
    /// `[[section]]`, any number.
    Tables,
    /// `[section]` or `[[section]]`.
    TableOrTables,
    /// A duration (`"30d"`) or a `[period]` table.
    DurationOrTable,
    /// A number, or a table of numbers by name.
    NumberOrMap,
}

/// One key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Key {
    /// `""` for the top level, `serverless`, `serverless.usage_limit`, `workload`, ...
    pub(crate) section: &'static str,
    pub(crate) name: &'static str,
    pub(crate) ty: Ty,
    pub(crate) default: Option<&'static str>,
    /// Pipeline keys: the `type`s they belong to (empty: every type).
    pub(crate) only: &'static [&'static str],
    pub(crate) doc: &'static str,
}

const fn key(
    section: &'static str,
    name: &'static str,
    ty: Ty,
    default: Option<&'static str>,
    doc: &'static str,
) -> Key {
    Key {
        section,
        name,
        ty,
        default,
        only: &[],
        doc,
    }
}

const fn pipe(
    name: &'static str,
    ty: Ty,
    default: Option<&'static str>,
    only: &'static [&'static str],
    doc: &'static str,
) -> Key {
    Key {
        section: "pipeline",
        name,
        ty,
        default,
        only,
        doc,
    }
}

const NONNEG: Ty = Ty::Number(Some(0.0), None);
const POSITIVE: Ty = Ty::Number(Some(f64::MIN_POSITIVE), None);
const TERMS: &[&str] = &[
    "1yr-no-upfront",
    "1yr-partial-upfront",
    "1yr-all-upfront",
    "3yr-no-upfront",
    "3yr-partial-upfront",
    "3yr-all-upfront",
];
const SERVERLESS_TERMS: &[&str] = &[
    "1yr-no-upfront",
    "1yr-all-upfront",
    "3yr-no-upfront",
    "3yr-all-upfront",
];
const NODE_TYPES: &[&str] = &[
    "ra3.large",
    "ra3.xlplus",
    "ra3.4xlarge",
    "ra3.16xlarge",
    "dc2.large",
    "dc2.8xlarge",
];
const LAMBDA: &[&str] = &["lambda-extract"];
const SAGEMAKER: &[&str] = &["sagemaker-processing"];
const DATA_API: &[&str] = &["data-api"];

/// The table.
pub(crate) const KEYS: &[Key] = &[
    key("", "name", Ty::Str, None, "The scenario's name, as reports show it (required)."),
    key("", "region", Ty::Str, None, "The AWS region code priced, e.g. `us-east-1` (required)."),
    key("", "period", Ty::DurationOrTable, Some("730h"), "The simulated period: a duration (`30d`) or a `[period]` table."),
    key("", "budget_usd", NONNEG, None, "Budget for the period in USD: exit 3 when the estimate is over it."),
    key("", "timezone", Ty::Str, Some("UTC"), "IANA time zone (`Europe/Dublin`) that `window` and `days` are read in, daylight saving time included."),
    key("", "seed", Ty::Integer(Some(0.0), None), Some("1"), "Where Monte Carlo runs (`--runs`) draw their ranges from."),
    key("", "terraform_address", Ty::Str, None, "The Terraform resource this scenario models (`--terraform`)."),
    key("", "cloudformation_resource", Ty::Str, None, "The logical ID of the template resource this scenario models (`--cloudformation`)."),
    key("", "serverless", Ty::Table, None, "A Redshift Serverless workgroup."),
    key("", "workload", Ty::Tables, None, "A workload: queries or jobs, generated or replayed from a trace."),
    key("", "zero_etl", Ty::Table, None, "A zero-ETL integration into the warehouse."),
    key("", "storage", Ty::Table, None, "Managed storage and user snapshots."),
    key("", "prices", Ty::Table, None, "Price overrides in USD (shown as `override`)."),
    key("", "observed", Ty::Table, None, "A CloudWatch window to compare the model with (`estimate --calibrate`)."),
    key("", "provisioned", Ty::Table, None, "A provisioned cluster (with `[serverless]` too: the alternative compared)."),
    key("", "spectrum", Ty::Table, None, "Redshift Spectrum queries on S3 data."),
    key("", "data_sharing", Ty::Table, None, "Cross-region data sharing: this region consumes."),
    key("", "snapshots", Ty::Table, None, "Automated snapshots and cross-region copies."),
    key("", "ml", Ty::Table, None, "Redshift ML CREATE MODEL trainings (SageMaker Autopilot)."),
    key("", "pipeline", Ty::Tables, None, "A pipeline around the warehouse: `lambda-extract`, `sagemaker-processing` or `data-api`."),
    key("", "growth", Ty::Table, None, "How storage and workloads grow month by month, for `forecast`."),
    key("period", "length", Ty::Duration, Some("730h"), "The period's length, at most 366 days."),
    key("period", "start", Ty::Date, Some("2026-01-05"), "The period's first day (decides which days are weekdays)."),
    key("serverless", "base_rpu", Ty::Number(Some(4.0), Some(1024.0)), None, "Base capacity: 4, or 8 to 512 in steps of 8, or 512 to 1024 in steps of 32 (required)."),
    key("serverless", "max_rpu", Ty::Number(Some(4.0), Some(5632.0)), Some("5632"), "Max capacity, at least base_rpu."),
    key("serverless", "reserved_rpu", POSITIVE, None, "A Serverless reservation: RPUs billed every hour of the period at the reserved rate."),
    key("serverless", "reservation", Ty::Choice(SERVERLESS_TERMS), Some("1yr-no-upfront"), "The reservation's term."),
    key("serverless", "metering", Ty::Choice(&["busy-period", "per-minute"]), Some("busy-period"), "How the 60-second minimum applies (AWS does not document it)."),
    key("serverless", "usage_limit", Ty::TableOrTables, None, "A usage limit on compute RPU-hours (`[[serverless.usage_limit]]` for several)."),
    key("serverless.usage_limit", "rpu_hours", POSITIVE, None, "RPU-hours per limit period (required)."),
    key("serverless.usage_limit", "period", Ty::Choice(&["daily", "weekly", "monthly"]), Some("monthly"), "UTC days, weeks from Monday, or the whole period."),
    key("serverless.usage_limit", "action", Ty::Choice(&["log", "emit-metric", "deactivate"]), Some("log"), "The breach action; deactivate turns user queries away until the next period."),
    key("workload", "name", Ty::Str, None, "The workload's name, unique (required)."),
    key("workload", "per_day", Ty::Amount, None, "Jobs a day, or a range `{ p5, p95 }`."),
    key("workload", "users", Ty::Amount, None, "Users (with queries_per_user_per_day), or a range."),
    key("workload", "queries_per_user_per_day", Ty::Amount, None, "Queries a user a day (with users), or a range."),
    key("workload", "duration", Ty::DurationSpread, None, "Solo run time, or `{ median, p95 }` (log-normal, one draw per job)."),
    key("workload", "rpu", POSITIVE, Some("base_rpu"), "RPUs a job asks for."),
    key("workload", "window", Ty::Window, Some("00:00-24:00"), "The daily window jobs arrive in; may run past midnight."),
    key("workload", "days", Ty::Choice(&["all", "weekdays"]), Some("all"), "The days jobs arrive on."),
    key("workload", "arrival", Ty::Choice(&["even", "poisson"]), Some("even"), "Evenly spaced, or a seeded Poisson process."),
    key("workload", "seed", Ty::Integer(Some(0.0), None), Some("1"), "Seed of Poisson arrivals and drawn durations."),
    key("workload", "trace", Ty::Str, None, "A CSV trace to replay (`arrival_s,duration_s[,rpu][,class]`), relative to the scenario."),
    key("workload", "every", Ty::DurationAmount, None, "A periodic job instead of per_day, or a range of periods."),
    key("workload", "offset", Ty::Duration, Some("0"), "Shifts a periodic job: every 15m with offset 2m runs at :02, :17, ..."),
    key("zero_etl", "source", Ty::Choice(&["aurora-mysql", "aurora-postgresql", "rds-mysql", "dynamodb"]), None, "The integration's source (required)."),
    key("zero_etl", "refresh_interval", Ty::Duration, Some("0 (DynamoDB 900)"), "REFRESH_INTERVAL, 0 to 432000 s (DynamoDB 900 to 432000); 0 is continuous replication."),
    key("zero_etl", "sync_duration", Ty::Duration, Some("60s"), "The fixed part of each refresh."),
    key("zero_etl", "sync_rpu", POSITIVE, Some("base_rpu"), "RPUs a refresh asks for."),
    key("zero_etl", "change_mb_per_hour", POSITIVE, None, "Source changes a hour (with apply_mb_per_second): each refresh applies its interval's changes."),
    key("zero_etl", "apply_mb_per_second", POSITIVE, None, "How fast a refresh applies changes at sync_rpu."),
    key("storage", "managed_gb", Ty::Amount, Some("0"), "Redshift Managed Storage, GB, or a range."),
    key("storage", "snapshot_gb", Ty::Amount, Some("0"), "User snapshots, GB (tiered backup rates), or a range."),
    key("prices", "rpu_hour", NONNEG, None, "USD per RPU-hour."),
    key("prices", "managed_storage_gb_month", NONNEG, None, "USD per GB-month of managed storage."),
    key("prices", "backup_gb_month", NONNEG, None, "USD per GB-month of backup storage."),
    key("prices", "node_hour", Ty::NumberOrMap, None, "USD per node-hour, or a table by node type (`\"ra3.4xlarge\" = 3.26`)."),
    key("prices", "concurrency_scaling_node_second", NONNEG, None, "USD per node-second of concurrency scaling."),
    key("prices", "spectrum_tb", NONNEG, None, "USD per TB scanned by Spectrum."),
    key("prices", "athena_tb", NONNEG, None, "USD per TB scanned by Athena (comparison line)."),
    key("prices", "inter_region_gb", NONNEG, None, "USD per GB transferred across regions."),
    key("prices", "copy_backup_gb_month", NONNEG, None, "USD per GB-month of copied backups in the other region."),
    key("prices", "ml_million_cells", NONNEG, None, "USD per million cells of Redshift ML training."),
    key("prices", "s3_gb_month", NONNEG, None, "USD per GB-month of S3 Standard."),
    key("prices", "lambda_request", NONNEG, None, "USD per Lambda request."),
    key("prices", "lambda_gb_second", NONNEG, None, "USD per Lambda GB-second."),
    key("prices", "sagemaker_instance_hour", Ty::NumberOrMap, None, "USD per SageMaker instance-hour, or a table by instance type."),
    key("observed", "workgroup", Ty::Str, None, "The workgroup whose CloudWatch metrics are read (required)."),
    key("observed", "namespace", Ty::Str, None, "Its namespace, for storage metrics."),
    key("observed", "days", Ty::Integer(Some(1.0), Some(455.0)), Some("30"), "Days read back from `end`."),
    key("observed", "end", Ty::Date, Some("today"), "The window's last day."),
    key("observed", "integration_id", Ty::Str, None, "A zero-ETL integration whose lag is read."),
    key("observed", "bill", Ty::Bool, Some("false"), "Also read the window's bill from Cost Explorer (ce:GetCostAndUsage): model vs CloudWatch vs bill per line and day, and which metering rule the bill follows (set under `--calibrate`)."),
    key("observed", "cost_tag", Ty::Str, None, "`KEY=VALUE`: read only the costs with this cost-allocation tag (with `bill = true`)."),
    key("provisioned", "node_type", Ty::Choice(NODE_TYPES), None, "The node type (required)."),
    key("provisioned", "nodes", Ty::Integer(Some(1.0), Some(128.0)), None, "Nodes (required)."),
    key("provisioned", "hours_per_day", Ty::Number(Some(0.0), Some(24.0)), Some("24"), "Hours a day the cluster runs; paused hours are free but for storage."),
    key("provisioned", "days_per_week", Ty::Integer(Some(0.0), Some(7.0)), Some("7"), "Days a week it runs, Monday first."),
    key("provisioned", "reservation", Ty::Choice(TERMS), Some("on demand"), "Reserved nodes' term."),
    key("provisioned", "concurrency_scaling_per_day", Ty::Duration, Some("0"), "Concurrency scaling a running day; 1 free hour a day, banked up to 30 h."),
    key("spectrum", "queries_per_day", Ty::Amount, None, "Spectrum queries a day, or a range (required)."),
    key("spectrum", "tb_per_day", Ty::Amount, None, "TB they scan a day together, or a range (required)."),
    key("spectrum", "scan_gb_per_second", POSITIVE, None, "Serverless only (required there): GB one query scans a second."),
    key("spectrum", "rpu", POSITIVE, Some("base_rpu"), "Serverless only: RPUs a scan asks for."),
    key("data_sharing", "queries_per_day", NONNEG, None, "Consumer queries a day (required)."),
    key("data_sharing", "tb_per_day", NONNEG, None, "TB they read a day across regions (required)."),
    key("data_sharing", "producer_region", Ty::Str, None, "The producer's region (required)."),
    key("snapshots", "automated_retention_days", Ty::Integer(Some(1.0), Some(35.0)), Some("1"), "Provisioned only: automated snapshot retention."),
    key("snapshots", "daily_change_gb", NONNEG, Some("0"), "Data changed a day (incremental snapshots)."),
    key("snapshots", "copy_region", Ty::Str, None, "Copy snapshots to this region."),
    key("snapshots", "copy_retention_days", Ty::Integer(Some(1.0), None), Some("automated_retention_days"), "Retention of the copies."),
    key("ml", "rows", POSITIVE, None, "Rows of the training data (required)."),
    key("ml", "columns", POSITIVE, None, "Columns of the training data (required)."),
    key("ml", "max_cells", POSITIVE, Some("1000000"), "MAX_CELLS: the data is sampled down to it."),
    key("ml", "trainings_per_month", NONNEG, None, "Trainings a month (required)."),
    key("ml", "staging_gb", NONNEG, Some("0"), "S3 staging data kept."),
    key("growth", "storage_gb_per_month", Ty::Number(None, None), None, "Managed storage added a month, GB."),
    key("growth", "storage_pct_per_month", Ty::Number(Some(-99.999), Some(100.0)), None, "Managed storage growth, percent a month, compounding."),
    key("growth", "workload_pct_per_month", Ty::NumberOrMap, Some("0"), "Workload growth, percent a month: every workload, or a table by name."),
    key("growth", "start", Ty::Month, Some("the period's start"), "Month 1 of the forecast (`2027-01`)."),
    pipe("name", Ty::Str, None, &[], "The pipeline's name, unique (required)."),
    pipe("type", Ty::Choice(&["lambda-extract", "sagemaker-processing", "data-api"]), None, &[], "What the pipeline is (required)."),
    pipe("rows", POSITIVE, None, LAMBDA, "Rows of the table extracted."),
    pipe("table_gb", NONNEG, None, LAMBDA, "Size of the table, GB."),
    pipe("page_rows", POSITIVE, Some("as many as fit in 6 MB"), LAMBDA, "Rows a Lambda page returns."),
    pipe("syncs_per_month", NONNEG, None, LAMBDA, "Syncs a month."),
    pipe("memory_mb", Ty::Number(Some(128.0), Some(10240.0)), Some("128"), LAMBDA, "Lambda memory."),
    pipe("invocation_duration", Ty::Duration, None, LAMBDA, "How long one invocation runs."),
    pipe("page_query_duration", Ty::Duration, Some("invocation_duration"), LAMBDA, "How long its page query keeps the warehouse busy."),
    pipe("rpu", POSITIVE, Some("base_rpu"), &["lambda-extract", "data-api"], "RPUs the pipeline's queries ask for."),
    pipe("architecture", Ty::Choice(&["x86", "arm"]), Some("x86"), LAMBDA, "Lambda architecture."),
    pipe("runs_per_month", NONNEG, None, SAGEMAKER, "Runs a month."),
    pipe("unload_gb", NONNEG, None, SAGEMAKER, "Data UNLOADed to S3 a run, GB."),
    pipe("unload_duration", Ty::Duration, None, SAGEMAKER, "How long the UNLOAD keeps the warehouse busy."),
    pipe("unload_rpu", POSITIVE, Some("base_rpu"), SAGEMAKER, "RPUs the UNLOAD asks for."),
    pipe("keep_runs", NONNEG, Some("1"), SAGEMAKER, "Runs' unloaded data kept in S3."),
    pipe("processing_instance", Ty::Str, None, SAGEMAKER, "SageMaker Processing instance type."),
    pipe("processing_instances", POSITIVE, Some("1"), SAGEMAKER, "Processing instances."),
    pipe("processing_hours", NONNEG, None, SAGEMAKER, "Processing hours a run."),
    pipe("training_instance", Ty::Str, None, SAGEMAKER, "SageMaker training instance type."),
    pipe("training_instances", POSITIVE, Some("1"), SAGEMAKER, "Training instances."),
    pipe("training_hours", NONNEG, None, SAGEMAKER, "Training hours a run."),
    pipe("per_day", NONNEG, None, DATA_API, "Statements a day."),
    pipe("users", NONNEG, None, DATA_API, "Users (with queries_per_user_per_day)."),
    pipe("queries_per_user_per_day", NONNEG, None, DATA_API, "Statements a user a day."),
    pipe("duration", Ty::DurationSpread, None, DATA_API, "Solo run time of a statement."),
    pipe("window", Ty::Window, Some("00:00-24:00"), DATA_API, "The daily window."),
    pipe("days", Ty::Choice(&["all", "weekdays"]), Some("all"), DATA_API, "The days."),
    pipe("arrival", Ty::Choice(&["even", "poisson"]), Some("even"), DATA_API, "Evenly spaced, or Poisson."),
    pipe("seed", Ty::Integer(Some(0.0), None), Some("1"), DATA_API, "Seed of Poisson arrivals."),
];

/// The keys of `section`, in table order.
#[cfg(test)]
pub(crate) fn names(section: &str) -> Vec<&'static str> {
    KEYS.iter()
        .filter(|k| k.section == section)
        .map(|k| k.name)
        .collect()
}

fn describe(k: &Key) -> String {
    match k.default {
        Some(d) => format!("{} Default: {d}.", k.doc),
        None => k.doc.to_string(),
    }
}

fn bounded(ty: &str, min: Option<f64>, max: Option<f64>) -> Value {
    let mut v = json!({ "type": ty });
    match min {
        // POSITIVE: above 0.
        Some(m) if m == f64::MIN_POSITIVE => v["exclusiveMinimum"] = json!(0),
        Some(m) => v["minimum"] = json!(m),
        None => {}
    }
    if let Some(m) = max {
        v["maximum"] = json!(m);
    }
    v
}

fn type_schema(ty: Ty, section_ref: &str) -> Value {
    let duration = json!({"anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": "^\\s*([0-9]+(\\.[0-9]+)?\\s*(ms|s|m|h|d)?\\s*)+$"}
    ]});
    match ty {
        Ty::Str => json!({"type": "string", "minLength": 1}),
        Ty::Bool => json!({"type": "boolean"}),
        Ty::Number(min, max) => bounded("number", min, max),
        Ty::Integer(min, max) => bounded("integer", min, max),
        Ty::Duration => duration,
        Ty::Amount => {
            json!({"anyOf": [{"type": "number", "minimum": 0}, {"$ref": "#/definitions/range"}]})
        }
        Ty::DurationAmount => {
            json!({"anyOf": [duration, {"$ref": "#/definitions/duration_range"}]})
        }
        Ty::DurationSpread => {
            json!({"anyOf": [duration, {"$ref": "#/definitions/duration_spread"}]})
        }
        Ty::Choice(values) => json!({"enum": values}),
        Ty::Window => {
            json!({"type": "string", "pattern": "^\\s*[0-9]{1,2}:[0-9]{2}\\s*-\\s*[0-9]{1,2}:[0-9]{2}\\s*$"})
        }
        Ty::Date => json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}),
        Ty::Month => json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}),
        Ty::Table => json!({"$ref": format!("#/definitions/{section_ref}")}),
        Ty::Tables => {
            json!({"type": "array", "items": {"$ref": format!("#/definitions/{section_ref}")}})
        }
        Ty::TableOrTables => json!({"anyOf": [
            {"$ref": format!("#/definitions/{section_ref}")},
            {"type": "array", "items": {"$ref": format!("#/definitions/{section_ref}")}}
        ]}),
        Ty::DurationOrTable => {
            json!({"anyOf": [duration, {"$ref": format!("#/definitions/{section_ref}")}]})
        }
        Ty::NumberOrMap => json!({"anyOf": [
            {"type": "number"},
            {"type": "object", "additionalProperties": {"type": "number"}}
        ]}),
    }
}

/// The object schema of one section.
fn section_schema(section: &str, title: &str) -> Value {
    let mut properties = Map::new();
    for k in KEYS.iter().filter(|k| k.section == section) {
        let child = if section.is_empty() {
            k.name.to_string()
        } else {
            format!("{section}.{}", k.name)
        };
        let mut v = type_schema(k.ty, &child.replace('.', "_"));
        v["description"] = json!(describe(k));
        if !k.only.is_empty() {
            v["description"] = json!(format!("{} (type {})", describe(k), k.only.join(", ")));
        }
        properties.insert(k.name.to_string(), v);
    }
    let required: Vec<&str> = KEYS
        .iter()
        .filter(|k| k.section == section && k.doc.ends_with("(required)."))
        .map(|k| k.name)
        .collect();
    json!({
        "title": title,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The JSON Schema (draft-07) of scenario files.
pub(crate) fn schema() -> Value {
    let mut definitions = Map::new();
    let mut sections: Vec<&str> = KEYS
        .iter()
        .map(|k| k.section)
        .filter(|s| !s.is_empty())
        .collect();
    sections.dedup();
    for s in sections {
        definitions.insert(s.replace('.', "_"), section_schema(s, &format!("[{s}]")));
    }
    definitions.insert(
        "range".into(),
        json!({"type": "object", "description": "A range: its 5th and 95th percentiles (log-normal through them).",
               "properties": {"p5": {"type": "number", "exclusiveMinimum": 0}, "p95": {"type": "number", "exclusiveMinimum": 0}},
               "required": ["p5", "p95"], "additionalProperties": false}),
    );
    let duration = type_schema(Ty::Duration, "");
    definitions.insert(
        "duration_range".into(),
        json!({"type": "object", "properties": {"p5": duration, "p95": duration},
               "required": ["p5", "p95"], "additionalProperties": false}),
    );
    definitions.insert(
        "duration_spread".into(),
        json!({"type": "object", "description": "A log-normal duration: its median and 95th percentile.",
               "properties": {"median": duration, "p95": duration},
               "required": ["median", "p95"], "additionalProperties": false}),
    );
    let mut root = section_schema("", "redshift-cost scenario");
    root["$schema"] = json!("http://json-schema.org/draft-07/schema#");
    root["$id"] = json!("https://redshift-cost.invalid/scenario.schema.json");
    root["description"] = json!("A redshift-cost scenario file (TOML), generated from the tool's key table by `redshift-cost schema`.");
    root["definitions"] = Value::Object(definitions);
    root
}

/// docs/scenario-keys.md: every key by section.
pub(crate) fn reference() -> String {
    let mut out = String::from(
        "# Scenario keys\n\nGenerated by `redshift-cost schema --markdown` from the tool's key table (a test keeps this file\nequal to it, and another the table equal to the keys the loader accepts).\n\n## In an editor\n\n`redshift-cost schema > scenario.schema.json` writes the JSON Schema of the same keys. With\nTaplo (the TOML language server behind Even Better TOML in VS Code, and in other editors), point\nscenario files at it in `.taplo.toml`:\n\n```toml\n[[rule]]\ninclude = [\"scenarios/**/*.toml\"]\nschema = { path = \"./scenario.schema.json\" }\n```\n\nor put `#:schema ./scenario.schema.json` on a scenario's first line. The editor then completes\nkeys, shows what each means, and flags unknown keys and values out of range as you type. The\nloader checks more than the schema can say (base_rpu's allowed steps, a trace's rows, ranges'\norder); `redshift-cost estimate` is the final word.\n",
    );
    let mut sections: Vec<&str> = KEYS.iter().map(|k| k.section).collect();
    sections.dedup();
    for s in sections {
        let heading = match s {
            "" => "Top level".to_string(),
            "workload" | "pipeline" => format!("`[[{s}]]`"),
            "serverless.usage_limit" => {
                "`[serverless.usage_limit]` or `[[serverless.usage_limit]]`".into()
            }
            other => format!("`[{other}]`"),
        };
        out.push_str(&format!(
            "\n## {heading}\n\n| key | takes | default | meaning |\n|---|---|---|---|\n"
        ));
        for k in KEYS.iter().filter(|k| k.section == s) {
            let takes = match k.ty {
                Ty::Str => "string".to_string(),
                Ty::Bool => "`true` or `false`".to_string(),
                Ty::Number(min, max) | Ty::Integer(min, max) => {
                    let what = if matches!(k.ty, Ty::Integer(..)) {
                        "integer"
                    } else {
                        "number"
                    };
                    match (min, max) {
                        (Some(a), Some(b)) => format!("{what}, {} to {}", trim(a), trim(b)),
                        (Some(a), None) if a == f64::MIN_POSITIVE => format!("{what} > 0"),
                        (Some(a), None) => format!("{what} ≥ {}", trim(a)),
                        _ => what.to_string(),
                    }
                }
                Ty::Duration => "duration".into(),
                Ty::Amount => "number ≥ 0 or `{ p5, p95 }`".into(),
                Ty::DurationAmount => "duration or `{ p5, p95 }`".into(),
                Ty::DurationSpread => "duration or `{ median, p95 }`".into(),
                Ty::Choice(v) => v
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                Ty::Window => "`\"HH:MM-HH:MM\"`".into(),
                Ty::Date => "`\"YYYY-MM-DD\"`".into(),
                Ty::Month => "`\"YYYY-MM\"`".into(),
                Ty::Table => "table".into(),
                Ty::Tables => "array of tables".into(),
                Ty::TableOrTables => "table or array of tables".into(),
                Ty::DurationOrTable => "duration or table".into(),
                Ty::NumberOrMap => "number, or table of numbers by name".into(),
            };
            let doc = if k.only.is_empty() {
                k.doc.to_string()
            } else {
                format!("{} (type `{}`)", k.doc, k.only.join("`, `"))
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                k.name,
                takes,
                k.default
                    .map_or_else(|| "—".to_string(), |d| format!("`{d}`")),
                doc.replace('|', "\\|")
            ));
        }
    }
    out
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
