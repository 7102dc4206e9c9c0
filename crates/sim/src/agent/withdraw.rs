//! A user withdrawing items: reserve, lock each asset, trade, release; or crash, or fail to
//! release (seed 000, tradeit's withdraw flow).

use alloc::string::String;
use alloc::vec::Vec;

use leasehold_core::hold::Reserve;
use leasehold_core::lock::LockOutcome;
use leasehold_core::{Acquire, HoldOutcome, HoldRequest, LockRequest, Millis, Outcome, Request};

use super::{next_session, owner};
use crate::backend::Backend;
use crate::legacy::app_of;
use crate::runner::{Cx, Stop};
use crate::scenario::{Arrival, Withdraw};
use crate::trace::Sink;

/// Where a withdrawing user is.
#[derive(Debug, Default)]
pub struct State {
    owner: String,
    incarnation: u32,
    burst: u32,
    tries: u32,
    session_start: u64,
    items: Vec<String>,
    locks: Vec<String>,
    hold_expires: u64,
    /// Trading; `true` when the session will crash at the next wake-up.
    trading: Option<bool>,
}

impl State {
    pub(super) fn wake<B: Backend, S: Sink>(
        &mut self,
        cx: &mut Cx<'_, B, S>,
        w: &Withdraw,
        arrival: &Arrival,
    ) -> Result<Option<u64>, Stop> {
        match self.trading.take() {
            Some(true) => Ok(self.crash(cx, arrival)),
            Some(false) => self.finish(cx, w, arrival),
            None => self.attempt(cx, w, arrival),
        }
    }

    fn attempt<B: Backend, S: Sink>(
        &mut self,
        cx: &mut Cx<'_, B, S>,
        w: &Withdraw,
        arrival: &Arrival,
    ) -> Result<Option<u64>, Stop> {
        if self.tries == 0 {
            self.session_start = cx.now;
            cx.stats().sessions += 1;
            if self.owner.is_empty() {
                self.owner = owner(cx.agent, self.incarnation);
            }
        }
        let wanted = w.items.sample(cx.rng).clamp(1, w.inventory.min(1000));
        self.items.clear();
        while (self.items.len() as u64) < wanted {
            let index = cx.rng.below(w.inventory);
            let item = item_name(index % w.bots, index);
            if !self.items.contains(&item) {
                self.items.push(item);
            }
        }
        let request = Request::Hold(HoldRequest::Reserve {
            namespace: w.namespace.clone(),
            items: core::mem::take(&mut self.items),
            owner: core::mem::take(&mut self.owner),
            ttl: Millis(w.hold_ttl),
            max_holds: None,
        });
        let answer = cx.apply_ref(&request);
        self.take_back(request);
        let reserved = match answer? {
            Ok(Outcome::Hold(HoldOutcome::Reserve(Reserve::Reserved { expires_at, .. }))) => {
                Some(expires_at.0)
            }
            Ok(_) => None,
            Err(_) => {
                cx.stats().gave_up += 1;
                self.tries = 0;
                return Ok(next_session(cx, arrival, &mut self.burst));
            }
        };
        if w.legacy {
            let until = reserved.unwrap_or(cx.now + w.hold_ttl);
            let now = cx.now;
            let legacy = cx.legacy().reserve(app_of(&w.namespace), &self.items, now, until);
            if legacy != reserved.is_some() {
                cx.legacy_stats().disagreements += 1;
            }
        }
        let Some(expires) = reserved else { return Ok(self.retry(cx, w, arrival)) };
        self.hold_expires = expires;
        if let Some(ttl) = w.lock_ttl {
            self.locks.clear();
            for index in 0..self.items.len() {
                let item = &self.items[index];
                let mut key = String::with_capacity(10 + item.len());
                key.push_str("lockTrade:");
                key.push_str(item);
                let owner = core::mem::take(&mut self.owner);
                let request = Request::Lock(LockRequest::Acquire { key, owner, ttl: Millis(ttl) });
                let answer = cx.apply_ref(&request);
                let key = self.take_back(request);
                let answer = answer?;
                match answer {
                    Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { .. }))) => self.locks.push(key),
                    _ => {
                        self.release_all(cx, w)?;
                        return Ok(self.retry(cx, w, arrival));
                    }
                }
            }
        }
        cx.waited(cx.now - self.session_start);
        self.tries = 0;
        let trade = w.trade.sample(cx.rng);
        let crash = cx.rng.chance(w.crash_ppm);
        self.trading = Some(crash);
        Ok(Some(cx.now + if crash { cx.rng.below(trade.max(1)) } else { trade }))
    }

    /// Takes back what a request borrowed from the agent (its owner token, its items) and
    /// returns a lock request's key: requests own their strings, and copying them for every
    /// operation was most of the simulator's overhead.
    fn take_back(&mut self, request: Request) -> String {
        match request {
            Request::Hold(
                HoldRequest::Reserve { items, owner, .. } | HoldRequest::Release { items, owner, .. },
            ) => {
                self.items = items;
                self.owner = owner;
                String::new()
            }
            Request::Lock(LockRequest::Acquire { key, owner, .. } | LockRequest::Release { key, owner }) => {
                self.owner = owner;
                key
            }
            _ => String::new(),
        }
    }

    fn retry<B, S>(&mut self, cx: &mut Cx<'_, B, S>, w: &Withdraw, arrival: &Arrival) -> Option<u64> {
        self.tries += 1;
        if self.tries > w.retries {
            cx.stats().gave_up += 1;
            self.tries = 0;
            return next_session(cx, arrival, &mut self.burst);
        }
        Some(cx.now + w.retry.sample(cx.rng).max(1))
    }

    fn crash<B, S>(&mut self, cx: &mut Cx<'_, B, S>, arrival: &Arrival) -> Option<u64> {
        cx.stats().crashed += 1;
        for key in self.locks.drain(..) {
            if let Some(expiry) = cx.lock_expiry(&key) {
                let stuck = expiry - cx.now;
                let stats = cx.stats();
                stats.orphaned_locks += 1;
                stats.orphaned_lock_ms += stuck;
                stats.longest_orphan_ms = stats.longest_orphan_ms.max(stuck);
            }
        }
        self.incarnation += 1;
        self.owner = owner(cx.agent, self.incarnation);
        next_session(cx, arrival, &mut self.burst)
    }

    fn finish<B: Backend, S: Sink>(
        &mut self,
        cx: &mut Cx<'_, B, S>,
        w: &Withdraw,
        arrival: &Arrival,
    ) -> Result<Option<u64>, Stop> {
        if cx.rng.chance(w.release_fail_ppm) {
            cx.stats().failed_releases += 1;
            self.release_locks(cx)?;
        } else {
            self.release_all(cx, w)?;
        }
        cx.stats().completed += 1;
        Ok(next_session(cx, arrival, &mut self.burst))
    }

    fn release_locks<B: Backend, S: Sink>(&mut self, cx: &mut Cx<'_, B, S>) -> Result<(), Stop> {
        let mut locks = core::mem::take(&mut self.locks);
        for key in locks.drain(..) {
            let request =
                Request::Lock(LockRequest::Release { key, owner: core::mem::take(&mut self.owner) });
            let released = cx.apply_ref(&request);
            self.take_back(request);
            let _released = released?;
        }
        self.locks = locks;
        Ok(())
    }

    fn release_all<B: Backend, S: Sink>(&mut self, cx: &mut Cx<'_, B, S>, w: &Withdraw) -> Result<(), Stop> {
        self.release_locks(cx)?;
        let request = Request::Hold(HoldRequest::Release {
            namespace: w.namespace.clone(),
            items: core::mem::take(&mut self.items),
            owner: core::mem::take(&mut self.owner),
        });
        // Whatever the answer (released, or already expired), the job is over.
        let released = cx.apply_ref(&request);
        self.take_back(request);
        let _released = released?;
        if w.legacy {
            cx.legacy().release(app_of(&w.namespace), &self.items, self.hold_expires);
        }
        Ok(())
    }
}

/// `bot<bot>-a<index>`, written without the formatting machinery: it is built for every item of
/// every reservation, on the simulator's hot path.
fn item_name(bot: u64, index: u64) -> String {
    let mut name = String::with_capacity(24);
    name.push_str("bot");
    push_decimal(&mut name, bot);
    name.push_str("-a");
    push_decimal(&mut name, index);
    name
}

fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_names_read_like_their_formatted_form() {
        for (bot, index) in [(0, 0), (7, 12_345), (399, u64::MAX)] {
            assert_eq!(item_name(bot, index), alloc::format!("bot{bot}-a{index}"));
        }
    }
}
