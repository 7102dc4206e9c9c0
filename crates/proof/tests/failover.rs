//! A replica promoted under load (reduced; `cargo xtask soak` runs it longer): fences keep
//! rising across the failover, errors are typed, and the promoted replica serves. One holder at
//! a time is reported, not asserted: asynchronous replication does not promise it.

use std::time::Duration;

use leasehold_proof::failover;
use leasehold_proof::faults::FaultSizes;
use leasehold_proof::load::LoadConfig;

#[test]
fn a_promoted_replica_keeps_fences_rising_and_serves_the_moved_clients() {
    let sizes = FaultSizes {
        load: LoadConfig { clients: 20, ..LoadConfig::clients_50(0) },
        duration: Duration::from_secs(3),
        outage: Duration::ZERO,
    };
    let table = failover::promote_replica(&sizes);
    println!("{}", table.markdown());
    assert!(table.broken().is_empty(), "{}", table.markdown());
    assert!(table.audit.errors.get("connection").is_some_and(|&n| n > 0), "the failover went unnoticed");
}
