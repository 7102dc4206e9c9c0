//! The baseline: `redis-benchmark` against the same server in the same run.

use std::process::Command;

use leasehold_redis::testing::{binary, RedisServer};

/// The trivial script of the EVALSHA baseline: the least a lock acquire must do.
pub const TRIVIAL: &str = "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', 1000)";

/// One `redis-benchmark` run.
#[derive(Debug, Clone)]
pub struct Run {
    /// What ran, e.g. `EVALSHA -c 50 -P 16`.
    pub name: String,
    /// Requests per second (commands, not pipelines).
    pub ops: f64,
}

/// `SCRIPT LOAD`s `source`; returns its SHA1.
pub fn load(server: &RedisServer, source: &str) -> Result<String, String> {
    redis::cmd("SCRIPT")
        .arg("LOAD")
        .arg(source)
        .query(&mut server.raw())
        .map_err(|e| format!("SCRIPT LOAD: {e}"))
}

/// Runs `redis-benchmark -n n -c clients [-P pipeline] <command...>` on random keys, with
/// `--csv`, and reads its requests per second.
pub fn run(
    server: &RedisServer,
    label: &str,
    n: u64,
    clients: u32,
    pipeline: u32,
    command: &[&str],
) -> Result<Run, String> {
    let mut cmd = Command::new(binary("redis-benchmark"));
    cmd.args(["-h", "127.0.0.1", "-p", &server.port().to_string(), "--csv", "-r", "100000000"]);
    cmd.args(["-n", &n.to_string(), "-c", &clients.to_string(), "-P", &pipeline.to_string()]);
    let out = cmd.args(command).output().map_err(|e| format!("redis-benchmark: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let ops = text
        .lines()
        .last()
        .and_then(|line| line.split("\",\"").nth(1))
        .and_then(|rps| rps.trim_matches('"').parse::<f64>().ok())
        .filter(|_| out.status.success())
        .ok_or_else(|| {
            format!("redis-benchmark gave no rate: {text}{}", String::from_utf8_lossy(&out.stderr))
        })?;
    let mut name = format!("{label} -c {clients}");
    if pipeline > 1 {
        name.push_str(&format!(" -P {pipeline}"));
    }
    Ok(Run { name, ops })
}
