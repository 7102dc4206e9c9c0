//! Each assembled script defines every helper it calls and no helper it never calls.

use std::collections::BTreeSet;
use std::path::Path;

use leasehold_scripts::SCRIPTS;

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
    for script in SCRIPTS {
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
    for script in SCRIPTS {
        for name in defined(script.source) {
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
        let at =
            script.source.find(text.trim()).unwrap_or_else(|| panic!("{} lacks its fast path", script.name));
        let first_helper = script.source.find("local function ").unwrap();
        assert!(at < first_helper, "{}'s fast path comes after a helper", script.name);
        assert!(defined(&text).is_empty(), "{}'s fast path defines a helper", script.name);
    }
    assert_eq!(fast, 2, "lock_acquire and limit_fixed_window have fast paths");
}
