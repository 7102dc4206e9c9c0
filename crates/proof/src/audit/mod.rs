//! The audit of a trace: what must hold whatever the interleaving.
//!
//! - **No stale writer**: the fenced resource's accepted writes never go down in fence, and
//!   every late write (a holder writing after it knew its lease had run out) that came after a
//!   newer holder's accepted write was rejected.
//! - **One holder at a time**: [`leases`], from grants, extends and releases.
//! - **Exact limits**: [`limits`], a sliding log never admits more than its quota in a window.
//! - **Nothing lost**: every request a client sent has exactly one record, with an outcome of
//!   the request's own kind or a typed error.
//!
//! Each check reads a single clock: server times from outcomes are only compared with server
//! times, client times only with client times, except where an offset cancels out (a span
//! against a span).

pub mod leases;
pub mod limits;

use std::collections::{BTreeMap, HashMap};

use leasehold_core::{HoldOutcome, LimitOutcome, LockOutcome, Outcome, Request, SemaphoreOutcome};
use serde::Serialize;

use crate::fenced::Write;
use crate::trace::{Action, Answer, Record};

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Which invariant: `stale_write`, `two_holders`, `fence_reissued`, `fence_order`,
    /// `over_limit`, `lost`, `wrong_outcome`.
    pub kind: &'static str,
    /// What happened.
    pub detail: String,
}

impl Violation {
    /// A violation of `kind`.
    pub fn new(kind: &'static str, detail: String) -> Violation {
        Violation { kind, detail }
    }
}

/// The figures and findings of one audit.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Audit {
    /// Redis requests in the trace.
    pub requests: u64,
    /// Of which answered with an outcome.
    pub outcomes: u64,
    /// Typed errors by kind.
    pub errors: BTreeMap<&'static str, u64>,
    /// Leases granted (locks and per-item holds).
    pub leases: u64,
    /// Exact-limit checks admitted and denied.
    pub admitted: u64,
    /// See `admitted`.
    pub denied: u64,
    /// Writes to the fenced resource: accepted, rejected.
    pub writes: (u64, u64),
    /// Late writes: attempted, rejected.
    pub late_writes: (u64, u64),
    /// Every broken invariant (empty when everything held).
    pub violations: Vec<Violation>,
}

impl Audit {
    /// The violations of one kind.
    pub fn count(&self, kind: &str) -> usize {
        self.violations.iter().filter(|v| v.kind == kind).count()
    }
}

/// Audits `records`, given how many requests and writes the clients say they sent
/// (`sent[client]`).
pub fn audit(records: &[Record], sent: &[u64]) -> Audit {
    let mut audit = Audit::default();
    lost(records, sent, &mut audit);
    writes(records, &mut audit);
    let leases = leases::Leases::from_records(records);
    audit.leases = leases.count() as u64;
    audit.violations.extend(leases.check());
    let limits = limits::ExactLimits::from_records(records);
    (audit.admitted, audit.denied) = (limits.admitted, limits.denied);
    audit.violations.extend(limits.check());
    audit
}

fn same_kind(request: &Request, outcome: &Outcome) -> bool {
    matches!(
        (request, outcome),
        (
            Request::Lock(_),
            Outcome::Lock(
                LockOutcome::Acquire(_)
                    | LockOutcome::Release(_)
                    | LockOutcome::Extend(_)
                    | LockOutcome::Inspect(_)
            )
        ) | (
            Request::Hold(_),
            Outcome::Hold(
                HoldOutcome::Reserve(_)
                    | HoldOutcome::Release(_)
                    | HoldOutcome::Extend(_)
                    | HoldOutcome::Check(_)
                    | HoldOutcome::List(_)
                    | HoldOutcome::Sweep(_)
            )
        ) | (
            Request::Semaphore(_),
            Outcome::Semaphore(
                SemaphoreOutcome::Acquire(_)
                    | SemaphoreOutcome::Release(_)
                    | SemaphoreOutcome::Extend(_)
                    | SemaphoreOutcome::Inspect(_)
            )
        ) | (
            Request::Limit(_),
            Outcome::Limit(LimitOutcome::Check(_) | LimitOutcome::Peek(_) | LimitOutcome::Reset(_))
        )
    )
}

fn lost(records: &[Record], sent: &[u64], audit: &mut Audit) {
    let mut seen: HashMap<u32, Vec<u64>> = HashMap::new();
    for record in records {
        seen.entry(record.client).or_default().push(record.seq);
        match (&record.action, &record.answer) {
            (Action::Redis(request), Answer::Outcome(outcome)) => {
                audit.requests += 1;
                audit.outcomes += 1;
                if !same_kind(request, outcome) {
                    let detail = format!("{} answered with {outcome:?}", request.name());
                    audit.violations.push(Violation::new("wrong_outcome", detail));
                }
            }
            (Action::Redis(_), Answer::Error { kind, .. }) => {
                audit.requests += 1;
                *audit.errors.entry(kind).or_default() += 1;
            }
            (Action::Write { .. }, Answer::Write(_)) => {}
            (action, answer) => {
                let detail = format!("{action:?} answered with {answer:?}");
                audit.violations.push(Violation::new("wrong_outcome", detail));
            }
        }
    }
    for (client, &count) in sent.iter().enumerate() {
        let mut seqs = seen.remove(&(client as u32)).unwrap_or_default();
        seqs.sort_unstable();
        let contiguous = seqs.iter().enumerate().all(|(i, &seq)| i as u64 == seq);
        if seqs.len() as u64 != count || !contiguous {
            let detail = format!(
                "client {client} sent {count} and has {} records (contiguous: {contiguous})",
                seqs.len()
            );
            audit.violations.push(Violation::new("lost", detail));
        }
    }
    for (client, seqs) in seen {
        audit
            .violations
            .push(Violation::new("lost", format!("{} records of unknown client {client}", seqs.len())));
    }
}

fn writes(records: &[Record], audit: &mut Audit) {
    let mut ordered: Vec<(u64, &str, u64, bool, bool)> = Vec::new();
    for record in records {
        if let (Action::Write { resource, fence, late }, Answer::Write(write)) =
            (&record.action, &record.answer)
        {
            let (order, accepted) = match write {
                Write::Accepted { order } => (*order, true),
                Write::Rejected { order, .. } => (*order, false),
            };
            ordered.push((order, resource, *fence, *late, accepted));
        }
    }
    ordered.sort_unstable();
    let mut highest: HashMap<&str, u64> = HashMap::new();
    for (order, resource, fence, late, accepted) in ordered {
        let top = highest.entry(resource).or_insert(0);
        if accepted {
            audit.writes.0 += 1;
            if fence < *top {
                let detail =
                    format!("{resource}: write #{order} with fence {fence} accepted after fence {top}");
                audit.violations.push(Violation::new("stale_write", detail));
            }
            *top = (*top).max(fence);
        } else {
            audit.writes.1 += 1;
        }
        if late {
            audit.late_writes.0 += 1;
            audit.late_writes.1 += u64::from(!accepted);
        }
    }
}
