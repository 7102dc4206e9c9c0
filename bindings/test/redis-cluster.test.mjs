// The driver on a three-master Redis Cluster (redis-cluster.mjs), through ioredis's `Cluster`
// and node-redis's `createCluster`, each at its current and its older major: every vector
// replayed with the core's outcomes, and the per-client checks of redis-client-checks.mjs (the
// keys reach several masters; NOSCRIPT is answered on the node that owns the key). One cluster
// for the whole file.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { RedisEngine } from "leasehold";
import { Cluster } from "ioredis";
import { Cluster as Cluster5 } from "ioredis5";
import { createCluster } from "redis";
import { createCluster as createCluster4 } from "redis4";
import { startCluster } from "./redis-cluster.mjs";
import { asRoundingDecoderReads, replayVectors } from "./redis-replay.mjs";
import { clientChecks, redirections } from "./redis-client-checks.mjs";

let cluster;
const clients = {};
const nodeRedis = (create) => async () => {
  const client = create({ rootNodes: cluster.rootNodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) });
  await client.connect();
  return client;
};
const ioredis = (Client, redisOptions = {}) => async () => {
  // No stringNumbers by default: with it ioredis reads CLUSTER SLOTS's slot numbers as strings
  // and skips a range of slots (their calls take a MOVED redirect); see the last test.
  const client = new Client(cluster.rootNodes, { redisOptions });
  await new Promise((resolve, reject) => {
    client.once("ready", resolve);
    client.once("error", reject);
  });
  return client;
};
// `reads`: how the client reads integer replies near 2^53 (see asRoundingDecoderReads).
const kinds = [
  { kind: "ioredis-cluster", label: "ioredis 6 Cluster", connect: ioredis(Cluster), disconnect: (client) => client.disconnect(), reads: asRoundingDecoderReads },
  { kind: "ioredis-cluster", label: "ioredis 5 Cluster", connect: ioredis(Cluster5), disconnect: (client) => client.disconnect() },
  { kind: "node-redis-cluster", label: "node-redis 6 cluster", connect: nodeRedis(createCluster), disconnect: (client) => client.close() },
  { kind: "node-redis-cluster", label: "node-redis 4 cluster", connect: nodeRedis(createCluster4), disconnect: (client) => client.disconnect(), reads: asRoundingDecoderReads },
];

before(async () => {
  cluster = await startCluster();
  for (const { label, connect } of kinds) clients[label] = await connect();
});
after(async () => {
  for (const { label, disconnect } of kinds) if (clients[label] !== undefined) await disconnect(clients[label]);
  await cluster?.stop();
});

for (const { kind, label, connect, disconnect, reads } of kinds) {
  replayVectors(kind, () => clients[label], label, reads);
  clientChecks({
    kind,
    label,
    client: () => clients[label],
    ports: () => cluster.ports,
    disconnected: async () => {
      const client = await connect();
      await disconnect(client);
      return client;
    },
  });
}

test("an ioredis Cluster told stringNumbers still gets every call right, some through a MOVED redirect", async () => {
  const client = await ioredis(Cluster, { stringNumbers: true })();
  try {
    const engine = new RedisEngine({ client, prefix: "string-numbers" });
    const moved = await redirections(cluster.ports);
    for (let i = 0; i < 12; i++) assert.equal((await engine.locks.acquire(`lockTrade:${i}`, "a", 60_000)).kind, "granted");
    // The README's reason not to give a Cluster stringNumbers: ioredis misreads CLUSTER SLOTS.
    assert.ok(await redirections(cluster.ports) > moved, "no call was redirected: the README's note is out of date");
  } finally {
    client.disconnect();
  }
});
