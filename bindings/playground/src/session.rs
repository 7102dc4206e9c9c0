//! One run in the page: a [`Stepper`] on the in-memory engine writing the CLI's trace, advanced
//! slice by slice, reporting progress, metrics and, when an invariant breaks, the violation
//! with the steps on its key that led to it.

use leasehold_sim::{simulate_on, Discard, Header, Metrics, Scenario, Stepper, Stop};
use serde::Serialize;

use crate::error::PlaygroundError;
use crate::fault::{Fault, Planted};
use crate::limit_series::LimitSeries;
use crate::trace_buffer::TraceBuffer;

/// What a session's run feeds: the trace and the rate-limit series.
pub struct Collect {
    /// The trace.
    pub trace: TraceBuffer,
    /// Admitted and denied checks over time.
    pub limits: LimitSeries,
}

impl leasehold_sim::Sink for Collect {
    fn step(&mut self, step: &leasehold_sim::StepRef<'_>) {
        self.trace.step(step);
        self.limits.step(step);
    }
}

/// Parses and validates scenario `json` as `leasehold simulate` does.
pub fn parse_scenario(json: &str) -> Result<Scenario, PlaygroundError> {
    let scenario: Scenario =
        serde_json::from_str(json).map_err(|e| PlaygroundError::new("scenario_json", e.to_string()))?;
    scenario.validate().map_err(|invalid| PlaygroundError::new("scenario_invalid", invalid.to_string()))?;
    Ok(scenario)
}

/// Where a session stands after a slice (serialized for the page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Virtual ms since the scenario's start.
    pub clock: u64,
    /// Steps so far.
    pub steps: u64,
    /// Agent wake-ups in this slice.
    pub wakeups: u64,
    /// No wake-up left: the run is over (or stopped by a violation).
    pub done: bool,
}

/// A broken invariant, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViolationView {
    /// The step that broke it.
    pub step: u64,
    /// Its `now`.
    pub now: u64,
    /// The key.
    pub key: String,
    /// What broke.
    pub message: String,
    /// The last steps on the key, the violating one last, as trace lines.
    pub history: Vec<String>,
}

/// A run in progress or finished.
pub struct Session {
    scenario: Scenario,
    fault: Fault,
    stepper: Option<Stepper<Planted, Collect>>,
    finished: Option<(Metrics, Collect)>,
    violation: Option<ViolationView>,
}

impl Session {
    /// A session of `scenario` at its start on the engine with `fault` planted (normally
    /// [`Fault::None`]); `keep_trace` false hashes the trace without keeping its lines.
    pub fn new(scenario: Scenario, keep_trace: bool, fault: Fault) -> Session {
        let header = Header::of(&scenario);
        let limits = LimitSeries::new(scenario.start, scenario.sample_every());
        let sink = Collect { trace: TraceBuffer::new(&header, keep_trace), limits };
        let engine = Planted::new(scenario.engine.hash_seed, fault);
        let stepper = Stepper::new(scenario.clone(), engine, sink);
        Session { scenario, fault, stepper: Some(stepper), finished: None, violation: None }
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Runs wake-ups up to `until` virtual ms after the start, at most `max_wakeups`. When the
    /// run ends, its metrics are totalled; when an invariant breaks, the run stops and the
    /// violation is kept (see [`Session::violation`]).
    pub fn advance(&mut self, until: u64, max_wakeups: u64) -> Result<Progress, PlaygroundError> {
        let Some(stepper) = &mut self.stepper else {
            return Err(PlaygroundError::new("finished", "the run is over: start a new one"));
        };
        let until = self.scenario.start.saturating_add(until);
        match stepper.advance(until, max_wakeups) {
            Ok(advanced) => {
                let progress = Progress {
                    clock: advanced.clock - self.scenario.start,
                    steps: stepper.steps(),
                    wakeups: advanced.wakeups,
                    done: advanced.done,
                };
                if advanced.done {
                    if let Some(stepper) = self.stepper.take() {
                        let report = stepper.finish();
                        self.finished = Some((report.metrics, report.sink));
                    }
                }
                Ok(progress)
            }
            Err(stop) => {
                let progress = Progress {
                    clock: stepper.clock() - self.scenario.start,
                    steps: stepper.steps(),
                    wakeups: 0,
                    done: true,
                };
                self.violation = Some(self.explain(stop));
                if let Some(stepper) = self.stepper.take() {
                    let metrics = stepper.metrics();
                    self.finished = Some((metrics, stepper.finish().sink));
                }
                Ok(progress)
            }
        }
    }

    /// The violation with its history: the engine is deterministic, so a second run finds the
    /// same violation and the simulator collects the steps that led to it.
    fn explain(&self, stop: Stop) -> ViolationView {
        let (seed, fault) = (self.scenario.engine.hash_seed, self.fault);
        let again = || match simulate_on(&self.scenario, || Planted::new(seed, fault), Discard) {
            Err(Stop::Violation(violation)) => Some(violation),
            _ => None,
        };
        let violation = match stop {
            Stop::Violation(first) => again().unwrap_or(first),
            Stop::Backend(never) => {
                return ViolationView {
                    step: 0,
                    now: 0,
                    key: String::new(),
                    message: never,
                    history: Vec::new(),
                }
            }
        };
        let history =
            violation.history.iter().map(|r| serde_json::to_string(r).unwrap_or_default()).collect();
        ViolationView {
            step: violation.step,
            now: violation.now.0,
            key: violation.key,
            message: violation.message,
            history,
        }
    }

    /// The violation that stopped the run, if one did.
    pub fn violation(&self) -> Option<&ViolationView> {
        self.violation.as_ref()
    }

    /// Whether the run is over.
    pub fn is_done(&self) -> bool {
        self.stepper.is_none()
    }

    /// Trace lines written since the last call.
    pub fn take_trace(&mut self) -> String {
        match (&mut self.stepper, &mut self.finished) {
            (Some(stepper), _) => stepper.sink_mut().trace.take(),
            (None, Some((_, sink))) => sink.trace.take(),
            (None, None) => String::new(),
        }
    }

    /// The trace's hash so far and its line count (header included).
    pub fn trace_hash(&mut self) -> (String, u64) {
        match (&mut self.stepper, &self.finished) {
            (Some(stepper), _) => (stepper.sink_mut().trace.hash().hex(), stepper.sink_mut().trace.lines()),
            (None, Some((_, sink))) => (sink.trace.hash().hex(), sink.trace.lines()),
            (None, None) => (String::new(), 0),
        }
    }

    /// The metrics so far; once done, the final metrics, as `leasehold simulate --out` writes
    /// them to `metrics.json`.
    pub fn metrics(&self) -> Metrics {
        match (&self.stepper, &self.finished) {
            (_, Some((metrics, _))) => metrics.clone(),
            (Some(stepper), None) => stepper.metrics(),
            (None, None) => Metrics::default(),
        }
    }
}

impl Session {
    /// Admitted and denied rate-limit checks so far, per group per sample interval.
    pub fn limit_series(&mut self) -> LimitSeries {
        match (&mut self.stepper, &self.finished) {
            (Some(stepper), _) => stepper.sink_mut().limits.clone(),
            (None, Some((_, sink))) => sink.limits.clone(),
            (None, None) => LimitSeries::default(),
        }
    }
}
