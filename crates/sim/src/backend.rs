//! Where requests go: the one seam between the simulator and a store.
//!
//! The simulator sends every engine operation through [`Backend::apply`], so the trace is
//! exactly a list of requests and outcomes, and any store that answers them can be simulated:
//! the embedded in-memory engine today ([`InMemory`]), the Redis adapter and the browser
//! playground's wasm engine later.

use core::convert::Infallible;
use core::fmt;

use leasehold_core::{Engine, Error, Millis, Outcome, Request};

/// A store the simulator can drive.
pub trait Backend {
    /// A failure of the store itself (a lost connection), which ends the run. A refusal of the
    /// request by the engine is not one: it is the inner `Err` and is recorded in the trace.
    type Failure: fmt::Display;

    /// Runs `request` at `now`.
    fn apply(&mut self, request: &Request, now: Millis) -> Result<Result<Outcome, Error>, Self::Failure>;

    /// Housekeeping the simulator calls as time passes (active expiry). Never changes an
    /// outcome, so it is not part of the trace.
    fn maintain(&mut self, _now: Millis) {}

    /// Holds stored in `namespace`, live or dead and not yet reclaimed, when the store can tell.
    fn stored_holds(&mut self, _namespace: &str) -> Option<u64> {
        None
    }
}

/// The embedded engine of `leasehold-core`, with active expiry every `expire_every` ms.
#[derive(Debug, Clone)]
pub struct InMemory {
    engine: Engine,
    expire_every: u64,
    expire_budget: usize,
    last_expire: u64,
}

impl InMemory {
    /// A fresh engine hashing with `hash_seed`.
    pub fn new(hash_seed: u64, expire_every: u64, expire_budget: u64) -> InMemory {
        InMemory {
            engine: Engine::with_hash_seed(hash_seed),
            expire_every,
            expire_budget: usize::try_from(expire_budget).unwrap_or(usize::MAX),
            last_expire: 0,
        }
    }

    /// The engine, for inspection.
    pub fn engine(&mut self) -> &mut Engine {
        &mut self.engine
    }
}

impl Default for InMemory {
    fn default() -> InMemory {
        InMemory::new(0, 1000, 256)
    }
}

impl Backend for InMemory {
    type Failure = Infallible;

    #[inline]
    fn apply(&mut self, request: &Request, now: Millis) -> Result<Result<Outcome, Error>, Infallible> {
        Ok(self.engine.apply(request, now))
    }

    fn maintain(&mut self, now: Millis) {
        if self.expire_every > 0 && now.0 >= self.last_expire.saturating_add(self.expire_every) {
            self.last_expire = now.0;
            self.engine.expire(now, self.expire_budget);
        }
    }

    fn stored_holds(&mut self, namespace: &str) -> Option<u64> {
        Some(self.engine.holds().stored(namespace) as u64)
    }
}
