//! `leasehold`: simulate scenarios on the embedded engine, replay traces, list presets.
//!
//! ```text
//! leasehold scenarios
//! leasehold simulate <preset|file.json> [--out DIR] [--seed N] [--horizon MS] [--redis URL [--flush]]
//! leasehold replay <trace.jsonl> [--redis URL [--flush]]
//! leasehold bench [--runs N] [SCENARIO...]
//! leasehold bench --redis [--quick] [--batched] [--out DIR]
//! leasehold migrate legacy-holds --redis URL --app ID [--dry-run] [--prefix P] [--owner O]
//! ```

mod bench_redis;
mod json_path;
mod load;
mod migrate;
mod output;
mod redis;
mod replay;
mod summary;

use std::env;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use leasehold_sim::{presets, simulate, simulate_on, Discard, Header, Stop, Violation};

use output::{OutDir, Progress, TraceSink};

const USAGE: &str = "\
usage: leasehold <command>

commands:
  scenarios                      the shipped presets, one line each
  simulate <scenario> [options]  run a preset (by name) or a scenario file on the in-memory engine
      --out DIR                  write DIR/trace.jsonl and DIR/metrics.json (atomically)
      --seed N                   override the scenario's seed
      --horizon MS               override the scenario's horizon (simulated ms)
      --redis URL                run on the Redis at URL (explicit time; the same trace as in memory),
                                 keys under a fresh prefix leasehold-sim-<hash>, nothing deleted
      --flush                    with --redis: FLUSHDB first and use the prefix leasehold-sim
  replay <trace.jsonl> [--redis URL [--flush]]
                                 re-run a trace and check that every outcome matches
  bench [--runs N] [SCENARIO...] simulated operations per second (default: four presets)
  bench --redis [--quick] [--batched] [--out DIR]
                                 start a redis-server, run redis-benchmark as the baseline, then the
                                 adapter: lock acquire throughput, hold latency at 1k and 1M holds,
                                 memory per hold vs the legacy lists; --batched: only apply_many
                                 against its redis-benchmark twins; --out writes bench.json/.md
  migrate legacy-holds --redis URL --app ID [--dry-run] [--prefix P] [--owner O]
                                 import tradeit's reserved-assets_ID lists as holds in namespace
                                 reserved-assets_ID (owner legacy-import); the lists are only read";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("scenarios") => scenarios(),
        Some("simulate") => simulate_command(&args[1..]),
        Some("replay") => replay_command(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("migrate") => migrate::command(&args[1..]),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("leasehold: {error}");
            ExitCode::FAILURE
        }
    }
}

fn scenarios() -> Result<(), String> {
    let width = presets::PRESETS.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for preset in presets::PRESETS {
        let scenario = load::parse_scenario(preset.name, preset.json)?;
        println!("{:<width$}  {}", preset.name, scenario.about);
    }
    Ok(())
}

struct Options {
    scenario: String,
    out: Option<String>,
    seed: Option<u64>,
    horizon: Option<u64>,
    redis: Option<String>,
    flush: bool,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options =
        Options { scenario: String::new(), out: None, seed: None, horizon: None, redis: None, flush: false };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |name: &str| rest.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        let number = |name: &str, text: String| {
            text.parse::<u64>().map_err(|_| format!("{name}: `{text}` is not a whole number"))
        };
        match arg.as_str() {
            "--out" => options.out = Some(value("--out")?),
            "--seed" => options.seed = Some(number("--seed", value("--seed")?)?),
            "--horizon" => options.horizon = Some(number("--horizon", value("--horizon")?)?),
            "--redis" => options.redis = Some(value("--redis")?),
            "--flush" => options.flush = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`\n\n{USAGE}")),
            name if options.scenario.is_empty() => options.scenario = name.to_owned(),
            extra => return Err(format!("unexpected argument `{extra}`")),
        }
    }
    if options.scenario.is_empty() {
        return Err(format!("simulate needs a scenario\n\n{USAGE}"));
    }
    if options.flush && options.redis.is_none() {
        return Err("--flush needs --redis".to_owned());
    }
    Ok(options)
}

fn simulate_command(args: &[String]) -> Result<(), String> {
    let options = parse_options(args)?;
    let mut scenario = load::scenario(&options.scenario)?;
    if let Some(seed) = options.seed {
        scenario.seed = seed;
    }
    if let Some(horizon) = options.horizon {
        scenario.horizon = horizon;
        scenario.validate().map_err(|invalid| format!("--horizon: {invalid}"))?;
    }
    let header = Header::of(&scenario);
    let mut out = match &options.out {
        Some(dir) => Some(OutDir::create(Path::new(dir)).map_err(|e| format!("--out {dir}: {e}"))?),
        None => None,
    };
    let file = match &mut out {
        Some(out) => Some(out.file("trace.jsonl").map_err(|e| format!("--out: {e}"))?),
        None => None,
    };
    let sink = TraceSink::new(&header, file, Progress::for_terminal(scenario.start, scenario.horizon));
    let began = Instant::now();
    // The backend differs, the metrics and the sink (the trace) must not.
    let (metrics, sink) = match &options.redis {
        None => {
            let report = simulate(&scenario, sink).map_err(|violation| violated(&violation))?;
            (report.metrics, report.sink)
        }
        Some(url) => {
            let target = redis::Target::open(url, options.flush, &scenario.name)?;
            println!("redis: {url}, keys under {}:*", target.prefix());
            let runs = std::cell::Cell::new(0);
            let fresh = || target.backend(runs.replace(runs.get() + 1));
            match simulate_on(&scenario, fresh, sink) {
                Ok(report) => (report.metrics, report.sink),
                Err(Stop::Violation(violation)) => return Err(violated(&violation)),
                Err(Stop::Backend(failure)) => return Err(format!("--redis {url}: {failure}")),
            }
        }
    };
    let wall = began.elapsed();
    let steps = sink.steps;
    let (hash, written) = sink.finish();
    written.map_err(|e| format!("--out: writing the trace: {e}"))?;
    print!("{}", summary::render(&scenario, &metrics));
    println!("invariants: all held over {} steps", summary::thousands(steps));
    println!("trace: {} lines, fnv1a64 {}", summary::thousands(steps + 1), hash.hex());
    println!("wall time: {:.3} s", wall.as_secs_f64());
    if let Some(mut out) = out {
        let metrics = serde_json::to_vec_pretty(&metrics).map_err(|e| e.to_string())?;
        out.write("metrics.json", &metrics).map_err(|e| format!("--out: {e}"))?;
        for path in out.commit().map_err(|e| format!("--out: {e}"))? {
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

fn violated(violation: &Violation) -> String {
    let mut text = format!("{violation}\nthe last steps on `{}`:\n", violation.key);
    for record in &violation.history {
        let line = serde_json::to_string(record).unwrap_or_else(|e| e.to_string());
        text.push_str(&format!("  {line}\n"));
    }
    text
}

fn replay_command(args: &[String]) -> Result<(), String> {
    let (mut path, mut url, mut flush) = (None, None, false);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--redis" => url = Some(rest.next().ok_or("--redis needs a value")?.clone()),
            "--flush" => flush = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`\n\n{USAGE}")),
            file if path.is_none() => path = Some(file.to_owned()),
            _ => return Err(format!("replay takes one trace file\n\n{USAGE}")),
        }
    }
    let Some(path) = path else { return Err(format!("replay takes one trace file\n\n{USAGE}")) };
    let replayed = match url {
        None if flush => return Err("--flush needs --redis".to_owned()),
        None => replay::replay(&path, leasehold_sim::InMemory::new(0))?,
        Some(url) => {
            let target = redis::Target::open(&url, flush, &path)?;
            println!("redis: {url}, keys under {}:*", target.prefix());
            replay::replay(&path, target.backend(0)).map_err(|e| format!("--redis {url}: {e}"))?
        }
    };
    println!(
        "replayed {} steps of {path}: every outcome matches and every invariant holds (fnv1a64 {})",
        summary::thousands(replayed.steps),
        replayed.hash.hex()
    );
    Ok(())
}

fn bench(args: &[String]) -> Result<(), String> {
    if args.first().is_some_and(|arg| arg == "--redis") {
        return bench_redis::command(&args[1..]);
    }
    let mut runs = 3;
    let mut names: Vec<&str> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--runs" {
            let n = rest.next().ok_or("--runs needs a value")?;
            runs = n.parse().map_err(|_| format!("--runs: `{n}` is not a whole number"))?;
        } else {
            names.push(arg);
        }
    }
    if names.is_empty() {
        names = vec!["withdraw-rush", "abuse", "orphaned-locks", "legacy-vs-holds"];
    }
    println!("best of {runs} runs, one thread, trace discarded unless noted");
    for name in names {
        let scenario = load::scenario(name)?;
        let mut best = f64::MAX;
        let mut ops = 0;
        for _ in 0..runs {
            let began = Instant::now();
            let report = simulate(&scenario, Discard).map_err(|v| violated(&v))?;
            best = best.min(began.elapsed().as_secs_f64());
            ops = report.metrics.ops;
        }
        let header = Header::of(&scenario);
        let began = Instant::now();
        let traced = simulate(&scenario, TraceSink::new(&header, None, None)).map_err(|v| violated(&v))?;
        let with_trace = began.elapsed().as_secs_f64();
        drop(traced);
        println!(
            "{name:<16} {:>4} agents, {:>6} simulated: {:>9} ops in {:.3} s = {:>5.2} M ops/s; with the JSON trace hashed {:.3} s = {:.2} M ops/s",
            scenario.agent_count(),
            summary::duration(scenario.horizon),
            summary::thousands(ops),
            best,
            ops as f64 / best / 1e6,
            with_trace,
            ops as f64 / with_trace / 1e6,
        );
    }
    Ok(())
}
