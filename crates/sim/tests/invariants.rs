//! The invariant checker bites: doctored outcomes and a lying backend fail the run, naming the
//! key and the steps that led there.

mod common;

use common::preset;
use leasehold_core::lock::LockOutcome;
use leasehold_core::{Acquire, Error, LockRequest, Millis, Outcome, Request};
use leasehold_sim::trace::WriteOutcome;
use leasehold_sim::{simulate_on, Backend, Checker, InMemory, Stop};

fn acquire(owner: &str) -> Request {
    Request::Lock(LockRequest::Acquire {
        key: "lockTrade:42".into(),
        owner: owner.into(),
        ttl: Millis(900_000),
    })
}

fn granted(fence: u64, expires_at: u64) -> Result<Outcome, Error> {
    Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Granted {
        fence,
        expires_at: Millis(expires_at),
        reacquired: false,
    })))
}

#[test]
fn a_second_live_holder_in_a_doctored_trace_is_reported() {
    let mut checker = Checker::new();
    checker.observe(1, Millis(1_000), &acquire("worker-a"), &granted(1_000_000, 901_000)).unwrap();
    let violation =
        checker.observe(2, Millis(2_000), &acquire("worker-b"), &granted(2_000_000, 902_000)).unwrap_err();
    assert_eq!((violation.step, violation.key.as_str()), (2, "lockTrade:42"));
    assert!(violation.message.contains("two live holders"), "{}", violation.message);
}

#[test]
fn a_fence_that_goes_down_is_reported() {
    let mut checker = Checker::new();
    let release =
        Request::Lock(LockRequest::Release { key: "lockTrade:42".into(), owner: "worker-a".into() });
    let released =
        Ok(Outcome::Lock(LockOutcome::Release(leasehold_core::Release::Released { fence: 5_000_000 })));
    checker.observe(1, Millis(5_000), &acquire("worker-a"), &granted(5_000_000, 905_000)).unwrap();
    checker.observe(2, Millis(6_000), &release, &released).unwrap();
    let violation =
        checker.observe(3, Millis(7_000), &acquire("worker-b"), &granted(4_000_000, 907_000)).unwrap_err();
    assert!(violation.message.contains("not above"), "{}", violation.message);
}

#[test]
fn a_stale_write_accepted_by_a_resource_is_reported() {
    let mut checker = Checker::new();
    checker.observe(1, Millis(1_000), &acquire("worker-a"), &granted(1_000_000, 901_000)).unwrap();
    checker.observe_write(2, Millis(1_000), "lockTrade:42", 1_000_000, WriteOutcome::Accepted).unwrap();
    let violation =
        checker.observe_write(3, Millis(1_500), "lockTrade:42", 999_999, WriteOutcome::Accepted).unwrap_err();
    assert!(violation.message.contains("stale write accepted"), "{}", violation.message);
}

/// An engine that grants every lock, as a lock without NX would.
struct GrantsEverything(InMemory);

impl Backend for GrantsEverything {
    type Failure = core::convert::Infallible;

    fn apply(&mut self, request: &Request, now: Millis) -> Result<Result<Outcome, Error>, Self::Failure> {
        let answer = self.0.apply(request, now)?;
        Ok(match (request, answer) {
            (
                Request::Lock(LockRequest::Acquire { ttl, .. }),
                Ok(Outcome::Lock(LockOutcome::Acquire(Acquire::Denied { .. }))),
            ) => granted(leasehold_core::fence::floor(now) + 999, now.0 + ttl.0),
            (_, answer) => answer,
        })
    }
}

#[test]
fn a_backend_that_grants_a_held_lock_fails_the_run_with_the_steps_that_led_to_it() {
    let mut scenario = preset("orphaned-locks");
    scenario.horizon = 1_800_000;
    let fresh = || GrantsEverything(InMemory::default());
    let Err(Stop::Violation(violation)) = simulate_on(&scenario, fresh, leasehold_sim::Discard) else {
        panic!("a lock granted twice went unnoticed");
    };
    assert!(violation.message.contains("two live holders"), "{}", violation.message);
    let last = violation.history.last().expect("the history holds the violating step");
    assert_eq!(last.step, violation.step);
    assert!(violation.history.len() >= 2, "the grant before it is shown too");
}
