//! # leasehold-wasm
//!
//! `leasehold-core` compiled to wasm: the raw module under the npm package `leasehold`.
//!
//! This crate is the only place where JS values meet the core. It exports one class,
//! [`RawEngine`], with one method per core operation; each converts its arguments (strings and
//! numbers, never JS objects), calls one core function and hands the result back in the
//! cheapest form that crosses the boundary:
//!
//! - **locks, semaphores and holds** answer in the core's wire form, `{"ok": outcome}` or
//!   `{"err": error}` as JSON text: the exact shape of a vector's `expect`, which the JS layer
//!   parses once and either returns as is (`Engine.apply`) or turns into camelCase.
//! - **rate limits**, the hot path: numbers in, a status code out, the decision's numbers
//!   written to a small buffer the JS layer reads in place ([`RawEngine::out_ptr`]), and a batch
//!   form that checks many keys in one crossing.
//!
//! Requests are never parsed here: the JS layer reads the wire form of a request and calls the
//! matching method. Only serialization is compiled in, which keeps the wasm small.
//!
//! Nothing here panics or traps on any input: numbers go through [`number::integer`], strings
//! are checked by the core, and a refusal is recorded for [`RawEngine::take_error`] instead of
//! being thrown, so the JS layer throws its own error classes. A refused call changes nothing.
//!
//! The typed camelCase API, the error classes, `withLock` and the rate-limit middleware are
//! written in TypeScript in `bindings/js/`.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

mod batch;
pub mod failure;
mod limits;
pub mod number;
mod ops;
mod rule;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use leasehold_core::{Engine, HoldEventKind, Millis};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::failure::Failure;
use crate::number::integer;

/// On wasm, the allocator std would have brought.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// On wasm, a panic (which no input can cause: every argument is checked and nothing is
/// unwrapped) stops the module as `panic = "abort"` would, without formatting a message.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Room for a key written in place: twice the longest key the core accepts, so a too-long
/// key up to that length is still judged (and reported) by the core.
pub const INPUT_BYTES: usize = 1024;

/// Status returned by a hot-path method that was refused; [`RawEngine::take_error`] says why.
pub const FAILED: u32 = 0;

/// The in-memory engine as the JS layer drives it.
#[wasm_bindgen]
pub struct RawEngine {
    engine: Engine,
    /// The numbers of the last hot-path result, read in place by the JS layer.
    out: Box<[f64; 8]>,
    /// The key of the next hot-path call, written in place by the JS layer as UTF-8: no
    /// allocation and no second crossing per call.
    input: Box<[u8; INPUT_BYTES]>,
    /// Why the last refused call was refused.
    error: Option<Failure>,
    /// The limit of the hot path's checks, set by [`RawEngine::limit_rule`].
    rule: Option<leasehold_core::Limit>,
    /// A batch of keys written in place, and their decisions.
    batch: batch::Buffers,
}

/// The module's linear memory, for reading [`RawEngine::out_ptr`] in place.
#[wasm_bindgen]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// What one round of active expiry did, in wire form.
#[derive(Serialize)]
struct Expired<'a> {
    locks: usize,
    semaphores: usize,
    limits: usize,
    hold_events: Vec<Reclaimed<'a>>,
}

/// A dead hold reclaimed by active expiry: its namespace and its `expired` event.
#[derive(Serialize)]
struct Reclaimed<'a> {
    namespace: &'a str,
    kind: HoldEventKind,
    item: &'a str,
    fence: u64,
    expires_at: Millis,
}

#[wasm_bindgen]
impl RawEngine {
    /// An empty engine hashing with `seed` (an integer below 2^53; anything else hashes with 0).
    /// Outcomes never depend on the seed.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: f64) -> RawEngine {
        let seed = integer("seed", seed).unwrap_or(0);
        RawEngine {
            engine: Engine::with_hash_seed(seed),
            out: Box::new([0.0; 8]),
            input: Box::new([0; INPUT_BYTES]),
            error: None,
            rule: None,
            batch: batch::Buffers::default(),
        }
    }

    /// Where the numbers of the last hot-path result are: eight `f64`s in [`wasm_memory`].
    pub fn out_ptr(&self) -> usize {
        self.out.as_ptr().addr()
    }

    /// Where the JS layer writes the key of an `*_in` call: [`INPUT_BYTES`] bytes in
    /// [`wasm_memory`].
    pub fn input_ptr(&self) -> usize {
        self.input.as_ptr().addr()
    }

    /// Why the last refused call was refused, as JSON (`{"code": ...}`); `null` when none was.
    pub fn take_error(&mut self) -> String {
        match self.error.take() {
            Some(failure) => failure.to_json(),
            None => String::from("null"),
        }
    }

    /// Active expiry with a work budget per table, at `now`; the JSON of what was forgotten,
    /// with an `expired` event (and its namespace) per dead hold reclaimed.
    pub fn expire_json(&mut self, now: f64, budget: f64) -> String {
        let (now, budget) = match (integer("now", now), integer("budget", budget)) {
            (Ok(now), Ok(budget)) => (Millis(now), usize::try_from(budget).unwrap_or(usize::MAX)),
            (Err(failure), _) | (_, Err(failure)) => return ops::answer::<()>(Err(failure)),
        };
        let expired = self.engine.expire(now, budget);
        let hold_events = expired
            .hold_events
            .iter()
            .map(|reclaimed| Reclaimed {
                namespace: &reclaimed.namespace,
                kind: reclaimed.event.kind,
                item: &reclaimed.event.item,
                fence: reclaimed.event.fence,
                expires_at: reclaimed.event.expires_at,
            })
            .collect();
        let expired = Expired {
            locks: expired.locks,
            semaphores: expired.semaphores,
            limits: expired.limits,
            hold_events,
        };
        ops::answer(Ok(expired))
    }

    /// Whether the engine remembers nothing at all.
    pub fn is_empty(&self) -> bool {
        self.engine.is_empty()
    }
}

impl RawEngine {
    /// Records `failure` for [`RawEngine::take_error`] and returns [`FAILED`].
    fn refuse(&mut self, failure: Failure) -> u32 {
        self.error = Some(failure);
        FAILED
    }
}
