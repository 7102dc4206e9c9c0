//! Holds: named items reserved per namespace, all-or-nothing, with the expiry in the data.
//!
//! This is tradeit's `reserved-assets_{appId}` list of `{assetId, expired}` blobs done right:
//! a reservation is atomic across its items, a conflict names every conflicting item with its
//! retry time, a refresh by the same owner is idempotent, holds are fenced, a namespace can be
//! capped, and expired holds are reclaimed by bounded sweeps that report each expiry as an event
//! instead of lingering in a list that only grows.
//!
//! Rules shared by every operation here:
//! - A hold is live while `expires_at > now`.
//! - **Lazy sweep.** Every writing operation (reserve, release, extend, force_release, sweep)
//!   first reclaims up to [`LAZY_SWEEP`] dead holds of its namespace, earliest expiry first
//!   (ties by item bytes), each giving an `expired` event. Then, while handling its items, it
//!   reclaims any dead hold it touches the same way. Reading operations (check, list) never
//!   write.
//! - **Events** of an operation are returned in its outcome in the order they happened: sweep
//!   first, then per item in request order. The Redis adapter appends exactly these to the
//!   namespace's stream.
//! - **Fences** come from one sequence per namespace ([`crate::fence`]): a reserve that newly
//!   holds at least one item takes one new fence for all the items it newly holds; refreshed
//!   items keep theirs.
//! - Arguments are checked in parameter order, then `now`, before anything is written.

mod expiry;
mod items;
mod namespace;
mod ops;
mod query;
mod request;

use alloc::sync::Arc;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

pub use items::check_items;
pub use ops::Holds;
pub use ops::NamespacedEvent;
pub use request::{HoldOutcome, HoldRequest, HOLD_OPERATIONS};

use crate::lease::{Extend, LeaseState, Release};
use crate::time::Millis;

/// Dead holds every writing operation reclaims before its own work.
pub const LAZY_SWEEP: usize = 8;

/// What happened to a hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldEventKind {
    /// An item became held.
    Reserved,
    /// A live hold's expiry moved (an extend, or a reserve by the same owner).
    Extended,
    /// A live hold was ended by its owner or by an operator.
    Released,
    /// A dead hold was reclaimed.
    Expired,
}

/// One change to a namespace, for notifications (the Redis adapter's stream entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldEvent {
    /// What happened.
    pub kind: HoldEventKind,
    /// The item.
    pub item: Arc<str>,
    /// The hold's fence.
    pub fence: u64,
    /// The hold's expiry: the new one for `reserved` and `extended`, the one it had for
    /// `released` and `expired`.
    pub expires_at: Millis,
}

/// One item of a successful reserve, in request order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// The hold's fence.
    pub fence: u64,
    /// The caller already held it live: its fence is unchanged and its expiry moved.
    pub refreshed: bool,
}

/// An item another owner holds live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The item.
    pub item: Arc<str>,
    /// Its holder's remaining TTL.
    pub retry_after: Millis,
}

/// The outcome of [`Holds::reserve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reserve {
    /// Every item is now held by the caller until `expires_at`.
    Reserved {
        /// `now + ttl`, for every item.
        expires_at: Millis,
        /// Per item, in request order.
        holds: Vec<Held>,
        /// What changed.
        events: Vec<HoldEvent>,
    },
    /// Some items are held live by other owners; no item was reserved.
    Conflict {
        /// Every conflicting item, in request order.
        conflicts: Vec<Conflict>,
        /// What the lazy sweep reclaimed.
        events: Vec<HoldEvent>,
    },
    /// The namespace's cap would be passed; no item was reserved.
    CapReached {
        /// Live holds in the namespace.
        live: u64,
        /// The cap given.
        max_holds: u64,
        /// Until enough of today's live holds expire for the request to fit (a lower bound:
        /// holds may be extended or taken meanwhile).
        retry_after: Millis,
        /// What the lazy sweep reclaimed.
        events: Vec<HoldEvent>,
    },
}

/// The outcome of a release, extend or force_release: one result per item, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PerItem<R> {
    /// Per item, in request order.
    pub items: Vec<R>,
    /// What changed.
    pub events: Vec<HoldEvent>,
}

/// The outcome of [`Holds::release`] and [`Holds::force_release`].
pub type Released = PerItem<Release>;
/// The outcome of [`Holds::extend`].
pub type Extended = PerItem<Extend>;

/// The outcome of [`Holds::check`]: per item, in request order, held (with fence and expiry) or
/// free. Owners are never revealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checked {
    /// Per item, in request order.
    pub items: Vec<LeaseState>,
}

/// Where a listing resumes: after the hold with this expiry and item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// The last listed hold's expiry.
    pub expires_at: Millis,
    /// The last listed hold's item.
    pub item: Arc<str>,
}

/// One live hold in a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    /// The item.
    pub item: Arc<str>,
    /// Its fence.
    pub fence: u64,
    /// Its expiry.
    pub expires_at: Millis,
}

/// The outcome of [`Holds::list`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page {
    /// Live holds in expiry order (ties by item bytes).
    pub holds: Vec<Listed>,
    /// Where the next page starts, when more live holds follow.
    pub next: Option<Cursor>,
}

/// The outcome of [`Holds::sweep`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Swept {
    /// Dead holds reclaimed.
    pub removed: u64,
    /// Whether dead holds remain.
    pub more: bool,
    /// One `expired` event per reclaimed hold.
    pub events: Vec<HoldEvent>,
}
