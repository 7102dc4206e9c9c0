//! Rate-limit operations as data, for vectors, traces and the bindings.

use alloc::string::String;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::time::Millis;

use super::{Algorithm, AlgorithmKind, BlockPolicy, Decision, Limit, Limits, Reset};

/// A rate-limit operation.
///
/// ```json
/// {"check": {"key": "login_ip:1.2.3.4",
///            "algorithm": {"fixed_window": {"quota": 10, "window": 900000}},
///            "block": {"violations": 3, "within": 60000, "block_for": 3600000},
///            "cost": 1}}
/// {"peek": {"key": "api:k1", "algorithm": {"gcra": {"burst": 5, "interval": 100}}, "cost": 2}}
/// {"reset": {"key": "login_ip:1.2.3.4", "algorithm": "fixed_window"}}
/// ```
///
/// `block` may be left out; every other field is required and unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum LimitRequest {
    /// [`Limits::check`].
    Check {
        /// The rate-limited key.
        key: String,
        /// The algorithm and its parameters.
        algorithm: Algorithm,
        /// The block policy, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        block: Option<BlockPolicy>,
        /// The check's weight.
        cost: u64,
    },
    /// [`Limits::peek`].
    Peek {
        /// The rate-limited key.
        key: String,
        /// The algorithm and its parameters.
        algorithm: Algorithm,
        /// The block policy, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        block: Option<BlockPolicy>,
        /// The weight of the check to preview.
        cost: u64,
    },
    /// [`Limits::reset`].
    Reset {
        /// The rate-limited key.
        key: String,
        /// Which algorithm's state to forget.
        algorithm: AlgorithmKind,
    },
}

/// The outcome of a [`LimitRequest`]; serialized as the inner outcome alone: a decision object
/// for a check or a peek, `"forgotten"` or `"absent"` for a reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum LimitOutcome {
    /// Of a check.
    Check(Decision),
    /// Of a peek.
    Peek(Decision),
    /// Of a reset.
    Reset(Reset),
}

impl Limits {
    /// Runs one [`LimitRequest`].
    pub fn apply(&mut self, request: &LimitRequest, now: Millis) -> Result<LimitOutcome, Error> {
        Ok(match request {
            LimitRequest::Check { key, algorithm, block, cost } => {
                let limit = Limit { algorithm: *algorithm, block: *block };
                LimitOutcome::Check(self.check(key, &limit, *cost, now)?)
            }
            LimitRequest::Peek { key, algorithm, block, cost } => {
                let limit = Limit { algorithm: *algorithm, block: *block };
                LimitOutcome::Peek(self.peek(key, &limit, *cost, now)?)
            }
            LimitRequest::Reset { key, algorithm } => LimitOutcome::Reset(self.reset(key, *algorithm, now)?),
        })
    }
}
