//! The embedded in-memory engine: every primitive's table, one `now` per call.

use alloc::vec::Vec;

use crate::error::Error;
use crate::hold::{Holds, NamespacedEvent};
use crate::limit::Limits;
use crate::lock::Locks;
use crate::request::{Outcome, Request};
use crate::semaphore::Semaphores;
use crate::time::Millis;

/// The in-memory engine. Deterministic: the same calls with the same `now`s give the same
/// outcomes, whatever the hash seed.
///
/// ```
/// use leasehold_core::{Engine, LockRequest, Millis, Request};
/// let mut engine = Engine::new();
/// let request = Request::Lock(LockRequest::Inspect { key: "scheduler:leader".into() });
/// assert!(engine.apply(&request, Millis(5)).is_ok());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Engine {
    locks: Locks,
    holds: Holds,
    semaphores: Semaphores,
    limits: Limits,
}

/// What one round of active expiry did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expired {
    /// Lock keys forgotten.
    pub locks: usize,
    /// Dead holds reclaimed, each with its `expired` event to forward.
    pub hold_events: Vec<NamespacedEvent>,
    /// Semaphore keys forgotten.
    pub semaphores: usize,
    /// Rate-limit keys forgotten, over all algorithms.
    pub limits: usize,
}

impl Engine {
    /// An engine hashing with a fixed seed.
    pub fn new() -> Engine {
        Engine::with_hash_seed(0)
    }

    /// An engine hashing with `seed`. Choose a random seed at the edge when keys come from
    /// untrusted clients; outcomes and iteration order never depend on it.
    pub fn with_hash_seed(seed: u64) -> Engine {
        Engine {
            locks: Locks::new(seed),
            holds: Holds::new(seed),
            semaphores: Semaphores::new(seed),
            limits: Limits::new(seed),
        }
    }

    /// The lock table.
    pub fn locks(&mut self) -> &mut Locks {
        &mut self.locks
    }

    /// The hold table.
    pub fn holds(&mut self) -> &mut Holds {
        &mut self.holds
    }

    /// The semaphore table.
    pub fn semaphores(&mut self) -> &mut Semaphores {
        &mut self.semaphores
    }

    /// The rate-limit table.
    pub fn limits(&mut self) -> &mut Limits {
        &mut self.limits
    }

    /// Runs one request at `now`.
    pub fn apply(&mut self, request: &Request, now: Millis) -> Result<Outcome, Error> {
        Ok(match request {
            Request::Lock(request) => Outcome::Lock(self.locks.apply(request, now)?),
            Request::Hold(request) => Outcome::Hold(self.holds.apply(request, now)?),
            Request::Semaphore(request) => Outcome::Semaphore(self.semaphores.apply(request, now)?),
            Request::Limit(request) => Outcome::Limit(self.limits.apply(request, now)?),
        })
    }

    /// Active expiry: examines up to `budget` entries of each table and forgets what nothing
    /// depends on any more. Call it now and then (for instance every 100 ms with a budget of a
    /// few hundred); memory returns to its baseline once everything has expired.
    pub fn expire(&mut self, now: Millis, budget: usize) -> Expired {
        Expired {
            locks: self.locks.expire(now, budget),
            semaphores: self.semaphores.expire(now, budget),
            hold_events: self.holds.expire(now, budget),
            limits: self.limits.expire(now, budget),
        }
    }

    /// Active expiry of what no outcome can observe: lock, semaphore and rate-limit keys that
    /// nothing depends on any more. Holds are left alone, because reclaiming a dead hold is
    /// observable (its `expired` event is reported once, by whoever reclaims it): reclaim them
    /// with [`Holds::sweep`], which a caller can record like any other operation. Returns how
    /// many keys were forgotten.
    pub fn expire_unobserved(&mut self, now: Millis, budget: usize) -> usize {
        self.locks.expire(now, budget) + self.semaphores.expire(now, budget) + self.limits.expire(now, budget)
    }

    /// Whether nothing at all is remembered.
    pub fn is_empty(&self) -> bool {
        self.locks.is_empty() && self.semaphores.is_empty() && self.holds.is_empty() && self.limits.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hold::{HoldEvent, Page, Reserve};

    fn shareable<T: Send + Sync>() {}

    #[test]
    fn requests_outcomes_and_events_can_cross_threads() {
        shareable::<Request>();
        shareable::<Outcome>();
        shareable::<Reserve>();
        shareable::<HoldEvent>();
        shareable::<Page>();
        shareable::<Error>();
        shareable::<Engine>();
    }
}
