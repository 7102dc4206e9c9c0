//! Sliding counter: two adjacent fixed windows, the previous one weighted by how much of it the
//! sliding window still covers.

use serde::{Deserialize, Serialize};

use crate::bounds::{check_duration, check_range};
use crate::error::{Error, Field};
use crate::time::Millis;

use super::rule::{ceil_div, later, Rule};
use super::Decision;

/// The largest `quota` of a sliding counter: `quota × window` then stays below 2^53 for every
/// window up to 366 days, so the weighting is exact in doubles too.
pub const MAX_COUNTER_QUOTA: u64 = 250_000;

/// About `quota` units of cost per sliding `window` ms, in constant memory.
///
/// - **Windows.** Windows of `window` ms follow each other from the key's first check (as for
///   [`super::FixedWindow`]): `[start, start + window)`, then `[start + window, …)`, and so on.
///   The key keeps the count of the current window (`current`) and of the one before
///   (`previous`, 0 when that window had no admission). A key whose current window ended a whole
///   window ago or more starts over, its first window opening at `now`.
/// - **Estimate.** With `elapsed = now − start` (`0 ≤ elapsed < window`), the sliding window
///   holds `previous × (window − elapsed) / window + current`. A check is admitted when that
///   plus `cost` is at most `quota`, decided exactly in integers:
///   `current + cost ≤ quota` and `previous × (window − elapsed) ≤ (quota − current − cost) ×
///   window`. Then `current += cost`.
/// - **Decision.** `limit = quota`; `remaining = quota − current − ⌈previous × (window −
///   elapsed) / window⌉` after the admission, at least 0 (rounding down the true remainder, and
///   exactly the largest cost that would still be admitted at `now`); `reset_after` is when the
///   estimate reaches 0: `start + 2 × window − now` when `current > 0`, else `start + window −
///   now` when `previous > 0`, else 0; when denied, `retry_after` is the exact first instant at
///   which the same check would be admitted, minus `now`:
///   - if `current + cost ≤ quota` (the previous window's weight is in the way), at
///     `start + window − ⌊(quota − cost − current) × window / previous⌋`;
///   - otherwise (the current window itself is full), once it is the previous one, at
///     `start + window + max(0, window − ⌊(quota − cost) × window / current⌋)`.
/// - **Changed parameters.** `quota` and `window` are those of the call, applied to the stored
///   `start` and counts; a key is forgotten `2 × window` (of its last admission) after the start
///   of its current window.
///
/// Bounds: `quota` in `1..=250_000`, `window` in `1..=366 days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlidingCounter {
    /// Units of cost admitted per sliding window.
    pub quota: u64,
    /// The window's length.
    pub window: Millis,
}

/// The counts of a key's current and previous windows.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counter {
    start: Millis,
    previous: u64,
    current: u64,
    expires_at: Millis,
}

impl SlidingCounter {
    /// The counter as seen from `now`: rolled forward into the window that contains `now`.
    fn view(&self, live: Option<&Counter>, now: Millis) -> Counter {
        let fresh = Counter { start: now, previous: 0, current: 0, expires_at: Millis::ZERO };
        let Some(counter) = live else { return fresh };
        let elapsed = now.saturating_sub(counter.start).0;
        if elapsed < self.window.0 {
            *counter
        } else if elapsed < self.window.0.saturating_mul(2) {
            let start = later(counter.start, self.window);
            Counter { start, previous: counter.current, current: 0, ..*counter }
        } else {
            fresh
        }
    }

    /// `previous × (window − elapsed)`: the previous window's weight, scaled by `window`.
    fn carried(&self, counter: &Counter, now: Millis) -> u64 {
        let elapsed = now.saturating_sub(counter.start).0;
        counter.previous.saturating_mul(self.window.0.saturating_sub(elapsed))
    }

    fn remaining(&self, current: u64, carried: u64) -> u64 {
        self.quota.saturating_sub(current).saturating_sub(ceil_div(carried, self.window.0))
    }

    fn idle_at(&self, counter: &Counter, now: Millis) -> Millis {
        if counter.current > 0 {
            later(counter.start, Millis(self.window.0.saturating_mul(2)))
        } else if counter.previous > 0 {
            later(counter.start, self.window)
        } else {
            now
        }
    }

    /// The first instant at which `cost` is admitted (the check at `now` being denied).
    fn fits_at(&self, counter: &Counter, cost: u64) -> Millis {
        let window = self.window.0;
        let room = self.quota.saturating_sub(cost);
        if counter.current.saturating_add(cost) <= self.quota {
            let scaled = room.saturating_sub(counter.current).saturating_mul(window);
            let keep = scaled.checked_div(counter.previous).unwrap_or(window);
            return later(counter.start, Millis(window.saturating_sub(keep)));
        }
        let keep = room.saturating_mul(window).checked_div(counter.current).unwrap_or(window);
        later(counter.start, Millis(window.saturating_add(window.saturating_sub(keep))))
    }
}

impl Rule for SlidingCounter {
    type State = Counter;

    fn validate(&self) -> Result<(), Error> {
        check_range(Field::Quota, self.quota, 1, MAX_COUNTER_QUOTA)?;
        check_duration(Field::Window, self.window)
    }

    fn limit(&self) -> u64 {
        self.quota
    }

    fn span(&self) -> Millis {
        Millis(self.window.0.saturating_mul(2))
    }

    fn expires_at(counter: &Counter) -> Millis {
        counter.expires_at
    }

    fn decide(&self, live: Option<&Counter>, cost: u64, now: Millis) -> Decision {
        let counter = self.view(live, now);
        let carried = self.carried(&counter, now);
        let current = counter.current.saturating_add(cost);
        let room = self.quota.saturating_sub(current).saturating_mul(self.window.0);
        if current <= self.quota && carried <= room {
            let reset_after = later(counter.start, self.span()).saturating_sub(now);
            return Decision::allow(self.quota, self.remaining(current, carried), reset_after);
        }
        let remaining = self.remaining(counter.current, carried);
        let reset_after = self.idle_at(&counter, now).saturating_sub(now);
        let retry_after = self.fits_at(&counter, cost).saturating_sub(now);
        Decision::deny(self.quota, remaining, reset_after, retry_after)
    }

    fn admit(&self, state: &mut Counter, live: bool, cost: u64, now: Millis) {
        let current = live.then_some(*state);
        let mut counter = self.view(current.as_ref(), now);
        counter.current = counter.current.saturating_add(cost);
        counter.expires_at = later(counter.start, self.span());
        *state = counter;
    }

    fn idle_after(&self, live: Option<&Counter>, now: Millis) -> Millis {
        live.map_or(Millis::ZERO, |counter| {
            self.idle_at(&self.view(Some(counter), now), now).saturating_sub(now)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN_PER_SECOND: SlidingCounter = SlidingCounter { quota: 10, window: Millis(1_000) };

    fn run(rule: &SlidingCounter, state: &mut Counter, cost: u64, now: Millis) -> Decision {
        let live = state.expires_at > now;
        let decision = rule.decide(live.then_some(&*state), cost, now);
        if decision.allowed {
            rule.admit(state, live, cost, now);
        }
        decision
    }

    #[test]
    fn the_previous_window_counts_in_proportion_to_its_overlap() {
        let mut state = Counter::default();
        run(&TEN_PER_SECOND, &mut state, 10, Millis(0));
        // At 1250 the sliding window still covers 75% of the first window: 7.5 of 10 used.
        assert_eq!(run(&TEN_PER_SECOND, &mut state, 2, Millis(1_250)), Decision::allow(10, 0, Millis(1_750)));
        let denied = run(&TEN_PER_SECOND, &mut state, 1, Millis(1_250));
        // 7.5 + 2 + 1 > 10; room for 1 comes when 10 × (1000 − e) ≤ 7 × 1000, e ≥ 300.
        assert_eq!(denied, Decision::deny(10, 0, Millis(1_750), Millis(50)));
        assert!(run(&TEN_PER_SECOND, &mut state, 1, Millis(1_300)).allowed);
    }

    #[test]
    fn a_full_current_window_waits_for_the_next_one() {
        let mut state = Counter::default();
        run(&TEN_PER_SECOND, &mut state, 10, Millis(0));
        // In the next window, 10 × (1000 − e) ≤ 6 × 1000 once e ≥ 400.
        let denied = run(&TEN_PER_SECOND, &mut state, 4, Millis(500));
        assert_eq!(denied, Decision::deny(10, 0, Millis(1_500), Millis(900)));
        assert!(!run(&TEN_PER_SECOND, &mut state, 4, Millis(1_399)).allowed);
        assert!(run(&TEN_PER_SECOND, &mut state, 4, Millis(1_400)).allowed);
    }

    #[test]
    fn a_counter_idle_for_two_windows_starts_over_at_now() {
        let mut state = Counter::default();
        run(&TEN_PER_SECOND, &mut state, 10, Millis(0));
        assert_eq!(run(&TEN_PER_SECOND, &mut state, 1, Millis(2_000)), Decision::allow(10, 9, Millis(2_000)));
    }
}
