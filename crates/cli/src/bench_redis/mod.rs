//! `leasehold bench --redis [--quick] [--batched] [--out DIR]`: the adapter against `redis-benchmark` on a
//! redis-server this command starts itself (free loopback port, no persistence, stopped by PID
//! at the end), so nothing of anyone else's is touched or measured.
//!
//! Throughput rows put a leasehold lock acquire beside redis-benchmark's `EVALSHA` of a trivial
//! `SET NX PX` script run the same way (1 client; 50 clients; 50 clients pipelining 16), with
//! the target ratio from the issue; a last column divides by redis-benchmark running leasehold's
//! own `lock_acquire.lua` the same way, which separates the script's cost from the client's. Holds rows give reserve/check/release latency with 1k and
//! with 1M live holds in the namespace, and Redis memory per hold beside the legacy lists'.
//! `--batched` runs only the batch row and its redis-benchmark twins, to compare `apply_many`
//! run after run (interleaved A/B runs on a shared machine).
//! Figures depend on the machine and on what else runs: nothing here asserts a time.

mod baseline;
mod holds;
mod throughput;

use std::fmt::Write as _;
use std::path::Path;

use leasehold_redis::testing::RedisServer;
use serde_json::{json, Value};

use holds::Latency;

/// How much work each part does.
struct Sizes {
    sequential: u64,
    concurrent: u64,
    batched: u64,
    small: u64,
    large: u64,
    probes: u64,
}

const FULL: Sizes = Sizes {
    sequential: 20_000,
    concurrent: 100_000,
    batched: 200_000,
    small: 1_000,
    large: 1_000_000,
    probes: 2_000,
};
const QUICK: Sizes =
    Sizes { sequential: 300, concurrent: 1_000, batched: 3_200, small: 100, large: 2_000, probes: 50 };

/// A throughput row: leasehold beside its redis-benchmark twin.
struct Row {
    name: String,
    ops: f64,
    baseline: Option<(String, f64)>,
    /// redis-benchmark running leasehold's own script the same way: what the client adds.
    script: Option<f64>,
    target: Option<f64>,
}

/// `bench --redis` with its options after `--redis`.
pub fn command(args: &[String]) -> Result<(), String> {
    let (mut quick, mut out, mut batched) = (false, None, false);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--batched" => batched = true,
            "--out" => out = Some(rest.next().ok_or("--out needs a value")?.clone()),
            other => return Err(format!("bench --redis: unexpected argument `{other}`")),
        }
    }
    let sizes = if quick { QUICK } else { FULL };
    let server = RedisServer::start();
    println!(
        "redis-server on 127.0.0.1:{} (started for this bench){}",
        server.port(),
        if quick { ", quick" } else { "" }
    );
    if batched {
        return batched_rows(&server, &sizes);
    }
    let rows = throughput_rows(&server, &sizes)?;
    // The throughput runs leave keys that expire within a second: dropped now, their expiry
    // cannot shrink `used_memory` in the middle of a fill and spoil memory per hold.
    redis::cmd("FLUSHALL").query::<()>(&mut server.raw()).map_err(|e| format!("FLUSHALL: {e}"))?;
    let small = format!("{} holds", count(sizes.small));
    let large = format!("{} holds", count(sizes.large));
    holds::fill(&server, &small, sizes.small)?;
    let near_empty = holds::latency(&server, &small, sizes.probes)?;
    let per_hold = holds::fill(&server, &large, sizes.large)?;
    let full = holds::latency(&server, &large, sizes.probes)?;
    let per_legacy = holds::legacy_fill(&server, sizes.large)?;
    let report = Report { rows, small, large, latency: [near_empty, full], memory: (per_hold, per_legacy) };
    let markdown = report.markdown();
    print!("{markdown}");
    if let Some(dir) = out {
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
        let json = serde_json::to_vec_pretty(&report.json()).map_err(|e| e.to_string())?;
        for (name, bytes) in [("bench.json", json), ("bench.md", markdown.into_bytes())] {
            std::fs::write(dir.join(name), bytes).map_err(|e| format!("--out {}: {e}", dir.display()))?;
            println!("wrote {}", dir.join(name).display());
        }
    }
    Ok(())
}

fn count(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// `--batched`: only the batch row and its two redis-benchmark twins, for comparing changes to
/// `apply_many` run after run on a shared machine.
fn batched_rows(server: &RedisServer, sizes: &Sizes) -> Result<(), String> {
    let sha = baseline::load(server, baseline::TRIVIAL)?;
    let evalsha = ["EVALSHA", sha.as_str(), "1", "rb:__rand_int__", "v"];
    let lock = baseline::load(server, leasehold_scripts::LOCK_ACQUIRE.source)?;
    let lock = ["EVALSHA", lock.as_str(), "1", "rb:lock:{k__rand_int__}", "server", "k", "bench", "1000"];
    let eval_p16 = baseline::run(server, "EVALSHA", sizes.batched, 50, 16, &evalsha)?;
    let lock_p16 = baseline::run(server, "EVALSHA lock_acquire.lua", sizes.batched, 50, 16, &lock)?;
    let ops = throughput::concurrent(server, sizes.batched, 50, 16, false)?;
    println!("redis-benchmark {}: {:.0}/s", eval_p16.name, eval_p16.ops);
    println!("redis-benchmark {}: {:.0}/s", lock_p16.name, lock_p16.ops);
    println!(
        "leasehold lock acquire, apply_many of 16, 50 connections: {ops:.0}/s, {:.2} of EVALSHA, {:.2} of lock_acquire.lua",
        ops / eval_p16.ops,
        ops / lock_p16.ops
    );
    Ok(())
}

fn throughput_rows(server: &RedisServer, sizes: &Sizes) -> Result<Vec<Row>, String> {
    let sha = baseline::load(server, baseline::TRIVIAL)?;
    let evalsha = ["EVALSHA", sha.as_str(), "1", "rb:__rand_int__", "v"];
    // leasehold's own lock script driven by redis-benchmark: the script's share of the cost.
    let lock = baseline::load(server, leasehold_scripts::LOCK_ACQUIRE.source)?;
    let lock = ["EVALSHA", lock.as_str(), "1", "rb:lock:{k__rand_int__}", "server", "k", "bench", "1000"];
    let set = ["SET", "rb:__rand_int__", "v", "NX", "PX", "1000"];
    let eval_1 = baseline::run(server, "EVALSHA", sizes.sequential, 1, 1, &evalsha)?;
    let eval_50 = baseline::run(server, "EVALSHA", sizes.concurrent, 50, 1, &evalsha)?;
    let eval_p16 = baseline::run(server, "EVALSHA", sizes.batched, 50, 16, &evalsha)?;
    let set_1 = baseline::run(server, "SET NX PX", sizes.sequential, 1, 1, &set)?;
    let set_50 = baseline::run(server, "SET NX PX", sizes.concurrent, 50, 1, &set)?;
    let lock_1 = baseline::run(server, "EVALSHA lock_acquire.lua", sizes.sequential, 1, 1, &lock)?;
    let lock_50 = baseline::run(server, "EVALSHA lock_acquire.lua", sizes.concurrent, 50, 1, &lock)?;
    let lock_p16 = baseline::run(server, "EVALSHA lock_acquire.lua", sizes.batched, 50, 16, &lock)?;
    let mut rows = Vec::new();
    for run in [&eval_1, &eval_50, &eval_p16, &set_1, &set_50, &lock_1, &lock_50, &lock_p16] {
        rows.push(Row {
            name: format!("redis-benchmark {}", run.name),
            ops: run.ops,
            baseline: None,
            script: None,
            target: None,
        });
    }
    let beside = |run: &baseline::Run| Some((run.name.clone(), run.ops));
    rows.push(Row {
        name: "leasehold lock acquire, sequential, 1 connection".to_owned(),
        ops: throughput::sequential(server, sizes.sequential)?,
        baseline: beside(&eval_1),
        script: Some(lock_1.ops),
        target: Some(0.9),
    });
    // 50 in flight as a tokio service has them: 50 tasks on clones of the one async connection
    // (`connect_async`), their requests pipelined on its socket. The target is on this.
    rows.push(Row {
        name: "leasehold lock acquire, 50 in flight on the async connection".to_owned(),
        ops: throughput::concurrent(server, sizes.concurrent, 50, 1, true)?,
        baseline: beside(&eval_50),
        script: Some(lock_50.ops),
        target: Some(0.9),
    });
    // The same 50 tasks, each on a connection of its own (a pool of 50): every request then
    // costs redis-server a read and a write of its own, as redis-benchmark's 50 clients do.
    rows.push(Row {
        name: "leasehold lock acquire, 50 in flight on 50 connections".to_owned(),
        ops: throughput::concurrent(server, sizes.concurrent, 50, 1, false)?,
        baseline: beside(&eval_50),
        script: Some(lock_50.ops),
        target: None,
    });
    rows.push(Row {
        name: "leasehold lock acquire, apply_many of 16, 50 connections".to_owned(),
        ops: throughput::concurrent(server, sizes.batched, 50, 16, false)?,
        baseline: beside(&eval_p16),
        script: Some(lock_p16.ops),
        target: Some(0.8),
    });
    Ok(rows)
}

struct Report {
    rows: Vec<Row>,
    small: String,
    large: String,
    latency: [[Latency; 3]; 2],
    memory: (f64, f64),
}

const OPS: [&str; 3] = ["reserve", "check", "release"];
/// The bound on large-namespace latency over small-namespace latency.
const LATENCY_TARGET: f64 = 1.5;

fn verdict(ratio: f64, target: Option<f64>, at_least: bool) -> &'static str {
    match target {
        None => "",
        Some(t) if (at_least && ratio >= t) || (!at_least && ratio <= t) => "met",
        Some(_) => "missed",
    }
}

impl Report {
    fn markdown(&self) -> String {
        let mut md = String::from("\n## Throughput (ops/s)\n\n| run | ops/s | baseline | baseline ops/s | ratio | target | vs lock_acquire.lua alike |\n|---|---:|---|---:|---:|---|---:|\n");
        for row in &self.rows {
            let Some((base, base_ops)) = &row.baseline else {
                let _ = writeln!(md, "| {} | {:.0} | | | | | |", row.name, row.ops);
                continue;
            };
            let ratio = row.ops / base_ops;
            let target =
                row.target.map_or(String::new(), |t| format!(">= {t:.2} {}", verdict(ratio, Some(t), true)));
            let script = row.script.map_or(String::new(), |ops| format!("{:.2}", row.ops / ops));
            let _ = writeln!(
                md,
                "| {} | {:.0} | {base} | {base_ops:.0} | {ratio:.2} | {target} | {script} |",
                row.name, row.ops
            );
        }
        let _ = write!(
            md,
            "\n## Hold latency (µs, one connection, server clock)\n\n| op | {s} mean | {s} p50 | {s} p99 | {l} mean | {l} p50 | {l} p99 | mean ratio | target |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n",
            s = self.small,
            l = self.large
        );
        for (i, op) in OPS.iter().enumerate() {
            let ([a, b], ratio) = (self.pair(i), self.latency_ratio(i));
            let _ = writeln!(
                md,
                "| {op} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {ratio:.2} | <= {LATENCY_TARGET} {} |",
                a.mean, a.p50, a.p99, b.mean, b.p50, b.p99,
                verdict(ratio, Some(LATENCY_TARGET), false)
            );
        }
        let (hold, legacy) = self.memory;
        let _ = writeln!(
            md,
            "\n## Redis memory per reserved asset ({}, used_memory delta / count)\n\n| layout | bytes |\n|---|---:|\n| leasehold hold (hash + expiry zset, stream off) | {hold:.1} |\n| legacy id + JSON blob (two lists) | {legacy:.1} |\n| ratio hold / legacy | {:.2} |",
            self.large,
            hold / legacy
        );
        md
    }

    fn pair(&self, op: usize) -> [Latency; 2] {
        [self.latency[0][op], self.latency[1][op]]
    }

    fn latency_ratio(&self, op: usize) -> f64 {
        let [a, b] = self.pair(op);
        b.mean / a.mean
    }

    fn json(&self) -> Value {
        let lat = |l: Latency| json!({ "mean": l.mean, "p50": l.p50, "p99": l.p99 });
        json!({
            "throughput": self.rows.iter().map(|row| {
                let base = row.baseline.as_ref();
                json!({ "run": row.name, "ops_per_s": row.ops, "baseline": base.map(|b| &b.0),
                        "baseline_ops_per_s": base.map(|b| b.1), "ratio": base.map(|b| row.ops / b.1),
                        "script_ops_per_s": row.script, "target": row.target })
            }).collect::<Vec<_>>(),
            "hold_latency_us": OPS.iter().enumerate().map(|(i, op)| {
                let [a, b] = self.pair(i);
                json!({ "op": op, "small": self.small, "large": self.large, "small_us": lat(a), "large_us": lat(b),
                        "mean_ratio": self.latency_ratio(i), "target": LATENCY_TARGET })
            }).collect::<Vec<_>>(),
            "memory_bytes_per_asset": { "count": self.large, "hold": self.memory.0, "legacy": self.memory.1 },
        })
    }
}
