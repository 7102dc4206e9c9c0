//! The reduced load (`cargo xtask soak` runs the full 100k): 50 clients over loopback against a
//! redis-server of their own, every operation traced, and an audit with nothing to report.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use leasehold_proof::audit::audit;
use leasehold_proof::load::{self, LoadConfig, Target};
use leasehold_redis::testing::RedisServer;

const REQUESTS: u64 = 20_000;

#[test]
fn fifty_clients_sending_twenty_thousand_requests_leave_a_clean_audit() {
    let server = RedisServer::start();
    let config = LoadConfig::clients_50(REQUESTS);
    let run = load::run(
        Arc::new(Target::new(server.url())),
        &config,
        Arc::new(AtomicBool::new(false)),
        Instant::now(),
    );
    let audit = audit(&run.records, &run.sent);
    assert!(audit.violations.is_empty(), "{:#?}", audit.violations);
    assert!(audit.errors.is_empty(), "errors without a fault: {:?}", audit.errors);
    assert!(audit.requests >= REQUESTS, "{} requests", audit.requests);
    assert_eq!(run.sent.len(), 50);
    assert!(run.sent.iter().all(|&sent| sent > 0), "a client sent nothing: {:?}", run.sent);
    // The load exercised what the audit checks: contention, denials, late writers.
    assert!(audit.leases > 1_000, "{} leases", audit.leases);
    assert!(audit.denied > 0 && audit.admitted > 0, "limiter {} / {}", audit.admitted, audit.denied);
    assert!(audit.late_writes.0 > 0, "no late writer");
    assert!(audit.writes.1 > 0, "no write was rejected");
}
