// The Redis driver's own cost in the real round trip: each driver row beside the raw EVALSHA
// of the same scripts from the same client, on a redis-server of its own (started here on a
// free loopback port, stopped by PID), one request in flight.
//   node bench/overhead.mjs                       this package (after `node scripts/link-pkg.mjs`)
//   node bench/overhead.mjs --against <pkg dir>   and other builds of it (repeatable), interleaved
//   node bench/overhead.mjs --clients             what each client costs per argument and per
//                                                 reply element, the floor under every row
// `--json` prints JSON. Every row takes its turn in short slices, ROUNDS times, and keeps its
// median slice, so load that comes and goes on a shared machine hits every row alike; the
// figure to read is the Node CPU per operation (user + system of this process), which such load
// swings less than it swings rates. BENCH_SECONDS sets each row's total time (default 3).
// Figures, no assertions.
import { createRequire } from "node:module";
import { resolve } from "node:path";
import Redis from "ioredis";
import { createClient } from "redis";
import { startRedis } from "../test/redis-server.mjs";

const require = createRequire(import.meta.url);
const SCRIPTS = require("../pkg/scripts.json");
const source = (name) => SCRIPTS.find((s) => s.name === name);
const FIXED_WINDOW = source("limit_fixed_window");
const LOCK_ACQUIRE = source("lock_acquire");
const LOCK_RELEASE = source("lock_release");

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = 15;
const JSON_OUTPUT = process.argv.includes("--json");
const CLIENTS = process.argv.includes("--clients");
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user:${i}`);
const QUOTA = 1_000_000_000;
const LIMIT = { algorithm: "fixedWindow", quota: QUOTA, window: 60_000 };
const TTL = 10_000;
/** node-redis's option that reads integers as digits, as the driver sends every command. */
const EXACT_INTEGERS = { typeMapping: { 58: String } };

const builds = { this: require("leasehold") };
process.argv.forEach((arg, i) => {
  if (arg === "--against") builds[process.argv[i + 1]] = require(resolve(process.argv[i + 1]));
});

const key = (i) => KEYS[i % KEYS.length];

function admitted(result) {
  if ("degraded" in result) throw new Error(`degraded: ${result.cause.message}`);
  return result;
}

/**
 * Median Node CPU µs and ops/s of each row of `rows` (name -> [op, verify?]), one op awaited at
 * a time; `verify` reads the op's result after the await, so it adds no promise to the op.
 */
async function race(rows) {
  const entries = Object.entries(rows);
  const cpu = Object.fromEntries(entries.map(([name]) => [name, []]));
  const rates = Object.fromEntries(entries.map(([name]) => [name, []]));
  let i = 0;
  for (const [, [op, verify]] of entries) for (let j = 0; j < 2000; j++) verify(await op(i++));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, [op, verify]] of entries) {
      let done = 0;
      const used = process.cpuUsage();
      const start = performance.now();
      const end = start + (SECONDS * 1000) / ROUNDS;
      while (performance.now() < end) for (let j = 0; j < 20; j++, done++) verify(await op(i++));
      const { user, system } = process.cpuUsage(used);
      cpu[name].push((user + system) / done);
      rates[name].push(done / ((performance.now() - start) / 1000));
    }
  }
  const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  return Object.fromEntries(entries.map(([name]) => [name, { cpu_us: median(cpu[name]), ops_per_sec: median(rates[name]) }]));
}

const none = () => {};

/** The driver rows of every build beside the raw rows, through one client. */
async function driverRows(kind, client, raw) {
  const rows = {
    "raw EVALSHA of the limit script": [(i) => raw.evalsha(FIXED_WINDOW.sha1, [`raw-${kind}:limit:fixed_window:{${key(i)}}`],
      ["server", "check", key(i), String(QUOTA), "60000", "", "", "", "", "1"]), none],
    "raw EVALSHA of the 2 lock scripts": [async (i) => {
      const lock = [`raw-${kind}:lock:{${key(i)}}`];
      await raw.evalsha(LOCK_ACQUIRE.sha1, lock, ["server", key(i), "owner", String(TTL)]);
      return raw.evalsha(LOCK_RELEASE.sha1, lock, ["server", key(i), "owner"]);
    }, none],
  };
  if (raw.exact) {
    rows["raw EVALSHA of the limit script, integers as digits"] = [(i) => raw.exact(FIXED_WINDOW.sha1, [`raw-${kind}:limit:fixed_window:{${key(i)}}`],
      ["server", "check", key(i), String(QUOTA), "60000", "", "", "", "", "1"]), none];
  }
  for (const [build, { RedisEngine }] of Object.entries(builds)) {
    const engine = new RedisEngine({ client, prefix: `overhead-${build}-${kind}` });
    await engine.load();
    rows[`${build}: limit check`] = [(i) => engine.limits.check(key(i), LIMIT), admitted];
    rows[`${build}: lock acquire + release`] = [async (i) => {
      const granted = admitted(await engine.locks.acquire(key(i), "owner", TTL));
      if (granted.kind !== "granted") throw new Error("lock denied");
      return engine.locks.release(key(i), "owner");
    }, admitted];
  }
  return race(rows);
}

/** A script of one command that ignores its arguments, and one that answers `ARGV[1]` integers. */
const IGNORES = "return redis.call('SET', KEYS[1], 'v', 'PX', 1000)";
const COUNTS = "local out = {} for i = 1, tonumber(ARGV[1]) do out[i] = i end return out";

/** What the client costs per argument sent and per integer of a reply. */
async function clientRows(kind, raw) {
  const ignores = await raw.load(IGNORES);
  const counts = await raw.load(COUNTS);
  const rows = {};
  for (const n of [1, 10, 50]) {
    const args = Array.from({ length: n }, (_, i) => `argument-${i}`);
    rows[`1 key + ${n} args, reply OK`] = [(i) => raw.evalsha(ignores, [`args-${kind}:${key(i)}`], args), none];
  }
  for (const n of [1, 6, 50]) {
    rows[`reply of ${n} integers`] = [(i) => raw.evalsha(counts, [`counts-${kind}:${key(i)}`], [String(n)]), none];
    if (raw.exact) rows[`reply of ${n} integers, as digits`] = [(i) => raw.exact(counts, [`counts-${kind}:${key(i)}`], [String(n)]), none];
  }
  const measured = await race(rows);
  const slope = (a, b, span) => (measured[b].cpu_us - measured[a].cpu_us) / span;
  measured["per argument (1 -> 50 args)"] = { cpu_us: slope("1 key + 1 args, reply OK", "1 key + 50 args, reply OK", 49) };
  measured["per reply integer (1 -> 50)"] = { cpu_us: slope("reply of 1 integers", "reply of 50 integers", 49) };
  if (raw.exact) measured["per reply integer as digits (1 -> 50)"] = { cpu_us: slope("reply of 1 integers, as digits", "reply of 50 integers, as digits", 49) };
  return measured;
}

const server = await startRedis();
const results = {};
try {
  const io = new Redis(server.port, "127.0.0.1");
  const ioRaw = {
    evalsha: (sha, keys, args) => io.evalsha(sha, keys.length, ...keys, ...args),
    load: (text) => io.script("LOAD", text),
  };
  results.ioredis = CLIENTS ? await clientRows("ioredis", ioRaw) : await driverRows("ioredis", io, ioRaw);
  io.disconnect();
  const node = await createClient({ url: server.url }).connect();
  const nodeRaw = {
    evalsha: (sha, keys, args) => node.evalSha(sha, { keys, arguments: args }),
    exact: (sha, keys, args) => node.sendCommand(["EVALSHA", sha, String(keys.length), ...keys, ...args], EXACT_INTEGERS),
    load: (text) => node.scriptLoad(text),
  };
  results["node-redis"] = CLIENTS ? await clientRows("node-redis", nodeRaw) : await driverRows("node-redis", node, nodeRaw);
  await node.close();
} finally {
  await server.stop();
}

if (JSON_OUTPUT) {
  console.log(JSON.stringify({ seconds: SECONDS, node: process.version, results }));
} else {
  for (const [kind, rows] of Object.entries(results)) {
    console.log(`\n${kind} (one request in flight, median of ${ROUNDS} interleaved slices, ${SECONDS} s per row)`);
    for (const [name, { cpu_us, ops_per_sec }] of Object.entries(rows)) {
      const rate = ops_per_sec === undefined ? "" : `${Math.round(ops_per_sec).toString().padStart(8)} ops/s`;
      console.log(`  ${name.padEnd(56)} Node CPU ${cpu_us.toFixed(2).padStart(6)} µs ${rate}`);
    }
  }
}
