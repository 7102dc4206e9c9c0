//! Test harness (feature `testing`): a real `redis-server` per test context, on a free loopback
//! port, in its own scratch directory, without persistence, stopped by PID when dropped.
//!
//! `redis-server` missing is a failure, not a skip: `cargo xtask test` installs it first. The
//! harness panics on anything else that goes wrong too: it is for tests, benches and the CLI's
//! own tests, never for a request path.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::{Client, Connection, Layout};

mod cluster;
mod control;

pub use cluster::RedisCluster;

/// How long a server may take to answer PING after it was started.
const READY_WITHIN: Duration = Duration::from_secs(10);

static STARTED: AtomicUsize = AtomicUsize::new(0);

/// One running redis-server.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    extra: Vec<String>,
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    listener.local_addr().expect("local address").port()
}

/// `name` (`redis-server`, `redis-cli`, `redis-benchmark`), or a panic that says how to
/// install it.
pub fn binary(name: &'static str) -> &'static str {
    let found = Command::new(name).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if found.is_err() {
        panic!(
            "{name} is not installed (not on PATH). The Redis tests need a real server and its \
             tools: run `cargo xtask test install` (as root it runs `apt-get install -y \
             redis-server`, which brings redis-cli and redis-benchmark with redis-tools)."
        );
    }
    name
}

/// A fresh scratch directory for one server.
pub(crate) fn scratch_dir(what: &str) -> PathBuf {
    let n = STARTED.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("leasehold-{what}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the server's scratch directory");
    dir
}

impl RedisServer {
    /// A fresh server on a free port.
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// A fresh server with extra `redis-server` arguments (`--cluster-enabled yes`, ...).
    pub fn start_with(extra: &[&str]) -> RedisServer {
        RedisServer::start_on(free_port(), extra)
    }

    /// A fresh server on `port` with extra `redis-server` arguments.
    pub fn start_on(port: u16, extra: &[&str]) -> RedisServer {
        let dir = scratch_dir("redis");
        let mut server =
            RedisServer { child: None, port, dir, extra: extra.iter().map(|s| (*s).to_owned()).collect() };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let child = Command::new(binary("redis-server"))
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(["--daemonize", "no", "--dir"])
            .arg(&self.dir)
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let started = Instant::now();
        let client = redis::Client::open(self.url()).expect("a valid URL");
        loop {
            if let Ok(mut connection) = client.get_connection_with_timeout(Duration::from_millis(200)) {
                if redis::cmd("PING").query::<String>(&mut connection).is_ok() {
                    return;
                }
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("redis-server on port {} exited at start: {status}", self.port);
                }
            }
            assert!(
                started.elapsed() < READY_WITHIN,
                "redis-server on port {} never answered PING",
                self.port
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A leasehold client with keys under `prefix`.
    pub fn client(&self, prefix: &str) -> Client {
        Client::open(&self.url()).expect("client").with_layout(Layout::new(prefix).expect("prefix"))
    }

    /// A sync leasehold connection with keys under `prefix`.
    pub fn connect(&self, prefix: &str) -> Connection {
        self.client(prefix).connect().expect("connect to the test server")
    }

    /// A plain redis-rs connection, for administrative commands.
    pub fn raw(&self) -> redis::Connection {
        redis::Client::open(self.url()).expect("client").get_connection().expect("connect")
    }

    /// Kills the server (SIGKILL, by PID) and waits for it: all data is lost.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
