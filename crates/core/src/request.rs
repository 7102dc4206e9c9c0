//! Every operation of the engine as data: what vectors, traces, the simulator and the bindings
//! carry, and what [`crate::Engine::apply`] runs.
//!
//! A request serializes as `{"<primitive>": {"<operation>": {<arguments>}}}`, for example
//! `{"lock": {"acquire": {"key": "k", "owner": "a", "ttl": 1000}}}`; its outcome serializes as
//! the bare outcome of that operation, for example `{"granted": {"fence": 1000000, ...}}`.

use serde::{Deserialize, Serialize};

use crate::hold::{HoldOutcome, HoldRequest};
use crate::limit::{LimitOutcome, LimitRequest};
use crate::lock::{LockOutcome, LockRequest};
use crate::semaphore::{SemaphoreOutcome, SemaphoreRequest};

/// One operation on one primitive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// A lock operation.
    Lock(LockRequest),
    /// A hold operation.
    Hold(HoldRequest),
    /// A semaphore operation.
    Semaphore(SemaphoreRequest),
    /// A rate-limit operation.
    Limit(LimitRequest),
}

impl Request {
    /// The operation's name, `primitive.operation`, as vectors and traces name it.
    pub fn name(&self) -> &'static str {
        match self {
            Request::Lock(LockRequest::Acquire { .. }) => "lock.acquire",
            Request::Lock(LockRequest::Release { .. }) => "lock.release",
            Request::Lock(LockRequest::Extend { .. }) => "lock.extend",
            Request::Lock(LockRequest::Inspect { .. }) => "lock.inspect",
            Request::Hold(request) => request.name(),
            Request::Semaphore(SemaphoreRequest::Acquire { .. }) => "semaphore.acquire",
            Request::Semaphore(SemaphoreRequest::Release { .. }) => "semaphore.release",
            Request::Semaphore(SemaphoreRequest::Extend { .. }) => "semaphore.extend",
            Request::Semaphore(SemaphoreRequest::Inspect { .. }) => "semaphore.inspect",
            Request::Limit(LimitRequest::Check { .. }) => "limit.check",
            Request::Limit(LimitRequest::Peek { .. }) => "limit.peek",
            Request::Limit(LimitRequest::Reset { .. }) => "limit.reset",
        }
    }
}

/// Every operation name [`Request::name`] can return.
pub const OPERATIONS: &[&str] = &[
    "lock.acquire",
    "lock.release",
    "lock.extend",
    "lock.inspect",
    "hold.reserve",
    "hold.release",
    "hold.extend",
    "hold.force_release",
    "hold.check",
    "hold.list",
    "hold.sweep",
    "semaphore.acquire",
    "semaphore.release",
    "semaphore.extend",
    "semaphore.inspect",
    "limit.check",
    "limit.peek",
    "limit.reset",
];

/// The outcome of a [`Request`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    /// Of a lock operation.
    Lock(LockOutcome),
    /// Of a hold operation.
    Hold(HoldOutcome),
    /// Of a semaphore operation.
    Semaphore(SemaphoreOutcome),
    /// Of a rate-limit operation.
    Limit(LimitOutcome),
}
