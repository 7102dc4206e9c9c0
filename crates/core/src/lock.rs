//! Locks: a mutex with a TTL, one live holder per key, fenced.
//!
//! This is `SET key owner NX PX ttl` with the parts that pattern leaves to every caller done
//! once: owner-checked release and extend, idempotent re-acquire, fences, and an answer to
//! "when may I retry". Each method below is one transition, ported one-for-one to a Lua script.

use alloc::boxed::Box;
use alloc::string::String;

use serde::{Deserialize, Serialize};

use crate::bounds::{check_duration, check_key, check_now, check_owner, expiry};
use crate::error::{Error, Field};
use crate::fence;
use crate::lease::{Acquire, Extend, LeaseOutcome, LeaseState, Release};
use crate::store::Store;
use crate::time::Millis;

/// What is remembered of one lock key: the last lease issued on it.
///
/// The lease is live while `expires_at > now`. A released lease has `expires_at` set to the
/// release time. The record outlives its lease only while [`fence::must_remember`] says so.
#[derive(Debug, Clone)]
struct LockRecord {
    owner: Box<str>,
    fence: u64,
    expires_at: Millis,
}

impl LockRecord {
    fn is_live(&self, now: Millis) -> bool {
        self.expires_at > now
    }

    fn is_forgettable(&self, now: Millis) -> bool {
        !self.is_live(now) && !fence::must_remember(self.fence, now)
    }
}

/// What [`Locks::inspect`] reveals: the live lease's fence and expiry, never its owner.
pub type LockState = LeaseState;

/// Every lock key of an engine.
#[derive(Debug, Clone, Default)]
pub struct Locks {
    store: Store<LockRecord>,
}

impl Locks {
    /// An empty table hashing with `seed`.
    pub fn new(seed: u64) -> Locks {
        Locks { store: Store::new(seed) }
    }

    /// Takes `key` for `owner` until `now + ttl`.
    ///
    /// - no live lease: granted with a new fence, `max(last + 1, now × 1000)`;
    /// - a live lease of `owner`: granted again with the same fence, expiry moved to `now + ttl`
    ///   (`reacquired: true`), so a retry after a lost reply never locks its own caller out;
    /// - a live lease of another owner: denied, `retry_after = expires_at − now` (≥ 1).
    ///
    /// Errors, in this order: key, owner, ttl (`1..=366 days`), now (`≤ 2^53 − 1`),
    /// `now + ttl` past 2^53 − 1, fences exhausted.
    ///
    /// ```
    /// use leasehold_core::{Acquire, Engine, Millis};
    /// let mut engine = Engine::new();
    /// let locks = engine.locks();
    /// let first = locks.acquire("lockTrade:42", "worker-a", Millis::from_secs(900), Millis(1_000)).unwrap();
    /// assert!(matches!(first, Acquire::Granted { fence: 1_000_000, .. }));
    /// let second = locks.acquire("lockTrade:42", "worker-b", Millis::from_secs(900), Millis(2_000)).unwrap();
    /// assert_eq!(second, Acquire::Denied { retry_after: Millis(899_000) });
    /// ```
    pub fn acquire(&mut self, key: &str, owner: &str, ttl: Millis, now: Millis) -> Result<Acquire, Error> {
        let expires_at = checked_lease(key, owner, ttl, now)?;
        let Some(position) = self.store.find(key) else {
            let fence = fence::next(0, now)?;
            self.store.insert_absent(key, LockRecord { owner: Box::from(owner), fence, expires_at });
            return Ok(Acquire::Granted { fence, expires_at, reacquired: false });
        };
        let record = self.store.at_mut(position);
        if record.is_live(now) {
            if &*record.owner != owner {
                return Ok(Acquire::Denied { retry_after: record.expires_at.saturating_sub(now) });
            }
            record.expires_at = expires_at;
            return Ok(Acquire::Granted { fence: record.fence, expires_at, reacquired: true });
        }
        let fence = fence::next(record.fence, now)?;
        if &*record.owner != owner {
            record.owner = Box::from(owner);
        }
        record.fence = fence;
        record.expires_at = expires_at;
        Ok(Acquire::Granted { fence, expires_at, reacquired: false })
    }

    /// Ends `owner`'s live lease on `key`.
    ///
    /// Released (with its fence) when `owner` holds a live lease; `NotHolder` when another owner
    /// does; `Expired` when no lease is live. Errors: key, owner, now.
    pub fn release(&mut self, key: &str, owner: &str, now: Millis) -> Result<Release, Error> {
        checked_holder(key, owner, now)?;
        let Some(position) = self.store.find(key) else {
            return Ok(Release::Expired);
        };
        let record = self.store.at_mut(position);
        let outcome = if !record.is_live(now) {
            Release::Expired
        } else if &*record.owner != owner {
            return Ok(Release::NotHolder);
        } else {
            record.expires_at = now;
            Release::Released { fence: record.fence }
        };
        if record.is_forgettable(now) {
            self.store.remove_found(position);
        }
        Ok(outcome)
    }

    /// Moves the expiry of `owner`'s live lease on `key` to `now + ttl` (which may shorten it).
    ///
    /// Outcomes as for [`Locks::release`]. Errors: key, owner, ttl, now, `now + ttl` overflow.
    pub fn extend(&mut self, key: &str, owner: &str, ttl: Millis, now: Millis) -> Result<Extend, Error> {
        let expires_at = checked_lease(key, owner, ttl, now)?;
        let Some(record) = self.store.get_mut(key) else {
            return Ok(Extend::Expired);
        };
        if !record.is_live(now) {
            return Ok(Extend::Expired);
        }
        if &*record.owner != owner {
            return Ok(Extend::NotHolder);
        }
        record.expires_at = expires_at;
        Ok(Extend::Extended { fence: record.fence, expires_at })
    }

    /// Whether `key` is held at `now`, with the live lease's fence and expiry. Errors: key, now.
    pub fn inspect(&self, key: &str, now: Millis) -> Result<LockState, Error> {
        check_key(key)?;
        check_now(now)?;
        Ok(match self.store.get(key) {
            Some(record) if record.is_live(now) => {
                LockState::Held { fence: record.fence, expires_at: record.expires_at }
            }
            _ => LockState::Free,
        })
    }

    /// Active expiry: examines up to `budget` keys and forgets those nothing depends on any more.
    /// Returns how many were forgotten. Never changes an outcome.
    pub fn expire(&mut self, now: Millis, budget: usize) -> usize {
        let removed = self.store.sweep(budget, |_, record| record.is_forgettable(now));
        if removed > 0 {
            self.store.shrink();
        }
        removed
    }

    /// Number of keys remembered (live or not yet forgettable).
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

/// A lock operation, as carried by vectors, traces and the bindings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum LockRequest {
    /// [`Locks::acquire`].
    Acquire {
        /// The lock key.
        key: String,
        /// The caller's owner token.
        owner: String,
        /// How long the lease lasts.
        ttl: Millis,
    },
    /// [`Locks::release`].
    Release {
        /// The lock key.
        key: String,
        /// The caller's owner token.
        owner: String,
    },
    /// [`Locks::extend`].
    Extend {
        /// The lock key.
        key: String,
        /// The caller's owner token.
        owner: String,
        /// The new TTL from `now`.
        ttl: Millis,
    },
    /// [`Locks::inspect`].
    Inspect {
        /// The lock key.
        key: String,
    },
}

/// The outcome of a [`LockRequest`]; serialized as the inner outcome alone.
pub type LockOutcome = LeaseOutcome<LockState>;

/// The checks of a request for a lease, in the order every lock operation makes them: key,
/// owner, ttl, now; then the lease's expiry, `now + ttl`, which it returns.
#[inline]
fn checked_lease(key: &str, owner: &str, ttl: Millis, now: Millis) -> Result<Millis, Error> {
    check_key(key)?;
    check_owner(owner)?;
    check_duration(Field::Ttl, ttl)?;
    check_now(now)?;
    expiry(now, ttl)
}

/// The checks of a request naming a holder and no ttl: key, owner, now.
#[inline]
fn checked_holder(key: &str, owner: &str, now: Millis) -> Result<(), Error> {
    check_key(key)?;
    check_owner(owner)?;
    check_now(now).map(drop)
}

impl LockRequest {
    /// The checks [`Locks::apply`] makes of this request before it reads any state, in its order
    /// and with its errors, and for an acquire the fence a key never held would get: `Ok` means
    /// only the table can refuse the request (a key whose fences have run out). What a client of
    /// another store runs before it sends the request.
    ///
    /// ```
    /// use leasehold_core::{Error, LockRequest, Millis};
    /// let bad = LockRequest::Release { key: String::new(), owner: "worker-a".into() };
    /// assert!(matches!(bad.check(Millis(1_000)), Err(Error::Empty { .. })));
    /// let good = LockRequest::Inspect { key: "lockTrade:42".into() };
    /// assert_eq!(good.check(Millis(1_000)), Ok(()));
    /// ```
    pub fn check(&self, now: Millis) -> Result<(), Error> {
        match self {
            LockRequest::Acquire { key, owner, ttl } => {
                checked_lease(key, owner, *ttl, now)?;
                fence::next(0, now).map(drop)
            }
            LockRequest::Release { key, owner } => checked_holder(key, owner, now),
            LockRequest::Extend { key, owner, ttl } => checked_lease(key, owner, *ttl, now).map(drop),
            LockRequest::Inspect { key } => {
                check_key(key)?;
                check_now(now).map(drop)
            }
        }
    }
}

impl Locks {
    /// Runs one [`LockRequest`].
    pub fn apply(&mut self, request: &LockRequest, now: Millis) -> Result<LockOutcome, Error> {
        Ok(match request {
            LockRequest::Acquire { key, owner, ttl } => {
                LockOutcome::Acquire(self.acquire(key, owner, *ttl, now)?)
            }
            LockRequest::Release { key, owner } => LockOutcome::Release(self.release(key, owner, now)?),
            LockRequest::Extend { key, owner, ttl } => {
                LockOutcome::Extend(self.extend(key, owner, *ttl, now)?)
            }
            LockRequest::Inspect { key } => LockOutcome::Inspect(self.inspect(key, now)?),
        })
    }
}
