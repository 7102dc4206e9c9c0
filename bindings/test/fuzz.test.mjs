// Random types and values into every method of the built package's Engine: every call either
// returns or throws a LeaseholdError with a string code (never a wasm trap, never a TypeError
// from inside), and a call that throws leaves the engine's state exactly as it was: a snapshot
// through inspect, check, list and peek is compared before and after.
//
// Cases: LEASEHOLD_JS_FUZZ_CASES (default 10 000; `cargo xtask soak` runs 1M); the seed: LEASEHOLD_JS_FUZZ_SEED.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, LeaseholdError } from "leasehold";

const CASES = Number(process.env.LEASEHOLD_JS_FUZZ_CASES ?? 10_000);
const SEED = Number(process.env.LEASEHOLD_JS_FUZZ_SEED ?? 20261122);

/** mulberry32: a small seeded generator, so a failure names a case that can be replayed. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ["k", "s", "ns", "api", "x", "y"];
const ALGORITHMS = ["fixedWindow", "slidingLog", "slidingCounter", "tokenBucket", "gcra", "cooldown", "nope", ""];

function fuzzer(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const int = (n) => Math.floor(random() * n);
  const number = () =>
    pick([0, 1, -1, 1.5, -0, NaN, Infinity, -Infinity, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 500, 1_000_000, int(100_000), -int(1e9)]);
  const string = () =>
    pick(["", ...KEYS, "{}", "a{b}c", "with space", "ключ 🔒", "\u0000", "\ud800", "w".repeat(257), "w".repeat(600)]);
  const limit = () => {
    const spec = { algorithm: pick(ALGORITHMS) };
    for (const field of pick([["quota", "window"], ["capacity", "refill", "interval"], ["burst", "interval"], ["interval"], []])) {
      spec[field] = random() < 0.8 ? number() : value(1);
    }
    if (random() < 0.3) spec.block = random() < 0.7 ? { violations: number(), within: number(), blockFor: number() } : value(1);
    return spec;
  };
  function value(depth = 0) {
    switch (int(depth > 1 ? 9 : 12)) {
      case 0: return undefined;
      case 1: return null;
      case 2: return random() < 0.5;
      case 3: case 4: return number();
      case 5: case 6: return string();
      case 7: return pick([5n, -1n, 2n ** 64n]);
      case 8: return pick([Symbol("s"), () => 1, new Date(0), /x/]);
      case 9: return Array.from({ length: pick([0, 1, 2, 3, 1001]) }, () => (random() < 0.7 ? string() : value(depth + 1)));
      case 10: return limit();
      default: return pick([{}, { toString: () => "k" }, { cursor: value(depth + 1) }, new Proxy({}, {})]);
    }
  }
  return { pick, int, number, string, limit, value };
}

/** Every method, with a generator of plausible arguments (then randomly corrupted). */
const METHODS = [
  ["locks.acquire", (f) => [f.string(), f.string(), f.number(), f.number()]],
  ["locks.release", (f) => [f.string(), f.string(), f.number()]],
  ["locks.extend", (f) => [f.string(), f.string(), f.number(), f.number()]],
  ["locks.inspect", (f) => [f.string(), f.number()]],
  ["semaphores.acquire", (f) => [f.string(), f.string(), f.number(), f.number(), f.number()]],
  ["semaphores.release", (f) => [f.string(), f.string(), f.number()]],
  ["semaphores.extend", (f) => [f.string(), f.string(), f.number(), f.number()]],
  ["semaphores.inspect", (f) => [f.string(), f.number()]],
  ["holds.reserve", (f) => [f.string(), [f.string(), f.string()], f.string(), f.number(), f.value(), f.number()]],
  ["holds.release", (f) => [f.string(), [f.string()], f.string(), f.number()]],
  ["holds.extend", (f) => [f.string(), [f.string()], f.string(), f.number(), f.number()]],
  ["holds.forceRelease", (f) => [f.string(), [f.string()], f.number()]],
  ["holds.check", (f) => [f.string(), [f.string()], f.number()]],
  ["holds.list", (f) => [f.string(), f.number(), f.value(), f.number()]],
  ["holds.sweep", (f) => [f.string(), f.number(), f.number()]],
  ["limits.check", (f) => [f.string(), f.limit(), f.number(), f.number()]],
  ["limits.peek", (f) => [f.string(), f.limit(), f.number(), f.number()]],
  ["limits.checkMany", (f) => [[f.string(), f.string()], f.limit(), f.number(), f.number()]],
  ["limits.reset", (f) => [f.string(), f.pick(ALGORITHMS), f.number()]],
  ["expire", (f) => [f.number(), f.number()]],
  ["now", () => []],
  ["isEmpty", () => []],
];

function call(engine, path, args) {
  const [table, method] = path.includes(".") ? path.split(".") : [null, path];
  const target = table ? engine[table] : engine;
  return target[method](...args);
}

const NOW = 1_000_000;
const SPEC = { algorithm: "slidingLog", quota: 3, window: 1_000 };

function populated() {
  const engine = new Engine({ clock: () => NOW });
  engine.locks.acquire("k", "a", 5_000);
  engine.semaphores.acquire("s", "a", 2, 5_000);
  engine.holds.reserve("ns", ["x", "y"], "a", 5_000);
  engine.limits.check("api", SPEC);
  return engine;
}

/** Everything observable about the pool of keys, at the engine's own clock. */
function snapshot(engine) {
  return JSON.stringify([
    KEYS.map((key) => engine.locks.inspect(key)),
    KEYS.map((key) => engine.semaphores.inspect(key)),
    KEYS.map((ns) => engine.holds.check(ns, KEYS)),
    KEYS.map((ns) => engine.holds.list(ns, 100)),
    KEYS.map((key) => engine.limits.peek(key, SPEC)),
    engine.isEmpty(),
  ]);
}

test(`${CASES} random calls: no trap, every error a LeaseholdError with a code, and a refused call changes nothing`, () => {
  const random = generator(SEED);
  const f = fuzzer(random);
  let engine = populated();
  let before = snapshot(engine);
  const tally = { returned: 0, refused: 0 };
  for (let i = 0; i < CASES; i++) {
    if (i % 500 === 0) {
      engine = populated();
      before = snapshot(engine);
    }
    const [path, plausible] = f.pick(METHODS);
    const args = plausible(f);
    // Corrupt some arguments, drop some, add some.
    for (let j = 0; j < args.length; j++) if (random() < 0.25) args[j] = f.value();
    if (random() < 0.1) args.length = f.int(args.length + 1);
    if (random() < 0.05) args.push(f.value());
    let thrown = null;
    try {
      call(engine, path, args);
    } catch (error) {
      thrown = error;
    }
    if (thrown === null) {
      tally.returned++;
      before = snapshot(engine);
      continue;
    }
    tally.refused++;
    const shown = () => `case ${i} (seed ${SEED}): ${path}(${args.map((a) => typeof a).join(", ")}) threw ${thrown?.stack ?? thrown}`;
    assert.ok(!(thrown instanceof WebAssembly.RuntimeError), `wasm trap: ${shown()}`);
    assert.ok(thrown instanceof LeaseholdError, `not a LeaseholdError: ${shown()}`);
    assert.equal(typeof thrown.code, "string", shown());
    assert.ok(thrown.message.length > 0, shown());
    assert.equal(snapshot(engine), before, `state changed by a refused call: ${shown()}`);
  }
  assert.ok(tally.returned > CASES / 20 && tally.refused > CASES / 20, `too one-sided: ${JSON.stringify(tally)}`);
});
