//! A seeded hasher, so that hashing needs no randomness from the core.
//!
//! Iteration order never depends on it (see [`crate::store`]); the seed only matters for
//! resistance to crafted keys, and the caller chooses it at the edge.

use core::hash::{BuildHasher, Hasher};

const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
const FINISH: u64 = 0xD6E8_FEB8_6659_FD93;

#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let full = (a as u128).wrapping_mul(b as u128);
    (full as u64) ^ ((full >> 64) as u64)
}

/// Builds [`SeededHasher`]s from one seed.
#[derive(Debug, Clone, Copy, Default)]
pub struct SeededState {
    seed: u64,
}

impl SeededState {
    /// A state with the given seed.
    pub const fn new(seed: u64) -> SeededState {
        SeededState { seed }
    }
}

impl BuildHasher for SeededState {
    type Hasher = SeededHasher;

    fn build_hasher(&self) -> SeededHasher {
        SeededHasher { state: self.seed ^ MULTIPLIER }
    }
}

/// A folded-multiply hasher over 8-byte words.
#[derive(Debug, Clone)]
pub struct SeededHasher {
    state: u64,
}

impl Hasher for SeededHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.state = fold(self.state ^ u64::from_le_bytes(word), MULTIPLIER);
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.state = fold(self.state ^ u64::from_le_bytes(word) ^ ((bytes.len() as u64) << 56), MULTIPLIER);
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.state = fold(self.state ^ u64::from(byte), MULTIPLIER);
    }

    #[inline]
    fn write_u64(&mut self, word: u64) {
        self.state = fold(self.state ^ word, MULTIPLIER);
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold(self.state, FINISH)
    }
}
