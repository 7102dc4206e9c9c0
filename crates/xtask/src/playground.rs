//! `cargo xtask playground [--port N]`: builds the browser playground and serves `www/` on
//! 127.0.0.1, printing its URL.
//!
//! 1. installs what is missing: the wasm target, the pinned wasm-bindgen CLI, `www/node_modules`;
//! 2. `cargo build -p leasehold-playground --target wasm32-unknown-unknown --release`;
//! 3. `wasm-bindgen --target web` into `www/pkg/` (gitignored);
//! 4. `node www/scripts/serve.mjs`: a static file server on loopback only (the one the
//!    end-to-end tests use), until Ctrl-C.
//!
//! `cargo xtask test www` runs [`build`], builds the CLI, then `npm test` in `www/`.

use std::fs;
use std::path::Path;

use crate::install::{self, Installer};
use crate::util::{cargo, cmd, run, Result};

/// The crate compiled to wasm for the page.
pub const CRATE: &str = "leasehold-playground";
/// The name of its wasm file, as cargo and wasm-bindgen write it.
const OUT_NAME: &str = "leasehold_playground";

/// `cargo xtask playground [--port N]`.
pub fn command(root: &Path, args: &[String]) -> Result {
    let port = match args {
        [] => "8080".to_owned(),
        [flag, port] if flag == "--port" && port.parse::<u16>().is_ok() => port.clone(),
        _ => return Err("usage: cargo xtask playground [--port N]  (0: any free port)".to_owned()),
    };
    build(root)?;
    run(cmd("node", ["scripts/serve.mjs", "--port", &port]).current_dir(root.join("www")))
}

/// Builds `www/pkg/` from the playground crate.
pub fn build(root: &Path) -> Result {
    let version = install::wasm_bindgen_requirement(root)?
        .ok_or("bindings/Cargo.toml does not depend on wasm-bindgen")?;
    let mut installer = Installer::new();
    installer.rust_target(install::WASM_TARGET)?;
    installer.wasm_bindgen_cli(&version)?;
    installer.node_modules(&root.join("www"))?;
    run(&mut cargo(["build", "-p", CRATE, "--target", install::WASM_TARGET, "--release"]))?;
    let wasm = root.join(format!("target/{}/release/{OUT_NAME}.wasm", install::WASM_TARGET));
    let pkg = root.join("www/pkg");
    if pkg.exists() {
        fs::remove_dir_all(&pkg).map_err(|error| format!("cannot clear {}: {error}", pkg.display()))?;
    }
    run(cmd("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-name", OUT_NAME, "--out-dir"])
        .arg(&pkg)
        .arg(&wasm))?;
    let size = fs::metadata(pkg.join(format!("{OUT_NAME}_bg.wasm"))).map_err(|e| e.to_string())?.len();
    println!("built {} ({size} bytes of wasm)", pkg.display());
    Ok(())
}
