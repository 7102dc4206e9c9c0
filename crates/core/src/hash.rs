//! A seeded string hash, so that hashing needs no randomness from the core.
//!
//! Iteration order never depends on it (see [`crate::store`]); the seed only matters for
//! resistance to crafted keys, and the caller chooses it at the edge. Keys of up to 16 bytes
//! (most keys: an IP, an asset id, a user id) are read as two overlapping words and mixed with
//! two folded multiplications; longer keys are folded 16 bytes at a time first.

const K0: u64 = 0x243F_6A88_85A3_08D3;
const K1: u64 = 0x1319_8A2E_0370_7344;
const K2: u64 = 0xA409_3822_299F_31D0;

#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let full = (a as u128).wrapping_mul(b as u128);
    (full as u64) ^ ((full >> 64) as u64)
}

#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

#[inline(always)]
fn half(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&bytes[at..at + 4]);
    u64::from(u32::from_le_bytes(w))
}

/// The hash of `key` under `seed`.
#[inline]
pub fn hash_str(seed: u64, key: &str) -> u64 {
    let bytes = key.as_bytes();
    let len = bytes.len();
    let mut acc = seed ^ K0;
    let (lo, hi) = if len > 16 {
        let mut at = 0;
        while at + 16 < len {
            acc = fold(word(bytes, at) ^ acc, word(bytes, at + 8) ^ K1);
            at += 16;
        }
        (word(bytes, len - 16), word(bytes, len - 8))
    } else if len >= 8 {
        (word(bytes, 0), word(bytes, len - 8))
    } else if len >= 4 {
        (half(bytes, 0), half(bytes, len - 4))
    } else if len > 0 {
        let spread =
            (u64::from(bytes[0]) << 16) | (u64::from(bytes[len / 2]) << 8) | u64::from(bytes[len - 1]);
        (spread, 0)
    } else {
        (0, 0)
    };
    fold(fold(lo ^ acc, hi ^ K1 ^ len as u64), K2 ^ seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_around_every_boundary_hash_apart() {
        let text = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghij";
        let mut seen = alloc::vec::Vec::new();
        for len in 0..text.len() {
            let hash = hash_str(7, &text[..len]);
            assert!(!seen.contains(&hash), "prefix of length {len} collides");
            seen.push(hash);
        }
    }

    #[test]
    fn the_seed_changes_every_hash() {
        for key in ["", "a", "abcd", "api_ip:10.0.0.1", "reserved-assets_730:asset-27182818"] {
            assert_ne!(hash_str(1, key), hash_str(2, key));
        }
    }

    #[test]
    fn keys_differing_in_one_byte_hash_apart() {
        let base = *b"asset-27182818xyz";
        let reference = hash_str(0, core::str::from_utf8(&base).unwrap());
        for at in 0..base.len() {
            let mut changed = base;
            changed[at] ^= 1;
            assert_ne!(hash_str(0, core::str::from_utf8(&changed).unwrap()), reference, "byte {at}");
        }
    }
}
