//! [`Leasehold::apply_many`]: many requests in one round trip. Consecutive requests of one
//! script go as one call of the script's batch variant (`leasehold_scripts::SCRIPTS_MANY`), the
//! others as one `EVALSHA` each: all in one pipeline on one server, one pipeline per slot on a
//! cluster.

use leasehold_core::{Outcome, Request};
use leasehold_scripts::Script;
use redis::{RedisResult, Value};

use crate::backend::{adapter_error, error_reply, is_noscript, script, Leasehold};
use crate::clock::Clock;
use crate::decode;
use crate::encode::{Arg, Call};
use crate::error::AdapterError;

mod group;

use group::{groups, pipelines, Group};

/// One outcome per request of a batch, in request order.
pub type Outcomes = Vec<Result<Outcome, AdapterError>>;

/// The `EVALSHA` of `group`: of the script itself for one request, of its batch variant for
/// more (see `leasehold_scripts::SCRIPTS_MANY` for its arguments).
fn command(calls: &[Result<Call<'_>, AdapterError>], group: &Group) -> Result<redis::Cmd, AdapterError> {
    let calls: Vec<&Call<'_>> = group.positions.iter().filter_map(|&i| calls[i].as_ref().ok()).collect();
    // Sized for everything it will hold: no growing while it is written.
    let count = calls.iter().map(|call| call.keys.len() + call.args.len() + 2).sum::<usize>();
    let bytes = calls
        .iter()
        .flat_map(|call| call.keys.iter().map(String::len).chain(call.args.iter().map(Arg::len)))
        .sum::<usize>();
    let mut cmd = redis::Cmd::with_capacity(count + 8, bytes + 24 * calls.len() + 96);
    cmd.arg("EVALSHA").arg(script(group.script)?.get_hash());
    if let [call] = calls[..] {
        cmd.arg(call.keys.len()).arg(&call.keys).arg(&call.args);
        return Ok(cmd);
    }
    cmd.arg(calls.iter().map(|call| call.keys.len()).sum::<usize>());
    for call in &calls {
        cmd.arg(&call.keys);
    }
    // Every call of a batch has the batch's clock as its first argument.
    match calls.first().and_then(|call| call.args.first()) {
        Some(clock) => cmd.arg(clock),
        None => cmd.arg("server"),
    };
    cmd.arg(calls.len());
    let shape = |call: &&Call<'_>| (call.keys.len(), call.args.len().saturating_sub(1));
    let first = calls.first().map(shape);
    if calls.iter().all(|call| Some(shape(call)) == first) {
        // One pair of counts for the whole batch: two arguments fewer per request.
        let (keys, args) = first.unwrap_or_default();
        cmd.arg("same").arg(keys).arg(args);
        for call in &calls {
            cmd.arg(call.args.get(1..).unwrap_or_default());
        }
        return Ok(cmd);
    }
    for call in &calls {
        let args = call.args.get(1..).unwrap_or_default();
        cmd.arg(call.keys.len()).arg(args.len()).arg(args);
    }
    Ok(cmd)
}

/// The pipeline of `groups`, one command each.
fn pipeline(
    calls: &[Result<Call<'_>, AdapterError>],
    groups: &[&Group],
) -> Result<redis::Pipeline, AdapterError> {
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for group in groups {
        pipe.add_command(command(calls, group)?);
    }
    Ok(pipe)
}

/// The distinct scripts of `groups`.
fn scripts(groups: &[&Group]) -> Vec<&'static Script> {
    let mut scripts: Vec<&'static Script> = Vec::new();
    for group in groups {
        if !scripts.iter().any(|s| s.name == group.script.name) {
            scripts.push(group.script);
        }
    }
    scripts
}

/// The requests' prepared calls, the outcomes of those refused before sending, and the
/// positions of the calls to send.
fn prepare<'r, C>(
    adapter: &Leasehold<C>,
    requests: &'r [Request],
    clock: Clock,
) -> (Vec<Result<Call<'r>, AdapterError>>, Vec<usize>) {
    let calls: Vec<_> = requests.iter().map(|request| adapter.prepare(request, clock)).collect();
    let pending = (0..calls.len()).filter(|&i| calls[i].is_ok()).collect();
    (calls, pending)
}

/// Files the outcome of each request of `group` from the group's `reply`.
fn file_group(
    requests: &[Request],
    group: &Group,
    reply: RedisResult<Value>,
    outcomes: &mut [Option<Result<Outcome, AdapterError>>],
) {
    if let [i] = group.positions[..] {
        outcomes[i] =
            Some(reply.map_err(adapter_error).and_then(|value| decode::outcome(&requests[i], &value)));
        return;
    }
    let fail_all = |outcomes: &mut [Option<Result<Outcome, AdapterError>>], error: AdapterError| {
        for &i in &group.positions {
            outcomes[i] = Some(Err(error.clone()));
        }
    };
    let flat = match reply {
        Ok(Value::Array(flat)) => flat,
        Ok(other) => {
            let detail =
                format!("{} gave {other:?} to {} requests", group.script.name, group.positions.len());
            return fail_all(outcomes, AdapterError::Protocol { detail });
        }
        Err(error) => return fail_all(outcomes, adapter_error(error)),
    };
    match decode::batch(&flat, group.positions.len()) {
        Some(replies) => {
            for (&i, reply) in group.positions.iter().zip(replies) {
                outcomes[i] = Some(reply.and_then(|values| decode::outcome_in(&requests[i], values)));
            }
        }
        None => {
            let detail =
                format!("{}'s reply does not hold {} replies", group.script.name, group.positions.len());
            fail_all(outcomes, AdapterError::Protocol { detail });
        }
    }
}

/// Files the replies of `groups` into `outcomes`; with `retry`, returns the groups whose script
/// was missing (they did not run) instead of filing them.
fn file<'g>(
    requests: &[Request],
    groups: &[&'g Group],
    replies: Vec<RedisResult<Value>>,
    outcomes: &mut [Option<Result<Outcome, AdapterError>>],
    retry: bool,
) -> Result<Vec<&'g Group>, AdapterError> {
    if replies.len() != groups.len() {
        return Err(AdapterError::Protocol {
            detail: format!("{} replies to {} calls", replies.len(), groups.len()),
        });
    }
    let mut missing = Vec::new();
    for (&group, reply) in groups.iter().zip(replies) {
        if retry && is_noscript(&reply) {
            missing.push(group);
            continue;
        }
        file_group(requests, group, reply, outcomes);
    }
    Ok(missing)
}

fn finish(
    calls: Vec<Result<Call<'_>, AdapterError>>,
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
    /// Runs `requests` at `clock`, giving one outcome per request, in request order. A run of
    /// consecutive requests of one script is one call of that script's batch variant, which runs
    /// them in order with one reading of the clock; every other request is one `EVALSHA`. On a
    /// connection to one server ([`Leasehold::on_one_server`], as [`crate::Client`] makes them)
    /// every call goes in one pipeline, one round trip. Otherwise (a cluster) a call never spans
    /// two slots: each slot's requests are cut into runs and sent in one pipeline per slot
    /// (async) or one call after the other (sync); requests on different slots touch different
    /// keys, so the outcomes are those of the batch's order. Each request is atomic on its own, the batch is not: other clients'
    /// commands may run between two of its calls. A request refused (before sending or by its
    /// script) gets its error and the others still run; a connection failure fails the whole
    /// batch (which requests ran is then unknown).
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
        let across_slots = self.batches_across_slots();
        let groups = groups(&calls, &pending, across_slots);
        let groups: Vec<&Group> = groups.iter().collect();
        if groups.is_empty() {
            return Ok(finish(calls, outcomes));
        }
        let mut missing = Vec::new();
        for pipeline in pipelines(&groups, across_slots) {
            let replies = self.send(&calls, &pipeline)?;
            missing.extend(file(requests, &pipeline, replies, &mut outcomes, true)?);
        }
        if !missing.is_empty() {
            for source in scripts(&missing) {
                script(source)?.load(&mut self.connection).map_err(adapter_error)?;
            }
            for pipeline in pipelines(&missing, across_slots) {
                let replies = self.send(&calls, &pipeline)?;
                file(requests, &pipeline, replies, &mut outcomes, false)?;
            }
        }
        Ok(finish(calls, outcomes))
    }

    /// Sends `groups`: in one pipeline on a connection to one server, otherwise one command
    /// after the other, as a sync cluster connection takes no pipeline.
    fn send(
        &mut self,
        calls: &[Result<Call<'_>, AdapterError>],
        groups: &[&Group],
    ) -> Result<Vec<RedisResult<Value>>, AdapterError> {
        if groups.len() == 1 || !self.batches_across_slots() {
            let mut replies = Vec::with_capacity(groups.len());
            for group in groups {
                replies.push(command(calls, group)?.query(&mut self.connection));
            }
            return Ok(replies);
        }
        pipeline(calls, groups)?.query(&mut self.connection).map_err(adapter_error)
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
        let across_slots = self.batches_across_slots();
        let groups = groups(&calls, &pending, across_slots);
        let groups: Vec<&Group> = groups.iter().collect();
        if groups.is_empty() {
            return Ok(finish(calls, outcomes));
        }
        let mut missing = Vec::new();
        for groups in pipelines(&groups, across_slots) {
            let replies = self.send_async(&calls, &groups).await?;
            missing.extend(file(requests, &groups, replies, &mut outcomes, true)?);
        }
        if !missing.is_empty() {
            for source in scripts(&missing) {
                script(source)?.load_async(&mut self.connection).await.map_err(adapter_error)?;
            }
            for groups in pipelines(&missing, across_slots) {
                let replies = self.send_async(&calls, &groups).await?;
                file(requests, &groups, replies, &mut outcomes, false)?;
            }
        }
        Ok(finish(calls, outcomes))
    }

    /// Sends `groups` in one round trip: a single command as it is (no pipeline to copy it
    /// into), several in one pipeline. A failed connection fails them all; an error reply is
    /// its command's reply.
    async fn send_async(
        &mut self,
        calls: &[Result<Call<'_>, AdapterError>],
        groups: &[&Group],
    ) -> Result<Vec<RedisResult<Value>>, AdapterError> {
        if let [group] = groups {
            let cmd = command(calls, group)?;
            let reply = self.connection.req_packed_command(&cmd).await.map_err(adapter_error)?;
            return Ok(vec![error_reply(reply)]);
        }
        let pipe = pipeline(calls, groups)?;
        pipe.query_async(&mut self.connection).await.map_err(adapter_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_reply_gives_each_request_its_reply_or_its_refusal() {
        let flat = vec![
            Value::Int(2),
            Value::BulkString(b"denied".to_vec()),
            Value::Int(5),
            Value::Int(-1),
            Value::BulkString(b"LEASEHOLD empty key".to_vec()),
        ];
        let replies = decode::batch(&flat, 2).unwrap();
        assert_eq!(replies[0], Ok(&[Value::BulkString(b"denied".to_vec()), Value::Int(5)][..]));
        assert!(matches!(replies[1], Err(AdapterError::Invalid(_))), "{:?}", replies[1]);
        assert!(decode::batch(&flat, 3).is_none());
        assert!(decode::batch(&flat[..2], 1).is_none());
    }
}
