//! Scenario files: who does what, when, for how long, and on which engine parameters.
//!
//! A scenario is JSON (presets in `crates/sim/scenarios/*.json`). Every time is integer
//! milliseconds, every probability integer parts per million (ppm), and unknown fields are
//! refused so that a typo is an error rather than a silently ignored setting:
//!
//! ```json
//! {
//!   "name": "withdraw-rush",
//!   "about": "one line for `leasehold scenarios`",
//!   "seed": 42,
//!   "horizon": 3600000,
//!   "start": 1767225600000,
//!   "sample_every": 60000,
//!   "engine": {"expire_every": 1000, "expire_budget": 256},
//!   "agents": [
//!     {"group": "users", "count": 400,
//!      "arrival": {"poisson": {"mean": 30000}},
//!      "behaviour": {"withdraw": {"namespace": "reserved-assets_730", "inventory": 4000, ...}}}
//!   ]
//! }
//! ```
//!
//! - `start` (default 2026-01-01T00:00:00Z) is the first `now`; the run ends at `start + horizon`.
//! - `arrival` spaces an agent's sessions: `{"every": ms}` (fixed, first one staggered
//!   uniformly), `{"poisson": {"mean": ms}}` (exponential gaps) or
//!   `{"bursts": {"every": ms, "size": n, "gap": ms}}` (`size` sessions `gap` apart, then a pause
//!   of `every`).
//! - durations are [`Dist`]s: `{"fixed": ms}`, `{"uniform": {"min": ms, "max": ms}}` or
//!   `{"exponential": {"mean": ms}}`.
//! - behaviours are documented on [`Behaviour`].

use alloc::string::String;
use alloc::vec::Vec;

use leasehold_core::{Algorithm, BlockPolicy, Millis};
use serde::{Deserialize, Serialize};

pub use crate::timing::{Arrival, Dist};

/// 2026-01-01T00:00:00Z in Unix milliseconds: the default first `now`.
pub const DEFAULT_START: u64 = 1_767_225_600_000;

/// A whole scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, as `leasehold simulate <name>` takes it.
    pub name: String,
    /// One line saying what the scenario shows.
    pub about: String,
    /// Seed of every random draw.
    pub seed: u64,
    /// How long the run lasts, in ms of simulated time.
    pub horizon: u64,
    /// The first `now`.
    #[serde(default = "default_start")]
    pub start: u64,
    /// How often live holds, locks and list lengths are sampled (ms); 0 for 60 samples.
    #[serde(default)]
    pub sample_every: u64,
    /// Engine parameters.
    #[serde(default)]
    pub engine: EngineParams,
    /// The agent groups.
    pub agents: Vec<Group>,
}

fn default_start() -> u64 {
    DEFAULT_START
}

/// How the in-memory engine is driven.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineParams {
    /// Seed of the engine's key hashing (never changes an outcome).
    #[serde(default)]
    pub hash_seed: u64,
    /// Active expiry runs at most once per this many ms of simulated time (0: never).
    #[serde(default = "default_expire_every")]
    pub expire_every: u64,
    /// Entries each table examines per active expiry.
    #[serde(default = "default_expire_budget")]
    pub expire_budget: u64,
}

fn default_expire_every() -> u64 {
    1000
}

fn default_expire_budget() -> u64 {
    256
}

impl Default for EngineParams {
    fn default() -> EngineParams {
        EngineParams {
            hash_seed: 0,
            expire_every: default_expire_every(),
            expire_budget: default_expire_budget(),
        }
    }
}

/// `count` agents sharing a behaviour and an arrival process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The group's name; its agents are `name#0`, `name#1`, ...
    pub group: String,
    /// How many agents.
    pub count: u32,
    /// When each agent starts a session.
    pub arrival: Arrival,
    /// What a session does.
    pub behaviour: Behaviour,
}

/// What an agent's session does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Behaviour {
    /// A user withdrawing items from a shared inventory (seed 000, tradeit).
    Withdraw(Withdraw),
    /// A worker taking a lock per job (`lockTrade`, `indexLaneLock`), renewing, crashing,
    /// pausing, and optionally writing to a fenced resource.
    LockWorker(LockWorker),
    /// A client of a rate limit (seeds 000, 002, 003, 004).
    LimitClient(LimitClient),
}

/// [`Behaviour::Withdraw`]: reserve `items` of the inventory as a hold, lock each asset with
/// `lockTrade:{asset}` (when `lock_ttl` is set), trade for `trade` ms, then release; or crash
/// (`crash_ppm` per session) and leave holds and locks to their TTLs; or fail to release
/// (`release_fail_ppm`, the failed `removeReserve` job). With `legacy`, every reserve and
/// release is mirrored on tradeit's two-list layout ([`crate::legacy`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withdraw {
    /// Hold namespace (and legacy app id suffix), e.g. `reserved-assets_730`.
    pub namespace: String,
    /// Items in the shared inventory, named `bot{b}-a{i}`.
    pub inventory: u64,
    /// Bots the inventory is spread over.
    pub bots: u64,
    /// Items per withdrawal.
    pub items: Dist,
    /// Hold TTL (tradeit: 20 min).
    pub hold_ttl: u64,
    /// `lockTrade` TTL (tradeit: 900 s); no trade locks when absent.
    #[serde(default)]
    pub lock_ttl: Option<u64>,
    /// How long a trade takes.
    pub trade: Dist,
    /// Browsing time before picking other items after a conflict.
    pub retry: Dist,
    /// Conflicts tolerated before the user gives up.
    pub retries: u32,
    /// Sessions that crash mid-trade, ppm.
    #[serde(default)]
    pub crash_ppm: u32,
    /// Releases that never happen, ppm.
    #[serde(default)]
    pub release_fail_ppm: u32,
    /// Mirror on the legacy list layout.
    #[serde(default)]
    pub legacy: bool,
}

/// [`Behaviour::LockWorker`]: take `{key_prefix}{k}` for a random `k < keys` with `ttl`, work
/// for `work` ms (renewing at half the TTL when `renew`), release. A denied worker retries after
/// the `retry_after` it was given. `crash_ppm` per session: the worker dies holding the lock
/// and comes back after `restart` ms under a new owner token. `pause_ppm` per renewal: the
/// worker stops for `pause` ms (a GC pause, a stalled VM), then carries on as if it still held
/// the lock. With `write`, the worker writes to a fenced resource named after the key when it
/// gets the lock and at each renewal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockWorker {
    /// Key prefix, e.g. `lockTrade:`.
    pub key_prefix: String,
    /// Distinct keys.
    pub keys: u64,
    /// Lease TTL.
    pub ttl: u64,
    /// Extend at `ttl / 2` while working.
    #[serde(default)]
    pub renew: bool,
    /// How long a job takes.
    pub work: Dist,
    /// Sessions that crash while holding the lock, ppm.
    #[serde(default)]
    pub crash_ppm: u32,
    /// Time to come back after a crash.
    #[serde(default = "default_restart")]
    pub restart: Dist,
    /// Renewals preceded by a pause, ppm.
    #[serde(default)]
    pub pause_ppm: u32,
    /// How long a pause lasts.
    #[serde(default = "default_pause")]
    pub pause: Dist,
    /// Write to the fenced resource of the key.
    #[serde(default)]
    pub write: bool,
}

fn default_restart() -> Dist {
    Dist::Fixed(30_000)
}

fn default_pause() -> Dist {
    Dist::Fixed(0)
}

/// [`Behaviour::LimitClient`]: each session checks `cost` against `algorithm` (and `block`) on
/// `{key_prefix}{i % keys}`. A polite client (`honours_retry`) that is denied waits the
/// `retry_after` it was given and tries again, up to `retries` times; an abusive one just keeps
/// to its arrival process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitClient {
    /// Key prefix, e.g. `login_ip:198.51.100.`.
    pub key_prefix: String,
    /// Distinct keys shared by the group's agents (0: one per agent).
    #[serde(default)]
    pub keys: u64,
    /// The algorithm with its parameters, as in a `limit.check` request.
    pub algorithm: Algorithm,
    /// The block policy, if any.
    #[serde(default)]
    pub block: Option<BlockPolicy>,
    /// Cost of each check.
    #[serde(default = "default_cost")]
    pub cost: u64,
    /// Wait `retry_after` and retry when denied.
    #[serde(default)]
    pub honours_retry: bool,
    /// Retries per session for a polite client.
    #[serde(default)]
    pub retries: u32,
}

fn default_cost() -> u64 {
    1
}

/// A scenario that cannot run, with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// JSON path of the field, e.g. `agents[2].count`.
    pub field: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl core::fmt::Display for Invalid {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl Scenario {
    /// Checks what serde cannot: non-empty groups, positive counts and spans, `min ≤ max`.
    pub fn validate(&self) -> Result<(), Invalid> {
        let bad = |field: String, problem| Err(Invalid { field, problem });
        if self.horizon == 0 {
            return bad("horizon".into(), "must be at least 1 ms");
        }
        if self.start.checked_add(self.horizon).is_none_or(|end| end > Millis::MAX.0 / 2) {
            return bad("horizon".into(), "start + horizon must stay well below 2^53 ms");
        }
        if self.agents.is_empty() {
            return bad("agents".into(), "needs at least one group");
        }
        for (index, group) in self.agents.iter().enumerate() {
            let at = |field: &str| alloc::format!("agents[{index}].{field}");
            if group.count == 0 {
                return bad(at("count"), "must be at least 1");
            }
            let dists: Vec<(&str, Dist)> = match &group.behaviour {
                Behaviour::Withdraw(w) => {
                    if w.inventory == 0 || w.bots == 0 {
                        return bad(
                            at("behaviour.withdraw.inventory"),
                            "inventory and bots must be at least 1",
                        );
                    }
                    alloc::vec![("behaviour.withdraw.items", w.items), ("behaviour.withdraw.trade", w.trade)]
                }
                Behaviour::LockWorker(w) => {
                    if w.keys == 0 {
                        return bad(at("behaviour.lock_worker.keys"), "must be at least 1");
                    }
                    alloc::vec![
                        ("behaviour.lock_worker.work", w.work),
                        ("behaviour.lock_worker.pause", w.pause)
                    ]
                }
                Behaviour::LimitClient(_) => Vec::new(),
            };
            for (field, dist) in dists {
                if let Dist::Uniform { min, max } = dist {
                    if min > max {
                        return bad(at(field), "uniform min is above max");
                    }
                }
            }
        }
        Ok(())
    }

    /// The last `now` of the run.
    pub fn end(&self) -> u64 {
        self.start + self.horizon
    }

    /// How often samples are taken.
    pub fn sample_every(&self) -> u64 {
        if self.sample_every > 0 {
            self.sample_every
        } else {
            (self.horizon / 60).max(1)
        }
    }

    /// Total agents over all groups.
    pub fn agent_count(&self) -> u64 {
        self.agents.iter().map(|group| u64::from(group.count)).sum()
    }
}
