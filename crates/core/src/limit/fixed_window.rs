//! Fixed window: at most `quota` per window, the window opening at the key's first check.

use serde::{Deserialize, Serialize};

use crate::bounds::{check_duration, check_range, MAX_COUNT};
use crate::error::{Error, Field};
use crate::time::Millis;

use super::rule::{later, Rule};
use super::Decision;

/// At most `quota` units of cost per window of `window` ms (the `INCR` + `EXPIRE` pattern).
///
/// - **Anchoring.** A window opens at the first check of a key that has no live window, and
///   ends `window` ms later, at `ends_at`. Since a cost above `quota` is an error, the first
///   check of a window is always admitted: the window opens at the first *admitted* check. At
///   `now == ends_at` the window is over and the next check opens a new one.
/// - **Admission.** Admitted when `count + cost ≤ quota`; then `count += cost`.
/// - **Decision.** `limit = quota`, `remaining = quota − count` (after the admission; 0 when an
///   earlier, larger quota let the count pass the current one), `reset_after = ends_at − now`,
///   and, when denied, `retry_after = ends_at − now` (never less than 1).
/// - **Changed parameters.** A new `quota` applies at once to the current count; a new `window`
///   applies from the next window (the current one keeps its `ends_at`, as a Redis TTL would).
///
/// Unlike the seed script (`INCR` first, then compare), a denied check does not count, so a
/// client that keeps retrying is not pushed further out.
///
/// Bounds: `quota` in `1..=2^32 − 1`, `window` in `1..=366 days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedWindow {
    /// Units of cost admitted per window.
    pub quota: u64,
    /// The window's length.
    pub window: Millis,
}

/// The current window of a key.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Window {
    count: u64,
    ends_at: Millis,
}

impl FixedWindow {
    fn step(&self, live: Option<&Window>, cost: u64, now: Millis) -> (Decision, Window) {
        let current = live.copied().unwrap_or(Window { count: 0, ends_at: later(now, self.window) });
        let reset_after = current.ends_at.saturating_sub(now);
        let count = current.count.saturating_add(cost);
        if count > self.quota {
            let remaining = self.quota.saturating_sub(current.count);
            return (Decision::deny(self.quota, remaining, reset_after, reset_after), current);
        }
        let decision = Decision::allow(self.quota, self.quota - count, reset_after);
        (decision, Window { count, ends_at: current.ends_at })
    }
}

impl Rule for FixedWindow {
    type State = Window;

    fn validate(&self) -> Result<(), Error> {
        check_range(Field::Quota, self.quota, 1, MAX_COUNT)?;
        check_duration(Field::Window, self.window)
    }

    fn limit(&self) -> u64 {
        self.quota
    }

    fn span(&self) -> Millis {
        self.window
    }

    fn expires_at(state: &Window) -> Millis {
        state.ends_at
    }

    fn decide(&self, live: Option<&Window>, cost: u64, now: Millis) -> Decision {
        self.step(live, cost, now).0
    }

    fn admit(&self, state: &mut Window, live: bool, cost: u64, now: Millis) {
        let current = live.then_some(*state);
        *state = self.step(current.as_ref(), cost, now).1;
    }

    fn idle_after(&self, live: Option<&Window>, now: Millis) -> Millis {
        live.map_or(Millis::ZERO, |window| window.ends_at.saturating_sub(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN_PER_SECOND: FixedWindow = FixedWindow { quota: 10, window: Millis(1_000) };

    fn run(rule: &FixedWindow, state: &mut Option<Window>, cost: u64, now: Millis) -> Decision {
        let live = state.filter(|window| window.ends_at > now);
        let decision = rule.decide(live.as_ref(), cost, now);
        if decision.allowed {
            let mut next = state.unwrap_or_default();
            rule.admit(&mut next, live.is_some(), cost, now);
            *state = Some(next);
        }
        decision
    }

    #[test]
    fn quota_is_shared_by_weighted_costs_until_the_window_ends() {
        let mut state = None;
        assert_eq!(run(&TEN_PER_SECOND, &mut state, 7, Millis(5_000)), Decision::allow(10, 3, Millis(1_000)));
        assert_eq!(run(&TEN_PER_SECOND, &mut state, 3, Millis(5_400)), Decision::allow(10, 0, Millis(600)));
        let denied = Decision::deny(10, 0, Millis(1), Millis(1));
        assert_eq!(run(&TEN_PER_SECOND, &mut state, 1, Millis(5_999)), denied);
        assert_eq!(run(&TEN_PER_SECOND, &mut state, 1, Millis(6_000)), Decision::allow(10, 9, Millis(1_000)));
    }

    #[test]
    fn a_denied_check_does_not_count() {
        let mut state = None;
        run(&TEN_PER_SECOND, &mut state, 8, Millis(0));
        assert!(!run(&TEN_PER_SECOND, &mut state, 3, Millis(10)).allowed);
        assert_eq!(run(&TEN_PER_SECOND, &mut state, 2, Millis(20)), Decision::allow(10, 0, Millis(980)));
    }

    #[test]
    fn a_lowered_quota_applies_to_the_current_count() {
        let mut state = None;
        run(&TEN_PER_SECOND, &mut state, 8, Millis(0));
        let five = FixedWindow { quota: 5, ..TEN_PER_SECOND };
        assert_eq!(run(&five, &mut state, 1, Millis(10)), Decision::deny(5, 0, Millis(990), Millis(990)));
    }
}
