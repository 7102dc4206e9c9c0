//! What every algorithm provides, and the one transition that wraps each of them with the block
//! policy: a pure function from the key's old state, the request and `now` to a decision and the
//! write to make (the shape each Lua script ports).

use core::fmt;

use crate::bounds::{check_key, check_now, check_range, expiry, MAX_DURATION};
use crate::error::{Error, Field};
use crate::store::Store;
use crate::time::Millis;

use super::block::{BlockPolicy, Strikes};
use super::Decision;

/// One rate-limit algorithm with its parameters, as given on a call.
///
/// `State` is what a key remembers under the algorithm. Every state carries the instant from
/// which it is equivalent to no state at all ([`Rule::expires_at`], computed with the parameters
/// of the check that wrote it, like a Redis `PEXPIRE`); from that instant on it is treated as
/// absent whatever the parameters of later calls, so forgetting it never changes an outcome.
pub(crate) trait Rule {
    /// What a key remembers. `Default` is a state that is already expired.
    type State: Clone + fmt::Debug + Default;

    /// Checks the parameters, in declaration order.
    fn validate(&self) -> Result<(), Error>;

    /// The largest cost a check may carry, reported as [`Decision::limit`].
    fn limit(&self) -> u64;

    /// The longest a state written at `now` can live: `now + span` must stay below 2^53.
    fn span(&self) -> Millis;

    /// When `state` becomes equivalent to no state.
    fn expires_at(state: &Self::State) -> Millis;

    /// The decision a check of `cost` gets at `now`; `live` is `None` when nothing is remembered.
    fn decide(&self, live: Option<&Self::State>, cost: u64, now: Millis) -> Decision;

    /// Records an admitted check (one for which [`Rule::decide`] allowed) in `state`; `live` says
    /// whether `state` had not yet expired.
    fn admit(&self, state: &mut Self::State, live: bool, cost: u64, now: Millis);

    /// How long until the limiter is back to its initial state if nothing more is admitted.
    fn idle_after(&self, live: Option<&Self::State>, now: Millis) -> Millis;

    /// Gives back the memory of an expired state kept only for its block record.
    fn release(_state: &mut Self::State) {}
}

/// What one key remembers under one algorithm: the algorithm's state and the block record.
#[derive(Debug, Clone, Default)]
pub(crate) struct Entry<S> {
    state: S,
    strikes: Strikes,
}

/// The write a check makes after deciding.
enum Effect {
    Nothing,
    Admit,
    Strike(Strikes),
}

/// `at + by`, capped at 2^53 − 1. The cap is only reached when the clock went backwards: a
/// check refuses every `now` whose `now + span` would pass it.
pub(crate) fn later(at: Millis, by: Millis) -> Millis {
    at.checked_add(by).unwrap_or(Millis::MAX)
}

/// `interval` in `1..=366 days / times` (`times ≥ 1`): `times` intervals fit in 366 days. The
/// bound is only divided out to report it, so an accepted call costs a multiplication.
pub(crate) fn check_span(field: Field, interval: Millis, times: u64) -> Result<(), Error> {
    match interval.0.checked_mul(times) {
        Some(span) if interval.0 >= 1 && span <= MAX_DURATION.0 => Ok(()),
        _ => Err(Error::OutOfRange { field, value: interval.0, min: 1, max: MAX_DURATION.0 / times.max(1) }),
    }
}

/// `ceil(a / b)`, and 0 when `b` is 0 (never the case for validated parameters).
pub(crate) fn ceil_div(a: u64, b: u64) -> u64 {
    match (a.checked_div(b), a.checked_rem(b)) {
        (Some(q), Some(r)) if r > 0 => q.saturating_add(1),
        (Some(q), _) => q,
        _ => 0,
    }
}

#[inline]
fn live<R: Rule>(entry: Option<&Entry<R::State>>, now: Millis) -> Option<&R::State> {
    entry.map(|entry| &entry.state).filter(|state| R::expires_at(state) > now)
}

/// The pure transition: the decision for `entry` (`None`: nothing remembered) and the write.
#[inline]
fn evaluate<R: Rule>(
    rule: &R,
    block: Option<&BlockPolicy>,
    entry: Option<&Entry<R::State>>,
    cost: u64,
    now: Millis,
) -> (Decision, Effect) {
    let state = live::<R>(entry, now);
    let strikes = entry.map_or_else(Strikes::default, |entry| entry.strikes);
    if let Some(left) = strikes.blocked_for(now) {
        let idle = rule.idle_after(state, now);
        let wait = rule.decide(state, cost, now).retry_after;
        return (Decision::deny(rule.limit(), 0, idle.max(left), left.max(wait)), Effect::Nothing);
    }
    let decision = rule.decide(state, cost, now);
    if decision.allowed {
        return (decision, Effect::Admit);
    }
    let Some(policy) = block else {
        return (decision, Effect::Nothing);
    };
    let next = strikes.strike(policy, now);
    match next.blocked_for(now) {
        Some(left) => {
            let reset_after = decision.reset_after.max(left);
            let retry_after = decision.retry_after.max(left);
            (Decision::deny(decision.limit, 0, reset_after, retry_after), Effect::Strike(next))
        }
        None => (decision, Effect::Strike(next)),
    }
}

#[inline]
fn write<R: Rule>(rule: &R, entry: &mut Entry<R::State>, effect: Effect, cost: u64, now: Millis) {
    match effect {
        Effect::Nothing => {}
        Effect::Admit => {
            let live = R::expires_at(&entry.state) > now;
            rule.admit(&mut entry.state, live, cost, now);
        }
        Effect::Strike(strikes) => entry.strikes = strikes,
    }
}

/// Checks a check's or peek's arguments in parameter order: key, the algorithm's parameters,
/// the block policy's, cost, now, then the expiries `now` plus span, `within` and `block_for`.
#[inline]
fn validate<R: Rule>(
    key: &str,
    rule: &R,
    block: Option<&BlockPolicy>,
    cost: u64,
    now: Millis,
) -> Result<(), Error> {
    check_key(key)?;
    rule.validate()?;
    if let Some(policy) = block {
        policy.validate()?;
    }
    check_range(Field::Cost, cost, 1, rule.limit())?;
    check_now(now)?;
    expiry(now, rule.span())?;
    if let Some(policy) = block {
        expiry(now, policy.within)?;
        expiry(now, policy.block_for)?;
    }
    Ok(())
}

/// [`Limits::check`](super::Limits::check) on one algorithm's keys.
#[inline]
pub(crate) fn checked<R: Rule>(
    store: &mut Store<Entry<R::State>>,
    key: &str,
    rule: &R,
    block: Option<&BlockPolicy>,
    cost: u64,
    now: Millis,
) -> Result<Decision, Error> {
    validate(key, rule, block, cost, now)?;
    Ok(check(store, key, rule, block, cost, now))
}

/// [`Limits::peek`](super::Limits::peek) on one algorithm's keys.
pub(crate) fn peeked<R: Rule>(
    store: &Store<Entry<R::State>>,
    key: &str,
    rule: &R,
    block: Option<&BlockPolicy>,
    cost: u64,
    now: Millis,
) -> Result<Decision, Error> {
    validate(key, rule, block, cost, now)?;
    Ok(evaluate(rule, block, store.get(key), cost, now).0)
}

/// A check on validated arguments: decides, then writes. No allocation when `key` is known.
#[inline]
fn check<R: Rule>(
    store: &mut Store<Entry<R::State>>,
    key: &str,
    rule: &R,
    block: Option<&BlockPolicy>,
    cost: u64,
    now: Millis,
) -> Decision {
    if let Some(entry) = store.get_mut(key) {
        let (decision, effect) = evaluate(rule, block, Some(entry), cost, now);
        write(rule, entry, effect, cost, now);
        return decision;
    }
    let (decision, effect) = evaluate(rule, block, None, cost, now);
    if !matches!(effect, Effect::Nothing) {
        write(rule, store.get_or_insert_with(key, Entry::default), effect, cost, now);
    }
    decision
}

/// Whether `entry` still matters at `now`: a live algorithm state, a live block or strikes.
fn is_live<R: Rule>(entry: &Entry<R::State>, now: Millis) -> bool {
    R::expires_at(&entry.state) > now || entry.strikes.expires_at() > now
}

/// Forgets `key`; true when something live was forgotten.
pub(crate) fn forget<R: Rule>(store: &mut Store<Entry<R::State>>, key: &str, now: Millis) -> bool {
    store.remove(key).is_some_and(|entry| is_live::<R>(&entry, now))
}

/// Active expiry over one algorithm's keys: examines up to `budget` of them (never more than
/// there are), forgets those that no longer matter and frees expired logs kept for a block.
pub(crate) fn expire<R: Rule>(store: &mut Store<Entry<R::State>>, now: Millis, budget: usize) -> usize {
    let budget = budget.min(store.len());
    let removed = store.sweep(budget, |_, entry| {
        if R::expires_at(&entry.state) <= now {
            R::release(&mut entry.state);
        }
        !is_live::<R>(entry, now)
    });
    if removed > 0 {
        store.shrink();
    }
    removed
}
