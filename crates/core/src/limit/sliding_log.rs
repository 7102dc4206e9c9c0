//! Sliding log: exact, never more than `quota` in any `window` ms (the sorted-set pattern).

use alloc::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::bounds::{check_duration, check_range};
use crate::error::{Error, Field};
use crate::time::Millis;

use super::rule::{later, Rule};
use super::Decision;

/// The largest `quota` of a sliding log, which bounds one key's log to this many marks.
pub const MAX_LOG_QUOTA: u64 = 10_000;

/// Never more than `quota` units of cost admitted within any `window` ms (`ZADD` /
/// `ZREMRANGEBYSCORE` / `ZCARD` on a sorted set, weighted).
///
/// - **Log.** Each admitted check leaves a mark `(at, cost)`. A mark counts while
///   `at + window > now`, so a check at `t` stops counting at exactly `t + window`.
/// - **Admission.** Admitted when `used + cost ≤ quota`, `used` being the cost of the marks that
///   count at `now`. Then the marks that no longer count are dropped and the check is marked at
///   `now` (merged into the newest mark when it has the same time). Any interval of `window` ms
///   therefore holds at most `quota` admitted cost.
/// - **Decision.** `limit = quota`; `remaining = quota − used` after the admission (0 when it
///   would be negative); `reset_after = newest.at + window − now`, when the last counting mark
///   stops counting (0 with no mark); when denied, `retry_after = mark.at + window − now` for the
///   oldest mark whose expiry frees enough room for `cost`: the exact first instant at which the
///   same check would be admitted.
/// - **Changed parameters.** `quota` and `window` are those of the current call: marks count
///   while `at + window > now` for the call's `window`. The whole log is forgotten once the
///   `window` of its last admission has passed since its newest mark.
/// - **Clock.** A `now` earlier than the newest mark (a clock that stepped back) is marked at
///   the newest mark's time, so the log stays ordered and never admits more than its quota.
///
/// Bounds: `quota` in `1..=10_000` (so one key holds at most 10 000 marks of 16 bytes),
/// `window` in `1..=366 days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlidingLog {
    /// Units of cost admitted within any `window`.
    pub quota: u64,
    /// The sliding window's length.
    pub window: Millis,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    at: Millis,
    cost: u64,
}

/// A key's marks, oldest first, with strictly increasing times.
#[derive(Debug, Clone, Default)]
pub(crate) struct Log {
    marks: VecDeque<Mark>,
    /// The cost of all marks held.
    total: u64,
    /// When the newest mark stopped counting, for the window of its admission.
    expires_at: Millis,
}

impl SlidingLog {
    fn counts(&self, mark: &Mark, now: Millis) -> bool {
        later(mark.at, self.window) > now
    }

    /// The cost of the marks that still count at `now`, and the index of the first of them.
    fn used(&self, log: &Log, now: Millis) -> (u64, usize) {
        let stale = log.marks.iter().take_while(|mark| !self.counts(mark, now));
        let (dropped, first) =
            stale.fold((0u64, 0usize), |(sum, n), mark| (sum.saturating_add(mark.cost), n + 1));
        (log.total.saturating_sub(dropped), first)
    }

    /// When the newest counting mark stops counting.
    fn idle_at(&self, log: &Log, now: Millis) -> Millis {
        match log.marks.back() {
            Some(mark) if self.counts(mark, now) => later(mark.at, self.window),
            _ => now,
        }
    }

    /// The first instant at which `cost` fits, given `used` from the mark at `first` on.
    fn fits_at(&self, log: &Log, used: u64, first: usize, cost: u64, now: Millis) -> Millis {
        let mut left = used;
        for mark in log.marks.iter().skip(first) {
            left = left.saturating_sub(mark.cost);
            if left.saturating_add(cost) <= self.quota {
                return later(mark.at, self.window);
            }
        }
        now
    }
}

impl Rule for SlidingLog {
    type State = Log;

    fn validate(&self) -> Result<(), Error> {
        check_range(Field::Quota, self.quota, 1, MAX_LOG_QUOTA)?;
        check_duration(Field::Window, self.window)
    }

    fn limit(&self) -> u64 {
        self.quota
    }

    fn span(&self) -> Millis {
        self.window
    }

    fn expires_at(log: &Log) -> Millis {
        log.expires_at
    }

    fn decide(&self, live: Option<&Log>, cost: u64, now: Millis) -> Decision {
        let (used, first) = live.map_or((0, 0), |log| self.used(log, now));
        if used.saturating_add(cost) <= self.quota {
            let newest = live.and_then(|log| log.marks.back()).map_or(now, |mark| mark.at.max(now));
            let reset_after = later(newest, self.window).saturating_sub(now);
            return Decision::allow(self.quota, self.quota - used - cost, reset_after);
        }
        let Some(log) = live else {
            return Decision::deny(self.quota, self.quota.saturating_sub(used), Millis::ZERO, Millis::ZERO);
        };
        let reset_after = self.idle_at(log, now).saturating_sub(now);
        let retry_after = self.fits_at(log, used, first, cost, now).saturating_sub(now);
        Decision::deny(self.quota, self.quota.saturating_sub(used), reset_after, retry_after)
    }

    fn admit(&self, log: &mut Log, live: bool, cost: u64, now: Millis) {
        if !live {
            log.marks.clear();
            log.total = 0;
        }
        while let Some(mark) = log.marks.front() {
            if self.counts(mark, now) {
                break;
            }
            log.total = log.total.saturating_sub(mark.cost);
            log.marks.pop_front();
        }
        let at = match log.marks.back_mut() {
            Some(newest) if newest.at >= now => {
                newest.cost = newest.cost.saturating_add(cost);
                newest.at
            }
            _ => {
                log.marks.push_back(Mark { at: now, cost });
                now
            }
        };
        log.total = log.total.saturating_add(cost);
        log.expires_at = later(at, self.window);
    }

    fn idle_after(&self, live: Option<&Log>, now: Millis) -> Millis {
        live.map_or(Millis::ZERO, |log| self.idle_at(log, now).saturating_sub(now))
    }

    fn release(log: &mut Log) {
        *log = Log::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const THREE_PER_SECOND: SlidingLog = SlidingLog { quota: 3, window: Millis(1_000) };

    fn run(rule: &SlidingLog, log: &mut Log, cost: u64, now: Millis) -> Decision {
        let live = log.expires_at > now;
        let decision = rule.decide(live.then_some(&*log), cost, now);
        if decision.allowed {
            rule.admit(log, live, cost, now);
        }
        decision
    }

    #[test]
    fn a_check_stops_counting_exactly_one_window_later() {
        let mut log = Log::default();
        run(&THREE_PER_SECOND, &mut log, 1, Millis(0));
        run(&THREE_PER_SECOND, &mut log, 1, Millis(400));
        run(&THREE_PER_SECOND, &mut log, 1, Millis(800));
        let denied = run(&THREE_PER_SECOND, &mut log, 1, Millis(999));
        assert_eq!(denied, Decision::deny(3, 0, Millis(801), Millis(1)));
        assert_eq!(run(&THREE_PER_SECOND, &mut log, 1, Millis(1_000)), Decision::allow(3, 0, Millis(1_000)));
    }

    #[test]
    fn retry_after_waits_for_enough_marks_to_free_a_weighted_cost() {
        let mut log = Log::default();
        run(&THREE_PER_SECOND, &mut log, 1, Millis(0));
        run(&THREE_PER_SECOND, &mut log, 1, Millis(400));
        run(&THREE_PER_SECOND, &mut log, 1, Millis(800));
        let denied = run(&THREE_PER_SECOND, &mut log, 2, Millis(900));
        assert_eq!(denied.retry_after, Millis(500));
    }

    #[test]
    fn same_millisecond_checks_share_one_mark() {
        let mut log = Log::default();
        run(&THREE_PER_SECOND, &mut log, 1, Millis(5));
        run(&THREE_PER_SECOND, &mut log, 2, Millis(5));
        assert_eq!(log.marks.len(), 1);
        assert_eq!(log.total, 3);
    }

    #[test]
    fn a_clock_stepping_back_is_marked_at_the_newest_time() {
        let mut log = Log::default();
        run(&THREE_PER_SECOND, &mut log, 1, Millis(500));
        assert_eq!(run(&THREE_PER_SECOND, &mut log, 1, Millis(100)), Decision::allow(3, 1, Millis(1_400)));
        assert_eq!(log.marks.len(), 1);
    }
}
