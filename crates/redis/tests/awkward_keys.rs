//! Keys with braces, spaces, percent signs, control characters and unicode go through the
//! adapter as the core sees them (each its own lock, its own hold), and 64 KiB keys, owners,
//! items and namespaces are refused before reaching Redis with the core's own error.

use leasehold_core::{Acquire, Engine, HoldRequest, LockOutcome, LockRequest, Millis, Outcome, Request};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{AdapterError, Clock};

const AWKWARD: &[&str] = &[
    "{",
    "}",
    "a{b}c",
    "}{",
    "{}",
    "%7B",
    "%",
    "with space",
    " leading and trailing ",
    "tab\tand\nnewline",
    "ключ 🔒 鍵",
    "\u{0}nul",
    "\"quoted\" 'and' \\slashed\\",
    "lockTrade:{42}:x",
];

fn acquire(key: &str, owner: &str) -> Request {
    Request::Lock(LockRequest::Acquire { key: key.into(), owner: owner.into(), ttl: Millis(60_000) })
}

#[test]
fn awkward_lock_keys_behave_exactly_as_in_the_core_and_never_share_a_lock() {
    let server = RedisServer::start();
    let mut redis = server.connect("awkward");
    let mut engine = Engine::new();
    let now = Millis(1_000_000);
    for key in AWKWARD {
        for owner in ["a", "b", "owner with {braces} é"] {
            let request = acquire(key, owner);
            let expected = engine.apply(&request, now).map_err(AdapterError::Invalid);
            let got = redis.apply(&request, Clock::Explicit(now));
            assert_eq!(got, expected, "{key:?} by {owner:?}");
        }
    }
    // Every key got its own first grant: none was taken for another.
    for key in AWKWARD {
        let inspect = Request::Lock(LockRequest::Inspect { key: (*key).into() });
        let expected = engine.apply(&inspect, now).map_err(AdapterError::Invalid);
        assert_eq!(redis.apply(&inspect, Clock::Explicit(now)), expected, "{key:?}");
    }
    let granted = AWKWARD
        .iter()
        .filter(|key| {
            matches!(
                engine.apply(&acquire(key, "a"), now),
                Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { reacquired: true, .. })))
            )
        })
        .count();
    assert_eq!(granted, AWKWARD.len());
}

#[test]
fn awkward_items_and_namespaces_hold_exactly_as_in_the_core() {
    let server = RedisServer::start();
    let mut redis = server.connect("awkward");
    let mut engine = Engine::new();
    let now = Millis(1_000_000);
    for namespace in ["{ns}", "name space", "ключ 🔒"] {
        let items: Vec<String> = AWKWARD.iter().map(|s| (*s).to_owned()).collect();
        for owner in ["a", "b"] {
            let reserve = Request::Hold(HoldRequest::Reserve {
                namespace: namespace.into(),
                items: items.clone(),
                owner: owner.into(),
                ttl: Millis(60_000),
                max_holds: None,
            });
            let expected = engine.apply(&reserve, now).map_err(AdapterError::Invalid);
            assert_eq!(redis.apply(&reserve, Clock::Explicit(now)), expected, "{namespace:?} by {owner}");
        }
        let check = Request::Hold(HoldRequest::Check { namespace: namespace.into(), items });
        let expected = engine.apply(&check, now).map_err(AdapterError::Invalid);
        assert_eq!(redis.apply(&check, Clock::Explicit(now)), expected, "{namespace:?}");
    }
}

#[test]
fn values_of_64_kib_are_refused_with_the_cores_error_and_nothing_reaches_redis() {
    let server = RedisServer::start();
    let mut redis = server.connect("big");
    let big = "x".repeat(64 * 1024);
    let now = Millis(1_000_000);
    let requests = [
        acquire(&big, "a"),
        acquire("k", &big),
        Request::Hold(HoldRequest::Reserve {
            namespace: big.clone(),
            items: vec!["i".into()],
            owner: "a".into(),
            ttl: Millis(1_000),
            max_holds: None,
        }),
        Request::Hold(HoldRequest::Reserve {
            namespace: "ns".into(),
            items: vec![big.clone()],
            owner: "a".into(),
            ttl: Millis(1_000),
            max_holds: None,
        }),
    ];
    for request in &requests {
        let expected = Engine::new().apply(request, now).expect_err("the core refuses it");
        match redis.apply(request, Clock::Explicit(now)) {
            Err(AdapterError::Invalid(error)) => {
                assert_eq!(error, expected);
                assert!(!error.to_string().is_empty());
            }
            other => panic!("{} was not refused: {other:?}", request.name()),
        }
    }
    let keys: u64 = redis::cmd("DBSIZE").query(&mut server.raw()).unwrap();
    assert_eq!(keys, 0, "a refused request wrote to Redis");
}
