// The rate-limit middleware over real HTTP on loopback: 429 with RateLimit-* and Retry-After.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { Engine, rateLimit } from "leasehold";

async function serve(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

test("a plain http server answers 429 with the rate-limit headers once the quota is spent", async () => {
  let now = 1_000_000;
  const engine = new Engine({ clock: () => now });
  const limiter = rateLimit({ engine, limit: { algorithm: "fixedWindow", quota: 2, window: 10_000 }, key: (req) => req.headers["x-client"] ?? "anonymous" });
  const server = await serve((req, res) => {
    if (limiter(req, res)) res.end("ok");
  });
  try {
    const get = (client = "a") => fetch(server.url, { headers: { "x-client": client } });
    const first = await get();
    assert.equal(first.status, 200);
    assert.equal(await first.text(), "ok");
    assert.equal(first.headers.get("ratelimit-limit"), "2");
    assert.equal(first.headers.get("ratelimit-remaining"), "1");
    assert.equal(first.headers.get("ratelimit-reset"), "10");
    assert.equal(first.headers.get("retry-after"), null);
    now += 1;
    assert.equal((await get()).status, 200);
    now += 2_500; // 7499 ms left in the window: headers round up to 8 s
    const denied = await get();
    assert.equal(denied.status, 429);
    assert.equal(await denied.text(), "Too Many Requests");
    assert.equal(denied.headers.get("ratelimit-remaining"), "0");
    assert.equal(denied.headers.get("ratelimit-reset"), "8");
    assert.equal(denied.headers.get("retry-after"), "8");
    assert.equal((await get("b")).status, 200, "another client has its own quota");
    now += 7_499;
    assert.equal((await get()).status, 200, "the window has passed");
  } finally {
    await server.close();
  }
});

test("Express-style use calls next when admitted and passes key errors to next", async () => {
  const engine = new Engine({ clock: () => 5_000 });
  const limiter = rateLimit({ engine, limit: { algorithm: "cooldown", interval: 3_000 }, key: (req) => req.url.slice(1) });
  const server = await serve((req, res) => {
    limiter(req, res, (error) => {
      res.statusCode = error ? 400 : 200;
      res.end(error ? error.code : "next");
    });
  });
  try {
    const ok = await fetch(`${server.url}coupon`);
    assert.deepEqual([ok.status, await ok.text()], [200, "next"]);
    const again = await fetch(`${server.url}coupon`);
    assert.deepEqual([again.status, again.headers.get("retry-after")], [429, "3"]);
    await again.text();
    const empty = await fetch(server.url); // the key is "": refused by the core, handed to next
    assert.deepEqual([empty.status, await empty.text()], [400, "empty"]);
  } finally {
    await server.close();
  }
});

test("a bad limit is refused when the middleware is made, not on the first request", () => {
  const engine = new Engine();
  assert.throws(() => rateLimit({ engine, limit: { algorithm: "fixedWindow", quota: 0, window: 1 }, key: () => "k" }), { code: "out_of_range", field: "quota" });
});
