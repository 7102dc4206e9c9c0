//! The order holds are listed and swept in, under random reservations, releases and extensions
//! of many items sharing few expiries (so that one expiry gathers more items than the index
//! keeps together, and its items must still come out in byte order).
//!
//! A model keeps every hold's expiry and fence from the outcomes; after every step, paging
//! through `list` with the step's page size must give exactly the model's live holds in
//! `(expires_at, item bytes)` order, and a sweep must reclaim the earliest dead holds in that order.

use std::collections::BTreeMap;

use leasehold_core::hold::{Cursor, Reserve};
use leasehold_core::{Engine, Extend, HoldEvent, Millis, Release};
use proptest::prelude::*;

const NS: &str = "reserved-assets_730";
const ITEMS: usize = 400;
const OWNERS: [&str; 2] = ["o0", "o1"];

fn item(i: usize) -> String {
    // Lengths differ so byte order is not numeric order ("item-10" < "item-9").
    format!("item-{}", (i * 7919) % ITEMS)
}

#[derive(Debug, Clone)]
enum Op {
    Reserve { from: usize, count: usize, owner: usize, ttl: u64 },
    Release { from: usize, count: usize, owner: usize },
    Extend { from: usize, count: usize, owner: usize, ttl: u64 },
    Sweep { max: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    let ttl = prop_oneof![Just(100u64), Just(200u64), Just(300u64)];
    prop_oneof![
        4 => (0..ITEMS, 1..200usize, 0..2usize, ttl.clone())
            .prop_map(|(from, count, owner, ttl)| Op::Reserve { from, count, owner, ttl }),
        2 => (0..ITEMS, 1..120usize, 0..2usize).prop_map(|(from, count, owner)| Op::Release { from, count, owner }),
        1 => (0..ITEMS, 1..60usize, 0..2usize, ttl)
            .prop_map(|(from, count, owner, ttl)| Op::Extend { from, count, owner, ttl }),
        1 => (1..200u64).prop_map(|max| Op::Sweep { max }),
    ]
}

fn items(from: usize, count: usize) -> Vec<String> {
    (from..(from + count).min(ITEMS)).map(item).collect()
}

/// item → (owner, fence, expires_at), for every hold stored (live or dead).
type Model = BTreeMap<String, (usize, u64, u64)>;

fn forget(model: &mut Model, events: &[HoldEvent]) {
    use leasehold_core::hold::HoldEventKind::{Expired, Released};
    for event in events.iter().filter(|event| matches!(event.kind, Expired | Released)) {
        assert!(model.remove(&*event.item).is_some(), "ended a hold never seen: {event:?}");
    }
}

/// The model's holds after `now` (or all), in `(expires_at, item bytes)` order.
fn ordered(model: &Model, live_after: Option<u64>) -> Vec<(u64, String, u64)> {
    let mut holds: Vec<_> = model
        .iter()
        .filter(|(_, (_, _, expires))| live_after.is_none_or(|now| *expires > now))
        .map(|(item, (_, fence, expires))| (*expires, item.clone(), *fence))
        .collect();
    holds.sort_by(|a, b| (a.0, a.1.as_bytes()).cmp(&(b.0, b.1.as_bytes())));
    holds
}

fn run(steps: &[(u64, u64, Op)]) {
    let mut engine = Engine::new();
    let mut model = Model::new();
    let mut now = 1_000u64;
    for (advance, page, op) in steps {
        now += advance;
        let t = Millis(now);
        let lazily_swept =
            |model: &Model| ordered(model, None).into_iter().take_while(|h| h.0 <= now).take(8);
        let expected_sweep: Vec<(u64, String)> = match op {
            Op::Sweep { max } => ordered(&model, None)
                .into_iter()
                .take_while(|h| h.0 <= now)
                .take(*max as usize)
                .map(|h| (h.0, h.1))
                .collect(),
            _ => lazily_swept(&model).map(|h| (h.0, h.1)).collect(),
        };
        let events = match op {
            Op::Reserve { from, count, owner, ttl } => {
                match engine
                    .holds()
                    .reserve(NS, &items(*from, *count), OWNERS[*owner], Millis(*ttl), None, t)
                    .unwrap()
                {
                    Reserve::Reserved { expires_at, holds, events } => {
                        forget(&mut model, &events);
                        for (name, held) in items(*from, *count).into_iter().zip(holds) {
                            model.insert(name, (*owner, held.fence, expires_at.0));
                        }
                        events
                    }
                    Reserve::Conflict { events, .. } | Reserve::CapReached { events, .. } => {
                        forget(&mut model, &events);
                        events
                    }
                }
            }
            Op::Release { from, count, owner } => {
                let mine: Vec<bool> = items(*from, *count)
                    .iter()
                    .map(|name| model.get(name).is_some_and(|(o, _, expires)| o == owner && *expires > now))
                    .collect();
                let out = engine.holds().release(NS, &items(*from, *count), OWNERS[*owner], t).unwrap();
                forget(&mut model, &out.events);
                let released: Vec<bool> =
                    out.items.iter().map(|result| matches!(result, Release::Released { .. })).collect();
                assert_eq!(released, mine, "released exactly the caller's live holds");
                out.events
            }
            Op::Extend { from, count, owner, ttl } => {
                let out = engine
                    .holds()
                    .extend(NS, &items(*from, *count), OWNERS[*owner], Millis(*ttl), t)
                    .unwrap();
                forget(&mut model, &out.events);
                for (name, result) in items(*from, *count).into_iter().zip(&out.items) {
                    if let Extend::Extended { expires_at, .. } = result {
                        model.get_mut(&name).unwrap().2 = expires_at.0;
                    }
                }
                out.events
            }
            Op::Sweep { max } => {
                let out = engine.holds().sweep(NS, *max, t).unwrap();
                forget(&mut model, &out.events);
                out.events
            }
        };
        let swept: Vec<(u64, String)> = events
            .iter()
            .take(expected_sweep.len())
            .map(|event| (event.expires_at.0, event.item.to_string()))
            .collect();
        assert_eq!(swept, expected_sweep, "sweep order at {now}");

        let mut listed = Vec::new();
        let mut cursor: Option<Cursor> = None;
        loop {
            let listing = engine.holds().list(NS, cursor.as_ref(), *page, t).unwrap();
            assert!(listing.holds.len() as u64 <= *page);
            listed.extend(listing.holds.iter().map(|h| (h.expires_at.0, h.item.to_string(), h.fence)));
            assert!(listed.len() <= ITEMS, "the listing repeats holds (a cursor that does not advance)");
            match listing.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(listed, ordered(&model, Some(now)), "listing at {now}");
        assert_eq!(engine.holds().live(NS, t), listed.len() as u64);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn listing_and_sweeping_follow_expiry_then_item_bytes(
        // Half the steps happen in the same millisecond, so one expiry gathers several
        // reservations: more items than one chunk of the index holds.
        steps in proptest::collection::vec((prop_oneof![Just(0u64), 1..150u64], 1..50u64, op()), 1..40)
    ) {
        run(&steps);
    }
}
