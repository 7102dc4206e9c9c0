//! Hold writes append their events to the namespace's stream, in the same script, exactly as
//! the outcome reports them; reserves can signal a channel (tradeit's `itemReserved`).

use std::time::Duration;

use leasehold_core::{HoldEvent, HoldOutcome, HoldRequest, Millis, Outcome, Request, Reserve};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{Clock, Connection, HoldEvents, Layout};
use redis::streams::StreamRangeReply;

const NS: &str = "reserved-assets_730";

fn reserve(items: &[&str], owner: &str, ttl: u64) -> Request {
    Request::Hold(HoldRequest::Reserve {
        namespace: NS.into(),
        items: items.iter().map(|i| (*i).to_owned()).collect(),
        owner: owner.into(),
        ttl: Millis(ttl),
        max_holds: None,
    })
}

fn release(items: &[&str], owner: &str) -> Request {
    Request::Hold(HoldRequest::Release {
        namespace: NS.into(),
        items: items.iter().map(|i| (*i).to_owned()).collect(),
        owner: owner.into(),
    })
}

fn sweep() -> Request {
    Request::Hold(HoldRequest::Sweep { namespace: NS.into(), max: 100 })
}

fn events_of(outcome: &Outcome) -> Vec<HoldEvent> {
    match outcome {
        Outcome::Hold(HoldOutcome::Reserve(
            Reserve::Reserved { events, .. }
            | Reserve::Conflict { events, .. }
            | Reserve::CapReached { events, .. },
        )) => events.clone(),
        Outcome::Hold(HoldOutcome::Release(per_item)) => per_item.events.clone(),
        Outcome::Hold(HoldOutcome::Extend(per_item)) => per_item.events.clone(),
        Outcome::Hold(HoldOutcome::Sweep(swept)) => swept.events.clone(),
        other => panic!("no events in {other:?}"),
    }
}

/// The stream's entries as events, oldest first.
fn stream(server: &RedisServer, prefix: &str) -> Vec<HoldEvent> {
    let key = Layout::new(prefix).unwrap().hold_events(NS);
    let reply: StreamRangeReply =
        redis::cmd("XRANGE").arg(key).arg("-").arg("+").query(&mut server.raw()).unwrap();
    let value = serde_json::json!(reply
        .ids
        .iter()
        .map(|entry| {
            let field = |name: &str| -> String { entry.get(name).expect(name) };
            serde_json::json!({
                "kind": field("kind"),
                "item": field("item"),
                "fence": field("fence").parse::<u64>().unwrap(),
                "expires_at": field("expires_at").parse::<u64>().unwrap(),
            })
        })
        .collect::<Vec<_>>());
    serde_json::from_value(value).expect("stream entries are hold events")
}

fn run(redis: &mut Connection, request: &Request, now: u64) -> Vec<HoldEvent> {
    events_of(&redis.apply(request, Clock::Explicit(Millis(now))).unwrap())
}

#[test]
fn the_stream_holds_exactly_the_events_of_reserve_release_and_sweep_in_order() {
    let server = RedisServer::start();
    let mut redis = server.connect("stream");
    let mut expected = Vec::new();
    expected.extend(run(&mut redis, &reserve(&["a1", "a2"], "alice", 1_000), 10_000));
    expected.extend(run(&mut redis, &reserve(&["a3"], "bob", 500), 10_100));
    expected.extend(run(&mut redis, &release(&["a1"], "alice"), 10_200));
    let swept = run(&mut redis, &sweep(), 20_000);
    assert_eq!(swept.len(), 2, "a2 and a3 expired: {swept:?}");
    expected.extend(swept);
    assert_eq!(expected.len(), 6);
    assert_eq!(stream(&server, "stream"), expected);
}

#[test]
fn a_conflict_appends_only_the_lazy_sweeps_expired_events() {
    let server = RedisServer::start();
    let mut redis = server.connect("conflict");
    run(&mut redis, &reserve(&["old"], "alice", 100), 1_000);
    run(&mut redis, &reserve(&["a1"], "alice", 10_000), 1_000);
    let conflict = run(&mut redis, &reserve(&["a1"], "bob", 10_000), 2_000);
    assert_eq!(conflict.len(), 1, "old expired and was reclaimed: {conflict:?}");
    assert_eq!(stream(&server, "conflict").last(), conflict.last());
    assert_eq!(stream(&server, "conflict").len(), 3);
}

#[test]
fn a_zero_stream_length_writes_no_stream() {
    let server = RedisServer::start();
    let mut redis = server.connect("off").with_hold_events(HoldEvents::default().stream_maxlen(0));
    run(&mut redis, &reserve(&["a1"], "alice", 1_000), 1_000);
    let key = Layout::new("off").unwrap().hold_events(NS);
    let exists: bool = redis::cmd("EXISTS").arg(key).query(&mut server.raw()).unwrap();
    assert!(!exists);
}

#[test]
fn the_stream_is_trimmed_to_about_its_maximum_length() {
    let server = RedisServer::start();
    let mut redis = server.connect("trim").with_hold_events(HoldEvents::default().stream_maxlen(10));
    for n in 0..500 {
        run(&mut redis, &reserve(&[&format!("i{n}")], "alice", 1_000_000), 1_000 + n);
    }
    let length = stream(&server, "trim").len();
    assert!((10..500).contains(&length), "MAXLEN ~ 10 trims whole nodes: {length} entries");
}

#[test]
fn a_subscriber_of_item_reserved_gets_one_empty_message_per_reserve_that_reserved() {
    let server = RedisServer::start();
    let events = HoldEvents::default().publish_reserves_on("itemReserved").unwrap();
    let mut redis = server.connect("pubsub").with_hold_events(events);
    let mut subscriber = server.raw();
    let mut pubsub = subscriber.as_pubsub();
    pubsub.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    pubsub.subscribe("itemReserved").unwrap();
    run(&mut redis, &reserve(&["a1"], "alice", 10_000), 1_000);
    run(&mut redis, &reserve(&["a1"], "bob", 10_000), 1_100); // a conflict: no message
    run(&mut redis, &reserve(&["a2", "a3"], "bob", 10_000), 1_200);
    run(&mut redis, &release(&["a1"], "alice"), 1_300); // a release: no message
    run(&mut redis, &reserve(&["a1"], "carol", 10_000), 1_400);
    let _: () = redis::cmd("PUBLISH").arg("itemReserved").arg("end").query(&mut server.raw()).unwrap();
    let mut payloads = Vec::new();
    loop {
        let payload: String = pubsub.get_message().expect("a message within 5 s").get_payload().unwrap();
        if payload == "end" {
            break;
        }
        payloads.push(payload);
    }
    assert_eq!(payloads, ["", "", ""]);
}
