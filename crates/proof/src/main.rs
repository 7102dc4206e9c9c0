//! `leasehold-proof`: the full forms of the proof runs (`cargo xtask soak` runs them), and the
//! holder process of the paused-client fault.
//!
//! ```text
//! leasehold-proof load [OPERATIONS] [--trace FILE]   50 clients, audited (default 100000)
//! leasehold-proof faults [SECONDS]                   every fault under load, one table each
//! leasehold-proof failover [SECONDS]                 replica promoted under load, WAIT's cost
//! leasehold-proof bench URL [--quick]                the Rust rows of `cargo xtask bench`, as JSON
//! leasehold-proof holder URL KEY TTL_MS              (the paused client's process)
//! ```
//!
//! Exits non-zero when a promised property did not hold.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use leasehold_proof::audit::audit;
use leasehold_proof::faults::{self, FaultSizes};
use leasehold_proof::load::{self, LoadConfig, Target};
use leasehold_proof::table::Table;
use leasehold_proof::{failover, trace};
use leasehold_redis::testing::RedisServer;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let result = match args.first().map(String::as_str) {
        Some("load") => run_load(number(1, 100_000), trace_path(&args)),
        Some("faults") => run_faults(number(1, 12)),
        Some("failover") => run_failover(number(1, 12)),
        Some("bench") if args.len() >= 2 => run_bench(&args[1], args.get(2).map(String::as_str) == Some("--quick")),
        Some("holder") if args.len() == 4 => {
            faults::paused_client::holder(&args[1], &args[2], args[3].parse().unwrap_or(300))
        }
        _ => Err("usage: leasehold-proof load [OPERATIONS] [--trace FILE] | faults [SECONDS] | failover [SECONDS] | holder URL KEY TTL_MS".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn trace_path(args: &[String]) -> Option<PathBuf> {
    args.iter().position(|a| a == "--trace").and_then(|i| args.get(i + 1)).map(PathBuf::from)
}

fn run_load(operations: u64, trace_to: Option<PathBuf>) -> Result<(), String> {
    let server = RedisServer::start();
    let config = LoadConfig::clients_50(operations);
    let run = load::run(
        Arc::new(Target::new(server.url())),
        &config,
        Arc::new(AtomicBool::new(false)),
        Instant::now(),
    );
    let audited = Instant::now();
    let audit = audit(&run.records, &run.sent);
    println!(
        "load: {} clients, {} requests in {:.1?} ({:.0}/s), audited in {:.1?}",
        config.clients,
        run.requests,
        run.elapsed,
        run.requests as f64 / run.elapsed.as_secs_f64(),
        audited.elapsed()
    );
    println!("{}", serde_json::to_string_pretty(&audit).map_err(|e| e.to_string())?);
    if let Some(path) = trace_to {
        trace::write_jsonl(&run.records, &path).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("trace: {} records in {}", run.records.len(), path.display());
    }
    let errors: u64 = audit.errors.values().sum();
    if !audit.violations.is_empty() || errors > 0 {
        return Err(format!("{} violations, {errors} errors", audit.violations.len()));
    }
    Ok(())
}

fn sizes(seconds: u64) -> FaultSizes {
    FaultSizes {
        load: LoadConfig { clients: 50, ..LoadConfig::clients_50(0) },
        duration: Duration::from_secs(seconds),
        outage: Duration::from_millis(1_500),
    }
}

fn report(tables: &[Table]) -> Result<(), String> {
    let mut broken = 0;
    for table in tables {
        print!("{}", table.markdown());
        broken += table.broken().len();
    }
    if broken > 0 {
        return Err(format!("{broken} promised properties did not hold"));
    }
    Ok(())
}

fn run_faults(seconds: u64) -> Result<(), String> {
    let sizes = sizes(seconds);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let drops = FaultSizes { outage: Duration::from_millis(300), ..sizes.clone() };
    report(&[
        faults::kill_and_restart(&sizes, false),
        faults::kill_and_restart(&sizes, true),
        faults::pause_server(&sizes),
        faults::drop_connections(&drops),
        faults::paused_client::paused_client(&exe, 300),
    ])
}

fn run_failover(seconds: u64) -> Result<(), String> {
    let outcome = report(&[failover::promote_replica(&sizes(seconds))]);
    let ((p50, p99), (w50, w99)) = failover::wait_cost(2_000);
    println!("\nWAIT 1 100 after each acquire (2000 sequential acquires, primary + 1 replica on loopback):");
    println!("| | p50 µs | p99 µs |\n|---|---|---|\n| acquire | {p50} | {p99} |\n| acquire + WAIT 1 | {w50} | {w99} |");
    outcome
}

fn run_bench(url: &str, quick: bool) -> Result<(), String> {
    let (blocks, sequential, concurrent) = if quick { (50, 500, 5_000) } else { (2_000, 10_000, 100_000) };
    let mut rows = leasehold_proof::bench::in_memory(blocks);
    rows.extend(leasehold_proof::bench::adapter(url, sequential, concurrent)?);
    println!("{}", serde_json::to_string(&rows).map_err(|e| e.to_string())?);
    Ok(())
}
