//! One hold namespace: its holds by item, the same holds in expiry order, and its last fence.

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::expiry::ExpiryIndex;
use crate::fence;
use crate::hold::{HoldEvent, HoldEventKind};
use crate::store::Store;
use crate::time::Millis;

/// One held item.
#[derive(Debug, Clone)]
pub(crate) struct HoldRecord {
    pub item: Arc<str>,
    pub owner: Arc<str>,
    pub fence: u64,
    pub expires_at: Millis,
}

impl HoldRecord {
    pub fn is_live(&self, now: Millis) -> bool {
        self.expires_at > now
    }

    pub fn event(&self, kind: HoldEventKind) -> HoldEvent {
        HoldEvent { kind, item: self.item.clone(), fence: self.fence, expires_at: self.expires_at }
    }
}

/// The state of one namespace. Dead holds stay until reclaimed by a lazy or explicit sweep,
/// which is what emits their `expired` event.
#[derive(Debug, Clone, Default)]
pub(crate) struct Namespace {
    holds: Store<HoldRecord, Arc<str>>,
    /// Every held item in expiry order, ties by the item's bytes (a Redis sorted set's order).
    by_expiry: ExpiryIndex,
    pub last_fence: u64,
    /// The item and owner names of the last hold removed. A reserve that names them again
    /// (an item released and taken again, the same owner coming back) shares them instead of
    /// allocating; one pair per namespace, dropped with it.
    spare: Option<(Arc<str>, Arc<str>)>,
}

impl Namespace {
    pub fn new(seed: u64) -> Namespace {
        Namespace { holds: Store::new(seed), by_expiry: ExpiryIndex::default(), last_fence: 0, spare: None }
    }

    pub fn get(&self, item: &str) -> Option<&HoldRecord> {
        self.holds.get(item)
    }

    /// Where `item`'s hold is, valid until the next removal.
    pub fn find(&self, item: &str) -> Option<usize> {
        self.holds.find(item)
    }

    pub fn at(&self, position: usize) -> &HoldRecord {
        self.holds.at(position)
    }

    /// Removes the hold at `position`.
    pub fn remove_at(&mut self, position: usize) -> HoldRecord {
        let record = self.holds.remove_found(position);
        self.by_expiry.remove(record.expires_at, &record.item);
        record
    }

    /// Keeps the names of a removed hold as the spare pair. They move in, so this costs no
    /// more than dropping the record would.
    pub fn keep_names(&mut self, record: HoldRecord) {
        self.spare = Some((record.item, record.owner));
    }

    /// `item` as a shared name: the spare one when it is the same text, else a new one.
    pub fn share_item(&self, item: &str) -> Arc<str> {
        match &self.spare {
            Some((spare, _)) if crate::bytes::eq(spare.as_bytes(), item.as_bytes()) => spare.clone(),
            _ => Arc::from(item),
        }
    }

    /// `owner` as a shared name, like [`Namespace::share_item`].
    pub fn share_owner(&self, owner: &str) -> Arc<str> {
        match &self.spare {
            Some((_, spare)) if crate::bytes::eq(spare.as_bytes(), owner.as_bytes()) => spare.clone(),
            _ => Arc::from(owner),
        }
    }

    /// Moves the expiry of the hold at `position`; returns its `extended` event.
    pub fn set_expiry_at(&mut self, position: usize, expires_at: Millis) -> HoldEvent {
        let record = self.holds.at_mut(position);
        let old = record.expires_at;
        record.expires_at = expires_at;
        self.by_expiry.reschedule(old, expires_at, &record.item);
        record.event(HoldEventKind::Extended)
    }

    pub fn len(&self) -> usize {
        self.holds.len()
    }

    /// Holds whose `expires_at > now`. Counts the dead holds not yet reclaimed, which the lazy
    /// sweep keeps few.
    pub fn live_count(&self, now: Millis) -> u64 {
        (self.holds.len() - self.by_expiry.count_through(now)) as u64
    }

    /// The expiry of the `nth` (0-based) live hold in expiry order.
    pub fn nth_live_expiry(&self, now: Millis, nth: usize) -> Option<Millis> {
        self.by_expiry.nth_after(now, nth)
    }

    /// Live holds from `after` (exclusive) in expiry order.
    pub fn live_from<'a>(
        &'a self,
        now: Millis,
        after: Option<(Millis, &str)>,
    ) -> impl Iterator<Item = &'a HoldRecord> + 'a {
        self.by_expiry.iter_after(now, after).filter_map(|item| self.holds.get(item))
    }

    /// Adds a hold for an item that has none.
    pub fn insert(&mut self, record: HoldRecord) {
        self.by_expiry.insert(record.expires_at, record.item.clone());
        self.holds.insert_new(record.item.clone(), record);
    }

    /// Reclaims up to `max` dead holds, earliest expiry first, pushing an `expired` event for
    /// each. Returns how many were reclaimed.
    pub fn sweep_dead(&mut self, now: Millis, max: usize, events: &mut Vec<HoldEvent>) -> usize {
        let mut reclaimed = 0;
        while reclaimed < max && self.has_dead(now) {
            let Some((_, item)) = self.by_expiry.pop_first() else { break };
            if let Some(record) = self.holds.remove(&item) {
                events.push(record.event(HoldEventKind::Expired));
            }
            reclaimed += 1;
        }
        if reclaimed > 0 {
            self.holds.shrink();
        }
        reclaimed
    }

    /// Whether a dead hold remains.
    pub fn has_dead(&self, now: Millis) -> bool {
        self.by_expiry.first_expiry().is_some_and(|at| at <= now)
    }

    /// Whether the namespace can be dropped without losing anything: no hold at all, and its
    /// last fence is below the clock's floor.
    pub fn is_forgettable(&self, now: Millis) -> bool {
        self.holds.is_empty() && !fence::must_remember(self.last_fence, now)
    }
}
