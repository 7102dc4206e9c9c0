// withLock on a RedisEngine, against a real redis-server of its own (started on a free loopback
// port, stopped by PID): a lock stolen by expiry, a Redis stopped or frozen mid-renewal, and a
// dead Redis under each failure policy. Real timers (the clients need them); every assertion
// is an ordering against the lease's own expires_at on the engine's clock, never a wall time.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import Redis from "ioredis";
import { Engine, LockBusyError, LockLostError, RedisDriverError, RedisEngine, withLock } from "leasehold";
import { startRedis, deadClients } from "./redis-server.mjs";

let server;
let client;
before(async () => {
  server = await startRedis();
  client = new Redis(server.port, "127.0.0.1");
});
after(async () => {
  client?.disconnect();
  await server?.stop();
});

/** Resolves with the lease and the clock reading when its signal aborts. */
function waitForAbort(clock) {
  let seen;
  const aborted = new Promise((resolve) => {
    seen = (lease) => lease.signal.addEventListener("abort", () => resolve({ lease, at: clock() }));
  });
  return { seen, aborted };
}

test("on Redis, the lock is renewed while fn runs and released when it returns", async () => {
  const engine = new RedisEngine({ client, prefix: "wl-renew" });
  let renewedTo;
  const lease = await withLock(engine, "job", async (lease) => {
    const first = await engine.locks.inspect("job");
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const now = await engine.locks.inspect("job");
      if (now.expiresAt > first.expiresAt) {
        renewedTo = now;
        return lease;
      }
    }
  }, { ttl: 200, renewAt: 0.25 });
  assert.equal(lease.signal.aborted, false);
  assert.equal(renewedTo.kind, "held");
  assert.equal(renewedTo.fence, lease.fence, "a renewal keeps the fence");
  assert.deepEqual(await engine.locks.inspect("job"), { kind: "free" });
});

test("on Redis, a lock stolen after its ttl passed aborts the signal, and the thief's fence is higher", { timeout: 30_000 }, async () => {
  let now = 1_000_000;
  const clock = () => now;
  const engine = new RedisEngine({ client, prefix: "wl-stolen", clock });
  const { seen, aborted } = waitForAbort(clock);
  const running = withLock(engine, "job", (lease) => {
    seen(lease);
    return new Promise((resolve) => lease.signal.addEventListener("abort", () => resolve("finished anyway")));
  }, { ttl: 2_000, renewAt: 0.5 });
  running.catch(() => {});
  // The worker stalls past its TTL (on the engine's clock) and another worker takes the lock.
  await new Promise((resolve) => setImmediate(resolve));
  while ((await engine.locks.inspect("job")).kind !== "held") await new Promise((resolve) => setImmediate(resolve));
  now += 2_500;
  const thief = await engine.locks.acquire("job", "thief", 60_000);
  assert.equal(thief.kind, "granted");
  const { lease } = await aborted; // the renewal after 1 s of timer time is refused
  assert.ok(thief.fence > lease.fence, `thief ${thief.fence} > ours ${lease.fence}`);
  await assert.rejects(running, (error) => {
    assert.ok(error instanceof LockLostError);
    assert.equal(error.code, "lock_lost");
    assert.match(error.message, /taken by another owner/);
    return true;
  });
  assert.ok(lease.signal.reason instanceof LockLostError);
  const held = await engine.locks.inspect("job");
  assert.deepEqual([held.kind, held.fence], ["held", thief.fence], "the thief's lock is left alone");
});

/** A redis-server of the test's own, an ioredis client that fails fast once it is gone, and an engine on the wall clock. */
async function ownRedis(t, prefix, timeout) {
  const own = await startRedis();
  t.after(async () => {
    try {
      process.kill(own.pid, "SIGCONT"); // for a server the test froze
    } catch {
      // already stopped
    }
    await own.stop();
  });
  const io = new Redis(own.port, "127.0.0.1", { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  io.on("error", () => {});
  t.after(() => io.disconnect());
  const clock = () => Date.now();
  return { own, clock, engine: new RedisEngine({ client: io, prefix, clock, timeout }) };
}

/** Resolves once a renewal has moved the lease's expiry past `from`; the lease as Redis has it. */
async function renewedPast(engine, key, from, signal) {
  for (;;) {
    if (signal?.aborted) throw new Error(`the lock was lost before a renewal was seen: ${signal.reason.message}`);
    const state = await engine.locks.inspect(key);
    if (state.kind === "held" && state.expiresAt > from) return state;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * withLock on "job" (ttl 1.2 s, renewed at half) with an fn that waits for the abort; returns once
 * one renewal went through: the running withLock, the renewed lease, and the abort to await.
 */
async function renewedOnce(engine, clock) {
  const { seen, aborted } = waitForAbort(clock);
  let begin;
  const started = new Promise((resolve) => (begin = resolve));
  const running = withLock(engine, "job", (lease) => {
    seen(lease);
    begin(lease);
    return new Promise((resolve) => lease.signal.addEventListener("abort", () => resolve("finished anyway")));
  }, { ttl: 1_200, renewAt: 0.5 });
  running.catch(() => {});
  const granted = await renewedPast(engine, "job", 0);
  const last = await renewedPast(engine, "job", granted.expiresAt, (await started).signal);
  return { running, last, aborted };
}

test("on Redis, a server stopped mid-renewal aborts the signal before the lease's expiry", { timeout: 30_000 }, async (t) => {
  const { own, clock, engine } = await ownRedis(t, "wl-stopped", 5_000);
  const { running, last, aborted } = await renewedOnce(engine, clock);
  await own.stop();
  const { lease, at } = await aborted;
  assert.ok(lease.expiresAt >= last.expiresAt, "the lease knows its last renewal");
  assert.ok(at < lease.expiresAt, `aborted at ${at}, before the lease's expiry at ${lease.expiresAt}`);
  assert.equal(lease.fence, last.fence);
  await assert.rejects(running, (error) => error instanceof LockLostError && /renewing the lock .* failed/.test(error.message));
});

test("on Redis, a server that stops answering mid-renewal aborts the signal before the lease's expiry", { timeout: 30_000 }, async (t) => {
  // The driver's timeout is far longer than the TTL: only withLock's own deadline can fire in time.
  const { own, clock, engine } = await ownRedis(t, "wl-frozen", 60_000);
  const { running, last, aborted } = await renewedOnce(engine, clock);
  process.kill(own.pid, "SIGSTOP");
  const { lease, at } = await aborted;
  assert.ok(lease.expiresAt >= last.expiresAt, "the lease knows its last renewal");
  assert.ok(at < lease.expiresAt, `aborted at ${at}, before the lease's expiry at ${lease.expiresAt}`);
  await assert.rejects(running, (error) => error instanceof LockLostError && /expired before it could be renewed/.test(error.message));
  process.kill(own.pid, "SIGCONT");
});


test("on a dead Redis, withLock follows the failure policy and never runs fn as if it held the lock", async () => {
  const dead = await deadClients();
  try {
    for (const kind of ["ioredis", "node-redis"]) {
      const c = dead[kind];
      let ran = 0;
      const fn = (lease) => {
        ran++;
        return lease;
      };
      await assert.rejects(withLock(new RedisEngine({ client: c, timeout: 500 }), "job", fn, { ttl: 1_000 }),
        (error) => error instanceof RedisDriverError && error.unreachable, `${kind}: throw`);
      await assert.rejects(withLock(new RedisEngine({ client: c, timeout: 500, onUnavailable: "closed" }), "job", fn, { ttl: 1_000 }),
        (error) => error instanceof RedisDriverError && error.unreachable, `${kind}: closed`);
      assert.equal(ran, 0, "fn never ran under throw or closed");

      const open = await withLock(new RedisEngine({ client: c, timeout: 500, onUnavailable: "open" }), "job", fn, { ttl: 1_000 });
      assert.deepEqual([open.degraded, open.fence, open.signal.aborted], ["open", 0, false], `${kind}: open runs unguarded, says so, with no fence`);

      const fallback = new Engine({ clock: () => 7_000 });
      const memory = new RedisEngine({ client: c, timeout: 500, onUnavailable: "memory", fallback, clock: () => 7_000 });
      fallback.locks.acquire("busy", "other", 1_000);
      await assert.rejects(withLock(memory, "busy", fn, { ttl: 1_000 }), (error) => error instanceof LockBusyError && error.retryAfter === 1_000);
      let inFallback;
      const held = await withLock(memory, "job", (lease) => {
        inFallback = fallback.locks.inspect("job");
        return lease;
      }, { ttl: 1_000, owner: "me" });
      assert.equal(held.degraded, "memory");
      assert.deepEqual(inFallback, { kind: "held", fence: held.fence, expiresAt: held.expiresAt }, "held in the fallback while fn ran");
      assert.deepEqual(fallback.locks.inspect("job"), { kind: "free" }, "released in the fallback");
      assert.equal(ran, 1);
    }
  } finally {
    dead.close();
  }
});
