// The Redis driver beyond the vectors: the typed API on the server clock through both clients,
// the key layout operators see, hold events in the stream, NOSCRIPT after SCRIPT FLUSH, bad
// input refused before any I/O, the scripts taken from the build, and a dead Redis answered by
// the failure policy (or a typed error) without hanging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Redis from "ioredis";
import { createClient } from "redis";
import { Engine, InvalidArgumentError, RedisDriverError, RedisEngine } from "leasehold";
import { serveBothClients, startRedis, deadClients, refusal } from "./redis-server.mjs";

const shared = serveBothClients();
const { clients } = shared;

const LOGIN = { algorithm: "fixedWindow", quota: 2, window: 60_000 };

for (const kind of ["ioredis", "node-redis"]) {
  test(`through ${kind}, a lock on the server clock is granted, denied to another owner, then released`, async () => {
    const engine = new RedisEngine({ client: clients[kind], prefix: `typed-${kind}` });
    const granted = await engine.locks.acquire("lockTrade:42", "worker-a", 60_000);
    assert.equal(granted.kind, "granted");
    assert.ok(granted.fence >= 1_000_000 && granted.expiresAt > Date.now() - 60_000, JSON.stringify(granted));
    const denied = await engine.locks.acquire("lockTrade:42", "worker-b", 60_000);
    assert.equal(denied.kind, "denied");
    assert.ok(denied.retryAfter > 0 && denied.retryAfter <= 60_000);
    assert.deepEqual(await engine.locks.release("lockTrade:42", "worker-b"), { kind: "notHolder" });
    assert.deepEqual(await engine.locks.release("lockTrade:42", "worker-a"), { kind: "released", fence: granted.fence });
  });

  test(`through ${kind}, keys follow the Rust adapter's layout, braces escaped in the hash tag`, async () => {
    const engine = new RedisEngine({ client: clients[kind], prefix: `layout-${kind}`, clock: () => 1_000 });
    await engine.locks.acquire("a}b", "w", 5_000);
    await engine.limits.check("login_ip:1.2.3.4", LOGIN);
    await engine.limits.check("k", { algorithm: "slidingLog", quota: 2, window: 1_000 });
    const keys = (await clients.ioredis.keys(`layout-${kind}:*`)).sort();
    assert.deepEqual(keys, [
      `layout-${kind}:limit:fixed_window:{login_ip:1.2.3.4}`,
      `layout-${kind}:limit:sliding_log:{k}`,
      `layout-${kind}:limit:sliding_log:{k}:log`,
      `layout-${kind}:lock:{a%7Db}`,
    ]);
  });

  test(`through ${kind}, a limit admits its quota and then denies with a retry time`, async () => {
    const engine = new RedisEngine({ client: clients[kind], prefix: `limit-${kind}`, clock: () => 10_000 });
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await engine.limits.check("login_ip:1.2.3.4", LOGIN));
    assert.deepEqual(decisions.map((d) => [d.allowed, d.remaining]), [[true, 1], [true, 0], [false, 0]]);
    assert.equal(decisions[2].retryAfter, 60_000);
    assert.deepEqual(await engine.limits.reset("login_ip:1.2.3.4", "fixedWindow"), { kind: "forgotten" });
  });

  test(`through ${kind}, hold writes append their events to the namespace's stream and publish reserves`, async () => {
    const prefix = `events-${kind}`;
    const engine = new RedisEngine({ client: clients[kind], prefix, clock: () => 1_000, holdEvents: { channel: `${prefix}-reserved` } });
    const listener = new Redis(shared.server.port, "127.0.0.1");
    const heard = new Promise((resolve) => listener.on("message", (channel) => resolve(channel)));
    await listener.subscribe(`${prefix}-reserved`);
    const reserved = await engine.holds.reserve("reserved-assets_730", ["a1", "a2"], "user-1", 500);
    assert.equal(reserved.kind, "reserved");
    assert.equal(await heard, `${prefix}-reserved`);
    listener.disconnect();
    const released = await engine.holds.release("reserved-assets_730", ["a1"], "user-1", 1_100);
    assert.equal(released.items[0].kind, "released");
    const entries = await clients.ioredis.xrange(`${prefix}:hold:{reserved-assets_730}:events`, "-", "+");
    assert.deepEqual(entries.map(([, fields]) => [fields[1], fields[3]]), [["reserved", "a1"], ["reserved", "a2"], ["released", "a1"]]);
    const page = await engine.holds.list("reserved-assets_730", 10, null, 1_200);
    assert.deepEqual(page.holds.map((h) => h.item), ["a2"]);
  });

  test(`through ${kind}, a script flushed from Redis is loaded again and the call succeeds`, async () => {
    const engine = new RedisEngine({ client: clients[kind], prefix: `noscript-${kind}`, clock: () => 1_000 });
    await engine.load();
    await clients.ioredis.script("FLUSH");
    assert.deepEqual(await clients.ioredis.script("EXISTS", sha("lock_acquire")), [0]);
    const granted = await engine.locks.acquire("k", "a", 500);
    assert.equal(granted.kind, "granted");
    assert.deepEqual(await clients.ioredis.script("EXISTS", sha("lock_acquire")), [1]);
  });
}

const scriptsJson = JSON.parse(readFileSync(join(import.meta.dirname, "../pkg/scripts.json"), "utf8"));
function sha(name) {
  return scriptsJson.find((s) => s.name === name).sha1;
}

test("the package's scripts are the Rust crate's, each with the SHA-1 Redis gives it", async () => {
  const names = scriptsJson.map((s) => s.name).sort();
  const rust = readFileSync(join(import.meta.dirname, "../../crates/scripts/src/lib.rs"), "utf8");
  const declared = [...rust.matchAll(/= "([a-z_]+)" ports/g)].map((m) => m[1]).sort();
  assert.deepEqual(names, declared);
  for (const script of scriptsJson) {
    assert.equal(script.sha1, createHash("sha1").update(script.source).digest("hex"), script.name);
    assert.equal(await clients.ioredis.script("LOAD", script.source), script.sha1, script.name);
  }
});

test("bad input throws the in-memory engine's error before anything is sent", async () => {
  const sent = [];
  const engine = new RedisEngine({ client: { send: async (command, args) => { sent.push(command, args); return null; } } });
  await assert.rejects(async () => engine.locks.acquire("", "a", 500), (error) => error instanceof InvalidArgumentError && error.code === "empty" && error.field === "key");
  await assert.rejects(async () => engine.limits.check("k", { algorithm: "fixedWindow", quota: 0, window: 1 }), (error) => error.code === "out_of_range" && error.field === "quota");
  await assert.rejects(async () => engine.holds.reserve("ns", ["a", "a"], "u", 5), (error) => error.code === "duplicate");
  await assert.rejects(async () => engine.locks.acquire("k", "a", Number.NaN), (error) => error.code === "not_an_integer");
  assert.deepEqual(await engine.apply({ lock: { acquire: { key: "k", owner: "a" } } }, 0), { err: { code: "invalid_request", message: "missing field `ttl` in lock.acquire" } });
  assert.deepEqual(sent, []);
  assert.throws(() => new RedisEngine({ client: {}, prefix: "x" }), (error) => error.code === "invalid_type" && error.field === "client");
  assert.throws(() => new RedisEngine({ client: clients.ioredis, prefix: "a{b" }), (error) => error.code === "invalid_value" && error.field === "prefix");
  assert.throws(() => new RedisEngine({ client: clients.ioredis, onUnavailable: "maybe" }), (error) => error.code === "invalid_value");
});

test("a limit and cost accepted once are not taken on trust for any other value, nor for a changed limit object", async () => {
  const sent = [];
  const engine = new RedisEngine({ client: { send: async (command, args) => {
    sent.push(args);
    return ["decision", 1, 10, 9, 60_000, 0];
  } } });
  const reference = new Engine();
  const refused = async (call, expected) => {
    await assert.rejects(async () => call(), (error) => {
      assert.deepEqual([error.name, error.code, error.field, error.message], [expected.name, expected.code, expected.field, expected.message]);
      return true;
    });
  };
  const limit = { algorithm: "fixedWindow", quota: 10, window: 60_000 };
  await engine.limits.check("a", limit);
  await engine.limits.check("b", limit);
  assert.deepEqual(sent[1], sent[0].map((arg) => (arg === "a" || arg === "{a}" ? "b" : arg.replace("{a}", "{b}"))), "the same call for another key");
  const cases = [
    ["", limit, 1], ["€".repeat(171), limit, 1], [7, limit, 1], ["k", limit, 0], ["k", limit, 11], ["k", limit, 1.5],
    ["k", { ...limit, quota: 0 }, 1], ["k", { ...limit, window: -1 }, 1], ["k", { ...limit, algorithm: "nope" }, 1],
    ["k", { algorithm: "gcra", burst: 10, interval: 0 }, 1], ["k", { ...limit, block: { violations: 0, within: 1, blockFor: 1 } }, 1],
    ["k", { ...limit, block: 5 }, 1], ["k", null, 1],
  ];
  for (const [key, spec, cost] of cases) {
    await refused(() => engine.limits.check(key, spec, cost), refusal(() => reference.limits.check(key, spec, cost, 0)));
  }
  await refused(() => engine.limits.check("k", limit, 1, 2 ** 53), refusal(() => reference.limits.check("k", limit, 1, 2 ** 53)));
  // The object accepted, changed in place, is judged again.
  limit.quota = 0;
  await refused(() => engine.limits.check("k", limit), refusal(() => reference.limits.check("k", limit, 1, 0)));
  limit.quota = 10;
  limit.block = { violations: 2, within: 1_000, blockFor: -5 };
  await refused(() => engine.limits.check("k", limit), refusal(() => reference.limits.check("k", limit, 1, 0)));
  assert.equal(sent.length, 2, "nothing refused was sent");
  // A changed limit that is valid is sent with its own numbers.
  limit.block = { violations: 2, within: 1_000, blockFor: 5_000 };
  limit.quota = 20;
  await engine.limits.check("k", limit);
  assert.deepEqual(sent[2].slice(-7), ["20", "60000", "", "2", "1000", "5000", "1"]);
});

test("an error reply that is not leasehold's is a typed redis_server error", async () => {
  const engine = new RedisEngine({ client: { send: async () => { throw Object.assign(new Error("OOM command not allowed"), { name: "ReplyError" }); } } });
  await assert.rejects(() => engine.locks.acquire("k", "a", 500), (error) => error instanceof RedisDriverError && error.code === "redis_server");
});


test("a dead Redis gives each policy's distinct outcome or a typed error, through both clients, without hanging", async () => {
  const dead = await deadClients();
  try {
    for (const kind of ["ioredis", "node-redis"]) {
      const client = dead[kind];
      const throwing = new RedisEngine({ client, timeout: 500 });
      await assert.rejects(() => throwing.limits.check("k", LOGIN), (error) => error instanceof RedisDriverError && error.unreachable, kind);

      const open = await new RedisEngine({ client, onUnavailable: "open", timeout: 500 }).limits.check("k", LOGIN);
      assert.equal(open.degraded, "open", kind);
      assert.equal(open.allowed, true);
      assert.ok(open.cause instanceof RedisDriverError && open.cause.unreachable);
      assert.equal(open.remaining, undefined, "no fake decision");

      const closed = await new RedisEngine({ client, onUnavailable: "closed", timeout: 500 }).locks.acquire("k", "a", 500);
      assert.deepEqual([closed.degraded, closed.allowed], ["closed", false], kind);

      const fallback = new Engine({ clock: () => 5_000 });
      const memory = new RedisEngine({ client, onUnavailable: "memory", fallback, clock: () => 5_000, timeout: 500 });
      const first = await memory.locks.acquire("k", "a", 500);
      const second = await memory.locks.acquire("k", "b", 500);
      assert.deepEqual([first.degraded, first.allowed, first.outcome.kind], ["memory", true, "granted"], kind);
      assert.deepEqual([second.degraded, second.allowed, second.outcome.kind], ["memory", false, "denied"], kind);
      assert.equal(fallback.locks.inspect("k").kind, "held", "the fallback engine holds the state");
      const wire = await memory.apply({ limit: { check: { key: "w", algorithm: { fixed_window: { quota: 1, window: 10 } }, cost: 1 } } });
      assert.equal(wire.degraded, "memory");
      assert.deepEqual(wire.outcome, { ok: { allowed: true, limit: 1, remaining: 0, reset_after: 10, retry_after: 0 } });
    }
  } finally {
    dead.close();
  }
});

test("a Redis that never answers times out with redis_timeout, or the policy's outcome", async () => {
  const silent = { send: () => new Promise(() => {}) };
  await assert.rejects(() => new RedisEngine({ client: silent, timeout: 50 }).locks.acquire("k", "a", 5), (error) => error.code === "redis_timeout");
  const open = await new RedisEngine({ client: silent, timeout: 50, onUnavailable: "open" }).limits.check("k", LOGIN);
  assert.deepEqual([open.degraded, open.allowed, open.cause.code], ["open", true, "redis_timeout"]);
});

test("among calls in flight together, exactly those that never get a reply time out, and the others keep their replies", { timeout: 10_000 }, async () => {
  let calls = 0;
  let silent = false;
  const client = { send: () => (++calls % 3 === 0 || silent ? new Promise(() => {}) : Promise.resolve(["decision", 1, 2, 1, 10, 0])) };
  const engine = new RedisEngine({ client, timeout: 50 });
  const settled = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => engine.limits.check(`k${i}`, LOGIN)));
  const outcomes = settled.map((result) => (result.status === "fulfilled" ? result.value.remaining : result.reason.code));
  assert.deepEqual(outcomes, Array.from({ length: 30 }, (_, i) => ((i + 1) % 3 === 0 ? "redis_timeout" : 1)));
  // A later call is watched afresh once the timer has stopped.
  silent = true;
  await assert.rejects(() => engine.limits.check("k", LOGIN), (error) => error.code === "redis_timeout");
});

test("no declaration of the Redis driver uses any", () => {
  const dir = join(import.meta.dirname, "../pkg/types/redis");
  const offenders = [];
  const files = readdirSync(dir).filter((name) => name.endsWith(".d.ts"));
  assert.ok(files.includes("redis-engine.d.ts"), files.join(" "));
  for (const file of files) {
    const code = readFileSync(join(dir, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    code.split("\n").forEach((line, index) => {
      if (/\bany\b/.test(line)) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test("a Redis that goes away answers the policy through both clients, and serves again once it is back", async () => {
  const own = await startRedis();
  const io = new Redis(own.port, "127.0.0.1", { retryStrategy: () => 50 });
  io.on("error", () => {});
  const node = createClient({ url: own.url, socket: { reconnectStrategy: () => 50 } });
  node.on("error", () => {});
  await node.connect();
  let restarted;
  try {
    const engines = [io, node].map((client) => new RedisEngine({ client, onUnavailable: "closed", timeout: 500, clock: () => 1_000 }));
    for (const engine of engines) assert.equal((await engine.limits.check(`k-${engine.client}`, LOGIN)).allowed, true);
    await own.stop();
    for (const engine of engines) {
      const answer = await engine.limits.check(`k-${engine.client}`, LOGIN);
      assert.deepEqual([answer.degraded, answer.allowed], ["closed", false], engine.client);
    }
    // The same port again: both clients reconnect by themselves, and the scripts load again.
    restarted = await startRedis(own.port);
    for (const engine of engines) {
      let answer;
      for (let attempt = 0; attempt < 100; attempt++) {
        answer = await engine.limits.check(`k-${engine.client}`, LOGIN);
        if (!("degraded" in answer)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual([answer.degraded, answer.allowed, answer.remaining], [undefined, true, 1], engine.client);
    }
  } finally {
    io.disconnect();
    await node.close().catch(() => {});
    await restarted?.stop();
  }
});


test("the driver encodes every valid vector step exactly as the Rust adapter (pinned digests)", async () => {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  const { encode } = require("../pkg/cjs/redis/encode.js");
  const { Layout } = require("../pkg/cjs/redis/layout.js");
  const pinned = JSON.parse(readFileSync(join(import.meta.dirname, "../../crates/redis/tests/encodings.json"), "utf8"));
  const dir = join(import.meta.dirname, "../../tests/vectors");
  assert.ok(Object.keys(pinned).length >= 10);
  const layout = new Layout();
  for (const [file, digest] of Object.entries(pinned)) {
    const vector = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const lines = [];
    for (const step of vector.cases.flatMap((c) => c.steps)) {
      if (!("ok" in step.expect)) continue;
      const call = encode(layout, { maxlen: 10_000, channel: "" }, step.op, String(step.now));
      lines.push(JSON.stringify([call.script, call.keys, call.args]));
    }
    assert.equal(createHash("sha1").update(lines.join("\n")).digest("hex"), digest, file);
  }
});

test("typed limit checks on Redis decide as the in-memory engine does, for every algorithm, through both clients", async () => {
  const block = { violations: 2, within: 5_000, blockFor: 7_000 };
  const specs = [
    { algorithm: "fixedWindow", quota: 3, window: 1_000, block },
    { algorithm: "slidingLog", quota: 3, window: 1_000 },
    { algorithm: "slidingCounter", quota: 3, window: 1_000, block },
    { algorithm: "tokenBucket", capacity: 3, refill: 1, interval: 400 },
    { algorithm: "gcra", burst: 3, interval: 300, block },
    { algorithm: "cooldown", interval: 700 },
  ];
  for (const kind of ["ioredis", "node-redis"]) {
    for (const spec of specs) {
      let now = 10_000;
      const memory = new Engine({ clock: () => now });
      const redis = new RedisEngine({ client: clients[kind], prefix: `typed-limits-${kind}`, clock: () => now });
      for (let step = 0; step < 24; step++) {
        const cost = spec.algorithm === "cooldown" ? 1 : 1 + (step % 2);
        const method = step % 5 === 4 ? "peek" : "check";
        const expected = memory.limits[method]("k", spec, cost);
        assert.deepEqual(await redis.limits[method]("k", spec, cost), expected, `${kind} ${spec.algorithm} step ${step}`);
        now += 130;
      }
      assert.deepEqual(await redis.limits.reset("k", spec.algorithm), memory.limits.reset("k", spec.algorithm));
    }
  }
});

test("the npm tarball carries the scripts the driver runs", async () => {
  const { execFileSync } = await import("node:child_process");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const packed = JSON.parse(execFileSync(npm, ["pack", join(import.meta.dirname, "../pkg"), "--dry-run", "--json"], { encoding: "utf8" }));
  const files = packed[0].files.map((file) => file.path);
  assert.ok(files.includes("scripts.json"), files.join(" "));
  assert.ok(files.includes("cjs/redis/redis-engine.js") && files.includes("types/redis/redis-engine.d.ts"), files.join(" "));
});

test("bad lease and hold input throws exactly what the in-memory engine throws, with nothing sent", async () => {
  const sent = [];
  const redis = new RedisEngine({ client: { send: async (command) => { sent.push(command); return null; } }, clock: () => 1_000 });
  const memory = new Engine({ clock: () => 1_000 });
  const long = "é".repeat(300);
  const calls = [
    ["locks", "acquire", ["", "a", 5]], ["locks", "acquire", [7, "a", 5]], ["locks", "acquire", ["k", long, 5]],
    ["locks", "acquire", ["k", "a", 0]], ["locks", "acquire", ["k", "a", 1.5]], ["locks", "acquire", ["k", "a", 5, 2 ** 53]],
    ["locks", "acquire", ["k", "a", 5, 2 ** 53 - 2]], ["locks", "release", ["k", ""]], ["locks", "extend", ["k", "a", -1]],
    ["locks", "inspect", [long + long]], ["semaphores", "acquire", ["k", "a", 0, 5]], ["semaphores", "acquire", ["k", "a", 2, "5"]],
    ["semaphores", "release", ["", "a"]], ["semaphores", "extend", ["k", "a", 31_622_400_001]], ["semaphores", "inspect", [""]],
    ["holds", "reserve", ["ns", [], "u", 5]], ["holds", "reserve", ["ns", ["a"], "u", 5, 0]], ["holds", "list", ["ns", 0]],
    ["holds", "sweep", ["", 1]], ["limits", "check", ["k", { algorithm: "gcra", burst: 0, interval: 1 }]],
  ];
  for (const [table, method, args] of calls) {
    let expected;
    try {
      memory[table][method](...args);
    } catch (error) {
      expected = error;
    }
    assert.ok(expected, `${table}.${method}(${JSON.stringify(args)}) is refused in memory`);
    await assert.rejects(async () => redis[table][method](...args), (error) => {
      assert.equal(error.constructor, expected.constructor);
      assert.equal(error.message, expected.message);
      assert.deepEqual({ ...error }, { ...expected });
      return true;
    }, `${table}.${method}(${JSON.stringify(args)})`);
  }
  assert.deepEqual(sent, []);
});
