//! Connections: a sync one that reconnects on the next call after a failure, a tokio one that
//! reconnects in the background, and the [`Client`] that opens both.

use std::time::Duration;

use redis::{Cmd, ConnectionLike, RedisResult, Value};

use crate::backend::{adapter_error, Leasehold};
use crate::error::AdapterError;
use crate::events::HoldEvents;
use crate::layout::Layout;

/// How long a sync connection waits to connect, and then for each reply.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A sync connection that never stays broken: a call that finds the connection gone (Redis
/// restarted, a network blip) fails with [`AdapterError::Connection`], and the next call
/// connects again.
pub struct Reconnecting {
    client: redis::Client,
    connection: Option<redis::Connection>,
}

impl std::fmt::Debug for Reconnecting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reconnecting").field("connected", &self.connection.is_some()).finish()
    }
}

impl Reconnecting {
    fn connection(&mut self) -> RedisResult<&mut redis::Connection> {
        match self.connection.take() {
            Some(connection) if connection.is_open() => Ok(self.connection.insert(connection)),
            _ => {
                let connection = self.client.get_connection_with_timeout(TIMEOUT)?;
                connection.set_read_timeout(Some(TIMEOUT))?;
                connection.set_write_timeout(Some(TIMEOUT))?;
                Ok(self.connection.insert(connection))
            }
        }
    }

    fn forget_if_broken<T>(&mut self, result: RedisResult<T>) -> RedisResult<T> {
        if let Err(error) = &result {
            if error.is_io_error() || error.is_connection_dropped() || error.is_timeout() {
                self.connection = None;
            }
        }
        result
    }
}

impl ConnectionLike for Reconnecting {
    fn req_packed_command(&mut self, cmd: &[u8]) -> RedisResult<Value> {
        let result = self.connection().and_then(|c| c.req_packed_command(cmd));
        self.forget_if_broken(result)
    }

    fn req_packed_commands(&mut self, cmd: &[u8], offset: usize, count: usize) -> RedisResult<Vec<Value>> {
        let result = self.connection().and_then(|c| c.req_packed_commands(cmd, offset, count));
        self.forget_if_broken(result)
    }

    fn req_command(&mut self, cmd: &Cmd) -> RedisResult<Value> {
        let result = self.connection().and_then(|c| c.req_command(cmd));
        self.forget_if_broken(result)
    }

    fn get_db(&self) -> i64 {
        self.client.get_connection_info().redis_settings().db()
    }

    fn check_connection(&mut self) -> bool {
        self.connection().is_ok_and(|c| c.check_connection())
    }

    fn is_open(&self) -> bool {
        self.connection.as_ref().is_some_and(|c| c.is_open())
    }
}

/// A sync connection: [`Leasehold`] on a [`Reconnecting`] connection.
pub type Connection = Leasehold<Reconnecting>;

/// A tokio connection: [`Leasehold`] on a `redis::aio::ConnectionManager`, which reconnects by
/// itself.
pub type AsyncConnection = Leasehold<redis::aio::ConnectionManager>;

/// Where Redis is and how keys are named; opens connections.
///
/// ```no_run
/// use leasehold_core::{LockRequest, Millis, Request};
/// use leasehold_redis::{Client, Clock};
///
/// let client = Client::open("redis://127.0.0.1:6379/")?;
/// let mut redis = client.connect()?;
/// let request = Request::Lock(LockRequest::Acquire {
///     key: "lockTrade:42".into(),
///     owner: "worker-a".into(),
///     ttl: Millis::from_secs(900),
/// });
/// let outcome = redis.apply(&request, Clock::Server)?;
/// # Ok::<(), leasehold_redis::AdapterError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    client: redis::Client,
    layout: Layout,
    events: HoldEvents,
}

impl Client {
    /// A client for the Redis at `url` (`redis://host:port/db`), keys under the default prefix.
    /// Connects to nothing yet.
    pub fn open(url: &str) -> Result<Client, AdapterError> {
        let client = redis::Client::open(url).map_err(|e| AdapterError::Config(e.to_string()))?;
        Ok(Client { client, layout: Layout::default(), events: HoldEvents::default() })
    }

    /// The same client with keys named by `layout`.
    pub fn with_layout(self, layout: Layout) -> Client {
        Client { layout, ..self }
    }

    /// The same client with hold events sent to `events`.
    pub fn with_hold_events(self, events: HoldEvents) -> Client {
        Client { events, ..self }
    }

    /// A sync connection, connected now.
    pub fn connect(&self) -> Result<Connection, AdapterError> {
        let mut connection = Reconnecting { client: self.client.clone(), connection: None };
        connection.connection().map_err(adapter_error)?;
        Ok(Leasehold::new(connection, self.layout.clone())
            .with_hold_events(self.events.clone())
            .on_one_server())
    }

    /// A tokio connection, connected now; it reconnects in the background after a failure.
    ///
    /// Open one and clone it into every task: the clones share one socket, and the requests
    /// of concurrent tasks go out pipelined on it, which is how the adapter keeps up with
    /// `redis-benchmark`'s 50 clients from one connection (`leasehold bench --redis`). A pool
    /// of connections, one per task, gives redis-server a read and a write per request and
    /// serves fewer requests per second.
    pub async fn connect_async(&self) -> Result<AsyncConnection, AdapterError> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(2);
        let manager = self.client.get_connection_manager_with_config(config).await.map_err(adapter_error)?;
        Ok(Leasehold::new(manager, self.layout.clone()).with_hold_events(self.events.clone()).on_one_server())
    }
}
