//! The typed methods return what the core's typed API returns for the same calls at the same
//! `now`, sync and async, and refuse what the core refuses with the same error.

use leasehold_core::{
    Algorithm, AlgorithmKind, BlockPolicy, Engine, Error, FixedWindow, Limit, Millis, TokenBucket,
};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{AdapterError, Clock};

fn at(now: u64) -> (Millis, Clock) {
    (Millis(now), Clock::Explicit(Millis(now)))
}

#[test]
fn every_sync_typed_method_returns_the_cores_typed_outcome() {
    let server = RedisServer::start();
    let mut redis = server.connect("typed");
    let mut core = Engine::new();
    let ttl = Millis(1_000);
    let (now, clock) = at(10_000);

    let locks = core.locks();
    assert_eq!(redis.lock_acquire("k", "a", ttl, clock).unwrap(), locks.acquire("k", "a", ttl, now).unwrap());
    assert_eq!(redis.lock_acquire("k", "b", ttl, clock).unwrap(), locks.acquire("k", "b", ttl, now).unwrap());
    assert_eq!(redis.lock_extend("k", "a", ttl, clock).unwrap(), locks.extend("k", "a", ttl, now).unwrap());
    assert_eq!(redis.lock_inspect("k", clock).unwrap(), locks.inspect("k", now).unwrap());
    assert_eq!(redis.lock_release("k", "a", clock).unwrap(), locks.release("k", "a", now).unwrap());

    let sems = core.semaphores();
    for owner in ["a", "b", "c"] {
        let got = redis.semaphore_acquire("s", owner, 2, ttl, clock).unwrap();
        assert_eq!(got, sems.acquire("s", owner, 2, ttl, now).unwrap());
    }
    assert_eq!(
        redis.semaphore_extend("s", "b", ttl, clock).unwrap(),
        sems.extend("s", "b", ttl, now).unwrap()
    );
    assert_eq!(redis.semaphore_inspect("s", clock).unwrap(), sems.inspect("s", now).unwrap());
    assert_eq!(redis.semaphore_release("s", "a", clock).unwrap(), sems.release("s", "a", now).unwrap());

    let ns = "reserved-assets_730";
    let holds = core.holds();
    let got = redis.hold_reserve(ns, &["i1", "i2"], "u1", ttl, Some(5), clock).unwrap();
    assert_eq!(got, holds.reserve(ns, &["i1", "i2"], "u1", ttl, Some(5), now).unwrap());
    let got = redis.hold_reserve(ns, &["i2", "i3"], "u2", ttl, None, clock).unwrap();
    assert_eq!(got, holds.reserve(ns, &["i2", "i3"], "u2", ttl, None, now).unwrap());
    let got = redis.hold_extend(ns, &["i1"], "u1", Millis(50), clock).unwrap();
    assert_eq!(got, holds.extend(ns, &["i1"], "u1", Millis(50), now).unwrap());
    assert_eq!(
        redis.hold_check(ns, &["i1", "i3"], clock).unwrap(),
        holds.check(ns, &["i1", "i3"], now).unwrap()
    );
    assert_eq!(redis.hold_list(ns, None, 10, clock).unwrap(), holds.list(ns, None, 10, now).unwrap());
    let got = redis.hold_release(ns, &["i2"], "u2", clock).unwrap();
    assert_eq!(got, holds.release(ns, &["i2"], "u2", now).unwrap());
    let (later, later_clock) = at(10_100);
    assert_eq!(redis.hold_sweep(ns, 10, later_clock).unwrap(), holds.sweep(ns, 10, later).unwrap());
    let got = redis.hold_force_release(ns, &["i2"], later_clock).unwrap();
    assert_eq!(got, holds.force_release(ns, &["i2"], later).unwrap());

    let limits = core.limits();
    let mut limit = Limit::new(Algorithm::FixedWindow(FixedWindow { quota: 2, window: Millis(1_000) }));
    limit.block = Some(BlockPolicy { violations: 1, within: Millis(5_000), block_for: Millis(60_000) });
    for _ in 0..4 {
        assert_eq!(
            redis.limit_check("ip", &limit, 1, clock).unwrap(),
            limits.check("ip", &limit, 1, now).unwrap()
        );
    }
    assert_eq!(redis.limit_peek("ip", &limit, 1, clock).unwrap(), limits.peek("ip", &limit, 1, now).unwrap());
    let kind = AlgorithmKind::FixedWindow;
    assert_eq!(redis.limit_reset("ip", kind, clock).unwrap(), limits.reset("ip", kind, now).unwrap());
}

#[test]
fn a_typed_method_refuses_what_the_core_refuses_with_the_same_error() {
    let server = RedisServer::start();
    let mut redis = server.connect("typed-invalid");
    let (now, clock) = at(1_000);
    let core: Error = Engine::new().locks().acquire("", "a", Millis(1), now).unwrap_err();
    assert_eq!(redis.lock_acquire("", "a", Millis(1), clock), Err(AdapterError::Invalid(core)));
    let core: Error =
        Engine::new().holds().reserve("ns", &["x", "x"], "a", Millis(1), None, now).unwrap_err();
    let got = redis.hold_reserve("ns", &["x", "x"], "a", Millis(1), None, clock);
    assert_eq!(got, Err(AdapterError::Invalid(core)));
}

#[test]
fn the_async_twins_return_the_cores_typed_outcomes_too() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut redis = server.client("typed-async").connect_async().await.unwrap();
        let mut core = Engine::new();
        let (now, clock) = at(5_000);
        let ttl = Millis(2_000);
        let got = redis.lock_acquire_async("k", "a", ttl, clock).await.unwrap();
        assert_eq!(got, core.locks().acquire("k", "a", ttl, now).unwrap());
        let got = redis.hold_reserve_async("ns", &["i1"], "a", ttl, None, clock).await.unwrap();
        assert_eq!(got, core.holds().reserve("ns", &["i1"], "a", ttl, None, now).unwrap());
        let limit = Limit::new(Algorithm::TokenBucket(TokenBucket { capacity: 1, refill: 1, interval: ttl }));
        for _ in 0..2 {
            let got = redis.limit_check_async("t", &limit, 1, clock).await.unwrap();
            assert_eq!(got, core.limits().check("t", &limit, 1, now).unwrap());
        }
        let got = redis.semaphore_acquire_async("s", "a", 1, ttl, clock).await.unwrap();
        assert_eq!(got, core.semaphores().acquire("s", "a", 1, ttl, now).unwrap());
    });
}
