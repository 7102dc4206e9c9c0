//! What held and what failed, as a markdown table.

use std::fmt::Write as _;

use serde::Serialize;

use crate::audit::Audit;

/// One line: a property, whether it is promised, and what the run showed.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The property.
    pub property: String,
    /// Whether leasehold promises it in this situation.
    pub promised: bool,
    /// Whether it held in the run.
    pub held: bool,
    /// The figures behind the verdict.
    pub detail: String,
}

impl Row {
    /// A row.
    pub fn new(property: &str, promised: bool, held: bool, detail: String) -> Row {
        Row { property: property.to_owned(), promised, held, detail }
    }

    /// Whether the row is a broken promise.
    pub fn broken(&self) -> bool {
        self.promised && !self.held
    }
}

/// A titled table of rows.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// What was done.
    pub title: String,
    /// The rows.
    pub rows: Vec<Row>,
    /// The run's audit.
    pub audit: Audit,
}

impl Table {
    /// The rows whose promise was broken.
    pub fn broken(&self) -> Vec<&Row> {
        self.rows.iter().filter(|row| row.broken()).collect()
    }

    /// The table as markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "\n### {}\n\n| property | promised | result | figures |\n|---|---|---|---|\n",
            self.title
        );
        for row in &self.rows {
            let result = match (row.held, row.promised) {
                (true, _) => "held",
                (false, true) => "**FAILED**",
                (false, false) => "failed (not promised)",
            };
            let promised = if row.promised { "yes" } else { "no" };
            let _ = writeln!(out, "| {} | {promised} | {result} | {} |", row.property, row.detail);
        }
        let audit = &self.audit;
        let _ = writeln!(
            out,
            "\n{} requests, {} outcomes, errors {:?}, {} leases, limiter {} admitted / {} denied, writes {} accepted / {} rejected, late writes {} / {} rejected",
            audit.requests, audit.outcomes, audit.errors, audit.leases, audit.admitted, audit.denied,
            audit.writes.0, audit.writes.1, audit.late_writes.0, audit.late_writes.1
        );
        out
    }
}
