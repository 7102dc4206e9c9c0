//! Key layout: the Redis key names every operation touches, all in one hash slot.
//!
//! | primitive | Redis keys (type) |
//! |---|---|
//! | lock | `<prefix>:lock:{<key>}` (string: `<fence> <expires_at> <owner>`, the last lease) |
//! | semaphore | `<prefix>:semaphore:{<key>}` (hash: `last` = last fence, `h:<owner>` = `<fence> <expires_at>`) |
//! | rate limit | `<prefix>:limit:<algorithm>:{<key>}` (hash: the algorithm's state, `exp`, strikes `sc` `su` `sb`) |
//! | sliding log | the limit's hash and `<prefix>:limit:sliding_log:{<key>}:log` (list of `<at> <cost>`, oldest first) |
//! | hold | `<prefix>:hold:{<namespace>}:holds` (hash: item → `<fence> <expires_at> <owner>`), `...:expiry` (sorted set: item by `expires_at`), `...:fence` (string: the last fence), `...:events` (stream of the writes' events, see [`crate::HoldEvents`]) |
//!
//! The part in braces is the Redis Cluster hash tag, so every key of one operation lives in one
//! slot. In it, `%`, `{` and `}` of the user's key are written `%25`, `%7B` and `%7D`, which
//! keeps the tag closed where the layout closes it (an empty key, which every operation
//! refuses, is written `%` to keep the tag non-empty); any other byte is kept as is,
//! so `lockTrade:42` is `leasehold:lock:{lockTrade:42}` in `redis-cli`.

use leasehold_core::AlgorithmKind;

use crate::error::AdapterError;

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "leasehold";

/// Names the Redis keys of each primitive under one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    prefix: String,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout { prefix: DEFAULT_PREFIX.to_owned() }
    }
}

impl Layout {
    /// A layout under `prefix`, which must be non-empty and free of `{` and `}` (they would move
    /// the hash tag).
    ///
    /// ```
    /// use leasehold_redis::Layout;
    /// assert_eq!(Layout::new("app").unwrap().lock("lockTrade:42"), "app:lock:{lockTrade:42}");
    /// assert!(Layout::new("a{b").is_err());
    /// ```
    pub fn new(prefix: &str) -> Result<Layout, AdapterError> {
        if prefix.is_empty() || prefix.contains(['{', '}']) {
            return Err(AdapterError::Config(format!(
                "key prefix {prefix:?} must be non-empty and contain neither '{{' nor '}}'"
            )));
        }
        Ok(Layout { prefix: prefix.to_owned() })
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn tagged(&self, kind: &str, key: &str) -> String {
        let mut name = String::with_capacity(self.prefix.len() + kind.len() + key.len() + 4);
        name.push_str(&self.prefix);
        name.push(':');
        name.push_str(kind);
        name.push_str(":{");
        if key.is_empty() {
            // Refused by every operation, but still one slot: escaping never yields a lone `%`.
            name.push('%');
        }
        // Runs of plain characters are copied whole; only `%`, `{` and `}` are escaped.
        let mut rest = key;
        while let Some(at) = rest.bytes().position(|b| matches!(b, b'%' | b'{' | b'}')) {
            name.push_str(&rest[..at]);
            name.push_str(match rest.as_bytes()[at] {
                b'%' => "%25",
                b'{' => "%7B",
                _ => "%7D",
            });
            rest = &rest[at + 1..];
        }
        name.push_str(rest);
        name.push('}');
        name
    }

    /// The string of lock `key`: its last lease.
    pub fn lock(&self, key: &str) -> String {
        self.tagged("lock", key)
    }

    /// The hash of semaphore `key`.
    pub fn semaphore(&self, key: &str) -> String {
        self.tagged("semaphore", key)
    }

    /// The hash of rate-limited `key` under `algorithm`.
    pub fn limit(&self, algorithm: AlgorithmKind, key: &str) -> String {
        self.tagged(&format!("limit:{}", algorithm_name(algorithm)), key)
    }

    /// The list of marks of a sliding log on `key`.
    pub fn limit_log(&self, key: &str) -> String {
        self.tagged("limit:sliding_log", key) + ":log"
    }

    /// The three keys of hold namespace `namespace`: holds, expiry index, last fence.
    pub fn hold(&self, namespace: &str) -> [String; 3] {
        let base = self.tagged("hold", namespace);
        [format!("{base}:holds"), format!("{base}:expiry"), format!("{base}:fence")]
    }

    /// The event stream of hold namespace `namespace`, in the namespace's slot.
    ///
    /// ```
    /// use leasehold_redis::Layout;
    /// let events = Layout::default().hold_events("reserved-assets_730");
    /// assert_eq!(events, "leasehold:hold:{reserved-assets_730}:events");
    /// ```
    pub fn hold_events(&self, namespace: &str) -> String {
        self.tagged("hold", namespace) + ":events"
    }
}

/// The name of an algorithm's keyspace, as the core's JSON spells it.
pub fn algorithm_name(algorithm: AlgorithmKind) -> &'static str {
    match algorithm {
        AlgorithmKind::FixedWindow => "fixed_window",
        AlgorithmKind::SlidingLog => "sliding_log",
        AlgorithmKind::SlidingCounter => "sliding_counter",
        AlgorithmKind::TokenBucket => "token_bucket",
        AlgorithmKind::Gcra => "gcra",
        AlgorithmKind::Cooldown => "cooldown",
    }
}

/// The Redis Cluster hash slot of `key` (CRC16/XMODEM of its hash tag, modulo 16384).
pub fn slot(key: &[u8]) -> u16 {
    let tag = match key.iter().position(|&b| b == b'{') {
        Some(open) => match key[open + 1..].iter().position(|&b| b == b'}') {
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        },
        None => key,
    };
    crc16(tag) % 16384
}

fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

/// Refuses a set of keys that spans more than one slot, before anything is sent.
pub fn same_slot(keys: &[String]) -> Result<(), AdapterError> {
    // Most operations touch one key: nothing to compare, no checksum to compute.
    if keys.len() < 2 {
        return Ok(());
    }
    let mut slots = keys.iter().map(|key| slot(key.as_bytes()));
    if let Some(first) = slots.next() {
        if slots.any(|other| other != first) {
            return Err(AdapterError::CrossSlot { keys: keys.to_vec() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_the_redis_cluster_specification() {
        assert_eq!(crc16(b"123456789"), 0x31C3);
        assert_eq!(slot(b"foo"), 12182);
        assert_eq!(slot(b"{user1000}.following"), slot(b"{user1000}.followers"));
        assert_eq!(slot(b"foo{}{bar}"), slot(b"foo{}{bar}"));
    }

    #[test]
    fn braces_in_a_key_cannot_split_a_namespace_across_slots() {
        let layout = Layout::default();
        for namespace in ["}", "{", "a}b", "}x{", "%7D", ""] {
            let mut keys = layout.hold(namespace).to_vec();
            keys.push(layout.hold_events(namespace));
            assert!(same_slot(&keys).is_ok(), "{namespace:?}");
        }
        assert_eq!(layout.lock("a}b"), "leasehold:lock:{a%7Db}");
        assert_eq!(layout.lock("é%{}x%"), "leasehold:lock:{é%25%7B%7Dx%25}");
    }

    #[test]
    fn a_request_spanning_slots_is_refused() {
        let keys = vec!["{a}x".to_owned(), "{b}x".to_owned()];
        assert!(matches!(same_slot(&keys), Err(AdapterError::CrossSlot { .. })));
    }
}
