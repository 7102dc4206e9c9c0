//! A run advanced in slices is the same run: the same steps, in the same order, and the same
//! metrics, whatever the slices.

mod common;

use common::small;
use leasehold_sim::{in_memory, presets, simulate, Recorder, Scenario, Stepper};

fn sliced(scenario: &Scenario, slice_ms: u64, max_wakeups: u64) -> (Recorder, leasehold_sim::Metrics) {
    let mut stepper = Stepper::new(scenario.clone(), in_memory(scenario), Recorder::default());
    let mut rounds = 0;
    while !stepper.is_done() {
        let before = stepper.steps();
        let advanced = stepper.advance(stepper.clock() + slice_ms, max_wakeups).expect("no violation");
        assert!(advanced.wakeups <= max_wakeups, "a slice ran more wake-ups than allowed");
        assert!(stepper.steps() >= before);
        rounds += 1;
        assert!(rounds < 10_000_000, "the stepper stopped making progress");
    }
    let report = stepper.finish();
    (report.sink, report.metrics)
}

#[test]
fn every_preset_stepped_in_slices_gives_the_steps_and_metrics_of_one_run() {
    for p in presets::PRESETS {
        let scenario = small(p.name, 30, 600_000);
        let whole = simulate(&scenario, Recorder::default()).expect("no violation");
        for (slice_ms, max_wakeups) in [(1, u64::MAX), (7_919, 13), (60_000, 1), (u64::MAX / 4, 1_000)] {
            let (records, metrics) = sliced(&scenario, slice_ms, max_wakeups);
            assert_eq!(records.records.len(), whole.sink.records.len(), "{}: step count", p.name);
            assert!(
                records.records == whole.sink.records,
                "{}: steps differ with slices of {slice_ms} ms",
                p.name
            );
            assert_eq!(metrics, whole.metrics, "{}: metrics differ with slices of {slice_ms} ms", p.name);
        }
    }
}

#[test]
fn the_clock_never_passes_the_slice_asked_for_nor_the_end() {
    let scenario = small("orphaned-locks", 10, 300_000);
    let mut stepper = Stepper::new(scenario.clone(), in_memory(&scenario), Recorder::default());
    let mut until = scenario.start;
    while !stepper.is_done() {
        until += 5_000;
        let advanced = stepper.advance(until, u64::MAX).expect("no violation");
        assert!(advanced.clock <= until.min(scenario.end()));
        assert!(stepper.sink_mut().records.iter().all(|r| r.now.0 <= advanced.clock));
    }
    assert!(stepper.clock() <= scenario.end());
}

#[test]
fn metrics_taken_midway_count_only_the_steps_so_far() {
    let scenario = small("abuse", 20, 600_000);
    let mut stepper = Stepper::new(scenario.clone(), in_memory(&scenario), Recorder::default());
    stepper.advance(scenario.start + 300_000, u64::MAX).expect("no violation");
    let midway = stepper.metrics();
    assert_eq!(midway.steps, stepper.steps());
    assert_eq!(midway.ops, stepper.sink_mut().records.len() as u64, "abuse makes no resource writes");
    while !stepper.is_done() {
        stepper.advance(u64::MAX, 100).expect("no violation");
    }
    let end = stepper.finish().metrics;
    assert!(end.ops > midway.ops, "the second half made operations too");
}
