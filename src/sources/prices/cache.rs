//! The on-disk cache of live prices: one JSON file per priced region, with the time it
//! was fetched, under the user's cache directory (`$XDG_CACHE_HOME/redshift-cost/prices/`
//! on Linux, `~/Library/Caches/redshift-cost/prices/` on macOS), or under
//! `$REDSHIFT_COST_CACHE_DIR/prices/` when that is set.
//!
//! Files are written atomically (temporary file + rename). A file that cannot be read as
//! a cache entry is reported as [`CacheError`] and replaced by the next fetch.

use super::records::LivePrices;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Environment variable that moves the cache (used by the tests to stay hermetic).
pub const CACHE_DIR_ENV: &str = "REDSHIFT_COST_CACHE_DIR";
/// A cache entry dated more than this far in the future is stale.
pub const FUTURE_SKEW_MINUTES: i64 = 5;

/// Cached prices older than this are refetched under `--prices auto`.
pub const DEFAULT_MAX_AGE_DAYS: i64 = 7;
/// The cache file format this version reads and writes.
pub const CACHE_FORMAT: u32 = 1;

/// One cached region.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedPrices {
    pub fetched_at: DateTime<Utc>,
    /// The Price List endpoint region the prices were fetched from.
    pub endpoint_region: String,
    pub prices: LivePrices,
}

impl CachedPrices {
    /// Age at `now` (zero for a file from the future).
    pub fn age(&self, now: DateTime<Utc>) -> chrono::Duration {
        (now - self.fetched_at).max(chrono::Duration::zero())
    }

    /// Fresh: fetched at most `max_age` ago, and not in the future (beyond a few minutes
    /// of clock skew): an entry dated 2099 is stale, not fresh forever.
    pub fn is_fresh(&self, now: DateTime<Utc>, max_age: chrono::Duration) -> bool {
        self.fetched_at <= now + chrono::Duration::minutes(FUTURE_SKEW_MINUTES)
            && self.age(now) <= max_age
    }
}

/// Why a cache file was not usable.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a valid price cache file: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireCache {
    format: u32,
    region: String,
    /// RFC 3339, UTC.
    fetched_at: String,
    endpoint_region: String,
    prices: LivePrices,
}

/// The cache directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceCache {
    dir: PathBuf,
}

impl PriceCache {
    /// A cache in `dir` (the directory that holds the region files).
    pub fn new(dir: impl Into<PathBuf>) -> PriceCache {
        PriceCache { dir: dir.into() }
    }

    /// `$REDSHIFT_COST_CACHE_DIR/prices`, else `<user cache dir>/redshift-cost/prices`;
    /// `None` when neither is known (no home directory).
    pub fn from_env() -> Option<PriceCache> {
        let root = match std::env::var_os(CACHE_DIR_ENV) {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => dirs::cache_dir()?.join("redshift-cost"),
        };
        Some(PriceCache::new(root.join("prices")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of `region` (region codes are `[a-z0-9-]`; anything else is replaced).
    pub fn path(&self, region: &str) -> PathBuf {
        let safe: String = region
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{safe}.json"))
    }

    /// The cached prices of `region`; `Ok(None)` when there is no file.
    pub fn read(&self, region: &str) -> Result<Option<CachedPrices>, CacheError> {
        let path = self.path(region);
        let text = match crate::fsx::read_regular(&path, crate::fsx::MAX_JSON_BYTES) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(CacheError::Io { path, source }),
        };
        let corrupt = |reason: String| CacheError::Corrupt {
            path: path.clone(),
            reason,
        };
        let wire: WireCache = serde_json::from_slice(&text).map_err(|e| corrupt(e.to_string()))?;
        if wire.format != CACHE_FORMAT {
            return Err(corrupt(format!(
                "format {} is not {CACHE_FORMAT}",
                wire.format
            )));
        }
        if wire.region != region || wire.prices.region != region {
            return Err(corrupt(format!(
                "it holds region {:?}, not {region:?}",
                wire.region
            )));
        }
        let fetched_at = DateTime::parse_from_rfc3339(&wire.fetched_at)
            .map_err(|e| corrupt(format!("fetched_at {:?}: {e}", wire.fetched_at)))?
            .with_timezone(&Utc);
        let p = &wire.prices;
        let all_prices = p
            .rpu_hour
            .iter()
            .chain(&p.rms_gb_month)
            .chain(&p.spectrum_tb)
            .chain(p.backup_tiers.iter().map(|t| &t.usd))
            .chain(p.node_hour.values())
            .chain(p.concurrency_scaling_node_second.values());
        for usd in all_prices {
            if !(usd.is_finite() && *usd > 0.0) {
                return Err(corrupt(format!("price {usd} is not positive")));
            }
        }
        Ok(Some(CachedPrices {
            fetched_at,
            endpoint_region: wire.endpoint_region,
            prices: wire.prices,
        }))
    }

    /// Writes `entry` atomically (creating the directory).
    pub fn write(&self, entry: &CachedPrices) -> std::io::Result<PathBuf> {
        let region = &entry.prices.region;
        let wire = WireCache {
            format: CACHE_FORMAT,
            region: region.clone(),
            fetched_at: entry
                .fetched_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            endpoint_region: entry.endpoint_region.clone(),
            prices: entry.prices.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&wire).map_err(std::io::Error::other)?;
        bytes.push(b'\n');
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(region);
        crate::output::write_atomic(&path, &bytes)?;
        Ok(path)
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // fixtures are written directly
mod tests {
    use super::*;
    use crate::sources::prices::records::LiveTier;

    fn entry(region: &str) -> CachedPrices {
        CachedPrices {
            fetched_at: DateTime::parse_from_rfc3339("2026-11-18T09:30:00Z")
                .unwrap()
                .with_timezone(&Utc),
            endpoint_region: "us-east-1".into(),
            prices: LivePrices {
                region: region.into(),
                rpu_hour: Some(0.494),
                backup_tiers: vec![LiveTier {
                    begin_gb: 0.0,
                    end_gb: None,
                    usd: 0.025,
                }],
                ..LivePrices::default()
            },
        }
    }

    #[test]
    fn round_trip_and_freshness() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PriceCache::new(dir.path().join("prices"));
        assert!(cache.read("ap-northeast-1").unwrap().is_none());
        let e = entry("ap-northeast-1");
        let path = cache.write(&e).unwrap();
        assert_eq!(path, dir.path().join("prices/ap-northeast-1.json"));
        assert_eq!(cache.read("ap-northeast-1").unwrap().unwrap(), e);
        let later = e.fetched_at + chrono::Duration::days(7);
        assert!(e.is_fresh(later, chrono::Duration::days(DEFAULT_MAX_AGE_DAYS)));
        let later = later + chrono::Duration::seconds(1);
        assert!(!e.is_fresh(later, chrono::Duration::days(DEFAULT_MAX_AGE_DAYS)));
        // An entry from the future (a clock gone wrong, a hand-edited 2099) is stale.
        let before = e.fetched_at - chrono::Duration::hours(1);
        assert!(!e.is_fresh(before, chrono::Duration::days(DEFAULT_MAX_AGE_DAYS)));
        let skewed = e.fetched_at - chrono::Duration::minutes(2);
        assert!(e.is_fresh(skewed, chrono::Duration::days(DEFAULT_MAX_AGE_DAYS)));
        // No temporary files left behind.
        let names: Vec<_> = std::fs::read_dir(cache.dir()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn corrupt_files_are_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PriceCache::new(dir.path());
        let path = cache.path("us-east-1");
        for bad in [
            "",
            "{",
            "null",
            "\u{0}\u{1}binary",
            r#"{"format": 1}"#,
            r#"{"format": 2, "region": "us-east-1", "fetched_at": "2026-11-18T09:30:00Z", "endpoint_region": "us-east-1", "prices": {"region": "us-east-1"}}"#,
            r#"{"format": 1, "region": "eu-west-1", "fetched_at": "2026-11-18T09:30:00Z", "endpoint_region": "us-east-1", "prices": {"region": "eu-west-1"}}"#,
            r#"{"format": 1, "region": "us-east-1", "fetched_at": "yesterday", "endpoint_region": "us-east-1", "prices": {"region": "us-east-1"}}"#,
            r#"{"format": 1, "region": "us-east-1", "fetched_at": "2026-11-18T09:30:00Z", "endpoint_region": "us-east-1", "prices": {"region": "us-east-1", "rpu_hour": -1}}"#,
        ] {
            std::fs::write(&path, bad).unwrap();
            assert!(
                matches!(cache.read("us-east-1"), Err(CacheError::Corrupt { .. })),
                "{bad:?}"
            );
        }
        // A good write replaces the corrupt file.
        cache.write(&entry("us-east-1")).unwrap();
        assert!(cache.read("us-east-1").unwrap().is_some());
    }

    #[test]
    fn region_names_cannot_escape_the_directory() {
        let cache = PriceCache::new("/tmp/x");
        assert_eq!(cache.path("../etc"), PathBuf::from("/tmp/x/___etc.json"));
    }
}
