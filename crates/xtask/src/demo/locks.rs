//! The lock contest: two workers want the same trade lock.

use leasehold_core::{Acquire, Engine, LockState, Millis, Release};

use super::Tour;
use crate::util::seconds;

const KEY: &str = "lockTrade:{asset-42}";
const TTL: Millis = Millis::from_secs(900);

/// worker-a takes the lock; worker-b is denied with a retry-after; worker-a releases; worker-b
/// takes over with a higher fence; worker-a's late, repeated release is refused.
pub fn tour(t: &mut Tour) -> Result<(), String> {
    t.section(
        &format!("Locks: two workers contest {KEY}, ttl 900 s"),
        &[
            "A lease has one owner, a fence that only goes up, and a denial says when to retry.",
            "The engine reads no clock: every call is given `now`; times below count from a fixed start.",
        ],
    );
    let mut engine = Engine::new();
    let locks = engine.locks();
    let fail = |error: leasehold_core::Error| error.to_string();

    let now = t.at(0);
    let first = locks.acquire(KEY, "worker-a", TTL, now).map_err(fail)?;
    t.step(now, "worker-a", "acquire ttl=900s", acquired(t, first));
    let Acquire::Granted { fence: fence_a, .. } = first else {
        return Err(format!("the free lock was not granted: {first:?}"));
    };

    let now = t.at(1_250);
    let second = locks.acquire(KEY, "worker-b", TTL, now).map_err(fail)?;
    t.step(now, "worker-b", "acquire ttl=900s", acquired(t, second));
    if !matches!(second, Acquire::Denied { .. }) {
        return Err(format!("a held lock was granted to another owner: {second:?}"));
    }
    let state = locks.inspect(KEY, now).map_err(fail)?;
    t.step(now, "anyone", "inspect", inspected(t, state));

    let now = t.at(42_000);
    let released = locks.release(KEY, "worker-a", now).map_err(fail)?;
    t.step(now, "worker-a", "release", release(released));
    if released != (Release::Released { fence: fence_a }) {
        return Err(format!("the holder could not release: {released:?}"));
    }

    let now = t.at(42_500);
    let takeover = locks.acquire(KEY, "worker-b", TTL, now).map_err(fail)?;
    t.step(now, "worker-b", "acquire ttl=900s", acquired(t, takeover));
    let fence_b = match takeover {
        Acquire::Granted { fence, .. } if fence > fence_a => fence,
        other => return Err(format!("the takeover did not get a higher fence: {other:?}")),
    };
    t.note(&format!("{fence_b} > {fence_a}: a store that checks fences now refuses worker-a's writes"));

    let now = t.at(43_000);
    let stale = locks.release(KEY, "worker-a", now).map_err(fail)?;
    t.step(now, "worker-a", "release (stale retry)", release(stale));
    if stale != Release::NotHolder {
        return Err(format!("a stale release was not refused: {stale:?}"));
    }
    let state = locks.inspect(KEY, now).map_err(fail)?;
    t.step(now, "anyone", "inspect", inspected(t, state));
    t.note("worker-b keeps the lock: a release only ends the caller's own live lease");
    Ok(())
}

fn acquired(t: &Tour, outcome: Acquire) -> String {
    match outcome {
        Acquire::Granted { fence, expires_at, reacquired } => {
            let again = if reacquired { " (already held: same fence)" } else { "" };
            format!("granted   fence {fence}, expires {}{again}", t.when(expires_at))
        }
        Acquire::Denied { retry_after } => format!("denied    retry after {}", seconds(retry_after.0)),
    }
}

fn release(outcome: Release) -> String {
    match outcome {
        Release::Released { fence } => format!("released  fence {fence}"),
        Release::NotHolder => "refused   not the holder: nothing changed".to_owned(),
        Release::Expired => "refused   no live lease: nothing changed".to_owned(),
    }
}

fn inspected(t: &Tour, state: LockState) -> String {
    match state {
        LockState::Held { fence, expires_at } => {
            format!("held      fence {fence}, expires {}", t.when(expires_at))
        }
        LockState::Free => "free".to_owned(),
    }
}
