//! The trace as the CLI writes it: a header line, then one compact JSON line per step, each
//! followed by `\n`, hashed with FNV-1a 64 as `leasehold simulate` hashes it. The lines are
//! buffered until the page takes them, so a worker hands them over slice by slice.

use leasehold_sim::{Header, Sink, StepRef};

/// FNV-1a, 64 bits, over every byte of the trace: offset basis 0xcbf29ce484222325, prime
/// 0x100000001b3 (the hash `leasehold simulate` and `leasehold replay` print).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    /// Feeds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The hash as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// A [`Sink`] keeping the trace's lines until [`TraceBuffer::take`], and its hash.
#[derive(Debug, Clone)]
pub struct TraceBuffer {
    pending: String,
    keep: bool,
    hash: Fnv1a,
    lines: u64,
}

impl TraceBuffer {
    /// A trace starting with `header`; with `keep` false the lines are only hashed.
    pub fn new(header: &Header, keep: bool) -> TraceBuffer {
        let mut buffer = TraceBuffer { pending: String::new(), keep, hash: Fnv1a::default(), lines: 0 };
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
    pub fn hash(&self) -> Fnv1a {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_published_test_vectors() {
        let hash = |text: &str| {
            let mut h = Fnv1a::default();
            h.update(text.as_bytes());
            h.hex()
        };
        assert_eq!(hash(""), "cbf29ce484222325");
        assert_eq!(hash("a"), "af63dc4c8601ec8c");
        assert_eq!(hash("foobar"), "85944171f73967e8");
    }
}
