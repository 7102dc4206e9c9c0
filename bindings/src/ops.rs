//! Locks, semaphores and holds: one export per core method, each answering in the wire form
//! (`{"ok": outcome}` or `{"err": error}`, JSON text), the exact shape of a vector's `expect`.
//!
//! A hold's item list crosses as one string and the items' JS lengths, like a batch of keys.

use alloc::string::String;
use alloc::vec::Vec;

use leasehold_core::hold::Cursor;
use leasehold_core::Millis;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::batch::Keys;
use crate::failure::Failure;
use crate::number::integer;
use crate::RawEngine;

fn ms(field: &'static str, value: f64) -> Result<Millis, Failure> {
    integer(field, value).map(Millis)
}

/// `{"ok": outcome}` or `{"err": error}` as JSON text.
pub fn answer<T: Serialize>(result: Result<T, Failure>) -> String {
    let failure = match result {
        Ok(outcome) => match serde_json::to_string(&outcome) {
            Ok(json) => return alloc::format!("{{\"ok\":{json}}}"),
            // Outcomes are plain data with string keys; this cannot happen, but must not trap.
            Err(_) => Failure::InvalidRequest { message: "the outcome could not be serialized" },
        },
        Err(failure) => failure,
    };
    alloc::format!("{{\"err\":{}}}", failure.to_json())
}

fn items<'a>(text: &'a str, lengths: &'a [u32]) -> Result<Vec<&'a str>, Failure> {
    Ok(Keys::new(text, lengths)?.iter().collect())
}

#[wasm_bindgen]
impl RawEngine {
    /// `Locks::acquire`.
    pub fn lock_acquire(&mut self, key: &str, owner: &str, ttl: f64, now: f64) -> String {
        answer((|| Ok(self.engine.locks().acquire(key, owner, ms("ttl", ttl)?, ms("now", now)?)?))())
    }

    /// `Locks::release`.
    pub fn lock_release(&mut self, key: &str, owner: &str, now: f64) -> String {
        answer((|| Ok(self.engine.locks().release(key, owner, ms("now", now)?)?))())
    }

    /// `Locks::extend`.
    pub fn lock_extend(&mut self, key: &str, owner: &str, ttl: f64, now: f64) -> String {
        answer((|| Ok(self.engine.locks().extend(key, owner, ms("ttl", ttl)?, ms("now", now)?)?))())
    }

    /// `Locks::inspect`.
    pub fn lock_inspect(&mut self, key: &str, now: f64) -> String {
        answer((|| Ok(self.engine.locks().inspect(key, ms("now", now)?)?))())
    }

    /// `Semaphores::acquire`.
    pub fn semaphore_acquire(&mut self, key: &str, owner: &str, capacity: f64, ttl: f64, now: f64) -> String {
        answer((|| {
            let capacity = integer("capacity", capacity)?;
            Ok(self.engine.semaphores().acquire(key, owner, capacity, ms("ttl", ttl)?, ms("now", now)?)?)
        })())
    }

    /// `Semaphores::release`.
    pub fn semaphore_release(&mut self, key: &str, owner: &str, now: f64) -> String {
        answer((|| Ok(self.engine.semaphores().release(key, owner, ms("now", now)?)?))())
    }

    /// `Semaphores::extend`.
    pub fn semaphore_extend(&mut self, key: &str, owner: &str, ttl: f64, now: f64) -> String {
        answer((|| Ok(self.engine.semaphores().extend(key, owner, ms("ttl", ttl)?, ms("now", now)?)?))())
    }

    /// `Semaphores::inspect`.
    pub fn semaphore_inspect(&mut self, key: &str, now: f64) -> String {
        answer((|| Ok(self.engine.semaphores().inspect(key, ms("now", now)?)?))())
    }

    /// `Holds::reserve`; `max_holds` is used only when `has_max_holds`.
    #[allow(clippy::too_many_arguments)]
    pub fn hold_reserve(
        &mut self,
        namespace: &str,
        item_text: &str,
        item_lengths: &[u32],
        owner: &str,
        ttl: f64,
        has_max_holds: bool,
        max_holds: f64,
        now: f64,
    ) -> String {
        answer((|| {
            let items = items(item_text, item_lengths)?;
            let ttl = ms("ttl", ttl)?;
            let max_holds = if has_max_holds { Some(integer("max_holds", max_holds)?) } else { None };
            Ok(self.engine.holds().reserve(namespace, &items, owner, ttl, max_holds, ms("now", now)?)?)
        })())
    }

    /// `Holds::release`.
    pub fn hold_release(
        &mut self,
        namespace: &str,
        item_text: &str,
        item_lengths: &[u32],
        owner: &str,
        now: f64,
    ) -> String {
        answer((|| {
            let items = items(item_text, item_lengths)?;
            Ok(self.engine.holds().release(namespace, &items, owner, ms("now", now)?)?)
        })())
    }

    /// `Holds::extend`.
    pub fn hold_extend(
        &mut self,
        namespace: &str,
        item_text: &str,
        item_lengths: &[u32],
        owner: &str,
        ttl: f64,
        now: f64,
    ) -> String {
        answer((|| {
            let items = items(item_text, item_lengths)?;
            Ok(self.engine.holds().extend(namespace, &items, owner, ms("ttl", ttl)?, ms("now", now)?)?)
        })())
    }

    /// `Holds::force_release`.
    pub fn hold_force_release(
        &mut self,
        namespace: &str,
        item_text: &str,
        item_lengths: &[u32],
        now: f64,
    ) -> String {
        answer((|| {
            let items = items(item_text, item_lengths)?;
            Ok(self.engine.holds().force_release(namespace, &items, ms("now", now)?)?)
        })())
    }

    /// `Holds::check`.
    pub fn hold_check(&mut self, namespace: &str, item_text: &str, item_lengths: &[u32], now: f64) -> String {
        answer((|| {
            let items = items(item_text, item_lengths)?;
            Ok(self.engine.holds().check(namespace, &items, ms("now", now)?)?)
        })())
    }

    /// `Holds::list`; the cursor is used only when `has_cursor`.
    pub fn hold_list(
        &mut self,
        namespace: &str,
        has_cursor: bool,
        cursor_expires_at: f64,
        cursor_item: &str,
        limit: f64,
        now: f64,
    ) -> String {
        answer((|| {
            let cursor = if has_cursor {
                Some(Cursor { expires_at: ms("expires_at", cursor_expires_at)?, item: cursor_item.into() })
            } else {
                None
            };
            let limit = integer("limit", limit)?;
            Ok(self.engine.holds().list(namespace, cursor.as_ref(), limit, ms("now", now)?)?)
        })())
    }

    /// `Holds::sweep`.
    pub fn hold_sweep(&mut self, namespace: &str, max: f64, now: f64) -> String {
        answer((|| Ok(self.engine.holds().sweep(namespace, integer("max", max)?, ms("now", now)?)?))())
    }
}
