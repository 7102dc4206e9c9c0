// Replays every conformance vector (tests/vectors/*.json) against a real redis-server through
// the Redis driver, once through ioredis and once through node-redis: outcomes must be
// identical to the vectors' expectations, JSON for JSON. Each case runs under a prefix of its
// own (a fresh state), with the vectors' explicit `now`.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Redis from "ioredis";
import { createClient } from "redis";
import { RedisEngine } from "leasehold";
import { startRedis } from "./redis-server.mjs";

const dir = join(import.meta.dirname, "../../tests/vectors");
const files = readdirSync(dir).filter((name) => name.endsWith(".json")).sort();
const MINIMUM_CASES = 150;

let server;
const clients = {};
before(async () => {
  server = await startRedis();
  // stringNumbers: integers near 2^53 (in the vectors) stay exact; see js/redis/client.ts.
  clients.ioredis = new Redis(server.port, "127.0.0.1", { stringNumbers: true });
  clients["node-redis"] = await createClient({ url: server.url }).connect();
});
after(async () => {
  clients.ioredis?.disconnect();
  await clients["node-redis"]?.close?.();
  await server?.stop();
});

test("the vector directory has files to replay", () => {
  assert.ok(files.length >= 10, `only ${files.length} vector files in ${dir}`);
});

for (const kind of ["ioredis", "node-redis"]) {
  let cases = 0;
  for (const file of files) {
    test(`every case of ${file} replays on Redis through ${kind} with the core's outcomes`, async () => {
      const vector = JSON.parse(readFileSync(join(dir, file), "utf8"));
      assert.ok(Array.isArray(vector.cases) && vector.cases.length > 0, `${file} has no cases`);
      const failures = [];
      for (const c of vector.cases) {
        cases += 1;
        const engine = new RedisEngine({ client: clients[kind], prefix: `${kind}:${file}:${cases}` });
        assert.equal(engine.client, kind);
        for (const [index, step] of c.steps.entries()) {
          const got = await engine.apply(step.op, step.now);
          try {
            assert.deepStrictEqual(got, step.expect);
          } catch {
            failures.push(`${c.name} / step ${index} at ${step.now}:\n  op       ${JSON.stringify(step.op).slice(0, 300)}\n  expected ${JSON.stringify(step.expect)}\n  got      ${JSON.stringify(got)}`);
          }
        }
      }
      assert.deepEqual(failures, [], `${failures.length} failures in ${file}:\n${failures.join("\n")}`);
    });
  }
  test(`through ${kind}, every file was replayed and at least the core's minimum of cases ran`, () => {
    assert.ok(cases >= MINIMUM_CASES, `only ${cases} cases replayed through ${kind}`);
  });
}
