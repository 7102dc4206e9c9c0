//! # leasehold-sim
//!
//! A deterministic discrete-event simulator of the workloads leasehold serves: users
//! withdrawing items under holds and trade locks, workers with fenced, renewed leases that
//! crash and pause, clients of rate limits, and tradeit's legacy reservation lists beside
//! holds. The CLI (`leasehold simulate`) runs it natively; the browser playground runs the
//! same code as wasm. Like the core, it is `no_std`, reads no clock, does no I/O and decides
//! with integers only: the same scenario and seed give the same steps everywhere.
//!
//! ```
//! use leasehold_sim::{presets, simulate, Discard, Scenario};
//!
//! let text = presets::find("orphaned-locks").unwrap().json;
//! # let text = text; // a preset is JSON; an edge parses it (here with serde_json)
//! let mut scenario: Scenario = serde_json::from_str(text).unwrap();
//! scenario.horizon = 600_000; // ten simulated minutes
//! let report = simulate(&scenario, Discard).expect("no invariant breaks");
//! assert!(report.metrics.ops > 0);
//! ```
//!
//! - [`scenario`]: the scenario file format; [`presets`]: the shipped scenarios.
//! - [`runner`]: the event loop ([`run`] on any [`Backend`], [`simulate`] on the embedded engine);
//!   [`stepper`]: the same loop advanced in slices.
//! - [`trace`]: the steps a run yields and the JSON-lines trace format.
//! - [`invariant`]: what every step is checked against; [`metrics`]: what a run measures.
//! - [`legacy`]: tradeit's two-list reservation layout; [`rng`]: the seeded PRNG.
#![no_std]
#![forbid(unsafe_code)]
#![warn(clippy::std_instead_of_core, clippy::alloc_instead_of_core, clippy::std_instead_of_alloc)]

extern crate alloc;

pub mod agent;
pub mod backend;
pub mod invariant;
pub mod legacy;
pub mod metrics;
pub mod presets;
pub mod queue;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod stepper;
pub mod timing;
pub mod trace;
pub mod trace_hash;

pub use backend::{Backend, InMemory};
pub use invariant::{Checker, Violation};
pub use metrics::Metrics;
pub use runner::{in_memory, run, simulate, simulate_on, Report, Stop};
pub use scenario::{Behaviour, Scenario};
pub use stepper::{Advanced, Stepper};
pub use trace::{Discard, Header, Op, Record, Recorder, Sink, StepRef};
pub use trace_hash::TraceHash;
