//! `cargo xtask test [STEP...]`: everything CI checks, in order, stopping at the first failure.
//!
//! Each step prints a header, the commands it runs and how long it took; the last line counts
//! the steps (`steps: 9 passed, 0 failed`). Name steps to run only those, e.g.
//! `cargo xtask test fmt clippy`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use crate::install;
use crate::playground;
use crate::purity;
use crate::util::{cargo, cmd, repo_root, run, succeeds, Result};
use crate::wasm;

/// One check: its name on the command line, what it does, and how.
struct Step {
    name: &'static str,
    about: &'static str,
    run: fn(&Path) -> Result,
}

/// The steps, in the order they run.
const STEPS: &[Step] = &[
    Step { name: "install", about: "install what is missing", run: install::ensure },
    Step { name: "fmt", about: "formatting matches rustfmt.toml", run: fmt },
    Step { name: "clippy", about: "no clippy warnings on any target", run: clippy },
    Step { name: "wasm", about: "the core and the simulator build for wasm32-unknown-unknown", run: wasm },
    Step { name: "deps", about: "the core depends only on hashbrown and serde", run: deps },
    Step {
        name: "purity",
        about: "the core and the simulator are no_std, clockless and float-free",
        run: purity,
    },
    Step { name: "tests", about: "every test of the workspace, doc tests included", run: tests },
    Step { name: "js", about: "build the npm package, then run its node:test suite", run: js },
    Step { name: "www", about: "build the playground, then drive it in headless Chromium", run: www },
];

/// Runs the named steps (all when none are named) and prints the tally.
pub fn run_steps(names: &[String]) -> ExitCode {
    let chosen: Vec<&Step> = if names.is_empty() {
        STEPS.iter().collect()
    } else {
        let unknown: Vec<&String> =
            names.iter().filter(|name| !STEPS.iter().any(|s| s.name == *name)).collect();
        if !unknown.is_empty() {
            let known: Vec<&str> = STEPS.iter().map(|step| step.name).collect();
            eprintln!("unknown step {unknown:?}; the steps are: {}", known.join(" "));
            return ExitCode::from(2);
        }
        STEPS.iter().filter(|step| names.iter().any(|name| name == step.name)).collect()
    };
    let root = repo_root();
    let (mut passed, mut failed) = (0, 0);
    for (index, step) in chosen.iter().enumerate() {
        println!("\n==> [{}/{}] {}: {}", index + 1, chosen.len(), step.name, step.about);
        let started = Instant::now();
        match (step.run)(&root) {
            Ok(()) => {
                passed += 1;
                println!("--> {} ok ({:.1?})", step.name, started.elapsed());
            }
            Err(error) => {
                failed += 1;
                println!("--> {} FAILED ({:.1?})", step.name, started.elapsed());
                eprintln!("\nerror in step `{}`: {error}", step.name);
                let rest: Vec<&str> = chosen[index + 1..].iter().map(|step| step.name).collect();
                if !rest.is_empty() {
                    println!("not run: {}", rest.join(", "));
                }
                break;
            }
        }
    }
    let skipped = chosen.len() - passed - failed;
    let skipped = if skipped > 0 { format!(", {skipped} skipped") } else { String::new() };
    println!("\nsteps: {passed} passed, {failed} failed{skipped}");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn fmt(_: &Path) -> Result {
    run(&mut cargo(["fmt", "--all", "--check"])).map_err(|error| format!("{error}\nfix: cargo fmt --all"))
}

fn clippy(_: &Path) -> Result {
    run(&mut cargo(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))
}

fn wasm(_: &Path) -> Result {
    run(&mut cargo(["build", "-p", purity::CORE, "-p", purity::SIM, "--target", install::WASM_TARGET]))
}

fn deps(_: &Path) -> Result {
    purity::check_dependencies()
}

fn purity(root: &Path) -> Result {
    purity::check_core_source(root)?;
    purity::check_source(root, "crates/sim/src")
}

/// nextest when it is installed (it does not run doc tests, so those run after it), else
/// `cargo test`, which runs both.
fn tests(_: &Path) -> Result {
    if succeeds(&mut cargo(["nextest", "--version"])) {
        run(&mut cargo(["nextest", "run", "--workspace", "--no-fail-fast"]))?;
        run(&mut cargo(["test", "--workspace", "--doc"]))
    } else {
        run(&mut cargo(["test", "--workspace"]))
    }
}

/// Builds `bindings/pkg` (`cargo xtask wasm`) and runs `npm test` in `bindings/`: vectors on the
/// built package, bad input, clock, withLock, the middleware over HTTP, the TypeScript
/// consumer, the packaging test and the size budget.
fn js(root: &Path) -> Result {
    wasm::build(root)?;
    run(cmd("npm", ["test"]).current_dir(root.join("bindings")))
}

/// Builds `www/pkg` (`cargo xtask playground`'s build) and the CLI, then runs `npm test` in
/// `www/`: the page in headless Chromium against `leasehold simulate` and `leasehold replay`
/// (in memory and on a redis-server of its own).
fn www(root: &Path) -> Result {
    playground::build(root)?;
    run(&mut cargo(["build", "-p", "leasehold-cli"]))?;
    run(cmd("npm", ["test"]).env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1").current_dir(root.join("www")))
}
