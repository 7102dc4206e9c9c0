//! A core [`Request`] as one script call: which script, its `KEYS` and its `ARGV`.

use std::fmt;

use leasehold_core::{
    Algorithm, AlgorithmKind, BlockPolicy, HoldRequest, LimitRequest, LockRequest, Request, SemaphoreRequest,
};
use leasehold_scripts as scripts;
use leasehold_scripts::Script;
use redis::{RedisWrite, ToRedisArgs};

use crate::clock::Clock;
use crate::events::HoldEvents;
use crate::layout::Layout;

/// One script invocation, ready to send. Its arguments borrow the request's text, so preparing
/// a call copies no key, owner or item.
#[derive(Debug, Clone)]
pub(crate) struct Call<'r> {
    pub script: &'static Script,
    pub keys: Vec<String>,
    pub args: Vec<Arg<'r>>,
}

/// One `ARGV` element: text (the request's own, or a word of the protocol), a number written
/// straight into the command, or text made for the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg<'r> {
    Text(&'r str),
    Number(u64),
    Owned(String),
}

impl Arg<'_> {
    /// The bytes it takes in a command, or (for a number) at most that: for sizing a command.
    pub fn len(&self) -> usize {
        match self {
            Arg::Text(text) => text.len(),
            Arg::Number(_) => 20,
            Arg::Owned(text) => text.len(),
        }
    }
}

impl<'r> From<&'r str> for Arg<'r> {
    fn from(text: &'r str) -> Arg<'r> {
        Arg::Text(text)
    }
}

impl fmt::Display for Arg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Text(text) => f.write_str(text),
            Arg::Number(value) => write!(f, "{value}"),
            Arg::Owned(text) => f.write_str(text),
        }
    }
}

impl ToRedisArgs for Arg<'_> {
    fn write_redis_args<W: ?Sized + RedisWrite>(&self, out: &mut W) {
        match self {
            Arg::Text(text) => out.write_arg(text.as_bytes()),
            Arg::Number(value) => value.write_redis_args(out),
            Arg::Owned(text) => out.write_arg(text.as_bytes()),
        }
    }
}

fn n<'r>(value: u64) -> Arg<'r> {
    Arg::Number(value)
}

/// The call of `script` on `keys`, the clock's argument before `args`.
fn call<'r, A>(script: &'static Script, keys: Vec<String>, clock: Clock, args: A) -> Call<'r>
where
    A: IntoIterator<Item = Arg<'r>>,
    A::IntoIter: ExactSizeIterator,
{
    let args = args.into_iter();
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(clock.arg());
    all.extend(args);
    Call { script, keys, args: all }
}

/// The script call that runs `request` at `clock`; hold writes send their events to `events`.
pub(crate) fn encode<'r>(
    layout: &Layout,
    events: &HoldEvents,
    request: &'r Request,
    clock: Clock,
) -> Call<'r> {
    match request {
        Request::Lock(request) => lock(layout, request, clock),
        Request::Semaphore(request) => semaphore(layout, request, clock),
        Request::Limit(request) => limit(layout, request, clock),
        Request::Hold(request) => hold(layout, events, request, clock),
    }
}

fn lock<'r>(layout: &Layout, request: &'r LockRequest, clock: Clock) -> Call<'r> {
    match request {
        LockRequest::Acquire { key, owner, ttl } => call(
            &scripts::LOCK_ACQUIRE,
            vec![layout.lock(key)],
            clock,
            [Arg::Text(key), Arg::Text(owner), n(ttl.0)],
        ),
        LockRequest::Release { key, owner } => {
            call(&scripts::LOCK_RELEASE, vec![layout.lock(key)], clock, [Arg::Text(key), Arg::Text(owner)])
        }
        LockRequest::Extend { key, owner, ttl } => call(
            &scripts::LOCK_EXTEND,
            vec![layout.lock(key)],
            clock,
            [Arg::Text(key), Arg::Text(owner), n(ttl.0)],
        ),
        LockRequest::Inspect { key } => {
            call(&scripts::LOCK_INSPECT, vec![layout.lock(key)], clock, [Arg::Text(key)])
        }
    }
}

fn semaphore<'r>(layout: &Layout, request: &'r SemaphoreRequest, clock: Clock) -> Call<'r> {
    match request {
        SemaphoreRequest::Acquire { key, owner, capacity, ttl } => call(
            &scripts::SEMAPHORE_ACQUIRE,
            vec![layout.semaphore(key)],
            clock,
            [Arg::Text(key), Arg::Text(owner), n(*capacity), n(ttl.0)],
        ),
        SemaphoreRequest::Release { key, owner } => call(
            &scripts::SEMAPHORE_RELEASE,
            vec![layout.semaphore(key)],
            clock,
            [Arg::Text(key), Arg::Text(owner)],
        ),
        SemaphoreRequest::Extend { key, owner, ttl } => call(
            &scripts::SEMAPHORE_EXTEND,
            vec![layout.semaphore(key)],
            clock,
            [Arg::Text(key), Arg::Text(owner), n(ttl.0)],
        ),
        SemaphoreRequest::Inspect { key } => {
            call(&scripts::SEMAPHORE_INSPECT, vec![layout.semaphore(key)], clock, [Arg::Text(key)])
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
fn algorithm<'r>(algorithm: &Algorithm) -> (&'static Script, [Arg<'r>; 3]) {
    let none = || Arg::Text("");
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

fn block<'r>(policy: Option<&BlockPolicy>) -> [Arg<'r>; 3] {
    match policy {
        Some(p) => [n(p.violations), n(p.within.0), n(p.block_for.0)],
        None => [Arg::Text(""), Arg::Text(""), Arg::Text("")],
    }
}

fn limit<'r>(layout: &Layout, request: &'r LimitRequest, clock: Clock) -> Call<'r> {
    let (mode, key, algo, policy, cost) = match request {
        LimitRequest::Check { key, algorithm, block, cost } => ("check", key, algorithm, block, cost),
        LimitRequest::Peek { key, algorithm, block, cost } => ("peek", key, algorithm, block, cost),
        LimitRequest::Reset { key, algorithm } => {
            let keys = limit_keys(layout, *algorithm, key);
            return call(&scripts::LIMIT_RESET, keys, clock, vec![Arg::Text(key)]);
        }
    };
    let (script, params) = algorithm(algo);
    let mut args = Vec::with_capacity(10);
    args.push(Arg::Text(mode));
    args.push(Arg::Text(key));
    args.extend(params);
    args.extend(block(policy.as_ref()));
    args.push(n(*cost));
    call(script, limit_keys(layout, algo.kind(), key), clock, args)
}

fn with_items<'r>(mut args: Vec<Arg<'r>>, items: &'r [String]) -> Vec<Arg<'r>> {
    args.extend(items.iter().map(|item| Arg::Text(item)));
    args
}

fn hold<'r>(layout: &Layout, events: &HoldEvents, request: &'r HoldRequest, clock: Clock) -> Call<'r> {
    let ns = |namespace: &str| layout.hold(namespace).to_vec();
    // Writes: the events stream is a fourth key, and the outlets come before the items.
    let writes = |namespace: &str| {
        let mut keys = ns(namespace);
        keys.push(layout.hold_events(namespace));
        keys
    };
    let out = |mut args: Vec<Arg<'r>>| {
        args.extend(events.args().map(Arg::Owned));
        args
    };
    match request {
        HoldRequest::Reserve { namespace, items, owner, ttl, max_holds } => {
            let max = max_holds.map_or(Arg::Text(""), n);
            let args = out(vec![Arg::Text(namespace), Arg::Text(owner), n(ttl.0), max]);
            call(&scripts::HOLD_RESERVE, writes(namespace), clock, with_items(args, items))
        }
        HoldRequest::Release { namespace, items, owner } => {
            let args = out(vec![Arg::Text(namespace), Arg::Text("owner"), Arg::Text(owner)]);
            call(&scripts::HOLD_RELEASE, writes(namespace), clock, with_items(args, items))
        }
        HoldRequest::ForceRelease { namespace, items } => {
            let args = out(vec![Arg::Text(namespace), Arg::Text("force"), Arg::Text("")]);
            call(&scripts::HOLD_RELEASE, writes(namespace), clock, with_items(args, items))
        }
        HoldRequest::Extend { namespace, items, owner, ttl } => {
            let args = out(vec![Arg::Text(namespace), Arg::Text(owner), n(ttl.0)]);
            call(&scripts::HOLD_EXTEND, writes(namespace), clock, with_items(args, items))
        }
        HoldRequest::Check { namespace, items } => {
            call(&scripts::HOLD_CHECK, ns(namespace), clock, with_items(vec![Arg::Text(namespace)], items))
        }
        HoldRequest::List { namespace, cursor, limit } => {
            let (has, at, item) = match cursor {
                Some(c) => ("1", n(c.expires_at.0), Arg::Owned(c.item.to_string())),
                None => ("0", Arg::Text(""), Arg::Text("")),
            };
            let args = vec![Arg::Text(namespace), n(*limit), Arg::Text(has), at, item];
            call(&scripts::HOLD_LIST, ns(namespace), clock, args)
        }
        HoldRequest::Sweep { namespace, max } => {
            let args = out(vec![Arg::Text(namespace), n(*max)]);
            call(&scripts::HOLD_SWEEP, writes(namespace), clock, args)
        }
    }
}
