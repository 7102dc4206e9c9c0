// What every kind of client must do through the driver beyond the vectors, shared by the files
// that run it on a client of their own (a single redis-server or a cluster): a lock, a hold and
// a limit on the server clock, the NOSCRIPT path after `SCRIPT FLUSH` on every node, and a typed
// error once the client is disconnected. On a cluster the keys must reach more than one master,
// each call straight to the one that owns its key (no MOVED redirection): that proves the
// routing. (node --test runs every file under test/, this one
// included: it defines no test until a file calls it.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RedisDriverError, RedisEngine } from "leasehold";
import { command } from "./redis-server.mjs";

const scripts = JSON.parse(readFileSync(join(import.meta.dirname, "../pkg/scripts.json"), "utf8"));
const sha = (name) => scripts.find((script) => script.name === name).sha1;

/** Keys enough to land on every master of a three-master cluster. */
const KEYS = Array.from({ length: 12 }, (_, i) => `lockTrade:${i}`);

/** The ports (of `ports`) holding at least one key under `prefix`. */
async function portsWithKeys(ports, prefix) {
  const found = await Promise.all(ports.map((port) => command(port, "KEYS", `${prefix}:*`)));
  return ports.filter((_, i) => found[i].length > 0);
}

/** How many MOVED redirections the nodes at `ports` have answered since they started. */
export async function redirections(ports) {
  const infos = await Promise.all(ports.map((port) => command(port, "INFO", "errorstats")));
  return infos.reduce((sum, info) => sum + Number(/errorstat_MOVED:count=(\d+)/.exec(info)?.[1] ?? 0), 0);
}

/**
 * Registers the checks for the client `client()` returns, which the engine must recognise as
 * `kind`, on the Redis nodes at `ports()` (every master of a cluster; the one server
 * otherwise). `disconnected()` resolves to a client of the same kind that was connected and then
 * disconnected by its own API. `label` names the client in the test names.
 */
export function clientChecks({ kind, label, client, ports, disconnected }) {
  const routed = () => (ports().length > 1 ? 2 : 1);

  test(`through ${label}, locks on the server clock are granted, denied to another owner, then released, wherever their keys live`, async () => {
    const prefix = `checks-lock-${label}`;
    const engine = new RedisEngine({ client: client(), prefix });
    assert.equal(engine.client, kind);
    const moved = await redirections(ports());
    for (const key of KEYS) {
      const granted = await engine.locks.acquire(key, "worker-a", 60_000);
      assert.equal(granted.kind, "granted", key);
      const denied = await engine.locks.acquire(key, "worker-b", 60_000);
      assert.equal(denied.kind, "denied", key);
      assert.ok(denied.retryAfter > 0 && denied.retryAfter <= 60_000, JSON.stringify(denied));
    }
    const holding = await portsWithKeys(ports(), prefix);
    assert.ok(holding.length >= routed(), `the lock keys reached ${holding.length} of ${ports().length} nodes`);
    assert.equal(await redirections(ports()), moved, "every call went straight to the node that owns its key");
    for (const key of KEYS) {
      assert.deepEqual(await engine.locks.release(key, "worker-b"), { kind: "notHolder" });
      assert.equal((await engine.locks.release(key, "worker-a")).kind, "released", key);
    }
    assert.deepEqual(await portsWithKeys(ports(), prefix), []);
  });

  test(`through ${label}, a hold reserves items all-or-nothing and releases them`, async () => {
    const engine = new RedisEngine({ client: client(), prefix: `checks-hold-${label}`, clock: () => 1_000 });
    assert.equal((await engine.holds.reserve("reserved-assets_730", ["a1", "a2"], "user-1", 60_000)).kind, "reserved");
    const conflict = await engine.holds.reserve("reserved-assets_730", ["a2", "a3"], "user-2", 60_000);
    assert.equal(conflict.kind, "conflict");
    const released = await engine.holds.release("reserved-assets_730", ["a1", "a2"], "user-1");
    assert.deepEqual(released.items.map((item) => item.kind), ["released", "released"]);
    assert.equal((await engine.holds.reserve("reserved-assets_730", ["a2", "a3"], "user-2", 60_000)).kind, "reserved");
  });

  test(`through ${label}, a limit admits its quota and then denies with a retry time`, async () => {
    const engine = new RedisEngine({ client: client(), prefix: `checks-limit-${label}`, clock: () => 10_000 });
    const login = { algorithm: "fixedWindow", quota: 2, window: 60_000 };
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await engine.limits.check("login_ip:1.2.3.4", login));
    assert.deepEqual(decisions.map((d) => [d.allowed, d.remaining]), [[true, 1], [true, 0], [false, 0]]);
    assert.equal(decisions[2].retryAfter, 60_000);
  });

  test(`through ${label}, scripts flushed from every node are loaded again on each node that needs them`, async () => {
    const prefix = `checks-noscript-${label}`;
    const engine = new RedisEngine({ client: client(), prefix, clock: () => 1_000 });
    const exists = () => Promise.all(ports().map(async (port) => (await command(port, "SCRIPT", "EXISTS", sha("lock_acquire")))[0]));
    await engine.load();
    assert.deepEqual(await exists(), ports().map(() => 1), "load() reaches every node");
    await Promise.all(ports().map((port) => command(port, "SCRIPT", "FLUSH")));
    assert.deepEqual(await exists(), ports().map(() => 0));
    for (const key of KEYS) assert.equal((await engine.locks.acquire(key, "a", 500)).kind, "granted", key);
    const holding = await portsWithKeys(ports(), prefix);
    assert.ok(holding.length >= routed(), `the keys reached ${holding.length} of ${ports().length} nodes`);
    const loaded = await exists();
    assert.deepEqual(holding.map((port) => loaded[ports().indexOf(port)]), holding.map(() => 1), "each node that ran the call has the script again");
  });

  test(`through ${label}, a disconnected client gives a typed redis_unreachable error, or the policy's outcome`, async () => {
    const closed = await disconnected();
    const engine = new RedisEngine({ client: closed, prefix: `checks-closed-${label}` });
    assert.equal(engine.client, kind);
    await assert.rejects(
      engine.locks.acquire("k", "a", 500),
      (error) => error instanceof RedisDriverError && error.code === "redis_unreachable" && error.operation === "locks.acquire",
    );
    const refusing = new RedisEngine({ client: closed, onUnavailable: "closed" });
    const decision = await refusing.limits.check("k", { algorithm: "fixedWindow", quota: 1, window: 1_000 });
    assert.equal(decision.degraded, "closed");
    assert.equal(decision.allowed, false);
    assert.equal(decision.cause.code, "redis_unreachable");
  });
}
