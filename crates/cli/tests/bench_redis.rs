//! `leasehold bench --redis --quick` smoke test: it starts its own server, runs every part and
//! writes every row. No figure is checked: timing belongs to the bench, not to the tests.

use std::process::Command;

#[test]
fn a_quick_redis_bench_prints_and_writes_every_row() {
    let dir = std::env::temp_dir().join(format!("leasehold-bench-redis-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_leasehold"))
        .args(["bench", "--redis", "--quick", "--out", dir.to_str().unwrap()])
        .output()
        .expect("leasehold runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let markdown = std::fs::read_to_string(dir.join("bench.md")).expect("bench.md");
    for row in [
        "redis-benchmark EVALSHA -c 1 |",
        "redis-benchmark EVALSHA -c 50 |",
        "redis-benchmark EVALSHA -c 50 -P 16 |",
        "redis-benchmark SET NX PX -c 1 |",
        "redis-benchmark EVALSHA lock_acquire.lua -c 50 -P 16 |",
        "leasehold lock acquire, sequential, 1 connection |",
        "leasehold lock acquire, 50 in flight on the async connection |",
        "leasehold lock acquire, 50 in flight on 50 connections |",
        "leasehold lock acquire, apply_many of 16, 50 connections |",
        "| reserve |",
        "| check |",
        "| release |",
        "| leasehold hold (hash + expiry zset, stream off) |",
        "| legacy id + JSON blob (two lists) |",
    ] {
        assert!(markdown.contains(row), "no row {row:?} in\n{markdown}");
        assert!(stdout.contains(row), "{row:?} not printed");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("bench.json")).expect("bench.json")).expect("JSON");
    assert_eq!(json["throughput"].as_array().map(Vec::len), Some(12));
    assert_eq!(json["hold_latency_us"].as_array().map(Vec::len), Some(3));
    assert!(json["memory_bytes_per_asset"]["hold"].as_f64().is_some_and(|bytes| bytes > 0.0));
}
