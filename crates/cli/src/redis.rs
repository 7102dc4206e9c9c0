//! `--redis URL`: the simulator's [`Backend`] on a real Redis through `leasehold-redis`, with
//! the explicit clock of the simulation, so its outcomes are the in-memory engine's byte for
//! byte.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use leasehold_core::{Error, HoldRequest, Millis, Outcome, Request};
use leasehold_redis::{AdapterError, Client, Clock, Connection, Layout};
use leasehold_sim::backend::Backend;
use leasehold_sim::scenario::EngineParams;

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
    pub fn backend(&self, run: u32, engine: &EngineParams) -> RedisBackend {
        let prefix = if run == 0 { self.prefix.clone() } else { format!("{}-{run}", self.prefix) };
        RedisBackend {
            client: self.client.clone(),
            prefix,
            connection: None,
            expire_every: engine.expire_every,
            expire_budget: engine.expire_budget.min(leasehold_core::bounds::MAX_PAGE),
            last_expire: 0,
            namespaces: Vec::new(),
            failed: None,
        }
    }
}

/// The simulator's store on Redis. Connects on its first operation; the first failure of Redis
/// ends the run.
///
/// Active expiry mirrors the in-memory engine's, because it shows in outcomes: a dead hold it
/// reclaims gives no `expired` event to the next operation on its namespace. Every
/// `expire_every` ms of simulated time, each hold namespace used so far is swept of up to
/// `expire_budget` dead holds (`Holds::sweep`). That is exactly what the engine does while the
/// namespaces number at most `expire_budget` (the engine then visits them all); locks,
/// semaphores and limits need nothing, since forgetting them changes no outcome.
#[derive(Debug)]
pub struct RedisBackend {
    client: Client,
    prefix: String,
    connection: Option<Connection>,
    expire_every: u64,
    expire_budget: u64,
    last_expire: u64,
    namespaces: Vec<String>,
    failed: Option<AdapterError>,
}

impl RedisBackend {
    fn connection(&mut self) -> Result<&mut Connection, AdapterError> {
        if self.connection.is_none() {
            let layout = Layout::new(&self.prefix)?;
            self.connection = Some(self.client.clone().with_layout(layout).connect()?);
        }
        self.connection.as_mut().ok_or_else(|| AdapterError::Config("no connection".into()))
    }

    fn sweep_all(&mut self, now: Millis) -> Result<(), AdapterError> {
        let namespaces = self.namespaces.clone();
        for namespace in namespaces {
            let sweep = Request::Hold(HoldRequest::Sweep { namespace, max: self.expire_budget });
            self.connection()?.apply(&sweep, Clock::Explicit(now))?;
        }
        Ok(())
    }
}

impl Backend for RedisBackend {
    type Failure = AdapterError;

    fn apply(&mut self, request: &Request, now: Millis) -> Result<Result<Outcome, Error>, AdapterError> {
        if let Some(failure) = self.failed.take() {
            return Err(failure);
        }
        if let Some(namespace) = hold_namespace(request) {
            if !self.namespaces.iter().any(|known| known == namespace) {
                self.namespaces.push(namespace.to_owned());
            }
        }
        match self.connection()?.apply(request, Clock::Explicit(now)) {
            Ok(outcome) => Ok(Ok(outcome)),
            Err(AdapterError::Invalid(error)) => Ok(Err(error)),
            Err(failure) => Err(failure),
        }
    }

    fn maintain(&mut self, now: Millis) {
        if self.expire_every == 0 || self.expire_budget == 0 || self.failed.is_some() {
            return;
        }
        if now.0 >= self.last_expire.saturating_add(self.expire_every) {
            self.last_expire = now.0;
            if let Err(failure) = self.sweep_all(now) {
                self.failed = Some(failure);
            }
        }
    }

    fn stored_holds(&mut self, namespace: &str) -> Option<u64> {
        let [holds, _, _] = Layout::new(&self.prefix).ok()?.hold(namespace);
        let connection = self.connection().ok()?.connection();
        redis::cmd("HLEN").arg(holds).query(connection).ok()
    }
}

fn hold_namespace(request: &Request) -> Option<&str> {
    let Request::Hold(hold) = request else { return None };
    Some(match hold {
        HoldRequest::Reserve { namespace, .. }
        | HoldRequest::Release { namespace, .. }
        | HoldRequest::ForceRelease { namespace, .. }
        | HoldRequest::Extend { namespace, .. }
        | HoldRequest::Check { namespace, .. }
        | HoldRequest::List { namespace, .. }
        | HoldRequest::Sweep { namespace, .. } => namespace,
    })
}
