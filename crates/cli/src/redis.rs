//! `--redis URL`: the simulator's [`Backend`] on a real Redis through `leasehold-redis`, with
//! the explicit clock of the simulation, so its outcomes are the in-memory engine's byte for
//! byte.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use leasehold_core::{Error, Millis, Outcome, Request};
use leasehold_redis::{AdapterError, Client, Clock, Connection, Layout};
use leasehold_sim::backend::Backend;

/// The key prefix of a run with `--flush`.
pub const FLUSHED_PREFIX: &str = "leasehold-sim";

/// Where a run's keys go.
#[derive(Debug, Clone)]
pub struct Target {
    client: Client,
    prefix: String,
}

impl Target {
    /// The Redis at `url`. With `flush`, the database is emptied (`FLUSHDB`) and keys go under
    /// [`FLUSHED_PREFIX`]; otherwise nothing is deleted and each run gets a fresh prefix
    /// `leasehold-sim-<hash>` of the run's `label`, the process and the wall clock.
    pub fn open(url: &str, flush: bool, label: &str) -> Result<Target, String> {
        let client = Client::open(url).map_err(|e| format!("--redis {url}: {e}"))?;
        let prefix = if flush {
            let mut connection = redis::Client::open(url)
                .and_then(|c| c.get_connection_with_timeout(leasehold_redis::TIMEOUT))
                .map_err(|e| format!("--redis {url}: {e}"))?;
            redis::cmd("FLUSHDB").query::<()>(&mut connection).map_err(|e| format!("--flush: {e}"))?;
            FLUSHED_PREFIX.to_owned()
        } else {
            let mut hasher = DefaultHasher::new();
            (label, std::process::id(), SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default())
                .hash(&mut hasher);
            format!("{FLUSHED_PREFIX}-{:016x}", hasher.finish())
        };
        Ok(Target { client, prefix })
    }

    /// The key prefix of this run.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A backend under the run's prefix, or under `<prefix>-<n>` for the `n`th re-run (a
    /// violation's history is collected from a second run on a fresh store).
    pub fn backend(&self, run: u32) -> RedisBackend {
        let prefix = if run == 0 { self.prefix.clone() } else { format!("{}-{run}", self.prefix) };
        RedisBackend { client: self.client.clone(), prefix, connection: None }
    }
}

/// The simulator's store on Redis. Connects on its first operation; the first failure of Redis
/// ends the run.
///
/// Active expiry needs nothing here: the simulator sends the hold sweeps that show in outcomes
/// as traced requests, and forgetting locks, semaphores and limits changes no outcome (Redis
/// reclaims their memory by key TTLs under the server clock).
#[derive(Debug)]
pub struct RedisBackend {
    client: Client,
    prefix: String,
    connection: Option<Connection>,
}

impl RedisBackend {
    fn connection(&mut self) -> Result<&mut Connection, AdapterError> {
        if self.connection.is_none() {
            let layout = Layout::new(&self.prefix)?;
            self.connection = Some(self.client.clone().with_layout(layout).connect()?);
        }
        self.connection.as_mut().ok_or_else(|| AdapterError::Config("no connection".into()))
    }
}

impl Backend for RedisBackend {
    type Failure = AdapterError;

    fn apply(&mut self, request: &Request, now: Millis) -> Result<Result<Outcome, Error>, AdapterError> {
        match self.connection()?.apply(request, Clock::Explicit(now)) {
            Ok(outcome) => Ok(Ok(outcome)),
            Err(AdapterError::Invalid(error)) => Ok(Err(error)),
            Err(failure) => Err(failure),
        }
    }

    fn stored_holds(&mut self, namespace: &str) -> Option<u64> {
        let [holds, _, _] = Layout::new(&self.prefix).ok()?.hold(namespace);
        let connection = self.connection().ok()?.connection();
        redis::cmd("HLEN").arg(holds).query(connection).ok()
    }
}
