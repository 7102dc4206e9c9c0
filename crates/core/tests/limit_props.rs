//! Properties of the rate limiters under random keys, costs and time steps.

extern crate alloc;

use alloc::collections::BTreeMap;

use leasehold_core::{BlockPolicy, Decision, Error, Limit, Limits, Millis};
use proptest::prelude::*;

const START: u64 = 1_763_800_000_000;
const KEYS: [&str; 3] = ["a", "b", "c"];

/// One call: which key, which cost (taken modulo the limit) and how long after the last call.
#[derive(Debug, Clone, Copy)]
struct Step {
    key: usize,
    cost: u64,
    after: u64,
}

fn steps(max: usize) -> impl Strategy<Value = Vec<Step>> {
    let after = prop_oneof![4 => 0..50u64, 3 => 0..600u64, 1 => 0..6_000u64];
    prop::collection::vec((0..KEYS.len(), 0..u64::MAX, after), 1..max)
        .prop_map(|v| v.into_iter().map(|(key, cost, after)| Step { key, cost, after }).collect())
}

fn small_limit() -> impl Strategy<Value = Limit> {
    prop_oneof![
        (1..=12u64, 1..=3_000u64).prop_map(|(q, w)| Limit::fixed_window(q, Millis(w))),
        (1..=12u64, 1..=3_000u64).prop_map(|(q, w)| Limit::sliding_log(q, Millis(w))),
        (1..=12u64, 1..=3_000u64).prop_map(|(q, w)| Limit::sliding_counter(q, Millis(w))),
        (1..=12u64, 1..=12u64, 1..=700u64).prop_map(|(c, r, i)| Limit::token_bucket(c, r.min(c), Millis(i))),
        (1..=12u64, 1..=700u64).prop_map(|(b, i)| Limit::gcra(b, Millis(i))),
        (1..=3_000u64).prop_map(|i| Limit::cooldown(Millis(i))),
    ]
}

fn policy() -> impl Strategy<Value = Option<BlockPolicy>> {
    prop::option::of((1..=4u64, 1..=3_000u64, 1..=5_000u64).prop_map(|(violations, within, block_for)| {
        BlockPolicy { violations, within: Millis(within), block_for: Millis(block_for) }
    }))
}

/// The limit a limiter reports (its largest accepted cost).
fn limit_of(limit: &Limit) -> u64 {
    Limits::new(0).peek("probe", limit, 1, Millis(START)).unwrap().limit
}

/// Runs `steps` and returns every (key, now, cost, decision).
fn run(
    limits: &mut Limits,
    limit: &Limit,
    steps: &[Step],
    mut between: impl FnMut(&mut Limits, Millis),
) -> Vec<Result<Decision, Error>> {
    let top = limit_of(limit);
    let mut now = START;
    steps
        .iter()
        .map(|step| {
            now += step.after;
            between(limits, Millis(now));
            limits.check(KEYS[step.key], limit, 1 + step.cost % top, Millis(now))
        })
        .collect()
}

fn admitted(limit: &Limit, steps: &[Step]) -> BTreeMap<usize, Vec<(u64, u64, Decision)>> {
    let top = limit_of(limit);
    let mut limits = Limits::new(3);
    let mut now = START;
    let mut by_key: BTreeMap<usize, Vec<(u64, u64, Decision)>> = BTreeMap::new();
    for step in steps {
        now += step.after;
        let cost = 1 + step.cost % top;
        let decision = limits.check(KEYS[step.key], limit, cost, Millis(now)).unwrap();
        if decision.allowed {
            by_key.entry(step.key).or_default().push((now, cost, decision));
        }
    }
    by_key
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_fixed_window_never_admits_more_than_its_quota_in_one_window(
        quota in 1..=12u64, window in 1..=3_000u64, steps in steps(80),
    ) {
        let limit = Limit::fixed_window(quota, Millis(window));
        for admitted in admitted(&limit, &steps).values() {
            let mut per_window: BTreeMap<u64, u64> = BTreeMap::new();
            for &(now, cost, decision) in admitted {
                let ends_at = now + decision.reset_after.0;
                prop_assert!(now >= ends_at - window && now < ends_at);
                *per_window.entry(ends_at).or_default() += cost;
            }
            let ends: Vec<u64> = per_window.keys().copied().collect();
            prop_assert!(ends.windows(2).all(|pair| pair[1] - pair[0] >= window), "windows overlap");
            prop_assert!(per_window.values().all(|&sum| sum <= quota), "{per_window:?}");
        }
    }

    #[test]
    fn a_sliding_log_never_admits_more_than_its_quota_in_any_window(
        quota in 1..=12u64, window in 1..=3_000u64, steps in steps(80),
    ) {
        let limit = Limit::sliding_log(quota, Millis(window));
        for admitted in admitted(&limit, &steps).values() {
            for &(start, _, _) in admitted {
                let inside: u64 = admitted.iter()
                    .filter(|(at, _, _)| *at >= start && *at < start + window)
                    .map(|(_, cost, _)| cost)
                    .sum();
                prop_assert!(inside <= quota, "{inside} admitted in [{start}, {start} + {window})");
            }
        }
    }

    #[test]
    fn a_denied_check_changes_nothing(limit in small_limit(), steps in steps(60)) {
        let top = limit_of(&limit);
        let mut limits = Limits::new(5);
        let mut now = START;
        for step in &steps {
            now += step.after;
            let (key, cost, at) = (KEYS[step.key], 1 + step.cost % top, Millis(now));
            let probes = |limits: &Limits| [1, cost, top].map(|c| limits.peek(key, &limit, c, at).unwrap());
            let before = probes(&limits);
            let len = limits.len();
            let decision = limits.check(key, &limit, cost, at).unwrap();
            if !decision.allowed {
                prop_assert_eq!(probes(&limits), before);
                prop_assert_eq!(limits.len(), len);
            }
        }
    }

    #[test]
    fn peek_gives_the_decision_the_check_then_gets(
        limit in small_limit(), block in policy(), steps in steps(60),
    ) {
        let limit = Limit { block, ..limit };
        let top = limit_of(&limit);
        let mut limits = Limits::new(5);
        let mut now = START;
        for step in &steps {
            now += step.after;
            let (key, cost, at) = (KEYS[step.key], 1 + step.cost % top, Millis(now));
            let peeked = limits.peek(key, &limit, cost, at).unwrap();
            prop_assert_eq!(limits.check(key, &limit, cost, at).unwrap(), peeked);
        }
    }

    #[test]
    fn retry_after_and_reset_after_are_the_exact_first_instants(
        limit in small_limit(), steps in steps(50),
    ) {
        let top = limit_of(&limit);
        let mut limits = Limits::new(5);
        let mut now = START;
        for step in &steps {
            now += step.after;
            let (key, cost) = (KEYS[step.key], 1 + step.cost % top);
            let decision = limits.check(key, &limit, cost, Millis(now)).unwrap();
            let allowed_at = |t: u64, c: u64| limits.peek(key, &limit, c, Millis(t)).unwrap().allowed;
            if !decision.allowed {
                let retry = decision.retry_after.0;
                prop_assert!(retry >= 1);
                prop_assert!(allowed_at(now + retry, cost), "retry at +{retry} is still denied");
                prop_assert!(!allowed_at(now + retry - 1, cost), "+{} was already enough", retry - 1);
            }
            let reset = decision.reset_after.0;
            prop_assert!(allowed_at(now + reset, top), "not back to full at +{reset}");
            if reset > 0 {
                prop_assert!(!allowed_at(now + reset - 1, top), "already full at +{}", reset - 1);
            }
        }
    }

    #[test]
    fn remaining_is_the_largest_cost_still_admitted(limit in small_limit(), steps in steps(50)) {
        let top = limit_of(&limit);
        let mut limits = Limits::new(5);
        let mut now = START;
        for step in &steps {
            now += step.after;
            let (key, cost, at) = (KEYS[step.key], 1 + step.cost % top, Millis(now));
            let decision = limits.check(key, &limit, cost, at).unwrap();
            prop_assert!(decision.remaining <= top);
            prop_assert_eq!(decision.allowed, decision.retry_after == Millis::ZERO);
            if decision.remaining > 0 {
                prop_assert!(limits.peek(key, &limit, decision.remaining, at).unwrap().allowed);
            }
            if decision.remaining < top {
                prop_assert!(!limits.peek(key, &limit, decision.remaining + 1, at).unwrap().allowed);
            }
        }
    }

    #[test]
    fn the_same_steps_give_the_same_outcomes_whatever_the_seed_or_expiry(
        limit in small_limit(), block in policy(), steps in steps(80), budget in 1..5usize,
    ) {
        let limit = Limit { block, ..limit };
        let plain = run(&mut Limits::new(1), &limit, &steps, |_, _| {});
        let reseeded = run(&mut Limits::new(0xDEAD_BEEF), &limit, &steps, |_, _| {});
        let mut swept = Limits::new(7);
        let expired = run(&mut swept, &limit, &steps, |limits, now| { limits.expire(now, budget); });
        prop_assert_eq!(&plain, &reseeded);
        prop_assert_eq!(&plain, &expired);
        let later = Millis(START + steps.iter().map(|s| s.after).sum::<u64>() + 20_000);
        swept.expire(later, 100);
        prop_assert!(swept.is_empty(), "memory did not return to baseline");
    }
}

fn number() -> impl Strategy<Value = u64> {
    const MAX: u64 = Millis::MAX.0;
    prop_oneof![0..4u64, 0..100_000u64, any::<u64>(), (MAX - 100_000)..=(MAX + 2), Just(u64::MAX)]
}

fn any_limit() -> impl Strategy<Value = Limit> {
    let block = prop::option::of((number(), number(), number()).prop_map(|(v, w, b)| BlockPolicy {
        violations: v,
        within: Millis(w),
        block_for: Millis(b),
    }));
    (0..6u8, number(), number(), number(), block).prop_map(|(kind, a, b, c, block)| {
        let limit = match kind {
            0 => Limit::fixed_window(a, Millis(b)),
            1 => Limit::sliding_log(a, Millis(b)),
            2 => Limit::sliding_counter(a, Millis(b)),
            3 => Limit::token_bucket(a, b, Millis(c)),
            4 => Limit::gcra(a, Millis(b)),
            _ => Limit::cooldown(Millis(a)),
        };
        Limit { block, ..limit }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn no_argument_makes_a_limiter_panic_or_leave_the_double_range(
        calls in prop::collection::vec(
            ("[ké]{0,2}|k{510,514}", any_limit(), number(), number(), 0..4u8), 1..12),
    ) {
        let mut limits = Limits::new(9);
        for (key, limit, cost, now, op) in &calls {
            let now = Millis(*now);
            let decision = match op {
                0 => limits.peek(key, limit, *cost, now),
                1 => { limits.expire(now, 3); continue; }
                2 => {
                    let kind = limit.algorithm.kind();
                    prop_assert!(limits.reset(key, kind, now).is_ok() || key.is_empty() || key.len() > 512 || now > Millis::MAX);
                    continue;
                }
                _ => limits.check(key, limit, *cost, now),
            };
            if let Ok(decision) = decision {
                for value in [decision.limit, decision.remaining, decision.reset_after.0, decision.retry_after.0] {
                    prop_assert!(value <= Millis::MAX.0);
                }
            }
        }
    }
}
