//! Every preset runs to its horizon with every invariant holding, and tells its story.

mod common;

use common::{preset, small};
use leasehold_sim::{presets, simulate, Discard};

#[test]
fn every_preset_parses_and_validates() {
    for p in presets::PRESETS {
        let scenario = preset(p.name);
        assert_eq!(scenario.name, p.name, "a preset's name matches its file");
        scenario.validate().unwrap_or_else(|e| panic!("{}: {e}", p.name));
    }
}

#[test]
fn every_preset_runs_to_its_horizon_without_a_violation() {
    for p in presets::PRESETS {
        let scenario = small(p.name, 40, 900_000);
        let report =
            simulate(&scenario, Discard).unwrap_or_else(|v| panic!("{}: {v}\n{:#?}", p.name, v.history));
        assert!(report.metrics.ops > 0, "{} made no operation", p.name);
        assert_eq!(report.metrics.errors, 0, "{}: engine errors", p.name);
        let last = report.metrics.samples.last().expect("samples");
        assert_eq!(
            last.t,
            scenario.horizon - scenario.horizon % scenario.sample_every(),
            "{} stopped early",
            p.name
        );
    }
}

#[test]
fn legacy_lists_grow_with_failed_releases_while_holds_stay_bounded() {
    let scenario = small("legacy-vs-holds", 200, 3_600_000);
    let metrics = simulate(&scenario, Discard).expect("no violation").metrics;
    let legacy = metrics.legacy.as_ref().expect("the legacy layout is mirrored");
    let failed: u64 = metrics.groups.iter().map(|g| g.failed_releases).sum();
    let quarter = &metrics.samples[metrics.samples.len() / 4];
    let end = metrics.samples.last().expect("samples");
    assert!(failed > 100, "releases failed: {failed}");
    assert!(end.legacy_list > quarter.legacy_list, "the lists keep growing: {quarter:?} then {end:?}");
    assert!(legacy.final_expired > failed / 2, "failed releases stay as expired entries");
    // Holds: what is stored is what is live, give or take what the lazy sweep has not reached.
    for sample in &metrics.samples {
        let stored = sample.stored_holds.expect("the in-memory engine reports stored holds");
        assert!(stored <= sample.live_holds + 64, "holds stored beyond the live ones: {sample:?}");
    }
    let stored = metrics.samples.iter().filter_map(|s| s.stored_holds).max().unwrap_or(0);
    assert!(
        legacy.final_entries > stored,
        "the lists outgrow the holds: {} vs {stored}",
        legacy.final_entries
    );
}

#[test]
fn the_fence_refuses_writers_that_woke_from_a_pause_longer_than_their_ttl() {
    let metrics = simulate(&preset("stale-writer"), Discard).expect("no violation").metrics;
    assert!(metrics.fences.rejected > 0, "{:?}", metrics.fences);
    assert!(metrics.fences.after_lease_lost >= metrics.fences.rejected);
}

#[test]
fn an_orphaned_trade_lock_stays_stuck_far_longer_than_a_renewed_lane_lock() {
    let metrics = simulate(&preset("orphaned-locks"), Discard).expect("no violation").metrics;
    let (trade, lane) = (&metrics.groups[0], &metrics.groups[1]);
    assert!(trade.orphaned_locks > 0 && lane.orphaned_locks > 0);
    assert!(trade.longest_orphan_ms > 5 * 60_000, "{}", trade.longest_orphan_ms);
    assert!(lane.longest_orphan_ms <= 60_000, "{}", lane.longest_orphan_ms);
}

#[test]
fn abusers_are_denied_and_blocked_while_polite_clients_get_through() {
    let metrics = simulate(&small("abuse", 5, 600_000), Discard).expect("no violation").metrics;
    let group = |name: &str| metrics.groups.iter().find(|g| g.group == name).expect("group");
    assert!(group("coupon-spammers").gave_up > group("coupon-spammers").completed);
    assert!(group("login-bruteforce").completed <= 5 * 10);
    assert_eq!(group("coupon-users").gave_up, 0);
}
