//! # leasehold-proof
//!
//! leasehold under load, faults, failover and bad input, against real `redis-server`s started
//! on free loopback ports (the `leasehold_redis::testing` harness) and stopped by PID.
//!
//! Every run records each operation and its answer in a [`trace`], then [`audit`]s it: no stale
//! writer accepted by the [`fenced`] resource, one holder per lock and per held item at a time,
//! an exact limiter never over its quota in a window, nothing lost. The [`load`] is the
//! workload; [`faults`] and [`failover`] run it while something goes wrong and report what held
//! and what failed as a [`table`].
//!
//! The tests in `tests/` run reduced forms (`cargo xtask test`); the `leasehold-proof` binary
//! runs the full ones (`cargo xtask soak`).

pub mod audit;
pub mod bench;
pub mod failover;
pub mod faults;
pub mod fenced;
pub mod load;
pub mod rng;
pub mod table;
pub mod trace;
