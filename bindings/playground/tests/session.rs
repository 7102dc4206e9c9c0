//! A playground session is the CLI's run: the same trace bytes however it is sliced, a trace
//! that replays, refusals that leave it unchanged.

use leasehold_playground::fault::Fault;
use leasehold_playground::replay::replay;
use leasehold_playground::session::{parse_scenario, Session};
use leasehold_sim::{presets, Scenario};

fn small(name: &str) -> Scenario {
    let mut scenario = parse_scenario(presets::find(name).unwrap().json).unwrap();
    scenario.horizon = 180_000;
    for group in &mut scenario.agents {
        group.count = group.count.min(8);
    }
    scenario
}

fn run(scenario: &Scenario, slice: u64, max: u64) -> (String, String, String) {
    let mut session = Session::new(scenario.clone(), true, Fault::None);
    let mut trace = String::new();
    let mut until = 0;
    while !session.is_done() {
        until += slice;
        session.advance(until, max).unwrap();
        trace.push_str(&session.take_trace());
    }
    let metrics = serde_json::to_string(&session.metrics()).unwrap();
    (trace, session.trace_hash().0, metrics)
}

#[test]
fn every_preset_gives_the_same_trace_and_metrics_however_the_run_is_sliced() {
    for p in presets::PRESETS {
        let scenario = small(p.name);
        let whole = run(&scenario, u64::MAX / 2, u64::MAX);
        let sliced = run(&scenario, 1_000, 7);
        assert!(whole.0 == sliced.0, "{}: the trace differs when sliced", p.name);
        assert_eq!(whole.1, sliced.1, "{}: hash", p.name);
        assert_eq!(whole.2, sliced.2, "{}: metrics", p.name);
        let direct = leasehold_sim::simulate(&scenario, leasehold_sim::Discard).unwrap().metrics;
        assert_eq!(whole.2, serde_json::to_string(&direct).unwrap(), "{}: metrics of simulate", p.name);
    }
}

#[test]
fn a_trace_from_the_page_replays_with_the_hash_it_was_written_with() {
    let scenario = small("withdraw-rush");
    let (trace, hash, _) = run(&scenario, 60_000, 100);
    let replayed = replay(&trace).expect("replays");
    assert_eq!(replayed.hash, hash);
    assert_eq!(replayed.steps as usize, trace.lines().count() - 1);
}

#[test]
fn a_doctored_outcome_is_named_by_its_line() {
    let scenario = small("orphaned-locks");
    let (trace, _, _) = run(&scenario, 60_000, 100);
    let doctored = trace.replacen("\"granted\":{\"fence\":", "\"granted\":{\"fence\":1", 1);
    let error = replay(&doctored).unwrap_err();
    assert_eq!(error.code, "trace_diverged", "{error}");
    assert!(error.message.starts_with("line "), "{error}");
    assert_eq!(replay("{\"nope\":1}\n").unwrap_err().code, "trace_malformed");
    assert_eq!(replay("").unwrap_err().code, "trace_malformed");
}

#[test]
fn a_bad_scenario_is_refused_with_its_field() {
    assert_eq!(parse_scenario("{").unwrap_err().code, "scenario_json");
    let mut json: serde_json::Value = serde_json::from_str(presets::find("abuse").unwrap().json).unwrap();
    json["agents"][0]["count"] = 0.into();
    let error = parse_scenario(&json.to_string()).unwrap_err();
    assert_eq!(error.code, "scenario_invalid");
    assert!(error.message.contains("agents[0].count"), "{error}");
    json["agents"][0]["typo"] = 1.into();
    assert_eq!(parse_scenario(&json.to_string()).unwrap_err().code, "scenario_json");
}

#[test]
fn a_finished_run_refuses_to_advance_and_keeps_its_numbers() {
    let mut session = Session::new(small("stale-writer"), false, Fault::None);
    session.advance(u64::MAX, u64::MAX).unwrap();
    assert!(session.is_done());
    let before = (session.trace_hash(), serde_json::to_string(&session.metrics()).unwrap());
    assert_eq!(session.advance(u64::MAX, 1).unwrap_err().code, "finished");
    assert_eq!(before, (session.trace_hash(), serde_json::to_string(&session.metrics()).unwrap()));
    assert_eq!(session.take_trace(), "", "without keep_trace the lines are only hashed");
}

#[test]
fn the_limit_series_counts_every_check_once_by_its_answer() {
    let scenario = small("abuse");
    let mut session = Session::new(scenario.clone(), false, Fault::None);
    session.advance(u64::MAX, u64::MAX).unwrap();
    let series = session.limit_series();
    let metrics = session.metrics();
    let check = metrics.operations.iter().find(|op| op.op == "limit.check").expect("checks");
    let (admitted, denied) = series
        .groups
        .values()
        .flatten()
        .fold((0, 0), |(a, d), [admitted, denied]| (a + admitted, d + denied));
    assert_eq!(admitted, check.outcomes.get("allowed").copied().unwrap_or(0));
    assert_eq!(denied, check.outcomes.get("denied").copied().unwrap_or(0));
    assert!(series.groups.contains_key("coupon-spammers"));
    assert!(series
        .groups
        .values()
        .all(|buckets| buckets.len() as u64 <= scenario.horizon / series.bucket_ms + 1));
}

#[test]
fn a_planted_double_grant_stops_the_run_with_the_steps_on_its_key() {
    let mut scenario = small("orphaned-locks");
    scenario.horizon = 900_000;
    let mut session = Session::new(scenario, true, Fault::GrantHeldLocks);
    let progress = session.advance(u64::MAX, u64::MAX).unwrap();
    assert!(progress.done && session.is_done());
    let violation = session.violation().cloned().expect("a second holder is caught");
    assert!(violation.message.contains("two live holders"), "{}", violation.message);
    assert!(violation.history.len() >= 2, "the earlier grant is shown too");
    let last = violation.history.last().unwrap();
    assert!(last.starts_with(&format!("{{\"step\":{},", violation.step)), "{last}");
    assert!(last.contains(&violation.key));
    assert_eq!(session.trace_hash().1, violation.step + 1, "the trace ends with the violating step");
    assert_eq!(Fault::parse("nope").unwrap_err().code, "argument");
}
