//! Assembles each script from its parts (`lua/<part>.lua`, in order) and keeps, of the
//! top-level `local function`s of those parts, only the ones the script uses.
//!
//! Redis runs a script's whole text on every `EVALSHA`, and each `local function` statement
//! creates a closure there: a helper a script never calls still costs an allocation and its
//! garbage on every call. So the shared prelude and the primitives' helper files stay whole
//! for the reader, and each assembled script carries only what it reaches.
//!
//! A script may also have a fast path, `lua/<name>_fast.lua`, placed right after the prelude's
//! constants and before any helper is made: plain comparisons settle the usual case there and
//! return, and whatever it does not settle falls through to the body, which checks and decides
//! in full.
//!
//! A helper is a top-level block that starts with a line `local function <name>(` and ends at
//! the next line that is exactly `end`; the comment lines right above it go with it. Every
//! other line is kept. A helper is kept when its name appears as a word (outside comments) in
//! a kept line or in a kept helper, so helpers that call helpers bring them along.

use std::collections::BTreeSet;
use std::path::Path;
use std::{env, fs};

/// Every script: its file name and its parts after the prelude, the body last.
const SCRIPTS: &[(&str, &[&str])] = &[
    ("lock_acquire", &["lock.lua", "lock_acquire.lua"]),
    ("lock_release", &["lock.lua", "lock_release.lua"]),
    ("lock_extend", &["lock.lua", "lock_extend.lua"]),
    ("lock_inspect", &["lock.lua", "lock_inspect.lua"]),
    ("semaphore_acquire", &["semaphore.lua", "semaphore_acquire.lua"]),
    ("semaphore_release", &["semaphore.lua", "semaphore_release.lua"]),
    ("semaphore_extend", &["semaphore.lua", "semaphore_extend.lua"]),
    ("semaphore_inspect", &["semaphore.lua", "semaphore_inspect.lua"]),
    ("limit_fixed_window", &["limit_rule.lua", "limit_fixed_window.lua", "limit_check.lua"]),
    ("limit_sliding_log", &["limit_rule.lua", "limit_sliding_log.lua", "limit_check.lua"]),
    ("limit_sliding_counter", &["limit_rule.lua", "limit_sliding_counter.lua", "limit_check.lua"]),
    ("limit_token_bucket", &["limit_rule.lua", "limit_token_bucket.lua", "limit_check.lua"]),
    ("limit_gcra", &["limit_rule.lua", "limit_gcra.lua", "limit_check.lua"]),
    ("limit_cooldown", &["limit_rule.lua", "limit_cooldown.lua", "limit_check.lua"]),
    ("limit_reset", &["limit_reset.lua"]),
    ("hold_reserve", &["hold.lua", "hold_reserve.lua"]),
    ("hold_release", &["hold.lua", "hold_release.lua"]),
    ("hold_extend", &["hold.lua", "hold_extend.lua"]),
    ("hold_check", &["hold.lua", "hold_check.lua"]),
    ("hold_list", &["hold.lua", "hold_list.lua"]),
    ("hold_sweep", &["hold.lua", "hold_sweep.lua"]),
];

/// A run of lines of the concatenated parts: a helper named `name`, or other text.
struct Block {
    helper: Option<String>,
    text: String,
}

fn main() {
    let lua = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("lua");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).to_path_buf();
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=lua");
    for (name, parts) in SCRIPTS {
        let mut source = String::new();
        for part in std::iter::once(&"prelude.lua").chain(parts.iter()) {
            let path = lua.join(part);
            println!("cargo:rerun-if-changed={}", path.display());
            source.push_str(&fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        }
        let mut blocks = blocks(&source);
        // A fast path that is added later changes the directory, which is watched above.
        let fast = lua.join(format!("{name}_fast.lua"));
        if let Ok(text) = fs::read_to_string(&fast) {
            println!("cargo:rerun-if-changed={}", fast.display());
            blocks.insert(1, Block { helper: None, text });
        }
        let assembled = shake(&blocks);
        fs::write(out.join(format!("{name}.lua")), assembled).expect("write an assembled script");
    }
}

fn helper_name(line: &str) -> Option<String> {
    let rest = line.strip_prefix("local function ")?;
    let end = rest.find('(')?;
    Some(rest[..end].trim().to_owned())
}

/// The source cut into helpers (with the comment lines just above them) and other text.
fn blocks(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut other: Vec<&str> = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        let Some(name) = helper_name(line) else {
            other.push(line);
            continue;
        };
        let comments = other.iter().rev().take_while(|l| l.starts_with("--")).count();
        let mut text: String = other.drain(other.len() - comments..).map(|l| format!("{l}\n")).collect();
        blocks.push(Block { helper: None, text: other.drain(..).map(|l| format!("{l}\n")).collect() });
        text.push_str(line);
        text.push('\n');
        let mut closed = false;
        for line in lines.by_ref() {
            text.push_str(line);
            text.push('\n');
            if line == "end" {
                closed = true;
                break;
            }
        }
        // A helper that never meets its `end` line would swallow, and might drop, the rest.
        assert!(closed, "helper `{name}` has no line `end` closing it");
        blocks.push(Block { helper: Some(name), text });
    }
    blocks.push(Block { helper: None, text: other.iter().map(|l| format!("{l}\n")).collect() });
    blocks
}

/// The words of `text` outside `--` comments.
fn words(text: &str) -> BTreeSet<&str> {
    text.lines()
        .map(|line| line.find("--").map_or(line, |at| &line[..at]))
        .flat_map(|code| code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|word| !word.is_empty())
        .collect()
}

/// The blocks' text without the helpers nothing kept refers to.
fn shake(blocks: &[Block]) -> String {
    let mut kept: Vec<bool> = blocks.iter().map(|b| b.helper.is_none()).collect();
    loop {
        let used: BTreeSet<&str> =
            blocks.iter().zip(&kept).filter(|(_, k)| **k).flat_map(|(b, _)| words(&b.text)).collect();
        let mut grew = false;
        for (block, keep) in blocks.iter().zip(kept.iter_mut()) {
            if let Some(name) = &block.helper {
                if !*keep && used.contains(name.as_str()) {
                    *keep = true;
                    grew = true;
                }
            }
        }
        if !grew {
            break;
        }
    }
    blocks.iter().zip(&kept).filter(|(_, k)| **k).map(|(b, _)| b.text.as_str()).collect()
}
