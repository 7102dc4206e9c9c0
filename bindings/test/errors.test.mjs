// Bad input from JS throws a LeaseholdError with a stable code and a message naming what was
// wrong; never a wasm trap, and the engine's state is the same afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, LeaseholdError, InvalidArgumentError } from "leasehold";

const WINDOW = { algorithm: "fixedWindow", quota: 3, window: 1000 };

/** An engine with one of everything, and a fingerprint of all its state. */
function populated() {
  let now = 1000;
  const engine = new Engine({ clock: () => now });
  engine.locks.acquire("lock", "a", 500);
  engine.semaphores.acquire("sem", "a", 2, 500);
  engine.holds.reserve("ns", ["x", "y"], "a", 500);
  engine.limits.check("ip", WINDOW);
  const fingerprint = () => JSON.stringify([
    engine.locks.inspect("lock"),
    engine.semaphores.inspect("sem"),
    engine.holds.list("ns", 100),
    engine.limits.peek("ip", WINDOW),
    engine.isEmpty(),
  ]);
  return { engine, fingerprint, tick: (ms) => (now += ms) };
}

function refuses(call, code, field) {
  let thrown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof LeaseholdError, `expected a LeaseholdError, got ${thrown}`);
  assert.ok(thrown instanceof InvalidArgumentError);
  assert.equal(thrown.code, code, thrown.message);
  if (field !== undefined) {
    assert.equal(thrown.field, field, thrown.message);
    assert.match(thrown.message, new RegExp(field));
  }
  return thrown;
}

const NUMBERS = [
  [NaN, "not_an_integer"],
  [Infinity, "not_an_integer"],
  [1.5, "not_an_integer"],
  [-1, "out_of_range"],
  [2 ** 60, "out_of_range"],
  [undefined, "invalid_type"],
  [null, "invalid_type"],
  ["500", "invalid_type"],
  [500n, "invalid_type"],
  [{}, "invalid_type"],
];

test("bad ttl values are refused with a code naming the ttl, and nothing changes", () => {
  const { engine, fingerprint } = populated();
  const before = fingerprint();
  for (const [ttl, code] of NUMBERS) {
    refuses(() => engine.locks.acquire("lock", "b", ttl), code, "ttl");
    refuses(() => engine.semaphores.acquire("sem", "b", 2, ttl), code, "ttl");
    refuses(() => engine.holds.reserve("ns", ["z"], "b", ttl), code, "ttl");
    assert.equal(fingerprint(), before);
  }
});

test("bad now values are refused whether given or read from the clock", () => {
  const { engine, fingerprint } = populated();
  const before = fingerprint();
  for (const [now, code] of NUMBERS) {
    if (now === undefined) continue; // undefined means: read the clock
    refuses(() => engine.locks.acquire("lock", "b", 5, now), code, "now");
    refuses(() => engine.limits.check("ip", WINDOW, 1, now), code, "now");
    refuses(() => new Engine({ clock: () => now }).locks.inspect("k"), code, "now");
  }
  assert.equal(fingerprint(), before);
});

test("the core's own bounds come back with the core's code and structured fields", () => {
  const { engine, fingerprint } = populated();
  const before = fingerprint();
  const ttl = refuses(() => engine.locks.acquire("lock", "b", 0), "out_of_range", "ttl");
  assert.deepEqual([ttl.value, ttl.min, ttl.max], [0, 1, 366 * 24 * 3600 * 1000]);
  const key = refuses(() => engine.locks.acquire("", "b", 5), "empty", "key");
  assert.equal(key.operation, "locks.acquire");
  const long = refuses(() => engine.locks.acquire("k".repeat(600), "b", 5), "too_long", "key");
  assert.deepEqual([long.len, long.max], [600, 512]);
  const cap = refuses(() => engine.holds.reserve("ns", ["z"], "b", 5, 0), "out_of_range", "maxHolds");
  assert.equal(cap.min, 1);
  refuses(() => engine.holds.reserve("ns", ["z", "z"], "b", 5), "duplicate", "items");
  refuses(() => engine.limits.check("ip", WINDOW, 4), "out_of_range", "cost");
  refuses(() => engine.limits.check("ip", { ...WINDOW, block: { violations: 0, within: 1, blockFor: 1 } }), "out_of_range", "violations");
  refuses(() => engine.locks.acquire("lock", "b", 5, 2 ** 53), "out_of_range", "now");
  refuses(() => engine.locks.acquire("lock", "b", 2, 2 ** 53 - 2), "overflow", "expiresAt");
  assert.equal(fingerprint(), before);
});

test("oversized strings and lists are refused before they are copied into wasm", () => {
  const { engine, fingerprint } = populated();
  const before = fingerprint();
  const huge = "é".repeat(5_000_000);
  const error = refuses(() => engine.locks.acquire(huge, "b", 5), "too_long", "key");
  assert.equal(error.len, 10_000_000);
  refuses(() => engine.limits.check(huge, WINDOW), "too_long", "key");
  refuses(() => engine.holds.reserve("ns", ["a", huge], "b", 5), "too_long", "item");
  refuses(() => engine.holds.reserve("ns", Array.from({ length: 100_000 }, (_, i) => `i${i}`), "b", 5), "too_many", "items");
  assert.equal(fingerprint(), before);
});

test("wrong types anywhere are invalid_type, never a TypeError from the glue", () => {
  const { engine, fingerprint } = populated();
  const before = fingerprint();
  refuses(() => engine.locks.acquire(42, "b", 5), "invalid_type", "key");
  refuses(() => engine.locks.acquire("k", undefined, 5), "invalid_type", "owner");
  refuses(() => engine.holds.reserve("ns", "x", "b", 5), "invalid_type", "items");
  refuses(() => engine.holds.reserve("ns", ["x", 7], "b", 5), "invalid_type", "item");
  refuses(() => engine.limits.check("ip", null), "invalid_type", "limit");
  refuses(() => engine.limits.check("ip", { algorithm: "leakyBucket", quota: 1 }), "invalid_value", "algorithm");
  refuses(() => engine.limits.check("ip", { algorithm: "fixedWindow", quota: 1 }), "invalid_type", "window");
  refuses(() => engine.limits.checkMany(["a", 1], WINDOW), "invalid_type", "key");
  refuses(() => engine.limits.reset("ip", "fixed_window"), "invalid_value", "algorithm");
  refuses(() => new Engine({ clock: 5 }), "invalid_type", "clock");
  refuses(() => new Engine({ hashSeed: -1 }), "out_of_range", "hashSeed");
  assert.equal(fingerprint(), before);
});

test("a batch with one bad key counts none of them and names the key", () => {
  const { engine, fingerprint } = populated();
  const before = fingerprint();
  const error = refuses(() => engine.limits.checkMany(["ip", "other", ""], WINDOW), "empty", "key");
  assert.equal(error.index, 2);
  refuses(() => engine.limits.checkMany(["ip", "other"], WINDOW, 9), "out_of_range", "cost");
  assert.equal(fingerprint(), before);
});

const VALUES = [undefined, null, NaN, -1, 0, 1, 1.5, 2 ** 53, 2 ** 64, Infinity, "", "k", "x".repeat(600), [], ["a"], ["a", "a"], {}, 1n, () => 1, Symbol("s"), true];
const METHODS = [
  (e, a) => e.locks.acquire(a[0], a[1], a[2], a[3]),
  (e, a) => e.locks.release(a[0], a[1], a[2]),
  (e, a) => e.locks.extend(a[0], a[1], a[2], a[3]),
  (e, a) => e.locks.inspect(a[0], a[1]),
  (e, a) => e.semaphores.acquire(a[0], a[1], a[2], a[3], a[4]),
  (e, a) => e.semaphores.release(a[0], a[1], a[2]),
  (e, a) => e.holds.reserve(a[0], a[1], a[2], a[3], a[4], a[5]),
  (e, a) => e.holds.release(a[0], a[1], a[2], a[3]),
  (e, a) => e.holds.check(a[0], a[1], a[2]),
  (e, a) => e.holds.list(a[0], a[1], a[2], a[3]),
  (e, a) => e.holds.sweep(a[0], a[1], a[2]),
  (e, a) => e.limits.check(a[0], { algorithm: "gcra", burst: a[1], interval: a[2] }, a[3], a[4]),
  (e, a) => e.limits.checkMany([a[0], "k"], { algorithm: "tokenBucket", capacity: a[1], refill: a[2], interval: a[3] }, a[4]),
  (e, a) => e.limits.reset(a[0], a[1], a[2]),
  (e, a) => e.apply({ lock: { acquire: { key: a[0], owner: a[1], ttl: a[2] } } }, a[3]),
  (e, a) => e.expire(a[0], a[1]),
];

test("fuzzed arguments only ever throw LeaseholdErrors, and the engine keeps working", () => {
  let seed = 42;
  const random = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const { engine, fingerprint, tick } = populated();
  let thrown = 0;
  for (let round = 0; round < 20_000; round++) {
    const args = Array.from({ length: 6 }, () => VALUES[random(VALUES.length)]);
    try {
      METHODS[random(METHODS.length)](engine, args);
    } catch (error) {
      thrown += 1;
      assert.ok(error instanceof LeaseholdError, `round ${round}: ${error?.stack ?? error}`);
      assert.equal(typeof error.code, "string");
    }
  }
  assert.ok(thrown > 1000);
  tick(0);
  assert.equal(typeof fingerprint(), "string");
  assert.equal(engine.locks.acquire("after-fuzz", "a", 5).kind, "granted");
});
