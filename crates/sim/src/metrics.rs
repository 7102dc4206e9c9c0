//! What a run measured: operation counts by outcome, per-group sessions and wait times, live
//! holds and locks over time, fence and legacy-layout figures. Integers only: rates are parts
//! per million and percentiles are nearest-rank on sorted integers.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use leasehold_core::hold::Reserve;
use leasehold_core::lock::LockOutcome;
use leasehold_core::{
    Acquire, Error, Extend, HoldOutcome, HoldRequest, LimitOutcome, LimitRequest, LockRequest, Outcome,
    Release, Request, SemaphoreOutcome, SemaphoreRequest,
};
use serde::Serialize;

/// The outcome classes counted per operation.
pub const CLASSES: [&str; 10] = [
    "granted",
    "denied",
    "released",
    "extended",
    "not_holder",
    "expired",
    "conflict",
    "allowed",
    "other",
    "error",
];

const OPS: usize = 18;

/// Nearest-rank percentiles of a set of waits, in ms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Percentiles {
    /// How many waits.
    pub count: u64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Longest.
    pub max: u64,
}

impl Percentiles {
    /// Sorts `values` and takes the nearest-rank percentiles.
    pub fn of(values: &mut [u64]) -> Percentiles {
        values.sort_unstable();
        let n = values.len() as u64;
        let rank = |p: u64| -> u64 {
            if n == 0 {
                return 0;
            }
            let index = (p * n).div_ceil(100).max(1) - 1;
            values[index as usize]
        };
        Percentiles {
            count: n,
            p50: rank(50),
            p90: rank(90),
            p99: rank(99),
            max: values.last().copied().unwrap_or(0),
        }
    }
}

/// One group's sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupStats {
    /// The group's name.
    pub group: String,
    /// Its agents.
    pub agents: u64,
    /// Sessions started.
    pub sessions: u64,
    /// Sessions that did what they came for.
    pub completed: u64,
    /// Sessions that gave up (too many conflicts or denials).
    pub gave_up: u64,
    /// Sessions that crashed.
    pub crashed: u64,
    /// Leases found lost on renewal (expired or taken during a pause).
    pub lost_leases: u64,
    /// Releases that never happened (the failed `removeReserve` job).
    pub failed_releases: u64,
    /// Locks left behind by a crash.
    pub orphaned_locks: u64,
    /// Total time those locks stayed held by a dead owner, ms.
    pub orphaned_lock_ms: u64,
    /// Longest time one orphaned lock stayed held, ms.
    pub longest_orphan_ms: u64,
    /// Time from a session's first attempt to its grant or admission, ms.
    pub wait: Percentiles,
    #[serde(skip)]
    pub(crate) waits: Vec<u64>,
}

/// Counts of one operation by outcome class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpStats {
    /// `primitive.operation`.
    pub op: &'static str,
    /// Calls.
    pub calls: u64,
    /// Calls per outcome class (only classes seen).
    pub outcomes: BTreeMap<&'static str, u64>,
}

/// Rates in parts per million.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rates {
    /// Denied lock acquires per acquire.
    pub lock_denied_ppm: u64,
    /// Conflicting reserves per reserve.
    pub hold_conflict_ppm: u64,
    /// Denied limit checks per check.
    pub limit_denied_ppm: u64,
}

/// One sample of live state, taken every `sample_every` ms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sample {
    /// Time since the start, ms.
    pub t: u64,
    /// Live locks (from outcomes).
    pub live_locks: u64,
    /// Live holds (from outcomes).
    pub live_holds: u64,
    /// Holds the backend stores, live or dead (when it can tell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stored_holds: Option<u64>,
    /// Entries of the legacy `reserved-assets_ttl_*` lists (legacy scenarios only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_list: Option<u64>,
}

/// Writes to fenced resources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FenceStats {
    /// Writes attempted.
    pub writes: u64,
    /// Writes by a worker whose lease was no longer live.
    pub after_lease_lost: u64,
    /// Writes the fence refused: each would have overwritten a newer lease's data without it.
    pub rejected: u64,
}

/// Legacy list layout versus holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LegacyStats {
    /// Reserves mirrored.
    pub reserves: u64,
    /// List entries read by reserve scans (`LRANGE 0 -1`) and `LREM`s.
    pub scanned: u64,
    /// Entries read per reserve at the end of the run (the last scan's length).
    pub last_scan: u64,
    /// Longest `reserved-assets_ttl_*` list seen.
    pub longest_list: u64,
    /// Entries left in the lists at the end, and how many of them had expired.
    pub final_entries: u64,
    /// Expired entries still in the lists at the end.
    pub final_expired: u64,
    /// Reserves the two layouts decided differently: the lists record no owner, so a user's own
    /// unexpired entry left by a failed release refuses that user, where a hold is refreshed.
    pub disagreements: u64,
}

/// Everything a run measured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Metrics {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Simulated time, ms.
    pub horizon: u64,
    /// Steps (engine operations and resource writes).
    pub steps: u64,
    /// Engine operations.
    pub ops: u64,
    /// Engine operations refused with an error.
    pub errors: u64,
    /// Engine operations per simulated second × 1000 (integer: divide by 1000).
    pub ops_per_sim_second_milli: u64,
    /// Rates.
    pub rates: Rates,
    /// Per operation.
    pub operations: Vec<OpStats>,
    /// Per group.
    pub groups: Vec<GroupStats>,
    /// Fenced writes.
    pub fences: FenceStats,
    /// Legacy layout, when mirrored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy: Option<LegacyStats>,
    /// Live state over time.
    pub samples: Vec<Sample>,
    #[serde(skip)]
    pub(crate) counts: Vec<[u64; CLASSES.len()]>,
}

fn op_index(request: &Request) -> (usize, &'static str) {
    let index = match request {
        Request::Lock(LockRequest::Acquire { .. }) => 0,
        Request::Lock(LockRequest::Release { .. }) => 1,
        Request::Lock(LockRequest::Extend { .. }) => 2,
        Request::Lock(LockRequest::Inspect { .. }) => 3,
        Request::Hold(HoldRequest::Reserve { .. }) => 4,
        Request::Hold(HoldRequest::Release { .. }) => 5,
        Request::Hold(HoldRequest::Extend { .. }) => 6,
        Request::Hold(HoldRequest::ForceRelease { .. }) => 7,
        Request::Hold(HoldRequest::Check { .. }) => 8,
        Request::Hold(HoldRequest::List { .. }) => 9,
        Request::Hold(HoldRequest::Sweep { .. }) => 10,
        Request::Semaphore(SemaphoreRequest::Acquire { .. }) => 11,
        Request::Semaphore(SemaphoreRequest::Release { .. }) => 12,
        Request::Semaphore(SemaphoreRequest::Extend { .. }) => 13,
        Request::Semaphore(SemaphoreRequest::Inspect { .. }) => 14,
        Request::Limit(LimitRequest::Check { .. }) => 15,
        Request::Limit(LimitRequest::Peek { .. }) => 16,
        Request::Limit(LimitRequest::Reset { .. }) => 17,
    };
    (index, leasehold_core::request::OPERATIONS[index])
}

fn acquire_class(acquire: &Acquire) -> usize {
    match acquire {
        Acquire::Granted { .. } => 0,
        Acquire::Denied { .. } => 1,
    }
}

fn release_class(release: &Release) -> usize {
    match release {
        Release::Released { .. } => 2,
        Release::NotHolder => 4,
        Release::Expired => 5,
    }
}

fn extend_class(extend: &Extend) -> usize {
    match extend {
        Extend::Extended { .. } => 3,
        Extend::NotHolder => 4,
        Extend::Expired => 5,
    }
}

/// The class of an outcome, an index into [`CLASSES`]. Multi-item releases and extends count
/// by their first item.
fn class(answer: &Result<Outcome, Error>) -> usize {
    match answer {
        Err(_) => 9,
        Ok(Outcome::Lock(LockOutcome::Acquire(a))) => acquire_class(a),
        Ok(Outcome::Lock(LockOutcome::Release(r))) => release_class(r),
        Ok(Outcome::Lock(LockOutcome::Extend(e))) => extend_class(e),
        Ok(Outcome::Semaphore(SemaphoreOutcome::Acquire(a))) => acquire_class(a),
        Ok(Outcome::Semaphore(SemaphoreOutcome::Release(r))) => release_class(r),
        Ok(Outcome::Semaphore(SemaphoreOutcome::Extend(e))) => extend_class(e),
        Ok(Outcome::Hold(HoldOutcome::Reserve(Reserve::Reserved { .. }))) => 0,
        Ok(Outcome::Hold(HoldOutcome::Reserve(_))) => 6,
        Ok(Outcome::Hold(HoldOutcome::Release(r))) => r.items.first().map_or(8, release_class),
        Ok(Outcome::Hold(HoldOutcome::Extend(e))) => e.items.first().map_or(8, extend_class),
        Ok(Outcome::Limit(LimitOutcome::Check(d) | LimitOutcome::Peek(d))) => {
            if d.allowed {
                7
            } else {
                1
            }
        }
        Ok(_) => 8,
    }
}

impl Metrics {
    pub(crate) fn new(scenario: &crate::Scenario) -> Metrics {
        let groups = scenario
            .agents
            .iter()
            .map(|g| GroupStats {
                group: g.group.clone(),
                agents: u64::from(g.count),
                ..GroupStats::default()
            })
            .collect();
        Metrics {
            scenario: scenario.name.clone(),
            seed: scenario.seed,
            horizon: scenario.horizon,
            groups,
            counts: alloc::vec![[0; CLASSES.len()]; OPS],
            ..Metrics::default()
        }
    }

    #[inline]
    pub(crate) fn record(&mut self, request: &Request, answer: &Result<Outcome, Error>) {
        self.ops += 1;
        let (op, _) = op_index(request);
        let class = class(answer);
        self.errors += u64::from(class == 9);
        self.counts[op][class] += 1;
    }

    pub(crate) fn finish(&mut self) {
        self.operations.clear();
        for (index, counts) in self.counts.iter().enumerate() {
            let calls: u64 = counts.iter().sum();
            if calls == 0 {
                continue;
            }
            let outcomes =
                CLASSES.iter().zip(counts).filter(|(_, &n)| n > 0).map(|(&name, &n)| (name, n)).collect();
            self.operations.push(OpStats { op: leasehold_core::request::OPERATIONS[index], calls, outcomes });
        }
        let ppm = |part: u64, whole: u64| (part * 1_000_000).checked_div(whole).unwrap_or(0);
        let of = |op: usize, class: usize| self.counts[op][class];
        let total = |op: usize| self.counts[op].iter().sum::<u64>();
        self.rates = Rates {
            lock_denied_ppm: ppm(of(0, 1), total(0)),
            hold_conflict_ppm: ppm(of(4, 6), total(4)),
            limit_denied_ppm: ppm(of(15, 1), total(15)),
        };
        self.ops_per_sim_second_milli = self.ops * 1_000_000 / self.horizon.max(1);
        for group in &mut self.groups {
            group.wait = Percentiles::of(&mut group.waits);
        }
    }
}
