//! Price types: every price the estimator knows, per region, each with where it came
//! from and the [`PriceKey`] that names it; one region's [`PriceSheet`] is what an
//! estimate is priced with. Nothing here looks a price up anywhere but in the values
//! it is given.

use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt;

/// Where a price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SourceKind {
    /// The price book compiled into the binary.
    Bundled,
    /// The price book compiled into the binary, for a price no stored source confirms
    /// (shown as `bundled <date> (unverified)`; override it in `[prices]`).
    BundledUnverified,
    /// Fetched from the AWS Price List API in this run.
    Live,
    /// Read from the on-disk cache of an earlier live fetch.
    Cache,
    /// Set in the scenario's `[prices]` table (or with `--set prices.*`).
    Override,
}

impl SourceKind {
    /// The kind's name in documents: `bundled`, `bundled-unverified`, `live`, `cache`,
    /// `override`.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Bundled => "bundled",
            SourceKind::BundledUnverified => "bundled-unverified",
            SourceKind::Live => "live",
            SourceKind::Cache => "cache",
            SourceKind::Override => "override",
        }
    }
}

/// A price's provenance: the kind of source and the date the price was true on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Provenance {
    pub kind: SourceKind,
    pub date: Option<NaiveDate>,
}

impl Provenance {
    pub fn bundled(date: NaiveDate) -> Provenance {
        Provenance {
            kind: SourceKind::Bundled,
            date: Some(date),
        }
    }

    /// A bundled price that no stored source confirms.
    pub fn bundled_unverified(date: NaiveDate) -> Provenance {
        Provenance {
            kind: SourceKind::BundledUnverified,
            date: Some(date),
        }
    }

    /// Whether the price is marked unverified.
    pub fn is_unverified(&self) -> bool {
        self.kind == SourceKind::BundledUnverified
    }

    pub fn override_() -> Provenance {
        Provenance {
            kind: SourceKind::Override,
            date: None,
        }
    }
}

impl fmt::Display for Provenance {
    /// `bundled 2025-03-19`, `bundled 2025-03-19 (unverified)`, `live 2026-11-21`,
    /// `cache 2026-11-18`, `override`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            SourceKind::Bundled | SourceKind::BundledUnverified => "bundled",
            SourceKind::Live => "live",
            SourceKind::Cache => "cache",
            SourceKind::Override => "override",
        };
        match self.date {
            Some(d) => write!(f, "{kind} {}", d.format("%Y-%m-%d"))?,
            None => f.write_str(kind)?,
        }
        if self.is_unverified() {
            f.write_str(" (unverified)")?;
        }
        Ok(())
    }
}

/// One price in USD per unit, with its source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub usd: f64,
    pub source: Provenance,
}

/// One tier of a tiered price: usage in `[begin, end)` is billed at `price` (GB for
/// storage tiers, millions of cells for Redshift ML).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tier {
    pub begin: f64,
    /// `None` = unbounded.
    pub end: Option<f64>,
    pub price: Price,
}

/// Reserved-term discounts, as fractions of the on-demand rate (0.2 = 20 % off).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReservedDiscounts {
    /// Key: `"1yr-no-upfront"`, `"1yr-partial-upfront"`, `"1yr-all-upfront"`, `"3yr-..."`.
    pub by_term: BTreeMap<String, f64>,
}

/// One reserved-term offer of a region (from the live Price List; the bundled book has
/// only the discount tables of [`PriceBook`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReservedRate {
    /// `serverless` (Serverless reservations, per RPU) or a node type (`ra3.4xlarge`).
    pub product: String,
    /// `1yr-no-upfront`, `1yr-partial-upfront`, `1yr-all-upfront`, `3yr-...`: the keys of
    /// [`ReservedDiscounts`].
    pub term: String,
    /// USD per hour (per RPU-hour for Serverless, per node-hour for nodes).
    pub hourly_usd: f64,
    /// One-off fee in USD (per RPU or per node), 0 when there is none.
    pub upfront_usd: f64,
    pub source: Provenance,
}

impl ReservedRate {
    /// Hours in the term (`1yr` = 8,760, `3yr` = 26,280), if the term says.
    pub fn term_hours(&self) -> Option<f64> {
        let years: f64 = self.term.split_once("yr")?.0.parse().ok()?;
        Some(years * 8_760.0)
    }

    /// The upfront fee spread over the term plus the hourly rate.
    pub fn effective_hourly_usd(&self) -> Option<f64> {
        Some(self.hourly_usd + self.upfront_usd / self.term_hours()?)
    }

    /// The discount off `on_demand_usd` (0.2 = 20 % off), if both are known.
    pub fn discount(&self, on_demand_usd: f64) -> Option<f64> {
        if !on_demand_usd.is_finite() || on_demand_usd <= 0.0 {
            return None;
        }
        Some(1.0 - self.effective_hourly_usd()? / on_demand_usd)
    }
}

/// Prices of one region.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegionPrices {
    /// Region code, e.g. `ap-northeast-1`.
    pub region: String,
    /// Price-list location name, e.g. `Asia Pacific (Tokyo)`.
    pub location: String,
    /// Serverless compute, USD per RPU-hour.
    pub rpu_hour: Option<Price>,
    /// Redshift Managed Storage, USD per GB-month.
    pub rms_gb_month: Option<Price>,
    /// Backup (snapshot) storage tiers, USD per GB-month, ascending.
    pub backup_tiers: Vec<Tier>,
    /// Spectrum on provisioned clusters, USD per TB scanned.
    pub spectrum_tb: Option<Price>,
    /// On-demand node-hours by node type (`ra3.4xlarge`, ...).
    pub node_hour: BTreeMap<String, Price>,
    /// Concurrency scaling, USD per node-second, by node type.
    pub concurrency_scaling_node_second: BTreeMap<String, Price>,
    /// Inter-region data transfer (snapshot copy, cross-region data sharing), USD per GB.
    pub inter_region_gb: Option<Price>,
    /// Reserved-term offers (Serverless reservations, reserved nodes) from the live Price
    /// List, for later use; empty in the bundled book.
    pub reserved: Vec<ReservedRate>,
    /// Athena, USD per TB scanned (the comparison line of Spectrum scans).
    pub athena_tb: Option<Price>,
    /// AWS Lambda, USD per request.
    pub lambda_request: Option<Price>,
    /// AWS Lambda duration, USD per GB-second, by architecture (`x86`, `arm`).
    pub lambda_gb_second: BTreeMap<String, Price>,
    /// S3 Standard storage, USD per GB-month.
    pub s3_gb_month: Option<Price>,
    /// SageMaker on-demand instances (Processing and training), USD per instance-hour,
    /// by instance type (`ml.m5.xlarge`, ...).
    pub sagemaker_instance_hour: BTreeMap<String, Price>,
    /// Redshift ML training (SageMaker Autopilot), USD per million cells; tiers in
    /// millions of cells per training, ascending.
    pub ml_million_cells_tiers: Vec<Tier>,
}

/// The name of one price of a region: which field of [`RegionPrices`] (and which entry
/// of a map or tier list) it is. Every cost line carries the key of the price it was
/// billed at, so "which prices fell back" is a lookup by key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PriceKey {
    RpuHour,
    RmsGbMonth,
    SpectrumTb,
    InterRegionGb,
    AthenaTb,
    LambdaRequest,
    S3GbMonth,
    /// `backup_tiers[i]`.
    BackupTier(usize),
    /// `node_hour.<node type>`.
    NodeHour(String),
    /// `concurrency_scaling_node_second.<node type>`.
    ConcurrencyScalingNodeSecond(String),
    /// `lambda_gb_second.<arch>`.
    LambdaGbSecond(String),
    /// `sagemaker_instance_hour.<instance type>`.
    SagemakerInstanceHour(String),
    /// `ml_million_cells_tiers[i]`.
    MlMillionCellsTier(usize),
}

impl fmt::Display for PriceKey {
    /// The key as the price listing and the fallback warnings name it: `rpu_hour`,
    /// `backup_tiers[0]`, `node_hour.ra3.4xlarge`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriceKey::RpuHour => f.write_str("rpu_hour"),
            PriceKey::RmsGbMonth => f.write_str("rms_gb_month"),
            PriceKey::SpectrumTb => f.write_str("spectrum_tb"),
            PriceKey::InterRegionGb => f.write_str("inter_region_gb"),
            PriceKey::AthenaTb => f.write_str("athena_tb"),
            PriceKey::LambdaRequest => f.write_str("lambda_request"),
            PriceKey::S3GbMonth => f.write_str("s3_gb_month"),
            PriceKey::BackupTier(i) => write!(f, "backup_tiers[{i}]"),
            PriceKey::NodeHour(n) => write!(f, "node_hour.{n}"),
            PriceKey::ConcurrencyScalingNodeSecond(n) => {
                write!(f, "concurrency_scaling_node_second.{n}")
            }
            PriceKey::LambdaGbSecond(a) => write!(f, "lambda_gb_second.{a}"),
            PriceKey::SagemakerInstanceHour(i) => write!(f, "sagemaker_instance_hour.{i}"),
            PriceKey::MlMillionCellsTier(i) => write!(f, "ml_million_cells_tiers[{i}]"),
        }
    }
}

impl RegionPrices {
    /// The price named `key`, if the region has it.
    pub fn get(&self, key: &PriceKey) -> Option<Price> {
        match key {
            PriceKey::RpuHour => self.rpu_hour,
            PriceKey::RmsGbMonth => self.rms_gb_month,
            PriceKey::SpectrumTb => self.spectrum_tb,
            PriceKey::InterRegionGb => self.inter_region_gb,
            PriceKey::AthenaTb => self.athena_tb,
            PriceKey::LambdaRequest => self.lambda_request,
            PriceKey::S3GbMonth => self.s3_gb_month,
            PriceKey::BackupTier(i) => self.backup_tiers.get(*i).map(|t| t.price),
            PriceKey::NodeHour(n) => self.node_hour.get(n).copied(),
            PriceKey::ConcurrencyScalingNodeSecond(n) => {
                self.concurrency_scaling_node_second.get(n).copied()
            }
            PriceKey::LambdaGbSecond(a) => self.lambda_gb_second.get(a).copied(),
            PriceKey::SagemakerInstanceHour(i) => self.sagemaker_instance_hour.get(i).copied(),
            PriceKey::MlMillionCellsTier(i) => self.ml_million_cells_tiers.get(*i).map(|t| t.price),
        }
    }

    /// Every price of the region with its key, in a fixed order.
    pub fn keyed(&self) -> Vec<(PriceKey, &Price)> {
        let mut out = Vec::new();
        let singles = [
            (PriceKey::RpuHour, &self.rpu_hour),
            (PriceKey::RmsGbMonth, &self.rms_gb_month),
            (PriceKey::SpectrumTb, &self.spectrum_tb),
            (PriceKey::InterRegionGb, &self.inter_region_gb),
            (PriceKey::AthenaTb, &self.athena_tb),
            (PriceKey::LambdaRequest, &self.lambda_request),
            (PriceKey::S3GbMonth, &self.s3_gb_month),
        ];
        for (key, p) in singles {
            if let Some(p) = p {
                out.push((key, p));
            }
        }
        for (i, t) in self.backup_tiers.iter().enumerate() {
            out.push((PriceKey::BackupTier(i), &t.price));
        }
        for (node, p) in &self.node_hour {
            out.push((PriceKey::NodeHour(node.clone()), p));
        }
        for (node, p) in &self.concurrency_scaling_node_second {
            out.push((PriceKey::ConcurrencyScalingNodeSecond(node.clone()), p));
        }
        for (arch, p) in &self.lambda_gb_second {
            out.push((PriceKey::LambdaGbSecond(arch.clone()), p));
        }
        for (instance, p) in &self.sagemaker_instance_hour {
            out.push((PriceKey::SagemakerInstanceHour(instance.clone()), p));
        }
        for (i, t) in self.ml_million_cells_tiers.iter().enumerate() {
            out.push((PriceKey::MlMillionCellsTier(i), &t.price));
        }
        out
    }

    /// Every price of the region, each with its key's name (`rpu_hour`,
    /// `backup_tiers[0]`, `node_hour.ra3.4xlarge`, ...), in a fixed order.
    pub fn prices(&self) -> Vec<(String, &Price)> {
        self.keyed()
            .into_iter()
            .map(|(k, p)| (k.to_string(), p))
            .collect()
    }
}

/// Everything one scenario is priced with: its region's prices (the scenario's
/// `[prices]` overrides applied), the reserved-term discounts, and the prices of the
/// other regions it names (a snapshot copy region). The caller resolves it; the model
/// only reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceSheet {
    pub prices: RegionPrices,
    /// Reserved-node discounts (fractions off on demand) by term key.
    pub node_reserved: ReservedDiscounts,
    /// Serverless-reservation discounts by term key.
    pub serverless_reserved: ReservedDiscounts,
    /// Other regions' prices by region code (the snapshot copy region).
    pub other_regions: BTreeMap<String, RegionPrices>,
}

impl PriceSheet {
    /// A sheet of `prices` with no reserved discounts and no other regions.
    pub fn of(prices: RegionPrices) -> PriceSheet {
        PriceSheet {
            prices,
            ..PriceSheet::default()
        }
    }
}

/// All regions' prices plus the reservation discounts, with the book's own provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceBook {
    /// Human description of where the book came from (printed once per run).
    pub description: String,
    /// The date most of the book's prices were published.
    pub as_of: NaiveDate,
    pub regions: BTreeMap<String, RegionPrices>,
    /// Serverless reservations (`[serverless] reserved_rpu`).
    pub serverless_reserved: ReservedDiscounts,
    /// Reserved provisioned nodes.
    pub node_reserved: ReservedDiscounts,
}

impl PriceBook {
    /// The prices of `region`, if the book knows it.
    pub fn region(&self, region: &str) -> Option<&RegionPrices> {
        self.regions.get(region)
    }

    /// Region codes, sorted.
    pub fn region_codes(&self) -> impl Iterator<Item = &str> {
        self.regions.keys().map(String::as_str)
    }
}
