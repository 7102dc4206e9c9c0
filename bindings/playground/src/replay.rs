//! An imported trace replayed in the page, as `leasehold replay` does it: every step re-run on
//! a fresh in-memory engine (and fenced resources), each outcome compared with the recorded one
//! and every invariant checked again.

use leasehold_core::store::Store;
use leasehold_core::Millis;
use leasehold_sim::backend::Backend;
use leasehold_sim::trace::{fenced_write, AnswerRef, ResourceOp, FORMAT_VERSION};
use leasehold_sim::{Checker, Header, InMemory, Op};
use serde::{Deserialize, Serialize};

use crate::error::PlaygroundError;
use leasehold_sim::TraceHash;

/// A step line, its outcome kept as JSON to compare.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    step: u64,
    now: Millis,
    #[allow(dead_code)]
    agent: String,
    op: Op,
    outcome: serde_json::Value,
}

/// What a replay that matched saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replayed {
    /// The trace's header.
    pub scenario: String,
    /// Its seed.
    pub seed: u64,
    /// Steps replayed.
    pub steps: u64,
    /// FNV-1a 64 of the trace's lines (header included), as the CLI prints it.
    pub hash: String,
}

/// Replays `text`, a whole trace; the error names the line at fault.
pub fn replay(text: &str) -> Result<Replayed, PlaygroundError> {
    let malformed = |number: usize, what: String| {
        PlaygroundError::new("trace_malformed", format!("line {number}: {what}"))
    };
    let mut lines =
        text.lines().enumerate().map(|(i, line)| (i + 1, line)).filter(|(_, l)| !l.trim().is_empty());
    let (_, first) = lines.next().ok_or_else(|| malformed(1, "empty trace".into()))?;
    let header: Header = serde_json::from_str(first).map_err(|e| malformed(1, e.to_string()))?;
    if header.leasehold_trace != FORMAT_VERSION {
        return Err(malformed(1, format!("trace format {} is not {FORMAT_VERSION}", header.leasehold_trace)));
    }
    let mut hash = TraceHash::default();
    hash.update(first.as_bytes());
    hash.update(b"\n");
    let mut engine = InMemory::new(0);
    let mut checker = Checker::new();
    let mut resources: Store<u64> = Store::new(0);
    let mut due = 0;
    for (number, text) in lines {
        let line: Line = serde_json::from_str(text).map_err(|e| malformed(number, e.to_string()))?;
        due += 1;
        if line.step != due {
            return Err(malformed(number, format!("step {} where step {due} was due", line.step)));
        }
        let (got, checked) = match line.op {
            Op::Resource(ResourceOp::Write { resource, fence }) => {
                let outcome = fenced_write(resources.get_or_insert_with(&resource, || 0), fence);
                let got = serde_json::to_value(AnswerRef::Resource(outcome));
                (got, checker.observe_write(line.step, line.now, &resource, fence, outcome))
            }
            op => {
                let Ok(request) = op.into_request() else {
                    return Err(malformed(number, "a resource write where an engine request was due".into()));
                };
                let Ok(answer) = engine.apply(&request, line.now);
                let got = serde_json::to_value(AnswerRef::Engine(&answer));
                (got, checker.observe(line.step, line.now, &request, &answer))
            }
        };
        let got = got.map_err(|e| malformed(number, e.to_string()))?;
        if got != line.outcome {
            return Err(PlaygroundError::new(
                "trace_diverged",
                format!("line {number}, step {}: expected {} but got {got}", line.step, line.outcome),
            ));
        }
        if let Err(violation) = checked {
            return Err(PlaygroundError::new("trace_diverged", format!("line {number}: {violation}")));
        }
        hash.update(text.as_bytes());
        hash.update(b"\n");
    }
    Ok(Replayed { scenario: header.scenario, seed: header.seed, steps: due, hash: hash.hex() })
}
