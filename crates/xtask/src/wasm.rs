//! `cargo xtask wasm`: builds the npm package `leasehold` into `bindings/pkg/`, in one command.
//!
//! 1. installs what is missing: the wasm target, the wasm-bindgen CLI at the version
//!    `bindings/Cargo.toml` pins, and `bindings/node_modules` (TypeScript);
//! 2. `cargo build -p leasehold-wasm --target wasm32-unknown-unknown --profile wasm-release`;
//! 3. `wasm-bindgen` twice: `--target nodejs` (CommonJS, for Node) and `--target web` (ESM, for
//!    browsers and `www/`), then `wasm-opt -Oz` from the npm package `binaryen` (a
//!    devDependency) on each: about a tenth smaller;
//! 4. `tsc` twice over `bindings/js/`: CommonJS into `pkg/cjs/`, ESM into `pkg/esm/`, and the
//!    declarations into `pkg/types/`;
//! 5. the hand-written entry points and `package.json` from `bindings/npm/`;
//! 6. `pkg/scripts.json`: every Lua script of `leasehold-scripts` (name, the core transition it
//!    ports, SHA-1, source) for the Redis driver, which the CommonJS entry hands over. The
//!    scripts stay out of the wasm (they would double its size) and out of the repository's
//!    JS: this build is their only way into the package.
//!
//! `pkg/` is rebuilt from nothing each time; the last line gives the wasm's size.

use std::fs;
use std::path::Path;

use crate::install::{self, Installer};
use crate::util::{cargo, cmd, run, Result};

/// The crate compiled to wasm.
pub const CRATE: &str = "leasehold-wasm";
/// The cargo profile of the wasm build (root `Cargo.toml`): optimized for size.
pub const PROFILE: &str = "wasm-release";
/// The wasm features rustc enables by default for `wasm32-unknown-unknown`, which `wasm-opt`
/// must be told to keep (and no others, so the output runs wherever rustc's does).
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];
/// The file name wasm-bindgen gives its output.
const OUT_NAME: &str = "leasehold_wasm";

/// Builds `bindings/pkg/` for the repository at `root`.
pub fn build(root: &Path) -> Result {
    let bindings = root.join("bindings");
    let version = install::wasm_bindgen_requirement(root)?
        .ok_or("bindings/Cargo.toml does not depend on wasm-bindgen")?;
    let mut installer = Installer::new();
    installer.rust_target(install::WASM_TARGET)?;
    installer.wasm_bindgen_cli(&version)?;
    installer.node_modules(&bindings)?;

    run(&mut cargo(["build", "-p", CRATE, "--target", install::WASM_TARGET, "--profile", PROFILE]))?;
    let wasm = root.join(format!("target/{}/{PROFILE}/{OUT_NAME}.wasm", install::WASM_TARGET));

    let pkg = bindings.join("pkg");
    if pkg.exists() {
        fs::remove_dir_all(&pkg).map_err(|error| format!("cannot clear {}: {error}", pkg.display()))?;
    }
    for (target, dir, kind) in [("nodejs", "wasm/node", "commonjs"), ("web", "wasm/web", "module")] {
        let out = pkg.join(dir);
        run(cmd("wasm-bindgen", ["--target", target, "--no-typescript", "--remove-name-section"])
            .args(["--remove-producers-section", "--out-name", OUT_NAME, "--out-dir"])
            .arg(&out)
            .arg(&wasm))?;
        let bindgen_output = out.join(format!("{OUT_NAME}_bg.wasm"));
        run(cmd("node", [&bindings.join("node_modules/binaryen/bin/wasm-opt")])
            .args(["-Oz", "--strip-debug", "--strip-producers"])
            .args(WASM_FEATURES)
            .arg(&bindgen_output)
            .arg("-o")
            .arg(&bindgen_output))?;
        write(&out.join("package.json"), &format!("{{\"type\": \"{kind}\"}}\n"))?;
    }

    let tsc = bindings.join("node_modules/typescript/bin/tsc");
    run(cmd("node", [&tsc]).args(["-p", "tsconfig.json"]).current_dir(&bindings))?;
    run(cmd("node", [&tsc]).args(["-p", "tsconfig.cjs.json"]).current_dir(&bindings))?;
    write(&pkg.join("esm/package.json"), "{\"type\": \"module\"}\n")?;
    write(&pkg.join("cjs/package.json"), "{\"type\": \"commonjs\"}\n")?;

    let npm = bindings.join("npm");
    for entry in fs::read_dir(&npm).map_err(|error| format!("{}: {error}", npm.display()))? {
        let path = entry.map_err(|error| error.to_string())?.path();
        if let Some(name) = path.file_name() {
            fs::copy(&path, pkg.join(name)).map_err(|error| format!("{}: {error}", path.display()))?;
        }
    }
    write(&pkg.join("scripts.json"), &scripts_json())?;
    let size =
        fs::metadata(pkg.join("wasm/node/leasehold_wasm_bg.wasm")).map_err(|error| error.to_string())?.len();
    println!("built {} ({size} bytes of wasm)", pkg.display());
    Ok(())
}

/// `leasehold_scripts::SCRIPTS` as JSON: `[{"name", "transition", "sha1", "source"}, ...]`, the
/// SHA-1 being the one `SCRIPT LOAD` answers and `EVALSHA` takes.
pub fn scripts_json() -> String {
    let scripts: Vec<serde_json::Value> = leasehold_scripts::SCRIPTS
        .iter()
        .map(|script| {
            serde_json::json!({
                "name": script.name,
                "transition": script.transition,
                "sha1": sha1_smol::Sha1::from(script.source).digest().to_string(),
                "source": script.source,
            })
        })
        .collect();
    serde_json::Value::Array(scripts).to_string() + "\n"
}

fn write(path: &Path, text: &str) -> Result {
    fs::write(path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))
}
