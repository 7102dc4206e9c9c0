//! Replays every conformance vector in `tests/vectors` on the in-memory engine.

extern crate alloc;

use alloc::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use leasehold_core::request::OPERATIONS;
use leasehold_core::vector::VectorFile;
use leasehold_core::Engine;
use serde_json::{json, Value};

const MINIMUM_CASES: usize = 150;

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

fn vector_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(vector_dir())
        .expect("tests/vectors is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

struct Tally {
    cases: usize,
    steps: usize,
    operations: BTreeSet<&'static str>,
    errors: BTreeSet<String>,
}

fn replay(path: &PathBuf, tally: &mut Tally, failures: &mut Vec<String>) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => return failures.push(format!("{name}: unreadable: {error}")),
    };
    let file: VectorFile<Value> = match serde_json::from_str(&text) {
        Ok(file) => file,
        Err(error) => return failures.push(format!("{name}: malformed vector file: {error}")),
    };
    if file.cases.is_empty() {
        failures.push(format!("{name}: has no cases"));
    }
    for case in &file.cases {
        tally.cases += 1;
        if case.steps.is_empty() {
            failures.push(format!("{name} / {}: has no steps", case.name));
        }
        let mut engine = Engine::new();
        for (index, step) in case.steps.iter().enumerate() {
            tally.steps += 1;
            tally.operations.insert(step.op.name());
            let got = match engine.apply(&step.op, step.now) {
                Ok(outcome) => json!({ "ok": outcome }),
                Err(error) => {
                    tally.errors.insert(error_code(&error));
                    json!({ "err": error })
                }
            };
            if got != step.expect {
                failures.push(format!(
                    "{name} / {} / step {index} ({} at {}):\n    expected {}\n    got      {}",
                    case.name,
                    step.op.name(),
                    step.now.0,
                    step.expect,
                    got
                ));
            }
        }
    }
}

fn error_code(error: &leasehold_core::Error) -> String {
    serde_json::to_value(error).unwrap()["code"].as_str().unwrap().to_owned()
}

#[test]
fn every_vector_file_replays_with_identical_outcomes() {
    let files = vector_files();
    assert!(!files.is_empty(), "no vector files found in {}", vector_dir().display());
    let mut tally = Tally { cases: 0, steps: 0, operations: BTreeSet::new(), errors: BTreeSet::new() };
    let mut failures = Vec::new();
    for path in &files {
        replay(path, &mut tally, &mut failures);
    }
    assert!(failures.is_empty(), "{} vector failures:\n{}", failures.len(), failures.join("\n"));
    let missing: Vec<_> = OPERATIONS.iter().filter(|op| !tally.operations.contains(*op)).collect();
    assert!(missing.is_empty(), "operations no vector exercises: {missing:?}");
    println!("{} files, {} cases, {} steps replayed", files.len(), tally.cases, tally.steps);
    assert!(
        tally.cases >= MINIMUM_CASES,
        "only {} vector cases; at least {MINIMUM_CASES} are required",
        tally.cases
    );
}

#[test]
fn every_error_code_is_exercised_by_some_vector() {
    let mut tally = Tally { cases: 0, steps: 0, operations: BTreeSet::new(), errors: BTreeSet::new() };
    let mut failures = Vec::new();
    for path in &vector_files() {
        replay(path, &mut tally, &mut failures);
    }
    for code in ["empty", "too_long", "out_of_range", "too_many", "duplicate", "overflow"] {
        assert!(tally.errors.contains(code), "no vector produces the error {code:?}");
    }
}

#[test]
fn a_malformed_vector_file_is_reported_not_skipped() {
    let broken = r#"{"about": "x", "cases": [{"name": "n", "steps": [{"now": 1, "op": {"lock": {"grab": {}}}, "expect": {}}]}]}"#;
    assert!(serde_json::from_str::<VectorFile<Value>>(broken).is_err());
    let unknown_field = r#"{"about": "x", "cases": [], "extra": 1}"#;
    assert!(serde_json::from_str::<VectorFile<Value>>(unknown_field).is_err());
}
