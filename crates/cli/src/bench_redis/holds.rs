//! Holds under size: reserve/check/release latency in a namespace of 1k live holds and of 1M,
//! and Redis memory per hold beside tradeit's two lists holding the same assets.

use std::time::Instant;

use leasehold_core::{Millis, Reserve};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{Clock, HoldEvents};

/// Long enough for every filled hold to stay live through the bench.
const FILL_TTL: Millis = Millis(3_600_000);
/// Items per fill call: the core's most per call.
const CHUNK: u64 = 1_000;
const PREFIX: &str = "bench-holds";

/// Asset ids shaped like Steam's (11 digits), the same in both layouts.
fn asset(i: u64) -> String {
    (30_000_000_000 + i).to_string()
}

/// `used_memory` of `INFO memory`, in bytes.
pub fn used_memory(server: &RedisServer) -> Result<u64, String> {
    let info: String =
        redis::cmd("INFO").arg("memory").query(&mut server.raw()).map_err(|e| e.to_string())?;
    info.lines()
        .find_map(|line| line.strip_prefix("used_memory:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| "INFO memory has no used_memory".to_owned())
}

/// Reserves `count` live holds in `namespace` (no event stream, so the memory measured is the
/// holds'); returns the growth of `used_memory` per hold.
pub fn fill(server: &RedisServer, namespace: &str, count: u64) -> Result<f64, String> {
    let client = server.client(PREFIX).with_hold_events(HoldEvents::default().stream_maxlen(0));
    let mut redis = client.connect().map_err(|e| e.to_string())?;
    let before = used_memory(server)?;
    let mut start = 0;
    while start < count {
        let items: Vec<String> = (start..(start + CHUNK).min(count)).map(asset).collect();
        match redis.hold_reserve(namespace, &items, "filler", FILL_TTL, None, Clock::Server) {
            Ok(Reserve::Reserved { .. }) => {}
            other => return Err(format!("filling {namespace}: {other:?}")),
        }
        start += items.len() as u64;
    }
    Ok((used_memory(server)?.saturating_sub(before)) as f64 / count as f64)
}

/// The same assets in tradeit's layout: `count` ids on `reserved-assets_bench` and `count`
/// blobs on `reserved-assets_ttl_bench`, pushed 1000 per `LPUSH`; returns the growth of
/// `used_memory` per reserved asset (one entry on each list).
pub fn legacy_fill(server: &RedisServer, count: u64) -> Result<f64, String> {
    let mut raw = server.raw();
    let before = used_memory(server)?;
    let expired = 1_900_000_000_000u64;
    let mut start = 0;
    while start < count {
        let range = start..(start + CHUNK).min(count);
        let ids: Vec<String> = range.clone().map(asset).collect();
        let blobs: Vec<String> = range.map(|i| leasehold_sim::legacy::blob(&asset(i), expired)).collect();
        redis::pipe()
            .cmd("LPUSH")
            .arg("reserved-assets_bench")
            .arg(&ids)
            .cmd("LPUSH")
            .arg("reserved-assets_ttl_bench")
            .arg(&blobs)
            .query::<()>(&mut raw)
            .map_err(|e| e.to_string())?;
        start += ids.len() as u64;
    }
    Ok((used_memory(server)?.saturating_sub(before)) as f64 / count as f64)
}

/// Latency summary of one operation, in microseconds.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
}

fn summarize(mut micros: Vec<f64>) -> Latency {
    micros.sort_by(f64::total_cmp);
    let at = |q: f64| micros[((micros.len() - 1) as f64 * q).round() as usize];
    Latency { mean: micros.iter().sum::<f64>() / micros.len() as f64, p50: at(0.5), p99: at(0.99) }
}

/// Reserve, check and release latency of one fresh item at a time in `namespace`, `n` times,
/// one connection, default events (the stream on), server clock.
pub fn latency(server: &RedisServer, namespace: &str, n: u64) -> Result<[Latency; 3], String> {
    let mut redis = server.connect(PREFIX);
    let mut times = [Vec::new(), Vec::new(), Vec::new()];
    let err = |e: leasehold_redis::AdapterError| e.to_string();
    for i in 0..n.max(1) {
        let item = [format!("probe-{i}")];
        let began = Instant::now();
        let reserved = redis
            .hold_reserve(namespace, &item, "prober", Millis(60_000), None, Clock::Server)
            .map_err(err)?;
        times[0].push(began.elapsed().as_secs_f64() * 1e6);
        if !matches!(reserved, Reserve::Reserved { .. }) {
            return Err(format!("probe reserve in {namespace}: {reserved:?}"));
        }
        let began = Instant::now();
        redis.hold_check(namespace, &item, Clock::Server).map_err(err)?;
        times[1].push(began.elapsed().as_secs_f64() * 1e6);
        let began = Instant::now();
        redis.hold_release(namespace, &item, "prober", Clock::Server).map_err(err)?;
        times[2].push(began.elapsed().as_secs_f64() * 1e6);
    }
    let [reserve, check, release] = times;
    Ok([summarize(reserve), summarize(check), summarize(release)])
}
