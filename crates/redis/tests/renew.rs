//! The renewal helper keeps a lock past its TTL, and says it is lost before the TTL runs out
//! when Redis goes away or refuses. These tests run on real time (the server clock), with
//! short TTLs.

use std::time::Duration;

use leasehold_core::{Acquire, Extend, LockState, Millis};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{AsyncConnection, Clock, Lost, RenewPolicy};
use tokio::time::Instant;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

async fn acquired(redis: &mut AsyncConnection, key: &str, owner: &str, ttl: Millis) -> Instant {
    let sent = Instant::now();
    let granted = redis.lock_acquire_async(key, owner, ttl, Clock::Server).await.unwrap();
    assert!(matches!(granted, Acquire::Granted { .. }), "{granted:?}");
    sent
}

#[test]
fn a_renewed_lock_outlives_several_ttls() {
    let server = RedisServer::start();
    runtime().block_on(async {
        let mut redis = server.client("renew").connect_async().await.unwrap();
        // Renewals every 750 ms over four seconds: only a starved runtime (750 ms) or a broken
        // helper would let the lease lapse.
        let ttl = Millis(1_500);
        acquired(&mut redis, "job:1", "w1", ttl).await;
        let renewal = redis.clone().renew_lock("job:1", "w1", ttl, RenewPolicy::default());
        tokio::time::sleep(Duration::from_millis(4_000)).await;
        assert_eq!(renewal.is_lost(), None);
        let state = redis.lock_inspect_async("job:1", Clock::Server).await.unwrap();
        assert!(matches!(state, LockState::Held { .. }), "{state:?}");
    });
}

#[test]
fn a_killed_server_fires_the_lost_signal_before_the_ttl_ends() {
    let mut server = RedisServer::start();
    runtime().block_on(async {
        let mut redis = server.client("kill").connect_async().await.unwrap();
        // The signal is due a tenth of the TTL (500 ms) before the lease ends: a margin no
        // scheduling delay on a loaded machine comes near.
        let ttl = Millis(5_000);
        let sent = acquired(&mut redis, "job:2", "w1", ttl).await;
        let mut renewal = redis.clone().renew_lock("job:2", "w1", ttl, RenewPolicy::default());
        server.kill();
        let lost = tokio::time::timeout(Duration::from_secs(10), renewal.lost()).await.expect("a verdict");
        assert!(matches!(lost, Lost::Unreachable(_)), "{lost:?}");
        assert!(Instant::now() < sent + Duration::from_millis(ttl.0), "fired before the TTL ended");
    });
}

#[test]
fn a_refused_renewal_fires_the_lost_signal_with_the_refusal() {
    let server = RedisServer::start();
    runtime().block_on(async {
        let mut redis = server.client("refused").connect_async().await.unwrap();
        let ttl = Millis(1_000);
        acquired(&mut redis, "job:3", "w1", ttl).await;
        let mut renewal = redis.clone().renew_lock("job:3", "w1", ttl, RenewPolicy::default());
        redis.lock_release_async("job:3", "w1", Clock::Server).await.unwrap();
        acquired(&mut redis, "job:3", "w2", ttl).await;
        let lost = tokio::time::timeout(Duration::from_secs(5), renewal.lost()).await.expect("a verdict");
        assert_eq!(lost, Lost::Refused(Extend::NotHolder));
    });
}

#[test]
fn the_lifetime_cap_ends_renewal_before_the_lease_runs_out() {
    let server = RedisServer::start();
    runtime().block_on(async {
        let mut redis = server.client("cap").connect_async().await.unwrap();
        // Renewed every 500 ms, capped at 2 s: the cap fires while the last renewal still has
        // about 500 ms to run, and the bound below leaves a whole TTL for scheduling.
        let ttl = Millis(1_000);
        acquired(&mut redis, "job:4", "w1", ttl).await;
        let policy =
            RenewPolicy { max_lifetime: Some(Duration::from_millis(2_000)), ..RenewPolicy::default() };
        let started = Instant::now();
        let mut renewal = redis.clone().renew_lock("job:4", "w1", ttl, policy);
        let lost = tokio::time::timeout(Duration::from_secs(5), renewal.lost()).await.expect("a verdict");
        assert_eq!(lost, Lost::LifetimeReached);
        assert!(started.elapsed() < Duration::from_millis(2_000 + 1_000), "{:?}", started.elapsed());
        let state = redis.lock_inspect_async("job:4", Clock::Server).await.unwrap();
        assert!(matches!(state, LockState::Held { .. }), "still held when told: {state:?}");
    });
}
