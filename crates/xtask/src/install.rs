//! Installs what the checks need and the machine lacks. Idempotent: each installer first looks
//! for what it would install and returns at once when it is there.
//!
//! [`ensure`] decides what the repository needs from what it contains, so a later change only
//! adds files and the install follows:
//!
//! | the repository has                              | installed                                  |
//! |-------------------------------------------------|--------------------------------------------|
//! | always                                          | `wasm32-unknown-unknown`, rustfmt, clippy |
//! | `bindings/Cargo.toml` naming `wasm-bindgen`     | wasm-bindgen CLI at the exact pinned version |
//! | `bindings/package.json`                         | `npm ci` in `bindings/`                    |
//! | a workspace crate named `leasehold-redis`       | `redis-server` (Debian package)            |
//! | `www/package.json`                              | `npm ci` in `www/`, Chromium + ChromeDriver |

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use crate::util::{cargo, cmd, is_ci, on_path, output, run, Result};

/// The target the core must build for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The toolchain components the checks run.
pub const COMPONENTS: &[&str] = &["rustfmt", "clippy"];
/// The crate whose presence means tests need a real Redis server.
pub const REDIS_CRATE: &str = "leasehold-redis";

/// Installs everything the repository at `root` needs for `cargo xtask test`.
pub fn ensure(root: &Path) -> Result {
    let mut installer = Installer::new();
    installer.rust_target(WASM_TARGET)?;
    for component in COMPONENTS {
        installer.rust_component(component)?;
    }
    let bindings_manifest = root.join("bindings/Cargo.toml");
    if bindings_manifest.is_file() {
        if let Some(version) = wasm_bindgen_requirement(root)? {
            installer.wasm_bindgen_cli(&version)?;
        }
    }
    if root.join("bindings/package.json").is_file() {
        installer.node_modules(&root.join("bindings"))?;
    }
    if workspace_has_crate(REDIS_CRATE)? {
        installer.redis_server()?;
    }
    if root.join("www/package.json").is_file() {
        installer.node_modules(&root.join("www"))?;
        installer.chromium()?;
    }
    Ok(())
}

/// Installs things, remembering what it already did this run (`apt-get update` runs once).
#[derive(Debug, Default)]
pub struct Installer {
    apt_updated: bool,
}

impl Installer {
    /// An installer that has done nothing yet.
    pub fn new() -> Installer {
        Installer::default()
    }

    /// `rustup target add <target>` unless `rustup target list --installed` has it.
    pub fn rust_target(&mut self, target: &str) -> Result {
        let installed = output(&mut cmd("rustup", ["target", "list", "--installed"]))
            .map_err(|error| format!("cannot list installed targets (is rustup on PATH?): {error}"))?;
        if installed.lines().any(|line| line.trim() == target) {
            return have(&format!("target {target}"));
        }
        run(&mut cmd("rustup", ["target", "add", target]))
    }

    /// `rustup component add <component>` unless it is installed.
    pub fn rust_component(&mut self, component: &str) -> Result {
        let installed = output(&mut cmd("rustup", ["component", "list", "--installed"]))
            .map_err(|error| format!("cannot list installed components (is rustup on PATH?): {error}"))?;
        let prefix = format!("{component}-");
        if installed.lines().map(str::trim).any(|line| line == component || line.starts_with(&prefix)) {
            return have(&format!("component {component}"));
        }
        run(&mut cmd("rustup", ["component", "add", component]))
    }

    /// `cargo install wasm-bindgen-cli --version <version>` unless `wasm-bindgen --version`
    /// already prints that version. Deliberately without `--locked`: cargo resolves the CLI's
    /// dependencies afresh rather than from the lock file shipped in its crate.
    pub fn wasm_bindgen_cli(&mut self, version: &str) -> Result {
        if let Ok(printed) = output(&mut cmd("wasm-bindgen", ["--version"])) {
            if printed.split_whitespace().nth(1) == Some(version) {
                return have(&format!("wasm-bindgen {version}"));
            }
        }
        run(&mut cargo(["install", "wasm-bindgen-cli", "--version", version]))
    }

    /// `redis-server` from Debian's packages unless it is on `PATH`.
    pub fn redis_server(&mut self) -> Result {
        if on_path("redis-server").is_some() {
            return have("redis-server");
        }
        self.apt_install(&["redis-server"])
    }

    /// Debian's Chromium and ChromeDriver unless both are on `PATH`.
    pub fn chromium(&mut self) -> Result {
        if on_path("chromium").is_some() && on_path("chromedriver").is_some() {
            return have("chromium, chromedriver");
        }
        self.apt_install(&["chromium", "chromium-driver"])
    }

    /// `npm ci` in `dir` unless `node_modules` is at least as new as `package-lock.json`.
    pub fn node_modules(&mut self, dir: &Path) -> Result {
        let lock = dir.join("package-lock.json");
        if !lock.is_file() {
            return Err(format!(
                "{} has no package-lock.json: run `npm install` there once and commit the lock file",
                dir.display()
            ));
        }
        let installed = dir.join("node_modules/.package-lock.json");
        if modified(&installed) >= modified(&lock)
            && modified(&installed) >= modified(&dir.join("package.json"))
        {
            return have(&format!("node modules in {}", dir.display()));
        }
        if on_path("npm").is_none() {
            return Err("npm is not on PATH: install Node.js (with npm) first".to_owned());
        }
        // No npm package may fetch a browser: the tests drive Debian's Chromium.
        run(cmd("npm", ["ci", "--no-audit", "--no-fund"])
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .current_dir(dir))
    }

    /// `apt-get install -y <packages>`, after one `apt-get update` per run; as root directly,
    /// otherwise through sudo (never prompting under `CI=true`).
    pub fn apt_install(&mut self, packages: &[&str]) -> Result {
        let privilege = Privilege::detect();
        if !self.apt_updated {
            run(&mut privilege.command(&["apt-get", "update"])?)?;
            self.apt_updated = true;
        }
        let mut args = vec!["apt-get", "install", "-y"];
        args.extend_from_slice(packages);
        run(&mut privilege.command(&args)?)
    }
}

/// How to run a command as root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Privilege {
    Root,
    Sudo,
    Missing,
}

impl Privilege {
    fn detect() -> Privilege {
        let uid = output(&mut cmd("id", ["-u"])).unwrap_or_default();
        if uid.trim() == "0" {
            Privilege::Root
        } else if on_path("sudo").is_some() {
            Privilege::Sudo
        } else {
            Privilege::Missing
        }
    }

    /// `args` as a root command, with apt kept from asking questions.
    fn command(self, args: &[&str]) -> Result<Command> {
        let (program, rest) = args.split_first().ok_or("empty command")?;
        match self {
            Privilege::Root => {
                let mut command = cmd(program, rest);
                command.env("DEBIAN_FRONTEND", "noninteractive");
                Ok(command)
            }
            Privilege::Sudo => {
                let mut sudo_args: Vec<&str> = if is_ci() { vec!["-n"] } else { vec![] };
                sudo_args.extend(["env", "DEBIAN_FRONTEND=noninteractive"]);
                sudo_args.extend(args);
                Ok(cmd("sudo", sudo_args))
            }
            Privilege::Missing => {
                Err(format!("`{}` needs root: run as root or install sudo", args.join(" ")))
            }
        }
    }
}

/// Whether the workspace has a member crate called `name` (`cargo metadata`, no network).
pub fn workspace_has_crate(name: &str) -> Result<bool> {
    let metadata = output(&mut cargo(["metadata", "--no-deps", "--format-version", "1"]))?;
    Ok(metadata.contains(&format!("\"name\":\"{name}\"")))
}

/// The exact wasm-bindgen version the bindings pin, if they use wasm-bindgen at all.
///
/// Looks in `bindings/Cargo.toml`, then in `[workspace.dependencies]` of the root manifest. Using
/// wasm-bindgen without an exact `=x.y.z` pin is an error: the CLI must match the library.
pub fn wasm_bindgen_requirement(root: &Path) -> Result<Option<String>> {
    let read = |path: &Path| fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()));
    let bindings = read(&root.join("bindings/Cargo.toml"))?;
    if !bindings.lines().any(|line| dependency_key(line) == Some("wasm-bindgen")) {
        return Ok(None);
    }
    let workspace = read(&root.join("Cargo.toml"))?;
    match exact_pin(&bindings, "wasm-bindgen").or_else(|| exact_pin(&workspace, "wasm-bindgen")) {
        Some(version) => Ok(Some(version)),
        None => Err("bindings use wasm-bindgen without an exact pin: write `wasm-bindgen = \"=0.2.x\"` so \
                     the CLI installed here can match it"
            .to_owned()),
    }
}

/// The version in a `name = "=x.y.z"` or `name = { version = "=x.y.z", .. }` line of `manifest`.
pub fn exact_pin(manifest: &str, name: &str) -> Option<String> {
    manifest.lines().filter(|line| dependency_key(line) == Some(name)).find_map(|line| {
        let start = line.find("\"=")? + 2;
        let len = line[start..].find('"')?;
        Some(line[start..start + len].trim().to_owned())
    })
}

/// The key of a TOML `key = value` line, ignoring comments.
fn dependency_key(line: &str) -> Option<&str> {
    let line = line.trim_start();
    if line.starts_with('#') {
        return None;
    }
    let (key, _) = line.split_once('=')?;
    Some(key.trim().trim_matches('"'))
}

fn have(what: &str) -> Result {
    println!("have {what}");
    Ok(())
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|meta| meta.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_pin_is_read_in_either_spelling() {
        assert_eq!(exact_pin("wasm-bindgen = \"=0.2.100\"\n", "wasm-bindgen").as_deref(), Some("0.2.100"));
        let table = "[dependencies]\nwasm-bindgen = { version = \"=0.2.99\", default-features = false }\n";
        assert_eq!(exact_pin(table, "wasm-bindgen").as_deref(), Some("0.2.99"));
    }

    #[test]
    fn a_loose_requirement_or_a_lookalike_is_not_a_pin() {
        assert_eq!(exact_pin("wasm-bindgen = \"0.2\"\n", "wasm-bindgen"), None);
        assert_eq!(exact_pin("wasm-bindgen-test = \"=0.3.0\"\n", "wasm-bindgen"), None);
        assert_eq!(exact_pin("# wasm-bindgen = \"=0.2.1\"\n", "wasm-bindgen"), None);
    }

    #[test]
    fn a_node_dir_without_a_lock_file_is_refused() {
        let dir = std::env::temp_dir().join(format!("xtask-no-lock-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let error = Installer::new().node_modules(&dir).unwrap_err();
        fs::remove_dir_all(&dir).unwrap();
        assert!(error.contains("package-lock.json"), "{error}");
    }
}
