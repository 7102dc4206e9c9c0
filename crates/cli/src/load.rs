//! Reading scenarios (a preset name or a path) and traces, with errors that name the field and
//! its position.

use std::fs;
use std::path::Path;

use leasehold_core::Millis;
use leasehold_sim::{presets, Header, Op, Scenario};
use serde::Deserialize;

use crate::json_path::describe;

/// A scenario by preset name, or from a file when `what` names one (or has a `.json` suffix).
pub fn scenario(what: &str) -> Result<Scenario, String> {
    let (label, text) = match presets::find(what) {
        Some(preset) if !Path::new(what).exists() => (format!("{what} (preset)"), preset.json.to_owned()),
        _ => {
            let text = fs::read_to_string(what).map_err(|error| {
                let names: Vec<&str> = presets::PRESETS.iter().map(|p| p.name).collect();
                format!("scenario {what}: {error} (not a file; the presets are {})", names.join(", "))
            })?;
            (what.to_owned(), text)
        }
    };
    parse_scenario(&label, &text)
}

/// Parses and validates scenario `text`; errors start `scenario {label}: `.
pub fn parse_scenario(label: &str, text: &str) -> Result<Scenario, String> {
    let scenario: Scenario = serde_json::from_str(text)
        .map_err(|error| format!("scenario {label}: {}", describe(text, &error)))?;
    scenario.validate().map_err(|invalid| format!("scenario {label}: {invalid}"))?;
    Ok(scenario)
}

/// One step line of a trace, its outcome kept as JSON to compare.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Step number.
    pub step: u64,
    /// Its time.
    pub now: Millis,
    /// Its agent.
    pub agent: String,
    /// Its operation.
    pub op: Op,
    /// The outcome recorded.
    pub outcome: serde_json::Value,
}

/// A trace: its header and step lines (with their line numbers).
pub struct Trace {
    /// The header.
    pub header: Header,
    /// The text of every step line, with its 1-based line number.
    pub lines: Vec<(usize, String)>,
}

/// Reads a trace file; a malformed header is an error naming the field and position.
pub fn trace(path: &str) -> Result<Trace, String> {
    let text = fs::read_to_string(path).map_err(|error| format!("trace {path}: {error}"))?;
    let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line.to_owned()));
    let (_, first) = lines.next().ok_or_else(|| format!("trace {path}: empty file"))?;
    let header: Header = serde_json::from_str(&first)
        .map_err(|error| format!("trace {path}: header (line 1): {}", describe(&first, &error)))?;
    if header.leasehold_trace != leasehold_sim::trace::FORMAT_VERSION {
        return Err(format!(
            "trace {path}: header (line 1): leasehold_trace: version {} is not {}",
            header.leasehold_trace,
            leasehold_sim::trace::FORMAT_VERSION
        ));
    }
    Ok(Trace { header, lines: lines.filter(|(_, line)| !line.trim().is_empty()).collect() })
}

/// Parses step line `number` of trace `path`.
pub fn line(path: &str, number: usize, text: &str) -> Result<Line, String> {
    serde_json::from_str(text).map_err(|error| {
        let described = describe(text, &error).replace(" at line 1 column", " at column");
        format!("trace {path}: line {number}: {described}")
    })
}
