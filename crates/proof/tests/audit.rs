//! The audit finds what it is meant to find: each invariant broken on purpose in a hand-made
//! trace is reported, and the same trace without the fault is clean.

use leasehold_core::{
    Acquire, Decision, Limit, LimitOutcome, LimitRequest, LockOutcome, LockRequest, Millis, Outcome, Release,
    Request,
};
use leasehold_proof::audit::audit;
use leasehold_proof::fenced::Write;
use leasehold_proof::trace::{Action, Answer, Record};

struct Trace {
    records: Vec<Record>,
    sent: Vec<u64>,
}

impl Trace {
    fn new() -> Trace {
        Trace { records: Vec::new(), sent: vec![0, 0] }
    }

    fn push(&mut self, client: u32, sent_us: u64, received_us: u64, action: Action, answer: Answer) {
        let seq = self.sent[client as usize];
        self.sent[client as usize] += 1;
        self.records.push(Record { client, seq, sent_us, received_us, action, answer });
    }

    fn grant(&mut self, client: u32, at_us: u64, owner: &str, fence: u64, start_ms: u64, ttl: u64) {
        let request =
            Request::Lock(LockRequest::Acquire { key: "k".into(), owner: owner.into(), ttl: Millis(ttl) });
        let granted = Acquire::Granted { fence, expires_at: Millis(start_ms + ttl), reacquired: false };
        let answer = Answer::Outcome(Outcome::Lock(LockOutcome::Acquire(granted)));
        self.push(client, at_us, at_us + 100, Action::Redis(request), answer);
    }

    fn release(&mut self, client: u32, at_us: u64, owner: &str, fence: u64) {
        let request = Request::Lock(LockRequest::Release { key: "k".into(), owner: owner.into() });
        let answer = Answer::Outcome(Outcome::Lock(LockOutcome::Release(Release::Released { fence })));
        self.push(client, at_us, at_us + 100, Action::Redis(request), answer);
    }

    fn check(&mut self, client: u32, sent_us: u64, received_us: u64, allowed: bool) {
        let limit = Limit::sliding_log(2, Millis(1_000));
        let request = Request::Limit(LimitRequest::Check {
            key: "api".into(),
            algorithm: limit.algorithm,
            block: None,
            cost: 1,
        });
        let decision =
            Decision { allowed, limit: 2, remaining: 0, reset_after: Millis(1_000), retry_after: Millis(0) };
        let answer = Answer::Outcome(Outcome::Limit(LimitOutcome::Check(decision)));
        self.push(client, sent_us, received_us, Action::Redis(request), answer);
    }

    fn kinds(&self) -> Vec<&'static str> {
        audit(&self.records, &self.sent).violations.iter().map(|v| v.kind).collect()
    }
}

#[test]
fn a_lease_granted_after_the_previous_one_ran_out_is_clean() {
    let mut trace = Trace::new();
    trace.grant(0, 0, "a", 1_000, 10_000, 500);
    trace.grant(1, 600_000, "b", 2_000, 10_500, 500);
    assert_eq!(trace.kinds(), Vec::<&str>::new());
}

#[test]
fn a_lease_granted_before_the_previous_one_ran_out_is_two_holders() {
    let mut trace = Trace::new();
    trace.grant(0, 0, "a", 1_000, 10_000, 500);
    trace.grant(1, 300_000, "b", 2_000, 10_300, 500);
    assert_eq!(trace.kinds(), vec!["two_holders"]);
}

#[test]
fn a_grant_answered_before_the_previous_holder_even_sent_its_release_is_two_holders() {
    let mut trace = Trace::new();
    trace.grant(0, 0, "a", 1_000, 10_000, 500);
    trace.grant(1, 100_000, "b", 2_000, 10_100, 500);
    trace.release(0, 200_000, "a", 1_000);
    assert_eq!(trace.kinds(), vec!["two_holders"]);
    let mut clean = Trace::new();
    clean.grant(0, 0, "a", 1_000, 10_000, 500);
    clean.release(0, 100_000, "a", 1_000);
    clean.grant(1, 150_000, "b", 2_000, 10_150, 500);
    assert_eq!(clean.kinds(), Vec::<&str>::new());
}

#[test]
fn one_fence_granted_to_two_owners_is_reported() {
    let mut trace = Trace::new();
    trace.grant(0, 0, "a", 1_000, 10_000, 500);
    trace.grant(1, 900_000, "b", 1_000, 10_900, 500);
    assert!(trace.kinds().contains(&"fence_reissued"), "{:?}", trace.kinds());
}

#[test]
fn a_higher_fence_granted_earlier_on_the_server_clock_is_out_of_order() {
    let mut trace = Trace::new();
    trace.grant(0, 0, "a", 2_000, 10_000, 100);
    trace.grant(1, 900_000, "b", 3_000, 9_000, 100);
    assert!(trace.kinds().contains(&"fence_order"), "{:?}", trace.kinds());
}

#[test]
fn three_admits_certainly_within_one_window_of_a_quota_of_two_are_over_the_limit() {
    let mut trace = Trace::new();
    trace.check(0, 0, 1_000, true);
    trace.check(1, 100_000, 101_000, true);
    trace.check(0, 200_000, 201_000, true);
    assert_eq!(trace.kinds(), vec!["over_limit"]);
}

#[test]
fn admits_whose_placement_could_span_a_window_are_not_counted_against_the_limiter() {
    let mut trace = Trace::new();
    trace.check(0, 0, 1_000, true);
    trace.check(1, 100_000, 101_000, true);
    // Sent within the window, but answered only after it: it may have run after it ended.
    trace.check(0, 200_000, 1_200_000, true);
    trace.check(1, 300_000, 301_000, false);
    assert_eq!(trace.kinds(), Vec::<&str>::new());
}

#[test]
fn a_write_accepted_with_a_lower_fence_than_an_earlier_one_is_a_stale_write() {
    let mut trace = Trace::new();
    let write = |fence, late| Action::Write { resource: "k".into(), fence, late };
    trace.push(0, 0, 1, write(5, false), Answer::Write(Write::Accepted { order: 1 }));
    trace.push(1, 2, 3, write(4, true), Answer::Write(Write::Accepted { order: 2 }));
    assert_eq!(trace.kinds(), vec!["stale_write"]);
}

#[test]
fn a_request_without_a_record_is_lost() {
    let mut trace = Trace::new();
    trace.grant(0, 0, "a", 1_000, 10_000, 500);
    trace.sent[1] = 1;
    assert_eq!(trace.kinds(), vec!["lost"]);
}

#[test]
fn an_outcome_of_the_wrong_kind_is_reported() {
    let mut trace = Trace::new();
    let request = Request::Lock(LockRequest::Inspect { key: "k".into() });
    let decision =
        Decision { allowed: true, limit: 1, remaining: 0, reset_after: Millis(1), retry_after: Millis(0) };
    trace.push(
        0,
        0,
        1,
        Action::Redis(request),
        Answer::Outcome(Outcome::Limit(LimitOutcome::Check(decision))),
    );
    assert_eq!(trace.kinds(), vec!["wrong_outcome"]);
}
