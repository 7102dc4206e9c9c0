// A TypeScript consumer of the BUILT package, compiled with `tsc --noEmit --strict` by
// typescript.test.mjs. It must type-check as written, and the type-level assertions below
// fail to compile if a public signature loses its types (for instance to `any`).
import {
  Engine,
  InvalidArgumentError,
  LeaseholdError,
  Limiter,
  rateLimit,
  withLock,
  type Acquire,
  type Decision,
  type ErrorCode,
  type AlgorithmName,
  type LimitSpec,
  type Reset,
  type Reserve,
} from "leasehold";
import http from "node:http";

type IsAny<T> = 0 extends 1 & T ? true : false;
type Assert<T extends false> = T;

const engine = new Engine({ clock: () => Date.now(), hashSeed: 7 });
const lock: Acquire = engine.locks.acquire("lockTrade:42", "worker-a", 900_000);
if (lock.kind === "granted") {
  const fence: number = lock.fence;
  const reacquired: boolean = lock.reacquired;
  void [fence, reacquired];
} else {
  const wait: number = lock.retryAfter;
  void wait;
}
const released = engine.locks.release("lockTrade:42", "worker-a");
switch (released.kind) {
  case "released":
    void released.fence;
    break;
  case "notHolder":
  case "expired":
    break;
}
const slot = engine.semaphores.acquire("steamLogin", "bot-1", 2, 30_000, 1_000);
const state = engine.semaphores.inspect("steamLogin");
if (state.kind === "held") void state.nextExpiry;

const reserve: Reserve = engine.holds.reserve("reserved-assets_730", ["a1", "a2"], "user-1", 1_200_000, 100);
if (reserve.kind === "conflict") for (const c of reserve.conflicts) void c.retryAfter;
if (reserve.kind === "capReached") void reserve.maxHolds;
const page = engine.holds.list("reserved-assets_730", 10, null);
if (page.next) engine.holds.list("reserved-assets_730", 10, page.next);

const login: LimitSpec = { algorithm: "fixedWindow", quota: 10, window: 900_000, block: { violations: 3, within: 60_000, blockFor: 3_600_000 } };
const decision: Decision = engine.limits.check("login_ip:1.2.3.4", login);
const many: Decision[] = engine.limits.checkMany(["a", "b"], { algorithm: "gcra", burst: 5, interval: 100 }, 1);
engine.limits.reset("login_ip:1.2.3.4", "fixedWindow");
const api: Limiter = engine.limits.limiter({ algorithm: "tokenBucket", capacity: 20, refill: 5, interval: 1_000 });
const bound: Decision = api.check("api_ip:1.2.3.4", 2, 1_000);
const peeked: Decision = api.peek("api_ip:1.2.3.4");
const boundMany: Decision[] = api.checkMany(["a", "b"]);
const boundReset: Reset = api.reset("a");
const boundAlgorithm: AlgorithmName = api.algorithm;
void [bound.retryAfter, peeked.allowed, boundMany.length, boundReset.kind, boundAlgorithm];
const wire = engine.apply({ lock: { inspect: { key: "k" } } }, 5);
if ("ok" in wire) void wire.ok;

try {
  engine.locks.acquire("", "a", 1);
} catch (error) {
  if (error instanceof LeaseholdError) {
    const code: ErrorCode = error.code;
    const field: string | undefined = error.field;
    void [code, field, error instanceof InvalidArgumentError];
  }
}

const result: Promise<number> = withLock(engine, "job", async ({ signal, fence }) => {
  signal.throwIfAborted();
  return fence;
}, { ttl: 10_000, renewAt: 0.5 });

const limiter = rateLimit<http.IncomingMessage, http.ServerResponse>({ engine, limit: login, key: (req) => req.socket.remoteAddress ?? "" });
http.createServer((req, res) => {
  if (limiter(req, res)) res.end("ok");
});

// @ts-expect-error: an unknown algorithm is a type error
engine.limits.check("k", { algorithm: "leakyBucket", quota: 1, window: 1 });
// @ts-expect-error: a limiter's limit is bound, a check takes only key, cost and now
api.check("k", { algorithm: "cooldown", interval: 1 });
// @ts-expect-error: ttl is a number
engine.locks.acquire("k", "a", "1000");

type _Checks = [
  Assert<IsAny<typeof lock>>,
  Assert<IsAny<typeof slot>>,
  Assert<IsAny<typeof decision>>,
  Assert<IsAny<typeof many>>,
  Assert<IsAny<typeof bound>>,
  Assert<IsAny<typeof boundMany>>,
  Assert<IsAny<Parameters<typeof api.check>[1]>>,
  Assert<IsAny<typeof page>>,
  Assert<IsAny<typeof result>>,
  Assert<IsAny<ReturnType<typeof engine.expire>>>,
  Assert<IsAny<ReturnType<typeof engine.holds.extend>>>,
  Assert<IsAny<Parameters<typeof engine.holds.reserve>[1]>>,
];

// The Redis driver, over either client, with the same outcome types behind a degraded marker.
import { RedisEngine, RedisDriverError, type Degraded, type MaybeDegraded, type RedisEngineOptions } from "leasehold";
import { Redis as IORedis } from "ioredis";
import { createClient } from "redis";

async function onRedis(): Promise<void> {
  const io = new IORedis({ lazyConnect: true });
  const node = createClient();
  const options: RedisEngineOptions = { client: io, prefix: "app", onUnavailable: "memory", holdEvents: { streamMaxlen: 1_000, channel: "itemReserved" } };
  const viaIoredis = new RedisEngine(options);
  const viaNodeRedis = new RedisEngine({ client: node, clock: () => Date.now(), onUnavailable: "closed", timeout: 500 });
  const checked: MaybeDegraded<Decision> = await viaIoredis.limits.check("login_ip:1.2.3.4", login);
  if ("degraded" in checked) {
    const why: RedisDriverError = checked.cause;
    const proceed: boolean = checked.allowed;
    const fallback: Decision | undefined = checked.outcome;
    void [why.code, proceed, fallback];
  } else {
    const remaining: number = checked.remaining;
    void remaining;
  }
  const acquired = await viaNodeRedis.locks.acquire("lockTrade:42", "worker-a", 900_000);
  if (!("degraded" in acquired) && acquired.kind === "granted") void acquired.fence;
  const degraded: Degraded<Reserve> | Reserve = await viaNodeRedis.holds.reserve("reserved-assets_730", ["a1"], "user-1", 60_000);
  const applied = await viaIoredis.apply({ lock: { inspect: { key: "k" } } });
  if (!("degraded" in applied) && "ok" in applied) void applied.ok;
  // @ts-expect-error: a prefix is a string
  void new RedisEngine({ client: io, prefix: 7 });
  type _RedisChecks = [
    Assert<IsAny<typeof checked>>,
    Assert<IsAny<typeof acquired>>,
    Assert<IsAny<typeof degraded>>,
    Assert<IsAny<typeof applied>>,
    Assert<IsAny<Parameters<typeof viaIoredis.holds.reserve>[1]>>,
  ];
}
void onRedis;

// Every client kind the driver supports, older majors and cluster clients included, is a
// `RedisClient` as the user's own library types it; `client` says which kind was detected.
import { type RedisClient, type RedisClientKind } from "leasehold";
import { Cluster as IORedisCluster } from "ioredis";
import { createCluster } from "redis";
import { Redis as IORedis5, Cluster as IORedis5Cluster } from "ioredis5";
import { createClient as createClient4, createCluster as createCluster4 } from "redis4";

function onEveryClient(): RedisClientKind[] {
  const rootNodes = [{ url: "redis://127.0.0.1:7000" }];
  const clients: RedisClient[] = [
    new IORedisCluster([{ host: "127.0.0.1", port: 7000 }], { lazyConnect: true }),
    createCluster({ rootNodes }),
    new IORedis5({ lazyConnect: true }),
    new IORedis5Cluster([{ host: "127.0.0.1", port: 7000 }], { lazyConnect: true }),
    createClient4(),
    createCluster4({ rootNodes }),
  ];
  const kinds = clients.map((client) => new RedisEngine({ client }).client);
  // @ts-expect-error: not a kind the driver knows
  const unknown: RedisClientKind = "memcached";
  void unknown;
  return kinds;
}
void onEveryClient;

// withLock and the middleware on Redis: the same helpers, their answers awaited.
import { type AsyncRateLimitMiddleware, type Lease, type RateLimitMiddleware } from "leasehold";

async function helpersOnRedis(): Promise<void> {
  const engine = new RedisEngine({ client: new IORedis({ lazyConnect: true }), onUnavailable: "open" });
  const report: string = await withLock(engine, "nightly-report", async (lease: Lease) => {
    const fence: number = lease.fence;
    const unguarded: boolean = lease.degraded === "open";
    const memory: boolean = lease.degraded === "memory";
    lease.signal.throwIfAborted();
    return `${fence} ${unguarded} ${memory}`;
  }, { ttl: 30_000, renewAt: 0.4 });
  const limiter: AsyncRateLimitMiddleware<http.IncomingMessage, http.ServerResponse> = rateLimit<http.IncomingMessage, http.ServerResponse>({
    engine,
    limit: login,
    key: (req) => req.socket.remoteAddress ?? "",
    onUnavailable: (_req, res, degraded) => {
      const policy: "open" | "closed" | "memory" = degraded.degraded;
      res.statusCode = 503;
      res.end(policy);
    },
  });
  http.createServer(async (req, res) => {
    const go: boolean = await limiter(req, res);
    if (go) res.end("ok");
  });
  const inMemory: RateLimitMiddleware<http.IncomingMessage, http.ServerResponse> = rateLimit({ engine: new Engine(), limit: login, key: () => "k" });
  // @ts-expect-error: the in-memory middleware answers at once, not a promise
  const notAPromise: Promise<boolean> = inMemory({} as http.IncomingMessage, {} as http.ServerResponse);
  // @ts-expect-error: onUnavailable is for Redis only
  rateLimit({ engine: new Engine(), limit: login, key: () => "k", onUnavailable: () => {} });
  type _HelperChecks = [Assert<IsAny<typeof report>>, Assert<IsAny<typeof limiter>>];
  void notAPromise;
}
void helpersOnRedis;
