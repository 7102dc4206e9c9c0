//! Token bucket: `capacity` tokens, `refill` more every `interval` ms, whole intervals only.

use serde::{Deserialize, Serialize};

use crate::bounds::{check_range, MAX_COUNT};
use crate::error::{Error, Field};
use crate::time::Millis;

use super::rule::{ceil_div, check_span, later, Rule};
use super::Decision;

/// A bucket of `capacity` tokens that gains `refill` tokens at the end of every whole
/// `interval` ms; a check takes `cost` tokens (the per-API-key bucket with burst).
///
/// - **Refill clock.** A key starts full. The refill clock starts when a check takes tokens
///   from a full bucket, at that check's `now`, and stops whenever the bucket is full again.
///   At `now`, `n = ⌊(now − last) / interval⌋` whole intervals have passed since the clock's
///   last tick `last`: the bucket gains `n × refill` tokens (never beyond `capacity`) and `last`
///   advances by exactly `n × interval`, so the part of an interval already waited is kept, not
///   lost. A bucket that reaches `capacity` has its clock stopped (`last = now`).
/// - **Admission.** Admitted when `tokens ≥ cost`; then `tokens −= cost`.
/// - **Decision.** `limit = capacity`; `remaining = tokens` after the admission (whole tokens);
///   `reset_after` is when the bucket is full again, `last + ⌈(capacity − tokens) / refill⌉ ×
///   interval − now` (0 when full); when denied, `retry_after = last + ⌈(cost − tokens) /
///   refill⌉ × interval − now`, the exact tick at which enough tokens are back.
/// - **Changed parameters.** The call's `capacity`, `refill` and `interval` apply to the stored
///   `tokens` and `last` (a lowered capacity caps the tokens); a key is forgotten when it is full
///   again under the parameters of its last admission.
///
/// Bounds: `capacity` in `1..=2^32 − 1`; `refill` in `1..=capacity`; `interval` at least 1 and
/// such that refilling an empty bucket, `⌈capacity / refill⌉ × interval`, takes at most 366 days
/// (the `max` of an `interval` error says how long it may be for that capacity and refill).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBucket {
    /// Tokens in a full bucket: the largest burst.
    pub capacity: u64,
    /// Tokens gained per whole interval.
    pub refill: u64,
    /// Time between refills.
    pub interval: Millis,
}

/// A key's tokens and the last tick of its refill clock.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Bucket {
    tokens: u64,
    last: Millis,
    full_at: Millis,
}

impl TokenBucket {
    /// Tokens and last tick at `now`, refilled by the whole intervals passed since `last`.
    fn view(&self, live: Option<&Bucket>, now: Millis) -> (u64, Millis) {
        let Some(bucket) = live else { return (self.capacity, now) };
        let intervals = now.saturating_sub(bucket.last).0.checked_div(self.interval.0).unwrap_or(0);
        // Compared before multiplying, so that `intervals × refill` stays small.
        if intervals >= ceil_div(self.capacity.saturating_sub(bucket.tokens), self.refill) {
            return (self.capacity, now);
        }
        let tokens = bucket.tokens.saturating_add(intervals.saturating_mul(self.refill));
        (tokens, later(bucket.last, Millis(intervals.saturating_mul(self.interval.0))))
    }

    /// The tick at which `tokens` have grown to at least `goal`.
    fn tick_with(&self, tokens: u64, goal: u64, last: Millis) -> Millis {
        let intervals = ceil_div(goal.saturating_sub(tokens), self.refill);
        later(last, Millis(intervals.saturating_mul(self.interval.0)))
    }

    fn step(&self, live: Option<&Bucket>, cost: u64, now: Millis) -> (Decision, Bucket) {
        let (tokens, last) = self.view(live, now);
        if tokens < cost {
            let full_at = self.tick_with(tokens, self.capacity, last);
            let retry_after = self.tick_with(tokens, cost, last).saturating_sub(now);
            let decision = Decision::deny(self.capacity, tokens, full_at.saturating_sub(now), retry_after);
            return (decision, Bucket { tokens, last, full_at });
        }
        let tokens = tokens - cost;
        let full_at = self.tick_with(tokens, self.capacity, last);
        (
            Decision::allow(self.capacity, tokens, full_at.saturating_sub(now)),
            Bucket { tokens, last, full_at },
        )
    }
}

impl Rule for TokenBucket {
    type State = Bucket;

    fn validate(&self) -> Result<(), Error> {
        check_range(Field::Capacity, self.capacity, 1, MAX_COUNT)?;
        check_range(Field::Refill, self.refill, 1, self.capacity)?;
        let fill = ceil_div(self.capacity, self.refill).max(1);
        check_span(Field::Interval, self.interval, fill)
    }

    fn limit(&self) -> u64 {
        self.capacity
    }

    fn span(&self) -> Millis {
        Millis(ceil_div(self.capacity, self.refill).saturating_mul(self.interval.0))
    }

    fn expires_at(bucket: &Bucket) -> Millis {
        bucket.full_at
    }

    fn decide(&self, live: Option<&Bucket>, cost: u64, now: Millis) -> Decision {
        self.step(live, cost, now).0
    }

    fn admit(&self, state: &mut Bucket, live: bool, cost: u64, now: Millis) {
        let current = live.then_some(*state);
        *state = self.step(current.as_ref(), cost, now).1;
    }

    fn idle_after(&self, live: Option<&Bucket>, now: Millis) -> Millis {
        let (tokens, last) = self.view(live, now);
        self.tick_with(tokens, self.capacity, last).saturating_sub(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five tokens, two more every second.
    const BUCKET: TokenBucket = TokenBucket { capacity: 5, refill: 2, interval: Millis(1_000) };

    fn run(rule: &TokenBucket, state: &mut Bucket, cost: u64, now: Millis) -> Decision {
        let live = state.full_at > now;
        let decision = rule.decide(live.then_some(&*state), cost, now);
        if decision.allowed {
            rule.admit(state, live, cost, now);
        }
        decision
    }

    #[test]
    fn a_burst_empties_the_bucket_and_whole_intervals_refill_it() {
        let mut state = Bucket::default();
        assert_eq!(run(&BUCKET, &mut state, 5, Millis(10_000)), Decision::allow(5, 0, Millis(3_000)));
        assert_eq!(
            run(&BUCKET, &mut state, 1, Millis(10_999)),
            Decision::deny(5, 0, Millis(2_001), Millis(1))
        );
        assert_eq!(run(&BUCKET, &mut state, 1, Millis(11_000)), Decision::allow(5, 1, Millis(2_000)));
    }

    #[test]
    fn the_part_of_an_interval_already_waited_is_not_lost() {
        let mut state = Bucket::default();
        run(&BUCKET, &mut state, 5, Millis(0));
        // At 1500 one interval has passed: 2 tokens, and the clock's last tick is 1000, not 1500.
        assert_eq!(run(&BUCKET, &mut state, 2, Millis(1_500)), Decision::allow(5, 0, Millis(2_500)));
        assert_eq!(run(&BUCKET, &mut state, 2, Millis(2_000)), Decision::allow(5, 0, Millis(3_000)));
    }

    #[test]
    fn a_full_bucket_stops_its_clock() {
        let mut state = Bucket::default();
        run(&BUCKET, &mut state, 1, Millis(0));
        // Full again at 1000; a check at 1700 restarts the clock at 1700.
        assert_eq!(run(&BUCKET, &mut state, 1, Millis(1_700)), Decision::allow(5, 4, Millis(1_000)));
    }

    #[test]
    fn the_interval_bound_depends_on_capacity_and_refill() {
        use crate::bounds::MAX_DURATION;
        let rule = TokenBucket { capacity: 10, refill: 3, interval: MAX_DURATION };
        let max = MAX_DURATION.0 / 4;
        let error = Error::OutOfRange { field: Field::Interval, value: MAX_DURATION.0, min: 1, max };
        assert_eq!(rule.validate(), Err(error));
    }
}
