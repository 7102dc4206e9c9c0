//! The rounds of `cargo xtask bench`: rows measured several times, one kept per name.

use super::Row;

/// How many times the redis-benchmark baseline and the Rust rows are measured, in turn.
pub const ROUNDS: usize = 3;

/// One row per name, in the order names first appear: of rows measured in several rounds, the
/// round with the median rate (its latencies with it, as that round measured them).
pub fn median_rounds(rows: Vec<Row>) -> Vec<Row> {
    let mut names: Vec<String> = Vec::new();
    for row in &rows {
        if !names.contains(&row.name) {
            names.push(row.name.clone());
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            let mut rounds: Vec<&Row> = rows.iter().filter(|row| row.name == name).collect();
            rounds.sort_by(|a, b| a.ops_per_sec.total_cmp(&b.ops_per_sec));
            rounds.get(rounds.len() / 2).map(|row| (*row).clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, concurrency: u64, ops: f64) -> Row {
        Row {
            name: name.into(),
            role: "leasehold".into(),
            concurrency,
            ops_per_sec: ops,
            p50_us: None,
            p99_us: None,
            anchor: None,
            limit: None,
            series: None,
            phase: String::new(),
        }
    }

    #[test]
    fn rounds_of_one_row_keep_the_median_round_in_first_seen_order() {
        let rows = vec![
            row("adapter", 1, 5.0),
            row("baseline", 1, 9.0),
            row("adapter", 50, 1.0),
            row("adapter", 7, 3.0),
            row("node", 1, 2.0),
        ];
        let merged = median_rounds(rows);
        let seen: Vec<(&str, f64, u64)> =
            merged.iter().map(|r| (r.name.as_str(), r.ops_per_sec, r.concurrency)).collect();
        assert_eq!(seen, [("adapter", 3.0, 7), ("baseline", 9.0, 1), ("node", 2.0, 1)]);
    }
}
