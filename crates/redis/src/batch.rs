//! [`Leasehold::apply_many`]: many requests in one round trip, as a pipeline of `EVALSHA`s.

use leasehold_core::{Outcome, Request};
use redis::{ErrorKind, RedisResult, ServerErrorKind, Value};

use crate::backend::{adapter_error, script, Leasehold};
use crate::clock::Clock;
use crate::decode;
use crate::encode::Call;
use crate::error::AdapterError;

/// One outcome per request of a batch, in request order.
pub type Outcomes = Vec<Result<Outcome, AdapterError>>;

/// The pipeline of the calls at `pending`.
fn pipeline(
    calls: &[Result<Call, AdapterError>],
    pending: &[usize],
) -> Result<redis::Pipeline, AdapterError> {
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for call in pending.iter().filter_map(|&i| calls[i].as_ref().ok()) {
        let cmd = pipe.cmd("EVALSHA").arg(script(call.script)?.get_hash()).arg(call.keys.len());
        cmd.arg(&call.keys).arg(&call.args);
    }
    Ok(pipe)
}

/// The distinct scripts of the calls at `positions`.
fn scripts(
    calls: &[Result<Call, AdapterError>],
    positions: &[usize],
) -> Vec<&'static leasehold_scripts::Script> {
    let mut scripts: Vec<&'static leasehold_scripts::Script> = Vec::new();
    for call in positions.iter().filter_map(|&i| calls[i].as_ref().ok()) {
        if !scripts.iter().any(|s| s.name == call.script.name) {
            scripts.push(call.script);
        }
    }
    scripts
}

fn is_noscript(reply: &RedisResult<Value>) -> bool {
    matches!(reply, Err(error) if error.kind() == ErrorKind::Server(ServerErrorKind::NoScript))
}

/// The requests' prepared calls, the outcomes of those refused before sending, and the
/// positions of the calls to send.
fn prepare<C>(
    adapter: &Leasehold<C>,
    requests: &[Request],
    clock: Clock,
) -> (Vec<Result<Call, AdapterError>>, Vec<usize>) {
    let calls: Vec<_> = requests.iter().map(|request| adapter.prepare(request, clock)).collect();
    let pending = (0..calls.len()).filter(|&i| calls[i].is_ok()).collect();
    (calls, pending)
}

/// Files the replies of the calls at `pending` into `outcomes`; with `retry`, returns the
/// positions whose script was missing (they did not run) instead of filing them.
fn file(
    requests: &[Request],
    pending: &[usize],
    replies: Vec<RedisResult<Value>>,
    outcomes: &mut [Option<Result<Outcome, AdapterError>>],
    retry: bool,
) -> Result<Vec<usize>, AdapterError> {
    if replies.len() != pending.len() {
        return Err(AdapterError::Protocol {
            detail: format!("{} replies to {} calls", replies.len(), pending.len()),
        });
    }
    let mut missing = Vec::new();
    for (&i, reply) in pending.iter().zip(replies) {
        if retry && is_noscript(&reply) {
            missing.push(i);
            continue;
        }
        outcomes[i] =
            Some(reply.map_err(adapter_error).and_then(|value| decode::outcome(&requests[i], value)));
    }
    Ok(missing)
}

fn finish(
    calls: Vec<Result<Call, AdapterError>>,
    outcomes: Vec<Option<Result<Outcome, AdapterError>>>,
) -> Outcomes {
    calls
        .into_iter()
        .zip(outcomes)
        .map(|(call, outcome)| match (call, outcome) {
            (Err(refused), _) => Err(refused),
            (Ok(_), Some(outcome)) => outcome,
            (Ok(_), None) => Err(AdapterError::Protocol { detail: "a batched call got no reply".into() }),
        })
        .collect()
}

impl<C: redis::ConnectionLike> Leasehold<C> {
    /// Runs `requests` at `clock` in one round trip: a pipeline of one `EVALSHA` per request,
    /// giving one outcome per request, in request order. Each request is atomic on its own (it
    /// is one script), the batch is not: other clients' commands may run between two of its
    /// requests. A request refused before sending gets its error and the others still run; a
    /// connection failure fails the whole batch (which requests ran is then unknown).
    ///
    /// The requests run in order, with one exception: when Redis has lost a script (a restart,
    /// `SCRIPT FLUSH`), the requests that needed it did not run; they are run in a second round
    /// trip once their scripts are loaded, after the rest of the batch. Requests that share a
    /// script always keep their order.
    ///
    /// ```no_run
    /// use leasehold_core::{LockRequest, Millis, Request};
    /// use leasehold_redis::{Client, Clock};
    ///
    /// let mut redis = Client::open("redis://127.0.0.1:6379/")?.connect()?;
    /// let acquire = |key: &str| Request::Lock(LockRequest::Acquire {
    ///     key: key.into(),
    ///     owner: "worker-a".into(),
    ///     ttl: Millis::from_secs(30),
    /// });
    /// let outcomes = redis.apply_many(&[acquire("a"), acquire("b")], Clock::Server)?;
    /// assert_eq!(outcomes.len(), 2);
    /// # Ok::<(), leasehold_redis::AdapterError>(())
    /// ```
    pub fn apply_many(&mut self, requests: &[Request], clock: Clock) -> Result<Outcomes, AdapterError> {
        let (calls, pending) = prepare(self, requests, clock);
        let mut outcomes: Vec<_> = requests.iter().map(|_| None).collect();
        if pending.is_empty() {
            return Ok(finish(calls, outcomes));
        }
        let replies = pipeline(&calls, &pending)?.query(&mut self.connection).map_err(adapter_error)?;
        let missing = file(requests, &pending, replies, &mut outcomes, true)?;
        if !missing.is_empty() {
            for source in scripts(&calls, &missing) {
                script(source)?.load(&mut self.connection).map_err(adapter_error)?;
            }
            let replies = pipeline(&calls, &missing)?.query(&mut self.connection).map_err(adapter_error)?;
            file(requests, &missing, replies, &mut outcomes, false)?;
        }
        Ok(finish(calls, outcomes))
    }
}

impl<C: redis::aio::ConnectionLike + Send> Leasehold<C> {
    /// [`Leasehold::apply_many`], asynchronously.
    pub async fn apply_many_async(
        &mut self,
        requests: &[Request],
        clock: Clock,
    ) -> Result<Outcomes, AdapterError> {
        let (calls, pending) = prepare(self, requests, clock);
        let mut outcomes: Vec<_> = requests.iter().map(|_| None).collect();
        if pending.is_empty() {
            return Ok(finish(calls, outcomes));
        }
        let pipe = pipeline(&calls, &pending)?;
        let replies = pipe.query_async(&mut self.connection).await.map_err(adapter_error)?;
        let missing = file(requests, &pending, replies, &mut outcomes, true)?;
        if !missing.is_empty() {
            for source in scripts(&calls, &missing) {
                script(source)?.load_async(&mut self.connection).await.map_err(adapter_error)?;
            }
            let pipe = pipeline(&calls, &missing)?;
            let replies = pipe.query_async(&mut self.connection).await.map_err(adapter_error)?;
            file(requests, &missing, replies, &mut outcomes, false)?;
        }
        Ok(finish(calls, outcomes))
    }
}
