//! `leasehold replay <trace>`: re-runs every step on a fresh store (the in-memory engine, or
//! Redis with `--redis`) and fenced resources, compares each outcome with the recorded one and
//! checks the invariants again.

use leasehold_core::store::Store;
use leasehold_sim::backend::Backend;
use leasehold_sim::trace::{fenced_write, AnswerRef, ResourceOp};
use leasehold_sim::{Checker, Op};

use crate::load;
use leasehold_sim::TraceHash;

/// What a successful replay saw.
pub struct Replayed {
    /// Steps replayed.
    pub steps: u64,
    /// Hash of the trace's bytes as re-serialized (equal to the recorded file's when unmodified).
    pub hash: TraceHash,
}

/// Replays `path` on `engine`, a fresh store without active expiry; the error names the line
/// and step at fault.
pub fn replay<B: Backend>(path: &str, mut engine: B) -> Result<Replayed, String> {
    let trace = load::trace(path)?;
    let mut checker = Checker::new();
    let mut resources: Store<u64> = Store::new(0);
    let mut hash = TraceHash::default();
    hash.update(&serde_json::to_vec(&trace.header).map_err(|e| e.to_string())?);
    hash.update(b"\n");
    let mut expected_step = 0;
    for (number, text) in &trace.lines {
        let line = load::line(path, *number, text)?;
        expected_step += 1;
        if line.step != expected_step {
            return Err(format!(
                "trace {path}: line {number}: step: {} where step {expected_step} was due",
                line.step
            ));
        }
        let at = |what: String| {
            format!("trace {path}: step {} (line {number}, {}): {what}", line.step, line.agent)
        };
        let (got, checked) = match line.op {
            Op::Resource(ResourceOp::Write { resource, fence }) => {
                let outcome = fenced_write(resources.get_or_insert_with(&resource, || 0), fence);
                let got = serde_json::to_value(AnswerRef::Resource(outcome)).map_err(|e| e.to_string())?;
                (got, checker.observe_write(line.step, line.now, &resource, fence, outcome))
            }
            op => {
                let Ok(request) = op.into_request() else { unreachable!("resource ops are handled above") };
                let answer = engine.apply(&request, line.now).map_err(|failure| at(failure.to_string()))?;
                let got = serde_json::to_value(AnswerRef::Engine(&answer)).map_err(|e| e.to_string())?;
                (got, checker.observe(line.step, line.now, &request, &answer))
            }
        };
        if got != line.outcome {
            return Err(at(format!("outcome differs\n  expected: {}\n  got:      {got}", line.outcome)));
        }
        if let Err(violation) = checked {
            return Err(at(violation.to_string()));
        }
        hash.update(text.as_bytes());
        hash.update(b"\n");
    }
    Ok(Replayed { steps: expected_step, hash })
}
