// The Redis driver, one request in flight, against what people use today, on a redis-server of
// its own (started here on a free loopback port, stopped by PID): through ioredis and through
// node-redis,
//   - a limit check: leasehold vs rate-limiter-flexible's RateLimiterRedis, and vs one raw
//     `SET key v NX PX` round trip from the same client (the floor for one round trip);
//   - a lock acquire + release: leasehold vs two raw round trips (`SET NX PX`, then `DEL`), vs
//     redis-semaphore's Mutex and @sesamecare-oss/redlock (both ioredis only).
// `npm run bench:redis` prints a table; `-- --json` prints one JSON line of rows (what
// `cargo xtask bench` reads). BENCH_SECONDS sets each row's
// total time (default 3, in 15 interleaved slices). Not part of the tests: figures, no assertions.
// Besides rates and latencies, each row has the CPU time this Node process spent per operation
// (median over its slices), which other load on a shared machine swings less than it swings
// rates: the difference between a leasehold row and the raw EVALSHA row is about the driver's
// own cost.
//
// What each contender sends per operation, one round trip each unless said:
//   - leasehold limit check: EVALSHA of the fixed-window script, 1 key and 10 arguments; a
//     reply of 6 values;
//   - RateLimiterRedis.consume: through ioredis, EVALSHA (ioredis `defineCommand`, EVAL on
//     NOSCRIPT) of its own script: SET NX EX, INCRBY, PTTL, and EXPIRE when the key had no TTL;
//     through node-redis, EVAL with the whole script source every time; a reply of 2 values;
//   - raw SET NX PX: one SET; raw EVALSHA: the driver's exact command sent by the client itself;
//     through node-redis also with integers read as digits, as the driver asks for them (exact
//     up to 2^53), which node-redis charges a few µs of CPU per command for;
//   - raw EVALSHA of a one-command script: the trivial SET NX PX script redis-benchmark runs in
//     `cargo xtask bench`, 1 key and 1 argument: the ceiling of any one-script design here;
//   - raw EVALSHA of two one-command scripts: that script, then `return redis.call('DEL',
//     KEYS[1])`: the ceiling of any script-per-operation lock pair;
//   - lock acquire + release: two round trips on every side (leasehold: two EVALSHAs).
import { createRequire } from "node:module";
import Redis from "ioredis";
import { createClient } from "redis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { Mutex } from "redis-semaphore";
import { Redlock } from "@sesamecare-oss/redlock";
import { RedisEngine } from "leasehold";
import { startRedis } from "../test/redis-server.mjs";

const require = createRequire(import.meta.url);
/** The fixed-window script as the package ships it, to time the script without the driver. */
const SCRIPTS = require("../pkg/scripts.json");
const FIXED_WINDOW = SCRIPTS.find((s) => s.name === "limit_fixed_window");
const LOCK_ACQUIRE = SCRIPTS.find((s) => s.name === "lock_acquire");
const LOCK_RELEASE = SCRIPTS.find((s) => s.name === "lock_release");

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = 15;
const JSON_OUTPUT = process.argv.includes("--json");
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user:${i}`);
// A quota no run exhausts: every check is admitted and counted, on every side.
const QUOTA = 1_000_000_000;
const LIMIT = { algorithm: "fixedWindow", quota: QUOTA, window: 60_000 };
const TTL = 10_000;

/**
 * Operations per second of each contender of `ops` (name -> op), awaited one at a time (an op's
 * own `verify`, if it has one, reads its result after the await). The
 * contenders take turns in short slices, ROUNDS times, and each one's median slice is kept:
 * on a shared machine, load that comes and goes then hits every contender alike.
 */
async function race(ops) {
  const entries = Object.entries(ops);
  const rates = Object.fromEntries(entries.map(([name]) => [name, []]));
  const took = Object.fromEntries(entries.map(([name]) => [name, []]));
  const cpu = Object.fromEntries(entries.map(([name]) => [name, []]));
  let i = 0;
  const none = () => {};
  for (const [, op] of entries) for (let j = 0; j < 200; j++) (op.verify ?? none)(await op(i++));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, op] of entries) {
      const verify = op.verify ?? none;
      let done = 0;
      const used = process.cpuUsage();
      const start = performance.now();
      const end = start + (SECONDS * 1000) / ROUNDS;
      for (let before = start, after; before < end; done++, before = after) {
        verify(await op(i++));
        after = performance.now();
        took[name].push(after - before);
      }
      rates[name].push(done / ((performance.now() - start) / 1000));
      const { user, system } = process.cpuUsage(used);
      cpu[name].push((user + system) / done);
    }
  }
  const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  for (const [name] of entries) {
    const sorted = took[name].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000;
    latency[name] = { p50_us: at(0.5), p99_us: at(0.99), client_cpu_us: median(cpu[name]) };
  }
  return Object.fromEntries(entries.map(([name]) => [name, median(rates[name])]));
}

/**
 * The script `redis-benchmark` runs in `cargo xtask bench`: one command, no clock, no checks. What
 * any one-script-per-operation design can reach through the same client at best.
 */
const TRIVIAL_SCRIPT = "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', 1000)";
/** Its twin for the second round trip of a lock pair: the least a script release can do. */
const TRIVIAL_RELEASE = "return redis.call('DEL', KEYS[1])";

/** Latency of one operation, µs, by contender name (the last client measured wins the name). */
const latency = {};

const key = (i) => KEYS[i % KEYS.length];

function check(result) {
  if ("degraded" in result) throw new Error(`degraded: ${result.cause.message}`);
  return result;
}

async function bench(kind, client, raw) {
  const engine = new RedisEngine({ client, prefix: `bench-${kind}` });
  await engine.load();
  await new RedisEngine({ client, prefix: `bench-raw-${kind}` }).load();
  const flexible = new RateLimiterRedis({ storeClient: client, useRedisPackage: kind === "node-redis", points: QUOTA, duration: 60, keyPrefix: `rlf-${kind}` });
  const trivial = await raw.load(TRIVIAL_SCRIPT);
  const trivialRelease = await raw.load(TRIVIAL_RELEASE);
  const limits = await race({
    "raw SET NX PX (1 round trip)": (i) => raw.set(`raw-${kind}:${key(i)}`, "v", TTL),
    "raw EVALSHA of a one-command SET NX PX script": (i) => raw.evalsha(trivial, [`trivial-${kind}:${key(i)}`], ["v"]),
    // The outcome is checked after the await, not in a `.then` that would add a promise to the row.
    "leasehold limit check": Object.assign((i) => engine.limits.check(key(i), LIMIT), { verify: check }),
    "raw EVALSHA of the same script (no driver)": (i) => raw.evalsha(FIXED_WINDOW.sha1, [`bench-${kind}:limit:fixed_window:{${key(i)}}`],
      ["server", "check", key(i), String(QUOTA), "60000", "", "", "", "", "1"]),
    "rate-limiter-flexible RateLimiterRedis": (i) => flexible.consume(key(i)),
    ...(raw.exact
      ? {
        "raw EVALSHA of the same script, integers as digits": (i) => raw.exact(FIXED_WINDOW.sha1, [`bench-${kind}:limit:fixed_window:{${key(i)}}`],
          ["server", "check", key(i), String(QUOTA), "60000", "", "", "", "", "1"]),
      }
      : {}),
  });
  const locks = {
    "raw SET NX PX + DEL (2 round trips)": async (i) => {
      await raw.set(`rawlock-${kind}:${key(i)}`, "owner", TTL);
      await raw.del(`rawlock-${kind}:${key(i)}`);
    },
    "leasehold lock acquire + release": async (i) => {
      const granted = check(await engine.locks.acquire(key(i), "owner", TTL));
      if (granted.kind !== "granted") throw new Error("lock denied");
      check(await engine.locks.release(key(i), "owner"));
    },
    "raw EVALSHA of two one-command scripts (SET NX PX, DEL)": async (i) => {
      await raw.evalsha(trivial, [`trivial-lock-${kind}:${key(i)}`], ["owner"]);
      await raw.evalsha(trivialRelease, [`trivial-lock-${kind}:${key(i)}`], []);
    },
    "raw EVALSHA of the same 2 scripts (no driver)": async (i) => {
      const lock = [`bench-raw-${kind}:lock:{${key(i)}}`];
      await raw.evalsha(LOCK_ACQUIRE.sha1, lock, ["server", key(i), "owner", String(TTL)]);
      await raw.evalsha(LOCK_RELEASE.sha1, lock, ["server", key(i), "owner"]);
    },
  };
  if (raw.exact) {
    locks["raw EVALSHA of the same 2 scripts, integers as digits"] = async (i) => {
      const lock = [`bench-raw-${kind}:lock:{${key(i)}}`];
      await raw.exact(LOCK_ACQUIRE.sha1, lock, ["server", key(i), "owner", String(TTL)]);
      await raw.exact(LOCK_RELEASE.sha1, lock, ["server", key(i), "owner"]);
    };
  }
  if (kind === "ioredis") {
    locks["redis-semaphore Mutex acquire + release"] = async (i) => {
      const mutex = new Mutex(client, `sem:${key(i)}`, { lockTimeout: TTL, acquireAttemptsLimit: 1, refreshInterval: 0 });
      await mutex.acquire();
      await mutex.release();
    };
    const redlock = new Redlock([client], { retryCount: 0 });
    locks["redlock acquire + release"] = async (i) => {
      const lock = await redlock.acquire([`redlock:${key(i)}`], TTL);
      await lock.release();
    };
  }
  const result = { ...limits, ...(await race(locks)) };
  latencies[kind] = { ...latency };
  return result;
}

/** Per client, the latency of each contender. */
const latencies = {};

/** Redis's own time per call (INFO commandstats), in microseconds, of the commands named. */
async function serverTimes(io) {
  const info = await io.info("commandstats");
  const times = {};
  for (const [, name, usec] of info.matchAll(/cmdstat_(\w+):calls=\d+,usec=\d+,usec_per_call=([\d.]+)/g)) {
    if (["evalsha", "set", "del", "eval"].includes(name)) times[name] = Number(usec);
  }
  return times;
}

const server = await startRedis();
const results = {};
try {
  const io = new Redis(server.port, "127.0.0.1");
  results.ioredis = await bench("ioredis", io, {
    set: (k, v, ttl) => io.set(k, v, "PX", ttl, "NX"),
    del: (k) => io.del(k),
    evalsha: (sha, keys, args) => io.evalsha(sha, keys.length, ...keys, ...args),
    load: (source) => io.script("LOAD", source),
  });
  io.disconnect();
  const node = await createClient({ url: server.url }).connect();
  results["node-redis"] = await bench("node-redis", node, {
    set: (k, v, ttl) => node.set(k, v, { PX: ttl, NX: true }),
    del: (k) => node.del(k),
    evalsha: (sha, keys, args) => node.evalSha(sha, { keys, arguments: args }),
    // What the driver sends: integers read as digits, exact up to 2^53 (see js/redis/client.ts).
    exact: (sha, keys, args) => node.sendCommand(["EVALSHA", sha, String(keys.length), ...keys, ...args], { typeMapping: { 58: String } }),
    load: (source) => node.scriptLoad(source),
  });
  await node.close();
  const stats = new Redis(server.port, "127.0.0.1");
  results["server usec per call"] = await serverTimes(stats);
  stats.disconnect();
} finally {
  await server.stop();
}

const ratio = (a, b) => (b ? a / b : null);
const summary = {};
for (const [kind, rows] of Object.entries(results)) {
  if (kind === "server usec per call") continue;
  summary[kind] = {
    "limit check / RateLimiterRedis (target >= 1.2)": ratio(rows["leasehold limit check"], rows["rate-limiter-flexible RateLimiterRedis"]),
    "limit check / raw SET NX PX (target >= 0.9)": ratio(rows["leasehold limit check"], rows["raw SET NX PX (1 round trip)"]),
    "lock acquire+release / 2 raw round trips (target >= 0.9)": ratio(rows["leasehold lock acquire + release"], rows["raw SET NX PX + DEL (2 round trips)"]),
    // What no one-script-per-operation design can pass through this client: the one-command
    // scripts against the same denominators.
    "ceiling: one-command script / RateLimiterRedis": ratio(rows["raw EVALSHA of a one-command SET NX PX script"], rows["rate-limiter-flexible RateLimiterRedis"]),
    "ceiling: one-command script / raw SET NX PX": ratio(rows["raw EVALSHA of a one-command SET NX PX script"], rows["raw SET NX PX (1 round trip)"]),
    "ceiling: two one-command scripts / 2 raw round trips": ratio(rows["raw EVALSHA of two one-command scripts (SET NX PX, DEL)"], rows["raw SET NX PX + DEL (2 round trips)"]),
    ...(rows["redis-semaphore Mutex acquire + release"]
      ? {
        "lock / redis-semaphore Mutex": ratio(rows["leasehold lock acquire + release"], rows["redis-semaphore Mutex acquire + release"]),
        "lock / redlock": ratio(rows["leasehold lock acquire + release"], rows["redlock acquire + release"]),
      }
      : {}),
  };
}

/** The rows as `cargo xtask bench` reads them: each with its role and what it compares with. */
function rows() {
  const roles = {
    "raw SET NX PX (1 round trip)": ["limit"],
    "leasehold limit check": ["leasehold", "rate-limiter-flexible RateLimiterRedis", "raw SET NX PX (1 round trip)"],
    "raw EVALSHA of the same script (no driver)": ["limit"],
    "raw EVALSHA of a one-command SET NX PX script": ["limit"],
    "rate-limiter-flexible RateLimiterRedis": ["anchor"],
    "raw SET NX PX + DEL (2 round trips)": ["limit"],
    "leasehold lock acquire + release": ["leasehold", "redis-semaphore Mutex acquire + release", "raw SET NX PX + DEL (2 round trips)"],
    "raw EVALSHA of the same 2 scripts (no driver)": ["limit"],
    "raw EVALSHA of two one-command scripts (SET NX PX, DEL)": ["limit"],
    "raw EVALSHA of the same script, integers as digits": ["limit"],
    "raw EVALSHA of the same 2 scripts, integers as digits": ["limit"],
    "redis-semaphore Mutex acquire + release": ["anchor"],
    "redlock acquire + release": ["anchor"],
  };
  const out = [];
  for (const [kind, measured] of Object.entries(results)) {
    if (kind === "server usec per call") continue;
    const named = (name) => (name && name in measured ? `${name} (${kind})` : undefined);
    for (const [name, rate] of Object.entries(measured)) {
      const [role, anchor, limit] = roles[name] ?? ["leasehold"];
      const { p50_us, p99_us, client_cpu_us } = latencies[kind]?.[name] ?? {};
      out.push({ name: `${name} (${kind})`, role, concurrency: 1, ops_per_sec: rate, p50_us, p99_us, client_cpu_us, anchor: named(anchor), limit: named(limit) });
    }
  }
  return out;
}

if (JSON_OUTPUT) {
  console.log(JSON.stringify({ rows: rows(), seconds: SECONDS, node: process.version, ratios: summary, serverUsecPerCall: results["server usec per call"] }));
} else {
  for (const [kind, rows] of Object.entries(results)) {
    if (kind === "server usec per call") {
      console.log(`\nRedis's own time per call (INFO commandstats): ${Object.entries(rows).map(([name, usec]) => `${name} ${usec} µs`).join(", ")}`);
      continue;
    }
    console.log(`\n${kind} (one request in flight, median of ${ROUNDS} interleaved slices, ${SECONDS} s per row)`);
    for (const [name, rate] of Object.entries(rows)) {
      const { p50_us, p99_us, client_cpu_us } = latencies[kind][name];
      console.log(`  ${name.padEnd(44)} ${Math.round(rate).toString().padStart(8)} ops/s   p50 ${p50_us.toFixed(0).padStart(4)} µs   p99 ${p99_us.toFixed(0).padStart(5)} µs   Node CPU ${client_cpu_us.toFixed(1).padStart(5)} µs`);
    }
    for (const [name, value] of Object.entries(summary[kind])) console.log(`  ${name.padEnd(60)} ${value.toFixed(2)}×`);
  }
}
