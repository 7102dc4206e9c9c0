//! `leasehold simulate --redis` and `leasehold replay --redis` against a real redis-server: the
//! same trace, byte for byte, as the in-memory engine.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use leasehold_redis::testing::RedisServer;

fn leasehold(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leasehold")).args(args).output().expect("leasehold runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("leasehold-cli-redis-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs `leasehold simulate` with `extra` arguments into `out`; returns the trace hash line.
fn simulate(scenario: &str, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["simulate", scenario, "--out", out.to_str().unwrap()];
    args.extend(extra);
    let run = leasehold(&args);
    assert!(run.status.success(), "{}", text(&run.stderr));
    text(&run.stdout).lines().find(|l| l.starts_with("trace: ")).expect("a hash line").to_owned()
}

/// The withdraw rush, small and with short holds, so that within five minutes holds expire,
/// are reclaimed by active expiry and reported by lazy sweeps: every path that shows in events.
fn small_rush(dir: &Path) -> PathBuf {
    let preset = leasehold_sim::presets::find("withdraw-rush").unwrap().json;
    let small = preset
        .replace("\"count\": 400", "\"count\": 60")
        .replace("\"hold_ttl\": 1200000", "\"hold_ttl\": 60000")
        .replace("\"lock_ttl\": 900000", "\"lock_ttl\": 45000")
        .replace("\"horizon\": 3600000", "\"horizon\": 300000");
    let path = dir.join("small-rush.json");
    fs::write(&path, small).unwrap();
    path
}

#[test]
fn a_simulation_on_redis_writes_the_in_memory_trace_and_metrics_byte_for_byte() {
    let server = RedisServer::start();
    let dir = scratch("simulate");
    let scenario = small_rush(&dir);
    let scenario = scenario.to_str().unwrap();
    let memory = simulate(scenario, &dir.join("memory"), &[]);
    let redis = simulate(scenario, &dir.join("redis"), &["--redis", &server.url()]);
    assert_eq!(memory, redis);
    let trace = fs::read_to_string(dir.join("memory/trace.jsonl")).unwrap();
    assert!(trace.contains("\"kind\":\"expired\""), "the run exercises expiry");
    assert_eq!(trace, fs::read_to_string(dir.join("redis/trace.jsonl")).unwrap());
    assert_eq!(
        fs::read(dir.join("memory/metrics.json")).unwrap(),
        fs::read(dir.join("redis/metrics.json")).unwrap()
    );
}

#[test]
fn each_redis_run_gets_a_fresh_prefix_and_flush_empties_the_database_first() {
    let server = RedisServer::start();
    let dir = scratch("prefix");
    let url = server.url();
    let run = |name: &str, flush: bool| {
        let mut args = vec!["--redis", url.as_str(), "--horizon", "60000"];
        if flush {
            args.push("--flush");
        }
        simulate("stale-writer", &dir.join(name), &args)
    };
    assert_eq!(run("a", false), run("b", false), "a second run on the same server is not disturbed");
    let count = |pattern: &str| -> usize {
        redis::cmd("KEYS").arg(pattern).query::<Vec<String>>(&mut server.raw()).unwrap().len()
    };
    assert!(count("leasehold-sim-*") > 0);
    run("c", true);
    assert_eq!(count("leasehold-sim-*"), 0, "only the flushed run's keys remain");
    assert!(count("leasehold-sim:*") > 0);
}

#[test]
fn an_in_memory_trace_replays_on_redis_with_every_step_matching() {
    let server = RedisServer::start();
    let dir = scratch("replay");
    let hash = simulate("withdraw-rush", &dir, &["--horizon", "120000", "--seed", "9"]);
    let trace = dir.join("trace.jsonl");
    let out = leasehold(&["replay", trace.to_str().unwrap(), "--redis", &server.url()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let digits = hash.rsplit(' ').next().unwrap();
    assert!(text(&out.stdout).contains(digits), "{}", text(&out.stdout));
}

#[test]
fn a_redis_that_cannot_be_reached_fails_the_run_with_its_url() {
    let mut server = RedisServer::start();
    let url = server.url();
    server.kill();
    let dir = scratch("unreachable");
    let out = leasehold(&["simulate", "stale-writer", "--redis", &url, "--out", dir.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains(&format!("--redis {url}")), "{}", text(&out.stderr));
}
