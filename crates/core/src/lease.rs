//! The outcomes shared by everything that is leased to an owner: locks and semaphores.

use serde::{Deserialize, Serialize};

use crate::time::Millis;

/// The outcome of an acquire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acquire {
    /// The caller holds it until `expires_at`, fenced by `fence`.
    Granted {
        /// The fencing token of this lease: larger than every fence issued before for the key.
        fence: u64,
        /// When the lease ends unless extended: `now + ttl`.
        expires_at: Millis,
        /// The caller already held it: the fence is unchanged and only the expiry moved.
        reacquired: bool,
    },
    /// Someone else holds it; nothing changed.
    Denied {
        /// How long until a retry can succeed, in milliseconds, if no holder extends or releases:
        /// a lock holder's remaining TTL, or the time until enough semaphore holders expire to
        /// free a slot.
        retry_after: Millis,
    },
}

/// The outcome of a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Release {
    /// The caller's live lease was ended.
    Released {
        /// The fence of the lease that ended.
        fence: u64,
    },
    /// A live lease exists, but not the caller's: nothing changed.
    NotHolder,
    /// There is no live lease (the caller's expired, or there never was one): nothing changed.
    Expired,
}

/// The outcome of an extend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Extend {
    /// The caller's live lease now ends at `expires_at = now + ttl`; the fence is unchanged.
    Extended {
        /// The lease's fence.
        fence: u64,
        /// The new expiry.
        expires_at: Millis,
    },
    /// A live lease exists, but not the caller's: nothing changed.
    NotHolder,
    /// There is no live lease: the caller's ran out before it could be extended.
    Expired,
}

/// What an inspection reveals of one lease or hold: never the owner token, which is the
/// holder's capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaseState {
    /// A live lease exists.
    Held {
        /// Its fence.
        fence: u64,
        /// When it ends unless extended.
        expires_at: Millis,
    },
    /// No live lease.
    Free,
}

/// The outcome of one lock or semaphore operation, `S` being what an inspection reveals;
/// serialized as the inner outcome alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum LeaseOutcome<S> {
    /// Of an acquire.
    Acquire(Acquire),
    /// Of a release.
    Release(Release),
    /// Of an extend.
    Extend(Extend),
    /// Of an inspect.
    Inspect(S),
}
