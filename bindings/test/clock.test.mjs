// The clock lives at the edge: Date.now by default, injectable, and `now` per call wins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "leasehold";

test("an injected clock drives every call that is not given now", () => {
  let now = 10_000;
  const engine = new Engine({ clock: () => now });
  assert.equal(engine.now(), 10_000);
  const granted = engine.locks.acquire("k", "a", 500);
  assert.deepEqual(granted, { kind: "granted", fence: 10_000_000, expiresAt: 10_500, reacquired: false });
  now = 10_499;
  assert.deepEqual(engine.locks.acquire("k", "b", 500), { kind: "denied", retryAfter: 1 });
  now = 10_500;
  assert.equal(engine.locks.acquire("k", "b", 500).kind, "granted");
});

test("an explicit now overrides the clock for that call only", () => {
  const engine = new Engine({ clock: () => 1_000 });
  assert.deepEqual(engine.locks.acquire("k", "a", 500, 5_000), { kind: "granted", fence: 5_000_000, expiresAt: 5_500, reacquired: false });
  assert.deepEqual(engine.locks.inspect("k"), { kind: "held", fence: 5_000_000, expiresAt: 5_500 });
});

test("the default clock is Date.now", () => {
  const engine = new Engine();
  const before = Date.now();
  const granted = engine.locks.acquire("k", "a", 60_000);
  assert.equal(granted.kind, "granted");
  assert.ok(granted.expiresAt >= before + 60_000 && granted.expiresAt <= Date.now() + 60_000);
});

test("outcomes do not depend on the hash seed", () => {
  const run = (hashSeed) => {
    const engine = new Engine({ clock: () => 1_000, hashSeed });
    const out = [];
    for (let i = 0; i < 200; i++) out.push(engine.limits.check(`k${i % 37}`, { algorithm: "gcra", burst: 3, interval: 10 }, 1, 1_000 + i));
    out.push(engine.holds.reserve("ns", ["a", "b", "c"], "o", 50), engine.holds.list("ns", 10), engine.expire(100, 10_000));
    return JSON.stringify(out);
  };
  assert.equal(run(1), run(2 ** 52 + 7));
  assert.equal(run(0), run(undefined));
});

test("active expiry gives memory back and reports dead holds", () => {
  let now = 1_000;
  const engine = new Engine({ clock: () => now });
  engine.locks.acquire("k", "a", 10);
  engine.holds.reserve("ns", ["seat-1"], "a", 10);
  engine.limits.check("ip", { algorithm: "cooldown", interval: 10 });
  now = 5_000_000; // past every fence the engine must remember
  const expired = engine.expire(1_000);
  assert.deepEqual(expired.holdEvents, [{ namespace: "ns", kind: "expired", item: "seat-1", fence: 1_000_000, expiresAt: 1_010 }]);
  assert.equal(engine.isEmpty(), true);
});
