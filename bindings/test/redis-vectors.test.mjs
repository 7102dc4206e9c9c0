// Replays every conformance vector (tests/vectors/*.json) against a real redis-server through
// the Redis driver, once through ioredis and once through node-redis (their current majors; the
// older ones and the cluster clients replay them in redis-clients.test.mjs and
// redis-cluster.test.mjs): outcomes must be identical to the vectors' expectations.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import Redis from "ioredis";
import { createClient } from "redis";
import { startRedis } from "./redis-server.mjs";
import { replayVectors, vectorFiles } from "./redis-replay.mjs";

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
  assert.ok(vectorFiles.length >= 10, `only ${vectorFiles.length} vector files`);
});

for (const kind of ["ioredis", "node-redis"]) replayVectors(kind, () => clients[kind]);
