//! Replays the conformance vectors of `tests/vectors` against a real Redis: every outcome must
//! serialize exactly as the core's does (`{"ok": outcome}` or `{"err": error}`).
//!
//! The runner names the files it covers; a vector file it does not cover fails it, so a new
//! file cannot be skipped silently.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use leasehold_core::vector::VectorFile;
use leasehold_redis::testing::{RedisCluster, RedisServer};
use leasehold_redis::{AdapterError, Clock, Leasehold};
use serde_json::{json, Value};

/// Every vector file this runner replays against Redis.
const COVERED: &[&str] = &[
    "hold.json",
    "limit_block.json",
    "limit_cooldown.json",
    "limit_errors.json",
    "limit_fixed_window.json",
    "limit_gcra.json",
    "limit_sliding_counter.json",
    "limit_sliding_log.json",
    "limit_token_bucket.json",
    "lock.json",
    "semaphore.json",
];

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

fn vector_files() -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(vector_dir())
        .expect("tests/vectors is readable")
        .map(|entry| entry.expect("directory entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    files.sort();
    files
}

static CASES: AtomicUsize = AtomicUsize::new(0);

/// Replays one file, each case under a prefix of its own (a fresh state); returns the failures.
fn replay<C: redis::ConnectionLike>(
    name: &str,
    connect: &mut dyn FnMut(&str) -> Leasehold<C>,
) -> (usize, Vec<String>) {
    let text = fs::read_to_string(vector_dir().join(name)).expect("readable vector file");
    let file: VectorFile<Value> = serde_json::from_str(&text).expect("well-formed vector file");
    let mut failures = Vec::new();
    let mut steps = 0;
    for case in &file.cases {
        let prefix = format!("case{}", CASES.fetch_add(1, Ordering::SeqCst));
        let mut redis = connect(&prefix);
        for (index, step) in case.steps.iter().enumerate() {
            steps += 1;
            let got = match redis.apply(&step.op, Clock::Explicit(step.now)) {
                Ok(outcome) => json!({ "ok": outcome }),
                Err(AdapterError::Invalid(error)) => json!({ "err": error }),
                Err(other) => json!({ "adapter_error": other.to_string() }),
            };
            if got != step.expect {
                failures.push(format!(
                    "{name} / {} / step {index} ({} at {}):\n    expected {}\n    got      {}",
                    case.name,
                    step.op.name(),
                    step.now.0,
                    step.expect,
                    got
                ));
            }
        }
    }
    (steps, failures)
}

fn replay_all<C: redis::ConnectionLike>(connect: &mut dyn FnMut(&str) -> Leasehold<C>) {
    let mut failures = Vec::new();
    let mut steps = 0;
    for name in COVERED {
        let (n, mut failed) = replay(name, connect);
        steps += n;
        failures.append(&mut failed);
    }
    assert!(failures.is_empty(), "{} steps differ from the core:\n{}", failures.len(), failures.join("\n"));
    println!("{} files, {steps} steps replayed on Redis with the core's outcomes", COVERED.len());
}

#[test]
fn every_vector_file_is_covered_by_the_redis_runner() {
    let missing: Vec<String> =
        vector_files().into_iter().filter(|name| !COVERED.contains(&name.as_str())).collect();
    assert!(missing.is_empty(), "vector files the Redis runner does not replay: {missing:?}");
    for name in COVERED {
        assert!(vector_dir().join(name).is_file(), "{name} is listed but does not exist");
    }
}

#[test]
fn every_vector_replays_on_redis_with_the_cores_outcomes() {
    let server = RedisServer::start();
    replay_all(&mut |prefix| server.connect(prefix));
}

#[test]
fn the_scripts_alone_refuse_invalid_requests_with_the_cores_errors() {
    let server = RedisServer::start();
    replay_all(&mut |prefix| server.connect(prefix).checking_in_lua_only());
}

#[test]
fn every_vector_replays_on_a_three_master_cluster_with_the_cores_outcomes() {
    let cluster = RedisCluster::start();
    replay_all(&mut |prefix| cluster.connect(prefix));
    for node in cluster.nodes() {
        let keys: u64 = redis::cmd("DBSIZE").query(&mut node.raw()).unwrap();
        assert!(keys > 0, "the vectors' keys reach every master, not node {}", node.port());
    }
}
