//! GCRA, the generic cell rate algorithm: one request per `interval` ms sustained, `burst` at
//! once, with a single timestamp per key.

use serde::{Deserialize, Serialize};

use crate::bounds::{check_range, MAX_COUNT};
use crate::error::{Error, Field};
use crate::time::Millis;

use super::rule::{check_span, later, Rule};
use super::Decision;

/// A sustained rate of one unit of cost per `interval` ms, with up to `burst` units at once.
///
/// - **State.** Each key keeps its theoretical arrival time `tat`: the instant at which all it
///   was admitted would have drained at the sustained rate. A key with no `tat`, or with
///   `tat ≤ now`, is idle.
/// - **Admission.** With `base = max(tat, now)` and `next = base + cost × interval`, admitted
///   when `next − now ≤ burst × interval`; then `tat = next`. From idle, `burst` units fit at
///   once; after that, one unit every `interval` ms.
/// - **Decision.** `limit = burst`; `remaining = ⌊(burst × interval − (tat − now)) / interval⌋`
///   after the admission, the largest cost that would still be admitted at `now`;
///   `reset_after = tat − now` (0 when idle); when denied, `retry_after = next − burst ×
///   interval − now`, the exact first instant at which the same check would be admitted.
/// - **Changed parameters.** `tat` is an instant, so a new `interval` or `burst` applies at
///   once.
///
/// Unlike redis-cell's `max_burst` (one more than the requests allowed at once), `burst` here is
/// the number of units admitted at once from idle.
///
/// Bounds: `burst` in `1..=2^32 − 1`; `interval` at least 1 and such that `burst × interval`
/// is at most 366 days (the `max` of an `interval` error says how long it may be for that
/// burst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gcra {
    /// Units of cost admitted at once from idle.
    pub burst: u64,
    /// The sustained time per unit of cost.
    pub interval: Millis,
}

/// A key's theoretical arrival time.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Arrival {
    tat: Millis,
}

impl Gcra {
    fn tolerance(&self) -> u64 {
        self.burst.saturating_mul(self.interval.0)
    }

    fn remaining(&self, busy: Millis) -> u64 {
        self.tolerance().saturating_sub(busy.0).checked_div(self.interval.0).unwrap_or(0)
    }

    fn step(&self, live: Option<&Arrival>, cost: u64, now: Millis) -> (Decision, Arrival) {
        let base = live.map_or(now, |arrival| arrival.tat.max(now));
        let next = later(base, Millis(cost.saturating_mul(self.interval.0)));
        let busy = next.saturating_sub(now);
        if busy.0 > self.tolerance() {
            let retry_after = Millis(busy.0 - self.tolerance());
            let busy = base.saturating_sub(now);
            let decision = Decision::deny(self.burst, self.remaining(busy), busy, retry_after);
            return (decision, Arrival { tat: base });
        }
        (Decision::allow(self.burst, self.remaining(busy), busy), Arrival { tat: next })
    }
}

impl Rule for Gcra {
    type State = Arrival;

    fn validate(&self) -> Result<(), Error> {
        check_range(Field::Burst, self.burst, 1, MAX_COUNT)?;
        check_span(Field::Interval, self.interval, self.burst)
    }

    fn limit(&self) -> u64 {
        self.burst
    }

    fn span(&self) -> Millis {
        Millis(self.tolerance())
    }

    fn expires_at(arrival: &Arrival) -> Millis {
        arrival.tat
    }

    fn decide(&self, live: Option<&Arrival>, cost: u64, now: Millis) -> Decision {
        self.step(live, cost, now).0
    }

    fn admit(&self, state: &mut Arrival, live: bool, cost: u64, now: Millis) {
        let current = live.then_some(*state);
        *state = self.step(current.as_ref(), cost, now).1;
    }

    fn idle_after(&self, live: Option<&Arrival>, now: Millis) -> Millis {
        live.map_or(Millis::ZERO, |arrival| arrival.tat.saturating_sub(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One per 100 ms, three at once.
    const RATE: Gcra = Gcra { burst: 3, interval: Millis(100) };

    fn run(rule: &Gcra, state: &mut Arrival, cost: u64, now: Millis) -> Decision {
        let live = state.tat > now;
        let decision = rule.decide(live.then_some(&*state), cost, now);
        if decision.allowed {
            rule.admit(state, live, cost, now);
        }
        decision
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        let mut state = Arrival::default();
        assert_eq!(run(&RATE, &mut state, 1, Millis(1_000)), Decision::allow(3, 2, Millis(100)));
        assert_eq!(run(&RATE, &mut state, 1, Millis(1_000)), Decision::allow(3, 1, Millis(200)));
        assert_eq!(run(&RATE, &mut state, 1, Millis(1_000)), Decision::allow(3, 0, Millis(300)));
        assert_eq!(run(&RATE, &mut state, 1, Millis(1_000)), Decision::deny(3, 0, Millis(300), Millis(100)));
        assert_eq!(run(&RATE, &mut state, 1, Millis(1_099)), Decision::deny(3, 0, Millis(201), Millis(1)));
        assert_eq!(run(&RATE, &mut state, 1, Millis(1_100)), Decision::allow(3, 0, Millis(300)));
    }

    #[test]
    fn a_weighted_cost_waits_for_its_whole_share() {
        let mut state = Arrival::default();
        run(&RATE, &mut state, 3, Millis(0));
        assert_eq!(run(&RATE, &mut state, 2, Millis(50)), Decision::deny(3, 0, Millis(250), Millis(150)));
        assert!(run(&RATE, &mut state, 2, Millis(200)).allowed);
    }

    #[test]
    fn the_interval_bound_depends_on_the_burst() {
        use crate::bounds::MAX_DURATION;
        let rule = Gcra { burst: 1_000, interval: Millis(MAX_DURATION.0 / 1_000 + 1) };
        assert!(matches!(rule.validate(), Err(Error::OutOfRange { field: Field::Interval, .. })));
    }
}
