//! Many random operations, run on the core's in-memory engine and on Redis side by side: every
//! outcome and every error must be identical, operation by operation. Set `LEASEHOLD_TRACE`
//! to print every operation and its outcome.

use leasehold_core::hold::Cursor;
use leasehold_core::{
    Algorithm, BlockPolicy, Cooldown, Engine, FixedWindow, Gcra, HoldRequest, LimitRequest, LockRequest,
    Millis, Outcome, Request, SemaphoreRequest, SlidingCounter, SlidingLog, TokenBucket,
};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{AdapterError, Clock};

/// A small deterministic generator (xorshift64*), so a failure names a reproducible seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

const KEYS: &[&str] = &["k1", "k2", "a{b}"];
const OWNERS: &[&str] = &["alice", "bob", "carol"];
const ITEMS: &[&str] = &["i1", "i2", "i3", "i4", "i5", "i6"];

fn ttl(rng: &mut Rng) -> Millis {
    // Now and then an invalid TTL, to compare refusals too.
    if rng.below(50) == 0 {
        Millis(0)
    } else {
        Millis(1 + rng.below(400))
    }
}

fn items(rng: &mut Rng) -> Vec<String> {
    let mut chosen: Vec<String> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let item = rng.pick(ITEMS).to_owned();
        if !chosen.contains(&item) || rng.below(20) == 0 {
            chosen.push(item);
        }
    }
    chosen
}

fn algorithm(rng: &mut Rng) -> Algorithm {
    match rng.below(6) {
        0 => Algorithm::FixedWindow(FixedWindow { quota: 3, window: Millis(100) }),
        1 => Algorithm::SlidingLog(SlidingLog { quota: 4, window: Millis(120) }),
        2 => Algorithm::SlidingCounter(SlidingCounter { quota: 5, window: Millis(90) }),
        3 => Algorithm::TokenBucket(TokenBucket { capacity: 4, refill: 2, interval: Millis(30) }),
        4 => Algorithm::Gcra(Gcra { burst: 3, interval: Millis(25) }),
        _ => Algorithm::Cooldown(Cooldown { interval: Millis(70) }),
    }
}

fn request(rng: &mut Rng) -> Request {
    let key = rng.pick(KEYS).to_owned();
    let owner = rng.pick(OWNERS).to_owned();
    match rng.below(18) {
        0 | 1 => Request::Lock(LockRequest::Acquire { key, owner, ttl: ttl(rng) }),
        2 => Request::Lock(LockRequest::Release { key, owner }),
        3 => Request::Lock(LockRequest::Extend { key, owner, ttl: ttl(rng) }),
        4 => Request::Lock(LockRequest::Inspect { key }),
        5 | 6 => Request::Semaphore(SemaphoreRequest::Acquire {
            key,
            owner,
            capacity: 1 + rng.below(3),
            ttl: ttl(rng),
        }),
        7 => Request::Semaphore(SemaphoreRequest::Release { key, owner }),
        8 => Request::Semaphore(SemaphoreRequest::Extend { key, owner, ttl: ttl(rng) }),
        9 => Request::Semaphore(SemaphoreRequest::Inspect { key }),
        10 | 11 => {
            let block = (rng.below(3) == 0).then_some(BlockPolicy {
                violations: 2,
                within: Millis(100),
                block_for: Millis(150),
            });
            let algorithm = algorithm(rng);
            let cost = 1 + rng.below(2).min(if matches!(algorithm, Algorithm::Cooldown(_)) { 0 } else { 1 });
            if rng.below(4) == 0 {
                Request::Limit(LimitRequest::Peek { key, algorithm, block, cost })
            } else {
                Request::Limit(LimitRequest::Check { key, algorithm, block, cost })
            }
        }
        12 => Request::Limit(LimitRequest::Reset { key, algorithm: algorithm(rng).kind() }),
        13 => {
            let max_holds = (rng.below(3) == 0).then(|| 2 + rng.below(3));
            Request::Hold(HoldRequest::Reserve {
                namespace: key,
                items: items(rng),
                owner,
                ttl: ttl(rng),
                max_holds,
            })
        }
        14 => {
            if rng.below(4) == 0 {
                Request::Hold(HoldRequest::ForceRelease { namespace: key, items: items(rng) })
            } else {
                Request::Hold(HoldRequest::Release { namespace: key, items: items(rng), owner })
            }
        }
        15 => Request::Hold(HoldRequest::Extend { namespace: key, items: items(rng), owner, ttl: ttl(rng) }),
        16 => {
            if rng.below(2) == 0 {
                Request::Hold(HoldRequest::Check { namespace: key, items: items(rng) })
            } else {
                let cursor = (rng.below(2) == 0)
                    .then(|| Cursor { expires_at: Millis(rng.below(5_000)), item: rng.pick(ITEMS).into() });
                Request::Hold(HoldRequest::List { namespace: key, cursor, limit: 1 + rng.below(3) })
            }
        }
        _ => Request::Hold(HoldRequest::Sweep { namespace: key, max: 1 + rng.below(3) }),
    }
}

fn run(seed: u64, operations: usize) {
    let server = RedisServer::start();
    let mut redis = server.connect(&format!("diff{seed}"));
    let mut engine = Engine::new();
    let mut rng = Rng(seed | 1);
    let mut now = 1_000u64;
    for step in 0..operations {
        now += rng.below(25);
        let op = request(&mut rng);
        let expected: Result<Outcome, AdapterError> =
            engine.apply(&op, Millis(now)).map_err(AdapterError::Invalid);
        let got = redis.apply(&op, Clock::Explicit(Millis(now)));
        if std::env::var_os("LEASEHOLD_TRACE").is_some() {
            eprintln!("{now} {op:?} => {got:?}");
        }
        assert_eq!(got, expected, "seed {seed}, step {step}, at {now}: {op:?}");
    }
}

#[test]
fn thousands_of_random_operations_give_the_cores_outcomes_on_redis() {
    for seed in 1..=5 {
        run(seed, 2_000);
    }
}
