//! # leasehold-wasm
//!
//! `leasehold-core` compiled to wasm: the raw module under the npm package `leasehold`.
//!
//! This crate is the only place where JS values meet the core. It exports one class,
//! [`RawEngine`], whose methods each convert their arguments, call one core function and hand
//! the result back in the cheapest form that crosses the boundary:
//!
//! - **the wire path**, [`RawEngine::apply_json`]: a request in the core's serialized form in,
//!   `{"ok": outcome}` or `{"err": error}` out, both JSON text. Exact for every value below 2^53
//!   (JSON numbers are parsed as `u64`, not as doubles), which is why the vector replay uses it.
//!   Holds, locks and semaphores of the typed JS API go through it too.
//! - **the hot path**, the `limit_*` methods: numbers in, a status code out, the decision's
//!   numbers written to a small buffer the JS layer reads in place ([`RawEngine::out_ptr`]), and
//!   a batch form that checks many keys in one crossing.
//!
//! Nothing here panics or traps on any input: numbers go through [`number::integer`], strings
//! are checked by the core, and a refusal is recorded for [`RawEngine::take_error`] instead of
//! being thrown, so the JS layer throws its own error classes. A refused call changes nothing.
//!
//! The typed camelCase API, the error classes, `withLock` and the rate-limit middleware are
//! written in TypeScript in `bindings/js/`.

mod batch;
pub mod failure;
mod limits;
pub mod number;

use leasehold_core::{Engine, Millis, Request};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::failure::Failure;
use crate::number::integer;

/// Status returned by a hot-path method that was refused; [`RawEngine::take_error`] says why.
pub const FAILED: u32 = 0;

/// The in-memory engine as the JS layer drives it.
#[wasm_bindgen]
pub struct RawEngine {
    engine: Engine,
    /// The numbers of the last hot-path result, read in place by the JS layer.
    out: Box<[f64; 8]>,
    /// Why the last refused call was refused.
    error: Option<Failure>,
}

/// The module's linear memory, for reading [`RawEngine::out_ptr`] in place.
#[wasm_bindgen]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// `{"ok": ...}` or `{"err": ...}`, the shape of a vector's `expect`.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Wire<T> {
    Ok(T),
    Err(Value),
}

fn wire<T: Serialize>(result: Result<T, Failure>) -> String {
    let text = match result {
        Ok(outcome) => serde_json::to_string(&Wire::Ok(outcome)),
        Err(failure) => serde_json::to_string(&Wire::<T>::Err(failure.to_value())),
    };
    // The outcomes are plain data with string keys: serializing them cannot fail.
    text.unwrap_or_else(|error| {
        format!("{{\"err\":{{\"code\":\"invalid_request\",\"message\":\"{error}\"}}}}")
    })
}

/// What one round of active expiry did, in wire form.
#[derive(Serialize)]
struct Expired {
    locks: usize,
    semaphores: usize,
    limits: usize,
    hold_events: Vec<Value>,
}

#[wasm_bindgen]
impl RawEngine {
    /// An empty engine hashing with `seed` (an integer below 2^53; anything else hashes with 0).
    /// Outcomes never depend on the seed.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: f64) -> RawEngine {
        let seed = integer("seed", seed).unwrap_or(0);
        RawEngine { engine: Engine::with_hash_seed(seed), out: Box::new([0.0; 8]), error: None }
    }

    /// Where the numbers of the last hot-path result are: eight `f64`s in [`wasm_memory`].
    pub fn out_ptr(&self) -> usize {
        self.out.as_ptr().addr()
    }

    /// Why the last refused call was refused, as JSON (`{"code": ...}`); `null` when none was.
    pub fn take_error(&mut self) -> String {
        match self.error.take() {
            Some(failure) => failure.to_value().to_string(),
            None => "null".into(),
        }
    }

    /// Runs one request given in the core's serialized form (`{"lock": {"acquire": {...}}}`) at
    /// `now`, and returns `{"ok": outcome}` or `{"err": error}` as JSON. Never throws: a request
    /// that does not parse is `{"err": {"code": "invalid_request", "message": ...}}`.
    pub fn apply_json(&mut self, request: &str, now: f64) -> String {
        let mut run = || {
            let request: Request = serde_json::from_str(request)
                .map_err(|error| Failure::InvalidRequest { message: error.to_string() })?;
            let now = Millis(integer("now", now)?);
            Ok(self.engine.apply(&request, now)?)
        };
        wire(run())
    }

    /// Active expiry with a work budget per table, at `now`; the JSON of what was forgotten,
    /// with an `expired` event (and its namespace) per dead hold reclaimed.
    pub fn expire_json(&mut self, now: f64, budget: f64) -> String {
        let mut run = || {
            let now = Millis(integer("now", now)?);
            let budget = integer("budget", budget)?;
            let budget = usize::try_from(budget).unwrap_or(usize::MAX);
            let expired = self.engine.expire(now, budget);
            let hold_events = expired
                .hold_events
                .iter()
                .map(|reclaimed| {
                    let mut event = serde_json::to_value(&reclaimed.event).unwrap_or(Value::Null);
                    if let Value::Object(fields) = &mut event {
                        fields.insert("namespace".into(), Value::from(reclaimed.namespace.as_str()));
                    }
                    event
                })
                .collect();
            Ok(Expired {
                locks: expired.locks,
                semaphores: expired.semaphores,
                limits: expired.limits,
                hold_events,
            })
        };
        wire(run())
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
