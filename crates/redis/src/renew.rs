//! Keeping a lock: renew it in the background at a fraction of its TTL, and say it is lost
//! before the TTL runs out when renewal cannot reach Redis or is refused.

use std::time::Duration;

use leasehold_core::{Extend, LockOutcome, LockRequest, Millis, Outcome, Request};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{timeout_at, Instant};

use crate::backend::Leasehold;
use crate::clock::Clock;
use crate::decode;
use crate::error::{protocol, AdapterError};

fn extend(key: &str, owner: &str, ttl: Millis) -> Request {
    Request::Lock(LockRequest::Extend { key: key.to_owned(), owner: owner.to_owned(), ttl })
}

/// One `lock_extend` at the server clock.
async fn extend_once<C: redis::aio::ConnectionLike + Send>(
    redis: &mut Leasehold<C>,
    key: &str,
    owner: &str,
    ttl: Millis,
) -> Result<Extend, AdapterError> {
    let request = extend(key, owner, ttl);
    let call = redis.prepare(&request, Clock::Server)?;
    let reply = redis.invoke_async(call).await?;
    match decode::outcome(&request, &reply)? {
        Outcome::Lock(LockOutcome::Extend(extended)) => Ok(extended),
        other => Err(protocol(format!("{other:?} is no outcome of lock.extend"))),
    }
}

/// When to renew and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenewPolicy {
    /// Renew after `numerator / denominator` of the TTL has passed (default 1/2).
    pub fraction: (u32, u32),
    /// Stop renewing after this long in total; the lease is then reported lost before it ends.
    pub max_lifetime: Option<Duration>,
}

impl Default for RenewPolicy {
    fn default() -> RenewPolicy {
        RenewPolicy { fraction: (1, 2), max_lifetime: None }
    }
}

/// Why a renewed lock is, or is about to be, lost.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lost {
    /// Redis refused the renewal: the lock expired or someone else holds it.
    Refused(Extend),
    /// Redis could not be reached before the lease would run out; the last error.
    Unreachable(AdapterError),
    /// The policy's `max_lifetime` was reached.
    LifetimeReached,
}

/// A lock being renewed in the background (tokio). Dropping it stops renewing (the lock is
/// not released: release it yourself, or let its TTL run out).
#[derive(Debug)]
pub struct Renewal {
    lost: watch::Receiver<Option<Lost>>,
    task: JoinHandle<()>,
}

impl Renewal {
    /// Waits until the lock is lost, or is about to be: fired before the last granted TTL
    /// runs out (by a margin of a tenth of the TTL), so the holder can stop its work in time.
    pub async fn lost(&mut self) -> Lost {
        loop {
            if let Some(lost) = self.lost.borrow_and_update().clone() {
                return lost;
            }
            if self.lost.changed().await.is_err() {
                // The task ended without a verdict only if it was aborted.
                return Lost::LifetimeReached;
            }
        }
    }

    /// The verdict, if there is one yet.
    pub fn is_lost(&self) -> Option<Lost> {
        self.lost.borrow().clone()
    }
}

impl Drop for Renewal {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<C: redis::aio::ConnectionLike + Send + 'static> Leasehold<C> {
    /// Renews lock `key` of `owner` (acquired with `ttl`; call this right after the grant, as
    /// the TTL is counted from here) in the background with the server clock, until it is
    /// lost, the lifetime cap is reached, or the [`Renewal`] is dropped. Each renewal is one
    /// `lock_extend`; a failed one is retried every twentieth of the TTL while the lease lasts.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), leasehold_redis::AdapterError> {
    /// use leasehold_core::{Acquire, Millis};
    /// use leasehold_redis::{Client, Clock, RenewPolicy};
    ///
    /// let mut redis = Client::open("redis://127.0.0.1:6379/")?.connect_async().await?;
    /// let ttl = Millis::from_secs(30);
    /// if let Acquire::Granted { .. } = redis.lock_acquire_async("job:7", "w1", ttl, Clock::Server).await? {
    ///     let mut renewal = redis.clone().renew_lock("job:7", "w1", ttl, RenewPolicy::default());
    ///     tokio::select! {
    ///         lost = renewal.lost() => eprintln!("stop: {lost:?}"),
    ///         _ = async { /* the work */ } => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn renew_lock(self, key: &str, owner: &str, ttl: Millis, policy: RenewPolicy) -> Renewal {
        let (tell, lost) = watch::channel(None);
        let task = tokio::spawn(renew(self, key.to_owned(), owner.to_owned(), ttl, policy, tell));
        Renewal { lost, task }
    }
}

async fn renew<C: redis::aio::ConnectionLike + Send>(
    mut redis: Leasehold<C>,
    key: String,
    owner: String,
    ttl: Millis,
    policy: RenewPolicy,
    tell: watch::Sender<Option<Lost>>,
) {
    let ttl_duration = Duration::from_millis(ttl.0);
    let (numerator, denominator) = policy.fraction;
    // A fraction below 1, so that a renewal comes before the lease ends.
    let numerator = numerator.max(1);
    let every = ttl_duration * numerator / denominator.max(numerator + 1);
    let margin = ttl_duration / 10;
    let retry = (ttl_duration / 20).max(Duration::from_millis(5));
    let started = Instant::now();
    // The lease runs out `ttl` after the last successful request was sent, at the latest.
    let mut lease_ends = started + ttl_duration;
    let mut next = started + every;
    let verdict = loop {
        if let Some(cap) = policy.max_lifetime {
            if next >= started + cap {
                tokio::time::sleep_until((started + cap).min(lease_ends - margin)).await;
                break Lost::LifetimeReached;
            }
        }
        tokio::time::sleep_until(next).await;
        let give_up = lease_ends - margin;
        let sent = Instant::now();
        match timeout_at(give_up, extend_once(&mut redis, &key, &owner, ttl)).await {
            Ok(Ok(Extend::Extended { .. })) => {
                lease_ends = sent + ttl_duration;
                next = sent + every;
            }
            Ok(Ok(refused)) => break Lost::Refused(refused),
            Ok(Err(error)) => {
                if Instant::now() + retry >= give_up {
                    break Lost::Unreachable(error);
                }
                next = Instant::now() + retry;
            }
            Err(_) => {
                let detail = "no renewal before the lease would run out".to_owned();
                break Lost::Unreachable(AdapterError::Connection { detail });
            }
        }
    };
    let _ = tell.send(Some(verdict));
}
