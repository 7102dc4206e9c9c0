//! The exact limiter from the trace: a sliding log admits at most `quota` checks in any
//! `window` ms of the server's clock.
//!
//! A decision carries no server time, so each admitted check is placed by the client: it ran on
//! the server somewhere between when it was sent and when its answer came back. Over a span the
//! server and the client clocks agree up to a constant offset (one machine, or two that do not
//! step their clocks during the run), so `quota + 1` admits that were *certainly* within one
//! window (the last answer came back less than `window` after the first was sent) are a
//! violation whatever the offset. Two allowances keep that sound: the server decides on whole
//! milliseconds (Redis `TIME` floored), so two admits `window` ms apart on its clock may be up
//! to 1 ms less apart in real time; and a clock being slewed by NTP runs up to 0.05% fast or
//! slow, counted as 0.1% of the window. Admits whose placement is ambiguous are not counted
//! against the limiter: the audit can miss a violation by a round trip's width, never invent
//! one.

use std::collections::HashMap;

use leasehold_core::{Algorithm, LimitOutcome, LimitRequest, Outcome, Request};

use super::Violation;
use crate::trace::{Action, Answer, Record};

/// One key's quota, window (ms) and admitted checks (client µs sent, answered).
type Admits = (u64, u64, Vec<(u64, u64)>);

/// Admitted and denied checks per exact-limited key.
#[derive(Debug, Default)]
pub struct ExactLimits {
    admits: HashMap<String, Admits>,
    /// Checks admitted.
    pub admitted: u64,
    /// Checks denied.
    pub denied: u64,
}

impl ExactLimits {
    /// Reads the sliding-log checks out of `records`.
    pub fn from_records(records: &[Record]) -> ExactLimits {
        let mut limits = ExactLimits::default();
        for record in records {
            let (
                Action::Redis(Request::Limit(LimitRequest::Check { key, algorithm, cost, .. })),
                Answer::Outcome(Outcome::Limit(LimitOutcome::Check(decision))),
            ) = (&record.action, &record.answer)
            else {
                continue;
            };
            let Algorithm::SlidingLog(log) = algorithm else { continue };
            if !decision.allowed {
                limits.denied += 1;
                continue;
            }
            limits.admitted += 1;
            let entry = limits.admits.entry(key.clone()).or_insert((log.quota, log.window.0, Vec::new()));
            for _ in 0..*cost {
                entry.2.push((record.sent_us, record.received_us));
            }
        }
        limits
    }

    /// The keys where more than `quota` admits certainly fell within one window.
    pub fn check(self) -> Vec<Violation> {
        let mut violations = Vec::new();
        for (key, (quota, window_ms, mut admits)) in self.admits {
            let window_us = window_ms * 1000;
            // Certainly within one window: shorter than it by the millisecond floor and the slew.
            let certain_us = window_us.saturating_sub(1_000 + window_us / 1_000);
            admits.sort_unstable();
            let quota = quota as usize;
            for (i, &(first_sent, _)) in admits.iter().enumerate() {
                // Admits sent within a window of this one, by when their answers came back.
                let mut answered: Vec<u64> = admits[i..]
                    .iter()
                    .take_while(|(sent, _)| *sent < first_sent + window_us)
                    .map(|&(_, received)| received)
                    .collect();
                if answered.len() <= quota {
                    continue;
                }
                answered.sort_unstable();
                let last = answered[quota];
                if last < first_sent + certain_us {
                    violations.push(Violation::new(
                        "over_limit",
                        format!(
                            "{key}: {} admits within {} µs, quota {quota} per {window_ms} ms",
                            quota + 1,
                            last - first_sent
                        ),
                    ));
                    break;
                }
            }
        }
        violations
    }
}
