//! Integer milliseconds, the only unit of time the core knows.

use core::fmt;

use serde::{Deserialize, Serialize};

/// A point in time or a duration, in whole milliseconds.
///
/// The core never reads a clock: every decision takes `now: Millis` from the caller. Every value
/// that reaches a decision is at most [`Millis::MAX`] (2^53 − 1) so that Lua numbers and
/// JavaScript numbers, both doubles, hold it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Millis(pub u64);

impl Millis {
    /// Zero milliseconds.
    pub const ZERO: Millis = Millis(0);
    /// The largest time or duration the core accepts: 2^53 − 1.
    pub const MAX: Millis = Millis((1 << 53) - 1);

    /// `secs` seconds.
    pub const fn from_secs(secs: u64) -> Millis {
        Millis(secs.saturating_mul(1000))
    }

    /// The raw number of milliseconds.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// `self + rhs`, or `None` past [`Millis::MAX`].
    pub const fn checked_add(self, rhs: Millis) -> Option<Millis> {
        match self.0.checked_add(rhs.0) {
            Some(sum) if sum <= Millis::MAX.0 => Some(Millis(sum)),
            _ => None,
        }
    }

    /// `self − rhs`, or zero when `rhs` is later.
    pub const fn saturating_sub(self, rhs: Millis) -> Millis {
        Millis(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

impl From<u64> for Millis {
    fn from(ms: u64) -> Millis {
        Millis(ms)
    }
}
