//! The hot path of rate limits with the limit set once: [`RawEngine::limit_rule`] checks and
//! keeps a limit, then each check crosses with only the key's length (the key is written in
//! place), the cost and `now`, and a batch crosses with only its size.
//!
//! The JS layer sets the limit again only when it changes, so the limit's eight numbers are
//! neither passed nor checked again on every call. Checks here judge their arguments exactly as
//! [`RawEngine::limit_check`] does, in the same order: the key, the limit's parameters (by the
//! core), the cost, `now`.

use leasehold_core::{Decision, Millis};
use wasm_bindgen::prelude::*;

use crate::batch::{in_place, Buffers};
use crate::failure::Failure;
use crate::limits::{limit, numbers, ALLOWED, DENIED};
use crate::number::{exact, integer};
use crate::RawEngine;

/// Status of a batch whose decisions were all written.
pub const WRITTEN: u32 = 1;

#[wasm_bindgen]
impl RawEngine {
    /// Checks a limit's numbers (as [`RawEngine::limit_check`] does) and keeps it for
    /// [`RawEngine::limit_check_rule`] and [`RawEngine::limit_check_batch`]: [`WRITTEN`], or
    /// [`crate::FAILED`] with no limit kept.
    #[allow(clippy::too_many_arguments)]
    pub fn limit_rule(
        &mut self,
        algorithm: u32,
        a: f64,
        b: f64,
        c: f64,
        block: bool,
        violations: f64,
        within: f64,
        block_for: f64,
    ) -> u32 {
        match limit(algorithm, a, b, c, block, violations, within, block_for) {
            Ok(limit) => {
                self.rule = Some(limit);
                WRITTEN
            }
            Err(failure) => {
                self.rule = None;
                self.refuse(failure)
            }
        }
    }

    /// `Limits::check` under the kept limit, on the key written in place at
    /// [`RawEngine::input_ptr`] (its first `len` bytes, UTF-8): [`ALLOWED`] or [`DENIED`] with
    /// `[limit, remaining, reset_after, retry_after]` at [`RawEngine::out_ptr`], or
    /// [`crate::FAILED`].
    pub fn limit_check_rule(&mut self, len: usize, cost: f64, now: f64) -> u32 {
        // Both numbers are almost always whole: `integer` (out of line) only names a fault.
        let numbers = match (exact(cost), exact(now)) {
            (Some(cost), Some(now)) => Ok((cost, now)),
            _ => integer("cost", cost).and_then(|cost| Ok((cost, integer("now", now)?))),
        };
        let Some(rule) = &self.rule else {
            return self.refuse(Failure::InvalidRequest { message: "no limit was set" });
        };
        let Some(key) = self.input.get(..len).and_then(|bytes| core::str::from_utf8(bytes).ok()) else {
            return self.refuse(Failure::InvalidRequest { message: "the key in place is not UTF-8" });
        };
        // Matched in place: no `Result` of a `Result` to move around in a size-optimized build.
        match numbers {
            Ok((cost, now)) => match self.engine.limits().check(key, rule, cost, Millis(now)) {
                Ok(decision) => self.report(&decision),
                Err(error) => self.refuse(Failure::Core(error)),
            },
            Err(failure) => self.refuse(failure),
        }
    }

    /// Grows the batch buffers to hold `count` keys of `bytes` UTF-8 bytes in all (they never
    /// shrink). Their places may change: read [`RawEngine::batch_text_ptr`],
    /// [`RawEngine::batch_lengths_ptr`] and [`RawEngine::batch_out_ptr`] after.
    pub fn batch_reserve(&mut self, bytes: usize, count: usize) {
        self.batch.reserve(bytes, count);
    }

    /// Where the JS layer writes a batch's keys, UTF-8, one after the other.
    pub fn batch_text_ptr(&self) -> usize {
        self.batch.text.as_ptr().addr()
    }

    /// Where the JS layer writes each key's length in bytes, as `u32`s.
    pub fn batch_lengths_ptr(&self) -> usize {
        self.batch.lengths.as_ptr().addr()
    }

    /// Where a batch's decisions are: five `f64`s per key, `[allowed (1 or 0), limit,
    /// remaining, reset_after, retry_after]`.
    pub fn batch_out_ptr(&self) -> usize {
        self.batch.out.as_ptr().addr()
    }

    /// `Limits::check` under the kept limit on the first `count` keys written in place, in
    /// order, in one crossing: [`WRITTEN`] with every decision at [`RawEngine::batch_out_ptr`],
    /// or [`crate::FAILED`] with no key counted. Every key is checked first (the error carries
    /// the `index` of the first bad one), then the limit, cost and now, by the first check.
    pub fn limit_check_batch(&mut self, count: usize, cost: f64, now: f64) -> u32 {
        match self.check_batch(count, cost, now) {
            Ok(()) => WRITTEN,
            Err(failure) => self.refuse(failure),
        }
    }
}

impl RawEngine {
    /// Writes a decision's numbers for the JS layer and returns its status.
    pub(crate) fn report(&mut self, decision: &Decision) -> u32 {
        let [limit, remaining, reset_after, retry_after] = numbers(decision);
        // One store each: a slice copy would call `memcpy` in a size-optimized build.
        self.out[0] = limit;
        self.out[1] = remaining;
        self.out[2] = reset_after;
        self.out[3] = retry_after;
        if decision.allowed {
            ALLOWED
        } else {
            DENIED
        }
    }

    fn check_batch(&mut self, count: usize, cost: f64, now: f64) -> Result<(), Failure> {
        let rule = self.rule.as_ref().ok_or(Failure::InvalidRequest { message: "no limit was set" })?;
        let Buffers { text, lengths, out } = &mut self.batch;
        let keys = in_place(text, lengths, count)?;
        keys.check_each()?;
        let cost = integer("cost", cost)?;
        let now = Millis(integer("now", now)?);
        let limits = self.engine.limits();
        // The keys are valid and the limit, cost and now the same for every key: the first check
        // refuses what any check would, before anything is counted, and no later one fails.
        // A plain loop: iterator adapters stay calls in a size-optimized build.
        let (mut rest, mut at) = (keys.text(), 0);
        for &len in keys.lengths() {
            let Some((key, tail)) = rest.split_at_checked(len as usize) else { break };
            rest = tail;
            let decision = limits.check(key, rule, cost, now)?;
            let [limit, remaining, reset_after, retry_after] = numbers(&decision);
            if let Some(slot) = out.get_mut(at..at + 5) {
                slot[0] = if decision.allowed { 1.0 } else { 0.0 };
                slot[1] = limit;
                slot[2] = remaining;
                slot[3] = reset_after;
                slot[4] = retry_after;
            }
            at += 5;
        }
        Ok(())
    }
}
