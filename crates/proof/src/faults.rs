//! Faults under load, each reported as a [`Table`] of what held and what failed:
//!
//! - `kill -9` of redis-server mid-load, restarted without persistence (everything is lost)
//!   and with persistence (AOF, `appendfsync always`);
//! - redis-server paused (SIGSTOP) for longer than every lock TTL, then resumed;
//! - every client connection dropped (`CLIENT KILL TYPE normal`), several times;
//! - a client process paused past its TTL ([`paused_client`]).
//!
//! What is promised under each fault is written in `docs/guarantees.md`; a row whose promise
//! is broken is a failure of the run.

pub mod paused_client;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leasehold_core::{Acquire, LockOutcome, LockRequest, Outcome, Request};
use leasehold_redis::testing::RedisServer;

use crate::audit::{audit, Audit};
use crate::load::{self, LoadConfig, LoadRun, Target};
use crate::table::{Row, Table};
use crate::trace::{Action, Answer, Record};

/// When a fault began and when the server was back, client µs since the run started.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    /// The fault began.
    pub from_us: u64,
    /// The server was serving again.
    pub until_us: u64,
}

/// Runs the load on `target` for `duration` while `fault` runs beside it (given the run's start,
/// it returns the fault's window).
pub fn under_load(
    target: Arc<Target>,
    config: &LoadConfig,
    duration: Duration,
    fault: impl FnOnce(Instant) -> Window + Send,
) -> (LoadRun, Window) {
    let config = LoadConfig { operations: u64::MAX, deadline: Some(duration), ..config.clone() };
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let window = Mutex::new(Window::default());
    let run = std::thread::scope(|scope| {
        scope.spawn(|| *window.lock().expect("window") = fault(started));
        load::run(target, &config, stop, started)
    });
    (run, window.into_inner().expect("window"))
}

fn us(started: Instant) -> u64 {
    started.elapsed().as_micros() as u64
}

/// Every lock grant in the trace: key, fence, client µs when sent and when answered.
fn grants(records: &[Record]) -> Vec<(&str, u64, u64, u64)> {
    records
        .iter()
        .filter_map(|record| match (&record.action, &record.answer) {
            (
                Action::Redis(Request::Lock(LockRequest::Acquire { key, .. })),
                Answer::Outcome(Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { fence, .. }))),
            ) => Some((key.as_str(), *fence, record.sent_us, record.received_us)),
            _ => None,
        })
        .collect()
}

/// Whether every lock fence granted after `window` (sent after it ended) is above every fence
/// granted before it (answered before it began), per key.
pub fn fences_rise_across(records: &[Record], window: Window) -> Row {
    let mut before: HashMap<&str, u64> = HashMap::new();
    let mut after: HashMap<&str, u64> = HashMap::new();
    for (key, fence, sent, received) in grants(records) {
        if received < window.from_us {
            let top = before.entry(key).or_insert(0);
            *top = (*top).max(fence);
        } else if sent > window.until_us {
            let low = after.entry(key).or_insert(u64::MAX);
            *low = (*low).min(fence);
        }
    }
    let compared = after.keys().filter(|key| before.contains_key(*key)).count();
    let lower: Vec<_> =
        after.iter().filter(|(key, low)| before.get(*key).is_some_and(|top| **low <= *top)).collect();
    let detail = format!(
        "{compared} keys granted before and after; {} with a fence not above the old ones",
        lower.len()
    );
    Row::new(
        "fences after the fault are above every fence before it",
        true,
        lower.is_empty() && compared > 0,
        detail,
    )
}

/// The rows every fault reports, from the audit; `exclusive` and `exact` say whether one holder
/// at a time and the exact limit are promised under this fault.
pub fn rows(audit: &Audit, run: &LoadRun, window: Window, exclusive: bool, exact: bool) -> Vec<Row> {
    let errors: u64 = audit.errors.values().sum();
    let after = run
        .records
        .iter()
        .filter(|r| r.sent_us > window.until_us && matches!(r.answer, Answer::Outcome(_)))
        .count();
    let typed = audit.errors.keys().all(|kind| ["connection", "server"].contains(kind));
    vec![
        Row::new(
            "every request answered: an outcome or a typed error",
            true,
            audit.count("lost") + audit.count("wrong_outcome") == 0 && typed,
            format!(
                "{} requests, {} outcomes, {errors} errors {:?}",
                audit.requests, audit.outcomes, audit.errors
            ),
        ),
        Row::new("served again after the fault", true, after > 0, format!("{after} outcomes after it")),
        Row::new(
            "no stale write accepted by the fenced resource",
            true,
            audit.count("stale_write") == 0,
            format!(
                "{} accepted, {} rejected; late writes {} of {} rejected",
                audit.writes.0, audit.writes.1, audit.late_writes.1, audit.late_writes.0
            ),
        ),
        Row::new(
            "a fence is never issued twice, and fence order is grant order",
            true,
            audit.count("fence_reissued") + audit.count("fence_order") == 0,
            format!(
                "{} reissued, {} out of order",
                audit.count("fence_reissued"),
                audit.count("fence_order")
            ),
        ),
        fences_rise_across(&run.records, window),
        Row::new(
            "one holder at a time (locks and held items)",
            exclusive,
            audit.count("two_holders") == 0,
            format!("{} leases, {} overlapping pairs", audit.leases, audit.count("two_holders")),
        ),
        Row::new(
            "the exact limiter never over its quota in a window",
            exact,
            audit.count("over_limit") == 0,
            format!(
                "{} admitted, {} denied, {} keys over",
                audit.admitted,
                audit.denied,
                audit.count("over_limit")
            ),
        ),
    ]
}

fn table(title: String, run: &LoadRun, window: Window, exclusive: bool, exact: bool) -> Table {
    let audit = audit(&run.records, &run.sent);
    let rows = rows(&audit, run, window, exclusive, exact);
    Table { title, rows, audit }
}

/// Sizes of a fault run.
#[derive(Debug, Clone)]
pub struct FaultSizes {
    /// The load (its `operations` is ignored: fault runs last `duration`).
    pub load: LoadConfig,
    /// How long each run lasts.
    pub duration: Duration,
    /// How long the server stays down, paused, or how often connections are dropped.
    pub outage: Duration,
}

/// `kill -9` at a third of the run; restarted at once (well within the TTLs, so that what the
/// restart forgets is still live for its holders), with or without persistence.
pub fn kill_and_restart(sizes: &FaultSizes, persistent: bool) -> Table {
    let extra: &[&str] = if persistent { &["--appendonly", "yes", "--appendfsync", "always"] } else { &[] };
    let mut server = RedisServer::start_with(extra);
    let target = Arc::new(Target::new(server.url()));
    let lead = sizes.duration / 3;
    let (run, window) = under_load(target, &sizes.load, sizes.duration, |started| {
        std::thread::sleep(lead);
        let from_us = us(started);
        server.kill();
        server.restart();
        Window { from_us, until_us: us(started) }
    });
    let title = if persistent {
        "kill -9 mid-load, restarted with persistence (AOF, appendfsync always)"
    } else {
        "kill -9 mid-load, restarted without persistence (all data lost)"
    };
    let title = format!(
        "{title}, down {:.0?}, {} clients",
        Duration::from_micros(window.until_us - window.from_us),
        sizes.load.clients
    );
    table(title, &run, window, persistent, persistent)
}

/// SIGSTOP at a third of the run for `outage` (longer than every TTL), then SIGCONT.
pub fn pause_server(sizes: &FaultSizes) -> Table {
    let server = RedisServer::start();
    let target = Arc::new(Target::new(server.url()));
    let outage = sizes.outage;
    let lead = sizes.duration / 3;
    let (run, window) = under_load(target, &sizes.load, sizes.duration, |started| {
        std::thread::sleep(lead);
        let from_us = us(started);
        server.pause();
        std::thread::sleep(outage);
        server.resume();
        Window { from_us, until_us: us(started) }
    });
    let title = format!(
        "redis-server paused (SIGSTOP) {outage:?}, longer than every TTL ({}..{} ms), then resumed",
        sizes.load.ttl_ms.0, sizes.load.ttl_ms.1
    );
    table(title, &run, window, true, true)
}

/// Every client connection dropped (`CLIENT KILL TYPE normal`) every `outage`, from a third of
/// the run to two thirds.
pub fn drop_connections(sizes: &FaultSizes) -> Table {
    let server = RedisServer::start();
    let target = Arc::new(Target::new(server.url()));
    let every = sizes.outage;
    let lead = sizes.duration / 3;
    let mut kills = 0u64;
    let (run, window) = under_load(target, &sizes.load, sizes.duration, |started| {
        std::thread::sleep(lead);
        let from_us = us(started);
        let mut admin = server.raw();
        while started.elapsed() < 2 * lead {
            let killed: u64 =
                redis::cmd("CLIENT").arg("KILL").arg("TYPE").arg("normal").query(&mut admin).unwrap_or(0);
            kills += killed;
            std::thread::sleep(every);
        }
        Window { from_us, until_us: us(started) }
    });
    let title =
        format!("client connections dropped (CLIENT KILL TYPE normal) every {every:?}: {kills} killed");
    table(title, &run, window, true, true)
}
