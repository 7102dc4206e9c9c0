// The typed lock and semaphore methods read Redis's replies straight into their outcomes; this
// replays a seeded random walk of them through both clients and on the in-memory engine, at the
// same explicit `now`, and asks for the same outcome at every step (every variant: granted,
// reacquired, denied, released, extended, notHolder, expired, held, free), and for the same
// error on a malformed reply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, RedisDriverError, RedisEngine } from "leasehold";
import { serveBothClients, refusal } from "./redis-server.mjs";

const shared = serveBothClients();
const { clients } = shared;

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One step of the walk: the method to call and its arguments, `now` last. */
function steps(count, seed) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const out = [];
  let now = 1_000_000;
  for (let i = 0; i < count; i++) {
    now += Math.floor(next() * 400);
    const key = pick(["a", "b", "c"]);
    const owner = pick(["w1", "w2", "w3"]);
    const ttl = 100 + Math.floor(next() * 900);
    const table = pick(["locks", "semaphores"]);
    const op = pick(["acquire", "acquire", "extend", "release", "inspect"]);
    const args = op === "acquire"
      ? (table === "locks" ? [key, owner, ttl] : [key, owner, 2, ttl])
      : op === "extend" ? [key, owner, ttl]
        : op === "release" ? [key, owner] : [key];
    out.push({ table, op, args: [...args, now] });
  }
  return out;
}

for (const kind of ["ioredis", "node-redis"]) {
  test(`through ${kind}, every typed lease outcome equals the in-memory engine's at the same now`, async () => {
    const redis = new RedisEngine({ client: clients[kind], prefix: `typed-leases-${kind}` });
    const memory = new Engine();
    const seen = new Set();
    for (const [index, step] of steps(600, 42).entries()) {
      const expected = memory[step.table][step.op](...step.args);
      const actual = await redis[step.table][step.op](...step.args);
      assert.deepEqual(actual, expected, `step ${index}: ${step.table}.${step.op}(${step.args.join(", ")})`);
      seen.add(`${step.op} ${expected.kind}${expected.reacquired ? " reacquired" : ""}`);
    }
    for (const variant of ["acquire granted", "acquire granted reacquired", "acquire denied", "release released", "release notHolder",
      "release expired", "extend extended", "extend notHolder", "extend expired", "inspect held", "inspect free"]) {
      assert.ok(seen.has(variant), `the walk reached ${variant}: ${[...seen].join(", ")}`);
    }
  });
}

test("a malformed lease reply is a redis_protocol error, never a made-up outcome", async () => {
  const replies = [["granted", 1], ["granted", "x", 2, 0], ["held", 1], ["free?"], [], "granted", [7]];
  for (const reply of replies) {
    const engine = new RedisEngine({ client: { send: async () => reply } });
    await assert.rejects(engine.locks.acquire("k", "a", 500, 1), (error) => error instanceof RedisDriverError && error.code === "redis_protocol", JSON.stringify(reply));
    await assert.rejects(engine.semaphores.inspect("k", 1), (error) => error instanceof RedisDriverError && error.code === "redis_protocol", JSON.stringify(reply));
  }
});

test("arguments the checker accepted once are not taken on trust for any other value", async () => {
  let sent = 0;
  const engine = new RedisEngine({ client: { send: async (command, args) => {
    sent++;
    return args.length === 6 ? ["released", 1_000_000] : ["granted", 1_000_000, 5_000, 0];
  } } });
  const reference = new Engine();
  const refused = (call, expected) => assert.throws(call, (error) => {
    assert.deepEqual([error.name, error.code, error.field, error.message], [expected.name, expected.code, expected.field, expected.message]);
    return true;
  });
  assert.equal((await engine.locks.acquire("k", "a", 500)).kind, "granted");
  assert.equal((await engine.locks.release("k", "a")).kind, "released");
  for (const ttl of [0, 2 ** 53 - 1]) {
    refused(() => engine.locks.extend("k", "a", ttl), refusal(() => reference.locks.extend("k", "a", ttl, 0)));
    refused(() => engine.locks.acquire("k", "a", ttl), refusal(() => reference.locks.acquire("k", "a", ttl, 0)));
  }
  refused(() => engine.locks.release("k", ""), refusal(() => reference.locks.release("k", "", 0)));
  refused(() => engine.locks.release("", "a"), refusal(() => reference.locks.release("", "a", 0)));
  refused(() => engine.locks.release("k", "a", 2 ** 53), refusal(() => reference.locks.release("k", "a", 2 ** 53)));
  refused(() => engine.semaphores.acquire("k", "a", 0, 500), refusal(() => reference.semaphores.acquire("k", "a", 0, 500, 0)));
  // An owner accepted once vouches for no key: 171 three-byte characters are 513 bytes.
  const long = "€".repeat(171);
  refused(() => engine.locks.acquire(long, "a", 500), refusal(() => reference.locks.acquire(long, "a", 500, 0)));
  refused(() => engine.locks.release(long, "a"), refusal(() => reference.locks.release(long, "a", 0)));
  refused(() => engine.locks.acquire(["k"], "a", 500), refusal(() => reference.locks.acquire(["k"], "a", 500, 0)));
  assert.equal(sent, 2, "nothing refused was sent");
  // Another key of the same owner is checked by its length alone, and sent.
  assert.equal((await engine.locks.acquire("é".repeat(256), "a", 500)).kind, "granted");
  assert.equal(sent, 3);
});
