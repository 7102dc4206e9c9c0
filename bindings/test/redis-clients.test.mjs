// The driver on the older majors the seeds' services run, ioredis 5 and node-redis 4 (aliased
// devDependencies `ioredis5` and `redis4`), on one redis-server: every vector replayed with the
// core's outcomes, and the per-client checks of redis-client-checks.mjs; and how the driver
// tells each client kind apart.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { RedisEngine } from "leasehold";
import Redis5 from "ioredis5";
import { createClient as createClient4 } from "redis4";
import { startRedis } from "./redis-server.mjs";
import { asRoundingDecoderReads, replayVectors } from "./redis-replay.mjs";
import { clientChecks } from "./redis-client-checks.mjs";

let server;
const clients = {};
const connect = {
  // No stringNumbers: ioredis 5's parser reads integers up to 2^53 exactly without it.
  "ioredis 5": () => new Redis5(server.port, "127.0.0.1"),
  "node-redis 4": async () => {
    const client = createClient4({ url: server.url });
    await client.connect();
    return client;
  },
};
const disconnect = {
  "ioredis 5": (client) => client.disconnect(),
  "node-redis 4": (client) => client.disconnect(),
};

before(async () => {
  server = await startRedis();
  for (const [label, open] of Object.entries(connect)) clients[label] = await open();
});
after(async () => {
  for (const [label, client] of Object.entries(clients)) await disconnect[label](client);
  await server?.stop();
});

for (const [kind, label] of [["ioredis", "ioredis 5"], ["node-redis", "node-redis 4"]]) {
  // node-redis 4 reads integers within 57 of 2^53 inexactly (see asRoundingDecoderReads).
  replayVectors(kind, () => clients[label], label, label === "node-redis 4" ? asRoundingDecoderReads : undefined);
  clientChecks({
    kind,
    label,
    client: () => clients[label],
    ports: () => [server.port],
    disconnected: async () => {
      const client = await connect[label]();
      await disconnect[label](client);
      return client;
    },
  });
}

test("each client kind is told apart by its own API, and a node-redis sentinel client is refused rather than misdriven", () => {
  const send = async () => null;
  const kindOf = (client) => new RedisEngine({ client }).client;
  assert.equal(kindOf({ status: "ready", call: send }), "ioredis");
  assert.equal(kindOf({ status: "ready", call: send, isCluster: false, nodes: () => [] }), "ioredis");
  assert.equal(kindOf({ status: "ready", call: send, isCluster: true, nodes: () => [] }), "ioredis-cluster");
  assert.equal(kindOf({ isOpen: true, isReady: true, sendCommand: send }), "node-redis");
  assert.equal(kindOf({ isOpen: true, sendCommand: send, masters: [], nodeClient: () => ({ sendCommand: send }) }), "node-redis-cluster");
  assert.equal(kindOf({ send }), "custom");
  assert.throws(
    () => new RedisEngine({ client: { isOpen: true, isReady: true, sendCommand: send, getSentinelNode: () => undefined } }),
    (error) => error.code === "invalid_type" && error.field === "client",
  );
});
