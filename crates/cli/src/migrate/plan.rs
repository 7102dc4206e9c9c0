//! What a legacy import would do, decided from the two lists and `now` alone (no I/O).
//!
//! Reconciliation of tradeit's two lists (`reserved-assets_{app}`: ids; `reserved-assets_ttl_{app}`:
//! `{"assetId": ..., "expired": <ms>}` blobs):
//! - **The blobs are the source of truth**: an asset is imported only from a blob, with the
//!   blob's expiry.
//! - **An id with no blob** is reported and not imported: its expiry is unknown, and the legacy
//!   reserve (which scans only the blobs) does not consider it reserved either.
//! - **A blob whose id is not in the id list** is imported, and reported: the legacy reserve
//!   refuses others the asset until the blob expires, so importing it keeps that refusal (the
//!   safe side: a half-done `removeReserve` frees the asset at the blob's expiry, as before).
//! - **Repeated blobs of one asset** count as duplicates; the latest expiry wins.
//! - **A bad blob** (not JSON, not an object, `assetId` missing, not a string, empty or longer
//!   than the core's item bound, `expired` missing, not a non-negative integer, past 2^53 − 1,
//!   or more than the core's longest TTL after `now`) is reported with its list position (0 =
//!   head, as `LRANGE 0 -1` returns it) and skipped; the good blobs are still imported.
//! - **Expired** means `expired <= now` (a hold is live while `expires_at > now`).

use std::collections::{HashMap, HashSet};

use leasehold_core::bounds::{MAX_DURATION, MAX_ITEMS_PER_CALL, MAX_ITEM_BYTES};
use leasehold_core::Millis;
use serde_json::Value;

/// A blob that cannot be imported, with where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bad {
    /// Its index in the ttl list (0 = head).
    pub position: usize,
    /// Why it was skipped.
    pub reason: String,
    /// The blob, cut to 80 characters.
    pub blob: String,
}

/// Items to reserve together: one expiry, at most [`MAX_ITEMS_PER_CALL`] items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The legacy expiry of every item.
    pub expired: u64,
    /// The items, in ascending byte order.
    pub items: Vec<String>,
}

/// The decided import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Blobs read.
    pub blobs: usize,
    /// Ids read.
    pub ids: usize,
    /// Distinct live assets to reserve, grouped by expiry (earliest first).
    pub groups: Vec<Group>,
    /// Distinct assets whose latest expiry is `<= now`.
    pub expired: usize,
    /// Blobs skipped as bad.
    pub bad: Vec<Bad>,
    /// Good blobs superseded by another blob of the same asset.
    pub duplicates: usize,
    /// Ids (with their position in the id list) that no good blob names.
    pub ids_without_blob: Vec<(usize, String)>,
    /// Assets of good blobs that the id list does not name (imported when live).
    pub blobs_without_id: Vec<String>,
}

impl Plan {
    /// Live assets to import.
    pub fn live(&self) -> usize {
        self.groups.iter().map(|group| group.items.len()).sum()
    }
}

/// Reads one blob: its asset id and expiry, or why not.
pub fn parse(blob: &str, now: Millis) -> Result<(String, u64), String> {
    let value: Value = serde_json::from_str(blob).map_err(|_| "not JSON".to_owned())?;
    let Value::Object(fields) = value else { return Err("not a JSON object".to_owned()) };
    let asset = match fields.get("assetId") {
        None => return Err("no assetId".to_owned()),
        Some(Value::String(asset)) if asset.is_empty() => return Err("assetId is empty".to_owned()),
        Some(Value::String(asset)) if asset.len() > MAX_ITEM_BYTES => {
            return Err(format!("assetId is {} bytes, more than {MAX_ITEM_BYTES}", asset.len()))
        }
        Some(Value::String(asset)) => asset.clone(),
        Some(_) => return Err("assetId is not a string".to_owned()),
    };
    let expired = match fields.get("expired") {
        None => return Err("no expired".to_owned()),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(ms) if ms > Millis::MAX.0 => return Err(format!("expired {ms} is past 2^53 - 1")),
            Some(ms) => ms,
            None if n.as_i64().is_some() => return Err(format!("expired {n} is negative")),
            None => return Err(format!("expired {n} is not a whole number")),
        },
        Some(_) => return Err("expired is not a number".to_owned()),
    };
    if expired > now.0.saturating_add(MAX_DURATION.0) {
        return Err(format!("expired {expired} is more than 366 days after now ({})", now.0));
    }
    Ok((asset, expired))
}

fn cut(blob: &str) -> String {
    match blob.char_indices().nth(80) {
        Some((end, _)) => format!("{}...", &blob[..end]),
        None => blob.to_owned(),
    }
}

/// Decides the import of `blobs` (the ttl list) given `ids` (the id list) at `now`.
pub fn plan(ids: &[String], blobs: &[String], now: Millis) -> Plan {
    let mut plan = Plan { blobs: blobs.len(), ids: ids.len(), ..Plan::default() };
    // asset -> latest expiry, in order of first appearance.
    let mut latest: HashMap<&str, u64> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    let mut parsed: Vec<(String, u64)> = Vec::new();
    for (position, blob) in blobs.iter().enumerate() {
        match parse(blob, now) {
            Ok(entry) => parsed.push(entry),
            Err(reason) => plan.bad.push(Bad { position, reason, blob: cut(blob) }),
        }
    }
    for (asset, expired) in &parsed {
        match latest.get_mut(asset.as_str()) {
            Some(kept) => {
                plan.duplicates += 1;
                *kept = (*kept).max(*expired);
            }
            None => {
                latest.insert(asset, *expired);
                order.push(asset);
            }
        }
    }
    let listed: HashSet<&str> = ids.iter().map(String::as_str).collect();
    plan.blobs_without_id = order.iter().filter(|a| !listed.contains(**a)).map(|a| (*a).to_owned()).collect();
    let mut seen = HashSet::new();
    for (position, id) in ids.iter().enumerate() {
        if !latest.contains_key(id.as_str()) && seen.insert(id.as_str()) {
            plan.ids_without_blob.push((position, id.clone()));
        }
    }
    let mut live: Vec<(u64, &str)> = latest
        .iter()
        .filter(|(_, &expired)| expired > now.0)
        .map(|(asset, &expired)| (expired, *asset))
        .collect();
    plan.expired = latest.len() - live.len();
    live.sort_unstable();
    for (expired, asset) in live {
        match plan.groups.last_mut() {
            Some(group) if group.expired == expired && group.items.len() < MAX_ITEMS_PER_CALL => {
                group.items.push(asset.to_owned());
            }
            _ => plan.groups.push(Group { expired, items: vec![asset.to_owned()] }),
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = Millis(1_000_000);

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn each_kind_of_bad_blob_is_named() {
        let reason = |blob: &str| parse(blob, NOW).unwrap_err();
        assert_eq!(reason("{oops"), "not JSON");
        assert_eq!(reason("[1]"), "not a JSON object");
        assert_eq!(reason(r#"{"expired":5}"#), "no assetId");
        assert_eq!(reason(r#"{"assetId":7,"expired":5}"#), "assetId is not a string");
        assert_eq!(reason(r#"{"assetId":"","expired":5}"#), "assetId is empty");
        assert!(reason(&format!(r#"{{"assetId":"{}","expired":5}}"#, "x".repeat(257))).contains("257 bytes"));
        assert_eq!(reason(r#"{"assetId":"a"}"#), "no expired");
        assert_eq!(reason(r#"{"assetId":"a","expired":"5"}"#), "expired is not a number");
        assert_eq!(reason(r#"{"assetId":"a","expired":-5}"#), "expired -5 is negative");
        assert_eq!(reason(r#"{"assetId":"a","expired":1.5}"#), "expired 1.5 is not a whole number");
        assert!(reason(r#"{"assetId":"a","expired":9007199254740992}"#).contains("past 2^53"));
        assert!(reason(r#"{"assetId":"a","expired":99999999999999}"#).contains("366 days"));
        assert_eq!(parse(r#"{"assetId":"a","expired":5,"extra":true}"#, NOW), Ok(("a".into(), 5)));
    }

    #[test]
    fn repeated_assets_keep_their_latest_expiry_and_count_as_duplicates() {
        let blobs = strings(&[
            r#"{"assetId":"a","expired":1000500}"#,
            r#"{"assetId":"a","expired":1000900}"#,
            r#"{"assetId":"a","expired":999}"#,
        ]);
        let plan = plan(&strings(&["a"]), &blobs, NOW);
        assert_eq!(plan.duplicates, 2);
        assert_eq!(plan.groups, vec![Group { expired: 1_000_900, items: strings(&["a"]) }]);
    }

    #[test]
    fn ids_and_blobs_missing_from_the_other_list_are_reported_and_only_blobs_imported() {
        let blobs = strings(&[r#"{"assetId":"b","expired":2000000}"#, r#"{"assetId":"c","expired":5}"#]);
        let plan = plan(&strings(&["a", "c", "a"]), &blobs, NOW);
        assert_eq!(plan.ids_without_blob, vec![(0, "a".to_owned())]);
        assert_eq!(plan.blobs_without_id, strings(&["b"]));
        assert_eq!(plan.expired, 1);
        assert_eq!(plan.live(), 1);
    }

    #[test]
    fn an_expiry_equal_to_now_is_expired() {
        let plan = plan(&[], &strings(&[r#"{"assetId":"a","expired":1000000}"#]), NOW);
        assert_eq!((plan.expired, plan.live()), (1, 0));
    }

    #[test]
    fn groups_share_one_expiry_and_hold_at_most_a_calls_worth_of_items() {
        let blobs: Vec<String> =
            (0..1001).map(|i| format!(r#"{{"assetId":"a{i:04}","expired":2000000}}"#)).collect();
        let mut blobs = blobs;
        blobs.push(r#"{"assetId":"z","expired":1500000}"#.to_owned());
        let plan = plan(&[], &blobs, NOW);
        let shape: Vec<(u64, usize)> = plan.groups.iter().map(|g| (g.expired, g.items.len())).collect();
        assert_eq!(shape, vec![(1_500_000, 1), (2_000_000, 1000), (2_000_000, 1)]);
    }
}
