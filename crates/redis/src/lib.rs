//! # leasehold-redis
//!
//! Every operation of `leasehold-core` against a real Redis, in one round trip: one Lua script
//! per core transition (from `leasehold-scripts`, the single source of the scripts), loaded once
//! and invoked with `EVALSHA`, reloaded when Redis answers `NOSCRIPT`. Outcomes are the core's
//! own types, identical to what [`leasehold_core::Engine`] gives on the same state at the same
//! `now` (the conformance vectors check it).
//!
//! ```no_run
//! use leasehold_core::{Acquire, LockRequest, LockOutcome, Millis, Outcome, Request};
//! use leasehold_redis::{Client, Clock};
//!
//! let mut redis = Client::open("redis://127.0.0.1:6379/")?.connect()?;
//! let acquire = Request::Lock(LockRequest::Acquire {
//!     key: "lockTrade:42".into(),
//!     owner: "worker-a".into(),
//!     ttl: Millis::from_secs(900),
//! });
//! match redis.apply(&acquire, Clock::Server)? {
//!     Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { fence, .. })) => println!("fence {fence}"),
//!     other => println!("not now: {other:?}"),
//! }
//! # Ok::<(), leasehold_redis::AdapterError>(())
//! ```
//!
//! ## Typed methods
//!
//! Besides [`Leasehold::apply`], every core operation has a typed method returning the core's
//! own outcome type, sync and async, each one round trip: `lock_acquire(key, owner, ttl,
//! clock)` / `lock_acquire_async`, `semaphore_*`, `hold_reserve`, `hold_release`, ...,
//! `limit_check`, `limit_peek`, `limit_reset` (the core's `now` becomes a [`Clock`]).
//!
//! ## Batches
//!
//! [`Leasehold::apply_many`] (and `apply_many_async`) sends many requests in one round trip, a
//! pipeline of `EVALSHA`s, and gives one outcome per request.
//!
//! ## Clock
//!
//! [`Clock::Server`] (the default) has the script read Redis `TIME`; [`Clock::Explicit`] passes
//! `now` for tests, simulation and replay. The expiry stored in each value decides every
//! outcome; Redis key TTLs (set only with the server clock) just reclaim memory once the core
//! would have forgotten the key. Fences never repeat, even after a restart that lost the data:
//! the core's rule `max(last + 1, now × 1000)` follows the server clock.
//!
//! ## Key layout
//!
//! See [`layout`]: `<prefix>:<primitive>:{<key>}[:<part>]`, the braces being the Redis Cluster
//! hash tag, so every key of one operation is in one slot and the adapter runs on a cluster
//! unchanged: `Leasehold<redis::cluster::ClusterConnection>` and
//! `Leasehold<redis::cluster_async::ClusterConnection>` send each `EVALSHA` to the master of
//! its slot, and a `NOSCRIPT` there reloads the script on every master (the tests replay the
//! vectors on a three-master cluster). A request whose keys would span slots is refused before
//! it is sent.
//!
//! ## Errors
//!
//! [`AdapterError::Invalid`] carries the core's [`leasehold_core::Error`]: the adapter runs the
//! core's own checks before sending, and the scripts make them again (in the same order) before
//! their first write, answering `LEASEHOLD <code> [<field>] [<number> ...]`. Connection trouble
//! is [`AdapterError::Connection`]; nothing here panics.
//!
//! ## Hold events
//!
//! Hold events come back in the outcome, and the same script that wrote them appends them to
//! the namespace's stream (and can signal reserves on a channel): see [`HoldEvents`].

mod backend;
mod batch;
mod clock;
mod connection;
mod decode;
mod encode;
#[cfg(test)]
mod encoding_digest;
mod error;
mod events;
pub mod layout;
mod renew;
#[cfg(feature = "testing")]
pub mod testing;
mod typed;
mod validate;

pub use backend::Leasehold;
pub use batch::Outcomes;
pub use clock::Clock;
pub use connection::{AsyncConnection, Client, Connection, Reconnecting, TIMEOUT};
pub use error::AdapterError;
pub use events::HoldEvents;
pub use layout::Layout;
pub use renew::{Lost, RenewPolicy, Renewal};
