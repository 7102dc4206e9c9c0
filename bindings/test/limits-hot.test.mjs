// The hot path of rate limits (the limit kept in wasm between calls, keys written in place,
// batches in one crossing) decides exactly what the wire form decides: every limit vector is
// replayed through limits.check / peek / reset, through a bound Limiter and through checkMany,
// on engines that switch limits between steps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine, LeaseholdError, Limiter } from "leasehold";

const dir = join(import.meta.dirname, "../../tests/vectors");
const files = readdirSync(dir).filter((name) => name.startsWith("limit_") && name.endsWith(".json")).sort();

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const NAMES = ["fixedWindow", "slidingLog", "slidingCounter", "tokenBucket", "gcra", "cooldown"];

/** A wire limit (`{"fixed_window": {...}}` and an optional block) as a LimitSpec. */
function spec(algorithm, block) {
  const [name, fields] = Object.entries(algorithm)[0];
  const out = { algorithm: camel(name) };
  for (const [field, value] of Object.entries(fields)) out[camel(field)] = value;
  if (block) out.block = { violations: block.violations, within: block.within, blockFor: block.block_for };
  return out;
}

/** What a typed call gave, in the wire form of a vector's `expect`. */
function wire(call) {
  try {
    const d = call();
    if ("kind" in d) return { ok: d.kind };
    return { ok: { allowed: d.allowed, limit: d.limit, remaining: d.remaining, reset_after: d.resetAfter, retry_after: d.retryAfter } };
  } catch (error) {
    if (!(error instanceof LeaseholdError)) throw error;
    return { err: error.code, field: error.field };
  }
}

/** A vector's `expect`, reduced to what {@link wire} reports. */
function expected(expect) {
  if ("ok" in expect) return { ok: expect.ok };
  return { err: expect.err.code, field: expect.err.field === undefined ? undefined : camel(expect.err.field) };
}

test("there are limit vectors to replay", () => {
  assert.ok(files.length >= 7, files.join(" "));
});

for (const file of files) {
  test(`every limit step of ${file} decides the same through check, a Limiter and checkMany`, () => {
    const vector = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const failures = [];
    let compared = 0;
    for (const c of vector.cases) {
      const clock = () => assert.fail("every step gives now");
      const [typed, bound, many] = [new Engine({ clock }), new Engine({ clock }), new Engine({ clock })];
      c.steps.forEach((step, index) => {
        const [op, f] = Object.entries(step.op.limit ?? {})[0] ?? [];
        if (op === undefined) return;
        const want = expected(step.expect);
        const paths = {};
        if (op === "reset") {
          const reset = (engine) => wire(() => engine.limits.reset(f.key, camel(f.algorithm), step.now));
          paths.typed = reset(typed);
          paths.bound = reset(bound);
          paths.many = reset(many);
        } else {
          const limit = spec(f.algorithm, f.block);
          paths.typed = wire(() => typed.limits[op](f.key, limit, f.cost, step.now));
          let limiter;
          const made = wire(() => {
            limiter = bound.limits.limiter(limit);
            return { kind: "made" };
          });
          // A limiter refuses a bad limit when it is bound, before it sees a key.
          paths.bound = limiter ? wire(() => limiter[op](f.key, f.cost, step.now)) : "err" in want ? want : made;
          paths.many = op === "check"
            ? wire(() => many.limits.checkMany([f.key], limit, f.cost, step.now)[0])
            : wire(() => many.limits.peek(f.key, limit, f.cost, step.now));
        }
        for (const [path, got] of Object.entries(paths)) {
          compared += 1;
          try {
            assert.deepStrictEqual(got, want);
          } catch {
            failures.push(`${c.name} / step ${index} (${path}): ${JSON.stringify(step.op)}\n  expected ${JSON.stringify(want)}\n  got      ${JSON.stringify(got)}`);
          }
        }
      });
    }
    assert.ok(compared > 0, `no limit step in ${file}`);
    assert.deepEqual(failures, [], failures.join("\n"));
  });
}

test("a limit spec changed in place between two checks applies its new numbers", () => {
  const engine = new Engine({ clock: () => 1000 });
  const limit = { algorithm: "fixedWindow", quota: 5, window: 1000 };
  assert.equal(engine.limits.check("k", limit).remaining, 4);
  limit.quota = 2;
  assert.equal(engine.limits.check("k", limit).remaining, 0);
  assert.equal(engine.limits.check("k", limit).allowed, false);
  limit.algorithm = "gcra";
  limit.burst = 3;
  limit.interval = 10;
  assert.equal(engine.limits.check("k", limit).remaining, 2, "another keyspace, another algorithm");
});

test("limiters and specs interleaved on one engine each keep their own limit", () => {
  const engine = new Engine({ clock: () => 1000 });
  const twin = new Engine({ clock: () => 1000 });
  const small = engine.limits.limiter({ algorithm: "fixedWindow", quota: 2, window: 1000 });
  const large = engine.limits.limiter({ algorithm: "fixedWindow", quota: 100, window: 1000 });
  const spec = { algorithm: "fixedWindow", quota: 10, window: 1000 };
  const got = [];
  const want = [];
  for (let i = 0; i < 6; i++) {
    got.push(small.check("a"), large.check("b"), engine.limits.check("c", spec), small.checkMany(["a", "d"])[1]);
    want.push(
      twin.limits.check("a", { algorithm: "fixedWindow", quota: 2, window: 1000 }),
      twin.limits.check("b", { algorithm: "fixedWindow", quota: 100, window: 1000 }),
      twin.limits.check("c", spec),
    );
    twin.limits.check("a", { algorithm: "fixedWindow", quota: 2, window: 1000 }); // the batch counts "a" too
    want.push(twin.limits.check("d", { algorithm: "fixedWindow", quota: 2, window: 1000 }));
  }
  assert.deepStrictEqual(got, want);
  assert.ok(small instanceof Limiter);
  assert.equal(small.algorithm, "fixedWindow");
});

test("a batch of non-ASCII keys larger than any before gives each key its single-check decision", () => {
  const engine = new Engine({ clock: () => 5000 });
  const twin = new Engine({ clock: () => 5000 });
  const limit = { algorithm: "tokenBucket", capacity: 3, refill: 1, interval: 100 };
  for (const size of [1, 7, 300, 5000]) {
    const keys = Array.from({ length: size }, (_, i) => [`user:${i % 50}`, `ключ-${i % 7}`, `😀${i % 3}é`][i % 3]);
    const decisions = engine.limits.checkMany(keys, limit);
    assert.equal(decisions.length, size);
    assert.deepStrictEqual(decisions, keys.map((key) => twin.limits.check(key, limit)), `batch of ${size}`);
  }
});

test("a key too long to write in place is still judged by the core", () => {
  const engine = new Engine({ clock: () => 1 });
  const limiter = engine.limits.limiter({ algorithm: "cooldown", interval: 10 });
  for (const check of [(key) => engine.limits.check(key, { algorithm: "cooldown", interval: 10 }), (key) => limiter.check(key)]) {
    assert.throws(() => check("é".repeat(2000)), (error) => error.code === "too_long" && error.len === 4000);
  }
  assert.ok(engine.isEmpty());
});

test("a limiter refuses a bad limit when bound, and bad arguments on every call, changing nothing", () => {
  const engine = new Engine({ clock: () => 1000 });
  assert.throws(() => engine.limits.limiter({ algorithm: "fixedWindow", quota: 0, window: 1000 }), (e) => e.code === "out_of_range" && e.field === "quota");
  assert.throws(() => engine.limits.limiter({ algorithm: "nope" }), (e) => e.code === "invalid_value" && e.field === "algorithm");
  assert.throws(() => engine.limits.limiter({ algorithm: "gcra", burst: 1.5, interval: 1 }), (e) => e.code === "not_an_integer");
  const limiter = engine.limits.limiter({ algorithm: "fixedWindow", quota: 3, window: 1000 });
  limiter.check("ip");
  const before = JSON.stringify(limiter.peek("ip"));
  const bad = [
    [() => limiter.check(""), "empty", "key"],
    [() => limiter.check(7), "invalid_type", "key"],
    [() => limiter.check("x".repeat(5000)), "too_long", "key"],
    [() => limiter.check("ip", NaN), "not_an_integer", "cost"],
    [() => limiter.check("ip", 1.5), "not_an_integer", "cost"],
    [() => limiter.check("ip", -1), "out_of_range", "cost"],
    [() => limiter.check("ip", 4), "out_of_range", "cost"],
    [() => limiter.check("ip", 1, -5), "out_of_range", "now"],
    [() => limiter.checkMany(["ip", ""]), "empty", "key"],
    [() => limiter.checkMany("ip"), "invalid_type", "keys"],
    [() => limiter.checkMany(["ip"], 1, 2 ** 53 - 10), "overflow", "expiresAt"],
    [() => limiter.checkMany(["ip"], 1, 2 ** 53), "out_of_range", "now"],
    [() => limiter.reset(""), "empty", "key"],
  ];
  for (const [call, code, field] of bad) {
    assert.throws(call, (error) => error instanceof LeaseholdError && error.code === code && error.field === field, `${call}`);
  }
  assert.equal(JSON.stringify(limiter.peek("ip")), before, "state unchanged");
  assert.deepStrictEqual(limiter.reset("ip"), { kind: "forgotten" });
  assert.ok(NAMES.includes(limiter.algorithm));
});

test("a batch whose new keys make wasm memory grow mid-call still reads its own decisions", () => {
  // 50 000 new keys need megabytes of table: the memory grows during the call, which replaces
  // the buffer every view was made on.
  const engine = new Engine({ clock: () => 7000 });
  const twin = new Engine({ clock: () => 7000 });
  const limit = { algorithm: "slidingCounter", quota: 2, window: 1000 };
  for (const round of [0, 1, 2]) {
    const keys = Array.from({ length: 50_000 }, (_, i) => `ip:${round}:${i}`);
    keys.push(keys[0], keys[0]);
    const decisions = engine.limits.checkMany(keys, limit);
    const expected = keys.map((key) => twin.limits.check(key, limit));
    assert.deepStrictEqual(decisions, expected, `round ${round}`);
    assert.equal(decisions.at(-1).allowed, false, "the third check of a key in one window is denied");
  }
});

test("a key checked again after other keys, and after one too long to write in place, is read afresh", () => {
  const engine = new Engine({ clock: () => 1000 });
  const limiter = engine.limits.limiter({ algorithm: "fixedWindow", quota: 3, window: 1000 });
  const remaining = (key) => limiter.check(key).remaining;
  assert.deepEqual([remaining("k"), remaining("k"), remaining("j"), remaining("k")], [2, 1, 2, 0]);
  // 1200 bytes: refused by the core after overwriting the start of the buffer, then passed whole.
  assert.throws(() => limiter.check("é".repeat(600)), (error) => error.code === "too_long" && error.len === 1200);
  assert.deepEqual([limiter.check("k").allowed, remaining("j")], [false, 1]);
  // The same text as another string object is the same key.
  assert.equal(remaining(["j", "x"].join("").slice(0, 1)), 0);
});

test("a spec accepted by the last check and then changed in place to bad numbers is refused, changing nothing", () => {
  const engine = new Engine({ clock: () => 1000 });
  const spec = { algorithm: "tokenBucket", capacity: 5, refill: 1, interval: 100 };
  assert.equal(engine.limits.check("k", spec).remaining, 4);
  const changes = [
    [{ capacity: 0 }, "out_of_range", "capacity"], [{ capacity: 1.5 }, "not_an_integer", "capacity"], [{ refill: "1" }, "invalid_type", "refill"],
    [{ interval: -1 }, "out_of_range", "interval"], [{ algorithm: "nope" }, "invalid_value", "algorithm"],
    [{ block: { violations: 1, within: 0, blockFor: 10 } }, "out_of_range", "within"], [{ block: 3 }, "invalid_type", "block"],
  ];
  for (const [change, code, field] of changes) {
    const saved = { ...spec };
    Object.assign(spec, change);
    for (const call of [() => engine.limits.check("k", spec), () => engine.limits.checkMany(["k"], spec)]) {
      assert.throws(call, (error) => error.code === code && error.field === field, JSON.stringify(change));
    }
    for (const name of Object.keys(spec)) delete spec[name];
    Object.assign(spec, saved);
  }
  assert.equal(engine.limits.check("k", spec).remaining, 3, "only the two good checks counted");
});
