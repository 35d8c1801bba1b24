//! Validated types of the services around the warehouse: provisioned clusters, Serverless
//! reservations, Spectrum, snapshots, cross-region data sharing, Redshift ML and pipelines.
//! Nothing here refers to TOML; `decode::services` builds these from the spanned document.

use super::Arrivals;
use crate::units::{Rpu, Seconds};
use std::collections::BTreeMap;

/// A provisioned node type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeType {
    Ra3Large,
    Ra3Xlplus,
    Ra34xlarge,
    Ra316xlarge,
    Dc2Large,
    Dc28xlarge,
}

impl NodeType {
    pub const ALL: [NodeType; 6] = [
        NodeType::Ra3Large,
        NodeType::Ra3Xlplus,
        NodeType::Ra34xlarge,
        NodeType::Ra316xlarge,
        NodeType::Dc2Large,
        NodeType::Dc28xlarge,
    ];

    /// The name AWS and the price book use, e.g. `ra3.4xlarge`.
    pub fn name(self) -> &'static str {
        match self {
            NodeType::Ra3Large => "ra3.large",
            NodeType::Ra3Xlplus => "ra3.xlplus",
            NodeType::Ra34xlarge => "ra3.4xlarge",
            NodeType::Ra316xlarge => "ra3.16xlarge",
            NodeType::Dc2Large => "dc2.large",
            NodeType::Dc28xlarge => "dc2.8xlarge",
        }
    }

    /// RA3 nodes keep their data in Redshift Managed Storage (billed per GB-month); DC2
    /// nodes store it on local SSDs included in the node price.
    pub fn is_ra3(self) -> bool {
        matches!(
            self,
            NodeType::Ra3Large | NodeType::Ra3Xlplus | NodeType::Ra34xlarge | NodeType::Ra316xlarge
        )
    }

    /// Storage per node, GB: the managed-storage quota of RA3 nodes (a single-node
    /// ra3.xlplus cluster gets 4 TB instead of 32 TB), the local SSD of DC2 nodes (AWS
    /// node type table; TB counted as 1,024 GB like the backup tiers, DC2 sizes as AWS
    /// states them in GB).
    pub fn storage_gb_per_node(self, nodes: u32) -> f64 {
        match self {
            NodeType::Ra3Large => 8.0 * 1024.0,
            NodeType::Ra3Xlplus if nodes <= 1 => 4.0 * 1024.0,
            NodeType::Ra3Xlplus => 32.0 * 1024.0,
            NodeType::Ra34xlarge | NodeType::Ra316xlarge => 128.0 * 1024.0,
            NodeType::Dc2Large => 160.0,
            NodeType::Dc28xlarge => 2560.0,
        }
    }

    /// The cluster's storage capacity, GB.
    pub fn storage_gb(self, nodes: u32) -> f64 {
        self.storage_gb_per_node(nodes) * f64::from(nodes)
    }

    /// The node counts AWS's node type table lists (more are possible for some types with
    /// elastic resize or a limit increase, so going outside is a warning only).
    pub fn node_range(self) -> (u32, u32) {
        match self {
            NodeType::Ra3Large => (1, 16),
            NodeType::Ra3Xlplus => (1, 32),
            NodeType::Ra34xlarge => (2, 32),
            NodeType::Ra316xlarge => (2, 128),
            NodeType::Dc2Large => (1, 32),
            NodeType::Dc28xlarge => (2, 128),
        }
    }
}

/// A reserved term: length and payment option. The key (`1yr-no-upfront`, ...) is the
/// key of the price book's discount tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReservedTerm {
    OneYearNoUpfront,
    OneYearPartialUpfront,
    OneYearAllUpfront,
    ThreeYearNoUpfront,
    ThreeYearPartialUpfront,
    ThreeYearAllUpfront,
}

impl ReservedTerm {
    /// Every term of reserved nodes.
    pub const NODES: [ReservedTerm; 6] = [
        ReservedTerm::OneYearNoUpfront,
        ReservedTerm::OneYearPartialUpfront,
        ReservedTerm::OneYearAllUpfront,
        ReservedTerm::ThreeYearNoUpfront,
        ReservedTerm::ThreeYearPartialUpfront,
        ReservedTerm::ThreeYearAllUpfront,
    ];
    /// The terms of Serverless reservations (no partial upfront option is documented).
    pub const SERVERLESS: [ReservedTerm; 4] = [
        ReservedTerm::OneYearNoUpfront,
        ReservedTerm::OneYearAllUpfront,
        ReservedTerm::ThreeYearNoUpfront,
        ReservedTerm::ThreeYearAllUpfront,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ReservedTerm::OneYearNoUpfront => "1yr-no-upfront",
            ReservedTerm::OneYearPartialUpfront => "1yr-partial-upfront",
            ReservedTerm::OneYearAllUpfront => "1yr-all-upfront",
            ReservedTerm::ThreeYearNoUpfront => "3yr-no-upfront",
            ReservedTerm::ThreeYearPartialUpfront => "3yr-partial-upfront",
            ReservedTerm::ThreeYearAllUpfront => "3yr-all-upfront",
        }
    }

    /// `1 yr no upfront`, for labels.
    pub fn label(self) -> String {
        self.key().replacen("yr-", " yr ", 1).replace('-', " ")
    }

    /// Whether part or all of the price is paid upfront.
    pub fn has_upfront(self) -> bool {
        !matches!(
            self,
            ReservedTerm::OneYearNoUpfront | ReservedTerm::ThreeYearNoUpfront
        )
    }
}

/// `[provisioned]`: a provisioned cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Provisioned {
    pub node_type: NodeType,
    pub nodes: u32,
    /// Hours a day the cluster runs (paused the rest); 24 = always.
    pub hours_per_day: f64,
    /// Days a week the cluster runs, Monday first; 7 = always.
    pub days_per_week: u32,
    /// `None` = on demand.
    pub reservation: Option<ReservedTerm>,
    /// Concurrency-scaling usage, seconds per running day.
    pub concurrency_scaling_per_day: Seconds,
}

impl Provisioned {
    /// Whether the cluster never pauses.
    pub fn always_on(&self) -> bool {
        self.hours_per_day >= 24.0 && self.days_per_week >= 7
    }
}

/// `[serverless] reserved_rpu` and `reservation`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServerlessReservation {
    /// RPUs reserved, billed every hour of the period.
    pub rpu: Rpu,
    pub term: ReservedTerm,
}

/// `[spectrum]`: queries on S3 data through Redshift Spectrum.
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrum {
    pub queries_per_day: f64,
    /// TB scanned a day by all of them together.
    pub tb_per_day: f64,
    /// Serverless only: GB one query scans per second at `rpu` (its duration is its scan
    /// over this rate).
    pub scan_gb_per_second: Option<f64>,
    /// Serverless only: demand of a scan; `None` = base capacity.
    pub rpu: Option<Rpu>,
}

/// `[data_sharing]`: queries of a consumer in this region on a producer in another.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSharing {
    pub queries_per_day: f64,
    /// TB scanned across regions a day by all of them together.
    pub tb_per_day: f64,
    pub producer_region: Option<String>,
}

/// `[snapshots]`: automated snapshots and cross-region copies (manual snapshots are
/// `[storage] snapshot_gb`).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshots {
    /// Provisioned only: automated snapshot retention, 1–35 days.
    pub automated_retention_days: Option<u32>,
    /// Data changed a day (what incremental snapshots add and copies transfer), GB.
    pub daily_change_gb: f64,
    /// Region the snapshots are copied to, if any.
    pub copy_region: Option<String>,
    /// Retention of the copies, days (default: the automated retention, or 1).
    pub copy_retention_days: Option<u32>,
}

/// `[ml]`: Redshift ML `CREATE MODEL` training on SageMaker Autopilot.
#[derive(Debug, Clone, PartialEq)]
pub struct Ml {
    pub rows: f64,
    pub columns: f64,
    /// MAX_CELLS (default 1,000,000): larger inputs are sampled down to it.
    pub max_cells: f64,
    pub trainings_per_month: f64,
    /// Training data staged in S3, GB held over the period.
    pub staging_gb: f64,
}

/// Lambda architectures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LambdaArch {
    X86,
    Arm,
}

impl LambdaArch {
    /// The key of the price book's `lambda_gb_second`.
    pub fn key(self) -> &'static str {
        match self {
            LambdaArch::X86 => "x86",
            LambdaArch::Arm => "arm",
        }
    }
}

/// `type = "lambda-extract"`: a Lambda connector that pages a Redshift table out by a
/// cursor column with `LIMIT`, one page per synchronous invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaExtract {
    pub rows: f64,
    /// Size of the table's rows as the response carries them, GB.
    pub table_gb: f64,
    /// `LIMIT` per page; `None` = as many rows as fit in the 6 MB response.
    pub page_rows: Option<f64>,
    pub syncs_per_month: f64,
    pub memory_mb: f64,
    pub invocation_duration: Seconds,
    /// Warehouse time of one page query (at most the invocation's duration).
    pub page_query_duration: Seconds,
    /// Demand of a page query on Serverless; `None` = base capacity.
    pub rpu: Option<Rpu>,
    pub arch: LambdaArch,
}

/// `type = "sagemaker-processing"`: a Processing job reading a Redshift query (UNLOAD to
/// S3), optionally followed by a training job.
#[derive(Debug, Clone, PartialEq)]
pub struct SagemakerProcessing {
    pub runs_per_month: f64,
    /// Data each run unloads to S3, GB.
    pub unload_gb: f64,
    /// Warehouse time of the UNLOAD.
    pub unload_duration: Seconds,
    /// Demand of the UNLOAD on Serverless; `None` = base capacity.
    pub unload_rpu: Option<Rpu>,
    /// How many runs' output stay in S3 (1 = each run replaces the last).
    pub keep_runs: f64,
    pub processing: InstanceUse,
    pub training: Option<InstanceUse>,
}

/// SageMaker instances used by one run of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceUse {
    /// e.g. `ml.m5.xlarge`.
    pub instance_type: String,
    pub count: u32,
    /// Hours each run keeps them.
    pub hours: f64,
}

/// What a `[[pipeline]]` is.
#[derive(Debug, Clone, PartialEq)]
pub enum PipelineKind {
    LambdaExtract(LambdaExtract),
    SagemakerProcessing(SagemakerProcessing),
    /// Data API polling: statements on the warehouse, no charge of their own.
    DataApi(Arrivals),
}

impl PipelineKind {
    pub const TYPES: [&'static str; 3] = ["lambda-extract", "sagemaker-processing", "data-api"];

    pub fn type_name(&self) -> &'static str {
        match self {
            PipelineKind::LambdaExtract(_) => "lambda-extract",
            PipelineKind::SagemakerProcessing(_) => "sagemaker-processing",
            PipelineKind::DataApi(_) => "data-api",
        }
    }
}

/// One `[[pipeline]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub name: String,
    pub kind: PipelineKind,
}

/// `[prices]` overrides of the services around the warehouse (USD). `None` = the price book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServicePriceOverrides {
    /// Per node-hour of the scenario's node type (on demand; reserved rates follow).
    pub node_hour: Option<f64>,
    /// Per node-second of concurrency scaling of the scenario's node type.
    pub concurrency_scaling_node_second: Option<f64>,
    pub spectrum_tb: Option<f64>,
    pub athena_tb: Option<f64>,
    pub inter_region_gb: Option<f64>,
    /// Backup rate in the snapshot copy region (every tier).
    pub copy_backup_gb_month: Option<f64>,
    /// One rate for every Redshift ML tier, per million cells.
    pub ml_million_cells: Option<f64>,
    pub s3_gb_month: Option<f64>,
    pub lambda_request: Option<f64>,
    /// Per GB-second, for every architecture.
    pub lambda_gb_second: Option<f64>,
    /// Per instance-hour, by instance type.
    pub sagemaker_instance_hour: BTreeMap<String, f64>,
}
