//! A bug the page can plant in the engine, to watch the invariant checker catch it: with
//! [`Fault::GrantHeldLocks`] a denied lock acquire is answered as granted, as a `SET` without
//! `NX` would. The run stops at the first second holder, and the page shows the steps on that
//! key that led there. Without a fault the engine is the embedded one, untouched.

use core::convert::Infallible;

use leasehold_core::lock::LockOutcome;
use leasehold_core::{Acquire, Error, LockRequest, Millis, Outcome, Request};
use leasehold_sim::{Backend, InMemory};

use crate::error::PlaygroundError;

/// Which bug, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// None: the embedded engine as it is.
    None,
    /// Every lock acquire is granted, held or not.
    GrantHeldLocks,
}

impl Fault {
    /// `""` or `"none"`, or `"grant_held_locks"`.
    pub fn parse(name: &str) -> Result<Fault, PlaygroundError> {
        match name {
            "" | "none" => Ok(Fault::None),
            "grant_held_locks" => Ok(Fault::GrantHeldLocks),
            other => Err(PlaygroundError::new("argument", format!("no fault called `{other}`"))),
        }
    }
}

/// The in-memory engine, with the fault planted.
#[derive(Debug, Clone)]
pub struct Planted {
    engine: InMemory,
    fault: Fault,
}

impl Planted {
    /// A fresh engine hashing with `hash_seed`, with `fault`.
    pub fn new(hash_seed: u64, fault: Fault) -> Planted {
        Planted { engine: InMemory::new(hash_seed), fault }
    }
}

impl Backend for Planted {
    type Failure = Infallible;

    fn apply(&mut self, request: &Request, now: Millis) -> Result<Result<Outcome, Error>, Infallible> {
        let answer = self.engine.apply(request, now)?;
        Ok(match (self.fault, request, answer) {
            (
                Fault::GrantHeldLocks,
                Request::Lock(LockRequest::Acquire { ttl, .. }),
                Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Denied { .. }))),
            ) => Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Granted {
                fence: leasehold_core::fence::floor(now),
                expires_at: Millis(now.0.saturating_add(ttl.0)),
                reacquired: false,
            }))),
            (_, _, answer) => answer,
        })
    }

    fn maintain(&mut self, now: Millis, budget: usize) {
        self.engine.maintain(now, budget);
    }

    fn stored_holds(&mut self, namespace: &str) -> Option<u64> {
        self.engine.stored_holds(namespace)
    }
}
