//! `cargo xtask soak`: the full forms of what `cargo xtask test` runs reduced.
//!
//! - load: 50 clients, 100 000 requests, audited (trace in `target/soak/trace.jsonl`);
//! - faults: kill -9 with and without persistence, SIGSTOP, dropped connections and a paused
//!   client, 12 s of load each, one table each;
//! - failover: a replica promoted under load, and what `WAIT 1` costs per acquire;
//! - bad input: 3.4M proptest cases for each of the three properties (10.2M in all), release
//!   build; then 1M random calls into the npm package.
//!
//! Prints each part's time and fails if any part failed.

use std::process::ExitCode;
use std::time::Instant;

use crate::util::{cargo, cmd, repo_root, run, Result};

/// proptest cases per property of `crates/proof/tests/bad_input.rs`.
const FUZZ_CASES: &str = "3400000";
/// Random calls of `bindings/test/fuzz.test.mjs`.
const JS_FUZZ_CASES: &str = "1000000";

/// One part: its name and how to run it.
type Part<'a> = (&'static str, Box<dyn Fn() -> Result + 'a>);

/// `cargo xtask soak [PART...]`, parts: load faults failover fuzz js-fuzz (default: all).
pub fn run_soak(names: &[String]) -> ExitCode {
    let root = repo_root();
    let proof = root.join("target/release/leasehold-proof");
    let trace = root.join("target/soak/trace.jsonl");
    let parts: [Part; 5] = [
        (
            "load",
            Box::new(|| {
                std::fs::create_dir_all(root.join("target/soak")).map_err(|e| e.to_string())?;
                run(std::process::Command::new(&proof).args(["load", "100000", "--trace"]).arg(&trace))
            }),
        ),
        ("faults", Box::new(|| run(std::process::Command::new(&proof).args(["faults", "12"])))),
        ("failover", Box::new(|| run(std::process::Command::new(&proof).args(["failover", "12"])))),
        (
            "fuzz",
            Box::new(|| {
                let mut test = cargo(["test", "--release", "-p", "leasehold-proof", "--test", "bad_input"]);
                run(test.env("LEASEHOLD_FUZZ_CASES", FUZZ_CASES))
            }),
        ),
        (
            "js-fuzz",
            Box::new(|| {
                crate::wasm::build(&root)?;
                run(cmd("node", ["scripts/link-pkg.mjs"]).current_dir(root.join("bindings")))?;
                let mut test = cmd("node", ["--test", "test/fuzz.test.mjs"]);
                run(test.current_dir(root.join("bindings")).env("LEASEHOLD_JS_FUZZ_CASES", JS_FUZZ_CASES))
            }),
        ),
    ];
    if let Err(error) = run(&mut cargo(["build", "--release", "-p", "leasehold-proof"])) {
        eprintln!("error: {error}");
        return ExitCode::FAILURE;
    }
    let mut failed = Vec::new();
    for (name, part) in &parts {
        if !names.is_empty() && !names.iter().any(|n| n == name) {
            continue;
        }
        println!("\n==> soak: {name}");
        let started = Instant::now();
        let result = part();
        println!("--> {name} {} ({:.1?})", if result.is_ok() { "ok" } else { "FAILED" }, started.elapsed());
        if let Err(error) = result {
            eprintln!("error in {name}: {error}");
            failed.push(*name);
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("\nsoak failed: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}
