//! The `prices` command's output: the prices a run would use for some regions, each with
//! its source and date, as a table or as JSON.

use crate::report::format::unit_price;
use crate::sources::prices::resolve::{price_label, RegionSource, Resolved};
use crate::sources::prices::{PriceKey, RegionPrices};
use comfy_table::Table;
use redshift_cost_core::model::costs::tier_label;
use serde::Serialize;
use std::fmt::Write;

/// Version of the `prices --format json` contract.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceListing {
    pub schema_version: u32,
    pub regions: Vec<RegionListing>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionListing {
    pub region: String,
    pub location: String,
    /// `live`, `cache` or `bundled`: where the region's prices were taken from.
    pub origin: String,
    /// `live AWS Price List prices fetched 2026-11-21`, `bundled price book as of ...`.
    pub origin_label: String,
    /// RFC 3339, for live and cached prices.
    pub fetched_at: Option<String>,
    pub endpoint_region: Option<String>,
    pub prices: Vec<PriceRow>,
    /// Prices the live or cached answer lacked (the bundled price is listed instead).
    pub fallback: Vec<String>,
    pub reserved: Vec<ReservedRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceRow {
    /// Stable name: `rpu_hour`, `backup_tiers[0]`, `node_hour.ra3.4xlarge`, ...
    pub name: String,
    pub label: String,
    pub usd: f64,
    pub unit: String,
    /// `live 2026-11-21`, `cache 2026-11-18`, `bundled 2025-03-19`.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReservedRow {
    /// `serverless` or a node type.
    pub product: String,
    pub term: String,
    pub hourly_usd: f64,
    pub upfront_usd: f64,
    /// Hourly plus the upfront fee spread over the term.
    pub effective_hourly_usd: Option<f64>,
    /// Off the on-demand rate (0.2 = 20 %).
    pub discount: Option<f64>,
    pub source: String,
}

fn unit_of(key: &PriceKey) -> &'static str {
    match key {
        PriceKey::RpuHour => "RPU-hour",
        PriceKey::RmsGbMonth | PriceKey::S3GbMonth | PriceKey::BackupTier(_) => "GB-month",
        PriceKey::SpectrumTb | PriceKey::AthenaTb => "TB scanned",
        PriceKey::InterRegionGb => "GB",
        PriceKey::LambdaRequest => "request",
        PriceKey::LambdaGbSecond(_) => "GB-second",
        PriceKey::SagemakerInstanceHour(_) => "instance-hour",
        PriceKey::MlMillionCellsTier(_) => "million cells",
        PriceKey::NodeHour(_) => "node-hour",
        PriceKey::ConcurrencyScalingNodeSecond(_) => "node-second",
    }
}

fn label_of(prices: &RegionPrices, key: &PriceKey) -> String {
    match key {
        PriceKey::BackupTier(i) => match prices.backup_tiers.get(*i) {
            Some(t) => format!("backup storage {}", tier_label(t)),
            None => price_label(key),
        },
        PriceKey::MlMillionCellsTier(i) => match prices.ml_million_cells_tiers.get(*i) {
            Some(t) => {
                let range = match t.end {
                    Some(end) => format!("{}–{end} M cells", t.begin),
                    None => format!("> {} M cells", t.begin),
                };
                format!("Redshift ML training {range}")
            }
            None => price_label(key),
        },
        PriceKey::NodeHour(node) => format!("node {node}"),
        PriceKey::LambdaGbSecond(arch) => format!("Lambda duration ({arch})"),
        PriceKey::SagemakerInstanceHour(instance) => format!("SageMaker {instance}"),
        PriceKey::ConcurrencyScalingNodeSecond(node) => format!("concurrency scaling {node}"),
        PriceKey::RpuHour => "Serverless compute".into(),
        PriceKey::RmsGbMonth => "managed storage (RMS)".into(),
        PriceKey::SpectrumTb => "Spectrum scan".into(),
        PriceKey::InterRegionGb => "inter-region transfer".into(),
        PriceKey::AthenaTb => "Athena scan".into(),
        PriceKey::LambdaRequest => "Lambda requests".into(),
        PriceKey::S3GbMonth => "S3 Standard storage".into(),
    }
}

fn origin(s: &RegionSource) -> &'static str {
    match s.kind {
        crate::sources::prices::SourceKind::Live => "live",
        crate::sources::prices::SourceKind::Cache => "cache",
        _ => "bundled",
    }
}

/// The listing of `regions` (those without prices in `resolved` are left out).
pub fn listing(resolved: &Resolved, regions: &[String]) -> PriceListing {
    let as_of = resolved.book.as_of;
    let regions = regions
        .iter()
        .filter_map(|code| {
            let p = resolved.book.region(code)?;
            let default_source = RegionSource {
                kind: crate::sources::prices::SourceKind::Bundled,
                fetched_at: None,
                endpoint_region: None,
                fallback: Vec::new(),
            };
            let s = resolved.sources.get(code).unwrap_or(&default_source);
            let prices = p
                .keyed()
                .into_iter()
                .map(|(key, price)| PriceRow {
                    label: label_of(p, &key),
                    unit: unit_of(&key).to_string(),
                    usd: price.usd,
                    source: price.source.to_string(),
                    name: key.to_string(),
                })
                .collect();
            let reserved = p
                .reserved
                .iter()
                .map(|r| {
                    let on_demand = if r.product == "serverless" {
                        p.rpu_hour
                    } else {
                        p.node_hour.get(&r.product).copied()
                    };
                    ReservedRow {
                        product: r.product.clone(),
                        term: r.term.clone(),
                        hourly_usd: r.hourly_usd,
                        upfront_usd: r.upfront_usd,
                        effective_hourly_usd: r.effective_hourly_usd(),
                        discount: on_demand.and_then(|od| r.discount(od.usd)),
                        source: r.source.to_string(),
                    }
                })
                .collect();
            Some(RegionListing {
                region: code.clone(),
                location: p.location.clone(),
                origin: origin(s).to_string(),
                origin_label: s.label(as_of),
                fetched_at: s
                    .fetched_at
                    .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                endpoint_region: s.endpoint_region.clone(),
                prices,
                fallback: s.fallback.iter().map(ToString::to_string).collect(),
                reserved,
            })
        })
        .collect();
    PriceListing {
        schema_version: SCHEMA_VERSION,
        regions,
    }
}

fn new_table(header: &[&str], right: &[usize]) -> Table {
    let mut t = crate::report::table::new_table(header);
    crate::report::table::right_align(&mut t, right.iter().copied());
    t
}

/// The listing as tables, one per region (and one of its reserved terms, if any).
pub fn render_table(l: &PriceListing) -> Vec<u8> {
    let mut out = String::new();
    for (i, r) in l.regions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let endpoint = r
            .endpoint_region
            .as_ref()
            .map(|e| format!(" (endpoint region {e})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} — {}: {}{endpoint}",
            r.region, r.location, r.origin_label
        );
        let mut t = new_table(&["Price", "USD", "Unit", "Source"], &[1]);
        for p in &r.prices {
            t.add_row(vec![
                p.label.clone(),
                unit_price(p.usd),
                p.unit.clone(),
                p.source.clone(),
            ]);
        }
        let _ = writeln!(out, "{t}");
        if !r.reserved.is_empty() {
            let mut t = new_table(
                &[
                    "Reserved",
                    "Term",
                    "Hourly (USD)",
                    "Upfront (USD)",
                    "Effective hourly (USD)",
                    "Discount",
                    "Source",
                ],
                &[2, 3, 4, 5],
            );
            for x in &r.reserved {
                t.add_row(vec![
                    x.product.clone(),
                    x.term.clone(),
                    unit_price(x.hourly_usd),
                    crate::report::format::usd(x.upfront_usd),
                    x.effective_hourly_usd
                        .map(|h| unit_price((h * 1e4).round() / 1e4))
                        .unwrap_or_default(),
                    x.discount
                        .map(|d| format!("{:.1} %", d * 100.0))
                        .unwrap_or_default(),
                    x.source.clone(),
                ]);
            }
            let _ = writeln!(out, "{t}");
        }
    }
    out.into_bytes()
}

/// The listing as pretty JSON (numbers unrounded), ending in a newline.
pub fn render_json(l: &PriceListing) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(l).expect("a listing serializes");
    v.push(b'\n');
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::prices::bundled::bundled;
    use crate::sources::prices::resolve::{resolve, PriceMode, ResolveOptions};

    #[test]
    fn bundled_listing() {
        let regions = vec!["ap-northeast-1".to_string()];
        let r = resolve(
            bundled(),
            &regions,
            &ResolveOptions {
                mode: PriceMode::Bundled,
                refresh: false,
                cache: None,
                max_age: chrono::Duration::days(7),
                now: chrono::Utc::now(),
                endpoint_region: "us-east-1".into(),
            },
            |_| unreachable!(),
        )
        .unwrap();
        let l = listing(&r, &regions);
        assert_eq!(l.regions.len(), 1);
        let tokyo = &l.regions[0];
        assert_eq!(tokyo.origin, "bundled");
        assert_eq!(tokyo.prices[0].name, "rpu_hour");
        assert_eq!(tokyo.prices[0].unit, "RPU-hour");
        assert_eq!(tokyo.prices[0].usd, 0.494);
        assert_eq!(tokyo.prices[0].source, "bundled 2025-03-19");
        let table = String::from_utf8(render_table(&l)).unwrap();
        assert!(table.starts_with(
            "ap-northeast-1 — Asia Pacific (Tokyo): bundled price book as of 2025-03-19\n"
        ));
        assert!(table.contains("backup storage 0–50 TB"), "{table}");
        assert!(table.contains("node ra3.4xlarge"), "{table}");
        let json: serde_json::Value = serde_json::from_slice(&render_json(&l)).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["regions"][0]["prices"][0]["usd"], 0.494);
    }
}
