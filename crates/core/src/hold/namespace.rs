//! One hold namespace: its holds by item, the same holds in expiry order, and its last fence.

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::expiry::ExpiryIndex;
use crate::fence;
use crate::hold::{HoldEvent, HoldEventKind};
use crate::store::Store;
use crate::time::Millis;

/// One held item (its name is the key it is stored under).
#[derive(Debug, Clone)]
pub(crate) struct HoldRecord {
    pub owner: Arc<str>,
    pub fence: u64,
    pub expires_at: Millis,
}

impl HoldRecord {
    pub fn is_live(&self, now: Millis) -> bool {
        self.expires_at > now
    }

    /// Whether this is a released hold kept in place (fences start at 1, so 0 marks it).
    pub fn is_parked(&self) -> bool {
        self.fence == 0
    }

    pub fn event(&self, item: Arc<str>, kind: HoldEventKind) -> HoldEvent {
        HoldEvent { kind, item, fence: self.fence, expires_at: self.expires_at }
    }
}

/// `name` as a shared name: `spare` when it is the same text, else a new one.
fn share(spare: &Option<Arc<str>>, name: &str) -> Arc<str> {
    match spare {
        Some(spare) if crate::bytes::eq(spare.as_bytes(), name.as_bytes()) => spare.clone(),
        _ => Arc::from(name),
    }
}

/// Released holds kept in place per namespace, for their items to be reserved again without
/// allocating, hashing or indexing them anew.
const PARKED: usize = 32;

/// The state of one namespace. Dead holds stay until reclaimed by a lazy or explicit sweep,
/// which is what emits their `expired` event.
///
/// A released hold is *parked* rather than removed while fewer than [`PARKED`] are: it stays
/// in `holds` with fence 0 and expiry 0 (so it is never live), out of the expiry index, and
/// counts nowhere; a reserve of its item takes the record back. Parked records go with the
/// namespace, which is forgotten once it has no other hold.
#[derive(Debug, Clone, Default)]
pub(crate) struct Namespace {
    holds: Store<HoldRecord, Arc<str>>,
    /// Every held item in expiry order, ties by the item's bytes (a Redis sorted set's order).
    by_expiry: ExpiryIndex,
    pub last_fence: u64,
    /// Parked records in `holds`.
    parked: usize,
    /// The item name of the last hold removed and the owner of the last hold released or
    /// removed. A reserve that names them again (an item released and taken again, the same
    /// owner coming back) shares them instead of allocating; dropped with the namespace.
    spare_item: Option<Arc<str>>,
    spare_owner: Option<Arc<str>>,
}

impl Namespace {
    pub fn new(seed: u64) -> Namespace {
        Namespace {
            holds: Store::new(seed),
            by_expiry: ExpiryIndex::default(),
            last_fence: 0,
            parked: 0,
            spare_item: None,
            spare_owner: None,
        }
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

    /// The item of the hold at `position`.
    pub fn item_at(&self, position: usize) -> &Arc<str> {
        self.holds.key_at(position)
    }

    /// Removes the hold at `position`, returning its item and record.
    pub fn remove_at(&mut self, position: usize) -> (Arc<str>, HoldRecord) {
        let (item, record) = self.holds.remove_entry_found(position);
        self.by_expiry.remove(record.expires_at, &item);
        (item, record)
    }

    /// Ends the live hold at `position`, parking it when there is room; returns its `released`
    /// event.
    pub fn release_at(&mut self, position: usize) -> HoldEvent {
        if self.parked == PARKED {
            let (item, record) = self.remove_at(position);
            let event = record.event(item.clone(), HoldEventKind::Released);
            self.keep_names(item, record);
            return event;
        }
        let (item, record) = self.holds.entry_at_mut(position);
        let event = record.event(item.clone(), HoldEventKind::Released);
        if !self.spare_owner.as_ref().is_some_and(|spare| Arc::ptr_eq(spare, &record.owner)) {
            self.spare_owner = Some(record.owner.clone());
        }
        self.by_expiry.remove(record.expires_at, item);
        record.fence = 0;
        record.expires_at = Millis(0);
        self.parked += 1;
        event
    }

    /// Takes back the parked record at `position` as a new hold; returns its `reserved` event.
    /// `shared` is the reserve's shared name for `owner`, made when first needed: a record that
    /// already names the owner keeps its name.
    pub fn unpark_at(
        &mut self,
        position: usize,
        owner: &str,
        shared: &mut Option<Arc<str>>,
        fence: u64,
        expires_at: Millis,
    ) -> HoldEvent {
        let (item, record) = self.holds.entry_at_mut(position);
        if !crate::bytes::eq(record.owner.as_bytes(), owner.as_bytes()) {
            record.owner = shared.get_or_insert_with(|| share(&self.spare_owner, owner)).clone();
        }
        record.fence = fence;
        record.expires_at = expires_at;
        self.parked -= 1;
        self.by_expiry.insert(expires_at, item.clone());
        record.event(item.clone(), HoldEventKind::Reserved)
    }

    /// Keeps the names of a removed hold as the spare pair. They move in, so this costs no
    /// more than dropping the record would.
    pub fn keep_names(&mut self, item: Arc<str>, record: HoldRecord) {
        self.spare_item = Some(item);
        self.spare_owner = Some(record.owner);
    }

    /// `item` as a shared name: the spare one when it is the same text, else a new one.
    pub fn share_item(&self, item: &str) -> Arc<str> {
        share(&self.spare_item, item)
    }

    /// `owner` as a shared name, like [`Namespace::share_item`].
    pub fn share_owner(&self, owner: &str) -> Arc<str> {
        share(&self.spare_owner, owner)
    }

    /// Moves the expiry of the hold at `position`; returns its `extended` event.
    pub fn set_expiry_at(&mut self, position: usize, expires_at: Millis) -> HoldEvent {
        let (item, record) = self.holds.entry_at_mut(position);
        let old = record.expires_at;
        record.expires_at = expires_at;
        self.by_expiry.reschedule(old, expires_at, item);
        record.event(item.clone(), HoldEventKind::Extended)
    }

    /// Holds stored, live or dead, not counting parked records.
    pub fn len(&self) -> usize {
        self.holds.len() - self.parked
    }

    /// Holds whose `expires_at > now`. Counts the dead holds not yet reclaimed, which the lazy
    /// sweep keeps few.
    pub fn live_count(&self, now: Millis) -> u64 {
        (self.len() - self.by_expiry.count_through(now)) as u64
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
    ) -> impl Iterator<Item = (&'a Arc<str>, &'a HoldRecord)> + 'a {
        self.by_expiry.iter_after(now, after).filter_map(|item| Some((item, self.holds.get(item)?)))
    }

    /// Adds a hold for an item that has none.
    pub fn insert(&mut self, item: Arc<str>, record: HoldRecord) {
        self.by_expiry.insert(record.expires_at, item.clone());
        self.holds.insert_new(item, record);
    }

    /// Reclaims up to `max` dead holds, earliest expiry first, pushing an `expired` event for
    /// each. Returns how many were reclaimed.
    pub fn sweep_dead(&mut self, now: Millis, max: usize, events: &mut Vec<HoldEvent>) -> usize {
        let mut reclaimed = 0;
        while reclaimed < max && self.has_dead(now) {
            let Some((_, item)) = self.by_expiry.pop_first() else { break };
            if let Some(record) = self.holds.remove(&item) {
                events.push(record.event(item, HoldEventKind::Expired));
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
        self.by_expiry.any_through(now)
    }

    /// Whether the namespace can be dropped without losing anything: no hold at all, and its
    /// last fence is below the clock's floor.
    pub fn is_forgettable(&self, now: Millis) -> bool {
        self.len() == 0 && !fence::must_remember(self.last_fence, now)
    }
}
