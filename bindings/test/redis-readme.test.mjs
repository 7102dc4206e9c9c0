// The package README's Redis examples (```js redis-example blocks of npm/README.md) run as
// written against a redis-server of their own, through the BUILT package.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startRedis } from "./redis-server.mjs";

const readme = readFileSync(join(import.meta.dirname, "../npm/README.md"), "utf8");
const examples = [...readme.matchAll(/```js redis-example\n([\s\S]*?)```/g)].map((m) => m[1]);

let server;
before(async () => { server = await startRedis(); });
after(async () => { await server?.stop(); });

test("the README has a Redis example for each client, and one of the helpers", () => {
  assert.equal(examples.length, 3);
  assert.match(examples[0], /from "ioredis"/);
  assert.match(examples[1], /from "redis"/);
  assert.match(examples[2], /withLock\(engine/);
});

test("every Redis example of the README runs against a real Redis", () => {
  // Inside bindings/ so that `leasehold`, `ioredis` and `redis` resolve as they would for a user.
  const dir = mkdtempSync(join(import.meta.dirname, "../.readme-"));
  try {
    examples.forEach((code, index) => {
      const file = join(dir, `example-${index}.mjs`);
      writeFileSync(file, code);
      const out = execFileSync(process.execPath, [file], { encoding: "utf8", env: { ...process.env, REDIS_URL: server.url }, timeout: 20_000 });
      assert.ok(out.length > 0, `example ${index} printed nothing`);
      if (index === 0) assert.match(out, /^fence \d+\nreserved\n$/);
      if (index === 1) assert.match(out, /^9 left\n$/);
      if (index === 2) assert.match(out, /^ran under fence true\n200 429 \d+\n$/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
