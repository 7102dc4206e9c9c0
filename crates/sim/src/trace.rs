//! The trace: every operation of a run with its `now` and outcome, as JSON lines.
//!
//! The first line is a [`Header`]; then one line per step:
//!
//! ```json
//! {"leasehold_trace":1,"scenario":"withdraw-rush","seed":42,"start":1767225600000,"horizon":3600000}
//! {"step":1,"now":1767225600912,"agent":"users#3","op":{"hold":{"reserve":{...}}},"outcome":{"ok":{"reserved":{...}}}}
//! {"step":2,"now":1767225600912,"agent":"users#3","op":{"lock":{"acquire":{...}}},"outcome":{"ok":{"granted":{...}}}}
//! {"step":9,"now":1767225660000,"agent":"lanes#1","op":{"resource":{"write":{"resource":"lane:0","fence":1767225600000000}}},"outcome":{"ok":{"rejected":{"highest":1767225630000000}}}}
//! ```
//!
//! `op` is a core [`Request`] serialized as the conformance vectors serialize it
//! (`crates/core/src/vector.rs`), or a write to the simulated fenced resource; `outcome` is
//! `{"ok": <outcome>}` or `{"err": <error>}`, again as in the vectors.
//!
//! **Who writes the bytes.** This crate stays free of a JSON library: it yields typed steps
//! ([`StepRef`], borrowed, on the hot path; [`Record`], owned) that derive `Serialize`, and each
//! edge serializes them with `serde_json`'s compact writer (the CLI natively, the playground in
//! wasm), one value per line. That writer's output for these types is the format, so the same
//! run gives the same bytes on every edge.

use alloc::string::String;
use alloc::sync::Arc;

use leasehold_core::{
    Error, HoldRequest, LimitRequest, LockRequest, Millis, Outcome, Request, SemaphoreRequest,
};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// The trace format version in every header.
pub const FORMAT_VERSION: u64 = 1;

/// The first line of a trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The format version, [`FORMAT_VERSION`].
    pub leasehold_trace: u64,
    /// The scenario's name.
    pub scenario: String,
    /// The seed it ran with.
    pub seed: u64,
    /// Its first `now`.
    pub start: u64,
    /// Its horizon.
    pub horizon: u64,
}

impl Header {
    /// The header of a run of `scenario`: its name, seed, start and horizon.
    pub fn of(scenario: &crate::Scenario) -> Header {
        Header {
            leasehold_trace: FORMAT_VERSION,
            scenario: scenario.name.clone(),
            seed: scenario.seed,
            start: scenario.start,
            horizon: scenario.horizon,
        }
    }
}

/// A write to the simulated fenced resource: accepted when `fence` is at least the highest
/// fence the resource has accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ResourceOp {
    /// Write under `fence`.
    Write {
        /// The resource's name (the lock key guarding it).
        resource: String,
        /// The writer's fence.
        fence: u64,
    },
}

/// What the fenced resource answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum WriteOutcome {
    /// The write went through; `fence` is now the highest.
    Accepted,
    /// A newer lease already wrote: the stale write is refused.
    Rejected {
        /// The highest fence accepted so far.
        highest: u64,
    },
}

/// The fenced resource's rule: a write under `fence` is accepted when `fence` is at least
/// `highest`, the highest fence accepted so far, which it then becomes.
pub fn fenced_write(highest: &mut u64, fence: u64) -> WriteOutcome {
    if fence >= *highest {
        *highest = fence;
        WriteOutcome::Accepted
    } else {
        WriteOutcome::Rejected { highest: *highest }
    }
}

/// Any operation of a trace. Serializes exactly like [`Request`] for the engine's four
/// primitives, plus `{"resource": {"write": ...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A lock operation.
    Lock(LockRequest),
    /// A hold operation.
    Hold(HoldRequest),
    /// A semaphore operation.
    Semaphore(SemaphoreRequest),
    /// A rate-limit operation.
    Limit(LimitRequest),
    /// A write to a fenced resource.
    Resource(ResourceOp),
}

impl From<Request> for Op {
    fn from(request: Request) -> Op {
        match request {
            Request::Lock(r) => Op::Lock(r),
            Request::Hold(r) => Op::Hold(r),
            Request::Semaphore(r) => Op::Semaphore(r),
            Request::Limit(r) => Op::Limit(r),
        }
    }
}

impl Op {
    /// The engine request, or the resource write.
    pub fn into_request(self) -> Result<Request, ResourceOp> {
        match self {
            Op::Lock(r) => Ok(Request::Lock(r)),
            Op::Hold(r) => Ok(Request::Hold(r)),
            Op::Semaphore(r) => Ok(Request::Semaphore(r)),
            Op::Limit(r) => Ok(Request::Limit(r)),
            Op::Resource(r) => Err(r),
        }
    }
}

/// A borrowed operation, as the run hands it to a [`Sink`].
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(untagged)]
pub enum OpRef<'a> {
    /// An engine request.
    Engine(&'a Request),
    /// A resource write.
    Resource(ResourceRef<'a>),
}

/// `{"resource": <op>}`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ResourceRef<'a> {
    /// The write.
    pub resource: &'a ResourceOp,
}

/// A borrowed outcome.
#[derive(Debug, Clone, Copy)]
pub enum AnswerRef<'a> {
    /// The engine's answer.
    Engine(&'a Result<Outcome, Error>),
    /// The resource's answer.
    Resource(WriteOutcome),
}

impl Serialize for AnswerRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            AnswerRef::Engine(Ok(outcome)) => map.serialize_entry("ok", outcome)?,
            AnswerRef::Engine(Err(error)) => map.serialize_entry("err", error)?,
            AnswerRef::Resource(outcome) => map.serialize_entry("ok", outcome)?,
        }
        map.end()
    }
}

/// One step, borrowed from the run: what a [`Sink`] receives.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StepRef<'a> {
    /// 1-based step number.
    pub step: u64,
    /// The time of the operation.
    pub now: Millis,
    /// The agent that made it.
    pub agent: &'a str,
    /// The operation.
    pub op: OpRef<'a>,
    /// Its outcome.
    pub outcome: AnswerRef<'a>,
}

impl StepRef<'_> {
    /// An owned copy.
    pub fn to_record(&self) -> Record {
        let (op, outcome) = match (self.op, self.outcome) {
            (OpRef::Engine(request), AnswerRef::Engine(answer)) => {
                (Op::from(request.clone()), Answer::Engine(answer.clone()))
            }
            (OpRef::Resource(write), AnswerRef::Resource(answer)) => {
                (Op::Resource(write.resource.clone()), Answer::Resource(answer))
            }
            (OpRef::Engine(request), AnswerRef::Resource(answer)) => {
                (Op::from(request.clone()), Answer::Resource(answer))
            }
            (OpRef::Resource(write), AnswerRef::Engine(answer)) => {
                (Op::Resource(write.resource.clone()), Answer::Engine(answer.clone()))
            }
        };
        Record { step: self.step, now: self.now, agent: Arc::from(self.agent), op, outcome }
    }
}

/// An owned outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The engine's answer.
    Engine(Result<Outcome, Error>),
    /// The resource's answer.
    Resource(WriteOutcome),
}

impl Serialize for Answer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Answer::Engine(answer) => AnswerRef::Engine(answer).serialize(serializer),
            Answer::Resource(answer) => AnswerRef::Resource(*answer).serialize(serializer),
        }
    }
}

/// One step, owned: what a violation's history and a recording keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based step number.
    pub step: u64,
    /// The time of the operation.
    pub now: Millis,
    /// The agent that made it.
    pub agent: Arc<str>,
    /// The operation.
    pub op: Op,
    /// Its outcome.
    pub outcome: Answer,
}

/// Whatever watches a run step by step: a trace writer, a progress bar, a recorder.
pub trait Sink {
    /// Called once per step, in order.
    fn step(&mut self, step: &StepRef<'_>);
}

impl<T: Sink + ?Sized> Sink for &mut T {
    #[inline]
    fn step(&mut self, step: &StepRef<'_>) {
        (**self).step(step);
    }
}

/// A sink that keeps nothing (benchmarks, plain runs).
#[derive(Debug, Default, Clone, Copy)]
pub struct Discard;

impl Sink for Discard {
    #[inline]
    fn step(&mut self, _: &StepRef<'_>) {}
}

/// A sink that keeps every step.
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    /// The steps so far.
    pub records: alloc::vec::Vec<Record>,
}

impl Sink for Recorder {
    fn step(&mut self, step: &StepRef<'_>) {
        self.records.push(step.to_record());
    }
}

/// Whether an operation touches `key`: a lock, semaphore or limit key, a hold namespace, a
/// `namespace item` pair, or a resource name.
pub fn touches(op: &OpRef<'_>, key: &str) -> bool {
    match op {
        OpRef::Engine(Request::Lock(r)) => match r {
            LockRequest::Acquire { key: k, .. }
            | LockRequest::Release { key: k, .. }
            | LockRequest::Extend { key: k, .. }
            | LockRequest::Inspect { key: k } => k == key,
        },
        OpRef::Engine(Request::Hold(r)) => {
            let (namespace, items): (&str, &[String]) = match r {
                HoldRequest::Reserve { namespace, items, .. }
                | HoldRequest::Release { namespace, items, .. }
                | HoldRequest::Extend { namespace, items, .. }
                | HoldRequest::ForceRelease { namespace, items }
                | HoldRequest::Check { namespace, items } => (namespace, items),
                HoldRequest::List { namespace, .. } | HoldRequest::Sweep { namespace, .. } => {
                    (namespace, &[])
                }
            };
            match key.split_once(' ') {
                Some((ns, item)) => ns == namespace && items.iter().any(|i| i == item),
                None => key == namespace,
            }
        }
        OpRef::Engine(Request::Semaphore(r)) => match r {
            SemaphoreRequest::Acquire { key: k, .. }
            | SemaphoreRequest::Release { key: k, .. }
            | SemaphoreRequest::Extend { key: k, .. }
            | SemaphoreRequest::Inspect { key: k } => k == key,
        },
        OpRef::Engine(Request::Limit(r)) => match r {
            LimitRequest::Check { key: k, .. }
            | LimitRequest::Peek { key: k, .. }
            | LimitRequest::Reset { key: k, .. } => k == key,
        },
        OpRef::Resource(ResourceRef { resource: ResourceOp::Write { resource, .. } }) => resource == key,
    }
}
