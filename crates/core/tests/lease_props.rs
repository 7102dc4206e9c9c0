//! Locks and semaphores driven through random operation sequences (several owners and keys,
//! non-decreasing time) and checked two ways: against a naive reference model of the documented
//! semantics (`lease_model`), and against invariants read off the engine's own answers.

extern crate alloc;

mod lease_model;

use alloc::collections::BTreeMap;

use lease_model::{Model, Slot};
use leasehold_core::{
    Acquire, Engine, Error, Expired, Extend, LockOutcome, LockRequest, LockState, Millis, Outcome, Release,
    Request, SemaphoreOutcome, SemaphoreRequest, SemaphoreState,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

const KEYS: [&str; 3] = ["k0", "k1", "k2"];
const OWNERS: [&str; 5] = ["a", "b", "c", "d", "e"];
/// Each semaphore key's capacity in runs that keep capacities fixed.
const FIXED_CAPACITY: [u64; 3] = [1, 2, 3];

#[derive(Debug, Clone)]
enum Step {
    /// Move the clock forward by `advance`, then run `request`.
    Run { advance: u64, request: Request },
    /// Move the clock forward by `advance`, then run active expiry with `budget`.
    Expire { advance: u64, budget: usize },
}

/// What the engine answered to one step.
#[derive(Debug, PartialEq)]
enum Answer {
    Run(Result<Outcome, Error>),
    Expire(Expired),
}

fn valid_request(vary_capacity: bool) -> impl Strategy<Value = Request> {
    (any::<bool>(), 0..6u8, 0..KEYS.len(), 0..OWNERS.len(), 1u64..=400, 1u64..=4).prop_map(
        move |(semaphore, op, k, o, ttl, capacity)| {
            let (key, owner, ttl) = (KEYS[k].to_owned(), OWNERS[o].to_owned(), Millis(ttl));
            let capacity = if vary_capacity { capacity } else { FIXED_CAPACITY[k] };
            match (semaphore, op) {
                (false, 0..=2) => Request::Lock(LockRequest::Acquire { key, owner, ttl }),
                (false, 3) => Request::Lock(LockRequest::Release { key, owner }),
                (false, 4) => Request::Lock(LockRequest::Extend { key, owner, ttl }),
                (false, _) => Request::Lock(LockRequest::Inspect { key }),
                (true, 0..=2) => Request::Semaphore(SemaphoreRequest::Acquire { key, owner, capacity, ttl }),
                (true, 3) => Request::Semaphore(SemaphoreRequest::Release { key, owner }),
                (true, 4) => Request::Semaphore(SemaphoreRequest::Extend { key, owner, ttl }),
                (true, _) => Request::Semaphore(SemaphoreRequest::Inspect { key }),
            }
        },
    )
}

fn advance() -> impl Strategy<Value = u64> {
    prop_oneof![3 => Just(0u64), 3 => 1u64..=50, 2 => 51u64..=400, 1 => 401u64..=2_000]
}

/// A start time and a sequence of valid steps.
fn steps(vary_capacity: bool) -> impl Strategy<Value = (u64, Vec<Step>)> {
    let step = prop_oneof![
        12 => (advance(), valid_request(vary_capacity)).prop_map(|(advance, request)| Step::Run { advance, request }),
        1 => (advance(), 1usize..=3).prop_map(|(advance, budget)| Step::Expire { advance, budget }),
    ];
    (prop_oneof![Just(0u64), 0u64..=10_000_000_000], proptest::collection::vec(step, 1..60))
}

fn replay(engine: &mut Engine, start: u64, steps: &[Step]) -> Vec<Answer> {
    let mut now = Millis(start);
    let mut answers = Vec::new();
    for step in steps {
        match step {
            Step::Run { advance, request } => {
                now = Millis(now.0 + advance);
                answers.push(Answer::Run(engine.apply(request, now)));
            }
            Step::Expire { advance, budget } => {
                now = Millis(now.0 + advance);
                answers.push(Answer::Expire(engine.expire(now, *budget)));
            }
        }
    }
    answers
}

/// Every probed key of both tables at `now`, and the number of keys each table remembers.
type Snapshot = (Vec<(Result<LockState, Error>, Result<SemaphoreState, Error>)>, usize, usize);

fn snapshot(engine: &mut Engine, keys: &[String], now: Millis) -> Snapshot {
    let states = keys
        .iter()
        .map(|key| (engine.locks().inspect(key, now), engine.semaphores().inspect(key, now)))
        .collect();
    (states, engine.locks().len(), engine.semaphores().len())
}

fn live_holders(snapshot: &Snapshot, key: &str) -> u64 {
    match KEYS.iter().position(|k| *k == key).map(|i| &snapshot.0[i].1) {
        Some(Ok(SemaphoreState::Held { holders, .. })) => *holders,
        _ => 0,
    }
}

/// Whether `outcome` leaves the state as it was: a denial, or a release or extend that found
/// no live slot of its caller.
fn is_refusal(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Lock(
            LockOutcome::Acquire(Acquire::Denied { .. })
                | LockOutcome::Release(Release::NotHolder | Release::Expired)
                | LockOutcome::Extend(Extend::NotHolder | Extend::Expired)
        ) | Outcome::Semaphore(
            SemaphoreOutcome::Acquire(Acquire::Denied { .. })
                | SemaphoreOutcome::Release(Release::NotHolder | Release::Expired)
                | SemaphoreOutcome::Extend(Extend::NotHolder | Extend::Expired)
        )
    )
}

/// The invariants every granted acquire keeps, read off the engine's answers alone: fences
/// strictly increase per key, and a lock never has two live holders.
struct Ledger {
    max_fence: BTreeMap<Slot, u64>,
    lock_holder: BTreeMap<String, (String, Millis)>,
}

impl Ledger {
    fn check(&mut self, request: &Request, outcome: &Outcome, now: Millis) -> Result<(), TestCaseError> {
        let (slot, owner) = match request {
            Request::Lock(LockRequest::Acquire { key, owner, .. }) => ((false, key.clone()), owner),
            Request::Semaphore(SemaphoreRequest::Acquire { key, owner, .. }) => ((true, key.clone()), owner),
            _ => return Ok(()),
        };
        let (Outcome::Lock(LockOutcome::Acquire(Acquire::Granted { fence, expires_at, reacquired }))
        | Outcome::Semaphore(SemaphoreOutcome::Acquire(Acquire::Granted {
            fence,
            expires_at,
            reacquired,
        }))) = *outcome
        else {
            return Ok(());
        };
        let max = self.max_fence.entry(slot.clone()).or_insert(0);
        if reacquired {
            prop_assert!(fence <= *max, "a reacquire returned fence {} never issued on {:?}", fence, slot);
        } else {
            prop_assert!(
                fence > *max,
                "fence {} does not exceed the earlier fence {} of {:?}",
                fence,
                max,
                slot
            );
            *max = fence;
        }
        if !slot.0 {
            if let Some((holder, until)) = self.lock_holder.get(&slot.1) {
                prop_assert!(holder == owner || *until <= now, "two live holders of lock {}", slot.1);
            }
            self.lock_holder.insert(slot.1, (owner.clone(), expires_at));
        }
        Ok(())
    }

    /// Follows a lock's holder through its releases and extends.
    fn follow(&mut self, request: &Request, outcome: &Outcome) {
        match (request, outcome) {
            (
                Request::Lock(LockRequest::Release { key, .. }),
                Outcome::Lock(LockOutcome::Release(Release::Released { .. })),
            ) => {
                self.lock_holder.remove(key);
            }
            (
                Request::Lock(LockRequest::Extend { key, .. }),
                Outcome::Lock(LockOutcome::Extend(Extend::Extended { expires_at, .. })),
            ) => {
                if let Some(holder) = self.lock_holder.get_mut(key) {
                    holder.1 = *expires_at;
                }
            }
            _ => {}
        }
    }
}

/// `cases` cases, failures persisted where they are committed: `crates/core/proptest-regressions`.
fn config(cases: u32) -> ProptestConfig {
    let persistence = FileFailurePersistence::Direct("proptest-regressions/lease_props.txt");
    ProptestConfig { cases, failure_persistence: Some(Box::new(persistence)), ..ProptestConfig::default() }
}

fn follows_the_model(start: u64, steps: &[Step], vary_capacity: bool) -> Result<(), TestCaseError> {
    let mut engine = Engine::new();
    let mut model = Model::default();
    let mut ledger = Ledger { max_fence: BTreeMap::new(), lock_holder: BTreeMap::new() };
    let keys: Vec<String> = KEYS.iter().map(|key| (*key).to_owned()).collect();
    let mut now = Millis(start);
    for step in steps {
        let (advance, request) = match step {
            Step::Run { advance, request } => (advance, request),
            Step::Expire { advance, budget } => {
                now = Millis(now.0 + advance);
                let before = snapshot(&mut engine, &keys, now).0;
                engine.expire(now, *budget);
                prop_assert_eq!(
                    snapshot(&mut engine, &keys, now).0,
                    before,
                    "active expiry changed an answer"
                );
                continue;
            }
        };
        now = Millis(now.0 + advance);
        let before = snapshot(&mut engine, &keys, now);
        let outcome = engine.apply(request, now).expect("every generated request is valid");
        prop_assert_eq!(&outcome, &model.run(request, now), "{:?} at {}", request, now.0);
        ledger.check(request, &outcome, now)?;
        ledger.follow(request, &outcome);
        let after = snapshot(&mut engine, &keys, now);
        if is_refusal(&outcome) {
            prop_assert_eq!(&after.0, &before.0, "the refused {:?} changed the state", request);
        }
        if let (
            Request::Semaphore(SemaphoreRequest::Acquire { key, capacity, .. }),
            Outcome::Semaphore(SemaphoreOutcome::Acquire(Acquire::Granted { reacquired: false, .. })),
        ) = (request, &outcome)
        {
            prop_assert!(
                live_holders(&after, key) <= *capacity,
                "a new slot put {} over capacity {}",
                key,
                capacity
            );
        }
        if !vary_capacity {
            for (key, capacity) in KEYS.iter().zip(FIXED_CAPACITY) {
                prop_assert!(live_holders(&after, key) <= capacity, "{} over its capacity {}", key, capacity);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(2500))]

    #[test]
    fn locks_and_semaphores_with_fixed_capacities_follow_the_model_and_keep_their_invariants(
        (start, steps) in steps(false)
    ) {
        follows_the_model(start, &steps, false)?;
    }

    #[test]
    fn semaphores_whose_capacity_changes_between_calls_follow_the_model(
        (start, steps) in steps(true)
    ) {
        follows_the_model(start, &steps, true)?;
    }

    #[test]
    fn the_same_steps_give_the_same_answers_whatever_the_hash_seed(
        (start, steps) in steps(true), seed in any::<u64>()
    ) {
        let first = replay(&mut Engine::new(), start, &steps);
        prop_assert_eq!(&replay(&mut Engine::new(), start, &steps), &first);
        prop_assert_eq!(&replay(&mut Engine::with_hash_seed(seed), start, &steps), &first);
    }
}

/// Strings at and around every bound, plus arbitrary Unicode.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("k0".to_owned()),
        Just("a".to_owned()),
        Just("é".repeat(128)),
        Just("k".repeat(512)),
        Just("k".repeat(513)),
        Just("o".repeat(257)),
        Just("x".repeat(4_096)),
        "\\PC{0,12}",
    ]
}

/// Any `u64`, with the bounds of every argument well represented.
fn any_number() -> impl Strategy<Value = u64> {
    let max = Millis::MAX.0;
    prop_oneof![
        any::<u64>(),
        0u64..=2_000,
        prop::sample::select(vec![
            0,
            1,
            10_000,
            10_001,
            31_622_400_000,
            31_622_400_001,
            max - 1,
            max,
            max + 1,
            u64::MAX
        ]),
    ]
}

fn any_request() -> impl Strategy<Value = Request> {
    (0..8u8, any_text(), any_text(), any_number(), any_number()).prop_map(|(op, key, owner, number, ttl)| {
        let ttl = Millis(ttl);
        match op {
            0 => Request::Lock(LockRequest::Acquire { key, owner, ttl }),
            1 => Request::Lock(LockRequest::Release { key, owner }),
            2 => Request::Lock(LockRequest::Extend { key, owner, ttl }),
            3 => Request::Lock(LockRequest::Inspect { key }),
            4 => Request::Semaphore(SemaphoreRequest::Acquire { key, owner, capacity: number, ttl }),
            5 => Request::Semaphore(SemaphoreRequest::Release { key, owner }),
            6 => Request::Semaphore(SemaphoreRequest::Extend { key, owner, ttl }),
            _ => Request::Semaphore(SemaphoreRequest::Inspect { key }),
        }
    })
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn arbitrary_requests_never_panic_and_a_refused_one_changes_nothing(
        steps in proptest::collection::vec(
            (prop_oneof![any_request(), valid_request(true)], prop_oneof![any_number(), 0u64..=5_000]),
            1..30,
        )
    ) {
        let mut engine = Engine::new();
        let mut keys: Vec<String> = KEYS.iter().map(|key| (*key).to_owned()).collect();
        keys.extend(["", "é", "x"].map(str::to_owned));
        for (request, now) in &steps {
            let probe = Millis(*now).min(Millis::MAX);
            let before = snapshot(&mut engine, &keys, probe);
            if engine.apply(request, Millis(*now)).is_err() {
                prop_assert_eq!(snapshot(&mut engine, &keys, probe), before, "the refused {:?} changed the state", request);
            }
        }
    }
}
