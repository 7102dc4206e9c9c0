//! A run in slices: [`run`](crate::run) is one [`Stepper`] advanced to the end, and an edge that
//! must stay responsive (the playground's Web Worker) advances the same stepper a slice of
//! virtual time or a number of wake-ups at a time. The slices never change what happens: the
//! same scenario gives the same steps, metrics and trace however it is cut.
//!
//! ```
//! use leasehold_sim::{presets, simulate, Discard, Scenario, Stepper};
//!
//! let mut scenario: Scenario = serde_json::from_str(presets::find("abuse").unwrap().json).unwrap();
//! scenario.horizon = 120_000;
//! let mut stepper = Stepper::new(scenario.clone(), leasehold_sim::in_memory(&scenario), Discard);
//! while !stepper.is_done() {
//!     stepper.advance(stepper.clock() + 10_000, 500).expect("no invariant breaks");
//! }
//! let sliced = stepper.finish().metrics;
//! assert_eq!(sliced, simulate(&scenario, Discard).unwrap().metrics);
//! ```

use alloc::vec::Vec;

use leasehold_core::store::Store;

use crate::agent::Agent;
use crate::backend::Backend;
use crate::invariant::Checker;
use crate::legacy::Legacy;
use crate::metrics::{LegacyStats, Metrics};
use crate::queue::Queue;
use crate::rng::Rng;
use crate::runner::{maintain, sample, Cx, Report, Stop, World};
use crate::scenario::Scenario;
use crate::trace::Sink;

/// What one [`Stepper::advance`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advanced {
    /// Agent wake-ups run in this slice.
    pub wakeups: u64,
    /// The virtual clock after the slice (see [`Stepper::clock`]).
    pub clock: u64,
    /// Whether the run has no wake-up left before its end.
    pub done: bool,
}

/// A scenario's run, advanced by hand.
pub struct Stepper<B, S> {
    scenario: Scenario,
    agents: Vec<Agent>,
    queue: Queue,
    world: World<B, S>,
    last_maintenance: u64,
    next_sample: u64,
    clock: u64,
}

impl<B: Backend, S: Sink> Stepper<B, S> {
    /// A run of `scenario` on `backend`, handing every step to `sink`, at its start: every
    /// agent has drawn its first arrival and nothing has happened yet.
    pub fn new(scenario: Scenario, backend: B, sink: S) -> Stepper<B, S> {
        let mut agents = Vec::with_capacity(scenario.agent_count() as usize);
        let mut queue = Queue::default();
        for (group_index, group) in scenario.agents.iter().enumerate() {
            for i in 0..group.count {
                let index = agents.len() as u64;
                let mut rng = Rng::stream(scenario.seed, index);
                let first = scenario.start + group.arrival.first(&mut rng);
                let agent = Agent::new(group_index, group, i, rng);
                queue.push(first, agents.len() as u32);
                agents.push(agent);
            }
        }
        let world = World {
            backend,
            sink,
            checker: Checker::new(),
            metrics: Metrics::new(&scenario),
            legacy: Legacy::default(),
            resources: Store::new(scenario.seed),
            step: 0,
        };
        let (start, clock) = (scenario.start, scenario.start);
        Stepper { scenario, agents, queue, world, last_maintenance: 0, next_sample: start, clock }
    }

    /// Runs the wake-ups due at or before `until` (an absolute `now`, capped at the scenario's
    /// end), at most `max_wakeups` of them. A broken invariant or a failed backend stops the run
    /// with the step that broke it already handed to the sink; the stepper must not be advanced
    /// after an error.
    pub fn advance(&mut self, until: u64, max_wakeups: u64) -> Result<Advanced, Stop> {
        let end = self.scenario.end();
        let until = until.min(end);
        let every = self.scenario.sample_every();
        let mut wakeups = 0;
        while wakeups < max_wakeups {
            let Some(time) = self.queue.peek_time().filter(|&t| t <= until) else {
                self.clock = self.clock.max(until);
                break;
            };
            while self.next_sample <= time {
                sample(&mut self.world, &self.scenario, self.next_sample);
                self.next_sample += every;
            }
            let Some((now, index)) = self.queue.pop() else { break };
            self.clock = now;
            let expire_every = self.scenario.engine.expire_every;
            if expire_every > 0 && now >= self.last_maintenance.saturating_add(expire_every) {
                self.last_maintenance = now;
                maintain(&mut self.world, &self.scenario, now)?;
            }
            let agent = &mut self.agents[index as usize];
            let group = &self.scenario.agents[agent.group];
            let mut cx = Cx {
                world: &mut self.world,
                now,
                agent: &agent.name,
                rng: &mut agent.rng,
                group: agent.group,
            };
            wakeups += 1;
            if let Some(next) = agent.state.wake(&mut cx, group)? {
                self.queue.push(next.max(now), index);
            }
        }
        Ok(Advanced { wakeups, clock: self.clock, done: self.is_done() })
    }

    /// Whether no wake-up is left before the scenario's end.
    pub fn is_done(&self) -> bool {
        self.queue.peek_time().is_none_or(|t| t > self.scenario.end())
    }

    /// The virtual clock: the `now` of the last wake-up, or the `until` of the last slice when
    /// nothing was due before it.
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// Steps (engine operations and resource writes) so far.
    pub fn steps(&self) -> u64 {
        self.world.step
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The sink, to drain what it collected so far.
    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.world.sink
    }

    /// The metrics so far, totalled as [`finish`](Stepper::finish) totals them (the live
    /// samples are those taken so far; the legacy figures come at the end).
    pub fn metrics(&self) -> Metrics {
        let mut metrics = self.world.metrics.clone();
        metrics.steps = self.world.step;
        metrics.finish();
        metrics
    }

    /// Takes the samples left up to the end and totals the metrics. Call it once
    /// [`is_done`](Stepper::is_done); wake-ups still pending are dropped.
    pub fn finish(mut self) -> Report<B, S> {
        let end = self.scenario.end();
        let every = self.scenario.sample_every();
        let world = &mut self.world;
        while self.next_sample <= end {
            sample(world, &self.scenario, self.next_sample);
            self.next_sample += every;
        }
        world.metrics.steps = world.step;
        if !world.legacy.is_unused() {
            world.metrics.legacy = Some(LegacyStats {
                reserves: world.legacy.reserves,
                scanned: world.legacy.scanned,
                last_scan: world.legacy.last_scan,
                longest_list: world.legacy.longest,
                final_entries: world.legacy.entries(),
                final_expired: world.legacy.expired(end),
                disagreements: world.metrics.legacy.as_ref().map_or(0, |l| l.disagreements),
            });
        }
        world.metrics.finish();
        Report { metrics: self.world.metrics, backend: self.world.backend, sink: self.world.sink }
    }
}
