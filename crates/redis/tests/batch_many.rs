//! `apply_many` sends a run of one script's requests as one call of the script's batch variant:
//! random batches made of such runs, over every script, give each request the outcome the core
//! gives when it applies the requests one by one at the batch's one `now`; a request refused
//! by its script mid-batch writes nothing and the rest still run; lost batch variants reload;
//! on a cluster, no call spans two slots.

use leasehold_core::hold::Cursor;
use leasehold_core::{
    Acquire, Algorithm, BlockPolicy, Cooldown, Engine, FixedWindow, Gcra, HoldRequest, LimitRequest,
    LockOutcome, LockRequest, Millis, Outcome, Request, SemaphoreRequest, SlidingCounter, SlidingLog,
    TokenBucket,
};
use leasehold_redis::testing::{RedisCluster, RedisServer};
use leasehold_redis::{AdapterError, Clock};

/// A small deterministic generator (xorshift64*), so a failure names a reproducible seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }

    fn pick(&mut self, from: &[&str]) -> String {
        from[self.below(from.len() as u64) as usize].to_owned()
    }
}

const KEYS: &[&str] = &["k1", "k2", "a{b}"];
const OWNERS: &[&str] = &["alice", "bob"];
const ITEMS: &[&str] = &["i1", "i2", "i3", "i4"];

/// Now and then an invalid TTL, so that refusals land in the middle of batches.
fn ttl(rng: &mut Rng) -> Millis {
    Millis(if rng.below(12) == 0 { 0 } else { 1 + rng.below(300) })
}

fn items(rng: &mut Rng) -> Vec<String> {
    (0..1 + rng.below(2)).map(|_| rng.pick(ITEMS)).collect()
}

fn algorithm(kind: u64) -> Algorithm {
    match kind % 6 {
        0 => Algorithm::FixedWindow(FixedWindow { quota: 3, window: Millis(100) }),
        1 => Algorithm::SlidingLog(SlidingLog { quota: 4, window: Millis(120) }),
        2 => Algorithm::SlidingCounter(SlidingCounter { quota: 5, window: Millis(90) }),
        3 => Algorithm::TokenBucket(TokenBucket { capacity: 4, refill: 2, interval: Millis(30) }),
        4 => Algorithm::Gcra(Gcra { burst: 3, interval: Millis(25) }),
        _ => Algorithm::Cooldown(Cooldown { interval: Millis(70) }),
    }
}

/// A request of script number `script` (one of the 21), on random keys and arguments.
fn request(rng: &mut Rng, script: u64) -> Request {
    let key = rng.pick(KEYS);
    let owner = rng.pick(OWNERS);
    match script {
        0 => Request::Lock(LockRequest::Acquire { key, owner, ttl: ttl(rng) }),
        1 => Request::Lock(LockRequest::Release { key, owner }),
        2 => Request::Lock(LockRequest::Extend { key, owner, ttl: ttl(rng) }),
        3 => Request::Lock(LockRequest::Inspect { key }),
        4 => Request::Semaphore(SemaphoreRequest::Acquire {
            key,
            owner,
            capacity: 1 + rng.below(2),
            ttl: ttl(rng),
        }),
        5 => Request::Semaphore(SemaphoreRequest::Release { key, owner }),
        6 => Request::Semaphore(SemaphoreRequest::Extend { key, owner, ttl: ttl(rng) }),
        7 => Request::Semaphore(SemaphoreRequest::Inspect { key }),
        8..=13 => {
            let algorithm = algorithm(script);
            let block = (rng.below(3) == 0).then_some(BlockPolicy {
                violations: 2,
                within: Millis(100),
                block_for: Millis(150),
            });
            if rng.below(4) == 0 {
                Request::Limit(LimitRequest::Peek { key, algorithm, block, cost: 1 })
            } else {
                Request::Limit(LimitRequest::Check { key, algorithm, block, cost: 1 })
            }
        }
        14 => Request::Limit(LimitRequest::Reset { key, algorithm: algorithm(rng.below(6)).kind() }),
        15 => Request::Hold(HoldRequest::Reserve {
            namespace: key,
            items: items(rng),
            owner,
            ttl: ttl(rng),
            max_holds: (rng.below(3) == 0).then_some(2),
        }),
        16 if rng.below(4) == 0 => {
            Request::Hold(HoldRequest::ForceRelease { namespace: key, items: items(rng) })
        }
        16 => Request::Hold(HoldRequest::Release { namespace: key, items: items(rng), owner }),
        17 => Request::Hold(HoldRequest::Extend { namespace: key, items: items(rng), owner, ttl: ttl(rng) }),
        18 => Request::Hold(HoldRequest::Check { namespace: key, items: items(rng) }),
        19 => {
            let cursor = (rng.below(2) == 0)
                .then(|| Cursor { expires_at: Millis(rng.below(3_000)), item: rng.pick(ITEMS).into() });
            Request::Hold(HoldRequest::List { namespace: key, cursor, limit: 1 + rng.below(3) })
        }
        _ => Request::Hold(HoldRequest::Sweep { namespace: key, max: 1 + rng.below(3) }),
    }
}

/// A batch of runs: each run is up to 8 requests of one script, so runs become batch calls.
fn batch(rng: &mut Rng) -> Vec<Request> {
    let mut requests = Vec::new();
    for _ in 0..1 + rng.below(6) {
        let script = rng.below(21);
        for _ in 0..1 + rng.below(8) {
            requests.push(request(rng, script));
        }
    }
    requests
}

fn core_outcomes(
    engine: &mut Engine,
    requests: &[Request],
    now: Millis,
) -> Vec<Result<Outcome, AdapterError>> {
    requests.iter().map(|r| engine.apply(r, now).map_err(AdapterError::Invalid)).collect()
}

fn acquire(key: &str, owner: &str, ttl: u64) -> Request {
    Request::Lock(LockRequest::Acquire { key: key.into(), owner: owner.into(), ttl: Millis(ttl) })
}

/// Loads every script and batch variant: a request whose script is missing runs after the rest
/// of its batch (see `apply_many`), which these comparisons request by request must not meet.
fn load_every_script(server: &RedisServer) {
    let mut raw = server.raw();
    for script in leasehold_scripts::SCRIPTS.iter().chain(leasehold_scripts::SCRIPTS_MANY) {
        let _: String = redis::cmd("SCRIPT").arg("LOAD").arg(script.source).query(&mut raw).unwrap();
    }
}

/// Random batches against the core at explicit times; with `lua_only`, every refusal is made
/// by a script, in the middle of its batch call.
fn random_batches(seed: u64, lua_only: bool) {
    let server = RedisServer::start();
    load_every_script(&server);
    let mut redis = server.connect(&format!("many{seed}"));
    if lua_only {
        redis = redis.checking_in_lua_only();
    }
    let mut engine = Engine::new();
    let mut rng = Rng(seed | 1);
    let mut now = 1_000;
    for step in 0..150 {
        now += rng.below(60);
        let requests = batch(&mut rng);
        let expected = core_outcomes(&mut engine, &requests, Millis(now));
        let got = redis.apply_many(&requests, Clock::Explicit(Millis(now))).unwrap();
        if std::env::var_os("LEASEHOLD_TRACE").is_some() {
            for (r, o) in requests.iter().zip(&got) {
                eprintln!("{now} {r:?} => {o:?}");
            }
        }
        for (i, (got, expected)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(got, expected, "seed {seed}, batch {step}, request {i} at {now}: {:?}", requests[i]);
        }
        assert_eq!(got.len(), expected.len());
    }
}

#[test]
fn random_batches_of_every_script_give_the_cores_outcomes_request_by_request() {
    for seed in 1..=3 {
        random_batches(seed, false);
    }
}

#[test]
fn random_batches_refused_by_their_scripts_mid_call_give_the_cores_errors_and_the_rest_runs() {
    for seed in 11..=13 {
        random_batches(seed, true);
    }
}

#[test]
fn a_request_refused_by_its_script_mid_batch_writes_nothing_and_the_ones_after_it_run() {
    let server = RedisServer::start();
    let mut redis = server.connect("refused").checking_in_lua_only();
    let now = Millis(50_000);
    let requests = vec![
        acquire("k", "a", 1_000),
        acquire("k", "b", 0),
        acquire("", "b", 10),
        acquire("k", "b", 1_000),
        acquire("k2", "b", 1_000),
    ];
    let got = redis.apply_many(&requests, Clock::Explicit(now)).unwrap();
    assert_eq!(got, core_outcomes(&mut Engine::new(), &requests, now));
    assert!(matches!(got[1], Err(AdapterError::Invalid(_))), "{:?}", got[1]);
    assert!(matches!(got[2], Err(AdapterError::Invalid(_))), "{:?}", got[2]);
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut server.raw()).unwrap();
    assert_eq!(keys.len(), 2, "only k and k2 were written: {keys:?}");
}

#[test]
fn a_batch_at_the_server_clock_gives_every_request_one_now() {
    let server = RedisServer::start();
    let mut redis = server.connect("server");
    let requests: Vec<Request> = (0..40).map(|n| acquire(&format!("job:{}", n % 30), "a", 5_000)).collect();
    let got = redis.apply_many(&requests, Clock::Server).unwrap();
    let Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { expires_at, .. }))) = &got[0] else {
        panic!("{:?}", got[0]);
    };
    let now = Millis(expires_at.0 - 5_000);
    assert_eq!(got, core_outcomes(&mut Engine::new(), &requests, now));
    // With the server clock the keys also get their TTLs.
    let ttl: i64 = redis::cmd("PTTL").arg("server:lock:{job:0}").query(&mut server.raw()).unwrap();
    assert!(ttl > 0 && ttl <= 5_000, "{ttl}");
}

#[tokio::test(flavor = "current_thread")]
async fn an_async_batch_runs_batch_calls_with_the_same_outcomes() {
    let server = RedisServer::start();
    load_every_script(&server);
    let mut redis = server.client("async").connect_async().await.unwrap();
    let mut rng = Rng(99);
    let mut engine = Engine::new();
    for step in 0..40 {
        let now = Millis(1_000 + step * 40);
        let requests = batch(&mut rng);
        let got = redis.apply_many_async(&requests, Clock::Explicit(now)).await.unwrap();
        assert_eq!(got, core_outcomes(&mut engine, &requests, now), "batch {step}");
    }
}

#[test]
fn batch_variants_lost_to_a_script_flush_are_loaded_again_and_every_request_runs_once() {
    let server = RedisServer::start();
    let mut redis = server.connect("flush");
    let mut engine = Engine::new();
    let now = Millis(9_000);
    let first: Vec<Request> = (0..5).map(|n| acquire(&format!("k{n}"), "a", 1_000)).collect();
    assert_eq!(
        redis.apply_many(&first, Clock::Explicit(now)).unwrap(),
        core_outcomes(&mut engine, &first, now)
    );
    redis::cmd("SCRIPT").arg("FLUSH").query::<()>(&mut server.raw()).unwrap();
    let mut second: Vec<Request> = (0..8).map(|n| acquire(&format!("k{n}"), "b", 1_000)).collect();
    second.push(Request::Lock(LockRequest::Release { key: "k0".into(), owner: "a".into() }));
    second.push(Request::Lock(LockRequest::Release { key: "k1".into(), owner: "a".into() }));
    second.push(acquire("k0", "b", 1_000));
    assert_eq!(
        redis.apply_many(&second, Clock::Explicit(now)).unwrap(),
        core_outcomes(&mut engine, &second, now)
    );
    let sha = redis::Script::new(leasehold_scripts::LOCK_ACQUIRE_MANY.source).get_hash().to_owned();
    let loaded: Vec<bool> = redis::cmd("SCRIPT").arg("EXISTS").arg(&sha).query(&mut server.raw()).unwrap();
    assert_eq!(loaded, [true]);
}

/// Runs on one key (one slot: one batch call each) between runs over 48 keys in many slots.
fn cluster_batch() -> Vec<Request> {
    let mut requests = Vec::new();
    for round in 0..3 {
        requests.extend((0..48).map(|n| acquire(&format!("job:{n}"), ["a", "b", "a"][round], 1_000)));
        requests.extend((0..5).map(|n| acquire("one", ["a", "b"][n % 2], 1_000)));
        requests.push(Request::Lock(LockRequest::Release { key: "one".into(), owner: "a".into() }));
    }
    requests
}

#[test]
fn a_cluster_batch_over_many_slots_never_sends_a_call_spanning_two() {
    let cluster = RedisCluster::start();
    let requests = cluster_batch();
    let (now, later) = (Millis(70_000), Millis(72_000));
    let mut engine = Engine::new();
    let mut redis = cluster.connect("sync");
    assert_eq!(
        redis.apply_many(&requests, Clock::Explicit(now)).unwrap(),
        core_outcomes(&mut engine, &requests, now)
    );
    for node in cluster.nodes() {
        let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut node.raw()).unwrap();
    }
    let expected = core_outcomes(&mut engine, &requests, later);
    assert_eq!(redis.apply_many(&requests, Clock::Explicit(later)).unwrap(), expected);

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut redis = runtime.block_on(cluster.connect_async("async"));
    let mut engine = Engine::new();
    let got = runtime.block_on(redis.apply_many_async(&requests, Clock::Explicit(now))).unwrap();
    assert_eq!(got, core_outcomes(&mut engine, &requests, now));
    for node in cluster.nodes() {
        let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut node.raw()).unwrap();
    }
    let got = runtime.block_on(redis.apply_many_async(&requests, Clock::Explicit(later))).unwrap();
    assert_eq!(got, core_outcomes(&mut engine, &requests, later));
}
