// The rate-limit middleware on a RedisEngine, over real HTTP on loopback, against a real
// redis-server of its own (free loopback port, stopped by PID): headers equal to the outcome
// Redis gave, through both clients, and a dead Redis answered by each failure policy.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { Engine, RedisEngine, rateLimit } from "leasehold";
import { serveBothClients, deadClients } from "./redis-server.mjs";

const DEGRADED_HEADER = "leasehold-degraded";

const shared = serveBothClients();
const { clients } = shared;

async function serve(handler) {
  const http_ = http.createServer(handler);
  await new Promise((resolve) => http_.listen(0, "127.0.0.1", resolve));
  const { port } = http_.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => http_.close(resolve)) };
}

const LIMIT = { algorithm: "fixedWindow", quota: 2, window: 10_000 };
const seconds = (ms) => String(Math.ceil(ms / 1000));

/** The rate-limit headers of a response, and those a decision calls for. */
const headersOf = (response) => ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"].map((name) => response.headers.get(name));
const headersFor = (d) => [String(d.limit), String(d.remaining), seconds(d.resetAfter), d.allowed ? null : seconds(d.retryAfter)];

for (const kind of ["ioredis", "node-redis"]) {
  test(`through ${kind}, a plain http server answers 429 with headers equal to the decision Redis gave`, async () => {
    let now = 1_000_000;
    const engine = new RedisEngine({ client: clients[kind], prefix: `mw-${kind}`, clock: () => now });
    // What Redis decided for each request, seen through onLimited and a second engine's peek.
    const mirror = new RedisEngine({ client: clients[kind], prefix: `mw-${kind}`, clock: () => now });
    const limiter = rateLimit({ engine, limit: LIMIT, key: (req) => req.headers["x-client"] ?? "anonymous" });
    const app = await serve(async (req, res) => {
      if (await limiter(req, res)) res.end("ok");
    });
    try {
      const get = (client = "a") => fetch(app.url, { headers: { "x-client": client } });
      const first = await get();
      assert.deepEqual([first.status, await first.text()], [200, "ok"]);
      assert.deepEqual(headersOf(first), ["2", "1", "10", null]);
      assert.equal(first.headers.get(DEGRADED_HEADER), null);
      now += 1;
      assert.equal((await get()).status, 200);
      now += 2_500;
      // A peek at the same instant gives the decision the next check will give.
      const expected = await mirror.limits.peek("a", LIMIT);
      assert.equal(expected.allowed, false);
      const denied = await get();
      assert.deepEqual([denied.status, await denied.text()], [429, "Too Many Requests"]);
      assert.deepEqual(headersOf(denied), headersFor(expected));
      assert.deepEqual(headersOf(denied), ["2", "0", "8", "8"], "7499 ms left in the window round up to 8 s");
      assert.equal((await get("b")).status, 200, "another client has its own quota");
      now += 7_499;
      assert.equal((await get()).status, 200, "the window has passed");
    } finally {
      await app.close();
    }
  });
}

test("Express-style use on Redis calls next when admitted and hands a bad key to next", async () => {
  const engine = new RedisEngine({ client: clients.ioredis, prefix: "mw-next", clock: () => 5_000 });
  const limiter = rateLimit({ engine, limit: { algorithm: "cooldown", interval: 3_000 }, key: (req) => req.url.slice(1) });
  const app = await serve((req, res) => {
    limiter(req, res, (error) => {
      res.statusCode = error ? 400 : 200;
      res.end(error ? error.code : "next");
    });
  });
  try {
    const ok = await fetch(`${app.url}coupon`);
    assert.deepEqual([ok.status, await ok.text()], [200, "next"]);
    const again = await fetch(`${app.url}coupon`);
    assert.deepEqual([again.status, again.headers.get("retry-after")], [429, "3"]);
    await again.text();
    const empty = await fetch(app.url);
    assert.deepEqual([empty.status, await empty.text()], [400, "empty"]);
  } finally {
    await app.close();
  }
});

test("a bad limit is refused when the Redis middleware is made, before anything is sent", () => {
  let sent = 0;
  const engine = new RedisEngine({ client: { send: async () => { sent++; return null; } } });
  assert.throws(() => rateLimit({ engine, limit: { algorithm: "fixedWindow", quota: 0, window: 1 }, key: () => "k" }), { code: "out_of_range", field: "quota" });
  assert.throws(() => rateLimit({ engine: {}, limit: LIMIT, key: () => "k" }), { code: "invalid_type", field: "engine" });
  assert.equal(sent, 0);
});


test("on a dead Redis, each failure policy answers distinctly over HTTP, marked as degraded", async () => {
  const dead = await deadClients();
  try {
    for (const kind of ["ioredis", "node-redis"]) {
      const client = dead[kind];
      const fallback = new Engine({ clock: () => 50_000 });
      const engines = {
        throw: new RedisEngine({ client, timeout: 500 }),
        open: new RedisEngine({ client, timeout: 500, onUnavailable: "open" }),
        closed: new RedisEngine({ client, timeout: 500, onUnavailable: "closed" }),
        memory: new RedisEngine({ client, timeout: 500, onUnavailable: "memory", fallback, clock: () => 50_000 }),
      };
      const limiters = Object.fromEntries(Object.entries(engines).map(([policy, engine]) => [policy, rateLimit({ engine, limit: LIMIT, key: () => "k" })]));
      const app = await serve((req, res) => {
        limiters[req.url.slice(1)](req, res, (error) => {
          res.statusCode = error ? 500 : 200;
          res.end(error ? error.code : "ok");
        });
      });
      try {
        const get = (policy) => fetch(`${app.url}${policy}`);
        const thrown = await get("throw");
        assert.deepEqual([thrown.status, await thrown.text(), thrown.headers.get(DEGRADED_HEADER)], [500, "redis_unreachable", null], kind);

        const open = await get("open");
        assert.deepEqual([open.status, await open.text(), open.headers.get(DEGRADED_HEADER)], [200, "ok", "open"], kind);
        assert.deepEqual(headersOf(open), [null, null, null, null], "nothing was counted: no rate-limit headers");

        const closed = await get("closed");
        assert.deepEqual([closed.status, await closed.text(), closed.headers.get(DEGRADED_HEADER)], [503, "Service Unavailable", "closed"], kind);
        assert.deepEqual(headersOf(closed), [null, null, null, null]);

        const memory = [];
        for (let i = 0; i < 3; i++) {
          const expected = fallback.limits.peek("k", LIMIT);
          const response = await get("memory");
          await response.text();
          assert.equal(response.headers.get(DEGRADED_HEADER), "memory");
          assert.deepEqual(headersOf(response), headersFor(expected), "the fallback's decision, in the headers");
          memory.push(response.status);
        }
        assert.deepEqual(memory, [200, 200, 429], `${kind}: the fallback engine counts`);
      } finally {
        await app.close();
      }
    }
  } finally {
    dead.close();
  }
});

test("without next, the Redis middleware's promise rejects under the throw policy", async () => {
  const dead = await deadClients();
  try {
    const limiter = rateLimit({ engine: new RedisEngine({ client: dead.ioredis, timeout: 500 }), limit: LIMIT, key: () => "k" });
    const headers = [];
    await assert.rejects(limiter({}, { statusCode: 200, setHeader: (name) => headers.push(name), end: () => {} }), { code: "redis_unreachable" });
    assert.deepEqual(headers, [], "no header for an answer nobody gave");
  } finally {
    dead.close();
  }
});
