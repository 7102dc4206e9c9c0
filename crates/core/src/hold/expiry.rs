//! The expiry index of one hold namespace: every held item in `(expires_at, item bytes)` order,
//! the order of a Redis sorted set whose score is the expiry.
//!
//! The items of one reserve share one `expires_at`, so the index maps each expiry to a *run*:
//! the items expiring then, sorted by bytes. A reserve of ten items finds its run by comparing
//! integers and appends to it, where one ordered set of `(expires_at, item)` pairs compared item
//! bytes at every step of every insertion (all ten tie on the expiry). A run of more than
//! [`SMALL`] items (a large reserve, or many reservations in one millisecond with one TTL)
//! becomes an ordered set of its own, so that it still takes an insertion or a removal in
//! logarithmic work.
//!
//! The last run to empty by a removal stays in the map, empty, until another run empties: items
//! reserved again for the same expiry (reserve and release within one millisecond) find it in
//! place. The run taken out then is kept, cleared, for the next new expiry to reuse: a
//! namespace that is reserved and released in turn allocates nothing here.

use alloc::collections::btree_map::{BTreeMap, Entry};
use alloc::collections::btree_set::{self, BTreeSet};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::ops::Bound;

use crate::bytes;
use crate::time::Millis;

/// Most items a run keeps in one sorted vector.
const SMALL: usize = 64;

/// The items of one expiry, sorted by bytes (`str`'s order, which the set uses, is the same).
/// A run in the map holds at least one item, except the emptied run.
#[derive(Debug, Clone)]
enum Run {
    Small(Vec<Arc<str>>),
    Large(BTreeSet<Arc<str>>),
}

fn below(a: &str, b: &str) -> bool {
    bytes::cmp(a.as_bytes(), b.as_bytes()) == Ordering::Less
}

/// The items of a run from some point on.
enum Items<'a> {
    Small(core::slice::Iter<'a, Arc<str>>),
    Large(btree_set::Range<'a, Arc<str>>),
}

impl<'a> Iterator for Items<'a> {
    type Item = &'a Arc<str>;

    fn next(&mut self) -> Option<&'a Arc<str>> {
        match self {
            Items::Small(items) => items.next(),
            Items::Large(items) => items.next(),
        }
    }
}

impl Run {
    fn with(item: Arc<str>, spare: Option<Run>) -> Run {
        match spare {
            Some(Run::Small(mut items)) => {
                items.push(item);
                Run::Small(items)
            }
            _ => {
                let mut items = Vec::with_capacity(4);
                items.push(item);
                Run::Small(items)
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn len(&self) -> usize {
        match self {
            Run::Small(items) => items.len(),
            Run::Large(items) => items.len(),
        }
    }

    fn insert(&mut self, item: Arc<str>) {
        match self {
            Run::Small(items) if items.len() < SMALL => {
                let at = match items.last() {
                    Some(last) if below(last, &item) => items.len(),
                    _ => items.partition_point(|held| below(held, &item)),
                };
                items.insert(at, item);
            }
            Run::Small(items) => {
                let mut set: BTreeSet<Arc<str>> = items.drain(..).collect();
                set.insert(item);
                *self = Run::Large(set);
            }
            Run::Large(items) => {
                items.insert(item);
            }
        }
    }

    fn remove(&mut self, item: &str) -> Option<Arc<str>> {
        match self {
            Run::Small(items) => {
                // Items are mostly released in the order they were reserved: try the first one
                // by address (the caller's name is usually the index's own) before searching.
                let same =
                    |held: &Arc<str>| held.len() == item.len() && core::ptr::eq(held.as_ptr(), item.as_ptr());
                let at = if items.first().is_some_and(same) {
                    0
                } else {
                    items.binary_search_by(|held| bytes::cmp(held.as_bytes(), item.as_bytes())).ok()?
                };
                Some(items.remove(at))
            }
            Run::Large(items) => items.take(item),
        }
    }

    fn pop_first(&mut self) -> Option<Arc<str>> {
        match self {
            Run::Small(items) if items.is_empty() => None,
            Run::Small(items) => Some(items.remove(0)),
            Run::Large(items) => items.pop_first(),
        }
    }

    fn iter(&self) -> Items<'_> {
        match self {
            Run::Small(items) => Items::Small(items.iter()),
            Run::Large(items) => Items::Large(items.range::<Arc<str>, _>(..)),
        }
    }

    /// The items above `item`.
    fn above(&self, item: &str) -> Items<'_> {
        match self {
            Run::Small(items) => {
                Items::Small(items[items.partition_point(|held| !below(item, held))..].iter())
            }
            Run::Large(items) => {
                Items::Large(items.range::<str, _>((Bound::Excluded(item), Bound::Unbounded)))
            }
        }
    }
}

/// Keeps an emptied run as the spare when there is none and it is small.
fn keep(spare: &mut Option<Run>, run: Run) {
    if let Run::Small(mut items) = run {
        if spare.is_none() && items.capacity() <= SMALL {
            items.clear();
            *spare = Some(Run::Small(items));
        }
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
            Some((at, run)) if *at <= now => !run.is_empty() || self.runs.range(..=now).nth(1).is_some(),
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
        let item = run.get_mut().pop_first()?;
        if run.get().is_empty() {
            let run = run.remove();
            keep(&mut self.spare, run);
        }
        Some((at, item))
    }

    /// Items whose expiry is at or before `now`.
    pub fn count_through(&self, now: Millis) -> usize {
        self.runs.range(..=now).map(|(_, run)| run.len()).sum()
    }

    /// The expiry of the `nth` (0-based) item expiring after `now`.
    pub fn nth_after(&self, now: Millis, nth: usize) -> Option<Millis> {
        let mut left = nth;
        for (at, run) in self.runs.range(Millis(now.0 + 1)..) {
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
        // The cursor's run is searched now, so the iterator does not keep the cursor's item.
        let (first, rest) = match after {
            Some((at, item)) if at > now => {
                (self.runs.get(&at).map(|run| run.above(item)), Bound::Excluded(at))
            }
            _ => (None, Bound::Included(Millis(now.0 + 1))),
        };
        first
            .into_iter()
            .flatten()
            .chain(self.runs.range((rest, Bound::Unbounded)).flat_map(|(_, run)| run.iter()))
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
    fn a_run_too_long_for_a_vector_keeps_its_order_through_insertions_and_removals() {
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
