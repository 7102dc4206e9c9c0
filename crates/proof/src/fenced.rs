//! The fenced resource: a fake storage that remembers, per resource, the highest fence it has
//! accepted and rejects any write carrying a lower one. It is what a lock's fencing token
//! protects: a holder that lost its lock without knowing (paused, partitioned) cannot overwrite
//! the work of the holder that came after it, once that one has written.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

/// What the resource did with a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Write {
    /// The write was applied; `order` is its place among every write to any resource.
    Accepted {
        /// Global order of the write.
        order: u64,
    },
    /// A higher fence had already written.
    Rejected {
        /// Global order of the attempt.
        order: u64,
        /// The highest fence accepted so far.
        highest: u64,
    },
}

/// Many resources behind one lock, so writes have one global order.
#[derive(Debug, Default)]
pub struct FencedStore {
    state: Mutex<(u64, HashMap<String, u64>)>,
}

impl FencedStore {
    /// An empty store.
    pub fn new() -> FencedStore {
        FencedStore::default()
    }

    /// Writes to `resource` under `fence`: accepted when `fence` is at least the highest fence
    /// accepted for it so far (the same holder may write many times).
    pub fn write(&self, resource: &str, fence: u64) -> Write {
        let mut guard = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (order, highest) = &mut *guard;
        *order += 1;
        let top = highest.entry(resource.to_owned()).or_insert(0);
        if fence >= *top {
            *top = fence;
            Write::Accepted { order: *order }
        } else {
            Write::Rejected { order: *order, highest: *top }
        }
    }
}
