//! A naive reference model of the documented lock and semaphore semantics, for property tests.

use alloc::collections::BTreeMap;

use leasehold_core::{
    Acquire, Extend, LockOutcome, LockRequest, LockState, Millis, Outcome, Release, Request,
    SemaphoreOutcome, SemaphoreRequest, SemaphoreState,
};

/// One table's key in the model and the ledgers: `(is_semaphore, key)`.
pub type Slot = (bool, String);

/// A holder in the model: owner, fence, expiry.
type Holder = (String, u64, Millis);

/// The documented semantics, written as naively as possible. It never forgets a key: the engine
/// forgets one only when `last_fence < now × 1000`, where both give the same next fence.
#[derive(Default)]
pub struct Model {
    keys: BTreeMap<Slot, (Vec<Holder>, u64)>,
}

impl Model {
    fn live(&mut self, slot: Slot, now: Millis) -> &mut (Vec<Holder>, u64) {
        let entry = self.keys.entry(slot).or_default();
        entry.0.retain(|holder| holder.2 > now);
        entry
    }

    fn acquire(&mut self, slot: Slot, owner: &str, capacity: u64, ttl: Millis, now: Millis) -> Acquire {
        let (holders, last_fence) = self.live(slot, now);
        let expires_at = Millis(now.0 + ttl.0);
        if let Some(holder) = holders.iter_mut().find(|holder| holder.0 == owner) {
            holder.2 = expires_at;
            return Acquire::Granted { fence: holder.1, expires_at, reacquired: true };
        }
        if holders.len() as u64 >= capacity {
            let mut expiries: Vec<u64> = holders.iter().map(|holder| holder.2 .0).collect();
            expiries.sort_unstable();
            let freeing = expiries[holders.len() - capacity as usize];
            return Acquire::Denied { retry_after: Millis(freeing - now.0) };
        }
        // Times in these runs stay far below the point where the fence floor stops growing.
        let fence = (*last_fence + 1).max(now.0 * 1000);
        *last_fence = fence;
        holders.push((owner.to_owned(), fence, expires_at));
        Acquire::Granted { fence, expires_at, reacquired: false }
    }

    /// Release (`ttl == None`) or extend: `Ok(fence, new expiry)` for a live holder.
    fn touch(&mut self, slot: Slot, owner: &str, ttl: Option<Millis>, now: Millis) -> Result<Holder, bool> {
        let (holders, _) = self.live(slot, now);
        let Some(i) = holders.iter().position(|holder| holder.0 == owner) else {
            return Err(holders.is_empty());
        };
        match ttl {
            Some(ttl) => holders[i].2 = Millis(now.0 + ttl.0),
            None => return Ok(holders.remove(i)),
        }
        Ok(holders[i].clone())
    }

    fn release(&mut self, slot: Slot, owner: &str, now: Millis) -> Release {
        match self.touch(slot, owner, None, now) {
            Ok(holder) => Release::Released { fence: holder.1 },
            Err(true) => Release::Expired,
            Err(false) => Release::NotHolder,
        }
    }

    fn extend(&mut self, slot: Slot, owner: &str, ttl: Millis, now: Millis) -> Extend {
        match self.touch(slot, owner, Some(ttl), now) {
            Ok(holder) => Extend::Extended { fence: holder.1, expires_at: holder.2 },
            Err(true) => Extend::Expired,
            Err(false) => Extend::NotHolder,
        }
    }

    /// The outcome the documented semantics give for `request` at `now`.
    pub fn run(&mut self, request: &Request, now: Millis) -> Outcome {
        let slot = |semaphore: bool, key: &str| (semaphore, key.to_owned());
        match request {
            Request::Lock(request) => Outcome::Lock(match request {
                LockRequest::Acquire { key, owner, ttl } => {
                    LockOutcome::Acquire(self.acquire(slot(false, key), owner, 1, *ttl, now))
                }
                LockRequest::Release { key, owner } => {
                    LockOutcome::Release(self.release(slot(false, key), owner, now))
                }
                LockRequest::Extend { key, owner, ttl } => {
                    LockOutcome::Extend(self.extend(slot(false, key), owner, *ttl, now))
                }
                LockRequest::Inspect { key } => {
                    LockOutcome::Inspect(match self.live(slot(false, key), now).0.first() {
                        Some(holder) => LockState::Held { fence: holder.1, expires_at: holder.2 },
                        None => LockState::Free,
                    })
                }
            }),
            Request::Semaphore(request) => Outcome::Semaphore(match request {
                SemaphoreRequest::Acquire { key, owner, capacity, ttl } => {
                    SemaphoreOutcome::Acquire(self.acquire(slot(true, key), owner, *capacity, *ttl, now))
                }
                SemaphoreRequest::Release { key, owner } => {
                    SemaphoreOutcome::Release(self.release(slot(true, key), owner, now))
                }
                SemaphoreRequest::Extend { key, owner, ttl } => {
                    SemaphoreOutcome::Extend(self.extend(slot(true, key), owner, *ttl, now))
                }
                SemaphoreRequest::Inspect { key } => {
                    let holders = &self.live(slot(true, key), now).0;
                    SemaphoreOutcome::Inspect(match holders.iter().map(|holder| holder.2).min() {
                        Some(next_expiry) => {
                            SemaphoreState::Held { holders: holders.len() as u64, next_expiry }
                        }
                        None => SemaphoreState::Free,
                    })
                }
            }),
            other => panic!("the lease model covers locks and semaphores only, not {}", other.name()),
        }
    }
}
