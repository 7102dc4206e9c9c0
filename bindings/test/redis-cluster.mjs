// A throwaway three-master Redis Cluster for the Node driver's tests: three `redis-server
// --cluster-enabled yes` on free loopback ports (each with its own temporary directory for the
// cluster config), joined by `redis-cli --cluster create`, ready once every node says
// `cluster_state:ok` and serves all 16384 slots; stopped by PID, directories removed. (node
// --test runs every file under test/, this one included: it defines no test.)
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { command, freePort, startRedis } from "./redis-server.mjs";

/** How long the nodes may take to agree on the slots. */
const READY_WITHIN_MS = 30_000;

function bindable(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A free loopback port `p` whose cluster bus port `p + 10000` is free as well. */
async function freeClusterPort(taken) {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = await freePort();
    if (port + 10_000 > 65_535 || taken.includes(port) || taken.includes(port + 10_000)) continue;
    if (await bindable(port + 10_000)) return port;
  }
  throw new Error("found no free loopback port pair (p, p + 10000) for a cluster node");
}

async function waitReady(ports) {
  const deadline = Date.now() + READY_WITHIN_MS;
  for (const port of ports) {
    for (;;) {
      const info = await command(port, "CLUSTER", "INFO").catch((error) => String(error));
      if (info.includes("cluster_state:ok") && info.includes("cluster_slots_ok:16384")) break;
      if (Date.now() > deadline) throw new Error(`the cluster never reached cluster_state:ok on port ${port}: ${info}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * Starts three masters, splits the slots between them and waits until every node serves every
 * slot. Resolves to `{ ports, rootNodes, command(port, ...args), each(...args), stop() }`:
 * `rootNodes` is `[{ host, port }]` for the cluster clients, `each` sends one command to every
 * master and resolves to their replies in `ports` order.
 */
export async function startCluster() {
  const nodes = [];
  const dirs = [];
  const stop = async () => {
    for (const node of nodes) await node.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freeClusterPort(nodes.map((node) => node.port));
      const dir = mkdtempSync(join(tmpdir(), "leasehold-cluster-"));
      dirs.push(dir);
      nodes.push(await startRedis(port, ["--cluster-enabled", "yes", "--cluster-config-file", join(dir, "nodes.conf"), "--dir", dir]));
    }
    const ports = nodes.map((node) => node.port);
    await promisify(execFile)("redis-cli", ["--cluster", "create", ...ports.map((port) => `127.0.0.1:${port}`), "--cluster-replicas", "0", "--cluster-yes"], { timeout: READY_WITHIN_MS })
      .catch((error) => {
        throw new Error(`redis-cli --cluster create failed: ${error.stdout ?? ""}${error.stderr ?? error.message}`);
      });
    await waitReady(ports);
    return {
      ports,
      rootNodes: ports.map((port) => ({ host: "127.0.0.1", port })),
      command,
      each: (...args) => Promise.all(ports.map((port) => command(port, ...args))),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
