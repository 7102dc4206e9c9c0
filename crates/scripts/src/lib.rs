//! # leasehold-scripts
//!
//! The Lua scripts of leasehold's Redis backend, as text. They are the single source for every
//! Redis client of the project: the Rust adapter (`leasehold-redis`) loads them from here, and
//! the npm package takes them from here too (for instance from [`SCRIPTS`], written out by a
//! build step), never from a copy.
//!
//! Each script ports exactly one transition of `leasehold-core`, which its header comment names,
//! and is the concatenation of the shared prelude (`lua/prelude.lua`: bounds, argument checks,
//! the fence rule, the clock), the helpers of its primitive where it has some, and its own body,
//! keeping only the helpers (`local function`s) the script uses: Redis runs the whole text on
//! every call, and each helper it defines is a closure made and collected every time
//! (`build.rs` assembles them and lists each script's parts). The hottest scripts
//! (`lock_acquire`, `lock_release`, `limit_fixed_window`) also open with a fast path,
//! `lua/<name>_fast.lua`, placed before the helpers: plain comparisons settle the usual case
//! there with the fewest Redis calls, and anything else falls through, unwritten, to the full
//! transition. A batch variant may have one of its own, `lua/<name>_many_fast.lua`
//! (`lock_acquire_many`), which settles each request of the batch before `run` is needed.
//!
//! Every script follows one convention:
//!
//! - **Keys** come only from `KEYS`; `ARGV[1]` is the clock, `server` (the script reads Redis
//!   `TIME`) or an explicit `now` in milliseconds; the other `ARGV` are the operation's
//!   arguments as decimal strings or text, in the order of the core's parameters (the empty
//!   string for an absent optional one). The hold scripts that write (reserve, release,
//!   extend, sweep) also take `KEYS[4]`, the namespace's event stream, and two `ARGV` before
//!   the items: the stream's `MAXLEN ~` (`0`: no stream) and a channel that reserves signal
//!   (`''`: none); see `lua/hold.lua`.
//! - **Validation first.** Every argument is checked in the core's order before the first write,
//!   so a refused request changes nothing.
//! - **Replies** are flat arrays: a tag naming the outcome (`granted`, `denied`, ...) followed
//!   by its integer fields in declaration order.
//! - **Errors** are error replies `LEASEHOLD <code> [<field>] [<number> ...]`, the fields of
//!   `leasehold_core::Error` in declaration order, for example
//!   `LEASEHOLD out_of_range ttl 0 1 31622400000`. A reply
//!   `LEASEHOLD protocol ...` means the caller broke this convention.
//!
//! ```
//! use leasehold_scripts::{LOCK_ACQUIRE, SCRIPTS};
//! assert!(LOCK_ACQUIRE.source.contains("Locks::acquire"));
//! assert!(SCRIPTS.iter().all(|script| script.source.contains("local function fail")));
//! ```
#![no_std]

/// One script: its name, the core transition it ports, and its full source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Script {
    /// The file name without `.lua`, for example `lock_acquire`.
    pub name: &'static str,
    /// The core transition the script ports, for example `Locks::acquire`.
    pub transition: &'static str,
    /// The whole script, prelude included, ready for `SCRIPT LOAD` or `EVAL`.
    pub source: &'static str,
}

/// The assembled script `$file` (see `build.rs`): the prelude and the parts the build lists
/// for it, with only the helpers it uses.
macro_rules! script {
    ($(#[$doc:meta])* $name:ident, $many:ident = $file:literal ports $transition:literal) => {
        $(#[$doc])*
        pub const $name: Script = Script {
            name: $file,
            transition: $transition,
            source: include_str!(concat!(env!("OUT_DIR"), "/", $file, ".lua")),
        };
        #[doc = concat!("The batch variant of [`", stringify!($name), "`] (see [`SCRIPTS_MANY`]).")]
        pub const $many: Script = Script {
            name: concat!($file, "_many"),
            transition: $transition,
            source: include_str!(concat!(env!("OUT_DIR"), "/", $file, "_many.lua")),
        };
    };
}

script!(
    /// `Locks::acquire`.
    LOCK_ACQUIRE, LOCK_ACQUIRE_MANY = "lock_acquire" ports "Locks::acquire"
);
script!(
    /// `Locks::release`.
    LOCK_RELEASE, LOCK_RELEASE_MANY = "lock_release" ports "Locks::release"
);
script!(
    /// `Locks::extend`.
    LOCK_EXTEND, LOCK_EXTEND_MANY = "lock_extend" ports "Locks::extend"
);
script!(
    /// `Locks::inspect`.
    LOCK_INSPECT, LOCK_INSPECT_MANY = "lock_inspect" ports "Locks::inspect"
);
script!(
    /// `Semaphores::acquire`.
    SEMAPHORE_ACQUIRE, SEMAPHORE_ACQUIRE_MANY = "semaphore_acquire" ports "Semaphores::acquire"
);
script!(
    /// `Semaphores::release`.
    SEMAPHORE_RELEASE, SEMAPHORE_RELEASE_MANY = "semaphore_release" ports "Semaphores::release"
);
script!(
    /// `Semaphores::extend`.
    SEMAPHORE_EXTEND, SEMAPHORE_EXTEND_MANY = "semaphore_extend" ports "Semaphores::extend"
);
script!(
    /// `Semaphores::inspect`.
    SEMAPHORE_INSPECT, SEMAPHORE_INSPECT_MANY = "semaphore_inspect" ports "Semaphores::inspect"
);
script!(
    /// `Limits::check` and `Limits::peek` with `FixedWindow`.
    LIMIT_FIXED_WINDOW, LIMIT_FIXED_WINDOW_MANY = "limit_fixed_window" ports "Limits::check and Limits::peek with FixedWindow"
);
script!(
    /// `Limits::check` and `Limits::peek` with `SlidingLog`.
    LIMIT_SLIDING_LOG, LIMIT_SLIDING_LOG_MANY = "limit_sliding_log" ports "Limits::check and Limits::peek with SlidingLog"
);
script!(
    /// `Limits::check` and `Limits::peek` with `SlidingCounter`.
    LIMIT_SLIDING_COUNTER, LIMIT_SLIDING_COUNTER_MANY = "limit_sliding_counter" ports "Limits::check and Limits::peek with SlidingCounter"
);
script!(
    /// `Limits::check` and `Limits::peek` with `TokenBucket`.
    LIMIT_TOKEN_BUCKET, LIMIT_TOKEN_BUCKET_MANY = "limit_token_bucket" ports "Limits::check and Limits::peek with TokenBucket"
);
script!(
    /// `Limits::check` and `Limits::peek` with `Gcra`.
    LIMIT_GCRA, LIMIT_GCRA_MANY = "limit_gcra" ports "Limits::check and Limits::peek with Gcra"
);
script!(
    /// `Limits::check` and `Limits::peek` with `Cooldown`.
    LIMIT_COOLDOWN, LIMIT_COOLDOWN_MANY = "limit_cooldown" ports "Limits::check and Limits::peek with Cooldown"
);
script!(
    /// `Limits::reset`.
    LIMIT_RESET, LIMIT_RESET_MANY = "limit_reset" ports "Limits::reset"
);
script!(
    /// `Holds::reserve`.
    HOLD_RESERVE, HOLD_RESERVE_MANY = "hold_reserve" ports "Holds::reserve"
);
script!(
    /// `Holds::release` and `Holds::force_release`.
    HOLD_RELEASE, HOLD_RELEASE_MANY = "hold_release" ports "Holds::release and Holds::force_release"
);
script!(
    /// `Holds::extend`.
    HOLD_EXTEND, HOLD_EXTEND_MANY = "hold_extend" ports "Holds::extend"
);
script!(
    /// `Holds::check`.
    HOLD_CHECK, HOLD_CHECK_MANY = "hold_check" ports "Holds::check"
);
script!(
    /// `Holds::list`.
    HOLD_LIST, HOLD_LIST_MANY = "hold_list" ports "Holds::list"
);
script!(
    /// `Holds::sweep`.
    HOLD_SWEEP, HOLD_SWEEP_MANY = "hold_sweep" ports "Holds::sweep"
);

/// Every script, for clients that load them all (the npm package's build step).
pub const SCRIPTS: &[Script] = &[
    LOCK_ACQUIRE,
    LOCK_RELEASE,
    LOCK_EXTEND,
    LOCK_INSPECT,
    SEMAPHORE_ACQUIRE,
    SEMAPHORE_RELEASE,
    SEMAPHORE_EXTEND,
    SEMAPHORE_INSPECT,
    LIMIT_FIXED_WINDOW,
    LIMIT_SLIDING_LOG,
    LIMIT_SLIDING_COUNTER,
    LIMIT_TOKEN_BUCKET,
    LIMIT_GCRA,
    LIMIT_COOLDOWN,
    LIMIT_RESET,
    HOLD_RESERVE,
    HOLD_RELEASE,
    HOLD_EXTEND,
    HOLD_CHECK,
    HOLD_LIST,
    HOLD_SWEEP,
];

/// The batch variant of every script, in the order of [`SCRIPTS`]: `<name>_many` runs the
/// script once per request of a batch, in order, in one call, with the clock read once for the
/// whole batch (every request sees the same `now`, as a pipeline at one `now` would).
///
/// - **Keys**: every request's keys, one request after the other.
/// - **Arguments**: the clock (as `ARGV[1]` of the script), the number of requests, then per
///   request its key count, its argument count and its arguments without the clock; or, when
///   every request has the same counts, `same`, the key count, the argument count, then every
///   request's arguments without the clock (two arguments fewer per request).
/// - **Reply**: one flat array: per request, its reply's length and elements or, for a
///   refused request, `-1` and the text of its error reply (a refused request wrote nothing, and
///   the requests after it still run). Flat, because Redis converts each nested table at a cost
///   of its own, and clients take an error nested in an array for the failure of the whole call.
///
/// ```
/// use leasehold_scripts::{many, LOCK_ACQUIRE, LOCK_ACQUIRE_MANY};
/// assert_eq!(many(&LOCK_ACQUIRE), Some(&LOCK_ACQUIRE_MANY));
/// assert!(LOCK_ACQUIRE_MANY.source.contains("local function run()"));
/// ```
pub const SCRIPTS_MANY: &[Script] = &[
    LOCK_ACQUIRE_MANY,
    LOCK_RELEASE_MANY,
    LOCK_EXTEND_MANY,
    LOCK_INSPECT_MANY,
    SEMAPHORE_ACQUIRE_MANY,
    SEMAPHORE_RELEASE_MANY,
    SEMAPHORE_EXTEND_MANY,
    SEMAPHORE_INSPECT_MANY,
    LIMIT_FIXED_WINDOW_MANY,
    LIMIT_SLIDING_LOG_MANY,
    LIMIT_SLIDING_COUNTER_MANY,
    LIMIT_TOKEN_BUCKET_MANY,
    LIMIT_GCRA_MANY,
    LIMIT_COOLDOWN_MANY,
    LIMIT_RESET_MANY,
    HOLD_RESERVE_MANY,
    HOLD_RELEASE_MANY,
    HOLD_EXTEND_MANY,
    HOLD_CHECK_MANY,
    HOLD_LIST_MANY,
    HOLD_SWEEP_MANY,
];

/// The batch variant of `script`, if it is one of [`SCRIPTS`].
pub fn many(script: &Script) -> Option<&'static Script> {
    SCRIPTS.iter().position(|s| s.name == script.name).map(|at| &SCRIPTS_MANY[at])
}
