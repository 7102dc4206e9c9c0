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

    /// Housekeeping the simulator calls every `expire_every` ms of simulated time, with the
    /// scenario's `expire_budget`: active expiry of what no outcome can observe. It must never
    /// change an outcome, so it is not part of the trace. (Dead holds are reclaimed by
    /// `hold.sweep` requests the simulator sends at the same times, which are traced.)
    fn maintain(&mut self, _now: Millis, _budget: usize) {}

    /// Holds stored in `namespace`, live or dead and not yet reclaimed, when the store can tell.
    fn stored_holds(&mut self, _namespace: &str) -> Option<u64> {
        None
    }
}

/// The embedded engine of `leasehold-core`.
#[derive(Debug, Clone)]
pub struct InMemory {
    engine: Engine,
}

impl InMemory {
    /// A fresh engine hashing with `hash_seed`.
    pub fn new(hash_seed: u64) -> InMemory {
        InMemory { engine: Engine::with_hash_seed(hash_seed) }
    }

    /// The engine, for inspection.
    pub fn engine(&mut self) -> &mut Engine {
        &mut self.engine
    }
}

impl Default for InMemory {
    fn default() -> InMemory {
        InMemory::new(0)
    }
}

impl Backend for InMemory {
    type Failure = Infallible;

    #[inline]
    fn apply(&mut self, request: &Request, now: Millis) -> Result<Result<Outcome, Error>, Infallible> {
        Ok(self.engine.apply(request, now))
    }

    fn maintain(&mut self, now: Millis, budget: usize) {
        self.engine.expire_unobserved(now, budget);
    }

    fn stored_holds(&mut self, namespace: &str) -> Option<u64> {
        Some(self.engine.holds().stored(namespace) as u64)
    }
}
