//! Rate-limit checks over time: per agent group, how many checks were admitted and how many
//! denied in each bucket of virtual time, for the page's admitted-vs-denied charts. Counted
//! from the typed steps, so a run need not keep its trace to be charted.

use std::collections::BTreeMap;

use leasehold_core::{LimitOutcome, LimitRequest, Outcome, Request};
use leasehold_sim::trace::{AnswerRef, OpRef};
use leasehold_sim::{Sink, StepRef};
use serde::Serialize;

/// Admitted and denied checks per group per bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LimitSeries {
    /// Virtual ms per bucket.
    pub bucket_ms: u64,
    /// The run's first `now`.
    #[serde(skip)]
    start: u64,
    /// Group name to `[admitted, denied]` per bucket.
    pub groups: BTreeMap<String, Vec<[u64; 2]>>,
}

impl LimitSeries {
    /// Buckets of `bucket_ms` from `start`.
    pub fn new(start: u64, bucket_ms: u64) -> LimitSeries {
        LimitSeries { bucket_ms: bucket_ms.max(1), start, groups: BTreeMap::new() }
    }
}

/// `users#3` is in group `users`.
fn group_of(agent: &str) -> &str {
    agent.rsplit_once('#').map_or(agent, |(group, _)| group)
}

impl Sink for LimitSeries {
    fn step(&mut self, step: &StepRef<'_>) {
        let (OpRef::Engine(Request::Limit(LimitRequest::Check { .. })), AnswerRef::Engine(answer)) =
            (step.op, step.outcome)
        else {
            return;
        };
        let Ok(Outcome::Limit(LimitOutcome::Check(decision))) = answer else { return };
        let bucket = (step.now.0.saturating_sub(self.start) / self.bucket_ms) as usize;
        let group = group_of(step.agent);
        let series = match self.groups.get_mut(group) {
            Some(series) => series,
            None => self.groups.entry(group.to_owned()).or_default(),
        };
        if series.len() <= bucket {
            series.resize(bucket + 1, [0, 0]);
        }
        series[bucket][usize::from(!decision.allowed)] += 1;
    }
}
