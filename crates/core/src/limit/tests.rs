//! Behaviour of the whole table: block policy, peek, reset, keyspaces, expiry, validation.

use alloc::string::String;

use super::*;
use crate::error::Field;

const NOW: Millis = Millis(1_763_800_000_000);

fn at(offset: u64) -> Millis {
    Millis(NOW.0 + offset)
}

const LOGIN: Limit = Limit::fixed_window(2, Millis(10_000));
const STRICT: BlockPolicy = BlockPolicy { violations: 2, within: Millis(1_000), block_for: Millis(5_000) };

fn every_algorithm() -> [Limit; 6] {
    [
        Limit::fixed_window(3, Millis(1_000)),
        Limit::sliding_log(3, Millis(1_000)),
        Limit::sliding_counter(3, Millis(1_000)),
        Limit::token_bucket(3, 1, Millis(1_000)),
        Limit::gcra(3, Millis(1_000)),
        Limit::cooldown(Millis(1_000)),
    ]
}

#[test]
fn peek_gives_the_checks_decision_and_writes_nothing() {
    for limit in every_algorithm() {
        let mut limits = Limits::new(1);
        let peeked = limits.peek("k", &limit, 1, NOW).unwrap();
        assert!(limits.is_empty());
        assert_eq!(limits.check("k", &limit, 1, NOW).unwrap(), peeked);
        assert_eq!(limits.peek("k", &limit, 1, NOW).unwrap(), limits.peek("k", &limit, 1, NOW).unwrap());
    }
}

#[test]
fn a_denied_check_consumes_nothing_under_any_algorithm() {
    for limit in every_algorithm() {
        let mut limits = Limits::new(1);
        while limits.check("k", &limit, 1, NOW).unwrap().allowed {}
        let before = limits.peek("k", &limit, 1, at(1)).unwrap();
        assert!(!limits.check("k", &limit, 1, at(1)).unwrap().allowed);
        assert_eq!(limits.peek("k", &limit, 1, at(1)).unwrap(), before, "{limit:?}");
    }
}

#[test]
fn the_same_key_under_two_algorithms_is_two_states() {
    let mut limits = Limits::new(1);
    assert!(limits.check("k", &Limit::cooldown(Millis(1_000)), 1, NOW).unwrap().allowed);
    assert!(limits.check("k", &Limit::gcra(1, Millis(1_000)), 1, NOW).unwrap().allowed);
    assert_eq!(limits.len(), 2);
    assert_eq!(limits.reset("k", AlgorithmKind::Cooldown, NOW), Ok(Reset::Forgotten));
    assert!(!limits.check("k", &Limit::gcra(1, Millis(1_000)), 1, NOW).unwrap().allowed);
}

#[test]
fn keys_are_counted_independently() {
    let mut limits = Limits::new(1);
    assert!(limits.check("a", &LOGIN, 2, NOW).unwrap().allowed);
    assert!(!limits.check("a", &LOGIN, 1, NOW).unwrap().allowed);
    assert_eq!(limits.check("b", &LOGIN, 1, NOW).unwrap().remaining, 1);
}

#[test]
fn reset_forgets_counts_and_reports_whether_anything_was_live() {
    let mut limits = Limits::new(1);
    assert_eq!(limits.reset("k", AlgorithmKind::FixedWindow, NOW), Ok(Reset::Absent));
    limits.check("k", &LOGIN, 2, NOW).unwrap();
    assert_eq!(limits.reset("k", AlgorithmKind::FixedWindow, at(1)), Ok(Reset::Forgotten));
    assert_eq!(limits.check("k", &LOGIN, 1, at(2)).unwrap().remaining, 1);
    assert_eq!(limits.reset("k", AlgorithmKind::FixedWindow, at(10_002)), Ok(Reset::Absent));
}

#[test]
fn repeated_denials_block_the_key_until_the_exact_instant() {
    let mut limits = Limits::new(1);
    let limit = LOGIN.with_block(STRICT);
    limits.check("k", &limit, 2, NOW).unwrap();
    let first = limits.check("k", &limit, 1, at(100)).unwrap();
    assert_eq!(first, Decision::deny(2, 0, Millis(9_900), Millis(9_900)));
    let blocking = limits.check("k", &limit, 1, at(200)).unwrap();
    // Blocked until 5 200, but the window only ends at 10 000: a retry before then is useless.
    assert_eq!(blocking, Decision::deny(2, 0, Millis(9_800), Millis(9_800)));
    assert_eq!(limits.check("k", &limit, 1, at(5_199)).unwrap().retry_after, Millis(4_801));
    assert_eq!(limits.check("k", &limit, 1, at(5_200)).unwrap().retry_after, Millis(4_800));
    assert!(limits.check("k", &limit, 1, at(10_000)).unwrap().allowed);
}

#[test]
fn denials_while_blocked_neither_count_nor_extend_the_block() {
    let mut limits = Limits::new(1);
    let limit = Limit::fixed_window(1, Millis(100)).with_block(STRICT);
    limits.check("k", &limit, 1, NOW).unwrap();
    limits.check("k", &limit, 1, at(1)).unwrap();
    assert_eq!(limits.check("k", &limit, 1, at(2)).unwrap().retry_after, Millis(5_000));
    for t in 3..50 {
        assert_eq!(limits.check("k", &limit, 1, at(t)).unwrap().retry_after, Millis(5_002 - t));
    }
    // The block still ends at 5 002, and the window ended long before: admitted.
    assert!(limits.check("k", &limit, 1, at(5_002)).unwrap().allowed);
}

#[test]
fn violations_further_apart_than_within_never_block() {
    let mut limits = Limits::new(1);
    let limit = LOGIN.with_block(STRICT);
    limits.check("k", &limit, 2, NOW).unwrap();
    for t in [100, 1_100, 2_100, 3_100] {
        assert_eq!(limits.check("k", &limit, 1, at(t)).unwrap().retry_after, Millis(10_000 - t));
    }
}

#[test]
fn a_block_is_honoured_by_checks_without_a_policy_and_shown_by_peek() {
    let mut limits = Limits::new(1);
    let limit = LOGIN.with_block(BlockPolicy { violations: 1, ..STRICT });
    limits.check("k", &limit, 2, NOW).unwrap();
    limits.check("k", &limit, 1, at(1)).unwrap();
    let blocked = Decision::deny(2, 0, Millis(9_989), Millis(9_989));
    assert_eq!(limits.peek("k", &LOGIN, 1, at(11)).unwrap(), blocked);
    assert_eq!(limits.check("k", &LOGIN, 1, at(11)).unwrap(), blocked);
}

#[test]
fn peek_shows_the_block_a_check_would_trigger_without_triggering_it() {
    let mut limits = Limits::new(1);
    let limit = LOGIN.with_block(BlockPolicy { violations: 1, block_for: Millis(20_000), ..STRICT });
    limits.check("k", &limit, 2, NOW).unwrap();
    assert_eq!(limits.peek("k", &limit, 1, at(1)).unwrap().retry_after, Millis(20_000));
    assert_eq!(limits.peek("k", &LOGIN, 1, at(1)).unwrap().retry_after, Millis(9_999));
}

#[test]
fn expiry_forgets_only_idle_keys_and_returns_memory_to_baseline() {
    let mut limits = Limits::new(1);
    for (i, limit) in every_algorithm().iter().enumerate() {
        let blocked = limit.with_block(BlockPolicy { violations: 1, ..STRICT });
        for key in ["a", "b", "c"] {
            while limits.check(key, &blocked, 1, NOW).unwrap().allowed {}
        }
        assert_eq!(limits.len(), 3 * (i + 1));
    }
    assert_eq!(limits.expire(at(4_999), 100), 0);
    assert_eq!(limits.expire(at(5_000), 100), 18);
    assert!(limits.is_empty());
}

#[test]
fn expiry_never_changes_an_outcome() {
    let limit = Limit::token_bucket(5, 2, Millis(1_000));
    let mut swept = Limits::new(1);
    let mut kept = Limits::new(2);
    for t in (0..20_000).step_by(370) {
        swept.expire(at(t), 10);
        let cost = 1 + t % 3;
        assert_eq!(swept.check("k", &limit, cost, at(t)), kept.check("k", &limit, cost, at(t)));
    }
}

#[test]
fn errors_name_the_first_bad_argument_in_parameter_order() {
    let mut limits = Limits::new(1);
    let bad = Limit::fixed_window(0, Millis(0)).with_block(BlockPolicy { violations: 0, ..STRICT });
    let long: String = "k".repeat(513);
    let error = |field| Err(Error::OutOfRange { field, value: 0, min: 1, max: crate::bounds::MAX_COUNT });
    assert_eq!(limits.check("", &bad, 0, Millis(u64::MAX)), Err(Error::Empty { field: Field::Key }));
    assert_eq!(
        limits.check(&long, &bad, 0, NOW),
        Err(Error::TooLong { field: Field::Key, len: 513, max: 512 })
    );
    assert_eq!(limits.check("k", &bad, 0, Millis(u64::MAX)), error(Field::Quota));
    let bad = Limit { algorithm: LOGIN.algorithm, ..bad };
    assert_eq!(limits.check("k", &bad, 0, Millis(u64::MAX)), error(Field::Violations));
    let cost = Err(Error::OutOfRange { field: Field::Cost, value: 3, min: 1, max: 2 });
    assert_eq!(limits.check("k", &LOGIN, 3, Millis(u64::MAX)), cost);
    let now = Err(Error::OutOfRange { field: Field::Now, value: 1 << 53, min: 0, max: Millis::MAX.0 });
    assert_eq!(limits.check("k", &LOGIN, 1, Millis(1 << 53)), now);
    let overflow = Err(Error::Overflow { field: Field::ExpiresAt });
    assert_eq!(limits.check("k", &LOGIN, 1, Millis(Millis::MAX.0 - 9_999)), overflow);
    assert!(limits.check("k", &LOGIN, 1, Millis(Millis::MAX.0 - 10_000)).unwrap().allowed);
}

#[test]
fn a_refused_request_leaves_the_state_unchanged() {
    let mut limits = Limits::new(1);
    limits.check("k", &LOGIN, 1, NOW).unwrap();
    assert!(limits.check("k", &LOGIN, 0, NOW).is_err());
    assert!(limits.check("k", &Limit::fixed_window(2, Millis(0)), 1, NOW).is_err());
    assert_eq!(limits.check("k", &LOGIN, 1, NOW).unwrap().remaining, 0);
}

#[test]
fn requests_read_the_documented_json_and_refuse_unknown_fields() {
    let json = r#"{"check": {"key": "login_ip:1.2.3.4", "cost": 1,
        "algorithm": {"fixed_window": {"quota": 10, "window": 900000}},
        "block": {"violations": 3, "within": 60000, "block_for": 3600000}}}"#;
    let request: LimitRequest = serde_json::from_str(json).unwrap();
    let LimitRequest::Check { algorithm, block: Some(block), cost: 1, .. } = request else {
        panic!("{request:?}")
    };
    assert_eq!(Limit { algorithm, block: Some(block) }, LOGIN_JSON);
    for algorithm in [
        r#"{"sliding_log": {"quota": 100, "window": 60000}}"#,
        r#"{"sliding_counter": {"quota": 600, "window": 60000}}"#,
        r#"{"token_bucket": {"capacity": 20, "refill": 5, "interval": 1000}}"#,
        r#"{"gcra": {"burst": 5, "interval": 100}}"#,
        r#"{"cooldown": {"interval": 3000}}"#,
    ] {
        let json = alloc::format!(r#"{{"peek": {{"key": "k", "algorithm": {algorithm}, "cost": 1}}}}"#);
        assert!(serde_json::from_str::<LimitRequest>(&json).is_ok(), "{json}");
    }
    let reset: LimitRequest =
        serde_json::from_str(r#"{"reset": {"key": "k", "algorithm": "gcra"}}"#).unwrap();
    assert_eq!(reset, LimitRequest::Reset { key: "k".into(), algorithm: AlgorithmKind::Gcra });
    for refused in [
        r#"{"check": {"key": "k", "algorithm": {"cooldown": {"interval": 1}}}}"#,
        r#"{"check": {"key": "k", "algorithm": {"cooldown": {"interval": 1}}, "cost": 1, "x": 0}}"#,
        r#"{"check": {"key": "k", "algorithm": {"cooldown": {"interval": 1, "x": 0}}, "cost": 1}}"#,
        r#"{"check": {"key": "k", "algorithm": {"leaky": {"interval": 1}}, "cost": 1}}"#,
        r#"{"check": {"key": "k", "algorithm": {"cooldown": {"interval": 1}}, "cost": -1}}"#,
    ] {
        assert!(serde_json::from_str::<LimitRequest>(refused).is_err(), "{refused}");
    }
}

const LOGIN_JSON: Limit = Limit::fixed_window(10, Millis(900_000)).with_block(BlockPolicy {
    violations: 3,
    within: Millis(60_000),
    block_for: Millis(3_600_000),
});

#[test]
fn outcomes_serialize_as_the_bare_decision_or_reset() {
    let mut limits = Limits::new(1);
    let check = LimitRequest::Check { key: "k".into(), algorithm: LOGIN.algorithm, block: None, cost: 1 };
    let outcome = serde_json::to_value(limits.apply(&check, Millis(5)).unwrap()).unwrap();
    let expected = r#"{"allowed": true, "limit": 2, "remaining": 1, "reset_after": 10000, "retry_after": 0}"#;
    assert_eq!(outcome, serde_json::from_str::<serde_json::Value>(expected).unwrap());
    let reset = LimitRequest::Reset { key: "k".into(), algorithm: AlgorithmKind::FixedWindow };
    assert_eq!(serde_json::to_value(limits.apply(&reset, Millis(6)).unwrap()).unwrap(), "forgotten");
    assert_eq!(serde_json::to_value(limits.apply(&reset, Millis(7)).unwrap()).unwrap(), "absent");
}
