//! Shared by the simulator's tests: presets as scenarios, shortened for debug builds.

use leasehold_sim::{presets, Scenario};

/// The preset `name`, parsed.
pub fn preset(name: &str) -> Scenario {
    let preset = presets::find(name).unwrap_or_else(|| panic!("no preset {name}"));
    serde_json::from_str(preset.json).unwrap_or_else(|e| panic!("preset {name}: {e}"))
}

/// The preset `name` with at most `agents` per group and a horizon of `horizon` ms.
#[allow(dead_code)]
pub fn small(name: &str, agents: u32, horizon: u64) -> Scenario {
    let mut scenario = preset(name);
    scenario.horizon = horizon;
    for group in &mut scenario.agents {
        group.count = group.count.min(agents);
    }
    scenario
}
