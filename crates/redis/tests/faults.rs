//! Redis going away, coming back empty, and forgetting its scripts: typed errors, never a
//! panic, and operations that succeed again afterwards.

use std::time::Duration;

use leasehold_core::{Acquire, LockOutcome, LockRequest, Millis, Outcome, Release, Request};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{AdapterError, Clock};

fn acquire(owner: &str) -> Request {
    Request::Lock(LockRequest::Acquire { key: "job:7".into(), owner: owner.into(), ttl: Millis(60_000) })
}

fn granted(outcome: Outcome) -> (u64, bool) {
    match outcome {
        Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { fence, reacquired, .. })) => {
            (fence, reacquired)
        }
        other => panic!("expected a grant, got {other:?}"),
    }
}

#[test]
fn a_flushed_script_cache_is_reloaded_on_the_next_call() {
    let server = RedisServer::start();
    let mut redis = server.connect("noscript");
    let (fence, _) = granted(redis.apply(&acquire("a"), Clock::Explicit(Millis(1_000))).unwrap());
    let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut server.raw()).unwrap();
    let (again, reacquired) = granted(redis.apply(&acquire("a"), Clock::Explicit(Millis(2_000))).unwrap());
    assert_eq!((again, reacquired), (fence, true));
}

#[test]
fn a_killed_server_gives_a_connection_error_and_a_restarted_one_serves_again() {
    let mut server = RedisServer::start();
    let mut redis = server.connect("kill");
    granted(redis.apply(&acquire("a"), Clock::Server).unwrap());
    server.kill();
    let failed = redis.apply(&acquire("a"), Clock::Server);
    assert!(matches!(failed, Err(AdapterError::Connection { .. })), "{failed:?}");
    let still_down = redis.apply(&acquire("a"), Clock::Server);
    assert!(matches!(still_down, Err(AdapterError::Connection { .. })), "{still_down:?}");
    server.restart();
    let (_, reacquired) = granted(redis.apply(&acquire("b"), Clock::Server).unwrap());
    assert!(!reacquired, "the restarted server lost the lock of a");
}

#[test]
fn fences_keep_rising_after_a_restart_that_lost_the_data() {
    let mut server = RedisServer::start();
    let mut redis = server.connect("fences");
    let mut last = 0;
    for round in 0..3 {
        let (fence, _) = granted(redis.apply(&acquire("a"), Clock::Server).unwrap());
        assert!(fence > last, "round {round}: fence {fence} after {last}");
        let release = Request::Lock(LockRequest::Release { key: "job:7".into(), owner: "a".into() });
        let released = redis.apply(&release, Clock::Server).unwrap();
        assert_eq!(released, Outcome::Lock(LockOutcome::Release(Release::Released { fence })));
        last = fence;
        server.restart();
        // The first call after a restart may find the old connection broken; the next reconnects.
        let _ = redis.apply(&Request::Lock(LockRequest::Inspect { key: "job:7".into() }), Clock::Server);
    }
}

#[test]
fn an_invalid_request_is_refused_without_a_server_round_trip() {
    let mut server = RedisServer::start();
    let mut redis = server.connect("invalid");
    server.kill();
    let bad = Request::Lock(LockRequest::Acquire { key: String::new(), owner: "a".into(), ttl: Millis(1) });
    let refused = redis.apply(&bad, Clock::Server);
    assert!(matches!(refused, Err(AdapterError::Invalid(_))), "{refused:?}");
}

#[test]
fn the_async_connection_reconnects_after_a_restart() {
    let mut server = RedisServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut redis = server.client("async").connect_async().await.unwrap();
        granted(redis.apply_async(&acquire("a"), Clock::Server).await.unwrap());
        server.kill();
        let failed = redis.apply_async(&acquire("a"), Clock::Server).await;
        assert!(matches!(failed, Err(AdapterError::Connection { .. })), "{failed:?}");
        server.restart();
        // The manager reconnects in the background: a bounded number of tries.
        let mut outcome = Err(AdapterError::Config("not tried".into()));
        for _ in 0..50 {
            outcome = redis.apply_async(&acquire("b"), Clock::Server).await;
            if outcome.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (_, reacquired) = granted(outcome.unwrap());
        assert!(!reacquired);
    });
}
