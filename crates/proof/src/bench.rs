//! The Rust half of `cargo xtask bench`: the in-memory core and governor natively, and the
//! Redis adapter (sequential, 50 in flight, batched) against a redis-server the caller
//! started. Each row is operations per second with p50 and p99 latency in microseconds.
//!
//! Latency of an in-memory operation is too short to time one by one, so it is timed per
//! block of [`BLOCK`] operations and each block's mean counts as one sample.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use governor::{Quota, RateLimiter};
use leasehold_core::Limit;
use leasehold_core::{Engine, LockRequest, Millis, Request};
use leasehold_redis::{Client, Clock, Layout};
use serde::Serialize;

/// In-memory operations per timed block.
pub const BLOCK: u64 = 1_000;

/// One measured row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// What ran.
    pub name: String,
    /// `leasehold`, `anchor` or `limit`.
    pub role: &'static str,
    /// Clients or requests in flight.
    pub concurrency: u64,
    /// Operations per second.
    pub ops_per_sec: f64,
    /// Median latency, µs.
    pub p50_us: f64,
    /// 99th percentile latency, µs.
    pub p99_us: f64,
}

fn percentile(samples: &mut [f64], q: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_unstable_by(f64::total_cmp);
    samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)]
}

fn row(
    name: &str,
    role: &'static str,
    concurrency: u64,
    ops: u64,
    elapsed: Duration,
    mut samples: Vec<f64>,
) -> Row {
    Row {
        name: name.to_owned(),
        role,
        concurrency,
        ops_per_sec: ops as f64 / elapsed.as_secs_f64(),
        p50_us: percentile(&mut samples, 0.50),
        p99_us: percentile(&mut samples, 0.99),
    }
}

/// Times `blocks` blocks of [`BLOCK`] calls of `op(i)`.
fn blocks(blocks: u64, mut op: impl FnMut(u64)) -> (Duration, Vec<f64>) {
    let mut samples = Vec::with_capacity(blocks as usize);
    let started = Instant::now();
    for b in 0..blocks {
        let block = Instant::now();
        for i in 0..BLOCK {
            op(b * BLOCK + i);
        }
        samples.push(block.elapsed().as_secs_f64() * 1e6 / BLOCK as f64);
    }
    (started.elapsed(), samples)
}

/// The core natively and governor, over 100k keys.
pub fn in_memory(block_count: u64) -> Vec<Row> {
    let keys: Vec<String> = (0..100_000).map(|i| format!("user:{i}")).collect();
    let key = |i: u64| keys[(i % 100_000) as usize].as_str();
    let mut rows = Vec::new();

    let mut engine = Engine::new();
    let limit = Limit::fixed_window(1_000_000_000, Millis(60_000));
    let (elapsed, samples) = blocks(block_count, |i| {
        let _ = engine.limits().check(key(i), &limit, 1, Millis(1_000_000 + i / 1_000));
    });
    rows.push(row(
        "core limit check (fixed window, native)",
        "leasehold",
        1,
        block_count * BLOCK,
        elapsed,
        samples,
    ));

    let mut engine = Engine::new();
    let (elapsed, samples) = blocks(block_count, |i| {
        let request =
            Request::Lock(LockRequest::Acquire { key: key(i).into(), owner: "a".into(), ttl: Millis(1_000) });
        let _ = engine.apply(&request, Millis(1_000_000 + i / 1_000));
    });
    rows.push(row(
        "core lock acquire (native, via apply)",
        "leasehold",
        1,
        block_count * BLOCK,
        elapsed,
        samples,
    ));

    let quota = Quota::per_minute(NonZeroU32::new(1_000_000_000).expect("non-zero"));
    let governor = RateLimiter::keyed(quota);
    let (elapsed, samples) = blocks(block_count, |i| {
        let _ = governor.check_key(&key(i).to_owned());
    });
    rows.push(row("governor keyed check", "anchor", 1, block_count * BLOCK, elapsed, samples));
    rows
}

fn acquire(i: u64) -> Request {
    Request::Lock(LockRequest::Acquire {
        key: format!("k{}", i % 100_000),
        owner: "bench".into(),
        ttl: Millis(1_000),
    })
}

/// The adapter against `url`: lock acquires on random keys (what `SET NX PX` does), one client
/// sequentially, 50 clients each with one request in flight (on the one async connection they
/// share, then on 50 connections), and 50 clients each sending
/// batches of 16 (`apply_many`, one round trip per batch, like `redis-benchmark -P 16`).
pub fn adapter(url: &str, sequential: u64, concurrent: u64) -> Result<Vec<Row>, String> {
    let client = Client::open(url)
        .map_err(|e| e.to_string())?
        .with_layout(Layout::new("bench").map_err(|e| e.to_string())?);
    let mut rows = Vec::new();

    let mut redis = client.connect().map_err(|e| e.to_string())?;
    let mut samples = Vec::with_capacity(sequential as usize);
    let started = Instant::now();
    for i in 0..sequential {
        let one = Instant::now();
        redis.apply(&acquire(i), Clock::Server).map_err(|e| e.to_string())?;
        samples.push(one.elapsed().as_secs_f64() * 1e6);
    }
    rows.push(row(
        "adapter lock acquire, sequential",
        "leasehold",
        1,
        sequential,
        started.elapsed(),
        samples,
    ));

    // One thread for every client task, as redis-benchmark runs its 50 clients on one thread:
    // on a 2-core machine a second worker would take the core redis-server needs.
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    // For single calls, the 50 tasks on clones of the one async connection (`connect_async`):
    // how a tokio service uses the adapter, its requests in flight pipelined on the one socket;
    // then each of the 50 tasks on a connection of its own (a pool of 50, as redis-benchmark's
    // 50 clients). Batches go on 50 connections, as redis-benchmark -P 16 sends them.
    for (batch, shared) in [(1u64, true), (1, false), (16, false)] {
        let client = Arc::new(client.clone());
        let per_client = concurrent / 50 / batch;
        let result: Result<(Duration, Vec<f64>), String> = runtime.block_on(async {
            let mut connections = Vec::new();
            if shared {
                let one = client.connect_async().await.map_err(|e| e.to_string())?;
                connections.resize(50, one);
            } else {
                for _ in 0..50 {
                    connections.push(client.connect_async().await.map_err(|e| e.to_string())?);
                }
            }
            let started = Instant::now();
            let mut tasks = Vec::new();
            for (c, mut redis) in connections.into_iter().enumerate() {
                tasks.push(tokio::spawn(async move {
                    let mut samples = Vec::new();
                    for n in 0..per_client {
                        let first = (c as u64 * per_client + n) * batch;
                        let requests: Vec<Request> = (first..first + batch).map(acquire).collect();
                        let one = Instant::now();
                        let ok = if batch == 1 {
                            redis.apply_async(&requests[0], Clock::Server).await.is_ok()
                        } else {
                            redis.apply_many_async(&requests, Clock::Server).await.is_ok()
                        };
                        if !ok {
                            return Err("an adapter request failed".to_owned());
                        }
                        samples.push(one.elapsed().as_secs_f64() * 1e6);
                    }
                    Ok(samples)
                }));
            }
            let mut samples = Vec::new();
            for task in tasks {
                samples.extend(task.await.map_err(|e| e.to_string())??);
            }
            Ok((started.elapsed(), samples))
        });
        let (elapsed, samples) = result?;
        let name = if shared {
            "adapter lock acquire, 50 in flight on the async connection".to_owned()
        } else if batch == 1 {
            "adapter lock acquire, 50 in flight on 50 connections".to_owned()
        } else {
            format!("adapter lock acquire, 50 clients x batches of {batch} (latency per batch)")
        };
        rows.push(row(&name, "leasehold", 50 * batch, per_client * 50 * batch, elapsed, samples));
    }
    Ok(rows)
}
