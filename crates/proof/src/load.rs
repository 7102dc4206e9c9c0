//! The load: concurrent clients over loopback, each with its own connection, running lock,
//! hold and limit cycles against one Redis and recording every operation in the trace.
//!
//! A lock cycle acquires one of a few keys, writes to the fenced resource it guards, sometimes
//! extends and writes again, then releases, or abandons the lock to let it run out and, once
//! its TTL has passed, writes again with the old fence (a late writer). A hold cycle reserves
//! one to three seats and releases or abandons them. A limit call checks an exact limiter (a
//! sliding log) on one of a few keys, with a quota that the load exceeds. Owners are unique per
//! cycle, so an owner names one lease.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use leasehold_core::{Acquire, HoldOutcome, LockOutcome, Reserve};
use leasehold_core::{HoldRequest, Limit, LimitRequest, LockRequest, Millis, Outcome, Request};
use leasehold_redis::{AdapterError, AsyncConnection, Client, Clock, Layout};

use crate::fenced::FencedStore;
use crate::rng::Rng;
use crate::trace::{Action, Answer, Record};

/// What a load run does.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// Concurrent clients, each with its own connection.
    pub clients: u32,
    /// Redis requests to send in total (the run stops once they are sent, or at `deadline`).
    pub operations: u64,
    /// Stop after this long even if fewer requests were sent.
    pub deadline: Option<Duration>,
    /// Seeds each client's choices.
    pub seed: u64,
    /// Key prefix.
    pub prefix: String,
    /// Lock keys contended for.
    pub lock_keys: u64,
    /// Seats to hold.
    pub seats: u64,
    /// Exact-limited keys.
    pub limit_keys: u64,
    /// Lock and hold TTLs are drawn from this range (ms).
    pub ttl_ms: (u64, u64),
    /// The exact limiter: quota per window (ms).
    pub limit: (u64, u64),
}

impl LoadConfig {
    /// The load: 50 clients, `operations` requests.
    pub fn clients_50(operations: u64) -> LoadConfig {
        LoadConfig {
            clients: 50,
            operations,
            deadline: None,
            seed: 7,
            prefix: "proof".into(),
            lock_keys: 16,
            seats: 64,
            limit_keys: 4,
            ttl_ms: (150, 400),
            limit: (5, 250),
        }
    }
}

/// Where the clients connect: switched by a failover.
#[derive(Debug)]
pub struct Target {
    url: RwLock<String>,
}

impl Target {
    /// Clients connect to `url`.
    pub fn new(url: String) -> Target {
        Target { url: RwLock::new(url) }
    }

    /// From now on clients (re)connect to `url`.
    pub fn switch(&self, url: String) {
        *self.url.write().unwrap_or_else(std::sync::PoisonError::into_inner) = url;
    }

    fn url(&self) -> String {
        self.url.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// A finished run: the trace and how many operations each client says it sent.
#[derive(Debug)]
pub struct LoadRun {
    /// Every operation, each client's in its order, clients one after the other.
    pub records: Vec<Record>,
    /// Operations (requests and writes) each client sent.
    pub sent: Vec<u64>,
    /// Redis requests sent.
    pub requests: u64,
    /// How long the run took.
    pub elapsed: Duration,
}

struct Shared {
    config: LoadConfig,
    target: Arc<Target>,
    store: Arc<FencedStore>,
    started: Instant,
    requests: AtomicU64,
    stop: Arc<AtomicBool>,
}

impl Shared {
    fn now_us(&self) -> u64 {
        self.started.elapsed().as_micros() as u64
    }

    fn done(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
            || self.requests.load(Ordering::Relaxed) >= self.config.operations
            || self.config.deadline.is_some_and(|d| self.started.elapsed() >= d)
    }
}

struct Worker {
    id: u32,
    shared: Arc<Shared>,
    rng: Rng,
    connection: Option<(String, AsyncConnection)>,
    records: Vec<Record>,
    /// Operations started, counted before each is sent (the audit compares it with the trace).
    issued: u64,
    cycles: u64,
    /// Abandoned locks: key, fence, client µs after which the lease has surely run out.
    abandoned: Vec<(String, u64, u64)>,
}

impl Worker {
    async fn connection(&mut self) -> Result<&mut AsyncConnection, AdapterError> {
        let url = self.shared.target.url();
        if self.connection.as_ref().is_none_or(|(at, _)| *at != url) {
            let layout = Layout::new(&self.shared.config.prefix)?;
            let connection = Client::open(&url)?.with_layout(layout).connect_async().await?;
            self.connection = Some((url, connection));
        }
        Ok(&mut self.connection.as_mut().expect("just connected").1)
    }

    async fn call(&mut self, request: Request) -> Answer {
        self.issued += 1;
        let sent_us = self.shared.now_us();
        self.shared.requests.fetch_add(1, Ordering::Relaxed);
        let result = match self.connection().await {
            Ok(connection) => connection.apply_async(&request, Clock::Server).await,
            Err(error) => Err(error),
        };
        if let Err(AdapterError::Connection { .. }) = &result {
            // Reconnect from scratch next time, and do not spin while Redis is away.
            self.connection = None;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let answer = Answer::of(result);
        self.record(sent_us, Action::Redis(request), answer.clone());
        answer
    }

    fn write(&mut self, resource: &str, fence: u64, late: bool) {
        self.issued += 1;
        let sent_us = self.shared.now_us();
        let write = self.shared.store.write(resource, fence);
        let action = Action::Write { resource: resource.to_owned(), fence, late };
        self.record(sent_us, action, Answer::Write(write));
    }

    fn record(&mut self, sent_us: u64, action: Action, answer: Answer) {
        let seq = self.records.len() as u64;
        let received_us = self.shared.now_us();
        self.records.push(Record { client: self.id, seq, sent_us, received_us, action, answer });
    }

    fn owner(&mut self) -> String {
        self.cycles += 1;
        format!("c{}-{}", self.id, self.cycles)
    }

    fn ttl(&mut self) -> Millis {
        let (low, high) = self.shared.config.ttl_ms;
        Millis(self.rng.between(low, high))
    }

    async fn lock_cycle(&mut self) {
        let key = format!("job:{}", self.rng.below(self.shared.config.lock_keys));
        let owner = self.owner();
        let ttl = self.ttl();
        let acquire = Request::Lock(LockRequest::Acquire { key: key.clone(), owner: owner.clone(), ttl });
        let Answer::Outcome(Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { fence, .. }))) =
            self.call(acquire).await
        else {
            return;
        };
        let granted_us = self.shared.now_us();
        self.write(&key, fence, false);
        if self.rng.chance(20) {
            self.call(Request::Lock(LockRequest::Extend { key: key.clone(), owner: owner.clone(), ttl }))
                .await;
            self.write(&key, fence, false);
        }
        if self.rng.chance(85) {
            self.call(Request::Lock(LockRequest::Release { key, owner })).await;
        } else {
            // Surely run out once two TTLs have passed on the client's clock after the grant.
            self.abandoned.push((key, fence, granted_us + 2 * ttl.0 * 1000));
        }
    }

    async fn hold_cycle(&mut self) {
        let namespace = "seats".to_owned();
        let count = self.rng.between(1, 3);
        let mut items: Vec<String> = Vec::new();
        while (items.len() as u64) < count {
            let item = format!("seat-{}", self.rng.below(self.shared.config.seats));
            if !items.contains(&item) {
                items.push(item);
            }
        }
        let owner = self.owner();
        let ttl = self.ttl();
        let reserve = HoldRequest::Reserve {
            namespace: namespace.clone(),
            items: items.clone(),
            owner: owner.clone(),
            ttl,
            max_holds: None,
        };
        let answer = self.call(Request::Hold(reserve)).await;
        if matches!(answer, Answer::Outcome(Outcome::Hold(HoldOutcome::Reserve(Reserve::Reserved { .. }))))
            && self.rng.chance(85)
        {
            self.call(Request::Hold(HoldRequest::Release { namespace, items, owner })).await;
        }
    }

    async fn limit_call(&mut self) {
        let (quota, window) = self.shared.config.limit;
        let limit = Limit::sliding_log(quota, Millis(window));
        let key = format!("api:{}", self.rng.below(self.shared.config.limit_keys));
        let check = LimitRequest::Check { key, algorithm: limit.algorithm, block: None, cost: 1 };
        self.call(Request::Limit(check)).await;
    }

    fn late_writes(&mut self) {
        let now = self.shared.now_us();
        let (due, waiting): (Vec<_>, Vec<_>) =
            self.abandoned.drain(..).partition(|(_, _, after)| *after <= now);
        self.abandoned = waiting;
        for (key, fence, _) in due {
            self.write(&key, fence, true);
        }
    }

    async fn run(mut self) -> (Vec<Record>, u64) {
        while !self.shared.done() {
            self.late_writes();
            match self.rng.below(100) {
                0..40 => self.lock_cycle().await,
                40..75 => self.hold_cycle().await,
                _ => self.limit_call().await,
            }
        }
        (self.records, self.issued)
    }
}

/// Runs the load against `target` until `config.operations` requests were sent (or the
/// deadline, or `stop`), on a tokio runtime of its own. Trace times count from `started`.
pub fn run(target: Arc<Target>, config: &LoadConfig, stop: Arc<AtomicBool>, started: Instant) -> LoadRun {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let shared = Arc::new(Shared {
        config: config.clone(),
        target,
        store: Arc::new(FencedStore::new()),
        started,
        requests: AtomicU64::new(0),
        stop,
    });
    let per_client = runtime.block_on(async {
        let mut tasks = Vec::new();
        for id in 0..config.clients {
            let worker = Worker {
                id,
                shared: shared.clone(),
                rng: Rng::new(config.seed.wrapping_mul(1_000_003).wrapping_add(u64::from(id))),
                connection: None,
                records: Vec::new(),
                issued: 0,
                cycles: 0,
                abandoned: Vec::new(),
            };
            tasks.push(tokio::spawn(worker.run()));
        }
        let mut per_client = Vec::new();
        for task in tasks {
            per_client.push(task.await.expect("a load client panicked"));
        }
        per_client
    });
    let elapsed = shared.started.elapsed();
    let sent = per_client.iter().map(|(_, issued)| *issued).collect();
    let records = per_client.into_iter().flat_map(|(records, _)| records).collect();
    LoadRun { records, sent, requests: shared.requests.load(Ordering::Relaxed), elapsed }
}
