// A throwaway redis-server for the Redis driver's tests and bench: started on a free loopback
// port with nothing persisted, ready once it answers PING, stopped by its PID. (node --test runs
// every file under test/, this one included: it defines no test.)
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { before, after } from "node:test";
import Redis from "ioredis";
import { createClient } from "redis";

/** A free TCP port on 127.0.0.1 (the kernel picks it; freed before redis-server binds it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let answer = "";
    socket.setTimeout(500, () => socket.destroy());
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk;
      if (answer.includes("\r\n")) socket.end();
    });
    socket.on("close", () => resolve(answer.startsWith("+PONG")));
    socket.on("error", () => resolve(false));
  });
}

/**
 * Starts redis-server (on `port`, for the restart of one that was stopped; else on a free
 * port); resolves to `{ port, url, pid, stop() }` once it answers PING.
 */
export async function startRedis(port) {
  port ??= await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  let exited = false;
  const exit = new Promise((resolve) => child.once("exit", () => { exited = true; resolve(); }));
  child.once("error", (error) => { throw error; });
  for (let attempt = 0; ; attempt++) {
    if (await ping(port)) break;
    if (exited || attempt > 100) {
      child.kill("SIGKILL");
      throw new Error(`redis-server on port ${port} did not answer PING`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      if (!exited) {
        process.kill(child.pid, "SIGTERM");
        await exit;
      }
    },
  };
}

/**
 * Registers node:test hooks that start a redis-server before the file's tests and connect an
 * ioredis and a node-redis client to it, and close both and stop the server after them. Returns
 * `{ server, clients }`, filled in by the `before` hook.
 */
export function serveBothClients() {
  const shared = { server: undefined, clients: {} };
  before(async () => {
    shared.server = await startRedis();
    shared.clients.ioredis = new Redis(shared.server.port, "127.0.0.1");
    shared.clients["node-redis"] = await createClient({ url: shared.server.url }).connect();
  });
  after(async () => {
    shared.clients.ioredis?.disconnect();
    await shared.clients["node-redis"]?.close?.();
    await shared.server?.stop();
  });
  return shared;
}

/**
 * An ioredis and a node-redis client on a free loopback port where no Redis listens (they never
 * reconnect for long), and `close()` to let go of them.
 */
export async function deadClients() {
  const port = await freePort();
  const io = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  io.on("error", () => {});
  const node = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
  node.on("error", () => {});
  await node.connect().catch(() => {});
  return { ioredis: io, "node-redis": node, close: () => io.disconnect() };
}

/**
 * The error the in-memory engine throws for `call` (what the Redis driver must throw for the
 * same arguments); fails the test when it throws none.
 */
export function refusal(call) {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error("the in-memory engine accepted it");
}
