//! The price book: every price the estimator knows, per region, each with where it came from.

use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Where a price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The price book compiled into the binary.
    Bundled,
    /// Fetched from the AWS Price List API in this run.
    Live,
    /// Read from the on-disk cache of an earlier live fetch.
    Cache,
    /// Set in the scenario's `[prices]` table (or with `--set prices.*`).
    Override,
}

/// A price's provenance: the kind of source and the date the price was true on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PriceSource {
    pub kind: SourceKind,
    pub date: Option<NaiveDate>,
}

impl PriceSource {
    pub fn bundled(date: NaiveDate) -> PriceSource {
        PriceSource {
            kind: SourceKind::Bundled,
            date: Some(date),
        }
    }

    pub fn override_() -> PriceSource {
        PriceSource {
            kind: SourceKind::Override,
            date: None,
        }
    }
}

impl fmt::Display for PriceSource {
    /// `bundled 2025-03-19`, `live 2026-11-21`, `cache 2026-11-18`, `override`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            SourceKind::Bundled => "bundled",
            SourceKind::Live => "live",
            SourceKind::Cache => "cache",
            SourceKind::Override => "override",
        };
        match self.date {
            Some(d) => write!(f, "{kind} {}", d.format("%Y-%m-%d")),
            None => f.write_str(kind),
        }
    }
}

/// One price in USD per unit, with its source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub usd: f64,
    pub source: PriceSource,
}

/// One tier of a tiered price: usage in `[begin, end)` (GB) is billed at `price`.
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

/// Prices of one region.
#[derive(Debug, Clone, PartialEq)]
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
}

impl RegionPrices {
    /// Every price of the region, each with a name (`rpu_hour`, `backup_tiers[0]`,
    /// `node_hour.ra3.4xlarge`, ...), in a fixed order.
    pub fn prices(&self) -> Vec<(String, &Price)> {
        let mut out = Vec::new();
        let singles = [
            ("rpu_hour", &self.rpu_hour),
            ("rms_gb_month", &self.rms_gb_month),
            ("spectrum_tb", &self.spectrum_tb),
            ("inter_region_gb", &self.inter_region_gb),
        ];
        for (name, p) in singles {
            if let Some(p) = p {
                out.push((name.to_string(), p));
            }
        }
        for (i, t) in self.backup_tiers.iter().enumerate() {
            out.push((format!("backup_tiers[{i}]"), &t.price));
        }
        for (node, p) in &self.node_hour {
            out.push((format!("node_hour.{node}"), p));
        }
        for (node, p) in &self.concurrency_scaling_node_second {
            out.push((format!("concurrency_scaling_node_second.{node}"), p));
        }
        out
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
