//! A core [`Request`] as one script call: which script, its `KEYS` and its `ARGV`.

use leasehold_core::{
    Algorithm, AlgorithmKind, BlockPolicy, HoldRequest, LimitRequest, LockRequest, Request, SemaphoreRequest,
};
use leasehold_scripts as scripts;
use leasehold_scripts::Script;

use crate::clock::Clock;
use crate::events::HoldEvents;
use crate::layout::Layout;

/// One script invocation, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub script: &'static Script,
    pub keys: Vec<String>,
    pub args: Vec<String>,
}

fn n(value: u64) -> String {
    value.to_string()
}

/// The call of `script` on `keys`, the clock's argument before `args` (one allocation for them
/// all: the clock's comes first, so it cannot be pushed onto `args`).
fn call<A>(script: &'static Script, keys: Vec<String>, clock: Clock, args: A) -> Call
where
    A: IntoIterator<Item = String>,
    A::IntoIter: ExactSizeIterator,
{
    let args = args.into_iter();
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(clock.arg());
    all.extend(args);
    Call { script, keys, args: all }
}

/// The script call that runs `request` at `clock`; hold writes send their events to `events`.
pub(crate) fn encode(layout: &Layout, events: &HoldEvents, request: &Request, clock: Clock) -> Call {
    match request {
        Request::Lock(request) => lock(layout, request, clock),
        Request::Semaphore(request) => semaphore(layout, request, clock),
        Request::Limit(request) => limit(layout, request, clock),
        Request::Hold(request) => hold(layout, events, request, clock),
    }
}

fn lock(layout: &Layout, request: &LockRequest, clock: Clock) -> Call {
    match request {
        LockRequest::Acquire { key, owner, ttl } => call(
            &scripts::LOCK_ACQUIRE,
            vec![layout.lock(key)],
            clock,
            [key.clone(), owner.clone(), n(ttl.0)],
        ),
        LockRequest::Release { key, owner } => {
            call(&scripts::LOCK_RELEASE, vec![layout.lock(key)], clock, [key.clone(), owner.clone()])
        }
        LockRequest::Extend { key, owner, ttl } => {
            call(&scripts::LOCK_EXTEND, vec![layout.lock(key)], clock, [key.clone(), owner.clone(), n(ttl.0)])
        }
        LockRequest::Inspect { key } => {
            call(&scripts::LOCK_INSPECT, vec![layout.lock(key)], clock, [key.clone()])
        }
    }
}

fn semaphore(layout: &Layout, request: &SemaphoreRequest, clock: Clock) -> Call {
    match request {
        SemaphoreRequest::Acquire { key, owner, capacity, ttl } => call(
            &scripts::SEMAPHORE_ACQUIRE,
            vec![layout.semaphore(key)],
            clock,
            [key.clone(), owner.clone(), n(*capacity), n(ttl.0)],
        ),
        SemaphoreRequest::Release { key, owner } => call(
            &scripts::SEMAPHORE_RELEASE,
            vec![layout.semaphore(key)],
            clock,
            [key.clone(), owner.clone()],
        ),
        SemaphoreRequest::Extend { key, owner, ttl } => call(
            &scripts::SEMAPHORE_EXTEND,
            vec![layout.semaphore(key)],
            clock,
            [key.clone(), owner.clone(), n(ttl.0)],
        ),
        SemaphoreRequest::Inspect { key } => {
            call(&scripts::SEMAPHORE_INSPECT, vec![layout.semaphore(key)], clock, [key.clone()])
        }
    }
}

fn limit_keys(layout: &Layout, kind: AlgorithmKind, key: &str) -> Vec<String> {
    let mut keys = vec![layout.limit(kind, key)];
    if kind == AlgorithmKind::SlidingLog {
        keys.push(layout.limit_log(key));
    }
    keys
}

/// The algorithm's script and its up to three parameters, in declaration order.
fn algorithm(algorithm: &Algorithm) -> (&'static Script, [String; 3]) {
    let none = String::new;
    match algorithm {
        Algorithm::FixedWindow(r) => (&scripts::LIMIT_FIXED_WINDOW, [n(r.quota), n(r.window.0), none()]),
        Algorithm::SlidingLog(r) => (&scripts::LIMIT_SLIDING_LOG, [n(r.quota), n(r.window.0), none()]),
        Algorithm::SlidingCounter(r) => {
            (&scripts::LIMIT_SLIDING_COUNTER, [n(r.quota), n(r.window.0), none()])
        }
        Algorithm::TokenBucket(r) => {
            (&scripts::LIMIT_TOKEN_BUCKET, [n(r.capacity), n(r.refill), n(r.interval.0)])
        }
        Algorithm::Gcra(r) => (&scripts::LIMIT_GCRA, [n(r.burst), n(r.interval.0), none()]),
        Algorithm::Cooldown(r) => (&scripts::LIMIT_COOLDOWN, [n(r.interval.0), none(), none()]),
    }
}

fn block(policy: Option<&BlockPolicy>) -> [String; 3] {
    match policy {
        Some(p) => [n(p.violations), n(p.within.0), n(p.block_for.0)],
        None => [String::new(), String::new(), String::new()],
    }
}

fn limit(layout: &Layout, request: &LimitRequest, clock: Clock) -> Call {
    let (mode, key, algo, policy, cost) = match request {
        LimitRequest::Check { key, algorithm, block, cost } => ("check", key, algorithm, block, cost),
        LimitRequest::Peek { key, algorithm, block, cost } => ("peek", key, algorithm, block, cost),
        LimitRequest::Reset { key, algorithm } => {
            let keys = limit_keys(layout, *algorithm, key);
            return call(&scripts::LIMIT_RESET, keys, clock, vec![key.clone()]);
        }
    };
    let (script, params) = algorithm(algo);
    let mut args = vec![mode.to_owned(), key.clone()];
    args.extend(params);
    args.extend(block(policy.as_ref()));
    args.push(n(*cost));
    call(script, limit_keys(layout, algo.kind(), key), clock, args)
}

fn with_items(mut args: Vec<String>, items: &[String]) -> Vec<String> {
    args.extend(items.iter().cloned());
    args
}

fn hold(layout: &Layout, events: &HoldEvents, request: &HoldRequest, clock: Clock) -> Call {
    let ns = |namespace: &str| layout.hold(namespace).to_vec();
    // Writes: the events stream is a fourth key, and the outlets come before the items.
    let writes = |namespace: &str| {
        let mut keys = ns(namespace);
        keys.push(layout.hold_events(namespace));
        keys
    };
    let out = |mut args: Vec<String>| {
        args.extend(events.args());
        args
    };
    match request {
        HoldRequest::Reserve { namespace, items, owner, ttl, max_holds } => {
            let max = max_holds.map_or_else(String::new, n);
            let args = out(vec![namespace.clone(), owner.clone(), n(ttl.0), max]);
            call(&scripts::HOLD_RESERVE, writes(namespace), clock, with_items(args, items))
        }
        HoldRequest::Release { namespace, items, owner } => {
            let args = out(vec![namespace.clone(), "owner".to_owned(), owner.clone()]);
            call(&scripts::HOLD_RELEASE, writes(namespace), clock, with_items(args, items))
        }
        HoldRequest::ForceRelease { namespace, items } => {
            let args = out(vec![namespace.clone(), "force".to_owned(), String::new()]);
            call(&scripts::HOLD_RELEASE, writes(namespace), clock, with_items(args, items))
        }
        HoldRequest::Extend { namespace, items, owner, ttl } => {
            let args = out(vec![namespace.clone(), owner.clone(), n(ttl.0)]);
            call(&scripts::HOLD_EXTEND, writes(namespace), clock, with_items(args, items))
        }
        HoldRequest::Check { namespace, items } => {
            call(&scripts::HOLD_CHECK, ns(namespace), clock, with_items(vec![namespace.clone()], items))
        }
        HoldRequest::List { namespace, cursor, limit } => {
            let (has, at, item) = match cursor {
                Some(c) => ("1", n(c.expires_at.0), c.item.to_string()),
                None => ("0", String::new(), String::new()),
            };
            let args = vec![namespace.clone(), n(*limit), has.to_owned(), at, item];
            call(&scripts::HOLD_LIST, ns(namespace), clock, args)
        }
        HoldRequest::Sweep { namespace, max } => {
            let args = out(vec![namespace.clone(), n(*max)]);
            call(&scripts::HOLD_SWEEP, writes(namespace), clock, args)
        }
    }
}
