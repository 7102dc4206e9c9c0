//! The simulator's own PRNG: xoshiro256** seeded through SplitMix64, integers only.
//!
//! Written here rather than taken from a crate so that its output is fixed by this file alone:
//! the same seed gives the same numbers natively and in wasm, today and after any dependency
//! update. References: Blackman and Vigna, "Scrambled linear pseudorandom number generators"
//! (xoshiro256**), and Steele, Lea and Flood, "Fast splittable pseudorandom number generators"
//! (SplitMix64).

/// One step of SplitMix64: advances `state` and returns a well-mixed 64-bit value.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256**: 256 bits of state, period 2^256 − 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

/// ln 2 × 2^32, rounded: the only constant of the exponential sampler.
const LN2_Q32: u128 = 2_977_044_472;

impl Rng {
    /// A generator whose four words are the first four SplitMix64 outputs from `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut state = seed;
        Rng {
            s: [
                splitmix64(&mut state),
                splitmix64(&mut state),
                splitmix64(&mut state),
                splitmix64(&mut state),
            ],
        }
    }

    /// An independent stream for `index` (an agent) under `seed`: each agent draws from its own
    /// generator, so one agent's draws never shift another's.
    pub fn stream(seed: u64, index: u64) -> Rng {
        let mut state = seed ^ 0x6C65_6173_6568_6F6C; // "leasehol"
        let base = splitmix64(&mut state);
        let mut mixed = base ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng::new(splitmix64(&mut mixed))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (0 when `n` is 0), without modulo bias: Lemire's multiply-and-reject.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(n);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// Uniform in `min..=max` (`min` when `max < min`).
    pub fn between(&mut self, min: u64, max: u64) -> u64 {
        if max <= min {
            return min;
        }
        match (max - min).checked_add(1) {
            Some(span) => min + self.below(span),
            None => self.next_u64(),
        }
    }

    /// True with probability `ppm` parts per million.
    pub fn chance(&mut self, ppm: u32) -> bool {
        self.below(1_000_000) < u64::from(ppm)
    }

    /// An exponentially distributed duration of mean `mean`, rounded down, capped at 64 × mean.
    ///
    /// Inversion with integers only: `u` uniform in `1..=2^53`, `−ln(u / 2^53) = ln 2 × (53 −
    /// log2 u)`, where `log2 u` is computed to 32 fractional bits by repeated squaring.
    pub fn exponential(&mut self, mean: u64) -> u64 {
        let u = (self.next_u64() >> 11) + 1;
        let neg_log2 = (53u64 << 32) - log2_q32(u);
        let value = (u128::from(mean) * u128::from(neg_log2) * LN2_Q32) >> 64;
        (value as u64).min(mean.saturating_mul(64))
    }
}

/// `log2(x) × 2^32` for `1 ≤ x < 2^63`, rounded down: integer part from the leading zeros,
/// fraction by squaring the mantissa (in Q62) 32 times.
pub fn log2_q32(x: u64) -> u64 {
    let int = 63 - u64::from(x.max(1).leading_zeros());
    let mut m = u128::from(x.max(1)) << (62 - int);
    let mut fraction = 0u64;
    for bit in (0..32).rev() {
        m = (m * m) >> 62;
        if m >= 1u128 << 63 {
            m >>= 1;
            fraction |= 1 << bit;
        }
    }
    (int << 32) | fraction
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn splitmix_matches_its_reference_output() {
        // First output of SplitMix64 from state 0, as published with the algorithm.
        assert_eq!(splitmix64(&mut 0), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn below_stays_in_range_and_reaches_both_ends() {
        let mut rng = Rng::new(1);
        let draws: alloc::vec::Vec<u64> = (0..1000).map(|_| rng.below(3)).collect();
        assert!(draws.iter().all(|&d| d < 3));
        assert!(draws.contains(&0) && draws.contains(&2));
    }

    #[test]
    fn log2_is_exact_on_powers_of_two() {
        assert_eq!(log2_q32(1), 0);
        assert_eq!(log2_q32(1 << 20), 20 << 32);
        let three = (u128::from(log2_q32(3)) * 1_000_000) >> 32;
        assert_eq!(three, 1_584_962); // log2 3 = 1.5849625...
    }

    #[test]
    fn exponential_samples_average_near_their_mean() {
        let mut rng = Rng::new(42);
        let total: u64 = (0..20_000).map(|_| rng.exponential(1000)).sum();
        let mean = total / 20_000;
        assert!((950..=1050).contains(&mean), "mean {mean}");
    }
}
