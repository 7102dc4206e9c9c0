//! Lock acquires through the adapter, shaped like the redis-benchmark runs they are compared
//! with: one connection one at a time (`-c 1`), 50 connections with one request in flight each
//! (`-c 50`), 50 connections sending batches of 16 (`-c 50 -P 16`), and one multiplexed
//! connection with 50 requests in flight (no redis-benchmark twin; for information).
//!
//! Every acquire is on a fresh key, so each is granted and writes, like `SET NX` on a random
//! key; the server clock gives the keys a TTL, so they go away by themselves.

use std::time::Instant;

use leasehold_core::{Acquire, LockRequest, Millis, Request};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{AdapterError, AsyncConnection, Clock};

const TTL: Millis = Millis(1_000);

fn request(task: usize, i: u64) -> Request {
    Request::Lock(LockRequest::Acquire { key: format!("bench:{task}:{i}"), owner: "bench".into(), ttl: TTL })
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("tokio: {e}"))
}

fn granted(acquire: &Acquire) -> Result<(), String> {
    match acquire {
        Acquire::Granted { .. } => Ok(()),
        Acquire::Denied { .. } => Err("a fresh key was denied".to_owned()),
    }
}

/// Acquires per second, one connection, one round trip each.
pub fn sequential(server: &RedisServer, n: u64) -> Result<f64, String> {
    let mut redis = server.connect("bench-seq");
    let began = Instant::now();
    for i in 0..n {
        let key = format!("bench:0:{i}");
        granted(&redis.lock_acquire(&key, "bench", TTL, Clock::Server).map_err(|e| e.to_string())?)?;
    }
    Ok(n as f64 / began.elapsed().as_secs_f64())
}

/// Acquires per second by `clients` tasks on one current-thread runtime (redis-benchmark is
/// one thread too), each sending batches of `batch` (1: one request at a time) on its own
/// connection, or all on one shared multiplexed connection when `shared`.
pub fn concurrent(
    server: &RedisServer,
    n: u64,
    clients: usize,
    batch: usize,
    shared: bool,
) -> Result<f64, String> {
    let runtime = runtime()?;
    let prefix = format!("bench-c{clients}-b{batch}-{}", if shared { "shared" } else { "own" });
    runtime.block_on(async {
        let client = server.client(&prefix);
        let mut connections = Vec::with_capacity(clients);
        let first = client.connect_async().await.map_err(|e| e.to_string())?;
        for _ in 0..clients {
            connections.push(if shared {
                first.clone()
            } else {
                client.connect_async().await.map_err(|e| e.to_string())?
            });
        }
        let per_client = n / clients as u64;
        let began = Instant::now();
        let tasks: Vec<_> = connections
            .into_iter()
            .enumerate()
            .map(|(task, redis)| tokio::spawn(run_client(redis, task, per_client, batch)))
            .collect();
        for task in tasks {
            task.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
        }
        Ok((per_client * clients as u64) as f64 / began.elapsed().as_secs_f64())
    })
}

async fn run_client(
    mut redis: AsyncConnection,
    task: usize,
    n: u64,
    batch: usize,
) -> Result<(), AdapterError> {
    let mut i = 0;
    while i < n {
        if batch == 1 {
            redis.apply_async(&request(task, i), Clock::Server).await?;
            i += 1;
            continue;
        }
        let requests: Vec<Request> = (i..(i + batch as u64).min(n)).map(|j| request(task, j)).collect();
        for outcome in redis.apply_many_async(&requests, Clock::Server).await? {
            outcome?;
        }
        i += requests.len() as u64;
    }
    Ok(())
}
