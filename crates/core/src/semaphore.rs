//! Semaphores: up to `capacity` live holders per key, each with its own owner, fence and TTL.
//!
//! A lock that admits several holders at once: the login limiter of a bot fleet (at most N bots
//! logging in at a time), a pool of concurrent jobs, or, with capacity 1, a singleton that
//! behaves exactly like a [lock](crate::lock) in its acquire, release and extend outcomes.
//!
//! The rules every method below follows, and every port must follow bit for bit:
//!
//! - A holder is **live** while `expires_at > now`. A dead holder counts for nothing: it takes no
//!   slot, cannot be released or extended, and is dropped from the record at the key's next write
//!   or sweep, which never changes an outcome.
//! - **Capacity is an argument of each acquire**, not a property of the key: callers may change
//!   it between calls. Holders already live keep their slots when it shrinks; new holders are
//!   admitted only while fewer than `capacity` holders are live.
//! - **Fences** form one sequence per key, shared by all its holders: every new holder gets
//!   [`fence::next`]`(last, now)`, where `last` is the last fence issued on the key (0 once the
//!   key was forgotten). A re-acquire keeps its holder's fence.
//! - A key's record (its holders and last fence) is **forgotten** once it has no live holder and
//!   `!`[`fence::must_remember`]`(last, now)`; forgetting never changes an outcome either.
//! - **Errors** are checked in parameter order, `now` last, then computed values, all before the
//!   first write. A denied acquire, a `NotHolder` and an `Expired` write nothing observable.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::bounds::{check_duration, check_key, check_now, check_owner, check_range, expiry, MAX_CAPACITY};
use crate::error::{Error, Field};
use crate::fence;
use crate::lease::{Acquire, Extend, LeaseOutcome, Release};
use crate::store::Store;
use crate::time::Millis;

/// One holder of a semaphore slot.
#[derive(Debug, Clone)]
struct Holder {
    owner: Box<str>,
    fence: u64,
    expires_at: Millis,
}

impl Holder {
    fn is_live(&self, now: Millis) -> bool {
        self.expires_at > now
    }
}

/// What is remembered of one semaphore key: its holders (live, or dead and not yet dropped) in
/// no meaningful order, and the last fence issued on it.
#[derive(Debug, Clone)]
struct SemaphoreRecord {
    holders: Vec<Holder>,
    last_fence: u64,
}

impl SemaphoreRecord {
    fn live(&self, now: Millis) -> impl Iterator<Item = &Holder> {
        self.holders.iter().filter(move |holder| holder.is_live(now))
    }

    fn live_position(&self, owner: &str, now: Millis) -> Option<usize> {
        self.holders.iter().position(|holder| holder.is_live(now) && &*holder.owner == owner)
    }

    /// Time until `live − capacity + 1` live holders have expired, with `live ≥ capacity ≥ 1`:
    /// the `(live − capacity)`-th (0-based) smallest live expiry, minus `now`.
    fn retry_after(&self, live: usize, capacity: usize, now: Millis) -> Millis {
        let mut expiries: Vec<Millis> = self.live(now).map(|holder| holder.expires_at).collect();
        let (_, freeing, _) = expiries.select_nth_unstable(live - capacity);
        freeing.saturating_sub(now)
    }

    /// Drops dead holders; says whether the whole record may now be forgotten.
    fn prune(&mut self, now: Millis) -> bool {
        self.holders.retain(|holder| holder.is_live(now));
        self.holders.is_empty() && !fence::must_remember(self.last_fence, now)
    }
}

/// What [`Semaphores::inspect`] reveals: never an owner token, which is its holder's capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SemaphoreState {
    /// At least one holder is live.
    Held {
        /// How many holders are live.
        holders: u64,
        /// The earliest expiry among them: when the first slot frees unless extended or released.
        next_expiry: Millis,
    },
    /// No holder is live.
    Free,
}

/// Every semaphore key of an engine.
#[derive(Debug, Clone, Default)]
pub struct Semaphores {
    store: Store<SemaphoreRecord>,
}

impl Semaphores {
    /// An empty table hashing with `seed`.
    pub fn new(seed: u64) -> Semaphores {
        Semaphores { store: Store::new(seed) }
    }

    /// Takes a slot of `key` for `owner` until `now + ttl`, admitting at most `capacity` live
    /// holders.
    ///
    /// With `live` the number of live holders of `key` (dead ones never count):
    /// - `owner` holds a live slot: granted again with the same fence, its expiry moved to
    ///   `now + ttl` (`reacquired: true`), whatever `capacity` is now, even below `live`;
    /// - otherwise, `live < capacity`: granted a new slot with fence `fence::next(last, now)`;
    /// - otherwise denied, nothing written, `retry_after` = the time until enough holders expire
    ///   for one slot to free: sort the live expiries ascending and take the `(live − capacity)`-th
    ///   (0-based) minus `now` (≥ 1). With `live == capacity` that is the earliest expiry.
    ///
    /// Errors, in this order: key, owner, capacity (`1..=10_000`), ttl (`1..=366 days`),
    /// now (`≤ 2^53 − 1`), `now + ttl` past 2^53 − 1, fences exhausted (only when a new slot
    /// would be granted).
    ///
    /// ```
    /// use leasehold_core::{Acquire, Engine, Millis};
    /// let mut engine = Engine::new();
    /// let logins = engine.semaphores();
    /// let ttl = Millis::from_secs(30);
    /// let a = logins.acquire("steamLogin", "bot-1", 2, ttl, Millis(1_000)).unwrap();
    /// assert!(matches!(a, Acquire::Granted { fence: 1_000_000, .. }));
    /// let b = logins.acquire("steamLogin", "bot-2", 2, ttl, Millis(1_000)).unwrap();
    /// assert!(matches!(b, Acquire::Granted { fence: 1_000_001, .. }));
    /// let c = logins.acquire("steamLogin", "bot-3", 2, ttl, Millis(11_000)).unwrap();
    /// assert_eq!(c, Acquire::Denied { retry_after: Millis(20_000) });
    /// ```
    pub fn acquire(
        &mut self,
        key: &str,
        owner: &str,
        capacity: u64,
        ttl: Millis,
        now: Millis,
    ) -> Result<Acquire, Error> {
        check_key(key)?;
        check_owner(owner)?;
        check_range(Field::Capacity, capacity, 1, MAX_CAPACITY)?;
        check_duration(Field::Ttl, ttl)?;
        check_now(now)?;
        let expires_at = expiry(now, ttl)?;
        let Some(record) = self.store.get_mut(key) else {
            let fence = fence::next(0, now)?;
            let holders = alloc::vec![Holder { owner: Box::from(owner), fence, expires_at }];
            self.store.get_or_insert_with(key, || SemaphoreRecord { holders, last_fence: fence });
            return Ok(Acquire::Granted { fence, expires_at, reacquired: false });
        };
        let outcome = if let Some(i) = record.live_position(owner, now) {
            let holder = &mut record.holders[i];
            holder.expires_at = expires_at;
            Acquire::Granted { fence: holder.fence, expires_at, reacquired: true }
        } else {
            let live = record.live(now).count();
            // capacity ≤ MAX_CAPACITY, so the cast is exact on every target.
            let capacity = capacity as usize;
            if live >= capacity {
                return Ok(Acquire::Denied { retry_after: record.retry_after(live, capacity, now) });
            }
            let fence = fence::next(record.last_fence, now)?;
            record.holders.push(Holder { owner: Box::from(owner), fence, expires_at });
            record.last_fence = fence;
            Acquire::Granted { fence, expires_at, reacquired: false }
        };
        record.prune(now);
        Ok(outcome)
    }

    /// Ends `owner`'s live slot on `key`.
    ///
    /// `Released` (with the slot's fence) when `owner` holds a live slot; otherwise `NotHolder`
    /// when some other holder is live, `Expired` when no holder of `key` is live at all (the
    /// caller's slot ran out, was released already, or never existed). Only `Released` changes
    /// anything. Errors: key, owner, now.
    pub fn release(&mut self, key: &str, owner: &str, now: Millis) -> Result<Release, Error> {
        check_key(key)?;
        check_owner(owner)?;
        check_now(now)?;
        let Some(record) = self.store.get_mut(key) else {
            return Ok(Release::Expired);
        };
        let outcome = match record.live_position(owner, now) {
            Some(i) => Release::Released { fence: record.holders.swap_remove(i).fence },
            None if record.live(now).next().is_some() => return Ok(Release::NotHolder),
            None => Release::Expired,
        };
        if record.prune(now) {
            self.store.remove(key);
        }
        Ok(outcome)
    }

    /// Moves the expiry of `owner`'s live slot on `key` to `now + ttl` (which may shorten it),
    /// keeping its fence. Capacity plays no part: the slot is already held.
    ///
    /// Outcomes as for [`Semaphores::release`]. Errors: key, owner, ttl, now, `now + ttl`
    /// overflow.
    pub fn extend(&mut self, key: &str, owner: &str, ttl: Millis, now: Millis) -> Result<Extend, Error> {
        check_key(key)?;
        check_owner(owner)?;
        check_duration(Field::Ttl, ttl)?;
        check_now(now)?;
        let expires_at = expiry(now, ttl)?;
        let Some(record) = self.store.get_mut(key) else {
            return Ok(Extend::Expired);
        };
        let outcome = match record.live_position(owner, now) {
            Some(i) => {
                let holder = &mut record.holders[i];
                holder.expires_at = expires_at;
                Extend::Extended { fence: holder.fence, expires_at }
            }
            None if record.live(now).next().is_some() => return Ok(Extend::NotHolder),
            None => Extend::Expired,
        };
        if record.prune(now) {
            self.store.remove(key);
        }
        Ok(outcome)
    }

    /// How many holders of `key` are live at `now` and the earliest of their expiries; `Free`
    /// when none is. Errors: key, now.
    pub fn inspect(&self, key: &str, now: Millis) -> Result<SemaphoreState, Error> {
        check_key(key)?;
        check_now(now)?;
        let Some(record) = self.store.get(key) else {
            return Ok(SemaphoreState::Free);
        };
        let (holders, next_expiry) =
            record.live(now).fold((0u64, Millis::MAX), |(count, earliest), holder| {
                (count + 1, earliest.min(holder.expires_at))
            });
        Ok(if holders == 0 { SemaphoreState::Free } else { SemaphoreState::Held { holders, next_expiry } })
    }

    /// Active expiry: examines up to `budget` keys, dropping their dead holders and forgetting
    /// the keys nothing depends on any more. Returns how many keys were forgotten. Never changes
    /// an outcome.
    pub fn expire(&mut self, now: Millis, budget: usize) -> usize {
        let removed = self.store.sweep(budget, |_, record| record.prune(now));
        if removed > 0 {
            self.store.shrink();
        }
        removed
    }

    /// Number of keys remembered (with a live holder, or not yet forgettable).
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

/// A semaphore operation, as carried by vectors, traces and the bindings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SemaphoreRequest {
    /// [`Semaphores::acquire`].
    Acquire {
        /// The semaphore key.
        key: String,
        /// The caller's owner token.
        owner: String,
        /// The most live holders admitted.
        capacity: u64,
        /// How long the slot lasts.
        ttl: Millis,
    },
    /// [`Semaphores::release`].
    Release {
        /// The semaphore key.
        key: String,
        /// The caller's owner token.
        owner: String,
    },
    /// [`Semaphores::extend`].
    Extend {
        /// The semaphore key.
        key: String,
        /// The caller's owner token.
        owner: String,
        /// The new TTL from `now`.
        ttl: Millis,
    },
    /// [`Semaphores::inspect`].
    Inspect {
        /// The semaphore key.
        key: String,
    },
}

/// The outcome of a [`SemaphoreRequest`]; serialized as the inner outcome alone.
pub type SemaphoreOutcome = LeaseOutcome<SemaphoreState>;

impl Semaphores {
    /// Runs one [`SemaphoreRequest`].
    pub fn apply(&mut self, request: &SemaphoreRequest, now: Millis) -> Result<SemaphoreOutcome, Error> {
        Ok(match request {
            SemaphoreRequest::Acquire { key, owner, capacity, ttl } => {
                SemaphoreOutcome::Acquire(self.acquire(key, owner, *capacity, *ttl, now)?)
            }
            SemaphoreRequest::Release { key, owner } => {
                SemaphoreOutcome::Release(self.release(key, owner, now)?)
            }
            SemaphoreRequest::Extend { key, owner, ttl } => {
                SemaphoreOutcome::Extend(self.extend(key, owner, *ttl, now)?)
            }
            SemaphoreRequest::Inspect { key } => SemaphoreOutcome::Inspect(self.inspect(key, now)?),
        })
    }
}
