//! Hold operations as data, for vectors, traces and the bindings.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::{Checked, Cursor, Extended, Holds, Page, Released, Reserve, Swept};
use crate::error::Error;
use crate::time::Millis;

/// A hold operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum HoldRequest {
    /// [`Holds::reserve`].
    Reserve {
        /// The namespace.
        namespace: String,
        /// The items, all or none.
        items: Vec<String>,
        /// The caller's owner token.
        owner: String,
        /// How long the holds last.
        ttl: Millis,
        /// The namespace's cap on live holds, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_holds: Option<u64>,
    },
    /// [`Holds::release`].
    Release {
        /// The namespace.
        namespace: String,
        /// The items.
        items: Vec<String>,
        /// The caller's owner token.
        owner: String,
    },
    /// [`Holds::extend`].
    Extend {
        /// The namespace.
        namespace: String,
        /// The items.
        items: Vec<String>,
        /// The caller's owner token.
        owner: String,
        /// The new TTL from `now`.
        ttl: Millis,
    },
    /// [`Holds::force_release`].
    ForceRelease {
        /// The namespace.
        namespace: String,
        /// The items.
        items: Vec<String>,
    },
    /// [`Holds::check`].
    Check {
        /// The namespace.
        namespace: String,
        /// The items.
        items: Vec<String>,
    },
    /// [`Holds::list`].
    List {
        /// The namespace.
        namespace: String,
        /// Where to resume; the start when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cursor: Option<Cursor>,
        /// Page size.
        limit: u64,
    },
    /// [`Holds::sweep`].
    Sweep {
        /// The namespace.
        namespace: String,
        /// Most dead holds to reclaim.
        max: u64,
    },
}

/// The outcome of a [`HoldRequest`]; serialized as the inner outcome alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum HoldOutcome {
    /// Of a reserve.
    Reserve(Reserve),
    /// Of a release or force_release.
    Release(Released),
    /// Of an extend.
    Extend(Extended),
    /// Of a check.
    Check(Checked),
    /// Of a list.
    List(Page),
    /// Of a sweep.
    Sweep(Swept),
}

impl HoldRequest {
    /// The operation's name in vectors and traces.
    pub fn name(&self) -> &'static str {
        match self {
            HoldRequest::Reserve { .. } => "hold.reserve",
            HoldRequest::Release { .. } => "hold.release",
            HoldRequest::Extend { .. } => "hold.extend",
            HoldRequest::ForceRelease { .. } => "hold.force_release",
            HoldRequest::Check { .. } => "hold.check",
            HoldRequest::List { .. } => "hold.list",
            HoldRequest::Sweep { .. } => "hold.sweep",
        }
    }
}

/// Every hold operation name.
pub const HOLD_OPERATIONS: &[&str] = &[
    "hold.reserve",
    "hold.release",
    "hold.extend",
    "hold.force_release",
    "hold.check",
    "hold.list",
    "hold.sweep",
];

impl Holds {
    /// Runs one [`HoldRequest`].
    pub fn apply(&mut self, request: &HoldRequest, now: Millis) -> Result<HoldOutcome, Error> {
        Ok(match request {
            HoldRequest::Reserve { namespace, items, owner, ttl, max_holds } => {
                HoldOutcome::Reserve(self.reserve(namespace, items, owner, *ttl, *max_holds, now)?)
            }
            HoldRequest::Release { namespace, items, owner } => {
                HoldOutcome::Release(self.release(namespace, items, owner, now)?)
            }
            HoldRequest::Extend { namespace, items, owner, ttl } => {
                HoldOutcome::Extend(self.extend(namespace, items, owner, *ttl, now)?)
            }
            HoldRequest::ForceRelease { namespace, items } => {
                HoldOutcome::Release(self.force_release(namespace, items, now)?)
            }
            HoldRequest::Check { namespace, items } => HoldOutcome::Check(self.check(namespace, items, now)?),
            HoldRequest::List { namespace, cursor, limit } => {
                HoldOutcome::List(self.list(namespace, cursor.as_ref(), *limit, now)?)
            }
            HoldRequest::Sweep { namespace, max } => HoldOutcome::Sweep(self.sweep(namespace, *max, now)?),
        })
    }
}
