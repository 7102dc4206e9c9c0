//! Rate limits with the limit given on every call (the wire form's path, peeks and resets):
//! numbers in, a status out, the decision in [`RawEngine::out_ptr`]. The typed API's checks
//! keep their limit in wasm instead (`rule.rs`).
//!
//! A limit crosses as an algorithm code and up to three parameters, in the declaration order of
//! the core's structs, then the block policy and the cost:
//!
//! | code | algorithm | `a` | `b` | `c` |
//! |---|---|---|---|---|
//! | 0 | fixed window | quota | window | – |
//! | 1 | sliding log | quota | window | – |
//! | 2 | sliding counter | quota | window | – |
//! | 3 | token bucket | capacity | refill | interval |
//! | 4 | GCRA | burst | interval | – |
//! | 5 | cooldown | interval | – | – |

use leasehold_core::{
    Algorithm, AlgorithmKind, BlockPolicy, Cooldown, Decision, FixedWindow, Gcra, Limit, Limits, Millis,
    Reset, SlidingCounter, SlidingLog, TokenBucket,
};
use wasm_bindgen::prelude::*;

use crate::failure::Failure;
use crate::number::integer;
use crate::RawEngine;

/// Status of an admitted check or peek.
pub const ALLOWED: u32 = 1;
/// Status of a denied check or peek.
pub const DENIED: u32 = 2;
/// Status of a reset that forgot live state.
pub const FORGOTTEN: u32 = 1;
/// Status of a reset of a key already in its initial state.
pub const ABSENT: u32 = 2;

/// The limit a call describes, every number checked in parameter order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn limit(
    algorithm: u32,
    a: f64,
    b: f64,
    c: f64,
    block: bool,
    violations: f64,
    within: f64,
    block_for: f64,
) -> Result<Limit, Failure> {
    let ms = |field, value| integer(field, value).map(Millis);
    let algorithm = match algorithm {
        0 => Algorithm::FixedWindow(FixedWindow { quota: integer("quota", a)?, window: ms("window", b)? }),
        1 => Algorithm::SlidingLog(SlidingLog { quota: integer("quota", a)?, window: ms("window", b)? }),
        2 => Algorithm::SlidingCounter(SlidingCounter {
            quota: integer("quota", a)?,
            window: ms("window", b)?,
        }),
        3 => Algorithm::TokenBucket(TokenBucket {
            capacity: integer("capacity", a)?,
            refill: integer("refill", b)?,
            interval: ms("interval", c)?,
        }),
        4 => Algorithm::Gcra(Gcra { burst: integer("burst", a)?, interval: ms("interval", b)? }),
        5 => Algorithm::Cooldown(Cooldown { interval: ms("interval", a)? }),
        _ => return Err(Failure::InvalidRequest { message: "unknown algorithm code" }),
    };
    let block = if block {
        Some(BlockPolicy {
            violations: integer("violations", violations)?,
            within: ms("within", within)?,
            block_for: ms("block_for", block_for)?,
        })
    } else {
        None
    };
    Ok(Limit { algorithm, block })
}

fn kind(algorithm: u32) -> Result<AlgorithmKind, Failure> {
    Ok(match algorithm {
        0 => AlgorithmKind::FixedWindow,
        1 => AlgorithmKind::SlidingLog,
        2 => AlgorithmKind::SlidingCounter,
        3 => AlgorithmKind::TokenBucket,
        4 => AlgorithmKind::Gcra,
        5 => AlgorithmKind::Cooldown,
        _ => return Err(Failure::InvalidRequest { message: "unknown algorithm code" }),
    })
}

/// The decision's numbers, in the order the JS layer reads them.
pub(crate) fn numbers(decision: &Decision) -> [f64; 4] {
    // Every number of a decision is below 2^53: the conversions are exact.
    [
        decision.limit as f64,
        decision.remaining as f64,
        decision.reset_after.0 as f64,
        decision.retry_after.0 as f64,
    ]
}

#[wasm_bindgen]
impl RawEngine {
    /// `Limits::check`: [`ALLOWED`] or [`DENIED`] with `[limit, remaining, reset_after,
    /// retry_after]` at [`RawEngine::out_ptr`], or [`crate::FAILED`].
    #[allow(clippy::too_many_arguments)]
    pub fn limit_check(
        &mut self,
        key: &str,
        algorithm: u32,
        a: f64,
        b: f64,
        c: f64,
        block: bool,
        violations: f64,
        within: f64,
        block_for: f64,
        cost: f64,
        now: f64,
    ) -> u32 {
        let limits = self.engine.limits();
        let result = decision(
            limits,
            key,
            algorithm,
            [a, b, c],
            block,
            [violations, within, block_for],
            cost,
            now,
            true,
        );
        self.finish(result)
    }

    /// `Limits::peek`: as [`RawEngine::limit_check`], writing nothing.
    #[allow(clippy::too_many_arguments)]
    pub fn limit_peek(
        &mut self,
        key: &str,
        algorithm: u32,
        a: f64,
        b: f64,
        c: f64,
        block: bool,
        violations: f64,
        within: f64,
        block_for: f64,
        cost: f64,
        now: f64,
    ) -> u32 {
        let limits = self.engine.limits();
        let result = decision(
            limits,
            key,
            algorithm,
            [a, b, c],
            block,
            [violations, within, block_for],
            cost,
            now,
            false,
        );
        self.finish(result)
    }

    /// `Limits::reset`: [`FORGOTTEN`] or [`ABSENT`], or [`crate::FAILED`].
    pub fn limit_reset(&mut self, key: &str, algorithm: u32, now: f64) -> u32 {
        let mut run = || -> Result<Reset, Failure> {
            let algorithm = kind(algorithm)?;
            let now = Millis(integer("now", now)?);
            Ok(self.engine.limits().reset(key, algorithm, now)?)
        };
        match run() {
            Ok(Reset::Forgotten) => FORGOTTEN,
            Ok(Reset::Absent) => ABSENT,
            Err(failure) => self.refuse(failure),
        }
    }
}

/// A check (`count`) or a peek on validated numbers.
#[allow(clippy::too_many_arguments)]
#[inline]
fn decision(
    limits: &mut Limits,
    key: &str,
    algorithm: u32,
    [a, b, c]: [f64; 3],
    block: bool,
    [violations, within, block_for]: [f64; 3],
    cost: f64,
    now: f64,
    count: bool,
) -> Result<Decision, Failure> {
    let limit = limit(algorithm, a, b, c, block, violations, within, block_for)?;
    let cost = integer("cost", cost)?;
    let now = Millis(integer("now", now)?);
    Ok(if count { limits.check(key, &limit, cost, now)? } else { limits.peek(key, &limit, cost, now)? })
}

impl RawEngine {
    /// Writes a decision's numbers for the JS layer and returns its status, or records the
    /// failure.
    fn finish(&mut self, result: Result<Decision, Failure>) -> u32 {
        match result {
            Ok(decision) => self.report(&decision),
            Err(failure) => self.refuse(failure),
        }
    }
}
