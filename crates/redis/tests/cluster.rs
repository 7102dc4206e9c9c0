//! The adapter on a three-master Redis Cluster through redis-rs's sync and async cluster
//! connections: `EVALSHA` goes to the master of the key's slot, and `NOSCRIPT` there reloads
//! the script (redis-rs sends `SCRIPT LOAD` to every master) and succeeds on the retry. The
//! conformance vectors run on the cluster in `vectors.rs`.

use leasehold_core::{Acquire, LockOutcome, LockRequest, Millis, Outcome, Request};
use leasehold_redis::testing::RedisCluster;
use leasehold_redis::{AdapterError, Clock};

/// Enough keys that every master owns some of them.
const KEYS: u32 = 48;

fn acquire(n: u32) -> Request {
    Request::Lock(LockRequest::Acquire { key: format!("job:{n}"), owner: "a".into(), ttl: Millis(60_000) })
}

fn granted(outcome: Result<Outcome, AdapterError>) {
    match outcome {
        Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { .. }))) => {}
        other => panic!("expected a grant, got {other:?}"),
    }
}

fn flush_scripts_everywhere(cluster: &RedisCluster) {
    for node in cluster.nodes() {
        let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut node.raw()).unwrap();
    }
}

/// Every master holds keys of ours and has the lock script loaded again.
fn assert_served_by_every_master(cluster: &RedisCluster) {
    let sha = redis::Script::new(leasehold_scripts::LOCK_ACQUIRE.source).get_hash().to_owned();
    for node in cluster.nodes() {
        let keys: u64 = redis::cmd("DBSIZE").query(&mut node.raw()).unwrap();
        assert!(keys > 0, "node {} owns none of the {KEYS} keys", node.port());
        let loaded: Vec<bool> = redis::cmd("SCRIPT").arg("EXISTS").arg(&sha).query(&mut node.raw()).unwrap();
        assert_eq!(loaded, [true], "node {} has the script again", node.port());
    }
}

#[test]
fn a_script_flushed_on_every_master_is_reloaded_and_each_key_is_served_by_its_slots_master() {
    let cluster = RedisCluster::start();
    let mut redis = cluster.connect("sync");
    granted(redis.apply(&acquire(0), Clock::Server));
    flush_scripts_everywhere(&cluster);
    for n in 1..=KEYS {
        granted(redis.apply(&acquire(n), Clock::Server));
    }
    assert_served_by_every_master(&cluster);
}

#[test]
fn the_async_cluster_connection_reloads_flushed_scripts_and_routes_by_slot_too() {
    let cluster = RedisCluster::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut redis = cluster.connect_async("async").await;
        granted(redis.apply_async(&acquire(0), Clock::Server).await);
        flush_scripts_everywhere(&cluster);
        for n in 1..=KEYS {
            granted(redis.apply_async(&acquire(n), Clock::Server).await);
        }
    });
    assert_served_by_every_master(&cluster);
}
