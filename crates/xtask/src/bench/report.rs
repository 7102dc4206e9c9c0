//! The side-by-side table: each row with its ratios to the anchor and the limit it names,
//! printed, and written as `target/bench/{bench.json,bench.md,latency.svg}`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::{svg, Phase, Row};
use crate::util::Result;

pub(super) fn find<'a>(rows: &'a [Row], name: &Option<String>) -> Option<&'a Row> {
    name.as_ref().and_then(|name| rows.iter().find(|r| &r.name == name))
}

pub(super) fn ratio(row: &Row, other: Option<&Row>) -> Option<f64> {
    other.map(|o| row.ops_per_sec / o.ops_per_sec)
}

fn figure(value: Option<f64>) -> String {
    match value {
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => "-".into(),
    }
}

pub(super) fn report(root: &Path, rows: &[Row], phases: &[Phase], elapsed: Duration) -> Result {
    let mut md = String::from(
        "| measured | role | in flight | ops/s | p50 µs | p99 µs | leasehold/anchor | leasehold/limit |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut json_rows = Vec::new();
    for row in rows {
        let to_anchor = ratio(row, find(rows, &row.anchor));
        let to_limit = ratio(row, find(rows, &row.limit));
        let vs = |r: Option<f64>, name: &Option<String>| match (r, name) {
            (Some(r), Some(name)) => format!("{r:.2}x {name}"),
            _ => "-".into(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.0} | {} | {} | {} | {} |",
            row.name,
            row.role,
            row.concurrency,
            row.ops_per_sec,
            figure(row.p50_us),
            figure(row.p99_us),
            vs(to_anchor, &row.anchor),
            vs(to_limit, &row.limit)
        );
        json_rows.push(serde_json::json!({"row": row, "leasehold_over_anchor": to_anchor, "leasehold_over_limit": to_limit}));
    }
    let _ = writeln!(md, "\nPhases:");
    for phase in phases {
        let _ = writeln!(
            md,
            "- {} ({:.1} s){}",
            phase.name,
            phase.seconds,
            phase.warning.as_ref().map(|w| format!(": **{w}**")).unwrap_or_default()
        );
    }
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let _ = writeln!(
        md,
        "\n{cpus} CPUs, whole run {:.0} s. Batched rows give latency per batch.",
        elapsed.as_secs_f64()
    );
    println!("\n{md}");
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let json = serde_json::json!({
        "rows": json_rows,
        "phases": phases.iter().map(|p| serde_json::json!({"name": p.name, "seconds": p.seconds, "warning": p.warning})).collect::<Vec<_>>(),
        "cpus": cpus,
        "seconds": elapsed.as_secs_f64(),
    });
    let pretty = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    for (name, text) in [("bench.json", pretty), ("bench.md", md), ("latency.svg", svg::plot(rows))] {
        std::fs::write(dir.join(name), text).map_err(|e| format!("{}: {e}", dir.join(name).display()))?;
        println!("wrote {}", dir.join(name).display());
    }
    Ok(())
}
