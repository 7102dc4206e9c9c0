//! The scenarios shipped with leasehold, embedded so that every edge (the CLI, the playground)
//! offers them by name. Each is a JSON file in `crates/sim/scenarios/`.

/// One shipped scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// Its name, as `leasehold simulate <name>` takes it (the file name without `.json`).
    pub name: &'static str,
    /// The scenario file.
    pub json: &'static str,
}

/// Every preset, the showcase first.
pub const PRESETS: &[Preset] = &[
    Preset { name: "withdraw-rush", json: include_str!("../scenarios/withdraw-rush.json") },
    Preset { name: "legacy-vs-holds", json: include_str!("../scenarios/legacy-vs-holds.json") },
    Preset { name: "orphaned-locks", json: include_str!("../scenarios/orphaned-locks.json") },
    Preset { name: "stale-writer", json: include_str!("../scenarios/stale-writer.json") },
    Preset { name: "abuse", json: include_str!("../scenarios/abuse.json") },
    Preset { name: "api-keys", json: include_str!("../scenarios/api-keys.json") },
];

/// The preset called `name`.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|preset| preset.name == name)
}
