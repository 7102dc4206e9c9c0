//! Leases (locks and holds) from the trace: one live holder at a time, fences never reissued.
//!
//! Each grant says, in the server's clock, when its lease started (`expires_at - ttl`, since a
//! grant sets `expires_at = now + ttl`) and when it ends unless extended (`expires_at`); each
//! extend moves the end. A lease that ran out (no release seen) occupied the server-time
//! interval `[start, end)`, and the next lease on the same resource must start at or after
//! its end: that comparison uses the server's clock only.
//!
//! A release carries no server time. The lease it ended must be gone before the next grant,
//! which Redis orders after it; the only way to catch a violation there is real time: if the
//! next holder had its grant *back* (client clock) before the release was even *sent* (same
//! client clock), both held the resource at once, unless the first had already run out by the
//! next one's start (server clock again). That comparison uses the client clock only.

use std::collections::{BTreeMap, HashMap};

use leasehold_core::{
    Acquire, Extend, HoldOutcome, HoldRequest, LockOutcome, LockRequest, Millis, Outcome, Release, Request,
    Reserve,
};

use super::Violation;
use crate::trace::{Action, Answer, Record};

/// One lease as the trace shows it.
#[derive(Debug, Clone)]
struct Lease {
    owner: String,
    /// Server ms.
    start: u64,
    /// Server ms: the latest expiry granted.
    end: u64,
    /// Client µs: when its first grant came back.
    granted_us: u64,
    /// Client µs: when the release that ended it was sent.
    released_sent_us: Option<u64>,
}

/// Every lease of every resource, by resource then fence.
#[derive(Debug, Default)]
pub struct Leases {
    by_resource: HashMap<String, BTreeMap<u64, Lease>>,
    violations: Vec<Violation>,
}

impl Leases {
    fn grant(&mut self, resource: String, fence: u64, owner: &str, start: u64, end: u64, at_us: u64) {
        let leases = self.by_resource.entry(resource.clone()).or_default();
        match leases.get_mut(&fence) {
            Some(lease) if lease.owner == owner => {
                lease.end = lease.end.max(end);
                lease.granted_us = lease.granted_us.min(at_us);
            }
            Some(lease) => self.violations.push(Violation::new(
                "fence_reissued",
                format!("{resource}: fence {fence} granted to {} and to {owner}", lease.owner),
            )),
            None => {
                let lease =
                    Lease { owner: owner.to_owned(), start, end, granted_us: at_us, released_sent_us: None };
                leases.insert(fence, lease);
            }
        }
    }

    fn extend(&mut self, resource: &str, fence: u64, end: u64) {
        if let Some(lease) = self.by_resource.get_mut(resource).and_then(|l| l.get_mut(&fence)) {
            lease.end = lease.end.max(end);
        }
    }

    fn release(&mut self, resource: &str, fence: u64, sent_us: u64) {
        if let Some(lease) = self.by_resource.get_mut(resource).and_then(|l| l.get_mut(&fence)) {
            lease.released_sent_us = Some(lease.released_sent_us.map_or(sent_us, |s| s.min(sent_us)));
        }
    }

    /// Reads the leases out of `records`.
    pub fn from_records(records: &[Record]) -> Leases {
        let mut leases = Leases::default();
        for record in records {
            match (&record.action, &record.answer) {
                (Action::Redis(request), Answer::Outcome(outcome)) => leases.file(request, outcome, record),
                (Action::Redis(request), Answer::Error { .. }) => leases.maybe_released(request, record),
                _ => {}
            }
        }
        leases
    }

    fn file(&mut self, request: &Request, outcome: &Outcome, record: &Record) {
        match (request, outcome) {
            (
                Request::Lock(LockRequest::Acquire { key, owner, ttl }),
                Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { fence, expires_at, .. })),
            ) => {
                let start = expires_at.0.saturating_sub(ttl.0);
                self.grant(format!("lock {key}"), *fence, owner, start, expires_at.0, record.received_us);
            }
            (
                Request::Lock(LockRequest::Extend { key, .. }),
                Outcome::Lock(LockOutcome::Extend(Extend::Extended { fence, expires_at })),
            ) => self.extend(&format!("lock {key}"), *fence, expires_at.0),
            (
                Request::Lock(LockRequest::Release { key, .. }),
                Outcome::Lock(LockOutcome::Release(Release::Released { fence })),
            ) => self.release(&format!("lock {key}"), *fence, record.sent_us),
            (
                Request::Hold(HoldRequest::Reserve { namespace, items, owner, ttl, .. }),
                Outcome::Hold(HoldOutcome::Reserve(Reserve::Reserved { expires_at, holds, .. })),
            ) => {
                let Millis(end) = *expires_at;
                for (item, held) in items.iter().zip(holds) {
                    let resource = format!("hold {namespace}/{item}");
                    self.grant(
                        resource,
                        held.fence,
                        owner,
                        end.saturating_sub(ttl.0),
                        end,
                        record.received_us,
                    );
                }
            }
            (
                Request::Hold(HoldRequest::Release { namespace, items, .. }),
                Outcome::Hold(HoldOutcome::Release(released)),
            ) => {
                for (item, result) in items.iter().zip(&released.items) {
                    if let Release::Released { fence } = result {
                        self.release(&format!("hold {namespace}/{item}"), *fence, record.sent_us);
                    }
                }
            }
            _ => {}
        }
    }

    /// A release whose answer was lost may have ended the lease when it was sent: treat it as
    /// released then, so that its successor is not taken for a second holder. (Owners are unique
    /// per lease in the proof workloads, so the owner names the lease.)
    fn maybe_released(&mut self, request: &Request, record: &Record) {
        let (resources, owner) = match request {
            Request::Lock(LockRequest::Release { key, owner }) => (vec![format!("lock {key}")], owner),
            Request::Hold(HoldRequest::Release { namespace, items, owner }) => {
                (items.iter().map(|item| format!("hold {namespace}/{item}")).collect(), owner)
            }
            _ => return,
        };
        for resource in resources {
            for lease in self.by_resource.get_mut(&resource).into_iter().flat_map(BTreeMap::values_mut) {
                if &lease.owner == owner && lease.released_sent_us.is_none() {
                    lease.released_sent_us = Some(record.sent_us);
                }
            }
        }
    }

    /// How many leases were granted.
    pub fn count(&self) -> usize {
        self.by_resource.values().map(BTreeMap::len).sum()
    }

    /// Checks every resource's leases in fence order; returns the violations.
    pub fn check(mut self) -> Vec<Violation> {
        for (resource, leases) in &self.by_resource {
            let mut previous: Option<(&u64, &Lease)> = None;
            // The latest end of the leases before this one that ran out rather than being released.
            let mut ran_out_until = 0;
            for (fence, lease) in leases {
                if lease.start < ran_out_until {
                    self.violations.push(Violation::new(
                        "two_holders",
                        format!("{resource}: fence {fence} started at {} while an earlier lease ran until {ran_out_until} (server ms)", lease.start),
                    ));
                }
                if let Some((earlier_fence, earlier)) = previous {
                    if lease.start < earlier.start {
                        self.violations.push(Violation::new(
                            "fence_order",
                            format!(
                                "{resource}: fence {fence} started at {} before fence {earlier_fence} at {}",
                                lease.start, earlier.start
                            ),
                        ));
                    }
                    if let Some(released_us) = earlier.released_sent_us {
                        if lease.granted_us < released_us && lease.start < earlier.end {
                            self.violations.push(Violation::new(
                                "two_holders",
                                format!("{resource}: fence {fence} was granted (client µs {}) before fence {earlier_fence} was released (sent at {released_us}), which was live until {}", lease.granted_us, earlier.end),
                            ));
                        }
                    }
                }
                if lease.released_sent_us.is_none() {
                    ran_out_until = ran_out_until.max(lease.end);
                }
                previous = Some((fence, lease));
            }
        }
        self.violations
    }
}
