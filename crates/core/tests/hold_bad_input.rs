//! Holds under arbitrary, mostly malformed, arguments: nothing panics, and a refused request
//! leaves every hold exactly as it was.

use leasehold_core::hold::Cursor;
use leasehold_core::{Engine, HoldRequest, Millis, Request};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(vec!["", "a", "b", "ns", "é", "{tag}", "x y"]).prop_map(String::from),
        1 => "\\PC{0,8}",
        1 => (250usize..=520).prop_map(|n| "k".repeat(n)),
    ]
}

fn items() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        8 => proptest::collection::vec(text(), 0..6),
        1 => (995usize..=1_005).prop_map(|n| (0..n).map(|i| format!("i{i}")).collect()),
    ]
}

fn number() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => 0u64..2_000,
        1 => Just(Millis::MAX.0),
        1 => Just(Millis::MAX.0 + 1),
        1 => any::<u64>(),
        1 => 31_622_399_990u64..31_622_400_010,
    ]
}

fn request() -> impl Strategy<Value = HoldRequest> {
    prop_oneof![
        (text(), items(), text(), number(), proptest::option::of(number())).prop_map(
            |(namespace, items, owner, ttl, max_holds)| HoldRequest::Reserve {
                namespace,
                items,
                owner,
                ttl: Millis(ttl),
                max_holds
            }
        ),
        (text(), items(), text()).prop_map(|(namespace, items, owner)| HoldRequest::Release {
            namespace,
            items,
            owner
        }),
        (text(), items(), text(), number()).prop_map(|(namespace, items, owner, ttl)| HoldRequest::Extend {
            namespace,
            items,
            owner,
            ttl: Millis(ttl)
        }),
        (text(), items()).prop_map(|(namespace, items)| HoldRequest::ForceRelease { namespace, items }),
        (text(), items()).prop_map(|(namespace, items)| HoldRequest::Check { namespace, items }),
        (text(), proptest::option::of((number(), text())), number()).prop_map(
            |(namespace, cursor, limit)| {
                HoldRequest::List {
                    namespace,
                    cursor: cursor.map(|(at, item)| Cursor { expires_at: Millis(at), item: item.into() }),
                    limit,
                }
            }
        ),
        (text(), number()).prop_map(|(namespace, max)| HoldRequest::Sweep { namespace, max }),
    ]
}

/// Everything observable about the namespaces the strategies can name.
fn snapshot(engine: &mut Engine, now: Millis) -> Vec<String> {
    ["", "a", "b", "ns", "é", "{tag}", "x y"]
        .iter()
        .filter(|ns| !ns.is_empty())
        .map(|ns| {
            let page = engine.holds().list(ns, None, 10_000, now);
            format!("{ns}: {page:?} stored={}", engine.holds().stored(ns))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn arbitrary_hold_requests_never_panic_and_a_refusal_changes_nothing(
        steps in proptest::collection::vec((request(), number()), 1..12)
    ) {
        let mut engine = Engine::new();
        for (request, now) in steps {
            let now = Millis(now);
            let observe_at = Millis(now.0.min(Millis::MAX.0));
            let before = snapshot(&mut engine, observe_at);
            let outcome = engine.apply(&Request::Hold(request), now);
            if outcome.is_err() {
                prop_assert_eq!(before, snapshot(&mut engine, observe_at));
            }
        }
    }
}
