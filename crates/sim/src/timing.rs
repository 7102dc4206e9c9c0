//! The timing of a scenario: when agents start their sessions ([`Arrival`]) and how long things
//! take ([`Dist`]), both drawn from the agent's own seeded stream.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// When an agent starts its sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Arrival {
    /// A session every `ms`, the first one at a uniform offset in `0..ms`.
    Every(u64),
    /// Exponential gaps of mean `mean`.
    Poisson {
        /// Mean gap, ms.
        mean: u64,
    },
    /// `size` sessions `gap` ms apart, then `every` ms of quiet.
    Bursts {
        /// Quiet time between bursts, ms.
        every: u64,
        /// Sessions per burst.
        size: u32,
        /// Time between sessions of a burst, ms.
        gap: u64,
    },
}

impl Arrival {
    /// The delay before the first session.
    pub fn first(&self, rng: &mut Rng) -> u64 {
        match *self {
            Arrival::Every(ms) => rng.below(ms.max(1)),
            Arrival::Poisson { mean } => rng.exponential(mean),
            Arrival::Bursts { every, .. } => rng.below(every.max(1)),
        }
    }

    /// The gap after a session; `burst` counts sessions of the current burst.
    pub fn next(&self, rng: &mut Rng, burst: &mut u32) -> u64 {
        match *self {
            Arrival::Every(ms) => ms.max(1),
            Arrival::Poisson { mean } => rng.exponential(mean).max(1),
            Arrival::Bursts { every, size, gap } => {
                *burst += 1;
                if *burst >= size {
                    *burst = 0;
                    every.max(1)
                } else {
                    gap.max(1)
                }
            }
        }
    }
}

/// A duration drawn at random, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Always `ms`.
    Fixed(u64),
    /// Uniform in `min..=max`.
    Uniform {
        /// Shortest.
        min: u64,
        /// Longest.
        max: u64,
    },
    /// Exponential with mean `mean`.
    Exponential {
        /// Mean.
        mean: u64,
    },
}

impl Dist {
    /// One draw.
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        match *self {
            Dist::Fixed(ms) => ms,
            Dist::Uniform { min, max } => rng.between(min, max),
            Dist::Exponential { mean } => rng.exponential(mean),
        }
    }
}
