//! The ends of a lease's life: memory returns to its baseline once everything has expired, a key
//! is remembered exactly as long as its fence needs it, and running out of fences refuses
//! cleanly.

use leasehold_core::{Acquire, Engine, Error, Millis, Release, SemaphoreState};

const SMALL_BUDGET: usize = 16;

/// Sweeps at `now` with a small budget until nothing is left, returning how many rounds it took.
fn sweep_until_empty(engine: &mut Engine, now: Millis) -> usize {
    let mut rounds = 0;
    while !engine.is_empty() {
        engine.expire(now, SMALL_BUDGET);
        rounds += 1;
        assert!(rounds < 100_000, "active expiry never emptied the engine");
    }
    rounds
}

#[test]
fn memory_returns_to_baseline_once_every_lock_and_semaphore_has_expired_and_been_swept() {
    let mut engine = Engine::with_hash_seed(0x5eed);
    let mut now = Millis(1_000);
    let mut latest_expiry = now;
    for i in 0..3_000u64 {
        let ttl = Millis(100 + i % 900);
        let lock = engine.locks().acquire(&format!("job:{i}"), "worker", ttl, now).unwrap();
        let limiter = format!("login:{}", i % 40);
        let slot = engine.semaphores().acquire(&limiter, &format!("bot-{i}"), 25, ttl, now).unwrap();
        for granted in [lock, slot] {
            if let Acquire::Granted { expires_at, .. } = granted {
                latest_expiry = latest_expiry.max(expires_at);
            }
        }
        if i % 3 == 0 {
            engine.semaphores().release(&limiter, &format!("bot-{i}"), now).unwrap();
        }
        now = Millis(now.0 + i % 2);
    }
    assert_eq!(engine.locks().len(), 3_000);
    assert_eq!(engine.semaphores().len(), 40);

    let before_anything_expired = Millis(1_050);
    engine.expire(before_anything_expired, 10_000);
    assert_eq!(engine.locks().len(), 3_000, "active expiry forgot a live lock");

    let past_every_expiry = Millis(latest_expiry.0 + 1);
    let rounds = sweep_until_empty(&mut engine, past_every_expiry);
    assert!(engine.is_empty());
    assert!(rounds >= 3_000 / SMALL_BUDGET, "a round examined more than its budget");

    let again = engine.locks().acquire("job:0", "worker", Millis(5), past_every_expiry).unwrap();
    assert!(matches!(again, Acquire::Granted { fence, .. } if fence == past_every_expiry.0 * 1000));
}

#[test]
fn a_semaphore_released_this_millisecond_is_remembered_until_the_clock_passes_its_fence() {
    let mut engine = Engine::new();
    let now = Millis(2_000);
    let first = engine.semaphores().acquire("login", "bot-1", 3, Millis(50), now).unwrap();
    assert_eq!(first, Acquire::Granted { fence: 2_000_000, expires_at: Millis(2_050), reacquired: false });
    assert_eq!(
        engine.semaphores().release("login", "bot-1", now),
        Ok(Release::Released { fence: 2_000_000 })
    );

    engine.expire(now, SMALL_BUDGET);
    assert_eq!(engine.semaphores().len(), 1, "forgotten while its fence is at the clock's floor");
    let second = engine.semaphores().acquire("login", "bot-2", 3, Millis(50), now).unwrap();
    assert!(matches!(second, Acquire::Granted { fence: 2_000_001, .. }));
    engine.semaphores().release("login", "bot-2", now).unwrap();

    let next_millisecond = Millis(2_001);
    engine.expire(next_millisecond, SMALL_BUDGET);
    assert!(engine.is_empty());
    let third = engine.semaphores().acquire("login", "bot-3", 3, Millis(50), next_millisecond).unwrap();
    assert!(matches!(third, Acquire::Granted { fence: 2_001_000, .. }));
}

#[test]
fn running_out_of_fences_refuses_new_holders_without_touching_the_live_ones() {
    let mut engine = Engine::new();
    let now = Millis(Millis::MAX.0 - 1);
    let semaphores = engine.semaphores();
    // At the latest times the fence floor stays at 9_007_199_254_740_000: 992 fences remain.
    for n in 0..992u64 {
        let granted = semaphores.acquire("k", &format!("o{n}"), 10_000, Millis(1), now).unwrap();
        assert!(matches!(granted, Acquire::Granted { fence, .. } if fence == 9_007_199_254_740_000 + n));
    }
    let full = SemaphoreState::Held { holders: 992, next_expiry: Millis::MAX };
    assert_eq!(semaphores.inspect("k", now), Ok(full));
    assert_eq!(semaphores.acquire("k", "late", 10_000, Millis(1), now), Err(Error::FenceExhausted));
    assert_eq!(semaphores.inspect("k", now), Ok(full), "a refused acquire changed the holders");
    let again = semaphores.acquire("k", "o0", 10_000, Millis(1), now).unwrap();
    assert!(matches!(again, Acquire::Granted { fence: 9_007_199_254_740_000, reacquired: true, .. }));
    assert_eq!(semaphores.release("k", "o1", now), Ok(Release::Released { fence: 9_007_199_254_740_001 }));
    assert_eq!(semaphores.acquire("k", "o1", 10_000, Millis(1), now), Err(Error::FenceExhausted));
}
