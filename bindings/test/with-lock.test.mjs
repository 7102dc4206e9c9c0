// withLock renews on timers and aborts its signal when the lock is lost. Time is driven by
// hand: an injected engine clock and node:test's mock timers, advanced together; no sleeps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, withLock, LockLostError, LockBusyError, LeaseholdError } from "leasehold";

/** An engine on a hand-driven clock, and a way to let `ms` pass for it and for timers. */
function world(t) {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  let now = 1_000;
  const engine = new Engine({ clock: () => now });
  return {
    engine,
    advance(ms, { timers = true } = {}) {
      now += ms;
      if (timers) t.mock.timers.tick(ms);
    },
  };
}

test("the lock is renewed while fn runs and released when it returns", async (t) => {
  const { engine, advance } = world(t);
  let finish;
  const running = withLock(engine, "job", (lease) => new Promise((resolve) => (finish = () => resolve(lease))), { ttl: 1_000, owner: "me" });
  for (let i = 0; i < 10; i++) advance(500); // 5 s: five TTLs, renewed every 500 ms
  const held = engine.locks.inspect("job");
  assert.equal(held.kind, "held");
  assert.equal(held.expiresAt, engine.now() + 1_000, "renewed just now");
  finish();
  const lease = await running;
  assert.equal(lease.signal.aborted, false);
  assert.equal(lease.fence, 1_000_000);
  assert.deepEqual(engine.locks.inspect("job"), { kind: "free" });
});

test("a lock stolen after its ttl passed aborts the signal, and withLock rejects", async (t) => {
  const { engine, advance } = world(t);
  let seen;
  const running = withLock(engine, "job", (lease) => new Promise((resolve) => {
    seen = lease.signal;
    lease.signal.addEventListener("abort", () => resolve("finished anyway"));
  }), { ttl: 1_000, renewAt: 0.5 });
  // The event loop stalls for 1.5 s: the lease expires and another worker takes the lock.
  advance(1_500, { timers: false });
  assert.equal(engine.locks.acquire("job", "thief", 10_000).kind, "granted");
  t.mock.timers.tick(500); // the overdue renewal runs, and is refused
  await assert.rejects(running, (error) => {
    assert.ok(error instanceof LockLostError && error instanceof LeaseholdError);
    assert.equal(error.code, "lock_lost");
    assert.match(error.message, /taken by another owner/);
    return true;
  });
  assert.equal(seen.aborted, true);
  assert.ok(seen.reason instanceof LockLostError);
  assert.equal(engine.locks.inspect("job").kind, "held", "the thief's lock is left alone");
});

test("a renewal that finds the lease expired aborts even when nobody took the lock", async (t) => {
  const { engine, advance } = world(t);
  const running = withLock(engine, "job", ({ signal }) => new Promise((resolve) => signal.addEventListener("abort", resolve)), { ttl: 1_000 });
  advance(1_200, { timers: false });
  t.mock.timers.tick(500);
  await assert.rejects(running, { code: "lock_lost" });
});

test("a held lock is busy: the error says when to retry and fn never runs", async (t) => {
  const { engine } = world(t);
  engine.locks.acquire("job", "other", 2_000);
  let ran = false;
  await assert.rejects(withLock(engine, "job", () => (ran = true), { ttl: 1_000 }), (error) => {
    assert.ok(error instanceof LockBusyError);
    assert.equal(error.retryAfter, 2_000);
    return true;
  });
  assert.equal(ran, false);
});

test("the lock is released when fn throws, and the error comes through", async (t) => {
  const { engine } = world(t);
  await assert.rejects(withLock(engine, "job", () => { throw new Error("boom"); }, { ttl: 1_000 }), /boom/);
  assert.deepEqual(engine.locks.inspect("job"), { kind: "free" });
});

test("bad options are refused before the lock is taken", async (t) => {
  const { engine } = world(t);
  await assert.rejects(withLock(engine, "job", () => 1, { ttl: 1.5 }), { code: "not_an_integer", field: "ttl" });
  await assert.rejects(withLock(engine, "job", () => 1, { ttl: 1_000, renewAt: 1 }), { code: "invalid_value", field: "renewAt" });
  assert.deepEqual(engine.locks.inspect("job"), { kind: "free" });
});
