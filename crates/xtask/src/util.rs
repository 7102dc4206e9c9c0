//! Plumbing every task shares: where the repository is, running commands, finding programs.
//!
//! Every child process gets a closed stdin: nothing xtask starts may stop to ask a question,
//! whether or not `CI=true` is set.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A failure, already worded for the person reading the terminal.
pub type Result<T = ()> = core::result::Result<T, String>;

/// The repository root: `crates/xtask` sits two levels below it.
pub fn repo_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.ancestors().nth(2).unwrap_or(manifest_dir).to_path_buf()
}

/// Whether we run under CI (`CI=true`, as CI services and our own CI set it).
pub fn is_ci() -> bool {
    env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

/// A `cargo` command using the same cargo that runs xtask.
pub fn cargo<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.args(args).current_dir(repo_root());
    command
}

/// A command for `program` with `args`.
pub fn cmd<I, S>(program: &str, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(program);
    command.args(args);
    command
}

/// The command as a person would type it, for logs and error messages.
pub fn shown(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|arg| arg.to_string_lossy().into_owned()));
    let mut line = words.join(" ");
    if let Some(program) = Path::new(&words[0]).file_name() {
        // `$CARGO` is an absolute path; show it as the `cargo` a person would type.
        if program == "cargo" {
            line = line.replacen(&words[0], "cargo", 1);
        }
    }
    match command.get_current_dir() {
        Some(dir) if dir != repo_root() => format!("{line}    (in {})", dir.display()),
        _ => line,
    }
}

/// Runs `command` with its output going straight to the terminal; fails unless it exits 0.
pub fn run(command: &mut Command) -> Result {
    println!("$ {}", shown(command));
    let status = command
        .stdin(Stdio::null())
        .status()
        .map_err(|error| format!("could not start `{}`: {error}", shown(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", shown(command)))
    }
}

/// Runs `command` and returns its stdout; on failure the error carries its stderr.
pub fn output(command: &mut Command) -> Result<String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("could not start `{}`: {error}", shown(command)))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "`{}` failed ({}):\n{}",
            shown(command),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        ))
    }
}

/// Runs `command` silently and says whether it exited 0 (a probe: "is this installed?").
pub fn succeeds(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The first executable called `program` on `PATH`.
pub fn on_path(program: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path).map(|dir| dir.join(program)).find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Milliseconds as seconds with three decimals: `898.750s`. Integer arithmetic, no rounding.
pub fn seconds(ms: u64) -> String {
    format!("{}.{:03}s", ms / 1000, ms % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_keep_every_millisecond() {
        assert_eq!(seconds(0), "0.000s");
        assert_eq!(seconds(898_750), "898.750s");
        assert_eq!(seconds(1_005), "1.005s");
    }

    #[test]
    fn a_command_is_shown_as_typed() {
        let command = cmd("rustup", ["target", "add", "wasm32-unknown-unknown"]);
        assert_eq!(shown(&command), "rustup target add wasm32-unknown-unknown");
    }

    #[test]
    fn the_repo_root_holds_the_workspace_manifest() {
        assert!(repo_root().join("Cargo.toml").is_file());
        assert!(repo_root().join("crates/xtask").is_dir());
    }
}
