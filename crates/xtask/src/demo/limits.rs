//! The limiter tour: a coupon cooldown, then a login limit whose violations block the address.

use leasehold_core::{BlockPolicy, Decision, Limit, Millis};

use super::Tour;
use crate::util::seconds;

const COUPON: Limit = Limit::cooldown(Millis(3_000));
const LOGIN: Limit = Limit::fixed_window(10, Millis(15 * 60 * 1000)).with_block(BlockPolicy {
    violations: 3,
    within: Millis(60_000),
    block_for: Millis(3_600_000),
});

/// A user claims a coupon, spams the button and is told when to come back; then an address
/// tries eleven logins in fifteen minutes and keeps going until its violations block it.
pub fn tour(t: &mut Tour) -> Result<(), String> {
    t.section(
        "Rate limits: a 3 s coupon cooldown, then 10 logins per 15 min with a block",
        &[
            "Every algorithm answers the same way: allowed, remaining, reset-after, retry-after.",
            "A denied request consumes nothing; repeated denials can block the key for an hour.",
        ],
    );
    let mut engine = leasehold_core::Engine::new();
    let limits = engine.limits();
    let fail = |error: leasehold_core::Error| error.to_string();

    for offset in [0, 800, 2_999, 3_000] {
        let now = t.at(offset);
        let decision = limits.check("coupon:76561198000000001", &COUPON, 1, now).map_err(fail)?;
        t.step(now, "user-7", "claim coupon", decided(&decision));
    }
    let denied = limits.check("coupon:76561198000000001", &COUPON, 1, t.at(3_500)).map_err(fail)?;
    if denied.allowed {
        return Err("a second claim within the cooldown was admitted".to_owned());
    }

    let key = "login_ip:203.0.113.9";
    let mut admitted = 0;
    for attempt in 0..10u64 {
        admitted +=
            u64::from(limits.check(key, &LOGIN, 1, t.at(10_000 + attempt * 1_000)).map_err(fail)?.allowed);
    }
    t.note(&format!("{key} made 10 logins in 10 s: {admitted} admitted"));
    if admitted != 10 {
        return Err(format!("the quota of 10 admitted {admitted}"));
    }
    let mut last = None;
    for (n, offset) in [21_000, 22_000, 23_000, 24_000].into_iter().enumerate() {
        let now = t.at(offset);
        let decision = limits.check(key, &LOGIN, 1, now).map_err(fail)?;
        t.step(now, "203.0.113.9", &format!("login #{}", 11 + n), decided(&decision));
        last = Some(decision);
    }
    let blocked = last.ok_or("no decision")?;
    if blocked.allowed || blocked.retry_after < Millis(3_500_000) {
        return Err(format!("three violations within a minute did not block: {blocked:?}"));
    }
    t.note("the third violation within a minute blocked the address for an hour");
    Ok(())
}

fn decided(decision: &Decision) -> String {
    if decision.allowed {
        format!("allowed   {} of {} left", decision.remaining, decision.limit)
    } else {
        format!("denied    retry after {}", seconds(decision.retry_after.0))
    }
}
