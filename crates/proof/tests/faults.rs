//! Reduced fault runs (`cargo xtask soak` runs them longer): each fault under load, and every
//! property leasehold promises under it held; typed errors, never a panic.

use std::time::Duration;

use leasehold_proof::faults::{self, FaultSizes};
use leasehold_proof::load::LoadConfig;
use leasehold_proof::table::Table;

fn sizes() -> FaultSizes {
    FaultSizes {
        load: LoadConfig { clients: 20, ..LoadConfig::clients_50(0) },
        duration: Duration::from_secs(3),
        outage: Duration::from_millis(900),
    }
}

fn holds(table: &Table) {
    println!("{}", table.markdown());
    assert!(table.broken().is_empty(), "{}", table.markdown());
}

#[test]
fn a_server_killed_and_restarted_empty_mid_load_keeps_fences_rising_and_serves_again() {
    let table = faults::kill_and_restart(&sizes(), false);
    holds(&table);
    assert!(table.audit.errors.get("connection").is_some_and(|&n| n > 0), "the kill went unnoticed");
}

#[test]
fn a_server_killed_and_restarted_with_its_aof_keeps_every_lease_and_limit() {
    let table = faults::kill_and_restart(&sizes(), true);
    holds(&table);
    assert!(table.audit.errors.get("connection").is_some_and(|&n| n > 0), "the kill went unnoticed");
}

#[test]
fn a_server_paused_longer_than_every_ttl_resumes_with_every_invariant_held() {
    holds(&faults::pause_server(&sizes()));
}

#[test]
fn dropped_connections_give_typed_errors_and_reconnect() {
    let table = faults::drop_connections(&FaultSizes { outage: Duration::from_millis(200), ..sizes() });
    holds(&table);
    assert!(table.audit.errors.get("connection").is_some_and(|&n| n > 0), "no connection was dropped");
}

#[test]
fn a_client_paused_past_its_ttl_is_told_it_lost_the_lock_and_its_late_write_is_rejected() {
    let table = faults::paused_client::paused_client(env!("CARGO_BIN_EXE_leasehold-proof").as_ref(), 300);
    holds(&table);
}
