//! Checks that keep the core pure: what it depends on, and what its code mentions.
//!
//! The core is `no_std`, clockless and float-free (see `/work/shared/STYLE.md`, "The core"). The
//! compiler enforces part of that; these checks catch the rest before review does: a new
//! dependency, a `std::` path in a `cfg(test)` module, a wall clock, randomness, a float.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{cargo, output, Result};

/// The crate being kept pure.
pub const CORE: &str = "leasehold-core";

/// The simulator, kept pure the same way (it runs in the browser as wasm).
pub const SIM: &str = "leasehold-sim";

/// Everything `cargo tree -p leasehold-core -e normal` may list: the core, hashbrown, serde and
/// serde's own crates, including the proc-macro helpers of `serde_derive`.
pub const ALLOWED_DEPENDENCIES: &[&str] = &[
    CORE,
    "hashbrown",
    "serde",
    "serde_core",
    "serde_derive",
    "proc-macro2",
    "quote",
    "syn",
    "unicode-ident",
];

/// What the core's code must not mention, and why.
pub const FORBIDDEN: &[(&str, &str)] = &[
    ("std::", "the core is no_std: use core:: or alloc::"),
    ("SystemTime", "the core reads no clock: take `now: Millis`"),
    ("Instant", "the core reads no clock: take `now: Millis`"),
    ("thread_rng", "the core is deterministic: no randomness"),
    ("f32", "decisions use integers only (Lua and JS doubles must agree)"),
    ("f64", "decisions use integers only (Lua and JS doubles must agree)"),
];

/// Fails when the core's normal dependency tree, on any target, holds a crate not allowed.
pub fn check_dependencies() -> Result {
    let tree =
        output(&mut cargo(["tree", "-p", CORE, "-e", "normal", "--prefix", "none", "--target", "all"]))?;
    let foreign = foreign_crates(&tree);
    if !foreign.is_empty() {
        return Err(format!(
            "{CORE} depends on crates outside the allowed set ({}):\n  {}\n\
             the core depends on nothing with I/O; move the feature to an adapter crate",
            ALLOWED_DEPENDENCIES.join(", "),
            foreign.join("\n  ")
        ));
    }
    let mut seen: Vec<&str> =
        tree.lines().filter_map(|line| line.split_whitespace().next()).filter(|name| *name != CORE).collect();
    seen.sort_unstable();
    seen.dedup();
    println!("{CORE} depends on: {}", seen.join(", "));
    Ok(())
}

/// The lines of a `cargo tree --prefix none` listing whose crate is not allowed.
pub fn foreign_crates(tree: &str) -> Vec<String> {
    let mut foreign: Vec<String> = tree
        .lines()
        .filter(|line| {
            line.split_whitespace().next().is_some_and(|name| !ALLOWED_DEPENDENCIES.contains(&name))
        })
        .map(|line| line.trim_end_matches(" (*)").to_owned())
        .collect();
    foreign.sort();
    foreign.dedup();
    foreign
}

/// Fails when `crates/core/src` mentions a forbidden name in code, or `lib.rs` lacks `#![no_std]`.
pub fn check_core_source(root: &Path) -> Result {
    check_source(root, "crates/core/src")
}

/// Fails when the sources under `dir` (relative to `root`) mention a forbidden name in code, or
/// their `lib.rs` lacks `#![no_std]`.
pub fn check_source(root: &Path, dir: &str) -> Result {
    let src = root.join(dir);
    let mut files = Vec::new();
    rust_files(&src, &mut files)?;
    files.sort();
    let mut findings = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).map_err(|error| format!("{}: {error}", file.display()))?;
        let shown = file.strip_prefix(root).unwrap_or(file).display().to_string();
        for (index, line) in code_only(&text).lines().enumerate() {
            for (word, why) in FORBIDDEN {
                if mentions(line, word) {
                    findings.push(format!("{shown}:{}: `{word}`: {why}\n    {}", index + 1, line.trim()));
                }
            }
        }
    }
    let lib = fs::read_to_string(src.join("lib.rs")).map_err(|error| format!("{dir}/lib.rs: {error}"))?;
    if !code_only(&lib).lines().any(|line| line.trim() == "#![no_std]") {
        findings.push(format!("{dir}/lib.rs: lacks `#![no_std]`"));
    }
    if !findings.is_empty() {
        return Err(format!("{dir} must stay no_std, clockless and float-free:\n{}", findings.join("\n")));
    }
    println!("{} files in {dir}: no std, clock, randomness or float", files.len());
    Ok(())
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) -> Result {
    let entries = fs::read_dir(dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|error| format!("{}: {error}", dir.display()))?.path();
        if path.is_dir() {
            rust_files(&path, into)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            into.push(path);
        }
    }
    Ok(())
}

/// Whether `word` occurs in `line` as a name of its own (`f64` in `1.5f64` or `as f64`, not in
/// `buff64`; `std::` in `std::vec`, not in `no_std::`).
pub fn mentions(line: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    // A float suffix may follow a digit or `_` (`1.0_f64`); other names need a clean start.
    let is_float = word == "f32" || word == "f64";
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        let clean_start = match before {
            None => true,
            Some(c) if is_float => !c.is_alphabetic(),
            Some(c) => !is_ident(c),
        };
        let clean_end = word.ends_with("::") || !after.is_some_and(is_ident);
        clean_start && clean_end
    })
}

/// `source` with comments removed and the insides of string and char literals blanked, line
/// breaks kept so that line numbers still match. Handles `//`, nested `/* */`, `"..."` with
/// escapes, raw strings `r#"..."#` and char literals (telling them from lifetimes).
pub fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    // Keeps the line breaks of skipped text.
    let skip = |out: &mut String, from: usize, to: usize| {
        out.extend(chars[from..to].iter().filter(|&&c| c == '\n'));
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let is_ident = |at: usize| chars[at].is_alphanumeric() || chars[at] == '_';
        // A raw string starts `r"`, `r#"` or `br"`, never in the middle of a name.
        let raw_may_start =
            i == 0 || !is_ident(i - 1) || (chars[i - 1] == 'b' && (i == 1 || !is_ident(i - 2)));
        if c == '/' && next == Some('/') {
            let end = chars[i..].iter().position(|&c| c == '\n').map_or(chars.len(), |n| i + n);
            i = end;
        } else if c == '/' && next == Some('*') {
            let (mut depth, mut j) = (1, i + 2);
            while j < chars.len() && depth > 0 {
                if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            skip(&mut out, i, j);
            i = j;
        } else if c == 'r' && raw_may_start && matches!(next, Some('"' | '#')) {
            let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let body = i + 2 + hashes;
            let closes = |j: usize| chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#'));
            let end = (body..chars.len()).find(|&j| closes(j)).map_or(chars.len(), |j| j + 1 + hashes);
            out.push_str("\"\"");
            skip(&mut out, body, end);
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            skip(&mut out, i + 1, j.min(chars.len()));
            i = j + 1;
        } else if c == '\'' && next == Some('\\') {
            // `'\n'`, `'\''`, `'\u{..}'`: the escaped character is never the closing quote.
            let end = chars.get(i + 3..).and_then(|rest| rest.iter().position(|&c| c == '\''));
            let end = end.map_or(chars.len(), |n| i + 4 + n);
            out.push_str("' '");
            i = end;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("' '");
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(source: &str) -> Vec<&'static str> {
        let code = code_only(source);
        FORBIDDEN
            .iter()
            .filter(|(word, _)| code.lines().any(|line| mentions(line, word)))
            .map(|(w, _)| *w)
            .collect()
    }

    #[test]
    fn floats_and_std_paths_in_code_are_found() {
        assert_eq!(hits("let x = y as f64;"), ["f64"]);
        assert_eq!(hits("let x = 1.5f32;"), ["f32"]);
        assert_eq!(hits("let x = 1.5_f64;"), ["f64"]);
        assert_eq!(hits("use std::time::SystemTime;"), ["std::", "SystemTime"]);
        assert_eq!(hits("let t = Instant::now();"), ["Instant"]);
        assert_eq!(hits("let mut rng = rand::thread_rng();"), ["thread_rng"]);
    }

    #[test]
    fn comments_and_strings_are_not_code() {
        assert!(hits("//! no std::, no SystemTime, no f64").is_empty());
        assert!(hits("/// std::time::Instant is not used").is_empty());
        assert!(hits("let x = 1; // not an f64").is_empty());
        assert!(hits("/* f64 /* nested f32 */ still comment std:: */ let x = 1;").is_empty());
        assert!(hits("let s = \"as f64 \\\" std::\";").is_empty());
        assert!(hits("let s = r#\"a \"quoted\" f64\"#;").is_empty());
        assert!(hits("let c = '\"'; let d = 1; // f64").is_empty());
        assert!(hits("let q = '\\''; let s = \"f64\"; let b = br\"f32\\\";").is_empty());
    }

    #[test]
    fn lookalike_names_are_not_forbidden() {
        assert!(hits("#![no_std]\nlet buff64 = 1; let instants = 2; let f64x = 3;").is_empty());
        assert!(hits("fn f<'a>(x: &'a str) -> &'a str { x }").is_empty());
    }

    #[test]
    fn code_after_a_skipped_literal_keeps_its_line_number() {
        let code = code_only("let s = \"line\none\";\nlet x = 2.0f64;\n");
        assert_eq!(code.lines().position(|line| mentions(line, "f64")), Some(2));
    }

    #[test]
    fn a_foreign_dependency_is_reported_once() {
        let tree = "leasehold-core v0.1.0 (/x)\nhashbrown v0.17.1\nfoldhash v0.2.0\nfoldhash v0.2.0 (*)\n\
                    serde_derive v1.0.229 (proc-macro)\nsyn v3.0.9\n";
        assert_eq!(foreign_crates(tree), ["foldhash v0.2.0"]);
    }

    #[test]
    fn the_allowed_tree_passes() {
        let tree = "leasehold-core v0.1.0 (/x)\nhashbrown v0.17.1\nserde v1.0.229\nserde_core v1.0.229\n\
                    serde_derive v1.0.229 (proc-macro)\nproc-macro2 v1.0.107\nunicode-ident v1.0.27\n\
                    quote v1.0.47\nproc-macro2 v1.0.107 (*)\nsyn v3.0.9\n";
        assert!(foreign_crates(tree).is_empty());
    }
}
