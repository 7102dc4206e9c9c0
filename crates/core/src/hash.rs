//! A seeded string hash, so that hashing needs no randomness from the core.
//!
//! Iteration order never depends on it (see [`crate::store`]); the seed only matters for
//! resistance to crafted keys, and the caller chooses it at the edge. Keys of up to 16 bytes
//! (most keys: an IP, an asset id, a user id) are read as two overlapping words and mixed with
//! two folded multiplications; longer keys are folded 16 bytes at a time first.

const K0: u64 = 0x243F_6A88_85A3_08D3;
const K1: u64 = 0x1319_8A2E_0370_7344;
const K2: u64 = 0xA409_3822_299F_31D0;

/// Mixes `a` and `b`: the two halves of their 128-bit product folded together.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
#[inline(always)]
fn fold_wide(a: u64, b: u64) -> u64 {
    let full = (a as u128).wrapping_mul(b as u128);
    (full as u64) ^ ((full >> 64) as u64)
}

/// Mixes `a` and `b` with 64-bit multiplications only: wasm32 has no 64×64→128 multiply, and
/// the folded one above becomes a call to a software routine there. Hashes differ from the
/// native build's, which changes nothing observable: iteration order never depends on them.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[inline(always)]
fn fold_narrow(a: u64, b: u64) -> u64 {
    let x = (a ^ b.rotate_left(23)).wrapping_mul(K3);
    let x = (x ^ (x >> 29) ^ b).wrapping_mul(K4);
    x ^ (x >> 32)
}

const K3: u64 = 0x9E37_79B9_7F4A_7C15;
const K4: u64 = 0xBF58_476D_1CE4_E5B9;

/// The little-endian word at `at`; callers keep `at + 8 <= bytes.len()`.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The little-endian half-word at `at`; callers keep `at + 4 <= bytes.len()`.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn half(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&bytes[at..at + 4]);
    u64::from(u32::from_le_bytes(w))
}

/// [`word`] read through an array reference (one load): copied out as natively, it is a call
/// to memcpy where LLVM optimises for size, as in the wasm build. (Natively the copy is the
/// faster of the two.)
#[cfg(target_arch = "wasm32")]
#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8).map(<&[u8; 8]>::try_from) {
        Some(Ok(w)) => u64::from_le_bytes(*w),
        _ => 0,
    }
}

/// [`half`] read through an array reference, as [`word`] on wasm.
#[cfg(target_arch = "wasm32")]
#[inline(always)]
fn half(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 4).map(<&[u8; 4]>::try_from) {
        Some(Ok(w)) => u64::from(u32::from_le_bytes(*w)),
        _ => 0,
    }
}

/// Defines a hash function of `(seed, key)` mixing with `$fold`: the native build's and the
/// wasm build's `hash_str` are the same text with their own mixer, and the tests hold both.
macro_rules! define_hash {
    ($(#[$meta:meta])* $vis:vis fn $name:ident mixing with $fold:ident) => {
        $(#[$meta])*
        #[inline]
        $vis fn $name(seed: u64, key: &str) -> u64 {
            let fold = $fold;
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
    };
}

#[cfg(not(target_arch = "wasm32"))]
define_hash! {
    /// The hash of `key` under `seed`.
    pub fn hash_str mixing with fold_wide
}

#[cfg(target_arch = "wasm32")]
define_hash! {
    /// The hash of `key` under `seed`.
    pub fn hash_str mixing with fold_narrow
}

#[cfg(test)]
mod tests {
    use super::*;

    define_hash!(fn hash_wide mixing with fold_wide);
    define_hash!(fn hash_narrow mixing with fold_narrow);

    /// With both mixers: the native build's and the wasm build's.
    fn hash_str(seed: u64, key: &str) -> [u64; 2] {
        [hash_wide(seed, key), hash_narrow(seed, key)]
    }

    #[test]
    fn lengths_around_every_boundary_hash_apart() {
        let text = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghij";
        let mut seen = alloc::vec::Vec::new();
        for len in 0..text.len() {
            for (mixer, hash) in hash_str(7, &text[..len]).into_iter().enumerate() {
                assert!(!seen.contains(&(mixer, hash)), "prefix of length {len} collides");
                seen.push((mixer, hash));
            }
        }
    }

    #[test]
    fn the_seed_changes_every_hash() {
        for key in ["", "a", "abcd", "api_ip:10.0.0.1", "reserved-assets_730:asset-27182818"] {
            let (one, two) = (hash_str(1, key), hash_str(2, key));
            assert!(one[0] != two[0] && one[1] != two[1], "{key}");
        }
    }

    #[test]
    fn keys_differing_in_one_byte_hash_apart() {
        let base = *b"asset-27182818xyz";
        let reference = hash_str(0, core::str::from_utf8(&base).unwrap());
        for at in 0..base.len() {
            let mut changed = base;
            changed[at] ^= 1;
            let hashes = hash_str(0, core::str::from_utf8(&changed).unwrap());
            assert!(hashes[0] != reference[0] && hashes[1] != reference[1], "byte {at}");
        }
    }

    #[test]
    fn sequential_keys_spread_over_the_low_and_the_top_bits_with_both_mixers() {
        // hashbrown picks a bucket with the low bits and tags it with the top 7: both must
        // spread keys that differ only in a counter, as rate-limit keys do.
        for narrow in [false, true] {
            let mut low = alloc::vec![0u32; 1024];
            let mut top = alloc::vec![0u32; 128];
            for i in 0..102_400u32 {
                let key = alloc::format!("user:{i}");
                let hash = if narrow { hash_narrow(42, &key) } else { hash_wide(42, &key) };
                low[(hash & 1023) as usize] += 1;
                top[(hash >> 57) as usize] += 1;
            }
            // 100 and 800 expected per bucket.
            assert!(low.iter().all(|&n| (50..=150).contains(&n)), "low bits: {:?}", low.iter().max());
            assert!(top.iter().all(|&n| (600..=1000).contains(&n)), "top bits: {:?}", top.iter().max());
        }
    }
}
