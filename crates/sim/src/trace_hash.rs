//! The trace hash every edge prints: FNV-1a, 64 bits, over every byte of the trace (each line
//! followed by `\n`), offset basis `0xcbf29ce484222325`, prime `0x100000001b3`.
//!
//! Chosen for being a dozen lines anyone can re-implement to check a trace; it detects changes,
//! it is not a cryptographic digest. `leasehold simulate`, `leasehold replay` and the
//! playground all hash with this one type, so their hashes agree by construction.
//!
//! ```
//! use leasehold_sim::TraceHash;
//! let mut hash = TraceHash::default();
//! hash.update(b"foobar");
//! assert_eq!(hash.hex(), "85944171f73967e8");
//! ```

use alloc::format;
use alloc::string::String;

/// A running FNV-1a 64 hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceHash(u64);

impl Default for TraceHash {
    fn default() -> TraceHash {
        TraceHash(0xcbf2_9ce4_8422_2325)
    }
}

impl TraceHash {
    /// Feeds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The hash as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_matches_the_published_fnv1a_64_test_vectors() {
        let hash = |text: &str| {
            let mut hash = TraceHash::default();
            hash.update(text.as_bytes());
            hash.hex()
        };
        assert_eq!(hash(""), "cbf29ce484222325");
        assert_eq!(hash("a"), "af63dc4c8601ec8c");
        assert_eq!(hash("foobar"), "85944171f73967e8");
    }
}
