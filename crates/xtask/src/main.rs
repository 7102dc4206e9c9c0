//! `cargo xtask <task>`: the project's own commands, in plain Rust so they run wherever cargo
//! does (the alias lives in `.cargo/config.toml`).
//!
//! - `cargo xtask test [STEP...]` installs what is missing, then runs every check CI runs:
//!   format, clippy, the wasm build of the core, the core's dependency and purity checks, and
//!   the tests. `.ci/run` is exactly this command.
//! - `cargo xtask demo` prints a short tour of the in-memory engine.
//! - `cargo xtask wasm` builds the npm package `leasehold` into `bindings/pkg/`.
//! - `cargo xtask playground` builds the browser playground and serves `www/` on 127.0.0.1.
//! - `cargo xtask bench` measures leasehold beside redis-benchmark and the usual libraries.
//! - `cargo xtask soak` runs the full proof: load, faults, failover and bad input.
//!
//! Each task is one module; [`util`] holds what they share.

mod bench;
mod demo;
mod install;
mod playground;
mod purity;
mod soak;
mod test;
mod util;
mod wasm;

use std::env;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  test [STEP...]  install what is missing, then run every CI check, failing fast;
                  steps: install fmt clippy wasm deps purity tests js www (default: all)
  demo            a short tour of the in-memory engine
  wasm            build the npm package `leasehold` into bindings/pkg/
  playground      build the browser playground and serve www/ on 127.0.0.1 [--port N]
  bench [--quick] leasehold beside redis-benchmark and the libraries users pick today,
                  on a redis-server of its own; writes target/bench/
  soak            the full proof runs: load, faults, failover, bad input";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let (task, rest) = match args.split_first() {
        Some((task, rest)) => (task.as_str(), rest),
        None => ("", &[][..]),
    };
    match task {
        "test" => test::run_steps(rest),
        "demo" => demo::run(rest),
        "bench" => bench::run_bench(rest),
        "soak" => soak::run_soak(rest),
        "wasm" => match wasm::build(&util::repo_root()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
        "playground" => match playground::command(&util::repo_root(), rest) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        "" => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
        other => {
            eprintln!("unknown task `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
