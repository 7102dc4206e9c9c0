//! The discrete-event loop: agents wake in `(time, sequence)` order, each wake-up makes its
//! operations through [`Cx`], which sends them to the backend, checks them, counts them and
//! hands them to the sink.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use leasehold_core::store::Store;
use leasehold_core::{Error, HoldRequest, Millis, Outcome, Request};

use crate::backend::{Backend, InMemory};
use crate::invariant::{Checker, Violation};
use crate::legacy::Legacy;
use crate::metrics::{GroupStats, LegacyStats, Metrics, Sample};
use crate::rng::Rng;
use crate::scenario::Scenario;
use crate::stepper::Stepper;
use crate::trace::{
    fenced_write, touches, AnswerRef, OpRef, Record, ResourceOp, ResourceRef, Sink, StepRef, WriteOutcome,
};

/// Why a run stopped before its horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// An invariant broke.
    Violation(Violation),
    /// The backend failed (its own error, as text).
    Backend(String),
}

impl core::fmt::Display for Stop {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Stop::Violation(violation) => violation.fmt(f),
            Stop::Backend(error) => write!(f, "backend failed: {error}"),
        }
    }
}

/// A finished run: its metrics, and the backend and sink handed back.
#[derive(Debug)]
pub struct Report<B, S> {
    /// What was measured.
    pub metrics: Metrics,
    /// The backend, as the run left it.
    pub backend: B,
    /// The sink.
    pub sink: S,
}

/// Everything an agent's wake-up can reach but its own state.
pub struct World<B, S> {
    pub(crate) backend: B,
    pub(crate) sink: S,
    pub(crate) checker: Checker,
    pub(crate) metrics: Metrics,
    pub(crate) legacy: Legacy,
    pub(crate) resources: Store<u64>,
    pub(crate) step: u64,
}

impl<B: Backend, S: Sink> World<B, S> {
    /// Runs one engine operation: backend, invariants, metrics, sink.
    #[inline]
    fn apply(&mut self, now: Millis, agent: &str, request: &Request) -> Result<Result<Outcome, Error>, Stop> {
        let answer = self.backend.apply(request, now).map_err(|e| Stop::Backend(format!("{e}")))?;
        self.step += 1;
        self.metrics.record(request, &answer);
        let checked = self.checker.observe(self.step, now, request, &answer);
        let step = StepRef {
            step: self.step,
            now,
            agent,
            op: OpRef::Engine(request),
            outcome: AnswerRef::Engine(&answer),
        };
        self.sink.step(&step);
        checked.map_err(Stop::Violation)?;
        Ok(answer)
    }
}

/// The agent name maintenance steps carry in the trace.
pub const MAINTENANCE: &str = "expiry";

/// Every `expire_every` ms: the backend's unobservable active expiry, then a traced
/// `hold.sweep` of every hold namespace of the scenario, in the scenario's order. Reclaiming a
/// dead hold is observable (its `expired` event is reported once), so it is part of the trace
/// and a replay, in memory or on Redis, reproduces it exactly.
pub(crate) fn maintain<B: Backend, S: Sink>(
    world: &mut World<B, S>,
    scenario: &Scenario,
    now: u64,
) -> Result<(), Stop> {
    let engine = &scenario.engine;
    let budget = engine.expire_budget.clamp(1, leasehold_core::bounds::MAX_PAGE);
    world.backend.maintain(Millis(now), usize::try_from(budget).unwrap_or(usize::MAX));
    for namespace in hold_namespaces(scenario) {
        let sweep = Request::Hold(HoldRequest::Sweep { namespace: String::from(namespace), max: budget });
        // The sweep's own outcome (or refusal) is in the trace; nothing more to do with it.
        let _swept = world.apply(Millis(now), MAINTENANCE, &sweep)?;
    }
    Ok(())
}

/// The hold namespaces a scenario uses, each once, in the order its groups name them.
fn hold_namespaces(scenario: &Scenario) -> Vec<&str> {
    let mut namespaces: Vec<&str> = Vec::new();
    for group in &scenario.agents {
        if let crate::Behaviour::Withdraw(withdraw) = &group.behaviour {
            if !namespaces.contains(&withdraw.namespace.as_str()) {
                namespaces.push(&withdraw.namespace);
            }
        }
    }
    namespaces
}

/// What an agent works with during one wake-up.
pub struct Cx<'w, B, S> {
    pub(crate) world: &'w mut World<B, S>,
    /// The current time.
    pub now: u64,
    /// The agent's name.
    pub agent: &'w str,
    /// The agent's random stream.
    pub rng: &'w mut Rng,
    /// The agent's group, an index into the scenario's `agents`.
    pub group: usize,
}

impl<B: Backend, S: Sink> Cx<'_, B, S> {
    /// Runs one engine operation now: backend, invariants, metrics, sink.
    #[inline]
    pub fn apply(&mut self, request: Request) -> Result<Result<Outcome, Error>, Stop> {
        self.world.apply(Millis(self.now), self.agent, &request)
    }

    /// [`Cx::apply`] on a borrowed request, so an agent can take back what it lent the request.
    #[inline]
    pub fn apply_ref(&mut self, request: &Request) -> Result<Result<Outcome, Error>, Stop> {
        self.world.apply(Millis(self.now), self.agent, request)
    }

    /// Writes to the fenced resource `resource` under `fence`.
    pub fn write(&mut self, resource: &str, fence: u64) -> Result<WriteOutcome, Stop> {
        let world = &mut *self.world;
        let now = Millis(self.now);
        let highest = world.resources.get_or_insert_with(resource, || 0);
        let outcome = fenced_write(highest, fence);
        world.step += 1;
        world.metrics.fences.writes += 1;
        if world.checker.live_lock(resource, now) != Some(fence) {
            world.metrics.fences.after_lease_lost += 1;
        }
        if matches!(outcome, WriteOutcome::Rejected { .. }) {
            world.metrics.fences.rejected += 1;
        }
        let checked = world.checker.observe_write(world.step, now, resource, fence, outcome);
        let op = ResourceOp::Write { resource: String::from(resource), fence };
        let step = StepRef {
            step: world.step,
            now,
            agent: self.agent,
            op: OpRef::Resource(ResourceRef { resource: &op }),
            outcome: AnswerRef::Resource(outcome),
        };
        world.sink.step(&step);
        checked.map_err(Stop::Violation)?;
        Ok(outcome)
    }
}

impl<B, S> Cx<'_, B, S> {
    /// The agent's group statistics.
    pub fn stats(&mut self) -> &mut GroupStats {
        &mut self.world.metrics.groups[self.group]
    }

    /// Records a wait in the group's statistics.
    pub fn waited(&mut self, ms: u64) {
        self.world.metrics.groups[self.group].waits.push(ms);
    }

    /// When the live lease on lock `key` ends, per the invariant model.
    pub fn lock_expiry(&self, key: &str) -> Option<u64> {
        self.world.checker.lock_expiry(key, Millis(self.now))
    }

    /// The legacy list model.
    pub fn legacy(&mut self) -> &mut Legacy {
        &mut self.world.legacy
    }

    /// The legacy comparison's statistics.
    pub fn legacy_stats(&mut self) -> &mut LegacyStats {
        self.world.metrics.legacy.get_or_insert_with(LegacyStats::default)
    }
}

/// Runs `scenario` on `backend` to its horizon, handing every step to `sink`.
///
/// Stops at the first broken invariant with the violation (without history: see
/// [`simulate`], which re-runs the deterministic in-memory engine to collect it). The same run
/// in slices is a [`Stepper`].
pub fn run<B: Backend, S: Sink>(scenario: &Scenario, backend: B, sink: S) -> Result<Report<B, S>, Stop> {
    let mut stepper = Stepper::new(scenario.clone(), backend, sink);
    stepper.advance(u64::MAX, u64::MAX)?;
    Ok(stepper.finish())
}

pub(crate) fn sample<B: Backend, S: Sink>(world: &mut World<B, S>, scenario: &Scenario, at: u64) {
    let now = Millis(at);
    let namespaces: Vec<&str> = scenario
        .agents
        .iter()
        .filter_map(|g| match &g.behaviour {
            crate::Behaviour::Withdraw(w) => Some(w.namespace.as_str()),
            _ => None,
        })
        .collect();
    let stored = if namespaces.is_empty() {
        None
    } else {
        namespaces.iter().map(|ns| world.backend.stored_holds(ns)).sum::<Option<u64>>()
    };
    let legacy_list = (!world.legacy.is_unused()).then(|| world.legacy.entries());
    world.metrics.samples.push(Sample {
        t: at - scenario.start,
        live_locks: world.checker.live_locks(now),
        live_holds: world.checker.live_holds(now),
        stored_holds: stored,
        legacy_list,
    });
}

/// The in-memory backend a scenario asks for.
pub fn in_memory(scenario: &Scenario) -> InMemory {
    let engine = &scenario.engine;
    InMemory::new(engine.hash_seed)
}

/// How many steps of history a violation carries.
pub const HISTORY: usize = 12;

/// Runs `scenario` on the embedded in-memory engine. On a broken invariant, re-runs it (it is
/// deterministic) to collect the last [`HISTORY`] steps that touched the key, and returns the
/// violation with them.
pub fn simulate<S: Sink>(scenario: &Scenario, sink: S) -> Result<Report<InMemory, S>, Violation> {
    simulate_on(scenario, || in_memory(scenario), sink).map_err(|stop| match stop {
        Stop::Violation(violation) => violation,
        Stop::Backend(never) => unreachable!("the in-memory engine cannot fail: {never}"),
    })
}

/// [`simulate`] on the backends `fresh` makes, which must be deterministic (the history of a
/// violation comes from a second run on a fresh one).
pub fn simulate_on<B: Backend, S: Sink>(
    scenario: &Scenario,
    fresh: impl Fn() -> B,
    sink: S,
) -> Result<Report<B, S>, Stop> {
    match run(scenario, fresh(), sink) {
        Err(Stop::Violation(violation)) => Err(Stop::Violation(with_history(scenario, fresh(), violation))),
        other => other,
    }
}

/// Keeps the last steps touching one key, up to a step.
struct History {
    key: String,
    upto: u64,
    kept: VecDeque<Record>,
}

impl Sink for History {
    fn step(&mut self, step: &StepRef<'_>) {
        if step.step <= self.upto && touches(&step.op, &self.key) {
            if self.kept.len() == HISTORY {
                self.kept.pop_front();
            }
            self.kept.push_back(step.to_record());
        }
    }
}

fn with_history<B: Backend>(scenario: &Scenario, backend: B, mut violation: Violation) -> Violation {
    let mut history = History { key: violation.key.clone(), upto: violation.step, kept: VecDeque::new() };
    // The re-run stops at the same step: the run is deterministic.
    let _ = run(scenario, backend, &mut history);
    violation.history = history.kept.into_iter().collect();
    violation
}
