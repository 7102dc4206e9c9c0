//! The hold transitions. Each first decides from the current state without writing (so every
//! error comes before any write), then applies: lazy sweep, then the items in request order.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use super::namespace::{HoldRecord, Namespace};
use super::{
    check_items, Conflict, Extended, Held, HoldEvent, HoldEventKind, PerItem, Released, Reserve, Swept,
    LAZY_SWEEP,
};
use crate::bounds::{
    check_duration, check_namespace, check_now, check_owner, check_range, expiry, MAX_COUNT, MAX_PAGE,
};
use crate::error::{Error, Field};
use crate::fence;
use crate::lease::{Extend, Release};
use crate::store::Store;
use crate::time::Millis;

/// A dead hold reclaimed by active expiry, with its namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespacedEvent {
    /// The namespace.
    pub namespace: String,
    /// The `expired` event.
    pub event: HoldEvent,
}

/// Every hold namespace of an engine.
#[derive(Debug, Clone, Default)]
pub struct Holds {
    pub(super) namespaces: Store<Namespace>,
    seed: u64,
}

/// Items per call whose decided standing is remembered for the write, on the stack.
const REMEMBERED: usize = 16;

/// How one requested item stands before a write, with where its hold is.
#[derive(Clone, Copy)]
enum Standing {
    Live {
        fence: u64,
        mine: bool,
        at: usize,
    },
    Dead {
        at: usize,
    },
    /// No hold, but a parked record to take back.
    Parked {
        at: usize,
    },
    Absent,
}

fn standing(ns: Option<&Namespace>, item: &str, owner: Option<&str>, now: Millis) -> Standing {
    let Some((ns, at)) = ns.and_then(|ns| Some((ns, ns.find(item)?))) else {
        return Standing::Absent;
    };
    let record = ns.at(at);
    if record.is_parked() {
        return Standing::Parked { at };
    }
    if !record.is_live(now) {
        return Standing::Dead { at };
    }
    Standing::Live {
        fence: record.fence,
        mine: owner.is_none_or(|owner| crate::bytes::eq(record.owner.as_bytes(), owner.as_bytes())),
        at,
    }
}

/// Removes a dead hold the operation touched, recording its `expired` event.
fn reclaim(ns: &mut Namespace, at: usize, events: &mut Vec<HoldEvent>) -> Arc<str> {
    let (item, record) = ns.remove_at(at);
    events.push(record.event(item.clone(), HoldEventKind::Expired));
    item
}

impl Holds {
    /// An empty table hashing with `seed`.
    pub fn new(seed: u64) -> Holds {
        Holds { namespaces: Store::new(seed), seed }
    }

    fn forget_if_idle(&mut self, position: usize, now: Millis) {
        if self.namespaces.at(position).is_forgettable(now) {
            self.namespaces.remove_found(position);
        }
    }

    /// Reserves every item of `items` in `namespace` for `owner` until `now + ttl`, or none.
    ///
    /// - An item held live by another owner is a conflict: the outcome lists every such item
    ///   with its holder's remaining TTL, and no item is reserved.
    /// - Otherwise, when `max_holds` is given and the namespace's live holds plus the items not
    ///   already held live by `owner` would pass it, the outcome is `cap_reached` and no item is
    ///   reserved; `retry_after` is the time until enough of the current live holds expire.
    /// - Otherwise each item held live by `owner` is refreshed (fence kept, expiry moved,
    ///   `extended` event) and every other item is newly held under one new fence (`reserved`
    ///   event; a dead hold on it is first reclaimed with an `expired` event).
    ///
    /// Errors, in this order: namespace, items (empty, more than 1000, an empty or oversized
    /// item, a repeat), owner, ttl, max_holds (`1..=2^32 − 1`), now, `now + ttl` overflow, more
    /// items than `max_holds` (`too_many`), fences exhausted.
    ///
    /// ```
    /// use leasehold_core::{Engine, Millis, Reserve};
    /// let mut engine = Engine::new();
    /// let holds = engine.holds();
    /// let first = holds.reserve("reserved-assets_730", &["a1", "a2"], "user-1", Millis::from_secs(1200), None, Millis(0)).unwrap();
    /// assert!(matches!(first, Reserve::Reserved { .. }));
    /// let second = holds.reserve("reserved-assets_730", &["a2", "a3"], "user-2", Millis::from_secs(1200), None, Millis(1000)).unwrap();
    /// let Reserve::Conflict { conflicts, .. } = second else { panic!("a2 is taken") };
    /// assert_eq!(&*conflicts[0].item, "a2");
    /// assert_eq!(conflicts[0].retry_after, Millis(1_199_000));
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn reserve<S: AsRef<str>>(
        &mut self,
        namespace: &str,
        items: &[S],
        owner: &str,
        ttl: Millis,
        max_holds: Option<u64>,
        now: Millis,
    ) -> Result<Reserve, Error> {
        check_namespace(namespace)?;
        check_items(items)?;
        check_owner(owner)?;
        check_duration(Field::Ttl, ttl)?;
        if let Some(max) = max_holds {
            check_range(Field::MaxHolds, max, 1, MAX_COUNT)?;
        }
        check_now(now)?;
        let expires_at = expiry(now, ttl)?;
        if let Some(max) = max_holds.filter(|&max| items.len() as u64 > max) {
            return Err(Error::TooMany { field: Field::Items, count: items.len() as u64, max });
        }

        let found = self.namespaces.find(namespace);
        let current = found.map(|position| self.namespaces.at(position));
        let mut conflicts = Vec::new();
        let mut fresh = 0u64;
        // Where each item stood when deciding; still true while nothing has been removed.
        let mut decided = [Standing::Absent; REMEMBERED];
        for (index, item) in items.iter().enumerate() {
            let state = standing(current, item.as_ref(), Some(owner), now);
            if let Some(slot) = decided.get_mut(index) {
                *slot = state;
            }
            match state {
                Standing::Live { mine: true, .. } => {}
                Standing::Live { mine: false, at, .. } => {
                    if let Some(ns) = current {
                        let retry_after = ns.at(at).expires_at.saturating_sub(now);
                        conflicts.push(Conflict { item: ns.item_at(at).clone(), retry_after });
                    }
                }
                Standing::Dead { .. } | Standing::Parked { .. } | Standing::Absent => fresh += 1,
            }
        }
        let last_fence = current.map_or(0, |ns| ns.last_fence);
        let fence =
            if fresh > 0 && conflicts.is_empty() { fence::next(last_fence, now)? } else { last_fence };
        let cap = match (current, max_holds) {
            (Some(ns), Some(max)) if conflicts.is_empty() => {
                let live = ns.live_count(now);
                (live + fresh > max).then(|| {
                    let need = (live + fresh - max) as usize;
                    let until = ns.nth_live_expiry(now, need - 1).unwrap_or(now);
                    (live, max, until.saturating_sub(now))
                })
            }
            _ => None,
        };

        let position = match found {
            Some(position) => position,
            None => self.namespaces.insert_absent(namespace, Namespace::new(self.seed)),
        };
        let ns = self.namespaces.at_mut(position);
        let mut events = Vec::with_capacity(items.len());
        let mut moved = ns.sweep_dead(now, LAZY_SWEEP, &mut events) > 0;
        if !conflicts.is_empty() {
            return Ok(Reserve::Conflict { conflicts, events });
        }
        if let Some((live, max_holds, retry_after)) = cap {
            return Ok(Reserve::CapReached { live, max_holds, retry_after, events });
        }
        // The owner's shared name, made when a new record first needs it.
        let mut shared: Option<Arc<str>> = None;
        let mut holds = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item = item.as_ref();
            let state = match decided.get(index) {
                Some(state) if !moved => *state,
                _ => standing(Some(ns), item, None, now),
            };
            match state {
                Standing::Live { fence, at, .. } => {
                    events.push(ns.set_expiry_at(at, expires_at));
                    holds.push(Held { fence, refreshed: true });
                }
                Standing::Dead { at } => {
                    let item = reclaim(ns, at, &mut events);
                    moved = true;
                    let owner = shared.get_or_insert_with(|| ns.share_owner(owner)).clone();
                    let record = HoldRecord { owner, fence, expires_at };
                    events.push(record.event(item.clone(), HoldEventKind::Reserved));
                    ns.insert(item, record);
                    holds.push(Held { fence, refreshed: false });
                }
                Standing::Parked { at } => {
                    events.push(ns.unpark_at(at, owner, &mut shared, fence, expires_at));
                    holds.push(Held { fence, refreshed: false });
                }
                Standing::Absent => {
                    let item = ns.share_item(item);
                    let owner = shared.get_or_insert_with(|| ns.share_owner(owner)).clone();
                    let record = HoldRecord { owner, fence, expires_at };
                    events.push(record.event(item.clone(), HoldEventKind::Reserved));
                    ns.insert(item, record);
                    holds.push(Held { fence, refreshed: false });
                }
            }
        }
        ns.last_fence = fence;
        Ok(Reserve::Reserved { expires_at, holds, events })
    }

    /// Ends `owner`'s live holds on `items`, each independently: `released` (with its fence,
    /// and a `released` event), `not_holder` (another owner holds it live), or `expired` (no live
    /// hold; a dead one is reclaimed with an `expired` event).
    ///
    /// Errors, in this order: namespace, items, owner, now.
    pub fn release<S: AsRef<str>>(
        &mut self,
        namespace: &str,
        items: &[S],
        owner: &str,
        now: Millis,
    ) -> Result<Released, Error> {
        check_namespace(namespace)?;
        check_items(items)?;
        check_owner(owner)?;
        check_now(now)?;
        Ok(self.end(namespace, items, Some(owner), now))
    }

    /// Ends the live holds on `items` whoever holds them: the operator's way out of a stuck
    /// reservation. Per item `released` or `expired`, as for [`Holds::release`].
    ///
    /// Errors, in this order: namespace, items, now.
    pub fn force_release<S: AsRef<str>>(
        &mut self,
        namespace: &str,
        items: &[S],
        now: Millis,
    ) -> Result<Released, Error> {
        check_namespace(namespace)?;
        check_items(items)?;
        check_now(now)?;
        Ok(self.end(namespace, items, None, now))
    }

    fn end<S: AsRef<str>>(
        &mut self,
        namespace: &str,
        items: &[S],
        owner: Option<&str>,
        now: Millis,
    ) -> Released {
        let Some(position) = self.namespaces.find(namespace) else {
            return PerItem { items: vec![Release::Expired; items.len()], events: Vec::new() };
        };
        let ns = self.namespaces.at_mut(position);
        let mut events = Vec::with_capacity(items.len());
        ns.sweep_dead(now, LAZY_SWEEP, &mut events);
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            let item = item.as_ref();
            results.push(match standing(Some(ns), item, owner, now) {
                Standing::Live { fence, mine: true, at } => {
                    events.push(ns.release_at(at));
                    Release::Released { fence }
                }
                Standing::Live { mine: false, .. } => Release::NotHolder,
                Standing::Dead { at } => {
                    reclaim(ns, at, &mut events);
                    Release::Expired
                }
                Standing::Parked { .. } | Standing::Absent => Release::Expired,
            });
        }
        self.forget_if_idle(position, now);
        PerItem { items: results, events }
    }

    /// Moves the expiry of `owner`'s live holds on `items` to `now + ttl`, each independently:
    /// `extended` (fence kept, `extended` event), `not_holder`, or `expired` (a dead hold is
    /// reclaimed with an `expired` event).
    ///
    /// Errors, in this order: namespace, items, owner, ttl, now, `now + ttl` overflow.
    pub fn extend<S: AsRef<str>>(
        &mut self,
        namespace: &str,
        items: &[S],
        owner: &str,
        ttl: Millis,
        now: Millis,
    ) -> Result<Extended, Error> {
        check_namespace(namespace)?;
        check_items(items)?;
        check_owner(owner)?;
        check_duration(Field::Ttl, ttl)?;
        check_now(now)?;
        let expires_at = expiry(now, ttl)?;
        let Some(position) = self.namespaces.find(namespace) else {
            return Ok(PerItem { items: vec![Extend::Expired; items.len()], events: Vec::new() });
        };
        let ns = self.namespaces.at_mut(position);
        let mut events = Vec::with_capacity(items.len());
        ns.sweep_dead(now, LAZY_SWEEP, &mut events);
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            let item = item.as_ref();
            results.push(match standing(Some(ns), item, Some(owner), now) {
                Standing::Live { fence, mine: true, at } => {
                    events.push(ns.set_expiry_at(at, expires_at));
                    Extend::Extended { fence, expires_at }
                }
                Standing::Live { mine: false, .. } => Extend::NotHolder,
                Standing::Dead { at } => {
                    reclaim(ns, at, &mut events);
                    Extend::Expired
                }
                Standing::Parked { .. } | Standing::Absent => Extend::Expired,
            });
        }
        self.forget_if_idle(position, now);
        Ok(PerItem { items: results, events })
    }

    /// Reclaims up to `max` dead holds of `namespace`, earliest expiry first, each with an
    /// `expired` event; `more` tells whether dead holds remain.
    ///
    /// Errors, in this order: namespace, max (`1..=10000`, reported as `limit`), now.
    pub fn sweep(&mut self, namespace: &str, max: u64, now: Millis) -> Result<Swept, Error> {
        check_namespace(namespace)?;
        check_range(Field::Limit, max, 1, MAX_PAGE)?;
        check_now(now)?;
        let Some(position) = self.namespaces.find(namespace) else {
            return Ok(Swept { removed: 0, more: false, events: Vec::new() });
        };
        let ns = self.namespaces.at_mut(position);
        let mut events = Vec::new();
        let removed = ns.sweep_dead(now, max as usize, &mut events) as u64;
        let more = ns.has_dead(now);
        self.forget_if_idle(position, now);
        Ok(Swept { removed, more, events })
    }

    /// Live holds in `namespace` at `now`.
    pub fn live(&self, namespace: &str, now: Millis) -> u64 {
        self.namespaces.get(namespace).map_or(0, |ns| ns.live_count(now))
    }

    /// Holds stored in `namespace`, live or dead and not yet reclaimed.
    pub fn stored(&self, namespace: &str) -> usize {
        self.namespaces.get(namespace).map_or(0, Namespace::len)
    }

    /// Active expiry: examines up to `budget` namespaces, reclaims up to `budget` dead holds in
    /// each and forgets namespaces left idle. Returns the `expired` events, which a caller
    /// forwards like any other.
    pub fn expire(&mut self, now: Millis, budget: usize) -> Vec<NamespacedEvent> {
        let mut out = Vec::new();
        let mut events = Vec::new();
        self.namespaces.sweep(budget, |name, ns| {
            ns.sweep_dead(now, budget, &mut events);
            out.extend(
                events.drain(..).map(|event| NamespacedEvent { namespace: String::from(name), event }),
            );
            ns.is_forgettable(now)
        });
        out
    }

    /// Number of namespaces remembered.
    pub fn len(&self) -> usize {
        self.namespaces.len()
    }

    /// Whether no namespace is remembered.
    pub fn is_empty(&self) -> bool {
        self.namespaces.is_empty()
    }
}
