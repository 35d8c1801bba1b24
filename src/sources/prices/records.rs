//! Price List records: one `PriceList` element of a GetProducts answer (a JSON *string*,
//! decoded here) → typed product and price facts; a region's records → [`LivePrices`].
//!
//! Pure: no network, no clock. A record looks like this (trimmed):
//!
//! ```json
//! {"product": {"productFamily": "Serverless", "sku": "…",
//!              "attributes": {"regionCode": "ap-southeast-1", "usagetype": "APS1-Redshift:ServerlessUsage",
//!                             "location": "Asia Pacific (Singapore)", …}},
//!  "serviceCode": "AmazonRedshift",
//!  "terms": {"OnDemand": {"<sku>.JRTCKXETXF": {"priceDimensions": {"<sku>.JRTCKXETXF.6YS6EN2CT7":
//!              {"unit": "RPU-Hr", "beginRange": "0", "endRange": "Inf", "pricePerUnit": {"USD": "0.4500000000"}}},
//!              "termAttributes": {}}},
//!            "Reserved": {"<sku>.4NA7Y494T4": {"priceDimensions": {…},
//!              "termAttributes": {"LeaseContractLength": "1yr", "PurchaseOption": "No Upfront",
//!                                 "OfferingClass": "standard"}}}},
//!  "version": "20260723204527", "publicationDate": "2026-07-23T20:45:27Z"}
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why one record could not be read (the record is skipped, the rest are used).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("not a Price List record: {0}")]
    Json(#[from] serde_json::Error),
    #[error("Price List record {sku}: {reason}")]
    Invalid { sku: String, reason: String },
}

/// One price dimension of a term: `usd` per `unit` for usage in `[begin, end)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub unit: String,
    pub begin: f64,
    /// `None` = `"Inf"` (or no range given).
    pub end: Option<f64>,
    pub usd: f64,
    pub description: String,
}

/// One reserved term of a product.
#[derive(Debug, Clone, PartialEq)]
pub struct TermOffer {
    /// `1yr`, `3yr`.
    pub lease_contract_length: String,
    /// `No Upfront`, `Partial Upfront`, `All Upfront`.
    pub purchase_option: String,
    pub offering_class: Option<String>,
    pub dimensions: Vec<Dimension>,
}

impl TermOffer {
    /// `1yr-no-upfront`, `3yr-partial-upfront`, ...: the keys of the price book's discount
    /// tables; `None` for terms of another shape.
    pub fn key(&self) -> Option<String> {
        let years = self.lease_contract_length.trim().to_ascii_lowercase();
        let years = match years.as_str() {
            "1yr" | "1 year" => "1yr",
            "3yr" | "3 years" | "3 year" => "3yr",
            _ => return None,
        };
        let option = match self.purchase_option.trim().to_ascii_lowercase().as_str() {
            "no upfront" => "no-upfront",
            "partial upfront" => "partial-upfront",
            "all upfront" => "all-upfront",
            _ => return None,
        };
        Some(format!("{years}-{option}"))
    }

    /// The one-off fee (the `Quantity` dimension, "Upfront Fee"), 0 when there is none.
    pub fn upfront_usd(&self) -> f64 {
        self.dimensions
            .iter()
            .filter(|d| is_quantity(&d.unit))
            .map(|d| d.usd)
            .sum()
    }

    /// The hourly rate (the dimension that is not the upfront fee).
    pub fn hourly_usd(&self) -> Option<f64> {
        self.dimensions
            .iter()
            .find(|d| !is_quantity(&d.unit))
            .map(|d| d.usd)
    }
}

fn is_quantity(unit: &str) -> bool {
    unit.eq_ignore_ascii_case("Quantity")
}

/// One Price List record, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceRecord {
    pub sku: String,
    pub product_family: String,
    /// The product attributes that are strings (all of them, in real answers).
    pub attributes: BTreeMap<String, String>,
    /// Dimensions of the on-demand term(s), in rate-code order.
    pub on_demand: Vec<Dimension>,
    pub reserved: Vec<TermOffer>,
    pub publication_date: Option<String>,
}

impl PriceRecord {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn usagetype(&self) -> &str {
        self.attr("usagetype").unwrap_or("")
    }

    /// The on-demand price of a product with one (untiered) rate: the dimension that
    /// starts at 0.
    pub fn on_demand_rate(&self) -> Option<&Dimension> {
        self.on_demand.iter().find(|d| d.begin == 0.0)
    }
}

// ----------------------------------------------------------------------------------------
// Wire format

#[derive(Deserialize)]
struct WireRecord {
    product: WireProduct,
    #[serde(default)]
    terms: WireTerms,
    #[serde(rename = "publicationDate", default)]
    publication_date: Option<String>,
}

#[derive(Deserialize)]
struct WireProduct {
    #[serde(rename = "productFamily", default)]
    product_family: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, serde_json::Value>,
    sku: String,
}

#[derive(Deserialize, Default)]
struct WireTerms {
    #[serde(rename = "OnDemand", default)]
    on_demand: BTreeMap<String, WireTerm>,
    #[serde(rename = "Reserved", default)]
    reserved: BTreeMap<String, WireTerm>,
}

#[derive(Deserialize)]
struct WireTerm {
    #[serde(rename = "priceDimensions", default)]
    price_dimensions: BTreeMap<String, WireDimension>,
    #[serde(rename = "termAttributes", default)]
    term_attributes: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct WireDimension {
    #[serde(default)]
    unit: String,
    #[serde(rename = "beginRange", default)]
    begin_range: Option<String>,
    #[serde(rename = "endRange", default)]
    end_range: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(rename = "pricePerUnit", default)]
    price_per_unit: BTreeMap<String, String>,
}

fn strings(map: BTreeMap<String, serde_json::Value>) -> BTreeMap<String, String> {
    map.into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect()
}

/// Dimensions of `term`; a dimension with no USD price (another currency) is left out.
fn dimensions(sku: &str, term: WireTerm) -> Result<Vec<Dimension>, RecordError> {
    let invalid = |reason: String| RecordError::Invalid {
        sku: sku.to_string(),
        reason,
    };
    let mut out = Vec::new();
    for (rate, d) in term.price_dimensions {
        let Some(usd) = d.price_per_unit.get("USD") else {
            continue;
        };
        let usd: f64 = usd
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| invalid(format!("{rate}: price {usd:?} is not a number")))?;
        let begin = match d.begin_range.as_deref().map(str::trim) {
            None | Some("") => 0.0,
            Some(s) => s
                .parse()
                .map_err(|_| invalid(format!("{rate}: beginRange {s:?} is not a number")))?,
        };
        let end = match d.end_range.as_deref().map(str::trim) {
            None | Some("" | "Inf") => None,
            Some(s) => Some(
                s.parse()
                    .map_err(|_| invalid(format!("{rate}: endRange {s:?} is not a number")))?,
            ),
        };
        out.push(Dimension {
            unit: d.unit,
            begin,
            end,
            usd,
            description: d.description,
        });
    }
    Ok(out)
}

/// Decodes one `PriceList` element (the JSON string as the API returns it).
pub fn parse_record(json: &str) -> Result<PriceRecord, RecordError> {
    let wire: WireRecord = serde_json::from_str(json)?;
    let sku = wire.product.sku;
    let mut on_demand = Vec::new();
    for (_, term) in wire.terms.on_demand {
        on_demand.extend(dimensions(&sku, term)?);
    }
    let mut reserved = Vec::new();
    for (_, mut term) in wire.terms.reserved {
        let mut attrs = strings(std::mem::take(&mut term.term_attributes));
        let mut take = |k: &str| attrs.remove(k);
        let (lease, option, class) = (
            take("LeaseContractLength"),
            take("PurchaseOption"),
            take("OfferingClass"),
        );
        reserved.push(TermOffer {
            lease_contract_length: lease.unwrap_or_default(),
            purchase_option: option.unwrap_or_default(),
            offering_class: class,
            dimensions: dimensions(&sku, term)?,
        });
    }
    Ok(PriceRecord {
        sku,
        product_family: wire.product.product_family.unwrap_or_default(),
        attributes: strings(wire.product.attributes),
        on_demand,
        reserved,
        publication_date: wire.publication_date,
    })
}

// ----------------------------------------------------------------------------------------
// What a record is

/// What a record prices, as far as the estimator is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Product {
    /// Serverless compute on demand: productFamily `Serverless`, usagetype ending exactly
    /// in `:ServerlessUsage`.
    ServerlessCompute,
    /// Other `Serverless` usagetypes, e.g. the capacity-reservation SKUs
    /// `…:ServerlessUsage-CR-1YR-NU` / `-CR-1YR-AU`: not the on-demand rate.
    ServerlessOther,
    /// Redshift Managed Storage (`<PFX>-RMS:Serverless` or `<PFX>-RMS:<node type>`).
    ManagedStorage {
        applies_to: String,
    },
    /// Backup (snapshot) storage, tiered: productFamily `Storage Snapshot`.
    BackupStorage,
    /// On-demand node-hours: productFamily `Compute Instance`, usagetype `Node:<type>`.
    NodeHours {
        node_type: String,
    },
    /// Paid concurrency scaling of a node type.
    ConcurrencyScaling {
        node_type: String,
    },
    /// The free concurrency-scaling rows (`concurrencyscalingfreeusage` = Yes).
    ConcurrencyScalingFree,
    /// Spectrum data scanned: productFamily `Redshift Data Scan`.
    SpectrumScan,
    Other,
}

/// The usagetype without its region prefix: `APS1-RMS:ra3.large` → `RMS:ra3.large`;
/// `Node:ra3.4xlarge` (us-east-1 has no prefix) stays as it is.
pub fn usagetype_base(usagetype: &str) -> &str {
    match usagetype.split_once('-') {
        Some((prefix, rest))
            if !prefix.is_empty()
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
        {
            rest
        }
        _ => usagetype,
    }
}

/// Classifies `record` (see [`Product`]).
pub fn classify(record: &PriceRecord) -> Product {
    let usagetype = record.usagetype();
    let base = usagetype_base(usagetype);
    let instance_type = record.attr("instanceType").unwrap_or("").trim();
    match record.product_family.as_str() {
        "Serverless" if usagetype.ends_with(":ServerlessUsage") => Product::ServerlessCompute,
        "Serverless" => Product::ServerlessOther,
        "Redshift Managed Storage" => match base.strip_prefix("RMS:") {
            Some(target) if !target.is_empty() => Product::ManagedStorage {
                applies_to: target.to_string(),
            },
            _ => Product::Other,
        },
        "Storage Snapshot" if usagetype.ends_with("PaidSnapshots") => Product::BackupStorage,
        "Compute Instance"
            if !instance_type.is_empty() && base == format!("Node:{instance_type}") =>
        {
            Product::NodeHours {
                node_type: instance_type.to_string(),
            }
        }
        "Redshift Concurrency Scaling" => {
            let free = record
                .attr("concurrencyscalingfreeusage")
                .is_some_and(|v| v.eq_ignore_ascii_case("yes"))
                || usagetype.contains("FreeUsage");
            if free {
                Product::ConcurrencyScalingFree
            } else if instance_type.is_empty() {
                Product::Other
            } else {
                Product::ConcurrencyScaling {
                    node_type: instance_type.to_string(),
                }
            }
        }
        "Redshift Data Scan" => Product::SpectrumScan,
        _ => Product::Other,
    }
}

// ----------------------------------------------------------------------------------------
// A region's records → its prices

/// One tier of the live backup-storage price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveTier {
    pub begin_gb: f64,
    pub end_gb: Option<f64>,
    pub usd: f64,
}

/// One reserved-term offer from the live answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveReserved {
    /// `serverless` or a node type.
    pub product: String,
    /// `1yr-no-upfront`, ...
    pub term: String,
    pub hourly_usd: f64,
    pub upfront_usd: f64,
}

/// The prices of one region as the live Price List gave them (also the content of a
/// cache file). A price that the answer lacked is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LivePrices {
    pub region: String,
    /// Price-list location name, e.g. `Asia Pacific (Tokyo)`.
    #[serde(default)]
    pub location: Option<String>,
    /// The newest `publicationDate` of the records used.
    #[serde(default)]
    pub publication_date: Option<String>,
    /// Records read.
    #[serde(default)]
    pub records: usize,
    #[serde(default)]
    pub rpu_hour: Option<f64>,
    #[serde(default)]
    pub rms_gb_month: Option<f64>,
    #[serde(default)]
    pub backup_tiers: Vec<LiveTier>,
    #[serde(default)]
    pub spectrum_tb: Option<f64>,
    #[serde(default)]
    pub node_hour: BTreeMap<String, f64>,
    #[serde(default)]
    pub concurrency_scaling_node_second: BTreeMap<String, f64>,
    #[serde(default)]
    pub reserved: Vec<LiveReserved>,
    /// Records or prices that were ignored, and why (shown as warnings).
    #[serde(default)]
    pub notes: Vec<String>,
}

fn unit_is(unit: &str, what: UnitKind) -> bool {
    let u = unit.trim().to_ascii_lowercase();
    match what {
        UnitKind::RpuHour => u.contains("rpu") && (u.contains("hr") || u.contains("hour")),
        UnitKind::GbMonth => u.starts_with("gb-mo") || u == "gb-month",
        UnitKind::Hours => u == "hrs" || u == "hr" || u == "hours" || u == "hour",
        UnitKind::Terabytes => u == "tb" || u.starts_with("terabyte"),
    }
}

#[derive(Clone, Copy)]
enum UnitKind {
    RpuHour,
    GbMonth,
    Hours,
    Terabytes,
}

/// A concurrency-scaling price per node-second: the list may quote it per second or per
/// hour.
fn per_node_second(d: &Dimension) -> Option<f64> {
    let u = d.unit.trim().to_ascii_lowercase();
    if u.contains("sec") {
        Some(d.usd)
    } else if u.contains("hr") || u.contains("hour") {
        Some(d.usd / 3_600.0)
    } else {
        None
    }
}

fn positive(x: f64) -> Option<f64> {
    (x.is_finite() && x > 0.0).then_some(x)
}

impl LivePrices {
    /// Maps the records of `region` (already filtered to it by the query) to prices.
    /// Records are taken in SKU order, so the result does not depend on page order.
    pub fn from_records(region: &str, records: &[PriceRecord]) -> LivePrices {
        let mut sorted: Vec<&PriceRecord> = records.iter().collect();
        sorted.sort_by(|a, b| a.sku.cmp(&b.sku));
        let mut out = LivePrices {
            region: region.to_string(),
            records: records.len(),
            ..LivePrices::default()
        };
        let mut rms: Vec<(String, f64)> = Vec::new();
        let mut backup: Vec<LiveTier> = Vec::new();
        let note = |out: &mut LivePrices, r: &PriceRecord, why: &str| {
            out.notes.push(format!(
                "ignored {} record {} ({}): {why}",
                r.product_family,
                r.sku,
                r.usagetype()
            ));
        };
        for r in sorted {
            if r.attr("regionCode").is_some_and(|c| c != region) {
                continue;
            }
            let product = classify(r);
            if product != Product::Other && out.location.is_none() {
                out.location = r.attr("location").map(str::to_string);
            }
            if product != Product::Other {
                if let Some(p) = &r.publication_date {
                    if out.publication_date.as_ref().is_none_or(|q| p > q) {
                        out.publication_date = Some(p.clone());
                    }
                }
            }
            let rate = r.on_demand_rate();
            match &product {
                Product::ServerlessCompute => match rate {
                    Some(d) if unit_is(&d.unit, UnitKind::RpuHour) => {
                        if out.rpu_hour.is_none() {
                            out.rpu_hour = positive(d.usd);
                        }
                        out.reserved.extend(reserved_of(r, "serverless"));
                    }
                    _ => note(&mut out, r, "no on-demand RPU-Hr price"),
                },
                Product::ManagedStorage { applies_to } => match rate {
                    Some(d) if unit_is(&d.unit, UnitKind::GbMonth) => {
                        if let Some(usd) = positive(d.usd) {
                            rms.push((applies_to.clone(), usd));
                        }
                    }
                    _ => note(&mut out, r, "no on-demand GB-Mo price"),
                },
                Product::BackupStorage => {
                    for d in &r.on_demand {
                        if unit_is(&d.unit, UnitKind::GbMonth) && d.usd > 0.0 {
                            backup.push(LiveTier {
                                begin_gb: d.begin,
                                end_gb: d.end,
                                usd: d.usd,
                            });
                        }
                    }
                }
                Product::NodeHours { node_type } => match rate {
                    Some(d) if unit_is(&d.unit, UnitKind::Hours) => {
                        if let Some(usd) = positive(d.usd) {
                            out.node_hour.entry(node_type.clone()).or_insert(usd);
                        }
                        out.reserved.extend(reserved_of(r, node_type));
                    }
                    _ => note(&mut out, r, "no on-demand Hrs price"),
                },
                Product::ConcurrencyScaling { node_type } => {
                    match rate.and_then(per_node_second).and_then(positive) {
                        Some(usd) => {
                            out.concurrency_scaling_node_second
                                .entry(node_type.clone())
                                .or_insert(usd);
                        }
                        None => note(&mut out, r, "no per-second or per-hour price"),
                    }
                }
                Product::SpectrumScan => match rate {
                    Some(d) if unit_is(&d.unit, UnitKind::Terabytes) => {
                        if out.spectrum_tb.is_none() {
                            out.spectrum_tb = positive(d.usd);
                        }
                    }
                    _ => note(&mut out, r, "no per-terabyte price"),
                },
                Product::ServerlessOther | Product::ConcurrencyScalingFree | Product::Other => {}
            }
        }
        // RMS: one rate for Serverless and RA3; prefer the Serverless SKU.
        out.rms_gb_month = rms
            .iter()
            .find(|(t, _)| t == "Serverless")
            .or_else(|| rms.first())
            .map(|(_, usd)| *usd);
        match checked_tiers(backup) {
            Ok(tiers) => out.backup_tiers = tiers,
            Err(why) => out
                .notes
                .push(format!("ignored the backup storage tiers: {why}")),
        }
        // Serverless reservations first, then node types; terms in key order.
        out.reserved.sort_by(|a, b| {
            let key =
                |r: &LiveReserved| (r.product != "serverless", r.product.clone(), r.term.clone());
            key(a).cmp(&key(b))
        });
        out.reserved
            .dedup_by(|a, b| a.product == b.product && a.term == b.term);
        out
    }

    /// `true` when the answer held none of the prices the estimator uses.
    pub fn is_empty(&self) -> bool {
        self.rpu_hour.is_none()
            && self.rms_gb_month.is_none()
            && self.backup_tiers.is_empty()
            && self.spectrum_tb.is_none()
            && self.node_hour.is_empty()
            && self.concurrency_scaling_node_second.is_empty()
    }
}

/// The standard reserved terms of `r`, labelled with `product`.
fn reserved_of(r: &PriceRecord, product: &str) -> Vec<LiveReserved> {
    r.reserved
        .iter()
        .filter(|t| {
            t.offering_class
                .as_deref()
                .is_none_or(|c| c.eq_ignore_ascii_case("standard"))
        })
        .filter_map(|t| {
            Some(LiveReserved {
                product: product.to_string(),
                term: t.key()?,
                hourly_usd: t.hourly_usd().unwrap_or(0.0),
                upfront_usd: t.upfront_usd(),
            })
        })
        .collect()
}

/// Tiers sorted by begin, duplicates dropped; they must start at 0, be contiguous and end
/// unbounded, or they are not used.
fn checked_tiers(mut tiers: Vec<LiveTier>) -> Result<Vec<LiveTier>, String> {
    if tiers.is_empty() {
        return Ok(tiers);
    }
    tiers.sort_by(|a, b| a.begin_gb.total_cmp(&b.begin_gb));
    tiers.dedup_by(|a, b| a.begin_gb == b.begin_gb);
    let mut expected = 0.0;
    for (i, t) in tiers.iter().enumerate() {
        if t.begin_gb != expected {
            return Err(format!(
                "tier {i} begins at {} GB, expected {expected}",
                t.begin_gb
            ));
        }
        match t.end_gb {
            Some(end) if end > t.begin_gb => expected = end,
            Some(end) => return Err(format!("tier {i} ends at {end} GB, not after its begin")),
            None if i + 1 == tiers.len() => {}
            None => return Err(format!("tier {i} is unbounded but not last")),
        }
    }
    if tiers.last().is_some_and(|t| t.end_gb.is_some()) {
        return Err("the last tier is bounded".to_string());
    }
    Ok(tiers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Modelled on a real GetProducts answer for ap-southeast-1 (publication 2026-07-23):
    /// the on-demand Serverless SKU with its four reserved terms, and the two
    /// capacity-reservation SKUs that must not be taken for the on-demand rate. Real prices.
    const SGP_SERVERLESS: &str = r#"{"product":{"productFamily":"Serverless","attributes":{"regionCode":"ap-southeast-1","servicecode":"AmazonRedshift","usagetype":"APS1-Redshift:ServerlessUsage","description":"Redshift Serverless compute charges","locationType":"AWS Region","location":"Asia Pacific (Singapore)","servicename":"Amazon Redshift","operation":"RunServerlessCompute:001"},"sku":"TESTSGPOD0000001"},"serviceCode":"AmazonRedshift","terms":{"OnDemand":{"TESTSGPOD0000001.JRTCKXETXF":{"priceDimensions":{"TESTSGPOD0000001.JRTCKXETXF.6YS6EN2CT7":{"unit":"RPU-Hr","endRange":"Inf","description":"$0.45 per RPU-Hr for Redshift Serverless compute charges in Asia Pacific (Singapore)","appliesTo":[],"rateCode":"TESTSGPOD0000001.JRTCKXETXF.6YS6EN2CT7","beginRange":"0","pricePerUnit":{"USD":"0.4500000000"}}},"sku":"TESTSGPOD0000001","effectiveDate":"2026-06-01T00:00:00Z","offerTermCode":"JRTCKXETXF","termAttributes":{}}},"Reserved":{"TESTSGPOD0000001.BPH4J8HBKS":{"priceDimensions":{"TESTSGPOD0000001.BPH4J8HBKS.6YS6EN2CT7":{"unit":"RPU-Hr","endRange":"Inf","description":"Redshift Serverless, redshift.serverless reserved instance applied","appliesTo":[],"rateCode":"TESTSGPOD0000001.BPH4J8HBKS.6YS6EN2CT7","beginRange":"0","pricePerUnit":{"USD":"0.2475000000"}}},"sku":"TESTSGPOD0000001","effectiveDate":"2026-07-23T20:45:33Z","offerTermCode":"BPH4J8HBKS","termAttributes":{"LeaseContractLength":"3yr","OfferingClass":"standard","PurchaseOption":"No Upfront"}},"TESTSGPOD0000001.4NA7Y494T4":{"priceDimensions":{"TESTSGPOD0000001.4NA7Y494T4.6YS6EN2CT7":{"unit":"RPU-Hr","endRange":"Inf","description":"Redshift Serverless, redshift.serverless reserved instance applied","appliesTo":[],"rateCode":"TESTSGPOD0000001.4NA7Y494T4.6YS6EN2CT7","beginRange":"0","pricePerUnit":{"USD":"0.3600000000"}}},"sku":"TESTSGPOD0000001","effectiveDate":"2026-07-23T20:45:33Z","offerTermCode":"4NA7Y494T4","termAttributes":{"LeaseContractLength":"1yr","OfferingClass":"standard","PurchaseOption":"No Upfront"}},"TESTSGPOD0000001.6QCMYABX3D":{"priceDimensions":{"TESTSGPOD0000001.6QCMYABX3D.2TG2D8R56U":{"unit":"Quantity","description":"Upfront Fee","appliesTo":[],"rateCode":"TESTSGPOD0000001.6QCMYABX3D.2TG2D8R56U","pricePerUnit":{"USD":"2996"}},"TESTSGPOD0000001.6QCMYABX3D.6YS6EN2CT7":{"unit":"RPU-Hr","endRange":"Inf","description":"Redshift Serverless, redshift.serverless reserved instance applied","appliesTo":[],"rateCode":"TESTSGPOD0000001.6QCMYABX3D.6YS6EN2CT7","beginRange":"0","pricePerUnit":{"USD":"0.0000000000"}}},"sku":"TESTSGPOD0000001","effectiveDate":"2026-07-23T20:45:33Z","offerTermCode":"6QCMYABX3D","termAttributes":{"LeaseContractLength":"1yr","OfferingClass":"standard","PurchaseOption":"All Upfront"}},"TESTSGPOD0000001.NQ3QZPMQV9":{"priceDimensions":{"TESTSGPOD0000001.NQ3QZPMQV9.6YS6EN2CT7":{"unit":"RPU-Hr","endRange":"Inf","description":"Redshift Serverless, redshift.serverless reserved instance applied","appliesTo":[],"rateCode":"TESTSGPOD0000001.NQ3QZPMQV9.6YS6EN2CT7","beginRange":"0","pricePerUnit":{"USD":"0.0000000000"}},"TESTSGPOD0000001.NQ3QZPMQV9.2TG2D8R56U":{"unit":"Quantity","description":"Upfront Fee","appliesTo":[],"rateCode":"TESTSGPOD0000001.NQ3QZPMQV9.2TG2D8R56U","pricePerUnit":{"USD":"5913"}}},"sku":"TESTSGPOD0000001","effectiveDate":"2026-07-23T20:45:33Z","offerTermCode":"NQ3QZPMQV9","termAttributes":{"LeaseContractLength":"3yr","OfferingClass":"standard","PurchaseOption":"All Upfront"}}}},"version":"20260723204527","publicationDate":"2026-07-23T20:45:27Z"}"#;

    const SGP_CR_NU: &str = r#"{"product":{"productFamily":"Serverless","attributes":{"regionCode":"ap-southeast-1","servicecode":"AmazonRedshift","usagetype":"APS1-Redshift:ServerlessUsage-CR-1YR-NU","paymentOption":"No Upfront","locationType":"AWS Region","location":"Asia Pacific (Singapore)","servicename":"Amazon Redshift","term":"1 Year","operation":"RunServerlessCompute:001"},"sku":"TESTSGPCR0000001"},"serviceCode":"AmazonRedshift","terms":{"OnDemand":{"TESTSGPCR0000001.JRTCKXETXF":{"priceDimensions":{"TESTSGPCR0000001.JRTCKXETXF.6YS6EN2CT7":{"unit":"RPU-Hr","endRange":"Inf","description":"$0.351 per RPU-Hr for Redshift serverless capacity reservations usage in Asia Pacific (Singapore)","appliesTo":[],"rateCode":"TESTSGPCR0000001.JRTCKXETXF.6YS6EN2CT7","beginRange":"0","pricePerUnit":{"USD":"0.3510000000"}}},"sku":"TESTSGPCR0000001","effectiveDate":"2026-06-01T00:00:00Z","offerTermCode":"JRTCKXETXF","termAttributes":{}}}},"version":"20260723204527","publicationDate":"2026-07-23T20:45:27Z"}"#;

    const SGP_CR_AU: &str = r#"{"product":{"productFamily":"Serverless","attributes":{"regionCode":"ap-southeast-1","servicecode":"AmazonRedshift","usagetype":"APS1-Redshift:ServerlessUsage-CR-1YR-AU","paymentOption":"All Upfront","locationType":"AWS Region","location":"Asia Pacific (Singapore)","servicename":"Amazon Redshift","term":"1 Year","operation":"RunServerlessCompute:001"},"sku":"TESTSGPCR0000000"},"serviceCode":"AmazonRedshift","terms":{"OnDemand":{"TESTSGPCR0000000.JRTCKXETXF":{"priceDimensions":{"TESTSGPCR0000000.JRTCKXETXF.6YS6EN2CT7":{"unit":"RPU-Hr","endRange":"Inf","description":"$2,917.00 per RPU-Hr for Redshift serverless capacity reservations all-upfront usage in Asia Pacific (Singapore)","appliesTo":[],"rateCode":"TESTSGPCR0000000.JRTCKXETXF.6YS6EN2CT7","beginRange":"0","pricePerUnit":{"USD":"2917.0000000000"}}},"sku":"TESTSGPCR0000000","effectiveDate":"2026-06-01T00:00:00Z","offerTermCode":"JRTCKXETXF","termAttributes":{}}}},"version":"20260723204527","publicationDate":"2026-07-23T20:45:27Z"}"#;

    fn rms(sku: &str, target: &str, usd: &str, extra: &str) -> String {
        format!(
            r#"{{"product":{{"productFamily":"Redshift Managed Storage","attributes":{{"regionCode":"ap-southeast-1","servicecode":"AmazonRedshift",{extra}"usagetype":"APS1-RMS:{target}","description":"Storage charges with Redshift managed storage","locationType":"AWS Region","location":"Asia Pacific (Singapore)","servicename":"Amazon Redshift","operation":""}},"sku":"{sku}"}},"serviceCode":"AmazonRedshift","terms":{{"OnDemand":{{"{sku}.JRTCKXETXF":{{"priceDimensions":{{"{sku}.JRTCKXETXF.6YS6EN2CT7":{{"unit":"GB-Mo","endRange":"Inf","description":"${usd} per GB-Mo","appliesTo":[],"rateCode":"{sku}.JRTCKXETXF.6YS6EN2CT7","beginRange":"0","pricePerUnit":{{"USD":"{usd}"}}}}}},"sku":"{sku}","effectiveDate":"2026-06-01T00:00:00Z","offerTermCode":"JRTCKXETXF","termAttributes":{{}}}}}}}},"version":"20260723204527","publicationDate":"2026-07-23T20:45:27Z"}}"#
        )
    }

    fn records(jsons: &[&str]) -> Vec<PriceRecord> {
        jsons.iter().map(|j| parse_record(j).unwrap()).collect()
    }

    #[test]
    fn parses_the_real_record_structure() {
        let r = parse_record(SGP_SERVERLESS).unwrap();
        assert_eq!(r.sku, "TESTSGPOD0000001");
        assert_eq!(r.product_family, "Serverless");
        assert_eq!(r.attr("regionCode"), Some("ap-southeast-1"));
        assert_eq!(r.usagetype(), "APS1-Redshift:ServerlessUsage");
        assert_eq!(r.publication_date.as_deref(), Some("2026-07-23T20:45:27Z"));
        assert_eq!(r.on_demand.len(), 1);
        let d = r.on_demand_rate().unwrap();
        assert_eq!((d.unit.as_str(), d.begin, d.end), ("RPU-Hr", 0.0, None));
        assert_relative_eq!(d.usd, 0.45);
        assert_eq!(r.reserved.len(), 4);
        let mut terms: Vec<(String, f64, f64)> = r
            .reserved
            .iter()
            .map(|t| (t.key().unwrap(), t.hourly_usd().unwrap(), t.upfront_usd()))
            .collect();
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            terms,
            vec![
                ("1yr-all-upfront".into(), 0.0, 2996.0),
                ("1yr-no-upfront".into(), 0.36, 0.0),
                ("3yr-all-upfront".into(), 0.0, 5913.0),
                ("3yr-no-upfront".into(), 0.2475, 0.0),
            ]
        );
    }

    #[test]
    fn capacity_reservation_skus_are_not_the_on_demand_rate() {
        assert_eq!(
            classify(&parse_record(SGP_CR_NU).unwrap()),
            Product::ServerlessOther
        );
        assert_eq!(
            classify(&parse_record(SGP_SERVERLESS).unwrap()),
            Product::ServerlessCompute
        );
        // The reservation SKUs sort before the on-demand one and come first in the
        // real answer: neither order may matter.
        for order in [
            [SGP_CR_NU, SGP_SERVERLESS, SGP_CR_AU],
            [SGP_CR_AU, SGP_CR_NU, SGP_SERVERLESS],
        ] {
            let p = LivePrices::from_records("ap-southeast-1", &records(&order));
            assert_eq!(p.rpu_hour, Some(0.45));
            assert_eq!(p.records, 3);
            assert_eq!(p.location.as_deref(), Some("Asia Pacific (Singapore)"));
            assert_eq!(p.publication_date.as_deref(), Some("2026-07-23T20:45:27Z"));
            let terms: Vec<&str> = p.reserved.iter().map(|r| r.term.as_str()).collect();
            assert_eq!(
                terms,
                [
                    "1yr-all-upfront",
                    "1yr-no-upfront",
                    "3yr-all-upfront",
                    "3yr-no-upfront"
                ]
            );
            assert!(p.reserved.iter().all(|r| r.product == "serverless"));
        }
    }

    #[test]
    fn reserved_discounts_match_the_book() {
        let p = LivePrices::from_records("ap-southeast-1", &records(&[SGP_SERVERLESS]));
        let rate = |term: &str| {
            let r = p.reserved.iter().find(|r| r.term == term).unwrap();
            crate::sources::prices::ReservedRate {
                product: r.product.clone(),
                term: r.term.clone(),
                hourly_usd: r.hourly_usd,
                upfront_usd: r.upfront_usd,
                source: crate::sources::prices::Provenance::override_(),
            }
        };
        assert_relative_eq!(rate("1yr-no-upfront").discount(0.45).unwrap(), 0.20);
        assert_relative_eq!(rate("3yr-no-upfront").discount(0.45).unwrap(), 0.45);
        assert_relative_eq!(rate("3yr-all-upfront").discount(0.45).unwrap(), 0.50);
    }

    #[test]
    fn managed_storage_prefers_the_serverless_sku() {
        let a = rms(
            "AAAA",
            "ra3.large",
            "0.0300000000",
            r#""instanceType":"ra3.large","#,
        );
        let b = rms(
            "BBBB",
            "Serverless",
            "0.0261000000",
            r#""storageMedia":"Amazon S3","#,
        );
        let p = LivePrices::from_records("ap-southeast-1", &records(&[&a, &b]));
        assert_eq!(p.rms_gb_month, Some(0.0261));
        let p = LivePrices::from_records("ap-southeast-1", &records(&[&a]));
        assert_eq!(p.rms_gb_month, Some(0.03));
        assert_eq!(
            classify(&parse_record(&a).unwrap()),
            Product::ManagedStorage {
                applies_to: "ra3.large".into()
            }
        );
    }

    fn backup(ranges: &[(&str, &str, &str)]) -> String {
        let dims: Vec<String> = ranges
            .iter()
            .enumerate()
            .map(|(i, (b, e, usd))| {
                format!(
                    r#""S.JRTCKXETXF.R{i}":{{"unit":"GB-Mo","beginRange":"{b}","endRange":"{e}","description":"backup","appliesTo":[],"rateCode":"S.JRTCKXETXF.R{i}","pricePerUnit":{{"USD":"{usd}"}}}}"#
                )
            })
            .collect();
        format!(
            r#"{{"product":{{"productFamily":"Storage Snapshot","attributes":{{"regionCode":"us-east-1","usagetype":"Redshift:PaidSnapshots","location":"US East (N. Virginia)"}},"sku":"S"}},"serviceCode":"AmazonRedshift","terms":{{"OnDemand":{{"S.JRTCKXETXF":{{"priceDimensions":{{{}}},"termAttributes":{{}}}}}}}}}}"#,
            dims.join(",")
        )
    }

    #[test]
    fn backup_tiers_from_begin_and_end_ranges() {
        let j = backup(&[
            ("512000", "Inf", "0.0210000000"),
            ("0", "51200", "0.0230000000"),
            ("51200", "512000", "0.0220000000"),
        ]);
        let p = LivePrices::from_records("us-east-1", &records(&[&j]));
        let got: Vec<(f64, Option<f64>, f64)> = p
            .backup_tiers
            .iter()
            .map(|t| (t.begin_gb, t.end_gb, t.usd))
            .collect();
        assert_eq!(
            got,
            vec![
                (0.0, Some(51_200.0), 0.023),
                (51_200.0, Some(512_000.0), 0.022),
                (512_000.0, None, 0.021)
            ]
        );
        assert!(p.notes.is_empty());

        let gap = backup(&[("0", "51200", "0.023"), ("60000", "Inf", "0.021")]);
        let p = LivePrices::from_records("us-east-1", &records(&[&gap]));
        assert!(p.backup_tiers.is_empty());
        assert!(p.notes[0].contains("backup storage tiers"), "{:?}", p.notes);
    }

    fn simple(family: &str, usagetype: &str, attrs: &str, unit: &str, usd: &str) -> String {
        format!(
            r#"{{"product":{{"productFamily":"{family}","attributes":{{"regionCode":"us-east-1","usagetype":"{usagetype}",{attrs}"location":"US East (N. Virginia)"}},"sku":"{usagetype}"}},"serviceCode":"AmazonRedshift","terms":{{"OnDemand":{{"X.JRTCKXETXF":{{"priceDimensions":{{"X.JRTCKXETXF.6YS6EN2CT7":{{"unit":"{unit}","beginRange":"0","endRange":"Inf","description":"d","pricePerUnit":{{"USD":"{usd}"}}}}}},"termAttributes":{{}}}}}}}}}}"#
        )
    }

    #[test]
    fn nodes_concurrency_scaling_and_spectrum() {
        let node = simple(
            "Compute Instance",
            "Node:ra3.4xlarge",
            r#""instanceType":"ra3.4xlarge","#,
            "Hrs",
            "3.2600000000",
        );
        let multi_az = simple(
            "Compute Instance",
            "Node-MultiAZ:ra3.4xlarge",
            r#""instanceType":"ra3.4xlarge","#,
            "Hrs",
            "6.5200000000",
        );
        let cs_sec = simple(
            "Redshift Concurrency Scaling",
            "CS:ra3.4xlarge",
            r#""instanceType":"ra3.4xlarge","concurrencyscalingfreeusage":"No","#,
            "Node-Seconds",
            "0.0009000000",
        );
        let cs_hr = simple(
            "Redshift Concurrency Scaling",
            "CS:ra3.xlplus",
            r#""instanceType":"ra3.xlplus","concurrencyscalingfreeusage":"No","#,
            "Hrs",
            "1.0800000000",
        );
        let cs_free = simple(
            "Redshift Concurrency Scaling",
            "CSFreeUsage:ra3.16xlarge",
            r#""instanceType":"ra3.16xlarge","concurrencyscalingfreeusage":"Yes","#,
            "Node-Seconds",
            "0.0000000000",
        );
        let scan = simple(
            "Redshift Data Scan",
            "DataScanned",
            "",
            "Terabytes",
            "5.0000000000",
        );
        let p = LivePrices::from_records(
            "us-east-1",
            &records(&[&node, &multi_az, &cs_sec, &cs_hr, &cs_free, &scan]),
        );
        assert_eq!(p.node_hour.len(), 1);
        assert_eq!(p.node_hour["ra3.4xlarge"], 3.26);
        assert_eq!(p.concurrency_scaling_node_second["ra3.4xlarge"], 0.0009);
        assert_relative_eq!(p.concurrency_scaling_node_second["ra3.xlplus"], 0.0003);
        assert!(!p
            .concurrency_scaling_node_second
            .contains_key("ra3.16xlarge"));
        assert_eq!(p.spectrum_tb, Some(5.0));
        assert!(p.rpu_hour.is_none() && !p.is_empty());
    }

    #[test]
    fn other_regions_and_unknown_units_are_left_out() {
        let wrong_unit = simple(
            "Redshift Data Scan",
            "DataScanned",
            "",
            "Queries",
            "5.0000000000",
        );
        let p = LivePrices::from_records("us-east-1", &records(&[&wrong_unit]));
        assert!(p.spectrum_tb.is_none());
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        let p = LivePrices::from_records("eu-west-1", &records(&[SGP_SERVERLESS]));
        assert!(p.is_empty());
    }

    #[test]
    fn usagetype_prefixes() {
        assert_eq!(usagetype_base("APS1-RMS:ra3.large"), "RMS:ra3.large");
        assert_eq!(usagetype_base("Node:ra3.4xlarge"), "Node:ra3.4xlarge");
        assert_eq!(
            usagetype_base("Redshift:ServerlessUsage-CR-1YR-NU"),
            "Redshift:ServerlessUsage-CR-1YR-NU"
        );
        assert_eq!(
            usagetype_base("USE1-Redshift:ServerlessUsage"),
            "Redshift:ServerlessUsage"
        );
    }

    #[test]
    fn bad_records_are_errors() {
        assert!(matches!(parse_record("{"), Err(RecordError::Json(_))));
        assert!(matches!(parse_record("{}"), Err(RecordError::Json(_))));
        let bad = SGP_CR_NU.replace("\"0.3510000000\"", "\"abc\"");
        assert!(matches!(
            parse_record(&bad),
            Err(RecordError::Invalid { .. })
        ));
        // Another currency only: the dimension is left out, the record still parses.
        let cny = SGP_CR_NU.replace("{\"USD\":\"0.3510000000\"}", "{\"CNY\":\"2.5\"}");
        assert!(parse_record(&cny).unwrap().on_demand.is_empty());
    }

    /// The fixture records of the test server are real-format records: every one parses
    /// and each region gets every price the estimator maps.
    #[test]
    fn fixture_records_parse() {
        for (region, text) in [
            (
                "us-east-1",
                include_str!("../../../tests/fixtures/pricelist/us-east-1.json"),
            ),
            (
                "ap-northeast-1",
                include_str!("../../../tests/fixtures/pricelist/ap-northeast-1.json"),
            ),
        ] {
            let file: serde_json::Value = serde_json::from_str(text).unwrap();
            let recs: Vec<PriceRecord> = file["products"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| parse_record(&v.to_string()).unwrap())
                .collect();
            let p = LivePrices::from_records(region, &recs);
            assert!(p.notes.is_empty(), "{region}: {:?}", p.notes);
            assert!(p.rpu_hour.is_some() && p.rms_gb_month.is_some(), "{region}");
            assert_eq!(p.backup_tiers.len(), 3, "{region}");
            assert!(p.spectrum_tb.is_some(), "{region}");
            assert!(p.node_hour.len() >= 4, "{region}");
            assert!(p.concurrency_scaling_node_second.len() >= 3, "{region}");
            assert!(p.reserved.iter().any(|r| r.product == "serverless"));
            assert!(p.reserved.iter().any(|r| r.product == "ra3.4xlarge"
                && r.term == "1yr-partial-upfront"
                && r.upfront_usd > 0.0
                && r.hourly_usd > 0.0));
        }
    }
}
