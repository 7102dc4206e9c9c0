//! # leasehold-playground
//!
//! The simulator and the in-memory engine compiled to wasm for the browser playground in
//! `www/` (`cargo xtask playground` builds it with `wasm-bindgen --target web` into `www/pkg`).
//! Only strings and numbers cross the boundary; structured values are JSON.
//!
//! A page's Web Worker creates a [`Playground`] from scenario JSON, then advances it in
//! slices, taking the new trace lines and a progress report after each, so the page can draw
//! while the run goes on. The trace lines are byte for byte those `leasehold simulate` writes,
//! the hash is the one it prints, and the final metrics are its `metrics.json`.
//!
//! ```
//! use leasehold_playground::fault::Fault;
//! use leasehold_playground::session::{parse_scenario, Session};
//!
//! let json = leasehold_sim::presets::find("stale-writer").unwrap().json;
//! let mut session = Session::new(parse_scenario(json).unwrap(), true, Fault::None);
//! while !session.is_done() {
//!     session.advance(u64::MAX, 1_000).unwrap();
//! }
//! let trace = session.take_trace();
//! assert!(trace.starts_with("{\"leasehold_trace\":1,\"scenario\":\"stale-writer\""));
//! let replayed = leasehold_playground::replay::replay(&trace).unwrap();
//! assert_eq!(replayed.hash, session.trace_hash().0);
//! ```

pub mod error;
pub mod fault;
pub mod limit_series;
pub mod replay;
pub mod session;
pub mod trace_buffer;

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsError;

use crate::error::PlaygroundError;
use crate::fault::Fault;
use crate::session::{parse_scenario, Session};

fn js(error: PlaygroundError) -> JsError {
    JsError::new(&error.to_string())
}

/// A whole number from JS: finite, not negative, saturated at `u64::MAX` for `Infinity`.
fn whole(name: &str, value: f64) -> Result<u64, PlaygroundError> {
    if value.is_nan() || value < 0.0 {
        return Err(PlaygroundError::new("argument", format!("{name} must be a number ≥ 0, not {value}")));
    }
    // Saturating float-to-integer cast: Infinity becomes u64::MAX, fractions are dropped.
    Ok(value as u64)
}

/// The shipped presets as JSON: `[{"name": ..., "json": "<scenario file>"}, ...]`.
#[wasm_bindgen]
pub fn presets() -> String {
    let list: Vec<serde_json::Value> = leasehold_sim::presets::PRESETS
        .iter()
        .map(|p| serde_json::json!({"name": p.name, "json": p.json}))
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// Replays a whole trace (JSON lines) on a fresh engine as `leasehold replay` does; returns
/// `{"scenario", "seed", "steps", "hash"}` or throws with the first line that differs.
#[wasm_bindgen]
pub fn replay(trace: &str) -> Result<String, JsError> {
    let replayed = replay::replay(trace).map_err(js)?;
    serde_json::to_string(&replayed).map_err(|e| JsError::new(&e.to_string()))
}

/// One run of a scenario, advanced by the page. Errors thrown are `Error`s whose message
/// starts with a stable code (`scenario_json: ...`, `scenario_invalid: ...`, `finished: ...`,
/// `argument: ...`).
#[wasm_bindgen]
pub struct Playground {
    session: Session,
}

#[wasm_bindgen]
impl Playground {
    /// A run of `scenario` (JSON, as the CLI reads it) at its start; with `keep_trace` false
    /// the trace is hashed but its lines are not kept. `fault` plants a bug in the engine to
    /// watch the checker catch it: `"none"` (or `""`) or `"grant_held_locks"`.
    #[wasm_bindgen(constructor)]
    pub fn new(scenario: &str, keep_trace: bool, fault: &str) -> Result<Playground, JsError> {
        let scenario = parse_scenario(scenario).map_err(js)?;
        let fault = Fault::parse(fault).map_err(js)?;
        Ok(Playground { session: Session::new(scenario, keep_trace, fault) })
    }

    /// Runs wake-ups up to `until` virtual ms after the start, at most `max_wakeups` of them;
    /// returns `{"clock", "steps", "wakeups", "done"}`.
    pub fn advance(&mut self, until: f64, max_wakeups: f64) -> Result<String, JsError> {
        let until = whole("until", until).map_err(js)?;
        let max = whole("max_wakeups", max_wakeups).map_err(js)?;
        let progress = self.session.advance(until, max).map_err(js)?;
        serde_json::to_string(&progress).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The trace lines written since the last call, each ending in `\n` (the header first).
    #[wasm_bindgen(js_name = takeTrace)]
    pub fn take_trace(&mut self) -> String {
        self.session.take_trace()
    }

    /// `{"hash": "<fnv1a64 hex>", "lines": n}` of the trace so far.
    #[wasm_bindgen(js_name = traceHash)]
    pub fn trace_hash(&mut self) -> String {
        let (hash, lines) = self.session.trace_hash();
        serde_json::json!({"hash": hash, "lines": lines}).to_string()
    }

    /// The metrics so far as JSON; once the run is over, exactly `leasehold simulate --out`'s
    /// `metrics.json` when `pretty`.
    pub fn metrics(&self, pretty: bool) -> String {
        let metrics = self.session.metrics();
        let text =
            if pretty { serde_json::to_string_pretty(&metrics) } else { serde_json::to_string(&metrics) };
        text.unwrap_or_default()
    }

    /// The violation that stopped the run with its history, or `null`.
    pub fn violation(&self) -> String {
        serde_json::to_string(&self.session.violation()).unwrap_or_default()
    }

    /// `{"bucket_ms", "groups": {"<group>": [[admitted, denied], ...]}}`: rate-limit checks so
    /// far per group per sample interval.
    #[wasm_bindgen(js_name = limitSeries)]
    pub fn limit_series(&mut self) -> String {
        serde_json::to_string(&self.session.limit_series()).unwrap_or_default()
    }

    /// The scenario being run, as JSON.
    pub fn scenario(&self) -> String {
        serde_json::to_string(self.session.scenario()).unwrap_or_default()
    }
}
