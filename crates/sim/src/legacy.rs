//! tradeit's reservation layout (seed 000, `server/redis/reserveAssetRedis.js`), modelled
//! faithfully so it can run beside holds under the same load.
//!
//! Per app id two Redis lists, neither with a TTL:
//! - `reserved-assets_{appId}`: asset ids (`LPUSH`, read whole by the search exclusion);
//! - `reserved-assets_ttl_{appId}`: JSON blobs `{"assetId": "...", "expired": <ms>}`, the expiry
//!   encoded in the payload (`Date.now() + 20 min`), not in Redis.
//!
//! A reserve reads the whole ttl list (`LRANGE 0 -1`), parses every blob and ignores the expired
//! ones (lazy expiry on scan): its cost is the list's length. If none of the requested assets is
//! reserved and unexpired it `LPUSH`es one entry per asset on both lists. A release (the
//! `removeReserve` job) `LREM`s the asset from both lists, reading each list whole. When that job
//! fails, the entries stay forever: nothing trims the lists, an expired blob is only skipped.
//! (The seed lists only `LPUSH, LRANGE` for the ttl list; this model also `LREM`s it on release,
//! the kinder reading: the growth it shows comes from failed releases alone.)

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// One blob of the ttl list: its text as stored, and the two fields a reader parses out of it
/// (parsed once when pushed: the simulator's own time is not what is being measured; the
/// entries a scan reads are counted in [`Legacy::scanned`]).
#[derive(Debug, Clone)]
pub struct Blob {
    /// The JSON text, as `LPUSH`ed.
    pub text: String,
    /// Its `assetId`.
    pub asset: String,
    /// Its `expired`.
    pub expired: u64,
}

/// The two lists of one app.
#[derive(Debug, Clone, Default)]
pub struct App {
    /// `reserved-assets_{appId}`, head first.
    pub assets: VecDeque<String>,
    /// `reserved-assets_ttl_{appId}`, head first.
    pub ttl: VecDeque<Blob>,
}

/// Every app's lists and what the model has read.
#[derive(Debug, Clone, Default)]
pub struct Legacy {
    apps: Vec<(String, App)>,
    /// Entries read by scans and `LREM`s.
    pub scanned: u64,
    /// Reserves made.
    pub reserves: u64,
    /// Entries the last reserve scanned.
    pub last_scan: u64,
    /// Longest ttl list seen.
    pub longest: u64,
}

/// The blob a reserve pushes, exactly as the seed's code builds it.
pub fn blob(asset: &str, expired: u64) -> String {
    format!("{{\"assetId\":\"{asset}\",\"expired\":{expired}}}")
}

/// Reads `{"assetId": ..., "expired": ...}` back: the asset and its expiry.
pub fn parse_blob(blob: &str) -> Option<(&str, u64)> {
    let rest = blob.split_once("\"assetId\":\"")?.1;
    let (asset, rest) = rest.split_once('"')?;
    let digits = rest.split_once("\"expired\":")?.1;
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    Some((asset, digits[..end].parse().ok()?))
}

impl Legacy {
    fn app(&mut self, app: &str) -> &mut App {
        let position = match self.apps.iter().position(|(name, _)| name == app) {
            Some(position) => position,
            None => {
                self.apps.push((String::from(app), App::default()));
                self.apps.len() - 1
            }
        };
        &mut self.apps[position].1
    }

    /// Reserves `assets` until `expired` if none is reserved and unexpired at `now`; returns
    /// whether it did.
    pub fn reserve(&mut self, app: &str, assets: &[String], now: u64, expired: u64) -> bool {
        let lists = self.app(app);
        let length = lists.ttl.len() as u64;
        let taken = lists.ttl.iter().any(|entry| entry.expired > now && assets.contains(&entry.asset));
        if !taken {
            for asset in assets {
                lists.assets.push_front(asset.clone());
                let text = blob(asset, expired);
                let (asset, expired) =
                    parse_blob(&text).map_or((String::new(), 0), |(a, e)| (String::from(a), e));
                lists.ttl.push_front(Blob { text, asset, expired });
            }
        }
        let grown = lists.ttl.len() as u64;
        self.scanned += length;
        self.last_scan = length;
        self.longest = self.longest.max(grown);
        self.reserves += 1;
        !taken
    }

    /// `LREM` of each asset from both lists (the blob by its exact text).
    pub fn release(&mut self, app: &str, assets: &[String], expired: u64) {
        let lists = self.app(app);
        let mut read = 0;
        for asset in assets {
            read += lists.assets.len() + lists.ttl.len();
            lists.assets.retain(|a| a != asset);
            let text = blob(asset, expired);
            lists.ttl.retain(|entry| entry.text != text);
        }
        self.scanned += read as u64;
    }

    /// Entries in every ttl list.
    pub fn entries(&self) -> u64 {
        self.apps.iter().map(|(_, app)| app.ttl.len() as u64).sum()
    }

    /// Entries in every ttl list whose blob has expired at `now`.
    pub fn expired(&self, now: u64) -> u64 {
        let dead = |app: &App| app.ttl.iter().filter(|entry| entry.expired <= now).count();
        self.apps.iter().map(|(_, app)| dead(app) as u64).sum()
    }

    /// Whether nothing was ever mirrored.
    pub fn is_unused(&self) -> bool {
        self.apps.is_empty()
    }
}

/// The app id lists are named after: `730` for `reserved-assets_730`, else the namespace.
pub fn app_of(namespace: &str) -> &str {
    namespace.strip_prefix("reserved-assets_").unwrap_or(namespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn a_blob_reads_back_as_written() {
        assert_eq!(parse_blob(&blob("bot3-a17", 1_200_000)), Some(("bot3-a17", 1_200_000)));
    }

    #[test]
    fn an_expired_entry_is_skipped_but_still_scanned() {
        let mut legacy = Legacy::default();
        let a = vec![String::from("a")];
        assert!(legacy.reserve("730", &a, 0, 100));
        assert!(!legacy.reserve("730", &a, 50, 150));
        assert!(legacy.reserve("730", &a, 100, 200));
        assert_eq!(legacy.entries(), 2);
        assert_eq!(legacy.last_scan, 1);
    }

    #[test]
    fn a_release_removes_both_entries() {
        let mut legacy = Legacy::default();
        let a = vec![String::from("a")];
        legacy.reserve("730", &a, 0, 100);
        legacy.release("730", &a, 100);
        assert_eq!(legacy.entries(), 0);
    }
}
