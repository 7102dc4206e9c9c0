//! # leasehold-core
//!
//! The deterministic heart of leasehold: holds, locks, semaphores and rate limits as pure
//! transitions on explicit state. No clock, no randomness, no I/O: `now` is an argument of every
//! decision, and a denial is an outcome that says when to retry, not an error.
//!
//! ```
//! use leasehold_core::{Acquire, Engine, Millis, Release};
//!
//! let mut engine = Engine::new();
//! let now = Millis(1_000);
//! let granted = engine.locks().acquire("lockTrade:42", "worker-a", Millis::from_secs(900), now).unwrap();
//! let Acquire::Granted { fence, .. } = granted else { panic!("the lock was free") };
//! let released = engine.locks().release("lockTrade:42", "worker-a", Millis(2_000)).unwrap();
//! assert_eq!(released, Release::Released { fence });
//! ```
//!
//! The semantics of every operation are documented on its method; that text is the contract the
//! Redis scripts, the wasm build and the Node driver match bit for bit, checked by the
//! conformance vectors in `tests/vectors`. The rules that hold throughout:
//!
//! - **Time** is integer milliseconds ([`Millis`]), every value at most 2^53 − 1 so that Lua and
//!   JavaScript doubles hold it exactly. A lease, hold or block whose `expires_at <= now` is dead:
//!   expiry is embedded in the state and nothing depends on a timer.
//! - **Fences** ([`fence`]) strictly increase per key across release and expiry and are never
//!   reissued, even after the key's state has been forgotten.
//! - **Errors** ([`Error`]) are only for malformed or impossible requests, are checked before
//!   any write, and name the argument at fault. Arguments are checked in parameter order, `now`
//!   last, then values computed from them (`now + ttl`); the first failure is reported.
//! - **Bounds** ([`bounds`]): keys and namespaces up to 512 bytes, owners and items up to 256,
//!   up to 1000 items per call, TTLs and windows from 1 ms to 366 days, counts up to 2^32 − 1.
//!
//! ## The primitives
//!
//! | primitive | module | operations | seed pattern it replaces |
//! |---|---|---|---|
//! | lock | [`lock`] | acquire, release, extend, inspect | `lockTrade:*` SET NX EX 900; `indexLaneLock:*` compare-and-delete; `scheduler:leader` |
//! | semaphore | [`semaphore`] | acquire, release, extend, inspect | a bot fleet's limiter of concurrent logins |
//! | hold | [`hold`] | reserve, release, extend, force_release, check, list, sweep | `reserved-assets_{appId}` lists of `{assetId, expired}` blobs |
//! | rate limit | [`limit`] | check, peek, reset (six algorithms, block policy) | INCR + EXPIRE windows, `violations:` then `blocked_ip:`, token buckets, sorted-set logs, cooldowns |
//!
//! Each primitive has typed methods on its table ([`Engine::locks`], [`Engine::semaphores`],
//! [`Engine::holds`], [`Engine::limits`]) and a serializable request enum; [`Request`] wraps
//! them all and [`Engine::apply`] runs one, which is what vectors, traces and the bindings use.
//!
//! ## Memory
//!
//! Everything is remembered in [`store::Store`]s on hashbrown, iterated in an order that depends
//! only on the operations applied. [`Engine::expire`] is incremental active expiry: call it now
//! and then with a work budget, and memory returns to its baseline once everything has expired.
//! Hold expiry reported there comes back as events, like any other.
#![no_std]
#![forbid(unsafe_code)]
#![warn(clippy::std_instead_of_core, clippy::alloc_instead_of_core, clippy::std_instead_of_alloc)]

extern crate alloc;

pub mod bounds;
mod bytes;
pub mod engine;
pub mod error;
pub mod fence;
pub mod hash;
pub mod hold;
pub mod lease;
pub mod limit;
pub mod lock;
pub mod request;
pub mod semaphore;
pub mod store;
pub mod time;
pub mod vector;

pub use engine::{Engine, Expired};
pub use error::{Error, Field};
pub use hold::{HoldEvent, HoldEventKind, HoldOutcome, HoldRequest, Holds, Reserve};
pub use lease::{Acquire, Extend, LeaseOutcome, LeaseState, Release};
pub use limit::{
    Algorithm, AlgorithmKind, BlockPolicy, Cooldown, Decision, FixedWindow, Gcra, Limit, LimitOutcome,
    LimitRequest, Limits, Reset, SlidingCounter, SlidingLog, TokenBucket,
};
pub use lock::{LockOutcome, LockRequest, LockState, Locks};
pub use request::{Outcome, Request};
pub use semaphore::{SemaphoreOutcome, SemaphoreRequest, SemaphoreState, Semaphores};
pub use time::Millis;
