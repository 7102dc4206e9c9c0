//! The server clock through the scripts' fast paths: a lock taken, taken again by its owner and
//! refused to another, one request at a time and in a batch, gives what the core gives at the
//! `now` each outcome reveals and leaves the key the Redis TTL the full transition sets, and so
//! do its extension and its release, by its owner or refused to another; a fixed window keeps the TTL its start
//! gave it.

use leasehold_core::{
    Acquire, Algorithm, Engine, Extend, FixedWindow, LimitOutcome, LimitRequest, LockOutcome, LockRequest,
    Millis, Outcome, Request,
};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{AdapterError, Clock};

fn acquire(key: &str, owner: &str, ttl: u64) -> Request {
    Request::Lock(LockRequest::Acquire { key: key.into(), owner: owner.into(), ttl: Millis(ttl) })
}

fn granted(outcome: &Result<Outcome, AdapterError>) -> (u64, Millis, bool) {
    match outcome {
        Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { fence, expires_at, reacquired }))) => {
            (*fence, *expires_at, *reacquired)
        }
        other => panic!("expected a grant, got {other:?}"),
    }
}

fn denied(outcome: &Result<Outcome, AdapterError>) -> Millis {
    match outcome {
        Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Denied { retry_after }))) => *retry_after,
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[test]
fn a_lock_taken_again_and_refused_at_the_server_clock_gives_the_cores_outcomes_and_ttls() {
    let server = RedisServer::start();
    let mut redis = server.connect("clock");
    let mut raw = server.raw();
    let mut pttl = |key: &str| -> i64 {
        redis::cmd("PTTL").arg(format!("clock:lock:{{{key}}}")).query(&mut raw).unwrap()
    };
    let mut engine = Engine::new();

    let first = acquire("k", "a", 5_000);
    let got = redis.apply(&first, Clock::Server);
    let (fence, expires_at, reacquired) = granted(&got);
    let now = Millis(expires_at.0 - 5_000);
    assert_eq!(got, engine.apply(&first, now).map_err(AdapterError::Invalid));
    assert_eq!((fence, reacquired), (now.0 * 1_000, false));
    assert!((1..=5_000).contains(&pttl("k")));

    let again = acquire("k", "a", 9_000);
    let got = redis.apply(&again, Clock::Server);
    let (fence_again, held_until, reacquired) = granted(&got);
    assert_eq!(got, engine.apply(&again, Millis(held_until.0 - 9_000)).map_err(AdapterError::Invalid));
    assert_eq!((fence_again, reacquired), (fence, true));
    assert!((5_001..=9_000).contains(&pttl("k")), "the TTL follows the new expiry");

    let other = acquire("k", "b", 1_000);
    let got = redis.apply(&other, Clock::Server);
    let retry_after = denied(&got);
    assert!(retry_after.0 >= 1 && retry_after.0 <= 9_000);
    assert_eq!(
        got,
        engine.apply(&other, Millis(held_until.0 - retry_after.0)).map_err(AdapterError::Invalid)
    );

    let batch = [
        acquire("j", "a", 5_000),
        acquire("j", "a", 7_000),
        acquire("j", "b", 1_000),
        acquire("k", "a", 4_000),
        acquire("i", "a", 3_000),
        acquire("h", "a", 2_000),
    ];
    let got = redis.apply_many(&batch, Clock::Server).unwrap();
    let now = Millis(granted(&got[0]).1 .0 - 5_000);
    let expected: Vec<_> =
        batch.iter().map(|r| engine.apply(r, now).map_err(AdapterError::Invalid)).collect();
    assert_eq!(got, expected);
    assert!(granted(&got[1]).2, "taken again by its owner");
    assert_eq!(granted(&got[3]), (fence, Millis(now.0 + 4_000), true));
    assert!((5_001..=7_000).contains(&pttl("j")));
    assert!((1..=4_000).contains(&pttl("k")), "a shorter ttl taken again shortens the key's TTL");
    assert!(!granted(&got[4]).2, "a new key after a held one");
    assert!((1..=3_000).contains(&pttl("i")) && (1..=2_000).contains(&pttl("h")), "new keys get their ttl");

    let later = Millis(now.0 + 1);
    let extend =
        Request::Lock(LockRequest::Extend { key: "j".into(), owner: "a".into(), ttl: Millis(8_000) });
    let got = redis.apply(&extend, Clock::Server);
    let Ok(Outcome::Lock(LockOutcome::Extend(Extend::Extended { expires_at, .. }))) = &got else {
        panic!("{got:?}")
    };
    assert_eq!(got, engine.apply(&extend, Millis(expires_at.0 - 8_000)).map_err(AdapterError::Invalid));
    assert!((7_001..=8_000).contains(&pttl("j")), "extending moves the key's TTL too");
    let foreign =
        Request::Lock(LockRequest::Extend { key: "j".into(), owner: "b".into(), ttl: Millis(8_000) });
    assert_eq!(
        redis.apply(&foreign, Clock::Server),
        engine.apply(&foreign, later).map_err(AdapterError::Invalid)
    );

    let release = Request::Lock(LockRequest::Release { key: "k".into(), owner: "a".into() });
    let refused = Request::Lock(LockRequest::Release { key: "j".into(), owner: "b".into() });
    for request in [&release, &refused, &release] {
        assert_eq!(
            redis.apply(request, Clock::Server),
            engine.apply(request, later).map_err(AdapterError::Invalid)
        );
    }
    assert!(pttl("k") < 0, "a released lease whose fence need not be remembered is deleted");
}

#[test]
fn a_fixed_window_at_the_server_clock_counts_each_check_and_its_key_lives_until_the_window_ends() {
    let server = RedisServer::start();
    let mut redis = server.connect("clock");
    let mut raw = server.raw();
    let algorithm = Algorithm::FixedWindow(FixedWindow { quota: 3, window: Millis(60_000) });
    let check = Request::Limit(LimitRequest::Check { key: "u".into(), algorithm, block: None, cost: 1 });
    let mut engine = Engine::new();
    let key = "clock:limit:fixed_window:{u}";
    let mut ends = Vec::new();
    for remaining in [2, 1, 0] {
        let got = redis.apply(&check, Clock::Server).unwrap();
        let Outcome::Limit(LimitOutcome::Check(decision)) = &got else { panic!("{got:?}") };
        assert!(decision.allowed && decision.remaining == remaining, "{decision:?}");
        let exp: u64 = redis::cmd("HGET").arg(key).arg("exp").query(&mut raw).unwrap();
        let now = Millis(exp - decision.reset_after.0);
        assert_eq!(got, engine.apply(&check, now).unwrap());
        let pttl: i64 = redis::cmd("PTTL").arg(key).query(&mut raw).unwrap();
        assert!(pttl > 0 && pttl <= 60_000, "{pttl}");
        ends.push(exp);
    }
    assert!(ends.iter().all(|&exp| exp == ends[0]), "one window: {ends:?}");
    let got = redis.apply(&check, Clock::Server).unwrap();
    let Outcome::Limit(LimitOutcome::Check(decision)) = &got else { panic!("{got:?}") };
    assert!(!decision.allowed && decision.retry_after.0 >= 1, "{decision:?}");
}
