//! The virtual clock: agent wake-ups ordered by `(time, sequence)`.
//!
//! Two wake-ups at the same millisecond run in the order they were scheduled (the sequence
//! number breaks the tie), so the order of events never depends on anything but the scenario.

use alloc::collections::BinaryHeap;
use core::cmp::Reverse;

/// Pending wake-ups.
#[derive(Debug, Default)]
pub struct Queue {
    heap: BinaryHeap<Reverse<(u64, u64, u32)>>,
    sequence: u64,
}

impl Queue {
    /// Schedules `agent` at `time`.
    pub fn push(&mut self, time: u64, agent: u32) {
        self.sequence += 1;
        self.heap.push(Reverse((time, self.sequence, agent)));
    }

    /// The earliest wake-up, removed.
    pub fn pop(&mut self) -> Option<(u64, u32)> {
        self.heap.pop().map(|Reverse((time, _, agent))| (time, agent))
    }

    /// The time of the earliest wake-up.
    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((time, _, _))| *time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_at_the_same_time_run_in_scheduling_order() {
        let mut queue = Queue::default();
        queue.push(5, 2);
        queue.push(3, 9);
        queue.push(5, 1);
        assert_eq!(queue.pop(), Some((3, 9)));
        assert_eq!(queue.pop(), Some((5, 2)));
        assert_eq!(queue.pop(), Some((5, 1)));
        assert_eq!(queue.pop(), None);
    }
}
