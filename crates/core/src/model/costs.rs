//! Cost lines: quantity × unit price, with the price's source, per component.

use crate::prices::{Price, PriceKey, Provenance, Tier};
use crate::units::{Money, RpuSeconds};

/// What a cost line is for (a stable, machine-readable tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ComponentKind {
    /// Serverless compute of one workload class.
    ServerlessCompute,
    /// Serverless compute of zero-ETL refreshes (or continuous replication).
    ZeroEtlSync,
    /// Redshift Managed Storage.
    ManagedStorage,
    /// User snapshots at backup rates (one line per tier used).
    SnapshotStorage,
    /// Provisioned node-hours (on demand, or reserved with any upfront amortised).
    ProvisionedCompute,
    /// Concurrency scaling beyond the free credits, per node-second.
    ConcurrencyScaling,
    /// Serverless reservation: reserved RPUs billed every hour of the period.
    ServerlessReservation,
    /// Serverless compute of Spectrum scans (Serverless has no per-TB charge).
    SpectrumCompute,
    /// Spectrum on a provisioned cluster, per TB scanned.
    SpectrumScan,
    /// Cross-region data sharing: data transferred across regions.
    DataSharingTransfer,
    /// Cross-region snapshot copy: data transferred.
    SnapshotCopyTransfer,
    /// Cross-region snapshot copy: backup storage in the other region.
    SnapshotCopyStorage,
    /// Redshift ML training on SageMaker Autopilot, per million cells.
    MlTraining,
    /// S3 Standard storage (ML staging, unloaded data).
    S3Storage,
    /// AWS Lambda requests.
    LambdaRequests,
    /// AWS Lambda duration, GB-seconds.
    LambdaDuration,
    /// SageMaker Processing instance-hours.
    SagemakerProcessing,
    /// SageMaker training instance-hours.
    SagemakerTraining,
    /// Serverless compute of pipeline queries (Lambda pages, UNLOAD, Data API).
    PipelineCompute,
    /// A comparison line, not part of the total (e.g. Athena for the same scans).
    Comparison,
}

impl ComponentKind {
    /// The kind's machine-readable name in documents (`serverless_compute`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::ServerlessCompute => "serverless_compute",
            ComponentKind::ZeroEtlSync => "zero_etl_sync",
            ComponentKind::ManagedStorage => "managed_storage",
            ComponentKind::SnapshotStorage => "snapshot_storage",
            ComponentKind::ProvisionedCompute => "provisioned_compute",
            ComponentKind::ConcurrencyScaling => "concurrency_scaling",
            ComponentKind::ServerlessReservation => "serverless_reservation",
            ComponentKind::SpectrumCompute => "spectrum_compute",
            ComponentKind::SpectrumScan => "spectrum_scan",
            ComponentKind::DataSharingTransfer => "data_sharing_transfer",
            ComponentKind::SnapshotCopyTransfer => "snapshot_copy_transfer",
            ComponentKind::SnapshotCopyStorage => "snapshot_copy_storage",
            ComponentKind::MlTraining => "ml_training",
            ComponentKind::S3Storage => "s3_storage",
            ComponentKind::LambdaRequests => "lambda_requests",
            ComponentKind::LambdaDuration => "lambda_duration",
            ComponentKind::SagemakerProcessing => "sagemaker_processing",
            ComponentKind::SagemakerTraining => "sagemaker_training",
            ComponentKind::PipelineCompute => "pipeline_compute",
            ComponentKind::Comparison => "comparison",
        }
    }
}

/// What a cost line is spent on, coarser than [`ComponentKind`]: the colours of the cost
/// chart, so that a compute line looks like compute in every scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CostFamily {
    Compute,
    ZeroEtl,
    Reservation,
    Storage,
    Snapshots,
    Spectrum,
    DataTransfer,
    Ml,
    Pipelines,
    Other,
}

impl CostFamily {
    /// Every family, in the order charts stack and list them.
    pub const ALL: [CostFamily; 10] = [
        CostFamily::Compute,
        CostFamily::ZeroEtl,
        CostFamily::Reservation,
        CostFamily::Storage,
        CostFamily::Snapshots,
        CostFamily::Spectrum,
        CostFamily::DataTransfer,
        CostFamily::Ml,
        CostFamily::Pipelines,
        CostFamily::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CostFamily::Compute => "compute",
            CostFamily::ZeroEtl => "zero-ETL refreshes",
            CostFamily::Reservation => "reservation",
            CostFamily::Storage => "storage",
            CostFamily::Snapshots => "snapshots",
            CostFamily::Spectrum => "Spectrum",
            CostFamily::DataTransfer => "data transfer",
            CostFamily::Ml => "ML",
            CostFamily::Pipelines => "pipelines",
            CostFamily::Other => "other",
        }
    }
}

impl ComponentKind {
    /// The family the line's cost belongs to.
    pub fn family(self) -> CostFamily {
        match self {
            ComponentKind::ServerlessCompute
            | ComponentKind::ProvisionedCompute
            | ComponentKind::ConcurrencyScaling => CostFamily::Compute,
            ComponentKind::ZeroEtlSync => CostFamily::ZeroEtl,
            ComponentKind::ServerlessReservation => CostFamily::Reservation,
            ComponentKind::ManagedStorage | ComponentKind::S3Storage => CostFamily::Storage,
            ComponentKind::SnapshotStorage
            | ComponentKind::SnapshotCopyStorage
            | ComponentKind::SnapshotCopyTransfer => CostFamily::Snapshots,
            ComponentKind::SpectrumCompute | ComponentKind::SpectrumScan => CostFamily::Spectrum,
            ComponentKind::DataSharingTransfer => CostFamily::DataTransfer,
            ComponentKind::MlTraining
            | ComponentKind::SagemakerProcessing
            | ComponentKind::SagemakerTraining => CostFamily::Ml,
            ComponentKind::LambdaRequests
            | ComponentKind::LambdaDuration
            | ComponentKind::PipelineCompute => CostFamily::Pipelines,
            ComponentKind::Comparison => CostFamily::Other,
        }
    }
}

/// One priced line of a scenario's bill.
#[derive(Debug, Clone, PartialEq)]
pub struct CostLine {
    /// Human label, e.g. `compute: dashboards`, `managed storage`.
    pub component: String,
    pub kind: ComponentKind,
    pub quantity: f64,
    /// Unit of `quantity`, e.g. `RPU-hour`, `GB-month`.
    pub unit: &'static str,
    pub unit_price: Price,
    /// The price the line is billed at (for a derived rate, such as a reserved one, the
    /// on-demand price it is derived from).
    pub price_key: PriceKey,
    /// The region whose price it is, when not the scenario's own (a snapshot copy).
    pub price_region: Option<String>,
    pub cost: Money,
}

impl CostLine {
    pub fn new(
        component: String,
        kind: ComponentKind,
        quantity: f64,
        unit: &'static str,
        price_key: PriceKey,
        unit_price: Price,
    ) -> CostLine {
        CostLine {
            component,
            kind,
            quantity,
            unit,
            cost: Money::from_usd(quantity * unit_price.usd),
            unit_price,
            price_key,
            price_region: None,
        }
    }

    /// The line priced at another region's price.
    pub fn in_region(mut self, region: &str) -> CostLine {
        self.price_region = Some(region.to_string());
        self
    }

    /// The line with its quantity multiplied by `factor` (GB-months of a period that is
    /// not one month), its cost recomputed.
    pub fn scaled(self, factor: f64) -> CostLine {
        let quantity = self.quantity * factor;
        CostLine {
            cost: Money::from_usd(quantity * self.unit_price.usd),
            quantity,
            ..self
        }
    }

    pub fn price_source(&self) -> Provenance {
        self.unit_price.source
    }
}

/// Unit of Serverless compute lines.
pub const RPU_HOUR: &str = "RPU-hour";
/// Unit of storage lines.
pub const GB_MONTH: &str = "GB-month";
/// Unit of provisioned compute lines.
pub const NODE_HOUR: &str = "node-hour";
/// Unit of concurrency-scaling lines.
pub const NODE_SECOND: &str = "node-second";
/// Unit of scan lines.
pub const TB: &str = "TB";
/// Unit of transfer lines.
pub const GB: &str = "GB";
/// Unit of Redshift ML training lines.
pub const MILLION_CELLS: &str = "million cells";
/// Unit of Lambda request lines.
pub const REQUEST: &str = "request";
/// Unit of Lambda duration lines.
pub const GB_SECOND: &str = "GB-second";
/// Unit of SageMaker lines.
pub const INSTANCE_HOUR: &str = "instance-hour";

/// A compute line for `rpu_seconds` billed at `rpu_hour`.
pub fn compute_line(
    component: String,
    kind: ComponentKind,
    rpu_seconds: RpuSeconds,
    rpu_hour: Price,
) -> CostLine {
    CostLine::new(
        component,
        kind,
        rpu_seconds.to_rpu_hours(),
        RPU_HOUR,
        PriceKey::RpuHour,
        rpu_hour,
    )
}

/// Splits `quantity` over ascending `tiers` (`[begin, end)` each): the part of the
/// quantity that falls in each tier, paired with the tier and its index. Tiers that get
/// nothing are left out.
pub fn split_tiers(quantity: f64, tiers: &[Tier]) -> Vec<(usize, Tier, f64)> {
    tiers
        .iter()
        .enumerate()
        .filter_map(|(i, tier)| {
            let top = tier.end.unwrap_or(f64::INFINITY).min(quantity);
            let part = top - tier.begin;
            (part > 0.0).then_some((i, *tier, part))
        })
        .collect()
}

/// Human name of a storage tier, e.g. `0–50 TB`, `> 500 TB`.
pub fn tier_label(tier: &Tier) -> String {
    let tb = |gb: f64| gb / crate::units::GB_PER_TB;
    match tier.end {
        Some(end) => format!("{}–{} TB", tb(tier.begin), tb(end)),
        None => format!("> {} TB", tb(tier.begin)),
    }
}

/// The `snapshot storage` lines for `gb` of user snapshots (one per tier used).
pub fn snapshot_lines(gb: f64, tiers: &[Tier]) -> Vec<CostLine> {
    let used = split_tiers(gb, tiers);
    let several = used.len() > 1 || tiers.len() > 1 && gb > tiers[0].end.unwrap_or(f64::MAX);
    used.into_iter()
        .map(|(i, tier, part)| {
            let component = if several {
                format!("snapshot storage ({})", tier_label(&tier))
            } else {
                "snapshot storage".to_string()
            };
            CostLine::new(
                component,
                ComponentKind::SnapshotStorage,
                part,
                GB_MONTH,
                PriceKey::BackupTier(i),
                tier.price,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prices::SourceKind;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    fn price(usd: f64) -> Price {
        Price {
            usd,
            source: Provenance {
                kind: SourceKind::Override,
                date: None,
            },
        }
    }

    fn us_east_1_backup() -> Vec<Tier> {
        vec![
            Tier {
                begin: 0.0,
                end: Some(51_200.0),
                price: price(0.023),
            },
            Tier {
                begin: 51_200.0,
                end: Some(512_000.0),
                price: price(0.022),
            },
            Tier {
                begin: 512_000.0,
                end: None,
                price: price(0.021),
            },
        ]
    }

    fn total(lines: &[CostLine]) -> f64 {
        lines.iter().map(|l| l.cost.usd()).sum()
    }

    #[test]
    fn backup_tiers_match_known_bills() {
        // 50 TB fills the first tier exactly: 51,200 × 0.023.
        assert_relative_eq!(
            total(&snapshot_lines(51_200.0, &us_east_1_backup())),
            1177.60,
            epsilon = 1e-9
        );
        assert_relative_eq!(
            total(&snapshot_lines(48_800.0, &us_east_1_backup())),
            1122.40,
            epsilon = 1e-9
        );
        // 500 TB: 51,200 × 0.023 + 460,800 × 0.022.
        assert_relative_eq!(
            total(&snapshot_lines(512_000.0, &us_east_1_backup())),
            11_315.20,
            epsilon = 1e-6
        );
        let big = snapshot_lines(600_000.0, &us_east_1_backup());
        assert_eq!(big.len(), 3);
        assert_eq!(big[2].component, "snapshot storage (> 500 TB)");
        assert_relative_eq!(big[2].quantity, 88_000.0);
        assert_eq!(
            snapshot_lines(100.0, &us_east_1_backup())[0].component,
            "snapshot storage"
        );
        assert!(snapshot_lines(0.0, &us_east_1_backup()).is_empty());
    }

    #[test]
    fn compute_line_prices_rpu_hours() {
        let l = compute_line(
            "compute: q".into(),
            ComponentKind::ServerlessCompute,
            RpuSeconds(4_320_000.0),
            price(0.494),
        );
        assert_relative_eq!(l.quantity, 1200.0);
        assert_relative_eq!(l.cost.usd(), 592.8, epsilon = 1e-9);
        assert_eq!(l.unit, RPU_HOUR);
    }

    proptest! {
        #[test]
        fn tier_parts_sum_to_the_usage(gb in 0.0..2_000_000.0f64, more in 0.0..100_000.0f64) {
            let tiers = us_east_1_backup();
            let parts: f64 = split_tiers(gb, &tiers).iter().map(|p| p.2).sum();
            prop_assert!((parts - gb).abs() <= 1e-9 * (1.0 + gb));
            prop_assert!(total(&snapshot_lines(gb + more, &tiers)) + 1e-9 >= total(&snapshot_lines(gb, &tiers)));
        }
    }
}
