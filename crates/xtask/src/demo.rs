//! `cargo xtask demo`: the simulator on the showcase preset (`leasehold simulate withdraw-rush`),
//! then a short tour of the in-memory engine, printed as a timeline.
//!
//! Each section lives in its own file under `demo/` and writes rows into a [`Tour`], which
//! aligns them into columns. Time is driven by hand from a fixed start, so the output is the
//! same on every run. A section also checks the story it tells (a tour whose engine disagrees
//! with its narration fails instead of printing something false).

mod holds;
mod limits;
mod locks;

use std::process::ExitCode;

use leasehold_core::Millis;

use crate::util::seconds;

/// One section of the tour.
type Section = fn(&mut Tour) -> Result<(), String>;

/// The tour, in order. Holds and rate limits each get a file beside `demo/locks.rs` and a line
/// here.
const SECTIONS: &[Section] = &[locks::tour, holds::tour, limits::tour];

/// The first `now` of every section: 2026-01-01T00:00:00Z in Unix milliseconds. A realistic
/// clock shows realistic fences (they start at `now × 1000`).
pub const START: Millis = Millis(1_767_225_600_000);

/// The showcase the demo opens with: the simulator on a preset, through the CLI.
pub const SHOWCASE: &[&str] = &["run", "--quiet", "-p", "leasehold-cli", "--", "simulate", "withdraw-rush"];

/// Runs the simulator showcase, then the tour, and prints both.
pub fn run(args: &[String]) -> ExitCode {
    if !args.is_empty() {
        eprintln!("`cargo xtask demo` takes no arguments (got {})", args.join(" "));
        return ExitCode::from(2);
    }
    println!("== Simulation: `leasehold simulate withdraw-rush` ==\n");
    if let Err(error) = crate::util::run(&mut crate::util::cargo(SHOWCASE)) {
        eprintln!("demo: {error}");
        return ExitCode::FAILURE;
    }
    println!();
    match tour() {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("demo: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The whole tour as text.
pub fn tour() -> Result<String, String> {
    let mut tour = Tour::default();
    for section in SECTIONS {
        section(&mut tour)?;
        tour.flush();
    }
    Ok(tour.out)
}

/// A timeline being written: sections of aligned rows, with notes between them.
#[derive(Debug, Default)]
pub struct Tour {
    out: String,
    rows: Vec<Row>,
}

#[derive(Debug)]
enum Row {
    Step { at: String, who: String, what: String, outcome: String },
    Note(String),
}

impl Tour {
    /// Starts a section: a title and a few lines saying what it shows.
    pub fn section(&mut self, title: &str, about: &[&str]) {
        self.flush();
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(&format!("== {title} ==\n"));
        for line in about {
            self.out.push_str(&format!("   {line}\n"));
        }
        self.out.push('\n');
    }

    /// The time `offset_ms` after the start of the tour.
    pub fn at(&self, offset_ms: u64) -> Millis {
        Millis(START.0 + offset_ms)
    }

    /// `at` as the timeline shows it: `t=+1.250s`.
    pub fn when(&self, at: Millis) -> String {
        format!("t=+{}", seconds(at.0.saturating_sub(START.0)))
    }

    /// One thing that happened: at `at`, `who` did `what`, and the engine answered `outcome`.
    pub fn step(&mut self, at: Millis, who: &str, what: &str, outcome: String) {
        let at = self.when(at);
        self.rows.push(Row::Step { at, who: who.to_owned(), what: what.to_owned(), outcome });
    }

    /// A line of commentary between steps.
    pub fn note(&mut self, text: &str) {
        self.rows.push(Row::Note(text.to_owned()));
    }

    /// Writes the pending rows with their columns aligned.
    fn flush(&mut self) {
        let width = |pick: fn(&Row) -> Option<&str>| {
            self.rows.iter().filter_map(pick).map(|s| s.chars().count()).max().unwrap_or(0)
        };
        let at_w = width(|row| if let Row::Step { at, .. } = row { Some(at) } else { None });
        let who_w = width(|row| if let Row::Step { who, .. } = row { Some(who) } else { None });
        let what_w = width(|row| if let Row::Step { what, .. } = row { Some(what) } else { None });
        for row in self.rows.drain(..) {
            let line = match row {
                Row::Step { at, who, what, outcome } => {
                    format!("  {at:<at_w$}  {who:<who_w$}  {what:<what_w$}  {outcome}")
                }
                Row::Note(text) => format!("  -- {text}"),
            };
            self.out.push_str(line.trim_end());
            self.out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_a_section_share_their_columns() {
        let mut tour = Tour::default();
        tour.section("Title", &["about"]);
        tour.step(tour.at(0), "a", "acquire", "granted".to_owned());
        tour.step(tour.at(61_250), "worker-b", "release", "released".to_owned());
        tour.flush();
        let lines: Vec<&str> = tour.out.lines().collect();
        assert_eq!(lines[0], "== Title ==");
        assert_eq!(lines[3], "  t=+0.000s   a         acquire  granted");
        assert_eq!(lines[4], "  t=+61.250s  worker-b  release  released");
    }

    #[test]
    fn the_tour_runs_and_tells_the_lock_story() {
        let text = tour().expect("the tour's checks hold");
        for expected in ["granted", "denied", "retry after 898.750s", "released", "not the holder"] {
            assert!(text.contains(expected), "the tour lacks {expected:?}:\n{text}");
        }
    }

    #[test]
    fn the_tour_is_the_same_on_every_run() {
        assert_eq!(tour(), tour());
    }
}
