//! Typed methods mirroring the core's typed API: each builds the core [`Request`], runs it in
//! one round trip with [`Leasehold::apply`] (or `apply_async`) and returns the core's own
//! outcome type. `clock` takes the place of the core's `now`.

use leasehold_core::hold::{Checked, Cursor, Extended, Page, Released, Swept};
use leasehold_core::{
    Acquire, AlgorithmKind, Decision, Extend, HoldOutcome, HoldRequest, Limit, LimitOutcome, LimitRequest,
    LockOutcome, LockRequest, LockState, Millis, Outcome, Release, Request, Reserve, Reset, SemaphoreOutcome,
    SemaphoreRequest, SemaphoreState,
};

use crate::backend::Leasehold;
use crate::clock::Clock;
use crate::error::{protocol, AdapterError};

fn items(items: &[impl AsRef<str>]) -> Vec<String> {
    items.iter().map(|item| item.as_ref().to_owned()).collect()
}

fn mismatch(request: &Request, outcome: &Outcome) -> AdapterError {
    protocol(format!("{outcome:?} is no outcome of {}", request.name()))
}

/// Generates each sync method and its `_async` twin from the request it sends and the
/// outcome variant it returns.
macro_rules! typed {
    ($(
        $(#[$doc:meta])*
        fn $name:ident / $name_async:ident ($($arg:ident: $ty:ty),*) -> $out:ty {
            $request:expr, $pattern:pat => $value:expr
        }
    )*) => {
        impl<C: redis::ConnectionLike> Leasehold<C> {
            $(
                $(#[$doc])*
                pub fn $name(&mut self, $($arg: $ty,)* clock: Clock) -> Result<$out, AdapterError> {
                    let request = $request;
                    match self.apply(&request, clock)? {
                        $pattern => Ok($value),
                        other => Err(mismatch(&request, &other)),
                    }
                }
            )*
        }

        impl<C: redis::aio::ConnectionLike + Send> Leasehold<C> {
            $(
                #[doc = concat!("[`Leasehold::", stringify!($name), "`], asynchronously.")]
                pub async fn $name_async(
                    &mut self,
                    $($arg: $ty,)*
                    clock: Clock,
                ) -> Result<$out, AdapterError> {
                    let request = $request;
                    match self.apply_async(&request, clock).await? {
                        $pattern => Ok($value),
                        other => Err(mismatch(&request, &other)),
                    }
                }
            )*
        }
    };
}

typed! {
    /// `Locks::acquire`: the lock on `key` for `owner` during `ttl`, with its fence.
    ///
    /// ```no_run
    /// use leasehold_core::{Acquire, Millis};
    /// use leasehold_redis::{Client, Clock};
    ///
    /// let mut redis = Client::open("redis://127.0.0.1:6379/")?.connect()?;
    /// match redis.lock_acquire("lockTrade:42", "worker-a", Millis::from_secs(900), Clock::Server)? {
    ///     Acquire::Granted { fence, .. } => println!("write with fence {fence}"),
    ///     Acquire::Denied { retry_after } => println!("held; retry in {} ms", retry_after.0),
    /// }
    /// # Ok::<(), leasehold_redis::AdapterError>(())
    /// ```
    fn lock_acquire / lock_acquire_async(key: &str, owner: &str, ttl: Millis) -> Acquire {
        Request::Lock(LockRequest::Acquire { key: key.into(), owner: owner.into(), ttl }),
        Outcome::Lock(LockOutcome::Acquire(outcome)) => outcome
    }

    /// `Locks::release`.
    fn lock_release / lock_release_async(key: &str, owner: &str) -> Release {
        Request::Lock(LockRequest::Release { key: key.into(), owner: owner.into() }),
        Outcome::Lock(LockOutcome::Release(outcome)) => outcome
    }

    /// `Locks::extend`.
    fn lock_extend / lock_extend_async(key: &str, owner: &str, ttl: Millis) -> Extend {
        Request::Lock(LockRequest::Extend { key: key.into(), owner: owner.into(), ttl }),
        Outcome::Lock(LockOutcome::Extend(outcome)) => outcome
    }

    /// `Locks::inspect`.
    fn lock_inspect / lock_inspect_async(key: &str) -> LockState {
        Request::Lock(LockRequest::Inspect { key: key.into() }),
        Outcome::Lock(LockOutcome::Inspect(state)) => state
    }

    /// `Semaphores::acquire`: one of `capacity` slots of `key` for `owner` during `ttl`.
    fn semaphore_acquire / semaphore_acquire_async(key: &str, owner: &str, capacity: u64, ttl: Millis) -> Acquire {
        Request::Semaphore(SemaphoreRequest::Acquire { key: key.into(), owner: owner.into(), capacity, ttl }),
        Outcome::Semaphore(SemaphoreOutcome::Acquire(outcome)) => outcome
    }

    /// `Semaphores::release`.
    fn semaphore_release / semaphore_release_async(key: &str, owner: &str) -> Release {
        Request::Semaphore(SemaphoreRequest::Release { key: key.into(), owner: owner.into() }),
        Outcome::Semaphore(SemaphoreOutcome::Release(outcome)) => outcome
    }

    /// `Semaphores::extend`.
    fn semaphore_extend / semaphore_extend_async(key: &str, owner: &str, ttl: Millis) -> Extend {
        Request::Semaphore(SemaphoreRequest::Extend { key: key.into(), owner: owner.into(), ttl }),
        Outcome::Semaphore(SemaphoreOutcome::Extend(outcome)) => outcome
    }

    /// `Semaphores::inspect`.
    fn semaphore_inspect / semaphore_inspect_async(key: &str) -> SemaphoreState {
        Request::Semaphore(SemaphoreRequest::Inspect { key: key.into() }),
        Outcome::Semaphore(SemaphoreOutcome::Inspect(state)) => state
    }

    /// `Holds::reserve`: all of `items` in `namespace` for `owner` during `ttl`, or none.
    ///
    /// ```no_run
    /// use leasehold_core::{Millis, Reserve};
    /// use leasehold_redis::{Client, Clock};
    ///
    /// let mut redis = Client::open("redis://127.0.0.1:6379/")?.connect()?;
    /// let ttl = Millis::from_secs(1200);
    /// match redis.hold_reserve("reserved-assets_730", &["a1", "a2"], "user-7", ttl, None, Clock::Server)? {
    ///     Reserve::Reserved { holds, .. } => println!("{} items held", holds.len()),
    ///     other => println!("not now: {other:?}"),
    /// }
    /// # Ok::<(), leasehold_redis::AdapterError>(())
    /// ```
    fn hold_reserve / hold_reserve_async(
        namespace: &str,
        items: &[impl AsRef<str>],
        owner: &str,
        ttl: Millis,
        max_holds: Option<u64>
    ) -> Reserve {
        Request::Hold(HoldRequest::Reserve {
            namespace: namespace.into(),
            items: self::items(items),
            owner: owner.into(),
            ttl,
            max_holds,
        }),
        Outcome::Hold(HoldOutcome::Reserve(outcome)) => outcome
    }

    /// `Holds::release`.
    fn hold_release / hold_release_async(namespace: &str, items: &[impl AsRef<str>], owner: &str) -> Released {
        Request::Hold(HoldRequest::Release { namespace: namespace.into(), items: self::items(items), owner: owner.into() }),
        Outcome::Hold(HoldOutcome::Release(outcome)) => outcome
    }

    /// `Holds::force_release`.
    fn hold_force_release / hold_force_release_async(namespace: &str, items: &[impl AsRef<str>]) -> Released {
        Request::Hold(HoldRequest::ForceRelease { namespace: namespace.into(), items: self::items(items) }),
        Outcome::Hold(HoldOutcome::Release(outcome)) => outcome
    }

    /// `Holds::extend`.
    fn hold_extend / hold_extend_async(
        namespace: &str,
        items: &[impl AsRef<str>],
        owner: &str,
        ttl: Millis
    ) -> Extended {
        Request::Hold(HoldRequest::Extend {
            namespace: namespace.into(),
            items: self::items(items),
            owner: owner.into(),
            ttl,
        }),
        Outcome::Hold(HoldOutcome::Extend(outcome)) => outcome
    }

    /// `Holds::check`.
    fn hold_check / hold_check_async(namespace: &str, items: &[impl AsRef<str>]) -> Checked {
        Request::Hold(HoldRequest::Check { namespace: namespace.into(), items: self::items(items) }),
        Outcome::Hold(HoldOutcome::Check(outcome)) => outcome
    }

    /// `Holds::list`.
    fn hold_list / hold_list_async(namespace: &str, cursor: Option<&Cursor>, limit: u64) -> Page {
        Request::Hold(HoldRequest::List { namespace: namespace.into(), cursor: cursor.cloned(), limit }),
        Outcome::Hold(HoldOutcome::List(page)) => page
    }

    /// `Holds::sweep`.
    fn hold_sweep / hold_sweep_async(namespace: &str, max: u64) -> Swept {
        Request::Hold(HoldRequest::Sweep { namespace: namespace.into(), max }),
        Outcome::Hold(HoldOutcome::Sweep(swept)) => swept
    }

    /// `Limits::check`: admits `cost` on `key` under `limit`, or says when to retry.
    ///
    /// ```no_run
    /// use leasehold_core::{Algorithm, Gcra, Limit, Millis};
    /// use leasehold_redis::{Client, Clock};
    ///
    /// let mut redis = Client::open("redis://127.0.0.1:6379/")?.connect()?;
    /// let limit = Limit::new(Algorithm::Gcra(Gcra { burst: 5, interval: Millis(1_000) }));
    /// let decision = redis.limit_check("login:10.0.0.7", &limit, 1, Clock::Server)?;
    /// if !decision.allowed {
    ///     println!("retry in {} ms", decision.retry_after.0);
    /// }
    /// # Ok::<(), leasehold_redis::AdapterError>(())
    /// ```
    fn limit_check / limit_check_async(key: &str, limit: &Limit, cost: u64) -> Decision {
        Request::Limit(LimitRequest::Check { key: key.into(), algorithm: limit.algorithm, block: limit.block, cost }),
        Outcome::Limit(LimitOutcome::Check(decision)) => decision
    }

    /// `Limits::peek`: what `check` would decide, changing nothing.
    fn limit_peek / limit_peek_async(key: &str, limit: &Limit, cost: u64) -> Decision {
        Request::Limit(LimitRequest::Peek { key: key.into(), algorithm: limit.algorithm, block: limit.block, cost }),
        Outcome::Limit(LimitOutcome::Peek(decision)) => decision
    }

    /// `Limits::reset`.
    fn limit_reset / limit_reset_async(key: &str, algorithm: AlgorithmKind) -> Reset {
        Request::Limit(LimitRequest::Reset { key: key.into(), algorithm }),
        Outcome::Limit(LimitOutcome::Reset(reset)) => reset
    }
}
