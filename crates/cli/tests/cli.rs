//! The `leasehold` binary end to end: determinism, replay, bad input, atomic output.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn leasehold(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leasehold")).args(args).output().expect("leasehold runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("leasehold-cli-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs a short withdraw rush into `dir` and returns the printed hash line.
fn short_run(dir: &Path, seed: &str) -> String {
    let out = leasehold(&[
        "simulate",
        "withdraw-rush",
        "--horizon",
        "120000",
        "--seed",
        seed,
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    stdout.lines().find(|l| l.starts_with("trace: ")).expect("a hash line").to_owned()
}

#[test]
fn the_same_scenario_and_seed_give_a_byte_identical_trace_and_hash() {
    let (a, b) = (scratch("same-a"), scratch("same-b"));
    let (hash_a, hash_b) = (short_run(&a, "42"), short_run(&b, "42"));
    assert_eq!(hash_a, hash_b);
    let trace_a = fs::read(a.join("trace.jsonl")).unwrap();
    assert_eq!(trace_a, fs::read(b.join("trace.jsonl")).unwrap());
    assert!(trace_a.len() > 10_000, "a real trace");
    assert_eq!(fs::read(a.join("metrics.json")).unwrap(), fs::read(b.join("metrics.json")).unwrap());
}

#[test]
fn a_changed_seed_changes_the_trace_hash() {
    let (a, b) = (scratch("seed-a"), scratch("seed-b"));
    assert_ne!(short_run(&a, "42"), short_run(&b, "43"));
}

#[test]
fn scenarios_lists_every_preset_on_one_line_each() {
    let out = leasehold(&["scenarios"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    for preset in leasehold_sim::presets::PRESETS {
        assert_eq!(stdout.lines().filter(|l| l.starts_with(preset.name)).count(), 1, "{}", preset.name);
    }
}

#[test]
fn a_recorded_trace_replays_with_every_outcome_matching_and_the_same_hash() {
    let dir = scratch("replay");
    let hash = short_run(&dir, "7");
    let out = leasehold(&["replay", dir.join("trace.jsonl").to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let digits = hash.rsplit(' ').next().unwrap();
    assert!(text(&out.stdout).contains(digits), "replay prints the same hash: {}", text(&out.stdout));
}

#[test]
fn a_trace_long_enough_for_active_expiry_to_reclaim_holds_still_replays_exactly() {
    // Reclaiming a dead hold is observable (its `expired` event is reported once): the
    // simulator's periodic sweeps must be in the trace, or a replay diverges once they matter.
    let dir = scratch("expiry-replay");
    let out =
        leasehold(&["simulate", "withdraw-rush", "--horizon", "1800000", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let trace = fs::read_to_string(dir.join("trace.jsonl")).unwrap();
    let reclaimed = trace
        .lines()
        .filter(|line| line.contains(r#""agent":"expiry""#) && line.contains(r#""kind":"expired""#))
        .count();
    assert!(reclaimed > 0, "the run is long enough for periodic sweeps to reclaim dead holds");
    let replay = leasehold(&["replay", dir.join("trace.jsonl").to_str().unwrap()]);
    assert!(replay.status.success(), "{}{}", text(&replay.stdout), text(&replay.stderr));
}

#[test]
fn a_tampered_trace_names_the_mismatching_step() {
    let dir = scratch("tamper");
    short_run(&dir, "7");
    let path = dir.join("trace.jsonl");
    let mut lines: Vec<String> = fs::read_to_string(&path).unwrap().lines().map(str::to_owned).collect();
    let mut step: serde_json::Value = serde_json::from_str(&lines[5]).unwrap();
    step["outcome"] = serde_json::json!({"ok": "tampered"});
    lines[5] = step.to_string();
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = leasehold(&["replay", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("step 5 (line 6"), "{stderr}");
    assert!(stderr.contains("expected: {\"ok\":\"tampered\"}"), "{stderr}");
}

#[test]
fn a_malformed_scenario_names_the_field_and_its_position_and_writes_nothing() {
    let dir = scratch("bad-scenario");
    let file = dir.join("withdraw.json");
    let preset = leasehold_sim::presets::find("withdraw-rush").unwrap().json;
    fs::write(&file, preset.replace("\"count\": 400", "\"count\": \"many\"")).unwrap();
    let out_dir = dir.join("out");
    let out = leasehold(&["simulate", file.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("withdraw.json: agents[0].count: invalid type: string \"many\""), "{stderr}");
    assert!(stderr.contains("at line 11 column 21"), "{stderr}");
    assert!(!out_dir.exists(), "nothing is written for a scenario that does not parse");
}

#[test]
fn a_malformed_trace_line_names_the_field_and_its_position() {
    let dir = scratch("bad-trace");
    let path = dir.join("trace.jsonl");
    let header = r#"{"leasehold_trace":1,"scenario":"x","seed":1,"start":0,"horizon":10}"#;
    let step = r#"{"step":1,"now":5,"agent":"a","op":{"lock":{"acquire":{"key":"k","owner":"a","ttl":"long"}}},"outcome":{"ok":{}}}"#;
    fs::write(&path, format!("{header}\n{step}\n")).unwrap();
    let out = leasehold(&["replay", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 2: op.lock.acquire.ttl: invalid type: string \"long\""), "{stderr}");
    assert!(stderr.contains("at column"), "{stderr}");
}

#[test]
fn out_leaves_no_temporary_files_when_writing_fails() {
    let dir = scratch("atomic");
    fs::create_dir_all(dir.join("trace.jsonl")).unwrap(); // the rename into place will fail
    let out = leasehold(&["simulate", "stale-writer", "--horizon", "60000", "--out", dir.to_str().unwrap()]);
    assert!(!out.status.success(), "a rename onto a directory fails");
    let left: Vec<String> =
        fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["trace.jsonl"], "only what was there before remains");
    assert!(!dir.join("metrics.json").exists());
}
