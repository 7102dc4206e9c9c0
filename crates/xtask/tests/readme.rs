//! The README promises things the repository must keep true: a quick start of exactly two
//! commands, a CI script that runs the same test command, and a layout that names only paths
//! that exist.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn readme() -> String {
    fs::read_to_string(root().join("README.md")).expect("README.md is readable")
}

/// The lines of the README section under `## {title}`, up to the next `## ` heading.
fn section(text: &str, title: &str) -> Vec<String> {
    let heading = format!("## {title}");
    let mut lines = text.lines().skip_while(|line| line.trim() != heading);
    assert!(lines.next().is_some(), "README has no `{heading}` section");
    lines.take_while(|line| !line.starts_with("## ")).map(str::to_owned).collect()
}

/// The lines of the first fenced code block among `lines`.
fn first_code_block(lines: &[String]) -> Vec<String> {
    let mut inside = lines.iter().skip_while(|line| !line.starts_with("```"));
    assert!(inside.next().is_some(), "the section has no code block");
    inside.take_while(|line| !line.starts_with("```")).map(|line| line.trim().to_owned()).collect()
}

#[test]
fn quick_start_is_exactly_demo_then_test() {
    let block = first_code_block(&section(&readme(), "Quick start"));
    let commands: Vec<&str> = block.iter().map(String::as_str).filter(|line| !line.is_empty()).collect();
    assert_eq!(commands, ["cargo xtask demo", "cargo xtask test"]);
}

#[test]
fn ci_runs_the_quick_start_test_command() {
    let script = fs::read_to_string(root().join(".ci/run")).expect(".ci/run is readable");
    assert!(script.starts_with("#!/usr/bin/env bash\n"), ".ci/run must be a bash script");
    assert!(script.lines().any(|line| line.trim() == "set -euo pipefail"), ".ci/run must fail fast");
    let commands: Vec<&str> = script
        .lines()
        .map(str::trim)
        .filter(|line| {
            !line.is_empty()
                && !line.starts_with('#')
                && !line.starts_with("set ")
                && !line.starts_with("cd ")
        })
        .collect();
    assert_eq!(
        commands,
        ["exec cargo xtask test"],
        ".ci/run must run exactly what the README's quick start runs"
    );
}

#[cfg(unix)]
#[test]
fn ci_script_is_executable() {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(root().join(".ci/run")).expect(".ci/run exists").permissions().mode();
    assert!(mode & 0o111 != 0, ".ci/run is not executable");
}

#[test]
fn every_path_in_the_layout_exists() {
    let layout = section(&readme(), "Layout");
    let mut named = 0;
    for line in &layout {
        // Each entry starts `- `path`:`; the path is its first code span.
        let Some(rest) = line.strip_prefix("- `") else { continue };
        let path = rest.split('`').next().unwrap_or_default();
        assert!(root().join(path).exists(), "README's layout names `{path}`, which does not exist");
        named += 1;
    }
    assert!(named >= 5, "README's layout lists only {named} paths");
}
