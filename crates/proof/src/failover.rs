//! Failover under load: a primary with a replica (asynchronous replication, as Redis ships),
//! the primary killed (`kill -9`) at a third of the run and, 150 ms later, the replica promoted
//! (`REPLICAOF NO ONE`); the clients move to it.
//!
//! What is promised is in `docs/guarantees.md`: fences keep rising (each new fence is at least
//! the server clock × 1000, and both servers read the same clock), typed errors during the
//! switch, service after it. One holder at a time is *not* promised: a grant the primary
//! acknowledged but had not yet sent to its replica is lost with it, and the promoted replica
//! may grant the same lock again. [`wait_cost`] measures the `WAIT`-based remedy.

use std::sync::Arc;
use std::time::{Duration, Instant};

use leasehold_core::Millis;
use leasehold_redis::testing::RedisServer;
use leasehold_redis::Clock;

use crate::faults::{under_load, FaultSizes, Window};
use crate::load::Target;
use crate::table::Table;

/// How long after the primary's death the replica is promoted.
const NOTICE: Duration = Duration::from_millis(150);

/// Kills the primary at a third of the run, promotes the replica [`NOTICE`] later, moves the
/// clients.
pub fn promote_replica(sizes: &FaultSizes) -> Table {
    let mut primary = RedisServer::start();
    let replica = RedisServer::start_replica_of(&primary, &[]);
    let target = Arc::new(Target::new(primary.url()));
    let lead = sizes.duration / 3;
    let switch = target.clone();
    let (run, window) = under_load(target, &sizes.load, sizes.duration, |started| {
        std::thread::sleep(lead);
        let from_us = started.elapsed().as_micros() as u64;
        primary.kill();
        // A failover is never instant: whatever notices the dead primary (a sentinel, an
        // operator) takes a while, and clients meanwhile find it gone. Without this pause a run
        // whose clients were all between requests at the kill would see no failover at all.
        std::thread::sleep(NOTICE);
        replica.promote();
        switch.switch(replica.url());
        Window { from_us, until_us: started.elapsed().as_micros() as u64 }
    });
    let audit = crate::audit::audit(&run.records, &run.sent);
    let rows = crate::faults::rows(&audit, &run, window, false, false);
    let title = format!(
        "failover: primary killed (kill -9) under load, replica promoted (REPLICAOF NO ONE), {} clients moved",
        sizes.load.clients
    );
    Table { title, rows, audit }
}

/// Latency percentiles (µs) of a lock acquire alone and of an acquire followed by
/// `WAIT 1 <timeout>` (the grant is on the replica before the caller uses it), `n` each,
/// sequentially on a primary with one replica.
pub fn wait_cost(n: u64) -> ((u64, u64), (u64, u64)) {
    let primary = RedisServer::start();
    let _replica = RedisServer::start_replica_of(&primary, &[]);
    let mut redis = primary.connect("wait");
    let mut plain = Vec::new();
    let mut waited = Vec::new();
    for i in 0..n {
        let key = format!("job:{i}");
        let started = Instant::now();
        let _ = redis.lock_acquire(&key, "a", Millis(10_000), Clock::Server);
        plain.push(started.elapsed());
        let key = format!("waited:{i}");
        let started = Instant::now();
        let _ = redis.lock_acquire(&key, "a", Millis(10_000), Clock::Server);
        let _: redis::RedisResult<u64> = redis::cmd("WAIT").arg(1).arg(100).query(redis.connection());
        waited.push(started.elapsed());
    }
    (percentiles(&mut plain), percentiles(&mut waited))
}

/// p50 and p99 in µs.
pub fn percentiles(samples: &mut [Duration]) -> (u64, u64) {
    if samples.is_empty() {
        return (0, 0);
    }
    samples.sort_unstable();
    let at = |q: usize| samples[(samples.len() * q / 100).min(samples.len() - 1)].as_micros() as u64;
    (at(50), at(99))
}
