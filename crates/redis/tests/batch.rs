//! `apply_many`: a pipeline of requests gives, per request and in order, the outcome the core
//! gives for the same sequence; refused requests do not stop the others; lost scripts reload.

use leasehold_core::{Engine, HoldRequest, LockRequest, Millis, Request};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{AdapterError, Clock};

const NOW: Millis = Millis(50_000);

fn acquire(key: &str, owner: &str) -> Request {
    Request::Lock(LockRequest::Acquire { key: key.into(), owner: owner.into(), ttl: Millis(1_000) })
}

fn reserve(item: &str, owner: &str) -> Request {
    Request::Hold(HoldRequest::Reserve {
        namespace: "ns".into(),
        items: vec![item.into()],
        owner: owner.into(),
        ttl: Millis(1_000),
        max_holds: None,
    })
}

/// A sequence whose outcomes depend on the order: the second acquire and reserve are denied.
fn sequence() -> Vec<Request> {
    vec![
        acquire("k", "a"),
        reserve("i", "a"),
        acquire("k", "b"),
        reserve("i", "b"),
        Request::Lock(LockRequest::Release { key: "k".into(), owner: "a".into() }),
        acquire("k", "b"),
    ]
}

fn core_outcomes(requests: &[Request]) -> Vec<Result<leasehold_core::Outcome, AdapterError>> {
    let mut engine = Engine::new();
    requests.iter().map(|r| engine.apply(r, NOW).map_err(AdapterError::Invalid)).collect()
}

#[test]
fn a_batch_gives_each_request_the_cores_outcome_in_request_order() {
    let server = RedisServer::start();
    let mut redis = server.connect("batch");
    let requests = sequence();
    assert_eq!(redis.apply_many(&requests, Clock::Explicit(NOW)).unwrap(), core_outcomes(&requests));
}

#[test]
fn a_refused_request_gets_its_error_and_the_rest_of_the_batch_still_runs() {
    let server = RedisServer::start();
    let mut redis = server.connect("batch");
    let requests = vec![acquire("k", "a"), acquire("", "a"), acquire("k2", "a")];
    let outcomes = redis.apply_many(&requests, Clock::Explicit(NOW)).unwrap();
    assert_eq!(outcomes, core_outcomes(&requests));
    assert!(matches!(outcomes[1], Err(AdapterError::Invalid(_))));
    assert!(redis.apply_many(&[], Clock::Server).unwrap().is_empty());
}

#[test]
fn a_batch_after_a_script_flush_loads_what_is_missing_and_runs_every_request() {
    let server = RedisServer::start();
    let mut redis = server.connect("batch");
    redis.apply(&acquire("warm", "a"), Clock::Explicit(NOW)).unwrap();
    redis::cmd("SCRIPT").arg("FLUSH").query::<()>(&mut server.raw()).unwrap();
    // Only the acquire script is back: the reserves find theirs missing and run in a second round
    // trip, after the acquires but in their own order, so every outcome is the sequential one.
    redis.apply(&acquire("warm", "a"), Clock::Explicit(NOW)).unwrap();
    let requests = vec![acquire("k", "a"), reserve("i", "a"), reserve("i", "b"), acquire("k", "b")];
    assert_eq!(redis.apply_many(&requests, Clock::Explicit(NOW)).unwrap(), core_outcomes(&requests));
}

#[tokio::test(flavor = "current_thread")]
async fn an_async_batch_gives_the_same_outcomes_as_a_sync_one() {
    let server = RedisServer::start();
    let mut redis = server.client("batch").connect_async().await.unwrap();
    let requests = sequence();
    let outcomes = redis.apply_many_async(&requests, Clock::Explicit(NOW)).await.unwrap();
    assert_eq!(outcomes, core_outcomes(&requests));
}
