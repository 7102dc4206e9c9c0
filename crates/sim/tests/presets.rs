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
