//! A three-master Redis Cluster on loopback: three `redis-server --cluster-enabled yes`, joined
//! by `redis-cli --cluster create`, ready once every node reports `cluster_state:ok` and knows
//! all 16384 slots; stopped by PID when dropped.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{binary, RedisServer};
use crate::{Layout, Leasehold};

/// How long the cluster may take to agree on its slots.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// A port `p` free on loopback whose cluster bus port `p + 10000` is free too.
fn free_cluster_port(taken: &[u16]) -> u16 {
    for _ in 0..1000 {
        let port = super::free_port();
        if port >= 55_000 || taken.contains(&port) || taken.contains(&(port + 10_000)) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
    panic!("found no free loopback port pair (p, p + 10000) for a cluster node");
}

/// Three masters, the slots split evenly between them, no replicas.
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts the nodes, creates the cluster and waits until every node serves every slot.
    pub fn start() -> RedisCluster {
        binary("redis-cli");
        let mut nodes: Vec<RedisServer> = Vec::new();
        for _ in 0..3 {
            let taken: Vec<u16> = nodes.iter().map(RedisServer::port).collect();
            let port = free_cluster_port(&taken);
            let config = format!("nodes-{port}.conf");
            let extra = ["--cluster-enabled", "yes", "--cluster-config-file", &config];
            nodes.push(RedisServer::start_on(port, &extra));
        }
        let cluster = RedisCluster { nodes };
        let addresses: Vec<String> =
            cluster.nodes.iter().map(|n| format!("127.0.0.1:{}", n.port())).collect();
        let created = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("run redis-cli --cluster create");
        assert!(
            created.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&created.stdout),
            String::from_utf8_lossy(&created.stderr)
        );
        cluster.wait_ready();
        cluster
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        for node in &self.nodes {
            let mut connection = node.raw();
            loop {
                let info: String =
                    redis::cmd("CLUSTER").arg("INFO").query(&mut connection).unwrap_or_default();
                if info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:16384") {
                    break;
                }
                assert!(
                    started.elapsed() < READY_WITHIN,
                    "the cluster never reached cluster_state:ok on port {}: {info}",
                    node.port()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// The nodes, for commands to one of them (`SCRIPT FLUSH`, `DBSIZE`).
    pub fn nodes(&self) -> &[RedisServer] {
        &self.nodes
    }

    /// The nodes' URLs.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// A redis-rs cluster client for the nodes.
    pub fn client(&self) -> redis::cluster::ClusterClient {
        redis::cluster::ClusterClient::new(self.urls()).expect("a cluster client")
    }

    /// A sync leasehold connection to the cluster with keys under `prefix`.
    pub fn connect(&self, prefix: &str) -> Leasehold<redis::cluster::ClusterConnection> {
        let connection = self.client().get_connection().expect("connect to the test cluster");
        Leasehold::new(connection, Layout::new(prefix).expect("prefix"))
    }

    /// An async (tokio) leasehold connection to the cluster with keys under `prefix`.
    pub async fn connect_async(&self, prefix: &str) -> Leasehold<redis::cluster_async::ClusterConnection> {
        let connection = self.client().get_async_connection().await.expect("connect to the test cluster");
        Leasehold::new(connection, Layout::new(prefix).expect("prefix"))
    }
}
