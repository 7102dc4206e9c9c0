//! The trace as the CLI writes it: a header line, then one compact JSON line per step, each
//! followed by `\n`, hashed with FNV-1a 64 as `leasehold simulate` hashes it. The lines are
//! buffered until the page takes them, so a worker hands them over slice by slice.

use leasehold_sim::{Header, Sink, StepRef, TraceHash};

/// A [`Sink`] keeping the trace's lines until [`TraceBuffer::take`], and its hash.
#[derive(Debug, Clone)]
pub struct TraceBuffer {
    pending: String,
    keep: bool,
    hash: TraceHash,
    lines: u64,
}

impl TraceBuffer {
    /// A trace starting with `header`; with `keep` false the lines are only hashed.
    pub fn new(header: &Header, keep: bool) -> TraceBuffer {
        let mut buffer = TraceBuffer { pending: String::new(), keep, hash: TraceHash::default(), lines: 0 };
        let line = serde_json::to_string(header).unwrap_or_default();
        buffer.push(&line);
        buffer
    }

    fn push(&mut self, line: &str) {
        self.hash.update(line.as_bytes());
        self.hash.update(b"\n");
        self.lines += 1;
        if self.keep {
            self.pending.push_str(line);
            self.pending.push('\n');
        }
    }

    /// The lines written since the last call, each ending in `\n`.
    pub fn take(&mut self) -> String {
        core::mem::take(&mut self.pending)
    }

    /// The hash of every line so far.
    pub fn hash(&self) -> TraceHash {
        self.hash
    }

    /// Lines so far, the header included.
    pub fn lines(&self) -> u64 {
        self.lines
    }
}

impl Sink for TraceBuffer {
    fn step(&mut self, step: &StepRef<'_>) {
        // A step is plain data: serializing it cannot fail.
        let line = serde_json::to_string(step).unwrap_or_default();
        self.push(&line);
    }
}
