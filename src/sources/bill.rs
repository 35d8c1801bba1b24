//! The bill, from Cost Explorer (`GetCostAndUsage`, DAILY, `UnblendedCost` and
//! `UsageQuantity`, Amazon Redshift in one region, grouped by usage type, every page):
//! what was charged, day by day and usage type by usage type. Amounts are kept as exact
//! decimals (nano-units) so that sums carry no float noise.

use super::aws::{classify, load, run_within, AwsError};
use super::AsyncRuntime;
use aws_sdk_costexplorer as ce;
use ce::types::{
    DateInterval, Dimension, DimensionValues, Expression, Granularity, GroupDefinition,
    GroupDefinitionType, TagValues,
};
use chrono::NaiveDate;
use std::time::Duration;

const SERVICE: &str = "Cost Explorer";
const PERMISSION: &str = "ce:GetCostAndUsage";
/// The whole read (every page) must end within this.
pub const BILL_DEADLINE: Duration = Duration::from_mins(1);
/// Pages read at most (a month of days × usage types is a few pages).
const MAX_PAGES: usize = 200;

/// An exact decimal amount in billionths.
pub type Nanos = i128;

/// A decimal string (`"12.3456"`, `"-0.5"`, `"1E-7"`) as billionths, rounded half away
/// from zero past the ninth decimal.
pub fn nanos(s: &str) -> Option<Nanos> {
    let s = s.trim();
    if let Ok(v) = s.parse::<i128>() {
        return v.checked_mul(1_000_000_000);
    }
    if s.contains(['e', 'E']) {
        let v: f64 = s.parse().ok()?;
        return v.is_finite().then(|| (v * 1e9).round() as i128);
    }
    let (neg, digits) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (whole, frac) = digits.split_once('.')?;
    let whole: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut f: String = frac.chars().take(10).collect();
    while f.len() < 10 {
        f.push('0');
    }
    let tenth: i128 = f.parse().ok()?;
    let v = whole.checked_mul(1_000_000_000)? + (tenth + 5) / 10;
    Some(if neg { -v } else { v })
}

/// Billionths as a number (the nearest f64: exact decimals up to ~15 digits print as they
/// were written).
pub fn from_nanos(n: Nanos) -> f64 {
    let whole = n / 1_000_000_000;
    let frac = n % 1_000_000_000;
    format!("{whole}.{:09}", frac.abs())
        .parse::<f64>()
        .map_or(0.0, |v| if n < 0 && whole == 0 { -v } else { v })
}

/// One usage type on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct BillRow {
    pub day: NaiveDate,
    pub usage_type: String,
    pub cost: Nanos,
    pub quantity: Nanos,
    /// Cost Explorer's unit of the quantity (`Hrs`, `GB-Mo`, ...).
    pub unit: String,
    /// Cost Explorer marks days whose figures may still change.
    pub estimated: bool,
}

/// What to read.
#[derive(Debug, Clone, PartialEq)]
pub struct BillRequest {
    pub region: String,
    /// First day read.
    pub start: NaiveDate,
    /// The day after the last (exclusive).
    pub end: NaiveDate,
    /// `KEY=VALUE`: only costs with this cost-allocation tag.
    pub tag: Option<(String, String)>,
}

/// The filter: Amazon Redshift, in the region, with the tag when asked.
fn filter(r: &BillRequest) -> Expression {
    let dim = |key: Dimension, value: &str| {
        Expression::builder()
            .dimensions(DimensionValues::builder().key(key).values(value).build())
            .build()
    };
    let mut all = vec![
        dim(Dimension::Service, "Amazon Redshift"),
        dim(Dimension::Region, &r.region),
    ];
    if let Some((k, v)) = &r.tag {
        all.push(
            Expression::builder()
                .tags(TagValues::builder().key(k).values(v).build())
                .build(),
        );
    }
    Expression::builder().set_and(Some(all)).build()
}

/// Reads every page of the request's daily costs by usage type.
pub async fn fetch(
    client: &ce::Client,
    attempts: u32,
    r: &BillRequest,
) -> Result<Vec<BillRow>, AwsError> {
    let period = DateInterval::builder()
        .start(r.start.format("%Y-%m-%d").to_string())
        .end(r.end.format("%Y-%m-%d").to_string())
        .build()
        .map_err(|e| AwsError::Other(format!("a Cost Explorer period: {e}")))?;
    let mut rows = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = client
            .get_cost_and_usage()
            .time_period(period.clone())
            .granularity(Granularity::Daily)
            .metrics("UnblendedCost")
            .metrics("UsageQuantity")
            .filter(filter(r))
            .group_by(
                GroupDefinition::builder()
                    .r#type(GroupDefinitionType::Dimension)
                    .key("USAGE_TYPE")
                    .build(),
            )
            .set_next_page_token(token.clone())
            .send()
            .await
            .map_err(|e| classify(SERVICE, "GetCostAndUsage", PERMISSION, attempts, e))?;
        for by_time in out.results_by_time() {
            let Some(day) = by_time
                .time_period()
                .and_then(|p| NaiveDate::parse_from_str(p.start(), "%Y-%m-%d").ok())
            else {
                continue;
            };
            for g in by_time.groups() {
                let usage_type = g.keys().first().cloned().unwrap_or_default();
                let metric = |name: &str| g.metrics().and_then(|m| m.get(name));
                let amount = |name: &str| {
                    metric(name)
                        .and_then(|v| v.amount())
                        .map_or(Some(0), nanos)
                        .ok_or_else(|| {
                            AwsError::Other(format!(
                                "Cost Explorer sent a {name} that is not a number for {usage_type} on {day}"
                            ))
                        })
                };
                rows.push(BillRow {
                    day,
                    usage_type: usage_type.clone(),
                    cost: amount("UnblendedCost")?,
                    quantity: amount("UsageQuantity")?,
                    unit: metric("UsageQuantity")
                        .and_then(|v| v.unit())
                        .unwrap_or("")
                        .to_string(),
                    estimated: by_time.estimated(),
                });
            }
        }
        token = out
            .next_page_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            return Ok(rows);
        }
    }
    Err(AwsError::Other(format!(
        "Cost Explorer kept sending pages past {MAX_PAGES}; narrow the window"
    )))
}

/// Reads the bill through the standard chain (`AWS_ENDPOINT_URL_COST_EXPLORER` honoured).
/// Cost Explorer is a global service answered in us-east-1; `r.region` is the filter.
pub fn read(runtime: &AsyncRuntime, r: &BillRequest) -> Result<Vec<BillRow>, AwsError> {
    run_within(runtime, BILL_DEADLINE, SERVICE, async {
        let (conf, attempts) = load(Some("us-east-1"), SERVICE).await?;
        let client = ce::Client::new(&conf);
        fetch(&client, attempts, r).await
    })
}

/// Cost Explorer through the standard chain, on the run's runtime.
pub struct CostExplorer<'a> {
    pub runtime: &'a AsyncRuntime,
}

impl super::BillSource for CostExplorer<'_> {
    fn bill(&self, request: &BillRequest) -> Result<Vec<BillRow>, AwsError> {
        read(self.runtime, request)
    }
}

/// The tool's line a usage type bills: `USE1-Redshift:ServerlessUsage` → serverless
/// compute, `…RMS:Serverless` → managed storage, snapshots, data transfer, provisioned
/// nodes, concurrency scaling, else other.
pub fn line_of(usage_type: &str) -> &'static str {
    // Usage types carry a region prefix (`USE1-`, `APN1-`) except in some us-east-1 rows.
    let t = match usage_type.split_once('-') {
        Some((pfx, rest)) if pfx.len() <= 5 && pfx.chars().all(|c| c.is_ascii_alphanumeric()) => {
            rest
        }
        _ => usage_type,
    };
    if t == "Redshift:ServerlessUsage" {
        "serverless compute"
    } else if t.starts_with("Redshift:ServerlessUsage-CR") {
        "serverless reservation"
    } else if t.starts_with("RMS:") {
        "managed storage"
    } else if t.contains("Snapshot") || t.contains("Backup") {
        "snapshots"
    } else if t.contains("DataTransfer") || t.contains("Bytes") {
        "data transfer"
    } else if t.starts_with("Node:") || t.contains("NodeUsage") {
        "provisioned compute"
    } else if t.starts_with("CS:") || t.contains("ConcurrencyScaling") {
        "concurrency scaling"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_billionths() {
        assert_eq!(nanos("12.3456"), Some(12_345_600_000));
        assert_eq!(nanos("-0.5"), Some(-500_000_000));
        assert_eq!(nanos("7"), Some(7_000_000_000));
        assert_eq!(nanos("0.0000000015"), Some(2));
        assert_eq!(nanos("1E-7"), Some(100));
        assert_eq!(nanos("abc"), None);
        assert_eq!(nanos("1.2.3"), None);
        let sum: Nanos = ["0.1", "0.2"].iter().map(|s| nanos(s).unwrap()).sum();
        assert_eq!(from_nanos(sum), 0.3);
        assert_eq!(from_nanos(-500_000_000), -0.5);
    }

    #[test]
    fn usage_types_map_to_the_tools_lines() {
        assert_eq!(
            line_of("USE1-Redshift:ServerlessUsage"),
            "serverless compute"
        );
        assert_eq!(line_of("Redshift:ServerlessUsage"), "serverless compute");
        assert_eq!(
            line_of("APN1-Redshift:ServerlessUsage-CR-1YR-NU"),
            "serverless reservation"
        );
        assert_eq!(line_of("APN1-RMS:Serverless"), "managed storage");
        assert_eq!(line_of("USE1-PaidSnapshotStorage"), "snapshots");
        assert_eq!(line_of("USE1-USW2-AWS-Out-Bytes"), "data transfer");
        assert_eq!(line_of("USE1-Node:ra3.4xlarge"), "provisioned compute");
        assert_eq!(line_of("USE1-Something:New"), "other");
    }
}
