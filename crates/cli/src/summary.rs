//! The summary table `leasehold simulate` prints.

use std::fmt::Write;

use leasehold_sim::metrics::Metrics;
use leasehold_sim::Scenario;

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1h05m`, `12m30s`, `4.250s`.
pub fn duration(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}.{:03}s", s, ms % 1000)
    }
}

/// Parts per million as a percentage with one decimal.
pub fn percent(ppm: u64) -> String {
    format!("{}.{}%", ppm / 10_000, ppm % 10_000 / 1000)
}

fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from("  ");
        for (c, cell) in row.iter().enumerate() {
            if c == 0 {
                let _ = write!(line, "{cell:<w$}  ", w = widths[c]);
            } else {
                let _ = write!(line, "{cell:>w$}  ", w = widths[c]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The whole summary.
pub fn render(scenario: &Scenario, metrics: &Metrics) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", scenario.name, scenario.about);
    let _ = writeln!(
        out,
        "seed {}, {} simulated, {} agents: {} operations ({}.{:03}/s simulated), {} errors",
        metrics.seed,
        duration(metrics.horizon),
        thousands(scenario.agent_count()),
        thousands(metrics.ops),
        metrics.ops_per_sim_second_milli / 1000,
        metrics.ops_per_sim_second_milli % 1000,
        metrics.errors,
    );
    out.push_str("\noperations\n");
    let mut rows = vec![vec!["op".to_owned(), "calls".to_owned(), "outcomes".to_owned()]];
    for op in &metrics.operations {
        let outcomes: Vec<String> =
            op.outcomes.iter().map(|(k, v)| format!("{k} {}", thousands(*v))).collect();
        rows.push(vec![op.op.to_owned(), thousands(op.calls), outcomes.join(", ")]);
    }
    out.push_str(&table(&rows));
    let r = &metrics.rates;
    let _ = writeln!(
        out,
        "  lock denied {}  hold conflict {}  limit denied {}",
        percent(r.lock_denied_ppm),
        percent(r.hold_conflict_ppm),
        percent(r.limit_denied_ppm)
    );

    out.push_str("\ngroups (wait: first attempt to grant or admission)\n");
    let head = [
        "group",
        "agents",
        "sessions",
        "done",
        "gave up",
        "crashed",
        "lost",
        "wait p50",
        "p90",
        "p99",
        "max",
        "orphans",
        "stuck max",
    ];
    let mut rows = vec![head.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()];
    for g in &metrics.groups {
        rows.push(vec![
            g.group.clone(),
            thousands(g.agents),
            thousands(g.sessions),
            thousands(g.completed),
            thousands(g.gave_up),
            thousands(g.crashed),
            thousands(g.lost_leases),
            duration(g.wait.p50),
            duration(g.wait.p90),
            duration(g.wait.p99),
            duration(g.wait.max),
            thousands(g.orphaned_locks),
            duration(g.longest_orphan_ms),
        ]);
    }
    out.push_str(&table(&rows));

    let peak =
        |f: fn(&leasehold_sim::metrics::Sample) -> u64| metrics.samples.iter().map(f).max().unwrap_or(0);
    let last = metrics.samples.last();
    let _ = writeln!(
        out,
        "\nlive over time ({} samples): locks peak {}, holds peak {}, at the end {} locks and {} holds",
        metrics.samples.len(),
        thousands(peak(|s| s.live_locks)),
        thousands(peak(|s| s.live_holds)),
        thousands(last.map_or(0, |s| s.live_locks)),
        thousands(last.map_or(0, |s| s.live_holds)),
    );
    if metrics.fences.writes > 0 {
        let f = &metrics.fences;
        let _ = writeln!(
            out,
            "fenced writes: {}, of which {} after the writer's lease was lost; {} refused by the fence \
             (without fences each would have overwritten a newer holder's data)",
            thousands(f.writes),
            thousands(f.after_lease_lost),
            thousands(f.rejected)
        );
    }
    if let Some(legacy) = &metrics.legacy {
        let stored = metrics.samples.iter().filter_map(|s| s.stored_holds).max().unwrap_or(0);
        let _ = writeln!(
            out,
            "legacy lists: {} entries at the end ({} expired, never trimmed), longest {}, {} entries read \
             in {} reserves (last scan {}); holds stored at most {} (live peak {}); disagreements {}",
            thousands(legacy.final_entries),
            thousands(legacy.final_expired),
            thousands(legacy.longest_list),
            thousands(legacy.scanned),
            thousands(legacy.reserves),
            thousands(legacy.last_scan),
            thousands(stored),
            thousands(peak(|s| s.live_holds)),
            legacy.disagreements,
        );
    }
    out
}
