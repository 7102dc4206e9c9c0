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

/** Whether the redis-server on `port` answers PING (`false` while nothing listens there). */
function ping(port) {
  return command(port, "PING").then((reply) => reply === "PONG", () => false);
}

/** Encodes `args` as a RESP array of bulk strings. */
function resp(args) {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`;
}

/**
 * One RESP2 reply at `at` of `data`: `{ value, next }`, or `undefined` while it is incomplete.
 * Simple and bulk strings are strings, integers numbers, arrays arrays, an error an `Error`.
 */
function parseReply(data, at) {
  const end = data.indexOf("\r\n", at);
  if (end < 0) return undefined;
  const head = data.subarray(at + 1, end).toString();
  const next = end + 2;
  switch (String.fromCharCode(data[at])) {
    case "+":
      return { value: head, next };
    case "-":
      return { value: new Error(head), next };
    case ":":
      return { value: Number(head), next };
    case "$": {
      const length = Number(head);
      if (length < 0) return { value: null, next };
      if (data.length < next + length + 2) return undefined;
      return { value: data.subarray(next, next + length).toString(), next: next + length + 2 };
    }
    case "*": {
      const values = [];
      let from = next;
      for (let i = 0; i < Number(head); i++) {
        const item = parseReply(data, from);
        if (item === undefined) return undefined;
        values.push(item.value);
        from = item.next;
      }
      return { value: values, next: from };
    }
    default:
      return { value: new Error(`unexpected reply: ${data.toString().slice(at, at + 80)}`), next: data.length };
  }
}

/**
 * Sends one command to the redis-server on `port` over a socket of its own (no client library
 * involved) and resolves to its reply as {@link parseReply} reads it; rejects on an error reply.
 */
export function command(port, ...args) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let data = Buffer.alloc(0);
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      fn(value);
    };
    socket.setTimeout(5_000, () => settle(reject, new Error(`no reply from port ${port} to ${args[0]}`)));
    socket.on("connect", () => socket.write(resp(args)));
    socket.on("error", (error) => settle(reject, error));
    socket.on("close", () => settle(reject, new Error(`port ${port} closed before replying to ${args[0]}`)));
    socket.on("data", (chunk) => {
      data = Buffer.concat([data, chunk]);
      const reply = parseReply(data, 0);
      if (reply !== undefined) settle(reply.value instanceof Error ? reject : resolve, reply.value);
    });
  });
}

/**
 * Starts redis-server (on `port`, for the restart of one that was stopped; else on a free
 * port), with `extra` arguments after the usual ones (a cluster node's); resolves to
 * `{ port, url, pid, stop() }` once it answers PING.
 */
export async function startRedis(port, extra = []) {
  port ??= await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extra], {
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
