//! Fencing tokens: strictly increasing per key, never reissued, even once a key's state is gone.
//!
//! A fence is `max(last + 1, floor(now))` where `floor(now) = now × 1000` (capped so it stays
//! below 2^53). Because the floor follows the clock, a key's record only has to be kept while its
//! last fence is at or above the floor of the current time; after that, forgetting the key cannot
//! lead to reissuing a fence, and the key's memory is returned. The same rule lets the Redis
//! adapter survive a restart that lost its data: the server clock alone keeps fences moving up.
//! Up to 1000 fences per key and millisecond keep pace with the clock; more run ahead of it and
//! the record is simply kept longer.

use crate::error::Error;
use crate::time::Millis;

/// Fences issued per millisecond before the sequence runs ahead of the clock.
pub const FENCES_PER_MS: u64 = 1000;

/// The last millisecond whose floor is below 2^53; later times share its floor.
const FLOOR_LIMIT_MS: u64 = Millis::MAX.0 / FENCES_PER_MS;

/// The smallest fence that may be issued at `now`.
pub const fn floor(now: Millis) -> u64 {
    let ms = if now.0 < FLOOR_LIMIT_MS { now.0 } else { FLOOR_LIMIT_MS };
    ms * FENCES_PER_MS
}

/// The fence to issue after `last` (0 when none was issued yet) at `now`.
pub fn next(last: u64, now: Millis) -> Result<u64, Error> {
    let after = last + 1;
    let fence = if after > floor(now) { after } else { floor(now) };
    if fence > Millis::MAX.0 {
        return Err(Error::FenceExhausted);
    }
    Ok(fence)
}

/// Whether a key whose last fence is `last` must still be remembered at `now`.
pub const fn must_remember(last: u64, now: Millis) -> bool {
    last >= floor(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fence_is_the_floor_of_now() {
        assert_eq!(next(0, Millis(1000)), Ok(1_000_000));
    }

    #[test]
    fn fences_within_one_millisecond_count_up() {
        assert_eq!(next(1_000_000, Millis(1000)), Ok(1_000_001));
    }

    #[test]
    fn a_forgotten_key_cannot_reissue_a_fence() {
        let last = next(0, Millis(1000)).unwrap();
        assert!(must_remember(last, Millis(1000)));
        assert!(!must_remember(last, Millis(1001)));
        assert!(next(0, Millis(1001)).unwrap() > last);
    }

    #[test]
    fn fences_stay_below_two_to_the_fifty_three() {
        assert_eq!(next(Millis::MAX.0, Millis::MAX), Err(Error::FenceExhausted));
        assert!(floor(Millis::MAX) <= Millis::MAX.0);
    }
}
