//! What an estimate says about how parts of the bill were modelled, as facts (numbers
//! and names), never sentences: the report renders them (`report::notes`).

use crate::units::Seconds;

/// One assumption or modelling fact of an estimate.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// The workloads keep the warehouse busy longer than the cluster runs.
    BusyLongerThanCluster {
        busy_hours_per_day: f64,
        cluster_hours_per_day: f64,
    },
    /// A DC2 node type stores data on local SSDs included in the node price.
    LocalSsdStorage { node_type: &'static str },
    /// Zero-ETL refreshes run on a provisioned cluster's own capacity.
    ZeroEtlOnCluster,
    /// Reserved nodes on a schedule that pauses: pausing saves nothing.
    ReservedNodesDoNotPause,
    /// Spectrum on Serverless: scans are RPU time, simulated as a class.
    SpectrumOnServerless {
        scans_per_day: f64,
        class: &'static str,
        seconds_each: Seconds,
        gb_per_second: f64,
    },
    /// No Athena price for the region: no comparison line.
    NoAthenaPrice { region: String },
    /// Provisioned backups and the DC2 free allowance.
    FreeBackups {
        snapshot_gb: f64,
        free_gb: f64,
        allowance_gb: f64,
    },
    /// Serverless recovery points are free.
    ServerlessRecoveryPoints,
    /// A cross-region snapshot copy: daily changes transferred, the first copy one-off.
    SnapshotCopy { region: String, first_copy_gb: f64 },
    /// Redshift ML: cells billed per training (and the data's cells when sampled down).
    RedshiftMl {
        cells_per_training: f64,
        sampled_from_cells: Option<f64>,
    },
    /// A Lambda extract's pages, invocations and sync time.
    LambdaExtract {
        pipeline: String,
        rows_per_page: f64,
        page_mb: f64,
        page_over_limit: bool,
        invocations_per_sync: f64,
        sync_elapsed_s: Seconds,
        syncs: f64,
    },
    /// A pipeline's warehouse work runs on a provisioned cluster's own capacity.
    PipelineOnCluster {
        pipeline: String,
        work: PipelineWork,
    },
    /// The Data API has no charge of its own.
    DataApiFree { pipeline: String },
    /// How each zero-ETL refresh was modelled (REFRESH_INTERVAL > 0).
    ZeroEtlRefresh {
        refresh_interval_s: Seconds,
        sync_duration_s: Seconds,
        sync_duration_default: bool,
        change: Option<crate::scenario::ChangeRate>,
        refresh_seconds: Seconds,
        sync_rpu: f64,
        sync_runs: usize,
        staleness_s: Seconds,
    },
    /// REFRESH_INTERVAL 0: replication keeps the workgroup busy all period.
    ContinuousReplication { sync_rpu: f64 },
    /// The metering rule the compute was billed under.
    Metering { rule: crate::engine::Metering },
    /// Where times of day were read: `None` is UTC.
    TimeZone { name: Option<&'static str> },
    /// A `deactivate` limit turns away user queries only; zero-ETL refreshes run on.
    LimitsSpareSyncs,
    /// Inputs given as ranges `(name, p5, p95)`: a single run takes each at its median.
    RangesAtMedian { inputs: Vec<(String, f64, f64)> },
}

/// The warehouse work a pipeline induces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineWork {
    PageQueries,
    Unload,
    DataApiStatements,
}
