//! The in-memory keyed store every table of the engine sits on.
//!
//! Entries live in a dense `Vec` in insertion order (a removal moves the last entry into the
//! hole); a hashbrown [`HashTable`] maps a key's hash to its position. Two things follow:
//! iteration order depends only on the sequence of operations, never on the hash seed, so the
//! engine is deterministic; and active expiry can walk the entries incrementally from a cursor,
//! a bounded amount of work at a time, as Redis does, so memory returns to its baseline once
//! everything has expired without any timer.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::borrow::Borrow;

use hashbrown::HashTable;

use crate::hash::hash_str;

#[derive(Debug, Clone)]
struct Slot<K, V> {
    hash: u64,
    key: K,
    value: V,
}

/// A map from string keys to `V` with deterministic order and incremental sweeping.
///
/// The key type `K` is any owned string (`Box<str>` by default; `Arc<str>` where the key is
/// shared with other indexes, as holds do).
#[derive(Debug, Clone)]
pub struct Store<V, K = Box<str>> {
    slots: Vec<Slot<K, V>>,
    index: HashTable<usize>,
    seed: u64,
    cursor: usize,
}

impl<V, K: Borrow<str> + for<'a> From<&'a str>> Default for Store<V, K> {
    fn default() -> Self {
        Store::new(0)
    }
}

impl<V, K: Borrow<str> + for<'a> From<&'a str>> Store<V, K> {
    /// An empty store hashing with `seed`.
    pub fn new(seed: u64) -> Store<V, K> {
        Store { slots: Vec::new(), index: HashTable::new(), seed, cursor: 0 }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    #[inline]
    fn hash(&self, key: &str) -> u64 {
        hash_str(self.seed, key)
    }

    #[inline]
    fn position(&self, key: &str) -> Option<usize> {
        let hash = self.hash(key);
        let slots = &self.slots;
        self.index
            .find(hash, |&i| crate::bytes::eq(slots[i].key.borrow().as_bytes(), key.as_bytes()))
            .copied()
    }

    /// Where `key` is, for repeated access without hashing again (valid until a removal).
    #[inline]
    pub fn find(&self, key: &str) -> Option<usize> {
        self.position(key)
    }

    /// The value at a position [`Store::find`] gave.
    #[inline]
    pub fn at(&self, position: usize) -> &V {
        &self.slots[position].value
    }

    /// The value at a position [`Store::find`] gave, mutably.
    #[inline]
    pub fn at_mut(&mut self, position: usize) -> &mut V {
        &mut self.slots[position].value
    }

    /// The key at a position [`Store::find`] gave.
    #[inline]
    pub fn key_at(&self, position: usize) -> &K {
        &self.slots[position].key
    }

    /// The key and the value at a position [`Store::find`] gave, the value mutably.
    #[inline]
    pub fn entry_at_mut(&mut self, position: usize) -> (&K, &mut V) {
        let slot = &mut self.slots[position];
        (&slot.key, &mut slot.value)
    }

    /// Inserts `value` under `key`, which [`Store::find`] has just said is absent, and returns
    /// its position.
    pub fn insert_absent(&mut self, key: &str, value: V) -> usize {
        let hash = self.hash(key);
        self.push(hash, K::from(key), value)
    }

    /// Removes the entry at a position [`Store::find`] gave.
    pub fn remove_found(&mut self, position: usize) -> V {
        self.remove_at(position)
    }

    /// Removes the entry at a position [`Store::find`] gave, returning its key and value.
    pub fn remove_entry_found(&mut self, position: usize) -> (K, V) {
        let slot = self.take_at(position);
        (slot.key, slot.value)
    }

    /// The value under `key`.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&V> {
        self.position(key).map(|i| &self.slots[i].value)
    }

    /// The value under `key`, mutably.
    #[inline]
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.position(key).map(|i| &mut self.slots[i].value)
    }

    /// The value under `key`, inserting `make()` first when absent.
    #[inline]
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let hash = self.hash(key);
        let slots = &self.slots;
        let found = self
            .index
            .find(hash, |&i| crate::bytes::eq(slots[i].key.borrow().as_bytes(), key.as_bytes()))
            .copied();
        let i = match found {
            Some(i) => i,
            None => self.push(hash, K::from(key), make()),
        };
        &mut self.slots[i].value
    }

    /// Inserts `value` under `key`, which must be absent (the caller has just looked).
    pub fn insert_new(&mut self, key: K, value: V) {
        let hash = self.hash(key.borrow());
        debug_assert!(self.position(key.borrow()).is_none());
        self.push(hash, key, value);
    }

    fn push(&mut self, hash: u64, key: K, value: V) -> usize {
        let i = self.slots.len();
        self.slots.push(Slot { hash, key, value });
        let slots = &self.slots;
        self.index.insert_unique(hash, i, |&j| slots[j].hash);
        i
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let i = self.position(key)?;
        Some(self.remove_at(i))
    }

    fn remove_at(&mut self, i: usize) -> V {
        self.take_at(i).value
    }

    fn take_at(&mut self, i: usize) -> Slot<K, V> {
        let hash = self.slots[i].hash;
        if let Ok(entry) = self.index.find_entry(hash, |&j| j == i) {
            entry.remove();
        }
        let last = self.slots.len() - 1;
        if i != last {
            let moved = self.slots[last].hash;
            if let Some(position) = self.index.find_mut(moved, |&j| j == last) {
                *position = i;
            }
        }
        self.slots.swap_remove(i)
    }

    /// Entries in the store's deterministic order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.slots.iter().map(|slot| (slot.key.borrow(), &slot.value))
    }

    /// Examines up to `budget` entries from where the last sweep stopped, each at most once per
    /// call, removing those for which `dead` returns true. Returns how many were removed.
    pub fn sweep(&mut self, budget: usize, mut dead: impl FnMut(&str, &mut V) -> bool) -> usize {
        let mut removed = 0;
        let mut examined = 0;
        let budget = budget.min(self.slots.len());
        while examined < budget && !self.slots.is_empty() {
            if self.cursor >= self.slots.len() {
                self.cursor = 0;
            }
            let i = self.cursor;
            examined += 1;
            let slot = &mut self.slots[i];
            if dead(slot.key.borrow(), &mut slot.value) {
                self.remove_at(i);
                removed += 1;
            } else {
                self.cursor += 1;
            }
        }
        removed
    }

    /// Gives back spare capacity once the store has shrunk to a quarter of it.
    pub fn shrink(&mut self) {
        if self.slots.capacity() > 16 && self.slots.len() * 4 <= self.slots.capacity() {
            self.slots.shrink_to(self.slots.len() * 2);
            let slots = &self.slots;
            self.index.shrink_to(slots.len() * 2, |&j| slots[j].hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_keeps_every_other_key_reachable() {
        let mut store: Store<u32> = Store::new(7);
        for i in 0..100u32 {
            *store.get_or_insert_with(&alloc::format!("k{i}"), || 0) = i;
        }
        for i in (0..100u32).step_by(3) {
            assert_eq!(store.remove(&alloc::format!("k{i}")), Some(i));
        }
        for i in 0..100u32 {
            let expected = if i % 3 == 0 { None } else { Some(&i) };
            assert_eq!(store.get(&alloc::format!("k{i}")), expected);
        }
    }

    #[test]
    fn iteration_order_does_not_depend_on_the_seed() {
        let fill = |seed| {
            let mut store: Store<u32> = Store::new(seed);
            for i in 0..50u32 {
                store.get_or_insert_with(&alloc::format!("k{i}"), || i);
            }
            store.remove("k7");
            store.iter().map(|(_, v)| *v).collect::<Vec<_>>()
        };
        assert_eq!(fill(1), fill(99));
    }

    #[test]
    fn a_sweep_examines_each_entry_at_most_once_per_call() {
        let mut store: Store<u32> = Store::new(0);
        for i in 0..3u32 {
            store.get_or_insert_with(&alloc::format!("k{i}"), || i);
        }
        let mut examined = 0;
        store.sweep(256, |_, _| {
            examined += 1;
            false
        });
        assert_eq!(examined, 3);
    }

    #[test]
    fn sweeping_in_small_budgets_reaches_every_entry() {
        let mut store: Store<u32> = Store::new(0);
        for i in 0..40u32 {
            store.get_or_insert_with(&alloc::format!("k{i}"), || i);
        }
        let mut removed = 0;
        for _ in 0..10 {
            removed += store.sweep(4, |_, v| *v % 2 == 0);
        }
        assert_eq!(removed, 20);
        assert_eq!(store.len(), 20);
        assert!(store.iter().all(|(_, v)| v % 2 == 1));
    }
}
