//! The trace of a proof run: every operation a client sent and what came back, with the
//! client-side times it was sent and answered. The audit reads nothing else.
//!
//! Times in a record are microseconds on one monotonic clock of the process that ran every
//! client (`sent_us`, `received_us`); times inside outcomes (`expires_at`, fences) are the
//! Redis server's. The audit never compares one clock with the other: see [`crate::audit`].

use std::io::Write as _;
use std::path::Path;

use leasehold_core::{Outcome, Request};
use leasehold_redis::AdapterError;
use serde::Serialize;

use crate::fenced::Write;

/// What a client did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// One leasehold request to Redis.
    Redis(Request),
    /// A write to the fenced resource `resource` under `fence`.
    Write {
        /// The resource (the lock key guarding it).
        resource: String,
        /// The writer's fence.
        fence: u64,
        /// Whether the writer knew its lease had run out (a deliberately late write).
        late: bool,
    },
}

/// What came back.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The request's outcome.
    Outcome(Outcome),
    /// A typed error instead of an outcome.
    Error {
        /// The error's kind: `invalid`, `connection`, `server`, `protocol`, `cross_slot`,
        /// `config`.
        kind: &'static str,
        /// Its message.
        detail: String,
    },
    /// What the fenced resource did.
    Write(Write),
}

impl Answer {
    /// The answer to a Redis request.
    pub fn of(result: Result<Outcome, AdapterError>) -> Answer {
        match result {
            Ok(outcome) => Answer::Outcome(outcome),
            Err(error) => Answer::Error { kind: error_kind(&error), detail: error.to_string() },
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        matches!(self, Answer::Error { .. })
    }
}

/// The name of an adapter error's kind.
pub fn error_kind(error: &AdapterError) -> &'static str {
    match error {
        AdapterError::Invalid(_) => "invalid",
        AdapterError::Connection { .. } => "connection",
        AdapterError::Server { .. } => "server",
        AdapterError::Protocol { .. } => "protocol",
        AdapterError::CrossSlot { .. } => "cross_slot",
        AdapterError::Config(_) => "config",
        _ => "other",
    }
}

/// One operation and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// The client that sent it.
    pub client: u32,
    /// Its place in that client's sequence, from 0.
    pub seq: u64,
    /// When it was sent, µs since the run started (client clock).
    pub sent_us: u64,
    /// When its answer came back, µs since the run started (client clock).
    pub received_us: u64,
    /// What was done.
    pub action: Action,
    /// What came back.
    pub answer: Answer,
}

/// Writes `records` as JSON lines to `path`.
pub fn write_jsonl(records: &[Record], path: &Path) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut out = std::io::BufWriter::new(file);
    for record in records {
        serde_json::to_writer(&mut out, record)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
