//! Which prices a run uses: the resolver behind `--prices auto|live|cache|bundled`.
//!
//! Precedence per price: scenario override > live (or cached live) > bundled. This module
//! does the middle part: for the priced regions a run needs it decides, per region,
//! between a fresh cache entry, a live fetch and the bundled book; it performs the fetch
//! through a caller-supplied function (the CLI owns the async runtime), writes the cache,
//! and returns a [`PriceBook`] whose every price carries its own source, plus warnings.
//! A price missing from a live (or cached) answer falls back to the bundled one, and
//! [`RegionSource::fallback`] says which.

use super::cache::{CachedPrices, PriceCache};
use super::live::FetchError;
use super::records::LivePrices;
use super::{Price, PriceBook, PriceKey, Provenance, RegionPrices, ReservedRate, SourceKind, Tier};
use chrono::{DateTime, NaiveDate, Utc};
use redshift_cost_core::messages::{PriceAnswer, PriceFallback, Warning};
use std::collections::BTreeMap;

/// `--prices`: where prices may come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PriceMode {
    /// Cached prices if fresh, else live, else bundled (with one warning).
    #[default]
    Auto,
    /// Fetch from the AWS Price List API now; exit 1 if that fails.
    Live,
    /// Only the on-disk cache (whatever its age); bundled where there is none.
    Cache,
    /// Only the bundled price book: no network, no cache.
    Bundled,
}

/// How to resolve.
#[derive(Debug, Clone)]
pub struct ResolveOptions {
    pub mode: PriceMode,
    /// `--refresh-prices`: fetch even when the cache is fresh.
    pub refresh: bool,
    /// `None`: no cache directory is known; nothing is read or written.
    pub cache: Option<PriceCache>,
    pub max_age: chrono::Duration,
    pub now: DateTime<Utc>,
    /// The Price List endpoint region (recorded in the cache, named in messages).
    pub endpoint_region: String,
}

/// Where a region's prices came from.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionSource {
    /// `Live`, `Cache` or `Bundled`.
    pub kind: SourceKind,
    /// When the live prices were fetched (live and cache).
    pub fetched_at: Option<DateTime<Utc>>,
    pub endpoint_region: Option<String>,
    /// The prices the live or cached answer lacked, so the bundled price is used.
    pub fallback: Vec<PriceKey>,
}

impl RegionSource {
    fn bundled() -> RegionSource {
        RegionSource {
            kind: SourceKind::Bundled,
            fetched_at: None,
            endpoint_region: None,
            fallback: Vec::new(),
        }
    }

    /// `live AWS Price List prices fetched 2026-11-21`, `bundled price book as of ...`.
    pub fn label(&self, bundled_as_of: NaiveDate) -> String {
        let date = |d: Option<DateTime<Utc>>| {
            d.map_or_else(|| "?".into(), |d| d.format("%Y-%m-%d").to_string())
        };
        match self.kind {
            SourceKind::Live => format!(
                "live AWS Price List prices fetched {}",
                date(self.fetched_at)
            ),
            SourceKind::Cache => format!(
                "cached AWS Price List prices fetched {}",
                date(self.fetched_at)
            ),
            _ => format!(
                "bundled price book as of {}",
                bundled_as_of.format("%Y-%m-%d")
            ),
        }
    }
}

/// The prices a run uses.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The bundled book with the resolved regions replaced (all other regions bundled).
    pub book: PriceBook,
    /// The regions asked for, and where their prices came from.
    pub sources: BTreeMap<String, RegionSource>,
    /// What went wrong on the way (the run prints them once, grouped).
    pub warnings: Vec<Warning>,
}

impl Resolved {
    /// One line for the run's `note: prices: ...`: the sources of the regions used.
    pub fn describe(&self) -> String {
        let as_of = self.book.as_of;
        // Live first, then cached, then bundled.
        let rank = |k: SourceKind| match k {
            SourceKind::Live => 0,
            SourceKind::Cache => 1,
            _ => 2,
        };
        let mut groups: BTreeMap<(u8, String), Vec<&str>> = BTreeMap::new();
        for (region, s) in &self.sources {
            groups
                .entry((rank(s.kind), s.label(as_of)))
                .or_default()
                .push(region);
        }
        match groups.len() {
            0 => RegionSource::bundled().label(as_of),
            1 => groups.into_keys().next().expect("one group").1,
            _ => groups
                .iter()
                .map(|((_, label), regions)| format!("{label} ({})", regions.join(", ")))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// A warning when any of `used` (price keys of `region`) fell back from the live or
    /// cached answer to the bundled book.
    pub fn fallback_warning(&self, region: &str, used: &[PriceKey]) -> Option<Warning> {
        let s = self.sources.get(region)?;
        let missing: Vec<&PriceKey> = used.iter().filter(|k| s.fallback.contains(k)).collect();
        if missing.is_empty() {
            return None;
        }
        let mut labels: Vec<String> = Vec::new();
        for label in missing.iter().map(|k| price_label(k)) {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        Some(Warning::PricesFellBack {
            region: region.to_string(),
            answer: if s.kind == SourceKind::Cache {
                PriceAnswer::Cached
            } else {
                PriceAnswer::Live
            },
            prices: labels,
            as_of: self.book.as_of,
        })
    }
}

/// A price name of [`RegionPrices::prices`] in words.
pub fn price_label(key: &PriceKey) -> String {
    match key {
        PriceKey::NodeHour(node) => format!("{node} node-hour price"),
        PriceKey::ConcurrencyScalingNodeSecond(node) => format!("{node} concurrency-scaling price"),
        PriceKey::RpuHour => "Serverless RPU-hour price".into(),
        PriceKey::RmsGbMonth => "managed storage (RMS) price".into(),
        PriceKey::SpectrumTb => "Spectrum scan price".into(),
        PriceKey::InterRegionGb => "inter-region transfer price".into(),
        PriceKey::BackupTier(_) => "backup storage price".into(),
        other => other.to_string(),
    }
}

/// The live failure that ends a `--prices live` run (exit 1).
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot fetch live prices for {region} from the AWS Price List API (endpoint region {endpoint_region}): {reason}"
)]
pub struct LiveFailure {
    pub region: String,
    pub endpoint_region: String,
    pub reason: FetchError,
}

/// What a fetch returns: per region, its prices or why not.
pub type FetchedPrices = BTreeMap<String, Result<LivePrices, FetchError>>;

enum Choice {
    Bundled,
    Cached(CachedPrices),
    Live(LivePrices),
    Fetch { stale: Option<CachedPrices> },
}

fn read_cache(
    opts: &ResolveOptions,
    region: &str,
    warnings: &mut Vec<Warning>,
) -> Option<CachedPrices> {
    let cache = opts.cache.as_ref()?;
    match cache.read(region) {
        Ok(c) => c,
        Err(e) => {
            warnings.push(Warning::PriceCacheUnreadable {
                reason: e.to_string(),
            });
            None
        }
    }
}

/// Resolves the prices of `regions` over `base` (the bundled book). `fetch` is called
/// at most once, with the regions that need a live fetch.
///
/// # Errors
/// Under [`PriceMode::Live`], the first region whose fetch failed.
pub fn resolve(
    base: &PriceBook,
    regions: &[String],
    opts: &ResolveOptions,
    fetch: impl FnOnce(&[String]) -> FetchedPrices,
) -> Result<Resolved, LiveFailure> {
    let mut regions: Vec<String> = regions.to_vec();
    regions.sort();
    regions.dedup();
    let mut warnings = Vec::new();

    let mut choices: BTreeMap<String, Choice> = BTreeMap::new();
    for region in &regions {
        let choice = match opts.mode {
            PriceMode::Bundled => Choice::Bundled,
            PriceMode::Live => Choice::Fetch { stale: None },
            PriceMode::Cache => {
                if let Some(c) = read_cache(opts, region, &mut warnings) {
                    if !c.is_fresh(opts.now, opts.max_age) {
                        warnings.push(Warning::PriceCacheOld {
                            region: region.clone(),
                            days: c.age(opts.now).num_days(),
                            fetched: c.fetched_at.date_naive(),
                        });
                    }
                    Choice::Cached(c)
                } else {
                    warnings.push(Warning::NoCachedPrices {
                        region: region.clone(),
                        as_of: base.as_of,
                    });
                    Choice::Bundled
                }
            }
            PriceMode::Auto => match read_cache(opts, region, &mut warnings) {
                Some(c) if !opts.refresh && c.is_fresh(opts.now, opts.max_age) => Choice::Cached(c),
                stale => Choice::Fetch { stale },
            },
        };
        choices.insert(region.clone(), choice);
    }

    let to_fetch: Vec<String> = choices
        .iter()
        .filter(|(_, c)| matches!(c, Choice::Fetch { .. }))
        .map(|(r, _)| r.clone())
        .collect();
    let mut fetched = if to_fetch.is_empty() {
        FetchedPrices::new()
    } else {
        fetch(&to_fetch)
    };

    // Failures grouped by (reason, fallback), so a run says it once.
    let mut failures: BTreeMap<(String, PriceFallback), Vec<String>> = BTreeMap::new();
    for region in &to_fetch {
        let result = fetched
            .remove(region)
            .unwrap_or_else(|| Err(FetchError::BadAnswer(format!("no result for {region}"))));
        let Some(Choice::Fetch { stale }) = choices.remove(region) else {
            unreachable!("only regions to fetch are fetched");
        };
        let choice = match result {
            Ok(mut prices) => {
                for n in &prices.notes {
                    warnings.push(Warning::LivePriceRemark {
                        region: region.clone(),
                        remark: n.clone(),
                    });
                }
                let rejected = base
                    .region(region)
                    .map(|b| reject_implausible(b, &mut prices))
                    .unwrap_or_default();
                let trusted = rejected.is_empty();
                if !trusted {
                    warnings.push(rejected_warning(region, PriceAnswer::Live, rejected));
                }
                if let (Some(cache), true) = (&opts.cache, trusted) {
                    let entry = CachedPrices {
                        fetched_at: opts.now,
                        endpoint_region: opts.endpoint_region.clone(),
                        prices: prices.clone(),
                    };
                    if let Err(e) = cache.write(&entry) {
                        warnings.push(Warning::PriceCacheUnwritable {
                            path: cache.path(region).display().to_string(),
                            reason: e.to_string(),
                        });
                    }
                }
                Choice::Live(prices)
            }
            Err(reason) if opts.mode == PriceMode::Live => {
                return Err(LiveFailure {
                    region: region.clone(),
                    endpoint_region: opts.endpoint_region.clone(),
                    reason,
                })
            }
            Err(reason) => {
                let (label, choice) = match stale {
                    Some(c) => (
                        PriceFallback::Cached {
                            fetched: c.fetched_at.date_naive(),
                        },
                        Choice::Cached(c),
                    ),
                    None => (
                        PriceFallback::Bundled { as_of: base.as_of },
                        Choice::Bundled,
                    ),
                };
                failures
                    .entry((reason.to_string(), label))
                    .or_default()
                    .push(region.clone());
                choice
            }
        };
        choices.insert(region.clone(), choice);
    }
    let failed: usize = failures.values().map(Vec::len).sum();
    for ((reason, label), failed_regions) in &failures {
        let whole_run = failures.len() == 1 && failed == to_fetch.len();
        warnings.push(Warning::LivePricesUnavailable {
            reason: reason.clone(),
            fallback: label.clone(),
            regions: (!whole_run).then(|| failed_regions.clone()),
        });
    }

    let mut book = base.clone();
    let mut sources = BTreeMap::new();
    for (region, choice) in choices {
        let bundled_region = base
            .region(&region)
            .cloned()
            .unwrap_or_else(|| RegionPrices {
                region: region.clone(),
                location: region.clone(),
                ..RegionPrices::default()
            });
        let (prices, source) = match choice {
            Choice::Bundled | Choice::Fetch { .. } => (bundled_region, RegionSource::bundled()),
            Choice::Cached(mut c) => {
                let source = Provenance {
                    kind: SourceKind::Cache,
                    date: Some(c.fetched_at.date_naive()),
                };
                let rejected = reject_implausible(&bundled_region, &mut c.prices);
                if !rejected.is_empty() {
                    warnings.push(rejected_warning(&region, PriceAnswer::Cached, rejected));
                }
                let (prices, fallback) = merge(&bundled_region, &c.prices, source);
                (
                    prices,
                    RegionSource {
                        kind: SourceKind::Cache,
                        fetched_at: Some(c.fetched_at),
                        endpoint_region: Some(c.endpoint_region),
                        fallback,
                    },
                )
            }
            Choice::Live(p) => {
                let source = Provenance {
                    kind: SourceKind::Live,
                    date: Some(opts.now.date_naive()),
                };
                let (prices, fallback) = merge(&bundled_region, &p, source);
                (
                    prices,
                    RegionSource {
                        kind: SourceKind::Live,
                        fetched_at: Some(opts.now),
                        endpoint_region: Some(opts.endpoint_region.clone()),
                        fallback,
                    },
                )
            }
        };
        book.regions.insert(region.clone(), prices);
        sources.insert(region, source);
    }
    Ok(Resolved {
        book,
        sources,
        warnings,
    })
}

/// `bundled` with every price `live` has replaced by it (labelled `source`); returns the
/// names of the bundled prices the live answer lacked.
/// A live or cached price is trusted only within this factor of the bundled price for
/// the same key (both ways): AWS prices move by percents, not by orders of magnitude.
pub const PLAUSIBLE_FACTOR: f64 = 10.0;

/// Removes from `live` every price that is not finite, is negative, or lies outside
/// ×1/[`PLAUSIBLE_FACTOR`]–×[`PLAUSIBLE_FACTOR`] of the bundled price for the same key
/// (those fall back to the bundled price). Returns what was removed, one phrase each.
pub fn reject_implausible(bundled: &RegionPrices, live: &mut LivePrices) -> Vec<String> {
    let mut rejected = Vec::new();
    let mut check = |name: &str, bundled: Option<f64>, usd: f64| -> bool {
        let ok = usd.is_finite()
            && usd >= 0.0
            && bundled.is_none_or(|b| {
                b <= 0.0 || (usd >= b / PLAUSIBLE_FACTOR && usd <= b * PLAUSIBLE_FACTOR)
            });
        if !ok {
            rejected.push(match bundled {
                Some(b) => format!("{name} = {usd} (bundled: {b})"),
                None => format!("{name} = {usd}"),
            });
        }
        ok
    };
    for (name, b, l) in [
        ("rpu_hour", bundled.rpu_hour, &mut live.rpu_hour),
        ("rms_gb_month", bundled.rms_gb_month, &mut live.rms_gb_month),
        ("spectrum_tb", bundled.spectrum_tb, &mut live.spectrum_tb),
    ] {
        if l.is_some_and(|usd| !check(name, b.map(|p| p.usd), usd)) {
            *l = None;
        }
    }
    let tiers_ok = live.backup_tiers.iter().enumerate().all(|(i, t)| {
        let b = bundled.backup_tiers.get(i).map(|b| b.price.usd);
        t.begin_gb.is_finite() && check(&format!("backup_tiers[{i}]"), b, t.usd)
    });
    if !tiers_ok {
        live.backup_tiers.clear();
    }
    for (name, b, l) in [
        ("node_hour", &bundled.node_hour, &mut live.node_hour),
        (
            "concurrency_scaling_node_second",
            &bundled.concurrency_scaling_node_second,
            &mut live.concurrency_scaling_node_second,
        ),
    ] {
        l.retain(|k, usd| check(&format!("{name}.{k}"), b.get(k).map(|p| p.usd), *usd));
    }
    live.reserved.retain(|r| {
        let ok = r.hourly_usd.is_finite()
            && r.hourly_usd >= 0.0
            && r.upfront_usd.is_finite()
            && r.upfront_usd >= 0.0;
        if !ok {
            rejected.push(format!("reserved {} {}", r.product, r.term));
        }
        ok
    });
    rejected
}

/// The one warning about rejected prices of a region.
fn rejected_warning(region: &str, answer: PriceAnswer, rejected: Vec<String>) -> Warning {
    Warning::PricesRejected {
        region: region.to_string(),
        answer,
        rejected,
        factor: PLAUSIBLE_FACTOR,
    }
}

pub fn merge(
    bundled: &RegionPrices,
    live: &LivePrices,
    source: Provenance,
) -> (RegionPrices, Vec<PriceKey>) {
    let price = |usd: f64| Price { usd, source };
    let mut fallback = Vec::new();
    let mut single = |key: PriceKey, b: Option<Price>, l: Option<f64>| {
        if let Some(usd) = l {
            Some(price(usd))
        } else {
            if b.is_some() {
                fallback.push(key);
            }
            b
        }
    };
    let rpu_hour = single(PriceKey::RpuHour, bundled.rpu_hour, live.rpu_hour);
    let rms_gb_month = single(
        PriceKey::RmsGbMonth,
        bundled.rms_gb_month,
        live.rms_gb_month,
    );
    let spectrum_tb = single(PriceKey::SpectrumTb, bundled.spectrum_tb, live.spectrum_tb);
    let backup_tiers = if live.backup_tiers.is_empty() {
        fallback.extend((0..bundled.backup_tiers.len()).map(PriceKey::BackupTier));
        bundled.backup_tiers.clone()
    } else {
        live.backup_tiers
            .iter()
            .map(|t| Tier {
                begin: t.begin_gb,
                end: t.end_gb,
                price: price(t.usd),
            })
            .collect()
    };
    let mut map = |key: fn(String) -> PriceKey,
                   b: &BTreeMap<String, Price>,
                   l: &BTreeMap<String, f64>|
     -> BTreeMap<String, Price> {
        let mut out = b.clone();
        for (k, p) in &mut out {
            match l.get(k) {
                Some(&usd) => *p = price(usd),
                None => fallback.push(key(k.clone())),
            }
        }
        for (k, &usd) in l {
            out.entry(k.clone()).or_insert_with(|| price(usd));
        }
        out
    };
    let node_hour = map(PriceKey::NodeHour, &bundled.node_hour, &live.node_hour);
    let concurrency_scaling_node_second = map(
        PriceKey::ConcurrencyScalingNodeSecond,
        &bundled.concurrency_scaling_node_second,
        &live.concurrency_scaling_node_second,
    );
    let mut reserved: Vec<ReservedRate> = live
        .reserved
        .iter()
        .map(|r| ReservedRate {
            product: r.product.clone(),
            term: r.term.clone(),
            hourly_usd: r.hourly_usd,
            upfront_usd: r.upfront_usd,
            source,
        })
        .collect();
    // The published rates the live answer lacks stay bundled.
    for b in &bundled.reserved {
        if !reserved
            .iter()
            .any(|r| r.product == b.product && r.term == b.term)
        {
            reserved.push(b.clone());
        }
    }
    let prices = RegionPrices {
        location: if bundled.location.is_empty() || bundled.location == bundled.region {
            live.location
                .clone()
                .unwrap_or_else(|| bundled.location.clone())
        } else {
            bundled.location.clone()
        },
        rpu_hour,
        rms_gb_month,
        backup_tiers,
        spectrum_tb,
        node_hour,
        concurrency_scaling_node_second,
        reserved,
        // Everything not read from the AmazonRedshift Price List (inter-region transfer,
        // the other services' prices) stays bundled.
        ..bundled.clone()
    };
    (prices, fallback)
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // fixtures are written directly
mod tests {
    use super::*;
    use crate::sources::prices::bundled::bundled;
    use crate::sources::prices::records::LiveTier;
    use std::cell::Cell;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn opts(mode: PriceMode, cache: Option<PriceCache>) -> ResolveOptions {
        ResolveOptions {
            mode,
            refresh: false,
            cache,
            max_age: chrono::Duration::days(7),
            now: now(),
            endpoint_region: "us-east-1".into(),
        }
    }

    fn tokyo_live() -> LivePrices {
        LivePrices {
            region: "ap-northeast-1".into(),
            location: Some("Asia Pacific (Tokyo)".into()),
            rpu_hour: Some(0.5),
            rms_gb_month: Some(0.0261),
            node_hour: [("ra3.4xlarge".to_string(), 3.9)].into(),
            ..LivePrices::default()
        }
    }

    fn regions(r: &[&str]) -> Vec<String> {
        r.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn implausible_live_prices_are_removed_and_fall_back() {
        let book = bundled();
        let use1 = book.region("us-east-1").unwrap();
        let b = use1.rpu_hour.unwrap().usd;
        let node = use1.node_hour.keys().next().unwrap().clone();
        let mut live = LivePrices {
            region: "us-east-1".into(),
            rpu_hour: Some(1e9),
            rms_gb_month: Some(use1.rms_gb_month.unwrap().usd * 1.05),
            spectrum_tb: Some(f64::NAN),
            ..LivePrices::default()
        };
        live.node_hour.insert(node.clone(), 1e-10);
        live.node_hour.insert("ra9.new".into(), 3.0);
        let rejected = reject_implausible(use1, &mut live);
        assert_eq!(rejected.len(), 3, "{rejected:?}");
        assert!(
            rejected[0].starts_with("rpu_hour = 1000000000"),
            "{rejected:?}"
        );
        assert_eq!(live.rpu_hour, None);
        assert!(live.rms_gb_month.is_some(), "a 5 % move is plausible");
        assert_eq!(live.spectrum_tb, None);
        assert!(!live.node_hour.contains_key(&node));
        assert!(
            live.node_hour.contains_key("ra9.new"),
            "no bundled price to hold it against"
        );
        // The bounds are ×0.1 and ×10, inclusive.
        let mut edge = LivePrices {
            rpu_hour: Some(b * 10.0),
            ..LivePrices::default()
        };
        assert!(reject_implausible(use1, &mut edge).is_empty());
        let mut past = LivePrices {
            rpu_hour: Some(b * 10.0 * 1.001),
            ..LivePrices::default()
        };
        assert_eq!(reject_implausible(use1, &mut past).len(), 1);
    }

    #[test]
    fn live_prices_win_and_missing_ones_fall_back_per_price() {
        let calls = Cell::new(0);
        let r = resolve(
            bundled(),
            &regions(&["ap-northeast-1"]),
            &opts(PriceMode::Live, None),
            |asked| {
                calls.set(calls.get() + 1);
                assert_eq!(asked, ["ap-northeast-1"]);
                [("ap-northeast-1".to_string(), Ok(tokyo_live()))].into()
            },
        )
        .unwrap();
        assert_eq!(calls.get(), 1);
        let tokyo = r.book.region("ap-northeast-1").unwrap();
        assert_eq!(tokyo.rpu_hour.unwrap().usd, 0.5);
        assert_eq!(
            tokyo.rpu_hour.unwrap().source.to_string(),
            "live 2026-11-21"
        );
        assert_eq!(tokyo.node_hour["ra3.4xlarge"].usd, 3.9);
        // Not in the live answer: bundled, and listed.
        assert_eq!(
            tokyo.backup_tiers[0].price.source.to_string(),
            "bundled 2025-03-19"
        );
        assert_eq!(
            tokyo.node_hour["ra3.large"].source.to_string(),
            "bundled 2025-03-19"
        );
        let s = &r.sources["ap-northeast-1"];
        assert_eq!(s.kind, SourceKind::Live);
        assert!(s.fallback.contains(&PriceKey::BackupTier(0)));
        assert!(s.fallback.contains(&PriceKey::NodeHour("ra3.large".into())));
        assert!(!s.fallback.contains(&PriceKey::RpuHour));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert_eq!(
            r.describe(),
            "live AWS Price List prices fetched 2026-11-21"
        );
        let w = r
            .fallback_warning(
                "ap-northeast-1",
                &[PriceKey::RpuHour, PriceKey::BackupTier(0)],
            )
            .unwrap();
        assert_eq!(
            w,
            Warning::PricesFellBack {
                region: "ap-northeast-1".into(),
                answer: PriceAnswer::Live,
                prices: vec!["backup storage price".into()],
                as_of: bundled().as_of,
            }
        );
        assert!(r
            .fallback_warning("ap-northeast-1", &[PriceKey::RpuHour])
            .is_none());
        // Other regions stay bundled.
        assert_eq!(r.book.region("us-east-1"), bundled().region("us-east-1"));
    }

    #[test]
    fn live_failure_is_an_error_under_live_and_one_warning_under_auto() {
        let fail = |asked: &[String]| -> FetchedPrices {
            asked
                .iter()
                .map(|r| (r.clone(), Err(FetchError::NoCredentials(String::new()))))
                .collect()
        };
        let e = resolve(
            bundled(),
            &regions(&["us-east-1"]),
            &opts(PriceMode::Live, None),
            fail,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot fetch live prices for us-east-1 from the AWS Price List API (endpoint region us-east-1): no AWS credentials found"
        );
        let r = resolve(
            bundled(),
            &regions(&["us-east-1", "ap-northeast-1", "us-east-1"]),
            &opts(PriceMode::Auto, None),
            fail,
        )
        .unwrap();
        assert_eq!(
            r.warnings,
            vec![Warning::LivePricesUnavailable {
                reason: "no AWS credentials found".into(),
                fallback: PriceFallback::Bundled {
                    as_of: bundled().as_of
                },
                regions: None,
            }]
        );
        assert_eq!(r.describe(), "bundled price book as of 2025-03-19");
        assert_eq!(r.book, *bundled());
    }

    #[test]
    fn bundled_mode_never_fetches_or_reads_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path()).unwrap();
        std::fs::write(dir.path().join("us-east-1.json"), "garbage").unwrap();
        let r = resolve(
            bundled(),
            &regions(&["us-east-1"]),
            &opts(PriceMode::Bundled, Some(PriceCache::new(dir.path()))),
            |_| panic!("no fetch under --prices bundled"),
        )
        .unwrap();
        assert!(r.warnings.is_empty());
        assert_eq!(r.sources["us-east-1"].kind, SourceKind::Bundled);
    }

    #[test]
    fn auto_uses_a_fresh_cache_refetches_a_stale_one_and_falls_back_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PriceCache::new(dir.path());
        let o = opts(PriceMode::Auto, Some(cache.clone()));
        // Empty cache: fetch, and the answer is written.
        let r = resolve(bundled(), &regions(&["ap-northeast-1"]), &o, |_| {
            [("ap-northeast-1".to_string(), Ok(tokyo_live()))].into()
        })
        .unwrap();
        assert_eq!(r.sources["ap-northeast-1"].kind, SourceKind::Live);
        let written = cache.read("ap-northeast-1").unwrap().unwrap();
        assert_eq!(written.fetched_at, now());
        // Fresh: used without a fetch.
        let r = resolve(bundled(), &regions(&["ap-northeast-1"]), &o, |_| {
            panic!("fresh cache")
        })
        .unwrap();
        let tokyo = r.book.region("ap-northeast-1").unwrap();
        assert_eq!(
            tokyo.rpu_hour.unwrap().source.to_string(),
            "cache 2026-11-21"
        );
        assert_eq!(
            r.describe(),
            "cached AWS Price List prices fetched 2026-11-21"
        );
        // --refresh-prices: fetched again.
        let refresh = ResolveOptions {
            refresh: true,
            ..o.clone()
        };
        let fetched = Cell::new(false);
        resolve(bundled(), &regions(&["ap-northeast-1"]), &refresh, |_| {
            fetched.set(true);
            [("ap-northeast-1".to_string(), Ok(tokyo_live()))].into()
        })
        .unwrap();
        assert!(fetched.get());
        // Stale and the fetch fails: the stale cache is the fallback, said once.
        let later = ResolveOptions {
            now: now() + chrono::Duration::days(8),
            ..o
        };
        let r = resolve(bundled(), &regions(&["ap-northeast-1"]), &later, |_| {
            [(
                "ap-northeast-1".to_string(),
                Err(FetchError::Network("Connection refused".into())),
            )]
            .into()
        })
        .unwrap();
        assert_eq!(
            r.warnings,
            vec![Warning::LivePricesUnavailable {
                reason: "cannot reach the Price List API: Connection refused".into(),
                fallback: PriceFallback::Cached {
                    fetched: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
                },
                regions: None,
            }]
        );
        assert_eq!(r.sources["ap-northeast-1"].kind, SourceKind::Cache);
    }

    #[test]
    fn corrupt_cache_is_a_warning_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PriceCache::new(dir.path());
        std::fs::write(cache.path("ap-northeast-1"), "{not json").unwrap();
        let r = resolve(
            bundled(),
            &regions(&["ap-northeast-1"]),
            &opts(PriceMode::Auto, Some(cache.clone())),
            |_| [("ap-northeast-1".to_string(), Ok(tokyo_live()))].into(),
        )
        .unwrap();
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(
            matches!(&r.warnings[0], Warning::PriceCacheUnreadable { .. }),
            "{:?}",
            r.warnings
        );
        assert!(cache.read("ap-northeast-1").unwrap().is_some());
    }

    #[test]
    fn cache_mode_reads_only_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PriceCache::new(dir.path());
        let r = resolve(
            bundled(),
            &regions(&["us-east-1"]),
            &opts(PriceMode::Cache, Some(cache.clone())),
            |_| panic!("no fetch under --prices cache"),
        )
        .unwrap();
        assert_eq!(
            r.warnings,
            vec![Warning::NoCachedPrices {
                region: "us-east-1".into(),
                as_of: bundled().as_of,
            }]
        );
        cache
            .write(&CachedPrices {
                fetched_at: now() - chrono::Duration::days(30),
                endpoint_region: "us-east-1".into(),
                prices: LivePrices {
                    region: "us-east-1".into(),
                    rpu_hour: Some(0.4),
                    backup_tiers: vec![LiveTier {
                        begin_gb: 0.0,
                        end_gb: None,
                        usd: 0.02,
                    }],
                    ..LivePrices::default()
                },
            })
            .unwrap();
        let r = resolve(
            bundled(),
            &regions(&["us-east-1"]),
            &opts(PriceMode::Cache, Some(cache)),
            |_| panic!("no fetch under --prices cache"),
        )
        .unwrap();
        assert_eq!(r.warnings.len(), 1);
        assert!(
            matches!(&r.warnings[0], Warning::PriceCacheOld { days: 30, .. }),
            "{:?}",
            r.warnings
        );
        let use1 = r.book.region("us-east-1").unwrap();
        assert_eq!(
            use1.rpu_hour.unwrap().source.to_string(),
            "cache 2026-10-22"
        );
        assert_eq!(use1.backup_tiers.len(), 1);
    }

    #[test]
    fn mixed_sources_are_described_per_region() {
        let r = resolve(
            bundled(),
            &regions(&["ap-northeast-1", "us-east-1"]),
            &opts(PriceMode::Auto, None),
            |_| {
                [
                    ("ap-northeast-1".to_string(), Ok(tokyo_live())),
                    (
                        "us-east-1".to_string(),
                        Err(FetchError::Throttled { attempts: 3 }),
                    ),
                ]
                .into()
            },
        )
        .unwrap();
        assert_eq!(
            r.warnings,
            vec![Warning::LivePricesUnavailable {
                reason: "throttled by the Price List API (ThrottlingException) after 3 attempts"
                    .into(),
                fallback: PriceFallback::Bundled {
                    as_of: bundled().as_of
                },
                regions: Some(vec!["us-east-1".into()]),
            }]
        );
        assert_eq!(
            r.describe(),
            "live AWS Price List prices fetched 2026-11-21 (ap-northeast-1), bundled price book as of 2025-03-19 (us-east-1)"
        );
    }
}
