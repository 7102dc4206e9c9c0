//! A worker taking a lock per job: `lockTrade` held for 900 s, or `indexLaneLock` renewed at
//! half its TTL; it may crash holding the lock, or pause past its TTL and then write as if it
//! still held it (seed 000).

use alloc::format;
use alloc::string::String;

use leasehold_core::lock::LockOutcome;
use leasehold_core::{Acquire, Extend, LockRequest, Millis, Outcome, Request};

use super::{next_session, owner};
use crate::backend::Backend;
use crate::runner::{Cx, Stop};
use crate::scenario::{Arrival, LockWorker};
use crate::trace::Sink;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Phase {
    #[default]
    Idle,
    Waiting,
    Holding,
    Paused,
}

/// Where a worker is.
#[derive(Debug, Default)]
pub struct State {
    phase: Phase,
    owner: String,
    incarnation: u32,
    burst: u32,
    session_start: u64,
    key: String,
    fence: u64,
    work_end: u64,
    crash_at: Option<u64>,
}

impl State {
    pub(super) fn wake<B: Backend, S: Sink>(
        &mut self,
        cx: &mut Cx<'_, B, S>,
        w: &LockWorker,
        arrival: &Arrival,
    ) -> Result<Option<u64>, Stop> {
        match self.phase {
            Phase::Idle => {
                cx.stats().sessions += 1;
                self.session_start = cx.now;
                if self.owner.is_empty() {
                    self.owner = owner(cx.agent, self.incarnation);
                }
                self.key = format!("{}{}", w.key_prefix, cx.rng.below(w.keys));
                self.acquire(cx, w, arrival)
            }
            Phase::Waiting => self.acquire(cx, w, arrival),
            Phase::Holding if self.crash_at.is_some_and(|at| at <= cx.now) => Ok(self.crash(cx, w)),
            Phase::Holding if cx.now >= self.work_end => self.finish(cx, w, arrival),
            Phase::Holding if cx.rng.chance(w.pause_ppm) => {
                self.phase = Phase::Paused;
                Ok(Some(cx.now + w.pause.sample(cx.rng)))
            }
            Phase::Holding => self.renew(cx, w, arrival),
            Phase::Paused => {
                if w.write {
                    cx.write(&self.key, self.fence)?;
                }
                self.renew(cx, w, arrival)
            }
        }
    }

    fn acquire<B: Backend, S: Sink>(
        &mut self,
        cx: &mut Cx<'_, B, S>,
        w: &LockWorker,
        arrival: &Arrival,
    ) -> Result<Option<u64>, Stop> {
        let request = Request::Lock(LockRequest::Acquire {
            key: self.key.clone(),
            owner: self.owner.clone(),
            ttl: Millis(w.ttl),
        });
        match cx.apply(request)? {
            Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { fence, .. }))) => {
                cx.waited(cx.now - self.session_start);
                self.fence = fence;
                if w.write {
                    cx.write(&self.key, fence)?;
                }
                let work = w.work.sample(cx.rng);
                self.work_end = cx.now + work;
                self.crash_at = cx.rng.chance(w.crash_ppm).then(|| cx.now + cx.rng.below(work.max(1)));
                self.phase = Phase::Holding;
                Ok(Some(self.next_wake(cx.now, w)))
            }
            Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Denied { retry_after }))) => {
                self.phase = Phase::Waiting;
                Ok(Some(cx.now + retry_after.0.max(1)))
            }
            _ => {
                cx.stats().gave_up += 1;
                self.phase = Phase::Idle;
                Ok(next_session(cx, arrival, &mut self.burst))
            }
        }
    }

    fn next_wake(&self, now: u64, w: &LockWorker) -> u64 {
        let mut next = self.work_end;
        if w.renew {
            next = next.min(now + (w.ttl / 2).max(1));
        }
        if let Some(crash) = self.crash_at {
            next = next.min(crash);
        }
        next
    }

    fn renew<B: Backend, S: Sink>(
        &mut self,
        cx: &mut Cx<'_, B, S>,
        w: &LockWorker,
        arrival: &Arrival,
    ) -> Result<Option<u64>, Stop> {
        let request = Request::Lock(LockRequest::Extend {
            key: self.key.clone(),
            owner: self.owner.clone(),
            ttl: Millis(w.ttl),
        });
        match cx.apply(request)? {
            Ok(Outcome::Lock(LockOutcome::Extend(Extend::Extended { .. }))) => {
                if w.write && self.phase == Phase::Holding {
                    cx.write(&self.key, self.fence)?;
                }
                self.phase = Phase::Holding;
                Ok(Some(self.next_wake(cx.now, w)))
            }
            _ => {
                cx.stats().lost_leases += 1;
                self.phase = Phase::Idle;
                Ok(next_session(cx, arrival, &mut self.burst))
            }
        }
    }

    fn finish<B: Backend, S: Sink>(
        &mut self,
        cx: &mut Cx<'_, B, S>,
        w: &LockWorker,
        arrival: &Arrival,
    ) -> Result<Option<u64>, Stop> {
        if w.write {
            cx.write(&self.key, self.fence)?;
        }
        let request =
            Request::Lock(LockRequest::Release { key: self.key.clone(), owner: self.owner.clone() });
        // Whatever the answer (released, or already expired), the job is over.
        let _released = cx.apply(request)?;
        cx.stats().completed += 1;
        self.phase = Phase::Idle;
        Ok(next_session(cx, arrival, &mut self.burst))
    }

    fn crash<B, S>(&mut self, cx: &mut Cx<'_, B, S>, w: &LockWorker) -> Option<u64> {
        let stats_expiry = cx.lock_expiry(&self.key);
        let now = cx.now;
        let stats = cx.stats();
        stats.crashed += 1;
        if let Some(expiry) = stats_expiry {
            let stuck = expiry - now;
            stats.orphaned_locks += 1;
            stats.orphaned_lock_ms += stuck;
            stats.longest_orphan_ms = stats.longest_orphan_ms.max(stuck);
        }
        self.incarnation += 1;
        self.owner = owner(cx.agent, self.incarnation);
        self.phase = Phase::Idle;
        Some(cx.now + w.restart.sample(cx.rng))
    }
}
