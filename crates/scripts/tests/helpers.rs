//! Each assembled script, and each batch variant, defines every helper it calls and no helper
//! it never calls.

use std::collections::BTreeSet;
use std::path::Path;

use leasehold_scripts::{Script, SCRIPTS, SCRIPTS_MANY};

/// The names of the top-level `local function`s of `text`.
fn defined(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("local function "))
        .filter_map(|rest| rest.split('(').next())
        .map(|name| name.trim().to_owned())
        .collect()
}

/// How many times `text` calls `name` outside `--` comments (`name(`, not `x.name(` nor
/// `other_name(`); the definition counts as one.
fn uses(text: &str, name: &str) -> usize {
    let call = format!("{name}(");
    text.lines()
        .map(|line| line.find("--").map_or(line, |at| &line[..at]))
        .map(|code| {
            code.match_indices(&call)
                .filter(|(at, _)| {
                    code[..*at]
                        .chars()
                        .last()
                        .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                })
                .count()
        })
        .sum()
}

/// Every script and every batch variant.
fn every_script() -> impl Iterator<Item = &'static Script> {
    SCRIPTS.iter().chain(SCRIPTS_MANY)
}

fn every_helper() -> BTreeSet<String> {
    let lua = Path::new(env!("CARGO_MANIFEST_DIR")).join("lua");
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(lua).unwrap() {
        names.extend(defined(&std::fs::read_to_string(entry.unwrap().path()).unwrap()));
    }
    names
}

#[test]
fn every_script_defines_each_helper_it_calls_before_its_first_use() {
    let helpers = every_helper();
    assert!(helpers.contains("fail") && helpers.contains("fence_next"), "{helpers:?}");
    for script in every_script() {
        let defined = defined(script.source);
        for name in &helpers {
            if uses(script.source, name) == 0 {
                continue;
            }
            let at = script.source.find(&format!("local function {name}("));
            assert!(at.is_some(), "{} calls {name} without defining it", script.name);
            let before = &script.source[..at.unwrap()];
            assert_eq!(uses(before, name), 0, "{} uses {name} before defining it", script.name);
            assert!(defined.contains(name));
        }
    }
}

#[test]
fn no_script_carries_a_helper_it_never_calls() {
    for script in every_script() {
        for name in defined(script.source) {
            if name == "run" && script.source.contains("pcall(run)") {
                continue;
            }
            assert!(uses(script.source, &name) > 1, "{} defines {name} and never uses it", script.name);
        }
    }
}

#[test]
fn a_script_without_fences_carries_no_fence_helper() {
    let reset = SCRIPTS.iter().find(|s| s.name == "limit_reset").unwrap();
    assert!(!reset.source.contains("local function fence_next("));
    let acquire = SCRIPTS.iter().find(|s| s.name == "lock_acquire").unwrap();
    assert!(acquire.source.contains("local function fence_next("));
}

#[test]
fn a_fast_path_runs_before_any_helper_is_made_and_only_where_one_is_written() {
    let lua = Path::new(env!("CARGO_MANIFEST_DIR")).join("lua");
    let mut fast = 0;
    for script in SCRIPTS {
        let path = lua.join(format!("{}_fast.lua", script.name));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        fast += 1;
        // build.rs puts fast_clock.lua where the marker is: every fast path reads the clock so.
        assert!(
            text.contains("--: fast_clock.lua"),
            "{}'s fast path reads the clock its own way",
            script.name
        );
        let text: String = text
            .lines()
            .map(|line| match line.trim().strip_prefix("--: ") {
                Some(part) => std::fs::read_to_string(lua.join(part)).unwrap(),
                None => format!("{line}\n"),
            })
            .collect();
        let at =
            script.source.find(text.trim()).unwrap_or_else(|| panic!("{} lacks its fast path", script.name));
        let first_helper = script.source.find("local function ").unwrap();
        assert!(at < first_helper, "{}'s fast path comes after a helper", script.name);
        assert!(defined(&text).is_empty(), "{}'s fast path defines a helper", script.name);
    }
    assert_eq!(fast, 4, "lock_acquire, lock_release, lock_extend and limit_fixed_window have fast paths");
}

#[test]
fn every_script_has_a_batch_variant_in_the_same_order() {
    assert_eq!(SCRIPTS.len(), SCRIPTS_MANY.len());
    for (script, many) in SCRIPTS.iter().zip(SCRIPTS_MANY) {
        assert_eq!(many.name, format!("{}_many", script.name));
        assert_eq!(many.transition, script.transition);
        assert_eq!(leasehold_scripts::many(script), Some(many));
        assert!(many.source.contains("local function run()\n"), "{}", many.name);
        assert!(many.source.contains("pcall(run)"), "{}", many.name);
    }
}

#[test]
fn a_batch_variant_reads_the_clock_once_and_makes_its_shared_helpers_before_the_loop() {
    for many in SCRIPTS_MANY {
        assert_eq!(many.source.matches("redis.call('TIME')").count(), 1, "{}", many.name);
        let run = many.source.find("local function run()").unwrap();
        let before = &many.source[..run];
        // The clock, the prelude's first helper, is made once per batch wherever it is used.
        if many.source.contains("clock(ARGV[1])") {
            assert!(before.contains("local function clock("), "{}", many.name);
        }
        assert!(before.contains("local KEYS, ARGV = {}, { BATCH_ARGV[1] }"), "{}", many.name);
    }
}

#[test]
fn a_batch_variant_runs_the_scripts_body_unchanged() {
    for (script, many) in SCRIPTS.iter().zip(SCRIPTS_MANY) {
        // The last statement of every script is its body's, and it is in the variant's `run`.
        let last = script.source.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
        let run = many.source.find("local function run()").unwrap();
        assert!(many.source[run..].contains(last), "{}: {last}", many.name);
    }
}
