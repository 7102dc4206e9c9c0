//! `leasehold migrate legacy-holds` against a real redis-server: tradeit's two lists become holds
//! with the blobs' expiry, bad blobs are reported by position, a dry run writes nothing, and a
//! second import refreshes the same holds.

use std::process::{Command, Output};

use leasehold_core::{LeaseState, Millis};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::Clock;

const NS: &str = "reserved-assets_730";
const PREFIX: &str = "migrated";

fn leasehold(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leasehold")).args(args).output().expect("leasehold runs")
}

/// Runs the import of app 730 with `extra` arguments; returns stdout, asserting success.
fn migrate(server: &RedisServer, extra: &[&str]) -> String {
    let url = server.url();
    let mut args = vec!["migrate", "legacy-holds", "--redis", &url, "--app", "730", "--prefix", PREFIX];
    args.extend(extra);
    let out = leasehold(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn server_now(server: &RedisServer) -> u64 {
    let (secs, micros): (u64, u64) = redis::cmd("TIME").query(&mut server.raw()).unwrap();
    secs * 1000 + micros / 1000
}

fn blob(asset: &str, expired: u64) -> String {
    format!(r#"{{"assetId":"{asset}","expired":{expired}}}"#)
}

/// Fills both lists the way tradeit does (LPUSH, so position 0 is the last pushed), `ids` on the
/// id list and `blobs` on the ttl list, each in push order.
fn legacy(server: &RedisServer, ids: &[&str], blobs: &[String]) {
    let mut raw = server.raw();
    for id in ids {
        redis::cmd("LPUSH").arg("reserved-assets_730").arg(id).query::<()>(&mut raw).unwrap();
    }
    for blob in blobs {
        redis::cmd("LPUSH").arg("reserved-assets_ttl_730").arg(blob).query::<()>(&mut raw).unwrap();
    }
}

fn state(server: &RedisServer, items: &[&str]) -> Vec<LeaseState> {
    server.connect(PREFIX).hold_check(NS, items, Clock::Server).unwrap().items
}

fn expires_at(state: &LeaseState) -> u64 {
    match state {
        LeaseState::Held { expires_at, .. } => expires_at.0,
        LeaseState::Free => panic!("not held"),
    }
}

#[test]
fn live_blobs_become_holds_with_their_expiry_and_bad_ones_are_reported_by_position() {
    let server = RedisServer::start();
    let now = server_now(&server);
    let (a1, a2, a8) = (now + 60_000, now + 120_000, now + 90_000);
    let blobs = vec![
        blob("a1", now + 30_000),         // position 9: superseded by a1's later blob
        blob("a1", a1),                   // 8
        blob("a2", a2),                   // 7
        blob("a3", now - 1_000),          // 6: already expired
        "{oops".to_owned(),               // 5
        r#"{"assetId":"a5"}"#.to_owned(), // 4
        r#"{"assetId":"a6","expired":-5}"#.to_owned(), // 3
        r#"{"assetId":"a7","expired":1.5}"#.to_owned(), // 2
        blob(&"x".repeat(300), now + 60_000), // 1
        blob("a8", a8),                   // 0: its id is not on the id list
    ];
    legacy(&server, &["a1", "a2", "a3", "a9"], &blobs);

    let out = migrate(&server, &[]);

    assert!(
        out.contains(
            "read 10, imported 3 (0 refreshed), already expired 1, bad 5, duplicates 1, conflicts 0"
        ),
        "{out}"
    );
    for (position, reason) in [
        (5, "not JSON"),
        (4, "no expired"),
        (3, "expired -5 is negative"),
        (2, "expired 1.5 is not a whole number"),
        (1, "assetId is 300 bytes"),
    ] {
        assert!(out.contains(&format!("position {position}: {reason}")), "{position}: {out}");
    }
    assert!(out.contains("ids without a blob") && out.contains("position 0: a9"), "{out}");
    assert!(out.contains("blobs whose id is not in the id list") && out.contains("  a8"), "{out}");
    let held = state(&server, &["a1", "a2", "a8", "a3", "a9"]);
    for (state, expired) in held.iter().zip([a1, a2, a8]) {
        let at = expires_at(state);
        assert!((expired..expired + 5_000).contains(&at), "{at} vs the blob's {expired}");
    }
    assert_eq!(held[3..], [LeaseState::Free, LeaseState::Free]);
    let mut raw = server.raw();
    let len = |key: &str, raw: &mut redis::Connection| redis::cmd("LLEN").arg(key).query::<u64>(raw).unwrap();
    assert_eq!(len("reserved-assets_730", &mut raw), 4, "the id list is untouched");
    assert_eq!(len("reserved-assets_ttl_730", &mut raw), 10, "the ttl list is untouched");
}

#[test]
fn a_dry_run_prints_the_plan_and_writes_nothing() {
    let server = RedisServer::start();
    let now = server_now(&server);
    legacy(&server, &["a1", "a2"], &[blob("a1", now + 60_000), blob("a2", now - 5)]);
    let keys = || redis::cmd("DBSIZE").query::<u64>(&mut server.raw()).unwrap();
    let before = keys();

    let out = migrate(&server, &["--dry-run"]);

    assert!(out.contains("would reserve until") && out.contains(": a1"), "{out}");
    assert!(out.contains("imported 1 (dry run: would import), already expired 1"), "{out}");
    assert!(out.contains("dry run: nothing was written"), "{out}");
    assert_eq!(keys(), before);
    assert_eq!(state(&server, &["a1"]), [LeaseState::Free]);
}

#[test]
fn a_second_import_by_the_same_owner_refreshes_the_same_holds() {
    let server = RedisServer::start();
    let now = server_now(&server);
    legacy(&server, &["a1", "a2"], &[blob("a1", now + 60_000), blob("a2", now + 60_000)]);

    migrate(&server, &[]);
    let first = state(&server, &["a1", "a2"]);
    let out = migrate(&server, &[]);

    assert!(out.contains("imported 2 (2 refreshed)"), "{out}");
    let second = state(&server, &["a1", "a2"]);
    let fence = |s: &LeaseState| match s {
        LeaseState::Held { fence, .. } => *fence,
        LeaseState::Free => panic!("not held"),
    };
    assert_eq!(first.iter().map(fence).collect::<Vec<_>>(), second.iter().map(fence).collect::<Vec<_>>());
}

#[test]
fn an_asset_held_by_another_owner_is_a_conflict_and_the_rest_of_its_group_is_imported() {
    let server = RedisServer::start();
    let now = server_now(&server);
    let expired = now + 60_000;
    legacy(&server, &["a1", "a2"], &[blob("a1", expired), blob("a2", expired)]);
    let mut redis = server.connect(PREFIX);
    redis.hold_reserve(NS, &["a2"], "user-7", Millis(600_000), None, Clock::Server).unwrap();

    let out = migrate(&server, &["--owner", "importer"]);

    assert!(out.contains("imported 1 (0 refreshed)") && out.contains("conflicts 1"), "{out}");
    assert!(out.contains("  a2: held for "), "{out}");
    let held = state(&server, &["a1", "a2"]);
    assert!((expired..expired + 5_000).contains(&expires_at(&held[0])));
    assert!(expires_at(&held[1]) >= now + 600_000, "user-7 keeps a2");
}

#[test]
fn migrate_without_an_app_is_refused_with_the_usage() {
    let out = leasehold(&["migrate", "legacy-holds", "--redis", "redis://127.0.0.1:1/"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--app is required"));
}
