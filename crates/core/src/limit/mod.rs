//! Rate limits: six algorithms, one [`Decision`] shape, an optional block policy on each.
//!
//! | algorithm | request JSON (`algorithm`) | limit | admits |
//! |---|---|---|---|
//! | [`FixedWindow`] | `{"fixed_window": {"quota": 10, "window": 900000}}` | quota | `quota` per window from the first check |
//! | [`SlidingLog`] | `{"sliding_log": {"quota": 100, "window": 60000}}` | quota | exactly `quota` in any `window` ms |
//! | [`SlidingCounter`] | `{"sliding_counter": {"quota": 600, "window": 60000}}` | quota | about `quota` per sliding window |
//! | [`TokenBucket`] | `{"token_bucket": {"capacity": 20, "refill": 5, "interval": 1000}}` | capacity | `capacity` at once, `refill` per `interval` |
//! | [`Gcra`] | `{"gcra": {"burst": 5, "interval": 100}}` | burst | `burst` at once, one per `interval` |
//! | [`Cooldown`] | `{"cooldown": {"interval": 3000}}` | 1 | one per `interval` |
//!
//! The rules every algorithm keeps (its own page says exactly how):
//!
//! - **Quotas are arguments.** Each call carries the algorithm and its parameters, so per-key or
//!   changed quotas need no set-up. Each algorithm has its own keyspace: the same key under two
//!   algorithms is two independent states.
//! - **One result shape.** A check returns a [`Decision`]: `allowed`; `limit`, the largest cost
//!   a check may carry; `remaining`, the largest cost a check at the same `now` would still be
//!   admitted with; `reset_after`, how long until the key is back to its initial state if
//!   nothing more is admitted; `retry_after`, 0 when allowed and otherwise how long until the
//!   same check would first be admitted (at least 1 ms; the time left in the block while
//!   blocked, see [`BlockPolicy`]). Times are whole milliseconds computed exactly: a wait that
//!   comes from a division is the first whole millisecond at which the condition holds
//!   (rounded up), and a count that comes from a division is rounded down.
//! - **Weighted.** A check takes a `cost` in `1..=limit`; a denied check consumes nothing.
//!   [`Limits::peek`] returns the decision a check would get and writes nothing.
//! - **Integers only.** No floats. Every stored or returned number, and every product and
//!   quotient a decision computes, stays below 2^53, so Lua and JavaScript doubles reproduce the
//!   arithmetic exactly; the only sums that could pass 2^53 (after a clock stepped back) are
//!   capped at 2^53 − 1.
//! - **Expiry is state.** Each key's state says when it is back to its initial state for the
//!   parameters of the check that wrote it (as a Redis `PEXPIRE` would); from then on it is
//!   treated as absent, whatever the parameters of later calls. [`Limits::expire`] forgets such
//!   states and never changes an outcome.
//! - **Errors before writes.** Arguments are checked in the order of the typed parameters: key;
//!   the algorithm's parameters in declaration order; the block policy's; cost; now; then
//!   `now` plus the algorithm's longest state lifetime, `within` and `block_for` must each stay
//!   below 2^53 (`overflow` on `expires_at`). A refused call changes nothing.

mod block;
mod cooldown;
mod fixed_window;
mod gcra;
mod request;
mod rule;
mod sliding_counter;
mod sliding_log;
mod token_bucket;

use serde::{Deserialize, Serialize};

use crate::bounds::{check_key, check_now};
use crate::error::Error;
use crate::store::Store;
use crate::time::Millis;

pub use block::BlockPolicy;
pub use cooldown::Cooldown;
pub use fixed_window::FixedWindow;
pub use gcra::Gcra;
pub use request::{LimitOutcome, LimitRequest};
pub use sliding_counter::{SlidingCounter, MAX_COUNTER_QUOTA};
pub use sliding_log::{SlidingLog, MAX_LOG_QUOTA};
pub use token_bucket::TokenBucket;

use rule::{Entry, Rule};

/// What a check (or a peek) decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Whether the check was admitted (and, for a check, counted).
    pub allowed: bool,
    /// The largest cost a check may carry: the quota, capacity or burst (1 for a cooldown).
    pub limit: u64,
    /// The largest cost a check at the same `now` would be admitted with, counting this one if
    /// it was admitted; 0 while blocked.
    pub remaining: u64,
    /// How long until the key is back to its initial state (and unblocked) if nothing more is
    /// admitted.
    pub reset_after: Millis,
    /// 0 when allowed. Otherwise how long until the same check would first be admitted (≥ 1
    /// ms), except when the key is blocked: then it is the time left in the block, after which
    /// the algorithm may still deny (`reset_after` covers both).
    pub retry_after: Millis,
}

impl Decision {
    pub(crate) const fn allow(limit: u64, remaining: u64, reset_after: Millis) -> Decision {
        Decision { allowed: true, limit, remaining, reset_after, retry_after: Millis::ZERO }
    }

    pub(crate) const fn deny(
        limit: u64,
        remaining: u64,
        reset_after: Millis,
        retry_after: Millis,
    ) -> Decision {
        Decision { allowed: false, limit, remaining, reset_after, retry_after }
    }
}

/// An algorithm with its parameters, as given on each call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// See [`FixedWindow`].
    FixedWindow(FixedWindow),
    /// See [`SlidingLog`].
    SlidingLog(SlidingLog),
    /// See [`SlidingCounter`].
    SlidingCounter(SlidingCounter),
    /// See [`TokenBucket`].
    TokenBucket(TokenBucket),
    /// See [`Gcra`].
    Gcra(Gcra),
    /// See [`Cooldown`].
    Cooldown(Cooldown),
}

/// Which algorithm, without parameters: names a keyspace for [`Limits::reset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlgorithmKind {
    /// [`FixedWindow`].
    FixedWindow,
    /// [`SlidingLog`].
    SlidingLog,
    /// [`SlidingCounter`].
    SlidingCounter,
    /// [`TokenBucket`].
    TokenBucket,
    /// [`Gcra`].
    Gcra,
    /// [`Cooldown`].
    Cooldown,
}

impl Algorithm {
    /// The algorithm's keyspace.
    pub const fn kind(&self) -> AlgorithmKind {
        match self {
            Algorithm::FixedWindow(_) => AlgorithmKind::FixedWindow,
            Algorithm::SlidingLog(_) => AlgorithmKind::SlidingLog,
            Algorithm::SlidingCounter(_) => AlgorithmKind::SlidingCounter,
            Algorithm::TokenBucket(_) => AlgorithmKind::TokenBucket,
            Algorithm::Gcra(_) => AlgorithmKind::Gcra,
            Algorithm::Cooldown(_) => AlgorithmKind::Cooldown,
        }
    }
}

/// One rate limit as given to a check: an algorithm and, optionally, a block policy.
///
/// ```
/// use leasehold_core::{BlockPolicy, Limit, Millis};
/// const LOGIN: Limit = Limit::fixed_window(10, Millis(900_000)).with_block(BlockPolicy {
///     violations: 3,
///     within: Millis(60_000),
///     block_for: Millis(3_600_000),
/// });
/// assert!(LOGIN.block.is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limit {
    /// The algorithm and its parameters.
    pub algorithm: Algorithm,
    /// The block policy, if any.
    pub block: Option<BlockPolicy>,
}

impl Limit {
    /// `algorithm` without a block policy.
    pub const fn new(algorithm: Algorithm) -> Limit {
        Limit { algorithm, block: None }
    }

    /// [`FixedWindow`]: `quota` per `window` from the first check.
    pub const fn fixed_window(quota: u64, window: Millis) -> Limit {
        Limit::new(Algorithm::FixedWindow(FixedWindow { quota, window }))
    }

    /// [`SlidingLog`]: exactly `quota` in any `window`.
    pub const fn sliding_log(quota: u64, window: Millis) -> Limit {
        Limit::new(Algorithm::SlidingLog(SlidingLog { quota, window }))
    }

    /// [`SlidingCounter`]: about `quota` per sliding `window`.
    pub const fn sliding_counter(quota: u64, window: Millis) -> Limit {
        Limit::new(Algorithm::SlidingCounter(SlidingCounter { quota, window }))
    }

    /// [`TokenBucket`]: `capacity` tokens, `refill` more per whole `interval`.
    pub const fn token_bucket(capacity: u64, refill: u64, interval: Millis) -> Limit {
        Limit::new(Algorithm::TokenBucket(TokenBucket { capacity, refill, interval }))
    }

    /// [`Gcra`]: `burst` at once, then one per `interval`.
    pub const fn gcra(burst: u64, interval: Millis) -> Limit {
        Limit::new(Algorithm::Gcra(Gcra { burst, interval }))
    }

    /// [`Cooldown`]: one per `interval`.
    pub const fn cooldown(interval: Millis) -> Limit {
        Limit::new(Algorithm::Cooldown(Cooldown { interval }))
    }

    /// The same limit with `policy` blocking repeat offenders.
    pub const fn with_block(self, policy: BlockPolicy) -> Limit {
        Limit { algorithm: self.algorithm, block: Some(policy) }
    }
}

impl From<Algorithm> for Limit {
    fn from(algorithm: Algorithm) -> Limit {
        Limit::new(algorithm)
    }
}

/// The outcome of [`Limits::reset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reset {
    /// The key had live state (counts, strikes or a block) under the algorithm; it is gone.
    Forgotten,
    /// The key was already in its initial state.
    Absent,
}

/// Every rate-limited key of an engine, one keyspace per algorithm.
///
/// ```
/// use leasehold_core::{Limit, Limits, Millis};
///
/// let mut limits = Limits::new(0);
/// let login = Limit::fixed_window(10, Millis(900_000)); // 10 per 15 min
/// let now = Millis(1_763_800_000_000);
/// let first = limits.check("login_ip:1.2.3.4", &login, 1, now).unwrap();
/// assert!(first.allowed);
/// assert_eq!((first.remaining, first.reset_after), (9, Millis(900_000)));
///
/// let coupon = Limit::cooldown(Millis(3_000));
/// assert!(limits.check("coupon:7656", &coupon, 1, now).unwrap().allowed);
/// let again = limits.check("coupon:7656", &coupon, 1, Millis(now.0 + 2_999)).unwrap();
/// assert!(!again.allowed);
/// assert_eq!(again.retry_after, Millis(1));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Limits {
    fixed_window: Store<Entry<<FixedWindow as Rule>::State>>,
    sliding_log: Store<Entry<<SlidingLog as Rule>::State>>,
    sliding_counter: Store<Entry<<SlidingCounter as Rule>::State>>,
    token_bucket: Store<Entry<<TokenBucket as Rule>::State>>,
    gcra: Store<Entry<<Gcra as Rule>::State>>,
    cooldown: Store<Entry<<Cooldown as Rule>::State>>,
}

impl Limits {
    /// An empty table hashing with `seed`.
    pub fn new(seed: u64) -> Limits {
        Limits {
            fixed_window: Store::new(seed),
            sliding_log: Store::new(seed),
            sliding_counter: Store::new(seed),
            token_bucket: Store::new(seed),
            gcra: Store::new(seed),
            cooldown: Store::new(seed),
        }
    }

    /// Checks `cost` units against `limit` for `key` at `now`, counting them when admitted.
    ///
    /// The decision follows the algorithm's page ([`FixedWindow`], [`SlidingLog`],
    /// [`SlidingCounter`], [`TokenBucket`], [`Gcra`], [`Cooldown`]) and, when `limit` has one,
    /// the [`BlockPolicy`]. A denial is a [`Decision`], never an error, and consumes nothing.
    ///
    /// Errors, in this order: key (non-empty, at most 512 bytes); the algorithm's parameters;
    /// the block policy's; cost (`1..=limit`); now (`≤ 2^53 − 1`); `overflow` of `expires_at`
    /// when `now` plus the algorithm's span, `within` or `block_for` would pass 2^53 − 1.
    ///
    /// A check on a known key does not allocate (a sliding log may grow its bounded log).
    pub fn check(&mut self, key: &str, limit: &Limit, cost: u64, now: Millis) -> Result<Decision, Error> {
        let block = limit.block.as_ref();
        match &limit.algorithm {
            Algorithm::FixedWindow(r) => rule::checked(&mut self.fixed_window, key, r, block, cost, now),
            Algorithm::SlidingLog(r) => rule::checked(&mut self.sliding_log, key, r, block, cost, now),
            Algorithm::SlidingCounter(r) => {
                rule::checked(&mut self.sliding_counter, key, r, block, cost, now)
            }
            Algorithm::TokenBucket(r) => rule::checked(&mut self.token_bucket, key, r, block, cost, now),
            Algorithm::Gcra(r) => rule::checked(&mut self.gcra, key, r, block, cost, now),
            Algorithm::Cooldown(r) => rule::checked(&mut self.cooldown, key, r, block, cost, now),
        }
    }

    /// The decision [`Limits::check`] would return with the same arguments, without counting
    /// anything or recording a violation. Errors as for [`Limits::check`].
    pub fn peek(&self, key: &str, limit: &Limit, cost: u64, now: Millis) -> Result<Decision, Error> {
        let block = limit.block.as_ref();
        match &limit.algorithm {
            Algorithm::FixedWindow(r) => rule::peeked(&self.fixed_window, key, r, block, cost, now),
            Algorithm::SlidingLog(r) => rule::peeked(&self.sliding_log, key, r, block, cost, now),
            Algorithm::SlidingCounter(r) => rule::peeked(&self.sliding_counter, key, r, block, cost, now),
            Algorithm::TokenBucket(r) => rule::peeked(&self.token_bucket, key, r, block, cost, now),
            Algorithm::Gcra(r) => rule::peeked(&self.gcra, key, r, block, cost, now),
            Algorithm::Cooldown(r) => rule::peeked(&self.cooldown, key, r, block, cost, now),
        }
    }

    /// Forgets everything `key` remembers under `algorithm`: counts, violations and any block.
    ///
    /// [`Reset::Forgotten`] when that was live at `now`, [`Reset::Absent`] when the key was
    /// already in its initial state. Errors: key, now.
    pub fn reset(&mut self, key: &str, algorithm: AlgorithmKind, now: Millis) -> Result<Reset, Error> {
        check_key(key)?;
        check_now(now)?;
        let forgotten = match algorithm {
            AlgorithmKind::FixedWindow => rule::forget::<FixedWindow>(&mut self.fixed_window, key, now),
            AlgorithmKind::SlidingLog => rule::forget::<SlidingLog>(&mut self.sliding_log, key, now),
            AlgorithmKind::SlidingCounter => {
                rule::forget::<SlidingCounter>(&mut self.sliding_counter, key, now)
            }
            AlgorithmKind::TokenBucket => rule::forget::<TokenBucket>(&mut self.token_bucket, key, now),
            AlgorithmKind::Gcra => rule::forget::<Gcra>(&mut self.gcra, key, now),
            AlgorithmKind::Cooldown => rule::forget::<Cooldown>(&mut self.cooldown, key, now),
        };
        Ok(if forgotten { Reset::Forgotten } else { Reset::Absent })
    }

    /// Active expiry: examines up to `budget` keys of each algorithm and forgets those back in
    /// their initial state (no live counts, violations or block). Returns how many were
    /// forgotten. Never changes an outcome.
    pub fn expire(&mut self, now: Millis, budget: usize) -> usize {
        rule::expire::<FixedWindow>(&mut self.fixed_window, now, budget)
            + rule::expire::<SlidingLog>(&mut self.sliding_log, now, budget)
            + rule::expire::<SlidingCounter>(&mut self.sliding_counter, now, budget)
            + rule::expire::<TokenBucket>(&mut self.token_bucket, now, budget)
            + rule::expire::<Gcra>(&mut self.gcra, now, budget)
            + rule::expire::<Cooldown>(&mut self.cooldown, now, budget)
    }

    /// Number of keys remembered, over all algorithms.
    pub fn len(&self) -> usize {
        self.fixed_window.len()
            + self.sliding_log.len()
            + self.sliding_counter.len()
            + self.token_bucket.len()
            + self.gcra.len()
            + self.cooldown.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
