//! `cargo xtask bench [--quick]`: one side-by-side run, on a redis-server this command starts
//! (free loopback port, no persistence, stopped by PID at the end), measuring in the same run:
//!
//! - the physical limit: `redis-benchmark` SET NX PX and EVALSHA of a trivial SET NX PX
//!   script, at `-c 1`, `-c 50` and `-c 50 -P 16`;
//! - leasehold: the in-memory core natively and in Node (wasm), the Rust adapter sequential, 50
//!   in flight and batched (`leasehold-proof bench`), and the Node driver when
//!   `bindings/bench/redis.mjs` exists (its `--json` rows, with `REDIS_URL` set);
//! - the anchors: governor, rate-limiter-flexible's RateLimiterMemory, and whatever the Node
//!   driver's bench puts beside itself (RateLimiterRedis, redis-semaphore, redlock).
//!
//! The baseline and the Rust rows are measured in turn three times, each row its median round,
//! so that a stretch of other load slows both sides rather than one.
//!
//! It prints one table (ops/s, p50, p99, leasehold/anchor, leasehold/limit), writes it to
//! `target/bench/bench.{json,md}` with `target/bench/latency.svg`, and warns about every phase
//! during which other processes took CPU. Nothing here asserts a figure.

mod busy;
mod report;
mod rounds;
mod svg;

use report::report;
use rounds::{median_rounds, ROUNDS};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::util::{cargo, cmd, output, repo_root, run, Result};
use crate::{install, wasm};

/// One measured row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// What ran.
    pub name: String,
    /// `leasehold`, `anchor` (a library users pick today) or `limit` (redis-benchmark).
    pub role: String,
    /// Requests in flight.
    pub concurrency: u64,
    /// Operations per second.
    pub ops_per_sec: f64,
    /// Median latency, µs (per request, or per batch for batched rows).
    #[serde(default)]
    pub p50_us: Option<f64>,
    /// 99th percentile latency, µs.
    #[serde(default)]
    pub p99_us: Option<f64>,
    /// The anchor row this one compares with.
    #[serde(default)]
    pub anchor: Option<String>,
    /// The limit row this one compares with.
    #[serde(default)]
    pub limit: Option<String>,
    /// The plot line this row is a point of.
    #[serde(default)]
    pub series: Option<String>,
    /// The phase that measured it.
    #[serde(default)]
    pub phase: String,
}

/// A phase's name, its duration and its busy warning.
struct Phase {
    pub name: String,
    pub seconds: f64,
    pub warning: Option<String>,
}

struct Server {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Server {
    fn start() -> Result<Server> {
        let port =
            TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let dir = std::env::temp_dir().join(format!("leasehold-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("redis-server: {e} (run `cargo xtask test install`)"))?;
        let server = Server { child, port, dir };
        let started = Instant::now();
        while !server.pong() {
            if started.elapsed() > Duration::from_secs(10) {
                return Err(format!("redis-server on port {port} never answered PING"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    fn pong(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sizes of each phase.
struct Sizes {
    single: u64,
    many: u64,
    pipelined: u64,
    node_seconds: &'static str,
}

/// `cargo xtask bench [--quick]`.
pub fn run_bench(args: &[String]) -> ExitCode {
    match bench(args.iter().any(|a| a == "--quick")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn bench(quick: bool) -> Result {
    let root = repo_root();
    let sizes = if quick {
        Sizes { single: 2_000, many: 10_000, pipelined: 40_000, node_seconds: "0.3" }
    } else {
        Sizes { single: 20_000, many: 100_000, pipelined: 400_000, node_seconds: "1.5" }
    };
    let started = Instant::now();
    println!("==> installing what is missing, building what is measured (not timed)");
    install::ensure(&root)?;
    run(&mut cargo(["build", "--release", "-q", "-p", "leasehold-proof"]))?;
    if !root.join("bindings/pkg/package.json").exists() {
        wasm::build(&root)?;
    }
    run(cmd("node", ["scripts/link-pkg.mjs"]).current_dir(root.join("bindings")))?;
    let server = Server::start()?;
    println!("==> redis-server on 127.0.0.1:{} (started for this bench)", server.port);
    let pid = server.child.id();
    let mut rows = Vec::new();
    let mut phases = Vec::new();
    let mut phase = |name: &str, work: &mut dyn FnMut() -> Result<Vec<Row>>| -> Result {
        println!("==> {name}");
        let before = busy::read(pid);
        let at = Instant::now();
        let mut measured = work()?;
        let seconds = at.elapsed().as_secs_f64();
        let warning = busy::warning(before, busy::read(pid), seconds);
        if let Some(warning) = &warning {
            println!("    warning: {warning}");
        }
        for row in &mut measured {
            row.phase = name.to_owned();
        }
        rows.extend(measured);
        phases.push(Phase { name: name.to_owned(), seconds, warning });
        Ok(())
    };
    // The baseline and the Rust rows it is compared with, in turn, ROUNDS times: a stretch of
    // other load then slows both sides instead of one, and each row is its median round.
    let proof = root.join("target/release/leasehold-proof");
    for round in 1..=ROUNDS {
        phase(&format!("redis-benchmark (round {round} of {ROUNDS})"), &mut || {
            redis_benchmark(server.port, &sizes)
        })?;
        phase(
            &format!("leasehold core (native) and the Rust adapter (round {round} of {ROUNDS})"),
            &mut || {
                let mut command = Command::new(&proof);
                command.args(["bench", &server.url()]);
                if quick {
                    command.arg("--quick");
                }
                let mut rows: Vec<Row> =
                    serde_json::from_str(&output(&mut command)?).map_err(|e| e.to_string())?;
                label_rust_rows(&mut rows);
                Ok(rows)
            },
        )?;
    }
    phase("leasehold wasm in Node, RateLimiterMemory", &mut || {
        let mut command = cmd("node", ["bench/limits.mjs", "--json"]);
        command.current_dir(root.join("bindings")).env("BENCH_SECONDS", sizes.node_seconds);
        node_rows(&output(&mut command)?)
    })?;
    let driver = root.join("bindings/bench/redis.mjs");
    if driver.exists() {
        phase("the Node driver and its anchors (bindings/bench/redis.mjs)", &mut || {
            let mut command = cmd("node", ["bench/redis.mjs", "--json"]);
            command
                .current_dir(root.join("bindings"))
                .env("REDIS_URL", server.url())
                .env("BENCH_SECONDS", sizes.node_seconds);
            let mut rows = node_rows(&output(&mut command)?)?;
            for row in rows.iter_mut().filter(|r| r.role == "leasehold" && r.limit.is_none()) {
                row.limit =
                    Some(format!("redis-benchmark EVALSHA -c {}", if row.concurrency > 1 { 50 } else { 1 }));
            }
            Ok(rows)
        })?;
    } else {
        println!("==> the Node driver: bindings/bench/redis.mjs is not here yet, its rows are left out");
    }
    drop(server);
    let rows = median_rounds(rows);
    report(&root, &rows, &phases, started.elapsed())
}

fn redis_benchmark(port: u16, sizes: &Sizes) -> Result<Vec<Row>> {
    let trivial = "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', 1000)";
    let mut load = cmd("redis-cli", ["-p", &port.to_string(), "SCRIPT", "LOAD", trivial]);
    let sha = output(&mut load)?.trim().to_owned();
    let mut rows = Vec::new();
    for (label, command) in [
        ("SET NX PX", vec!["SET", "rb:__rand_int__", "v", "NX", "PX", "1000"]),
        ("EVALSHA", vec!["EVALSHA", sha.as_str(), "1", "rb:__rand_int__", "v"]),
    ] {
        for (n, clients, pipeline) in [(sizes.single, 1, 1), (sizes.many, 50, 1), (sizes.pipelined, 50, 16)] {
            let mut bench = cmd(
                "redis-benchmark",
                ["-h", "127.0.0.1", "-p", &port.to_string(), "--csv", "-r", "100000000"],
            );
            bench
                .args(["-n", &n.to_string(), "-c", &clients.to_string(), "-P", &pipeline.to_string()])
                .args(&command);
            let text = output(&mut bench)?;
            let line = text.lines().last().unwrap_or_default();
            let fields: Vec<f64> = line
                .split("\",\"")
                .skip(1)
                .map(|f| f.trim_matches('"').parse().unwrap_or(f64::NAN))
                .collect();
            // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
            if fields.len() < 6 || fields[0].is_nan() {
                return Err(format!("redis-benchmark gave no rate: {text}"));
            }
            let mut name = format!("redis-benchmark {label} -c {clients}");
            if pipeline > 1 {
                name.push_str(&format!(" -P {pipeline}"));
            }
            rows.push(Row {
                name,
                role: "limit".into(),
                concurrency: clients * pipeline,
                ops_per_sec: fields[0],
                p50_us: Some(fields[3] * 1000.0),
                p99_us: Some(fields[5] * 1000.0),
                anchor: None,
                limit: None,
                series: Some(format!("redis-benchmark {label}")),
                phase: String::new(),
            });
        }
    }
    Ok(rows)
}

/// Which anchor and limit each Rust row compares with, and its plot line.
fn label_rust_rows(rows: &mut [Row]) {
    for row in rows {
        let (anchor, limit, series) = match row.name.as_str() {
            "core limit check (fixed window, native)" => (Some("governor keyed check"), None, None),
            "adapter lock acquire, sequential" => {
                (None, Some("redis-benchmark EVALSHA -c 1"), Some("leasehold adapter lock acquire"))
            }
            "adapter lock acquire, 50 in flight on the async connection" => {
                (None, Some("redis-benchmark EVALSHA -c 50"), Some("leasehold adapter lock acquire"))
            }
            "adapter lock acquire, 50 in flight on 50 connections" => {
                (None, Some("redis-benchmark EVALSHA -c 50"), None)
            }
            name if name.starts_with("adapter lock acquire, 50 clients x batches") => {
                (None, Some("redis-benchmark EVALSHA -c 50 -P 16"), Some("leasehold adapter lock acquire"))
            }
            _ => (None, None, None),
        };
        row.anchor = anchor.map(str::to_owned);
        row.limit = limit.map(str::to_owned);
        row.series = series.map(str::to_owned);
    }
}

/// Rows from a Node bench's `--json` output: an array of rows, or `{"rows": [...]}`, on its
/// last line.
fn node_rows(text: &str) -> Result<Vec<Row>> {
    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("[]");
    let value: serde_json::Value =
        serde_json::from_str(last).map_err(|e| format!("bench JSON: {e}: {last}"))?;
    let rows = value.get("rows").cloned().unwrap_or(value);
    serde_json::from_value(rows).map_err(|e| format!("bench rows: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, role: &str, concurrency: u64, ops: f64, series: Option<&str>) -> Row {
        Row {
            name: name.into(),
            role: role.into(),
            concurrency,
            ops_per_sec: ops,
            p50_us: Some(10.0 * concurrency as f64),
            p99_us: Some(40.0 * concurrency as f64),
            anchor: None,
            limit: None,
            series: series.map(str::to_owned),
            phase: String::new(),
        }
    }

    #[test]
    fn node_rows_are_read_from_an_array_or_an_object_on_the_last_line() {
        let array =
            "warming up\n[{\"name\":\"a\",\"role\":\"anchor\",\"concurrency\":1,\"ops_per_sec\":5}]\n";
        let object = "{\"rows\":[{\"name\":\"b\",\"role\":\"leasehold\",\"concurrency\":50,\"ops_per_sec\":7,\"p50_us\":3}]}";
        let rows = node_rows(array).unwrap();
        assert_eq!((rows[0].name.as_str(), rows[0].p50_us), ("a", None));
        let rows = node_rows(object).unwrap();
        assert_eq!((rows[0].name.as_str(), rows[0].concurrency, rows[0].p50_us), ("b", 50, Some(3.0)));
        assert!(node_rows("not json").is_err());
    }

    #[test]
    fn ratios_divide_by_the_named_row_and_are_absent_without_one() {
        let rows = vec![row("limit", "limit", 1, 200.0, None), row("ours", "leasehold", 1, 50.0, None)];
        assert_eq!(report::ratio(&rows[1], report::find(&rows, &Some("limit".into()))), Some(0.25));
        assert_eq!(report::ratio(&rows[1], report::find(&rows, &Some("missing".into()))), None);
        assert_eq!(report::ratio(&rows[1], report::find(&rows, &None)), None);
    }

    #[test]
    fn the_plot_draws_a_p50_and_a_p99_line_per_series_of_two_or_more_points() {
        let rows = vec![
            row("s -c 1", "limit", 1, 1.0, Some("s")),
            row("s -c 50", "limit", 50, 1.0, Some("s")),
            row("alone", "leasehold", 1, 1.0, None),
        ];
        let svg = svg::plot(&rows);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(">s</text>") && !svg.contains("alone"));
    }
}
