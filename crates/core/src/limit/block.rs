//! The block policy: after repeated denials, refuse a key outright for a while.
//!
//! This is the `violations:{ip}` then `blocked_ip:{ip}` pattern (an INCR + EXPIRE counter of
//! rate-limit violations, then a hard block) done inside the limiter's own transition, so that the
//! count, the threshold and the block are decided in one step.

use serde::{Deserialize, Serialize};

use crate::bounds::{check_duration, check_range, MAX_COUNT};
use crate::error::{Error, Field};
use crate::time::Millis;

use super::rule::later;

/// Blocks a key after `violations` denials within `within` ms, for `block_for` ms.
///
/// - **Counting.** A *violation* is a check denied by the algorithm (a peek is never one). The
///   first violation opens a counting window `[t, t + within)`; each later violation inside it
///   adds one; at `t + within` the count is forgotten and the next violation opens a new window.
///   This is the fixed-window INCR + EXPIRE counter of the seed pattern.
/// - **Blocking.** The violation that brings the count to `violations` blocks the key until
///   `now + block_for` and clears the count. That check is denied with `remaining = 0`,
///   `retry_after = max(block_for, the algorithm's retry_after)` and
///   `reset_after = max(block_for, the algorithm's reset_after)`.
/// - **While blocked** (`now < blocked_until`), every check and peek of the key under this
///   algorithm is denied with `remaining = 0`,
///   `retry_after = max(blocked_until − now, the algorithm's own retry_after for this cost)`
///   and `reset_after = max(blocked_until − now, the algorithm's own reset_after)`. So a client
///   that waits `retry_after` is admitted, unless others used the key meanwhile. A blocked
///   check consumes nothing and is **not** a violation: hammering a blocked key neither
///   extends the block nor arms the next one, so a block always ends exactly `block_for` after
///   it began. At `now == blocked_until` the key is free again, with no violations counted;
///   the algorithm alone then decides. After `reset_after` neither stands in the way.
/// - **State.** The count and the block live beside the algorithm's state for the key (same
///   algorithm, same key). A block is honoured by every later check of the key, with or without
///   a policy; a check without a policy counts no violations. The threshold is the `violations`
///   of the current call; the counting window keeps the `within` it was opened with.
///
/// Bounds: `violations` in `1..=2^32 − 1`; `within` and `block_for` in `1..=366 days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockPolicy {
    /// How many denials trigger the block.
    pub violations: u64,
    /// How long denials are counted from the first one.
    pub within: Millis,
    /// How long the block lasts.
    pub block_for: Millis,
}

impl BlockPolicy {
    /// Checks `violations`, `within` and `block_for`, in that order.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        check_range(Field::Violations, self.violations, 1, MAX_COUNT)?;
        check_duration(Field::Within, self.within)?;
        check_duration(Field::BlockFor, self.block_for)
    }
}

/// A key's violation count and block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Strikes {
    /// Violations counted in the window ending at `counted_until`.
    count: u64,
    /// The end of the counting window; the count is 0 from then on.
    counted_until: Millis,
    /// The end of the block; not blocked from then on.
    blocked_until: Millis,
}

impl Strikes {
    /// The time left in a live block.
    pub(crate) fn blocked_for(&self, now: Millis) -> Option<Millis> {
        (self.blocked_until > now).then(|| self.blocked_until.saturating_sub(now))
    }

    /// The record after one more violation at `now` (not blocked at `now`).
    pub(crate) fn strike(self, policy: &BlockPolicy, now: Millis) -> Strikes {
        let (count, counted_until) = if self.counted_until > now {
            (self.count.saturating_add(1), self.counted_until)
        } else {
            (1, later(now, policy.within))
        };
        if count >= policy.violations {
            return Strikes {
                count: 0,
                counted_until: Millis::ZERO,
                blocked_until: later(now, policy.block_for),
            };
        }
        Strikes { count, counted_until, blocked_until: self.blocked_until }
    }

    /// When the record becomes equivalent to no record.
    pub(crate) fn expires_at(&self) -> Millis {
        self.counted_until.max(self.blocked_until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: BlockPolicy =
        BlockPolicy { violations: 3, within: Millis(1_000), block_for: Millis(5_000) };

    #[test]
    fn the_third_violation_within_the_window_blocks_for_block_for() {
        let strikes = Strikes::default().strike(&POLICY, Millis(100)).strike(&POLICY, Millis(500));
        assert_eq!(strikes.blocked_for(Millis(500)), None);
        let blocked = strikes.strike(&POLICY, Millis(1_099));
        assert_eq!(blocked.blocked_for(Millis(1_099)), Some(Millis(5_000)));
        assert_eq!(blocked.blocked_for(Millis(6_099)), None);
    }

    #[test]
    fn violations_older_than_within_are_forgotten() {
        let strikes = Strikes::default().strike(&POLICY, Millis(100)).strike(&POLICY, Millis(500));
        let fresh = strikes.strike(&POLICY, Millis(1_100));
        assert_eq!(fresh, Strikes { count: 1, counted_until: Millis(2_100), blocked_until: Millis::ZERO });
    }

    #[test]
    fn one_violation_policy_blocks_on_the_first_denial() {
        let policy = BlockPolicy { violations: 1, ..POLICY };
        assert_eq!(Strikes::default().strike(&policy, Millis(7)).blocked_for(Millis(7)), Some(Millis(5_000)));
    }

    #[test]
    fn validation_names_the_first_bad_field() {
        let bad = BlockPolicy { violations: 0, within: Millis(0), block_for: Millis(0) };
        assert!(matches!(bad.validate(), Err(Error::OutOfRange { field: Field::Violations, .. })));
        let bad = BlockPolicy { within: Millis(0), ..POLICY };
        assert!(matches!(bad.validate(), Err(Error::OutOfRange { field: Field::Within, .. })));
        let bad = BlockPolicy { block_for: Millis(0), ..POLICY };
        assert!(matches!(bad.validate(), Err(Error::OutOfRange { field: Field::BlockFor, .. })));
    }
}
