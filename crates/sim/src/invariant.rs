//! Invariants checked on every step, from outcomes alone (never from engine internals):
//!
//! - **one live holder**: a lock or a hold is never granted to an owner while another owner's
//!   lease on it is live, and a denial or conflict only happens while one is;
//! - **fences are monotonic**: every new lease or hold gets a fence above every fence issued
//!   before on its key (lock) or namespace (holds); a re-acquire or refresh keeps its fence;
//! - **limits are respected** for the exact limiters: at most `quota` per fixed window (opened by
//!   the first admission after the previous one ended), at most `quota` in any sliding-log
//!   window, one admission per cooldown interval, and never more than a token bucket's or a
//!   GCRA's capacity plus its refill since the key's first admission;
//! - **no stale write is accepted**: a fenced resource accepts a write only under a fence at
//!   least the highest it accepted, and only fences the lock issued.
//!
//! The model assumes each key is only touched through the steps it observes and keeps its
//! parameters (a limit key whose algorithm changes starts a new model).

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use leasehold_core::hold::{Held, Reserve};
use leasehold_core::lock::LockOutcome;
use leasehold_core::store::Store;
use leasehold_core::{
    Acquire, Algorithm, Decision, Error, Extend, HoldOutcome, HoldRequest, LimitOutcome, LimitRequest,
    LockRequest, Millis, Outcome, Release, Request,
};

use crate::trace::{Record, WriteOutcome};

/// A broken invariant: the step, the key, what went wrong, and the steps that led to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The step at which it broke.
    pub step: u64,
    /// Its time.
    pub now: Millis,
    /// The key (a hold is `namespace item`).
    pub key: String,
    /// What went wrong.
    pub message: String,
    /// The last steps that touched the key, the violating one last (filled by the runner).
    pub history: Vec<Record>,
}

impl core::fmt::Display for Violation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "invariant violated at step {} on `{}`: {}", self.step, self.key, self.message)
    }
}

#[derive(Debug, Clone, Default)]
struct Lease {
    owner: String,
    fence: u64,
    expires_at: u64,
    last_fence: u64,
}

impl Lease {
    fn live(&self, now: u64) -> bool {
        self.expires_at > now
    }
}

#[derive(Debug, Default)]
struct Namespace {
    items: Store<Lease>,
    last_fence: u64,
}

#[derive(Debug, Clone)]
struct Admissions {
    algorithm: Algorithm,
    first: u64,
    window_start: u64,
    used: u64,
    log: VecDeque<(u64, u64)>,
    last: Option<u64>,
}

/// The model of everything observed so far.
#[derive(Debug, Default)]
pub struct Checker {
    locks: Store<Lease>,
    holds: Store<Namespace>,
    limits: Store<Admissions>,
    resources: Store<u64>,
}

type Check = Result<(), (String, String)>;

fn broken(key: impl Into<String>, message: String) -> Check {
    Err((key.into(), message))
}

impl Checker {
    /// An empty model.
    pub fn new() -> Checker {
        Checker::default()
    }

    /// Checks one engine step and updates the model.
    pub fn observe(
        &mut self,
        step: u64,
        now: Millis,
        request: &Request,
        answer: &Result<Outcome, Error>,
    ) -> Result<(), Violation> {
        let Ok(outcome) = answer else { return Ok(()) };
        let result = match (request, outcome) {
            (Request::Lock(request), Outcome::Lock(outcome)) => self.lock(request, outcome, now.0),
            (Request::Hold(request), Outcome::Hold(outcome)) => self.hold(request, outcome, now.0),
            (
                Request::Limit(LimitRequest::Check { key, algorithm, cost, .. }),
                Outcome::Limit(LimitOutcome::Check(d)),
            ) => self.limit(key, algorithm, *cost, d, now.0),
            _ => Ok(()),
        };
        result.map_err(|(key, message)| Violation { step, now, key, message, history: Vec::new() })
    }

    /// Checks one write to a fenced resource and updates the model.
    pub fn observe_write(
        &mut self,
        step: u64,
        now: Millis,
        resource: &str,
        fence: u64,
        outcome: WriteOutcome,
    ) -> Result<(), Violation> {
        let highest = self.resources.get(resource).copied().unwrap_or(0);
        let issued = self.locks.get(resource).map_or(0, |lease| lease.last_fence);
        let result = match outcome {
            WriteOutcome::Accepted if fence < highest => {
                broken(resource, format!("stale write accepted: fence {fence} after fence {highest} wrote"))
            }
            WriteOutcome::Accepted if fence > issued => {
                broken(resource, format!("write accepted under fence {fence}, never issued (last {issued})"))
            }
            WriteOutcome::Rejected { .. } if fence >= highest => {
                broken(resource, format!("current write refused: fence {fence} ≥ highest {highest}"))
            }
            WriteOutcome::Accepted => {
                *self.resources.get_or_insert_with(resource, || 0) = fence;
                Ok(())
            }
            WriteOutcome::Rejected { .. } => Ok(()),
        };
        result.map_err(|(key, message)| Violation { step, now, key, message, history: Vec::new() })
    }

    /// The fence of the live lease on lock `key` at `now`, if any.
    pub fn live_lock(&self, key: &str, now: Millis) -> Option<u64> {
        self.locks.get(key).filter(|lease| lease.live(now.0)).map(|lease| lease.fence)
    }

    /// When the live lease on lock `key` ends, if any.
    pub fn lock_expiry(&self, key: &str, now: Millis) -> Option<u64> {
        self.locks.get(key).filter(|lease| lease.live(now.0)).map(|lease| lease.expires_at)
    }

    /// Live locks at `now`.
    pub fn live_locks(&self, now: Millis) -> u64 {
        self.locks.iter().filter(|(_, lease)| lease.live(now.0)).count() as u64
    }

    /// Live holds at `now`, over all namespaces.
    pub fn live_holds(&self, now: Millis) -> u64 {
        let live = |ns: &Namespace| ns.items.iter().filter(|(_, lease)| lease.live(now.0)).count() as u64;
        self.holds.iter().map(|(_, ns)| live(ns)).sum()
    }

    fn lock(&mut self, request: &LockRequest, outcome: &LockOutcome, now: u64) -> Check {
        match (request, outcome) {
            (LockRequest::Acquire { key, owner, .. }, LockOutcome::Acquire(acquire)) => {
                let lease = self.locks.get_or_insert_with(key, Lease::default);
                grant(key, lease, owner, *acquire, now)
            }
            (LockRequest::Release { key, owner }, LockOutcome::Release(Release::Released { fence })) => {
                let lease = self.locks.get_or_insert_with(key, Lease::default);
                if !lease.live(now) || lease.owner != *owner || lease.fence != *fence {
                    return broken(key, format!("{owner} released fence {fence} it did not hold live"));
                }
                lease.expires_at = now;
                Ok(())
            }
            (
                LockRequest::Extend { key, owner, .. },
                LockOutcome::Extend(Extend::Extended { fence, expires_at }),
            ) => {
                let lease = self.locks.get_or_insert_with(key, Lease::default);
                if !lease.live(now) || lease.owner != *owner || lease.fence != *fence {
                    return broken(key, format!("{owner} extended fence {fence} it did not hold live"));
                }
                lease.expires_at = expires_at.0;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn hold(&mut self, request: &HoldRequest, outcome: &HoldOutcome, now: u64) -> Check {
        match (request, outcome) {
            (
                HoldRequest::Reserve { namespace, items, owner, .. },
                HoldOutcome::Reserve(Reserve::Reserved { expires_at, holds, .. }),
            ) => {
                let ns = self.holds.get_or_insert_with(namespace, Namespace::default);
                let before = ns.last_fence;
                for (item, Held { fence, refreshed }) in items.iter().zip(holds) {
                    let lease = ns.items.get_or_insert_with(item, Lease::default);
                    let key = || format!("{namespace} {item}");
                    if lease.live(now) && lease.owner != *owner {
                        let message = format!(
                            "two live holders: {} holds it until {} (fence {}), {owner} was granted fence {fence}",
                            lease.owner, lease.expires_at, lease.fence
                        );
                        return broken(key(), message);
                    }
                    if *refreshed != lease.live(now) || (*refreshed && lease.fence != *fence) {
                        return broken(key(), format!("refreshed {refreshed} disagrees with the model"));
                    }
                    if !refreshed && *fence <= before {
                        return broken(
                            key(),
                            format!("fence {fence} not above the namespace's last {before}"),
                        );
                    }
                    lease.owner.clone_from(owner);
                    lease.fence = *fence;
                    lease.expires_at = expires_at.0;
                    ns.last_fence = ns.last_fence.max(*fence);
                }
                Ok(())
            }
            (
                HoldRequest::Reserve { namespace, owner, .. },
                HoldOutcome::Reserve(Reserve::Conflict { conflicts, .. }),
            ) => {
                let ns = self.holds.get_or_insert_with(namespace, Namespace::default);
                for conflict in conflicts {
                    let live = ns.items.get(&conflict.item).filter(|l| l.live(now) && l.owner != *owner);
                    if live.is_none() {
                        return broken(
                            format!("{namespace} {}", conflict.item),
                            format!("conflict for {owner} on a free item"),
                        );
                    }
                }
                Ok(())
            }
            (
                HoldRequest::Release { namespace, items, .. }
                | HoldRequest::ForceRelease { namespace, items },
                HoldOutcome::Release(released),
            ) => {
                let ns = self.holds.get_or_insert_with(namespace, Namespace::default);
                for (item, result) in items.iter().zip(&released.items) {
                    if let Release::Released { .. } = result {
                        if let Some(lease) = ns.items.get_mut(item) {
                            lease.expires_at = now;
                        }
                    }
                }
                Ok(())
            }
            (HoldRequest::Extend { namespace, items, .. }, HoldOutcome::Extend(extended)) => {
                let ns = self.holds.get_or_insert_with(namespace, Namespace::default);
                for (item, result) in items.iter().zip(&extended.items) {
                    if let Extend::Extended { expires_at, .. } = result {
                        if let Some(lease) = ns.items.get_mut(item) {
                            lease.expires_at = expires_at.0;
                        }
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn limit(&mut self, key: &str, algorithm: &Algorithm, cost: u64, decision: &Decision, now: u64) -> Check {
        if !decision.allowed {
            return Ok(());
        }
        let fresh = || Admissions {
            algorithm: *algorithm,
            first: now,
            window_start: now,
            used: 0,
            log: VecDeque::new(),
            last: None,
        };
        let model = self.limits.get_or_insert_with(key, fresh);
        if model.algorithm != *algorithm {
            *model = fresh();
        }
        let over = |what: String| broken(key, format!("limit exceeded: {what}"));
        match *algorithm {
            Algorithm::FixedWindow(rule) => {
                if now >= model.window_start + rule.window.0 {
                    model.window_start = now;
                    model.used = 0;
                }
                model.used += cost;
                if model.used > rule.quota {
                    return over(format!(
                        "{} admitted in the window from {}, quota {}",
                        model.used, model.window_start, rule.quota
                    ));
                }
            }
            Algorithm::SlidingLog(rule) => {
                while model.log.front().is_some_and(|&(at, _)| at + rule.window.0 <= now) {
                    if let Some((_, c)) = model.log.pop_front() {
                        model.used -= c;
                    }
                }
                model.log.push_back((now, cost));
                model.used += cost;
                if model.used > rule.quota {
                    return over(format!(
                        "{} admitted within {} ms, quota {}",
                        model.used, rule.window.0, rule.quota
                    ));
                }
            }
            Algorithm::Cooldown(rule) => {
                if let Some(last) = model.last.filter(|&last| now < last + rule.interval.0) {
                    return over(format!(
                        "admitted {} ms after the previous one, cooldown {}",
                        now - last,
                        rule.interval.0
                    ));
                }
                model.last = Some(now);
            }
            Algorithm::TokenBucket(rule) => {
                model.used += cost;
                let earned = rule.capacity + rule.refill * ((now - model.first) / rule.interval.0.max(1));
                if model.used > earned {
                    return over(format!(
                        "{} admitted since {}, at most {earned} tokens",
                        model.used, model.first
                    ));
                }
            }
            Algorithm::Gcra(rule) => {
                model.used += cost;
                let earned = rule.burst + (now - model.first) / rule.interval.0.max(1);
                if model.used > earned {
                    return over(format!("{} admitted since {}, at most {earned}", model.used, model.first));
                }
            }
            Algorithm::SlidingCounter(_) => {}
        }
        Ok(())
    }
}

/// Checks a lock acquire's outcome against the lease model and records a grant.
fn grant(key: &str, lease: &mut Lease, owner: &str, acquire: Acquire, now: u64) -> Check {
    match acquire {
        Acquire::Granted { fence, expires_at, reacquired } => {
            if lease.live(now) && lease.owner != owner {
                let message = format!(
                    "two live holders: {} holds it until {} (fence {}), {owner} was granted fence {fence}",
                    lease.owner, lease.expires_at, lease.fence
                );
                return broken(key, message);
            }
            if reacquired != lease.live(now) || (reacquired && fence != lease.fence) {
                return broken(
                    key,
                    format!("reacquired {reacquired} with fence {fence} disagrees with the model"),
                );
            }
            if !reacquired && fence <= lease.last_fence {
                return broken(key, format!("fence {fence} not above the last fence {}", lease.last_fence));
            }
            lease.owner.clear();
            lease.owner.push_str(owner);
            lease.fence = fence;
            lease.last_fence = lease.last_fence.max(fence);
            lease.expires_at = expires_at.0;
            Ok(())
        }
        Acquire::Denied { .. } if !lease.live(now) || lease.owner == owner => {
            broken(key, format!("{owner} denied although no other owner holds it live"))
        }
        Acquire::Denied { .. } => Ok(()),
    }
}
