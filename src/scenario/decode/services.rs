//! Decoding of the services around the warehouse: `[provisioned]`, `[serverless]` reservations,
//! `[spectrum]`, `[data_sharing]`, `[snapshots]`, `[ml]`, `[[pipeline]]` and their
//! `[prices]` keys. Same rules as the rest of the decoder: every error located, unknown
//! keys and values get a suggestion.

use super::{
    arrivals, fmt_num, format_duration, found, region, show, Ctx, DataSharing, InstanceUse,
    LambdaArch, LambdaExtract, Ml, Node, NodeType, Origin, Pipeline, PipelineKind, Provisioned,
    ReservedTerm, SagemakerProcessing, Seconds, Serverless, ServerlessReservation,
    ServicePriceOverrides, Snapshots, Spectrum, Storage, Table, Value, ZeroEtl, SECONDS_PER_DAY,
};
use redshift_cost_core::uncertainty::Sets;
use std::collections::BTreeMap;

pub(super) const PROVISIONED_KEYS: &[&str] = &[
    "node_type",
    "nodes",
    "hours_per_day",
    "days_per_week",
    "reservation",
    "concurrency_scaling_per_day",
];
pub(super) const SPECTRUM_KEYS: &[&str] =
    &["queries_per_day", "tb_per_day", "scan_gb_per_second", "rpu"];
pub(super) const DATA_SHARING_KEYS: &[&str] = &["queries_per_day", "tb_per_day", "producer_region"];
pub(super) const SNAPSHOTS_KEYS: &[&str] = &[
    "automated_retention_days",
    "daily_change_gb",
    "copy_region",
    "copy_retention_days",
];
pub(super) const ML_KEYS: &[&str] = &[
    "rows",
    "columns",
    "max_cells",
    "trainings_per_month",
    "staging_gb",
];
const PIPELINE_COMMON_KEYS: &[&str] = &["name", "type"];
pub(super) const LAMBDA_KEYS: &[&str] = &[
    "name",
    "type",
    "rows",
    "table_gb",
    "page_rows",
    "syncs_per_month",
    "memory_mb",
    "invocation_duration",
    "page_query_duration",
    "rpu",
    "architecture",
];
pub(super) const SAGEMAKER_KEYS: &[&str] = &[
    "name",
    "type",
    "runs_per_month",
    "unload_gb",
    "unload_duration",
    "unload_rpu",
    "keep_runs",
    "processing_instance",
    "processing_instances",
    "processing_hours",
    "training_instance",
    "training_instances",
    "training_hours",
];
pub(super) const DATA_API_KEYS: &[&str] = &[
    "name",
    "type",
    "per_day",
    "users",
    "queries_per_user_per_day",
    "duration",
    "rpu",
    "window",
    "days",
    "arrival",
    "seed",
];

/// Redshift ML's default MAX_CELLS.
pub(super) const DEFAULT_MAX_CELLS: f64 = 1_000_000.0;
/// Lambda's synchronous response payload limit (6 MB), bytes.
pub(super) const LAMBDA_PAYLOAD_BYTES: f64 = 6.0 * 1024.0 * 1024.0;
/// Lambda's longest timeout, seconds.
pub(super) const LAMBDA_MAX_SECONDS: Seconds = 900.0;
/// Bytes in a GB (binary, like the storage tiers).
pub(super) const BYTES_PER_GB: f64 = 1024.0 * 1024.0 * 1024.0;
/// Automated snapshot retention range, days.
const RETENTION_DAYS: (u32, u32) = (1, 35);

const WAREHOUSE_HELP: &str = "add `[serverless]` with `base_rpu = 8` (a workgroup) or `[provisioned]` with `node_type` and `nodes` (a cluster)";

/// The decoded services around the warehouse.
#[derive(Default)]
pub(super) struct Services {
    pub provisioned: Option<Provisioned>,
    pub serverless_reservation: Option<ServerlessReservation>,
    pub spectrum: Option<Spectrum>,
    pub data_sharing: Option<DataSharing>,
    pub snapshots: Option<Snapshots>,
    pub ml: Option<Ml>,
    pub pipelines: Vec<Pipeline>,
}

/// `[[workload]]` or `[zero_etl]` without any warehouse to run on.
pub(super) fn needs_a_warehouse(
    ctx: &mut Ctx<'_>,
    workload_origin: Option<&Origin>,
    zero_etl_node: Option<&Node>,
) {
    let needed_by = workload_origin
        .map(|o| (o, "[[workload]]"))
        .or(zero_etl_node.map(|n| (&n.origin, "[zero_etl]")));
    if let Some((origin, what)) = needed_by {
        let d = ctx
            .diag(
                origin,
                format!("{what} needs a [serverless] or [provisioned] section"),
            )
            .help(WAREHOUSE_HELP);
        ctx.push(d);
    }
}

/// A whole number in `[lo, hi]`.
fn whole(ctx: &mut Ctx<'_>, key: &str, node: &Node, lo: u32, hi: u32) -> Option<u32> {
    let v = ctx.number(key, node)?;
    if v.fract() != 0.0 || v < f64::from(lo) || v > f64::from(hi) {
        ctx.error(
            &node.origin,
            format!(
                "{key} must be a whole number from {lo} to {hi}; found {}",
                fmt_num(v)
            ),
        );
        return None;
    }
    Some(v as u32)
}

fn opt_positive(ctx: &mut Ctx<'_>, t: &Table, key: &str) -> Option<f64> {
    t.get(key).and_then(|n| ctx.positive(key, n))
}

/// A SageMaker instance type: a string starting with `ml.`.
fn instance_type(ctx: &mut Ctx<'_>, key: &str, node: &Node) -> Option<String> {
    let s = ctx.nonempty_string(key, node)?;
    if !s.starts_with("ml.") {
        let d = ctx
            .diag(
                &node.origin,
                format!("{key}: \"{}\" is not a SageMaker instance type", show(s)),
            )
            .help("SageMaker instance types start with `ml.`, e.g. \"ml.m5.xlarge\"");
        ctx.push(d);
        return None;
    }
    Some(s.to_string())
}

/// The `[prices]` keys of the services around the warehouse (the table's keys are already checked).
pub(super) fn price_overrides(ctx: &mut Ctx<'_>, t: &Table) -> ServicePriceOverrides {
    let mut sagemaker = BTreeMap::new();
    if let Some(node) = t.get("sagemaker_instance_hour") {
        if let Some(table) = ctx.table("sagemaker_instance_hour", node) {
            for e in &table.entries {
                if !e.key.starts_with("ml.") {
                    let d = ctx
                        .diag(
                            &e.key_origin,
                            format!(
                                "`{}` in [prices.sagemaker_instance_hour] is not a SageMaker instance type",
                                show(&e.key)
                            ),
                        )
                        .help("write e.g. `\"ml.m5.xlarge\" = 0.23`");
                    ctx.push(d);
                    continue;
                }
                if let Some(v) = ctx.non_negative(&e.key, &e.node) {
                    sagemaker.insert(e.key.clone(), v);
                }
            }
        }
    }
    ServicePriceOverrides {
        node_hour: ctx.opt_non_negative(t, "node_hour"),
        concurrency_scaling_node_second: ctx.opt_non_negative(t, "concurrency_scaling_node_second"),
        spectrum_tb: ctx.opt_non_negative(t, "spectrum_tb"),
        athena_tb: ctx.opt_non_negative(t, "athena_tb"),
        inter_region_gb: ctx.opt_non_negative(t, "inter_region_gb"),
        copy_backup_gb_month: ctx.opt_non_negative(t, "copy_backup_gb_month"),
        ml_million_cells: ctx.opt_non_negative(t, "ml_million_cells"),
        s3_gb_month: ctx.opt_non_negative(t, "s3_gb_month"),
        lambda_request: ctx.opt_non_negative(t, "lambda_request"),
        lambda_gb_second: ctx.opt_non_negative(t, "lambda_gb_second"),
        sagemaker_instance_hour: sagemaker,
    }
}

/// Decodes every section of the services around the warehouse.
pub(super) fn decode_services(
    ctx: &mut Ctx<'_>,
    root: &Table,
    serverless: Option<&Serverless>,
    zero_etl: Option<&ZeroEtl>,
    storage: &Storage,
    regions: &[(String, String)],
) -> Services {
    let serverless_node = root.get("serverless");
    let provisioned_node = root.get("provisioned");
    let has_warehouse = serverless_node.is_some() || provisioned_node.is_some();
    let mut out = Services {
        provisioned: provisioned_node.and_then(|n| {
            provisioned(
                ctx,
                n,
                storage,
                zero_etl.is_some() && serverless_node.is_none(),
            )
        }),
        ..Services::default()
    };
    if let Some(Value::Table(t)) = serverless_node.map(|n| &n.value) {
        out.serverless_reservation = serverless_reservation(ctx, t, serverless);
    }
    let require_warehouse = |ctx: &mut Ctx<'_>, node: &Node, what: &str| {
        if !has_warehouse {
            let d = ctx
                .diag(
                    &node.origin,
                    format!("{what} needs a [serverless] or [provisioned] section"),
                )
                .help(WAREHOUSE_HELP);
            ctx.push(d);
        }
    };
    if let Some(n) = root.get("spectrum") {
        require_warehouse(ctx, n, "[spectrum]");
        out.spectrum = spectrum(ctx, n, serverless_node.is_some());
    }
    if let Some(n) = root.get("data_sharing") {
        require_warehouse(ctx, n, "[data_sharing]");
        out.data_sharing = data_sharing(ctx, n, regions);
    }
    if let Some(n) = root.get("snapshots") {
        out.snapshots = snapshots(ctx, n, provisioned_node.is_some(), regions);
    }
    if let Some(n) = root.get("ml") {
        require_warehouse(ctx, n, "[ml]");
        out.ml = ml(ctx, n);
    }
    if let Some(node) = root.get("pipeline") {
        require_warehouse(ctx, node, "[[pipeline]]");
        out.pipelines = pipelines(ctx, node);
    }
    out
}

fn provisioned(
    ctx: &mut Ctx<'_>,
    node: &Node,
    storage: &Storage,
    zero_etl_on_cluster: bool,
) -> Option<Provisioned> {
    let t = ctx.table("provisioned", node)?;
    ctx.check_keys(t, PROVISIONED_KEYS, "[provisioned]");
    let names: Vec<&str> = NodeType::ALL.iter().map(|n| n.name()).collect();
    let type_node = ctx.required(
        t,
        &node.origin,
        "node_type",
        "[provisioned]",
        "node_type = \"ra3.4xlarge\"",
    );
    let node_type = type_node
        .and_then(|n| ctx.choice("node_type", n, &names))
        .and_then(|i| NodeType::ALL.get(i).copied());
    let nodes_node = ctx.required(t, &node.origin, "nodes", "[provisioned]", "nodes = 2");
    let nodes = nodes_node.and_then(|n| whole(ctx, "nodes", n, 1, 1024));
    let hours_per_day = match t.get("hours_per_day") {
        None => Some(24.0),
        Some(n) => ctx.positive("hours_per_day", n).and_then(|v| {
            if v > 24.0 {
                ctx.error(
                    &n.origin,
                    format!(
                        "hours_per_day must be > 0 and at most 24; found {}",
                        fmt_num(v)
                    ),
                );
                None
            } else {
                Some(v)
            }
        }),
    };
    let days_per_week = match t.get("days_per_week") {
        None => Some(7),
        Some(n) => whole(ctx, "days_per_week", n, 1, 7),
    };
    let terms: Vec<&str> = ReservedTerm::NODES.iter().map(|r| r.key()).collect();
    let reservation_node = t.get("reservation");
    let reservation = match reservation_node {
        None => Some(None),
        Some(n) => ctx
            .choice("reservation", n, &terms)
            .map(|i| ReservedTerm::NODES.get(i).copied()),
    };
    let cs = match t.get("concurrency_scaling_per_day") {
        None => Some(0.0),
        Some(n) => ctx
            .duration("concurrency_scaling_per_day", n)
            .and_then(|v| {
                if v > SECONDS_PER_DAY {
                    ctx.error(
                        &n.origin,
                        format!(
                            "concurrency_scaling_per_day must be at most a day (86400 s); found {}",
                            format_duration(v)
                        ),
                    );
                    None
                } else {
                    Some(v)
                }
            }),
    };
    let (node_type, nodes) = (node_type?, nodes?);
    let p = Provisioned {
        node_type,
        nodes,
        hours_per_day: hours_per_day?,
        days_per_week: days_per_week?,
        reservation: reservation?,
        concurrency_scaling_per_day: cs?,
    };
    let nodes_origin = nodes_node.map_or(Origin::Root, |n| n.origin.clone());
    let (lo, hi) = node_type.node_range();
    if nodes < lo || nodes > hi {
        ctx.warn(
            &nodes_origin,
            format!(
                "provisioned: {} nodes of {}: AWS lists {lo} to {hi} nodes for this type",
                nodes,
                node_type.name()
            ),
        );
    }
    // Capacity: the data must fit the cluster's storage.
    let capacity = node_type.storage_gb(nodes);
    let data = storage.managed_gb;
    if data > capacity {
        let per_node = node_type.storage_gb_per_node(nodes.max(2));
        let needed = (data / per_node).ceil();
        let what = if node_type.is_ra3() {
            "managed storage quota"
        } else {
            "local SSD storage"
        };
        let d = ctx
            .diag(
                &nodes_origin,
                format!(
                    "[storage] managed_gb = {} does not fit {} × {}: its {what} is {} GB",
                    fmt_num(data),
                    nodes,
                    node_type.name(),
                    fmt_num(capacity)
                ),
            )
            .help(format!(
                "use at least {} nodes of {}, or a larger node type",
                fmt_num(needed),
                node_type.name()
            ));
        ctx.push(d);
        return None;
    }
    if !node_type.is_ra3() && data > 0.8 * capacity {
        ctx.warn(
            &nodes_origin,
            format!(
                "provisioned: the data fills {:.0} % of the {} nodes' SSDs; queries need free space for temporary data",
                data / capacity * 100.0,
                node_type.name()
            ),
        );
    }
    if zero_etl_on_cluster && !node_type.is_ra3() {
        if let Some(n) = type_node {
            let d = ctx
                .diag(
                    &n.origin,
                    format!(
                        "[zero_etl] needs an RA3 cluster or Serverless; {} is a DC2 node type",
                        node_type.name()
                    ),
                )
                .help("use an ra3 node type, or add a [serverless] section");
            ctx.push(d);
            return None;
        }
    }
    if let (Some(term), Some(n)) = (p.reservation, reservation_node) {
        if !p.always_on() {
            ctx.warn(
                &n.origin,
                format!(
                    "provisioned: reserved nodes ({}) are billed for every hour of the term; pausing the cluster saves nothing",
                    term.key()
                ),
            );
        }
    }
    Some(p)
}

fn serverless_reservation(
    ctx: &mut Ctx<'_>,
    t: &Table,
    serverless: Option<&Serverless>,
) -> Option<ServerlessReservation> {
    let rpu_node = t.get("reserved_rpu");
    let term_node = t.get("reservation");
    let terms: Vec<&str> = ReservedTerm::SERVERLESS.iter().map(|r| r.key()).collect();
    let term = match term_node {
        None => Some(ReservedTerm::OneYearNoUpfront),
        Some(n) => ctx
            .choice("reservation", n, &terms)
            .and_then(|i| ReservedTerm::SERVERLESS.get(i).copied()),
    };
    let Some(rpu_node) = rpu_node else {
        if let Some(n) = term_node {
            let d = ctx
                .diag(
                    &n.origin,
                    "reservation needs `reserved_rpu` in [serverless]",
                )
                .help("add e.g. `reserved_rpu = 8`: the RPUs committed to, billed every hour");
            ctx.push(d);
        }
        return None;
    };
    let rpu = whole(ctx, "reserved_rpu", rpu_node, 1, 100_000)?;
    let rpu = f64::from(rpu);
    if let Some(sv) = serverless {
        if rpu > sv.max_rpu {
            ctx.warn(
                &rpu_node.origin,
                format!(
                    "serverless: reserved_rpu {} is above max_rpu {}; the RPUs above it are never used",
                    fmt_num(rpu),
                    fmt_num(sv.max_rpu)
                ),
            );
        }
    }
    Some(ServerlessReservation { rpu, term: term? })
}

/// `queries_per_day` and `tb_per_day` of a scan table; TB without queries is an error.
/// With `ranged` (Spectrum), either may be a range `{ p5 = .., p95 = .. }`.
fn scans(
    ctx: &mut Ctx<'_>,
    t: &Table,
    node: &Node,
    label: &str,
    ranged: bool,
) -> Option<(f64, f64)> {
    let read = |ctx: &mut Ctx<'_>, key: &str, n: &Node, sets: Sets| {
        if ranged {
            ctx.amount(key, n, &format!("spectrum.{key}"), sets)
        } else {
            ctx.non_negative(key, n)
        }
    };
    let q = ctx
        .required(
            t,
            &node.origin,
            "queries_per_day",
            label,
            "queries_per_day = 200",
        )
        .and_then(|n| read(ctx, "queries_per_day", n, Sets::SpectrumQueriesPerDay));
    let tb_node = ctx.required(t, &node.origin, "tb_per_day", label, "tb_per_day = 0.5");
    let tb = tb_node.and_then(|n| read(ctx, "tb_per_day", n, Sets::SpectrumTbPerDay));
    let (q, tb) = (q?, tb?);
    if tb > 0.0 && q <= 0.0 {
        if let Some(n) = tb_node {
            ctx.error(
                &n.origin,
                format!("{label}: tb_per_day needs queries_per_day > 0 (the scan is split among the queries)"),
            );
        }
        return None;
    }
    Some((q, tb))
}

fn spectrum(ctx: &mut Ctx<'_>, node: &Node, serverless: bool) -> Option<Spectrum> {
    let t = ctx.table("spectrum", node)?;
    ctx.check_keys(t, SPECTRUM_KEYS, "[spectrum]");
    let rate = opt_positive(ctx, t, "scan_gb_per_second");
    let rpu = ctx.opt_demand(t, "rpu");
    let scans = scans(ctx, t, node, "[spectrum]", true);
    if serverless && rate.is_none() && t.get("scan_gb_per_second").is_none() {
        let d = ctx
            .diag(
                &node.origin,
                "[spectrum] on Serverless needs `scan_gb_per_second`",
            )
            .note("Serverless has no per-TB Spectrum charge: scans are billed as RPU time, so their duration is needed")
            .help("add e.g. `scan_gb_per_second = 1` (GB one query scans per second at `rpu` RPU)");
        ctx.push(d);
        return None;
    }
    let (queries_per_day, tb_per_day) = scans?;
    if let (Some(rate), Some(rate_node)) = (rate, t.get("scan_gb_per_second")) {
        let seconds = if queries_per_day > 0.0 {
            tb_per_day * redshift_cost_core::units::GB_PER_TB / queries_per_day / rate
        } else {
            0.0
        };
        if seconds > ctx.max_job_seconds() {
            let d = ctx
                .diag(
                    &rate_node.origin,
                    format!(
                        "scan_gb_per_second {} makes each Spectrum query last {}, longer than the period plus a day",
                        super::fmt_num(rate),
                        super::format_duration(seconds)
                    ),
                )
                .help("scan_gb_per_second is the GB one query scans per second (e.g. 1)");
            ctx.push(d);
            return None;
        }
    }
    Some(Spectrum {
        queries_per_day,
        tb_per_day,
        scan_gb_per_second: rate,
        rpu,
    })
}

fn data_sharing(
    ctx: &mut Ctx<'_>,
    node: &Node,
    regions: &[(String, String)],
) -> Option<DataSharing> {
    let t = ctx.table("data_sharing", node)?;
    ctx.check_keys(t, DATA_SHARING_KEYS, "[data_sharing]");
    let producer = match t.get("producer_region") {
        None => Some(None),
        Some(n) => region(ctx, n, regions).map(Some),
    };
    let (queries_per_day, tb_per_day) = scans(ctx, t, node, "[data_sharing]", false)?;
    Some(DataSharing {
        queries_per_day,
        tb_per_day,
        producer_region: producer?,
    })
}

fn snapshots(
    ctx: &mut Ctx<'_>,
    node: &Node,
    provisioned: bool,
    regions: &[(String, String)],
) -> Option<Snapshots> {
    let t = ctx.table("snapshots", node)?;
    ctx.check_keys(t, SNAPSHOTS_KEYS, "[snapshots]");
    let (lo, hi) = RETENTION_DAYS;
    let retention = match t.get("automated_retention_days") {
        None => Some(None),
        Some(n) if !provisioned => {
            let d = ctx
                .diag(
                    &n.origin,
                    "automated_retention_days applies to provisioned clusters",
                )
                .note("Serverless keeps recovery points for 24 hours, free; user snapshots are [storage] snapshot_gb")
                .help("add a [provisioned] section, or remove this key");
            ctx.push(d);
            None
        }
        Some(n) => whole(ctx, "automated_retention_days", n, lo, hi).map(Some),
    };
    let copy_region = match t.get("copy_region") {
        None => Some(None),
        Some(n) => region(ctx, n, regions).map(Some),
    };
    let copy_retention = match t.get("copy_retention_days") {
        None => Some(None),
        Some(n) => whole(ctx, "copy_retention_days", n, lo, hi).map(Some),
    };
    if let (Some(n), None) = (t.get("copy_retention_days"), t.get("copy_region")) {
        ctx.warn(
            &n.origin,
            "snapshots: copy_retention_days has no effect without copy_region",
        );
    }
    Some(Snapshots {
        automated_retention_days: retention?,
        daily_change_gb: ctx.opt_non_negative(t, "daily_change_gb").unwrap_or(0.0),
        copy_region: copy_region?,
        copy_retention_days: copy_retention?,
    })
}

fn ml(ctx: &mut Ctx<'_>, node: &Node) -> Option<Ml> {
    let t = ctx.table("ml", node)?;
    ctx.check_keys(t, ML_KEYS, "[ml]");
    let rows = ctx
        .required(t, &node.origin, "rows", "[ml]", "rows = 5000000")
        .and_then(|n| ctx.non_negative("rows", n));
    let columns = ctx
        .required(t, &node.origin, "columns", "[ml]", "columns = 20")
        .and_then(|n| ctx.non_negative("columns", n));
    let trainings = ctx
        .required(
            t,
            &node.origin,
            "trainings_per_month",
            "[ml]",
            "trainings_per_month = 4",
        )
        .and_then(|n| ctx.non_negative("trainings_per_month", n));
    let max_cells = match t.get("max_cells") {
        None => Some(DEFAULT_MAX_CELLS),
        Some(n) => ctx.positive("max_cells", n),
    };
    let staging_gb = ctx.opt_non_negative(t, "staging_gb").unwrap_or(0.0);
    Some(Ml {
        rows: rows?,
        columns: columns?,
        max_cells: max_cells?,
        trainings_per_month: trainings?,
        staging_gb,
    })
}

fn pipelines(ctx: &mut Ctx<'_>, node: &Node) -> Vec<Pipeline> {
    let items = match &node.value {
        Value::Array(items) if items.iter().all(|i| matches!(i.value, Value::Table(_))) => items,
        other => {
            let d = ctx
                .diag(
                    &node.origin,
                    format!(
                        "pipeline: expected an array of tables, found {}",
                        found(other)
                    ),
                )
                .help("write each pipeline as its own [[pipeline]] section");
            ctx.push(d);
            return Vec::new();
        }
    };
    let mut seen: Vec<(String, Origin)> = Vec::new();
    let mut out = Vec::new();
    for item in items {
        if let Some(p) = pipeline(ctx, item, &mut seen) {
            out.push(p);
        }
    }
    out
}

fn pipeline(ctx: &mut Ctx<'_>, node: &Node, seen: &mut Vec<(String, Origin)>) -> Option<Pipeline> {
    let Value::Table(t) = &node.value else {
        return None;
    };
    let (name, label) = ctx.entry_name(
        t,
        &node.origin,
        "pipeline",
        "name = \"orders extract\"",
        None,
        seen,
    );
    let type_node = ctx.required(t, &node.origin, "type", &label, "type = \"lambda-extract\"");
    let kind = type_node.and_then(|n| ctx.choice("type", n, &PipelineKind::TYPES));
    let allowed: Vec<&str> = match kind {
        Some(0) => LAMBDA_KEYS.to_vec(),
        Some(1) => SAGEMAKER_KEYS.to_vec(),
        Some(2) => DATA_API_KEYS.to_vec(),
        // Unknown type: check against every key any type allows.
        _ => {
            let mut all: Vec<&str> = PIPELINE_COMMON_KEYS.to_vec();
            for k in LAMBDA_KEYS
                .iter()
                .chain(SAGEMAKER_KEYS)
                .chain(DATA_API_KEYS)
            {
                if !all.contains(k) {
                    all.push(k);
                }
            }
            all
        }
    };
    ctx.check_keys(t, &allowed, &label);
    let kind = match kind? {
        0 => PipelineKind::LambdaExtract(lambda_extract(ctx, t, &node.origin, &label)?),
        1 => PipelineKind::SagemakerProcessing(sagemaker(ctx, t, &node.origin, &label)?),
        _ => {
            let rpu = ctx.opt_demand(t, "rpu");
            PipelineKind::DataApi(arrivals(ctx, t, &node.origin, &label, None, rpu)?)
        }
    };
    Some(Pipeline {
        name: name?.to_string(),
        kind,
    })
}

fn lambda_extract(
    ctx: &mut Ctx<'_>,
    t: &Table,
    origin: &Origin,
    label: &str,
) -> Option<LambdaExtract> {
    let rows_node = ctx.required(t, origin, "rows", label, "rows = 10000000");
    let rows = rows_node.and_then(|n| ctx.non_negative("rows", n));
    let table_gb = ctx
        .required(t, origin, "table_gb", label, "table_gb = 20")
        .and_then(|n| ctx.non_negative("table_gb", n));
    let page_rows_node = t.get("page_rows");
    let page_rows = match page_rows_node {
        None => Some(None),
        Some(n) => whole(ctx, "page_rows", n, 1, u32::MAX).map(|v| Some(f64::from(v))),
    };
    let syncs = ctx
        .required(t, origin, "syncs_per_month", label, "syncs_per_month = 30")
        .and_then(|n| ctx.non_negative("syncs_per_month", n));
    let memory = match t.get("memory_mb") {
        None => Some(128.0),
        Some(n) => whole(ctx, "memory_mb", n, 128, 10_240).map(f64::from),
    };
    let invocation_node = ctx.required(
        t,
        origin,
        "invocation_duration",
        label,
        "invocation_duration = \"2s\"",
    );
    let invocation = invocation_node.and_then(|n| {
        let v = ctx.job_duration("invocation_duration", n)?;
        if v > LAMBDA_MAX_SECONDS {
            ctx.error(
                &n.origin,
                format!(
                    "invocation_duration must be at most Lambda's 15-minute timeout (900 s); found {}",
                    format_duration(v)
                ),
            );
            return None;
        }
        Some(v)
    });
    let page_query_node = t.get("page_query_duration");
    let page_query = match page_query_node {
        None => Some(None),
        Some(n) => ctx.job_duration("page_query_duration", n).map(Some),
    };
    let rpu = ctx.opt_demand(t, "rpu");
    let arch = match t.get("architecture") {
        None => Some(LambdaArch::X86),
        Some(n) => ctx.choice("architecture", n, &["x86", "arm"]).map(|i| {
            if i == 0 {
                LambdaArch::X86
            } else {
                LambdaArch::Arm
            }
        }),
    };
    let (rows, table_gb, page_rows, invocation) = (rows?, table_gb?, page_rows?, invocation?);
    let page_query = match (page_query?, page_query_node) {
        (Some(q), Some(n)) if q > invocation => {
            ctx.error(
                &n.origin,
                format!(
                    "page_query_duration ({}) cannot be longer than invocation_duration ({}): the invocation waits for its page",
                    format_duration(q),
                    format_duration(invocation)
                ),
            );
            return None;
        }
        (Some(q), _) => q,
        (None, _) => invocation,
    };
    if table_gb > 0.0 && rows <= 0.0 {
        if let Some(n) = rows_node {
            ctx.error(&n.origin, format!("{label}: table_gb needs rows > 0"));
        }
        return None;
    }
    // GB (binary) → bytes, per row.
    let row_bytes = if rows > 0.0 {
        table_gb * BYTES_PER_GB / rows
    } else {
        0.0
    };
    let mb = |bytes: f64| bytes / (1024.0 * 1024.0);
    if row_bytes > LAMBDA_PAYLOAD_BYTES {
        if let Some(n) = rows_node {
            let d = ctx
                .diag(
                    &n.origin,
                    format!(
                        "{label}: a row averages {:.1} MB, more than Lambda's 6 MB response limit",
                        mb(row_bytes)
                    ),
                )
                .help("no page can carry a row: check rows and table_gb");
            ctx.push(d);
        }
        return None;
    }
    if let (Some(p), Some(n)) = (page_rows, page_rows_node) {
        if p * row_bytes > LAMBDA_PAYLOAD_BYTES {
            let fit = (LAMBDA_PAYLOAD_BYTES / row_bytes).floor();
            ctx.warn(
                &n.origin,
                format!(
                    "{label}: a page of {} rows is about {:.1} MB, above Lambda's 6 MB response limit: those invocations fail; at most {} rows fit",
                    fmt_num(p),
                    mb(p * row_bytes),
                    fmt_num(fit)
                ),
            );
        }
    }
    Some(LambdaExtract {
        rows,
        table_gb,
        page_rows,
        syncs_per_month: syncs?,
        memory_mb: memory?,
        invocation_duration: invocation,
        page_query_duration: page_query,
        rpu,
        arch: arch?,
    })
}

fn instance_use(
    ctx: &mut Ctx<'_>,
    t: &Table,
    origin: &Origin,
    label: &str,
    prefix: &str,
) -> Option<Option<InstanceUse>> {
    let type_key = format!("{prefix}_instance");
    let count_key = format!("{prefix}_instances");
    let hours_key = format!("{prefix}_hours");
    let required = prefix == "processing";
    if !required && t.get(&type_key).is_none() {
        for key in [&count_key, &hours_key] {
            if let Some(e) = t.entry(key) {
                let d = ctx
                    .diag(&e.key_origin, format!("`{key}` needs `{type_key}`"))
                    .help(format!("add e.g. `{type_key} = \"ml.m5.xlarge\"`"));
                ctx.push(d);
                return None;
            }
        }
        return Some(None);
    }
    let instance = ctx
        .required(
            t,
            origin,
            &type_key,
            label,
            &format!("{type_key} = \"ml.m5.xlarge\""),
        )
        .and_then(|n| instance_type(ctx, &type_key, n));
    let count = match t.get(&count_key) {
        None => Some(1),
        Some(n) => whole(ctx, &count_key, n, 1, 1000),
    };
    let hours = ctx
        .required(t, origin, &hours_key, label, &format!("{hours_key} = 0.5"))
        .and_then(|n| ctx.positive(&hours_key, n));
    Some(Some(InstanceUse {
        instance_type: instance?,
        count: count?,
        hours: hours?,
    }))
}

fn sagemaker(
    ctx: &mut Ctx<'_>,
    t: &Table,
    origin: &Origin,
    label: &str,
) -> Option<SagemakerProcessing> {
    let runs = ctx
        .required(t, origin, "runs_per_month", label, "runs_per_month = 30")
        .and_then(|n| ctx.non_negative("runs_per_month", n));
    let unload_gb = ctx.opt_non_negative(t, "unload_gb").unwrap_or(0.0);
    let unload_duration = ctx
        .required(
            t,
            origin,
            "unload_duration",
            label,
            "unload_duration = \"5m\"",
        )
        .and_then(|n| ctx.job_duration("unload_duration", n));
    let unload_rpu = ctx.opt_demand(t, "unload_rpu");
    let keep_runs = match t.get("keep_runs") {
        None => Some(1.0),
        Some(n) => ctx.positive("keep_runs", n),
    };
    let processing = instance_use(ctx, t, origin, label, "processing");
    let training = instance_use(ctx, t, origin, label, "training");
    Some(SagemakerProcessing {
        runs_per_month: runs?,
        unload_gb,
        unload_duration: unload_duration?,
        unload_rpu,
        keep_runs: keep_runs?,
        processing: processing??,
        training: training?,
    })
}
