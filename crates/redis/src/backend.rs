//! [`Leasehold`]: any core request in one round trip, on any Redis connection.

use std::collections::HashMap;
use std::sync::OnceLock;

use leasehold_core::{Outcome, Request};
use redis::{ErrorKind, RedisError, ServerErrorKind, Value};

use crate::clock::Clock;
use crate::decode;
use crate::encode::{encode, Arg, Call};
use crate::error::AdapterError;
use crate::events::HoldEvents;
use crate::layout::{same_slot, Layout};

/// The `redis::Script` of every leasehold script, hashed once per process.
pub(crate) fn script(
    source: &'static leasehold_scripts::Script,
) -> Result<&'static redis::Script, AdapterError> {
    static SCRIPTS: OnceLock<HashMap<&'static str, redis::Script>> = OnceLock::new();
    let all = SCRIPTS.get_or_init(|| {
        let all = leasehold_scripts::SCRIPTS.iter().chain(leasehold_scripts::SCRIPTS_MANY);
        all.map(|s| (s.name, redis::Script::new(s.source))).collect()
    });
    all.get(source.name).ok_or_else(|| AdapterError::Protocol {
        detail: format!("script {} is missing from leasehold_scripts::SCRIPTS", source.name),
    })
}

/// Runs leasehold requests on a Redis connection `C`: a [`crate::Connection`] (sync, reconnects
/// on the next call after a failure), a [`crate::AsyncConnection`] (tokio, reconnects in the
/// background), or a Redis Cluster connection.
///
/// Each request is one `EVALSHA` of the script that ports its core transition (loaded with
/// `SCRIPT LOAD` and retried once when Redis answers `NOSCRIPT`). Before anything is sent, the
/// request is checked by the core itself (the same checks, in the same order, so an invalid
/// request gets the identical [`leasehold_core::Error`]) and its keys are checked to share one
/// cluster slot.
#[derive(Debug, Clone)]
pub struct Leasehold<C> {
    pub(crate) connection: C,
    layout: Layout,
    events: HoldEvents,
    check_first: bool,
    across_slots: bool,
}

impl<C> Leasehold<C> {
    /// Requests on `connection`, with keys named by `layout`.
    pub fn new(connection: C, layout: Layout) -> Leasehold<C> {
        Leasehold {
            connection,
            layout,
            events: HoldEvents::default(),
            check_first: true,
            across_slots: false,
        }
    }

    /// The same adapter with hold events sent to `events` (default: each namespace's stream,
    /// about [`HoldEvents::DEFAULT_STREAM_MAXLEN`] entries, no channel).
    pub fn with_hold_events(self, events: HoldEvents) -> Leasehold<C> {
        Leasehold { events, ..self }
    }

    /// Where hold events go.
    pub fn hold_events(&self) -> &HoldEvents {
        &self.events
    }

    /// The key layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The underlying connection, for commands of your own.
    pub fn connection(&mut self) -> &mut C {
        &mut self.connection
    }

    /// The same adapter, for a connection to one Redis server (not a cluster): a batch may then
    /// run requests on keys of different cluster slots in one script call (see
    /// [`Leasehold::apply_many`]). [`crate::Client`]'s connections are made this way; never use
    /// it on a cluster connection, which would refuse such a call.
    pub fn on_one_server(self) -> Leasehold<C> {
        Leasehold { across_slots: true, ..self }
    }

    pub(crate) fn batches_across_slots(&self) -> bool {
        self.across_slots
    }

    /// Leaves every check to the scripts (which make them all again anyway): for tests that the
    /// Lua validation matches the core's, not for production.
    #[doc(hidden)]
    pub fn checking_in_lua_only(mut self) -> Leasehold<C> {
        self.check_first = false;
        self
    }

    pub(crate) fn prepare<'r>(&self, request: &'r Request, clock: Clock) -> Result<Call<'r>, AdapterError> {
        if self.check_first {
            crate::validate::check(request, clock.validation_now())?;
        }
        let call = encode(&self.layout, &self.events, request, clock);
        same_slot(&call.keys)?;
        Ok(call)
    }
}

/// The `EVALSHA` of a prepared call, written straight into one command sized for it (no
/// intermediate copy of the keys and arguments), and the script to load if Redis lacks it.
fn evalsha(call: &Call<'_>) -> Result<(redis::Cmd, &'static redis::Script), AdapterError> {
    let script = script(call.script)?;
    let bytes = call.keys.iter().map(String::len).chain(call.args.iter().map(Arg::len)).sum::<usize>();
    let mut cmd = redis::Cmd::with_capacity(3 + call.keys.len() + call.args.len(), bytes + 64);
    cmd.arg("EVALSHA").arg(script.get_hash()).arg(call.keys.len()).arg(&call.keys).arg(&call.args);
    Ok((cmd, script))
}

/// A reply as a result: an error reply is an error. Only the reply itself is looked at: no
/// script of ours nests an error reply inside an array, so none is searched for.
pub(crate) fn error_reply(reply: Value) -> redis::RedisResult<Value> {
    match reply {
        Value::ServerError(error) => Err(error.into()),
        reply => Ok(reply),
    }
}

/// Whether Redis answered that it lacks the script (a restart, `SCRIPT FLUSH`): the call did
/// not run.
pub(crate) fn is_noscript<T>(reply: &redis::RedisResult<T>) -> bool {
    matches!(reply, Err(error) if error.kind() == ErrorKind::Server(ServerErrorKind::NoScript))
}

impl<C: redis::ConnectionLike> Leasehold<C> {
    /// Runs `request` at `clock` in one round trip.
    ///
    /// The outcome is the one `leasehold_core::Engine::apply` gives for the same request on the
    /// same state at the same `now`.
    pub fn apply(&mut self, request: &Request, clock: Clock) -> Result<Outcome, AdapterError> {
        let call = self.prepare(request, clock)?;
        let (cmd, script) = evalsha(&call)?;
        let mut reply = cmd.query::<Value>(&mut self.connection);
        if is_noscript(&reply) {
            script.load(&mut self.connection).map_err(adapter_error)?;
            reply = cmd.query(&mut self.connection);
        }
        decode::outcome(request, &reply.map_err(adapter_error)?)
    }
}

impl<C: redis::aio::ConnectionLike + Send> Leasehold<C> {
    /// Sends a prepared call (which borrows the text of its request).
    pub(crate) async fn invoke_async(&mut self, call: Call<'_>) -> Result<Value, AdapterError> {
        let (cmd, script) = evalsha(&call)?;
        let mut reply = self.connection.req_packed_command(&cmd).await.and_then(error_reply);
        if is_noscript(&reply) {
            script.load_async(&mut self.connection).await.map_err(adapter_error)?;
            reply = self.connection.req_packed_command(&cmd).await.and_then(error_reply);
        }
        reply.map_err(adapter_error)
    }

    /// [`Leasehold::apply`], asynchronously.
    pub async fn apply_async(&mut self, request: &Request, clock: Clock) -> Result<Outcome, AdapterError> {
        let call = self.prepare(request, clock)?;
        let reply = self.invoke_async(call).await?;
        decode::outcome(request, &reply)
    }
}

/// Sorts a client error into the adapter's kinds; `LEASEHOLD` error replies become the core's
/// errors.
pub(crate) fn adapter_error(error: RedisError) -> AdapterError {
    if error.code() == Some("LEASEHOLD") {
        return leasehold_error(error.detail().unwrap_or_default());
    }
    if error.is_io_error()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || error.is_timeout()
        || matches!(error.kind(), ErrorKind::ClusterConnectionNotFound)
    {
        return AdapterError::Connection { detail: error.to_string() };
    }
    match error.kind() {
        ErrorKind::Parse | ErrorKind::UnexpectedReturnType => {
            AdapterError::Protocol { detail: error.to_string() }
        }
        _ => AdapterError::Server { code: error.code().map(str::to_owned), detail: error.to_string() },
    }
}

/// The error of a `LEASEHOLD <detail>` error reply.
pub(crate) fn leasehold_error(detail: &str) -> AdapterError {
    match decode::error(detail) {
        Some(Ok(error)) => AdapterError::Invalid(error),
        Some(Err(error)) => error,
        None => AdapterError::Protocol { detail: format!("undecodable error reply: {detail}") },
    }
}
