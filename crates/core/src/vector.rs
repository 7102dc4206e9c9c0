//! The conformance vector format, shared by every runner.
//!
//! A vector file (`tests/vectors/*.json`) is:
//!
//! ```json
//! {
//!   "about": "what the file covers",
//!   "cases": [
//!     {
//!       "name": "second_acquire_is_denied_until_the_ttl_passes",
//!       "origin": "optional: the bug or seed pattern the case comes from",
//!       "steps": [
//!         { "now": 1000,
//!           "op": { "lock": { "acquire": { "key": "k", "owner": "a", "ttl": 500 } } },
//!           "expect": { "ok": { "granted": { "fence": 1000000, "expires_at": 1500, "reacquired": false } } } },
//!         { "now": 1000,
//!           "op": { "lock": { "acquire": { "key": "", "owner": "a", "ttl": 500 } } },
//!           "expect": { "err": { "code": "empty", "field": "key" } } }
//!       ]
//!     }
//!   ]
//! }
//! ```
//!
//! Every case starts on a fresh engine. `op` is a [`Request`]; `expect` holds either `ok`, the
//! serialized outcome, or `err`, the serialized [`crate::Error`]. Runners compare the JSON of
//! what they got with `expect` exactly. The expectation type is left to the runner (a JSON value
//! in Rust, a JS object in Node) so that this crate needs no JSON parser.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::request::Request;
use crate::time::Millis;

/// One vector file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile<X> {
    /// What the file covers.
    pub about: String,
    /// Its cases, each on a fresh engine.
    pub cases: Vec<Case<X>>,
}

/// One case: a sequence of steps on a fresh engine.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case<X> {
    /// A behaviour sentence.
    pub name: String,
    /// Where the case comes from, when it was born from a bug or a seed pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The steps, in order.
    pub steps: Vec<Step<X>>,
}

/// One operation and what it must give.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step<X> {
    /// The time of the operation.
    pub now: Millis,
    /// The operation.
    pub op: Request,
    /// `{"ok": outcome}` or `{"err": error}`.
    pub expect: X,
    /// Why the step expects what it does, for readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
