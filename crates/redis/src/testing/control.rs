//! Controlling a running test server from the outside, for fault and failover tests: its PID,
//! pausing it (SIGSTOP) and resuming it (SIGCONT), a replica of it, and promoting a replica.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, RedisServer};

/// How long a replica may take to finish its first sync with its primary.
const SYNCED_WITHIN: Duration = Duration::from_secs(20);

fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -{name} {pid} failed");
}

impl RedisServer {
    /// A fresh server on a free port, replicating `primary` (`--replicaof`), once its first sync
    /// is done.
    pub fn start_replica_of(primary: &RedisServer, extra: &[&str]) -> RedisServer {
        let port = primary.port().to_string();
        let mut arguments = vec!["--replicaof", "127.0.0.1", port.as_str()];
        arguments.extend_from_slice(extra);
        let replica = RedisServer::start_on(free_port(), &arguments);
        replica.wait_synced();
        replica
    }

    fn wait_synced(&self) {
        let started = Instant::now();
        let mut connection = self.raw();
        loop {
            let info: String =
                redis::cmd("INFO").arg("replication").query(&mut connection).unwrap_or_default();
            if info.contains("master_link_status:up") {
                return;
            }
            assert!(
                started.elapsed() < SYNCED_WITHIN,
                "the replica on port {} never synced: {info}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Makes this replica a primary (`REPLICAOF NO ONE`): it accepts writes from now on, with
    /// whatever it had received of its old primary's.
    pub fn promote(&self) {
        let _: () =
            redis::cmd("REPLICAOF").arg("NO").arg("ONE").query(&mut self.raw()).expect("REPLICAOF NO ONE");
    }

    /// The server process's id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(std::process::Child::id)
    }

    /// Stops the server process (SIGSTOP): connections stay open and nothing is answered until
    /// [`RedisServer::resume`].
    pub fn pause(&self) {
        if let Some(pid) = self.pid() {
            signal(pid, "STOP");
        }
    }

    /// Resumes a paused server (SIGCONT).
    pub fn resume(&self) {
        if let Some(pid) = self.pid() {
            signal(pid, "CONT");
        }
    }
}
