//! Properties of holds under random operations with many owners, items and time steps.
//!
//! A model is built only from what the engine reports (outcomes and events) and checked
//! against what the engine answers to `check`: if the two ever disagree, or if an outcome
//! contradicts the model (a reserve granted over another owner's live hold, a conflict that
//! names the wrong items, a fence that does not rise), the property fails.

use std::collections::BTreeMap;

use leasehold_core::hold::{HoldEventKind, Reserve};
use leasehold_core::{Engine, HoldEvent, LeaseState, Millis, Release};
use proptest::prelude::*;

const NAMESPACES: [&str; 2] = ["ns-a", "ns-b"];
const ITEMS: [&str; 6] = ["i0", "i1", "i2", "i3", "i4", "i5"];
const OWNERS: [&str; 3] = ["o0", "o1", "o2"];

#[derive(Debug, Clone)]
enum Op {
    Reserve { ns: usize, items: Vec<usize>, owner: usize, ttl: u64, cap: Option<u64> },
    Release { ns: usize, items: Vec<usize>, owner: usize },
    Extend { ns: usize, items: Vec<usize>, owner: usize, ttl: u64 },
    Force { ns: usize, items: Vec<usize> },
    Sweep { ns: usize, max: u64 },
}

fn item_set() -> impl Strategy<Value = Vec<usize>> {
    proptest::sample::subsequence((0..ITEMS.len()).collect::<Vec<_>>(), 1..=4).prop_shuffle()
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2usize, item_set(), 0..3usize, 1..300u64, proptest::option::of(1..6u64))
            .prop_map(|(ns, items, owner, ttl, cap)| Op::Reserve { ns, items, owner, ttl, cap }),
        2 => (0..2usize, item_set(), 0..3usize).prop_map(|(ns, items, owner)| Op::Release { ns, items, owner }),
        2 => (0..2usize, item_set(), 0..3usize, 1..300u64)
            .prop_map(|(ns, items, owner, ttl)| Op::Extend { ns, items, owner, ttl }),
        1 => (0..2usize, item_set()).prop_map(|(ns, items)| Op::Force { ns, items }),
        1 => (0..2usize, 1..4u64).prop_map(|(ns, max)| Op::Sweep { ns, max }),
    ]
}

/// What the model believes each (namespace, item) is: owner, fence, expiry.
type Model = BTreeMap<(usize, &'static str), (usize, u64, u64)>;

fn names(items: &[usize]) -> Vec<&'static str> {
    items.iter().map(|&i| ITEMS[i]).collect()
}

fn forget_events(model: &mut Model, ns: usize, events: &[HoldEvent]) {
    for event in events {
        if matches!(event.kind, HoldEventKind::Expired | HoldEventKind::Released) {
            let item = ITEMS.iter().find(|name| **name == &*event.item).copied().unwrap();
            let removed = model.remove(&(ns, item));
            assert!(removed.is_some(), "an event ended a hold the model never saw: {event:?}");
        }
    }
}

fn run(steps: &[(u64, Op)]) -> Vec<String> {
    let mut engine = Engine::new();
    let mut model = Model::new();
    let mut max_fence = [0u64; 2];
    let mut now = 1_000u64;
    let mut transcript = Vec::new();
    for (advance, op) in steps {
        now += advance;
        let t = Millis(now);
        let live = |model: &Model, ns: usize, item: &'static str| {
            model.get(&(ns, item)).filter(|(_, _, expires)| *expires > now).copied()
        };
        match op {
            Op::Reserve { ns, items, owner, ttl, cap } => {
                let outcome = engine.holds().reserve(
                    NAMESPACES[*ns],
                    &names(items),
                    OWNERS[*owner],
                    Millis(*ttl),
                    *cap,
                    t,
                );
                transcript.push(format!("{outcome:?}"));
                let Ok(outcome) = outcome else { continue };
                let others: Vec<_> = names(items)
                    .into_iter()
                    .filter_map(|item| {
                        live(&model, *ns, item).filter(|(o, _, _)| o != owner).map(|h| (item, h))
                    })
                    .collect();
                match outcome {
                    Reserve::Reserved { expires_at, holds, events } => {
                        assert!(others.is_empty(), "granted over another owner's live hold: {others:?}");
                        forget_events(&mut model, *ns, &events);
                        for (item, held) in names(items).into_iter().zip(&holds) {
                            if held.refreshed {
                                assert_eq!(model[&(*ns, item)].1, held.fence);
                            } else {
                                assert!(held.fence > max_fence[*ns], "fence did not rise");
                            }
                            model.insert((*ns, item), (*owner, held.fence, expires_at.0));
                        }
                        max_fence[*ns] = max_fence[*ns].max(holds.iter().map(|h| h.fence).max().unwrap());
                    }
                    Reserve::Conflict { conflicts, events } => {
                        let expected: Vec<_> = others
                            .iter()
                            .map(|(item, (_, _, expires))| (item.to_string(), expires - now))
                            .collect();
                        let got: Vec<_> =
                            conflicts.iter().map(|c| (c.item.to_string(), c.retry_after.0)).collect();
                        assert_eq!(got, expected);
                        forget_events(&mut model, *ns, &events);
                    }
                    Reserve::CapReached { live: count, max_holds, events, .. } => {
                        assert!(others.is_empty());
                        let live_now =
                            model.iter().filter(|((n, _), (_, _, e))| *n == *ns && *e > now).count();
                        assert_eq!(count as usize, live_now);
                        let fresh =
                            names(items).into_iter().filter(|item| live(&model, *ns, item).is_none()).count();
                        assert!(count as usize + fresh > max_holds as usize, "capped below the cap");
                        forget_events(&mut model, *ns, &events);
                    }
                }
            }
            Op::Release { ns, items, owner } | Op::Extend { ns, items, owner, .. } => {
                let is_release = matches!(op, Op::Release { .. });
                let (results, events): (Vec<String>, _) = if is_release {
                    let Ok(out) = engine.holds().release(NAMESPACES[*ns], &names(items), OWNERS[*owner], t)
                    else {
                        continue;
                    };
                    for (item, result) in names(items).into_iter().zip(&out.items) {
                        let mine = live(&model, *ns, item).is_some_and(|(o, _, _)| o == *owner);
                        assert_eq!(matches!(result, Release::Released { .. }), mine);
                    }
                    (out.items.iter().map(|r| format!("{r:?}")).collect(), out.events)
                } else {
                    let Op::Extend { ttl, .. } = op else { unreachable!() };
                    let out = engine
                        .holds()
                        .extend(NAMESPACES[*ns], &names(items), OWNERS[*owner], Millis(*ttl), t)
                        .unwrap();
                    for (item, result) in names(items).into_iter().zip(&out.items) {
                        if let leasehold_core::Extend::Extended { expires_at, .. } = result {
                            let entry = model.get_mut(&(*ns, item)).unwrap();
                            assert_eq!(entry.0, *owner);
                            entry.2 = expires_at.0;
                        }
                    }
                    (out.items.iter().map(|r| format!("{r:?}")).collect(), out.events)
                };
                transcript.push(format!("{results:?} {events:?}"));
                forget_events(&mut model, *ns, &events);
            }
            Op::Force { ns, items } => {
                let out = engine.holds().force_release(NAMESPACES[*ns], &names(items), t).unwrap();
                transcript.push(format!("{out:?}"));
                forget_events(&mut model, *ns, &out.events);
            }
            Op::Sweep { ns, max } => {
                let out = engine.holds().sweep(NAMESPACES[*ns], *max, t).unwrap();
                assert!(out.events.iter().all(|e| e.expires_at.0 <= now), "swept a live hold");
                transcript.push(format!("{out:?}"));
                forget_events(&mut model, *ns, &out.events);
            }
        }
        for (ns, namespace) in NAMESPACES.iter().enumerate() {
            let checked = engine.holds().check(namespace, &ITEMS, t).unwrap();
            for (item, state) in ITEMS.iter().zip(&checked.items) {
                let expected = match live(&model, ns, item) {
                    Some((_, fence, expires)) => LeaseState::Held { fence, expires_at: Millis(expires) },
                    None => LeaseState::Free,
                };
                assert_eq!(*state, expected, "{namespace}/{item} at {now}");
            }
            let stored = model.keys().filter(|(n, _)| *n == ns).count();
            assert_eq!(engine.holds().stored(namespace), stored, "stored holds of {namespace}");
        }
    }
    transcript
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_item_is_ever_held_by_two_owners_and_the_engine_agrees_with_its_own_reports(
        steps in proptest::collection::vec((0..120u64, op()), 1..80)
    ) {
        let first = run(&steps);
        let second = run(&steps);
        prop_assert_eq!(first, second);
    }
}

#[test]
fn memory_returns_to_baseline_once_every_hold_has_expired() {
    let mut engine = Engine::new();
    let mut expired = 0;
    for n in 0..200u64 {
        let ns = format!("ns-{}", n % 7);
        let items = [format!("item-{n}"), format!("item-{}", n + 1000)];
        let outcome = engine
            .holds()
            .reserve(&ns, &items, "owner", Millis(50 + n), Some(1000), Millis(1_000 + n))
            .unwrap();
        let Reserve::Reserved { events, .. } = outcome else { panic!("nothing conflicts") };
        expired += events.iter().filter(|e| e.kind == HoldEventKind::Expired).count();
    }
    assert!(!engine.is_empty());
    for round in 0..100 {
        expired += engine.expire(Millis(10_000 + round), 4).hold_events.len();
    }
    assert_eq!(expired, 400);
    assert!(engine.is_empty());
}
