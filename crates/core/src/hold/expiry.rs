//! The expiry index of one hold namespace: every held item in `(expires_at, item bytes)` order,
//! the order of a Redis sorted set whose score is the expiry.
//!
//! The items of one reserve share one `expires_at`, so the index maps each expiry to a *run*:
//! the items expiring then, sorted by bytes. A reserve of ten items finds its run by comparing
//! integers and appends to it, where one ordered set of `(expires_at, item)` pairs compared item
//! bytes at every step of every insertion (all ten tie on the expiry). A run is cut into chunks
//! of at most [`CHUNK`] items, so a run of millions (many reservations in one millisecond with
//! one TTL) still takes an insertion or a removal in bounded work.
//!
//! The last run to empty by a removal stays in the map, empty, until another run empties: items
//! reserved again for the same expiry (reserve and release within one millisecond) find it in
//! place. The run taken out then is kept, cleared, for the next new expiry to reuse: a
//! namespace that is reserved and released in turn allocates nothing here.

use alloc::collections::btree_map::{BTreeMap, Entry};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::ops::Bound;

use crate::bytes;
use crate::time::Millis;

/// Most items in one chunk of a run. Inserting moves half a chunk on average and splitting a
/// chunk moves the run's list of chunks; 256 keeps both to a few kilobytes for a run of a
/// million items.
const CHUNK: usize = 256;

/// The items of one expiry, sorted by bytes, in chunks. A run holds at least one item and none
/// of its chunks is empty, except the emptied run and the spare: one empty chunk.
#[derive(Debug, Clone)]
struct Run {
    chunks: Vec<Vec<Arc<str>>>,
}

fn below(a: &str, b: &str) -> bool {
    bytes::cmp(a.as_bytes(), b.as_bytes()) == Ordering::Less
}

impl Run {
    fn with(item: Arc<str>, spare: Option<Run>) -> Run {
        let mut run = spare.unwrap_or_else(|| Run { chunks: alloc::vec![Vec::with_capacity(4)] });
        run.chunks[0].push(item);
        run
    }

    fn is_empty(&self) -> bool {
        self.chunks[0].is_empty()
    }

    fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// The chunk where `item` is or belongs: the last whose first item is not above it.
    fn chunk_for(&self, item: &str) -> usize {
        if self.chunks.len() == 1 {
            return 0;
        }
        self.chunks.partition_point(|chunk| !below(item, &chunk[0])).saturating_sub(1)
    }

    /// Where the items above `item` start: a chunk and a position in it.
    fn after(&self, item: &str) -> (usize, usize) {
        let c = self.chunk_for(item);
        (c, self.chunks[c].partition_point(|held| !below(item, held)))
    }

    fn insert(&mut self, item: Arc<str>) {
        let c = self.chunk_for(&item);
        let last_chunk = c + 1 == self.chunks.len();
        let chunk = &mut self.chunks[c];
        let at = match chunk.last() {
            Some(last) if below(last, &item) => chunk.len(),
            _ => chunk.partition_point(|held| below(held, &item)),
        };
        if chunk.len() < CHUNK {
            chunk.insert(at, item);
        } else if at == CHUNK && last_chunk {
            // Appending past a full last chunk: start a new one, leaving this one full.
            let mut next = Vec::with_capacity(4);
            next.push(item);
            self.chunks.push(next);
        } else {
            let mut tail = chunk.split_off(CHUNK / 2);
            match at.checked_sub(CHUNK / 2) {
                Some(at) => tail.insert(at, item),
                None => chunk.insert(at, item),
            }
            self.chunks.insert(c + 1, tail);
        }
    }

    fn remove(&mut self, item: &str) -> Option<Arc<str>> {
        let c = self.chunk_for(item);
        let chunk = &mut self.chunks[c];
        // Items are mostly released in the order they were reserved: try the first one by
        // address (the caller's name is usually the index's own) before searching.
        let same = |held: &Arc<str>| held.len() == item.len() && core::ptr::eq(held.as_ptr(), item.as_ptr());
        let at = if chunk.first().is_some_and(same) {
            0
        } else {
            chunk.binary_search_by(|held| bytes::cmp(held.as_bytes(), item.as_bytes())).ok()?
        };
        let removed = chunk.remove(at);
        if chunk.is_empty() && self.chunks.len() > 1 {
            self.chunks.remove(c);
        }
        Some(removed)
    }

    fn pop_first(&mut self) -> Arc<str> {
        let first = self.chunks[0].remove(0);
        if self.chunks[0].is_empty() && self.chunks.len() > 1 {
            self.chunks.remove(0);
        }
        first
    }

    /// The items from chunk `c`, position `at` on.
    fn from(&self, c: usize, at: usize) -> impl Iterator<Item = &Arc<str>> + '_ {
        self.chunks[c..]
            .iter()
            .enumerate()
            .flat_map(move |(k, chunk)| chunk[if k == 0 { at } else { 0 }..].iter())
    }
}

/// Keeps an emptied run as the spare when there is none and it is small.
fn keep(spare: &mut Option<Run>, run: Run) {
    if spare.is_none() && run.chunks.capacity() == 1 && run.chunks[0].capacity() <= CHUNK {
        *spare = Some(run);
    }
}

/// Held items in `(expires_at, item bytes)` order.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExpiryIndex {
    runs: BTreeMap<Millis, Run>,
    /// The expiry of the one run of `runs` left empty, if any.
    emptied: Option<Millis>,
    /// A run taken out of `runs`, cleared, when small.
    spare: Option<Run>,
}

impl ExpiryIndex {
    /// The runs between two bounds (one range type for every caller, so one copy of the code).
    fn runs_in(
        &self,
        from: Bound<Millis>,
        to: Bound<Millis>,
    ) -> alloc::collections::btree_map::Range<'_, Millis, Run> {
        self.runs.range((from, to))
    }

    pub fn insert(&mut self, expires_at: Millis, item: Arc<str>) {
        match self.runs.entry(expires_at) {
            Entry::Occupied(run) => {
                if run.get().is_empty() {
                    self.emptied = None;
                }
                run.into_mut().insert(item)
            }
            Entry::Vacant(slot) => {
                slot.insert(Run::with(item, self.spare.take()));
            }
        }
    }

    /// Removes `item` from `expires_at`'s run, returning the index's copy of its name.
    pub fn remove(&mut self, expires_at: Millis, item: &str) -> Option<Arc<str>> {
        let Entry::Occupied(mut run) = self.runs.entry(expires_at) else { return None };
        let removed = run.get_mut().remove(item);
        if removed.is_some() && run.get().is_empty() {
            // This run stays; the one left empty before goes.
            if let Some(run) = self.emptied.replace(expires_at).and_then(|before| self.runs.remove(&before)) {
                keep(&mut self.spare, run);
            }
        }
        removed
    }

    /// Moves `item` from one expiry to another.
    pub fn reschedule(&mut self, from: Millis, to: Millis, item: &str) {
        if let Some(name) = self.remove(from, item) {
            self.insert(to, name);
        }
    }

    /// Whether an item expires at or before `now`.
    pub fn any_through(&self, now: Millis) -> bool {
        match self.runs.first_key_value() {
            Some((at, run)) if *at <= now => {
                !run.is_empty() || self.runs_in(Bound::Unbounded, Bound::Included(now)).nth(1).is_some()
            }
            _ => false,
        }
    }

    /// Removes the first item in order, with its expiry.
    pub fn pop_first(&mut self) -> Option<(Millis, Arc<str>)> {
        let mut run = self.runs.first_entry()?;
        if run.get().is_empty() {
            keep(&mut self.spare, run.remove());
            self.emptied = None;
            run = self.runs.first_entry()?;
        }
        let at = *run.key();
        let item = run.get_mut().pop_first();
        if run.get().is_empty() {
            let run = run.remove();
            keep(&mut self.spare, run);
        }
        Some((at, item))
    }

    /// Items whose expiry is at or before `now`.
    pub fn count_through(&self, now: Millis) -> usize {
        self.runs_in(Bound::Unbounded, Bound::Included(now)).map(|(_, run)| run.len()).sum()
    }

    /// The expiry of the `nth` (0-based) item expiring after `now`.
    pub fn nth_after(&self, now: Millis, nth: usize) -> Option<Millis> {
        let mut left = nth;
        for (at, run) in self.runs_in(Bound::Excluded(now), Bound::Unbounded) {
            let len = run.len();
            if left < len {
                return Some(*at);
            }
            left -= len;
        }
        None
    }

    /// Items expiring after `now`, in order, starting after `after` when it is given.
    pub fn iter_after(&self, now: Millis, after: Option<(Millis, &str)>) -> impl Iterator<Item = &Arc<str>> {
        // Where the first run starts, found before iterating so the cursor's item is not kept.
        let (from, start) = match after {
            Some((at, item)) if at > now => {
                let start = self.runs.get(&at).map_or((0, 0), |run| run.after(item));
                (at, start)
            }
            _ => (Millis(now.0 + 1), (0, 0)),
        };
        self.runs_in(Bound::Included(from), Bound::Unbounded).flat_map(move |(at, run)| {
            let (c, i) = if *at == from { start } else { (0, 0) };
            run.from(c, i)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    fn listed(index: &ExpiryIndex, now: u64, after: Option<(u64, &str)>) -> Vec<String> {
        index
            .iter_after(Millis(now), after.map(|(at, item)| (Millis(at), item)))
            .map(|item| String::from(&**item))
            .collect()
    }

    #[test]
    fn items_come_out_by_expiry_then_by_bytes_whatever_the_insertion_order() {
        let mut index = ExpiryIndex::default();
        for (at, item) in [(5, "b"), (3, "z"), (5, "a"), (3, "y"), (5, "ab")] {
            index.insert(Millis(at), Arc::from(item));
        }
        assert_eq!(listed(&index, 0, None), ["y", "z", "a", "ab", "b"]);
        assert_eq!(listed(&index, 3, None), ["a", "ab", "b"]);
        assert_eq!(listed(&index, 0, Some((3, "y"))), ["z", "a", "ab", "b"]);
        assert_eq!(listed(&index, 0, Some((5, "aa"))), ["ab", "b"]);
        assert_eq!(listed(&index, 0, Some((4, "q"))), ["a", "ab", "b"]);
    }

    #[test]
    fn a_run_longer_than_a_chunk_keeps_its_order_through_insertions_and_removals() {
        let mut index = ExpiryIndex::default();
        // A multiplier coprime to the count visits every number once, out of order.
        let names: Vec<String> = (0..1000u32).map(|i| format!("item-{:04}", (i * 389) % 1000)).collect();
        for name in &names {
            index.insert(Millis(7), Arc::from(name.as_str()));
        }
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(listed(&index, 0, None), sorted);
        for name in names.iter().step_by(3) {
            assert!(index.remove(Millis(7), name).is_some());
        }
        sorted.retain(|name| !names.iter().step_by(3).any(|gone| gone == name));
        assert_eq!(listed(&index, 0, None), sorted);
        assert_eq!(listed(&index, 0, Some((7, &sorted[500]))), sorted[501..]);
        assert_eq!(index.count_through(Millis(7)), sorted.len());
        assert_eq!(index.nth_after(Millis(0), sorted.len() - 1), Some(Millis(7)));
        assert_eq!(index.nth_after(Millis(0), sorted.len()), None);
        for name in &sorted {
            assert_eq!(index.pop_first().map(|(_, item)| String::from(&*item)).as_ref(), Some(name));
        }
        assert_eq!(index.pop_first(), None);
        assert!(!index.any_through(Millis::MAX));
    }

    #[test]
    fn an_emptied_run_is_neither_listed_nor_first_nor_popped() {
        let mut index = ExpiryIndex::default();
        index.insert(Millis(1), Arc::from("a"));
        index.insert(Millis(2), Arc::from("b"));
        assert!(index.remove(Millis(1), "a").is_some());
        assert!(!index.any_through(Millis(1)) && index.any_through(Millis(2)));
        assert_eq!(listed(&index, 0, Some((1, "a"))), ["b"]);
        assert_eq!(index.count_through(Millis(2)), 1);
        assert_eq!(index.nth_after(Millis(0), 0), Some(Millis(2)));
        assert_eq!(
            index.pop_first().map(|(at, item)| (at, String::from(&*item))),
            Some((Millis(2), String::from("b")))
        );
        assert!(!index.any_through(Millis::MAX));
        index.insert(Millis(1), Arc::from("c"));
        index.insert(Millis(3), Arc::from("d"));
        assert!(index.remove(Millis(3), "d").is_some());
        assert!(index.remove(Millis(1), "c").is_some());
        assert!(!index.any_through(Millis::MAX));
        assert_eq!(index.pop_first(), None);
        index.insert(Millis(3), Arc::from("e"));
        assert_eq!(listed(&index, 0, None), ["e"]);
    }

    #[test]
    fn removing_an_absent_item_changes_nothing() {
        let mut index = ExpiryIndex::default();
        index.insert(Millis(1), Arc::from("a"));
        assert_eq!(index.remove(Millis(1), "b"), None);
        assert_eq!(index.remove(Millis(2), "a"), None);
        assert_eq!(listed(&index, 0, None), ["a"]);
    }
}
