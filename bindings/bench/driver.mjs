// The Redis driver's own cost, without Redis or a network: each client kind's send answers a
// canned script reply at once, so what is timed is the driver (checks, argument building,
// reply decoding, promise layers) and nothing else.
//   node bench/driver.mjs                      this package (after `node scripts/link-pkg.mjs`)
//   node bench/driver.mjs --against <pkg dir>  and another build of it, interleaved in one run
// `--json` prints JSON. Each figure is CPU time (user + system) per operation, so other load on
// a shared machine stretches it less than wall time would; BENCH_SECONDS sets the run's length
// (default 3 per row, in 15 interleaved slices, each row's median slice kept). Figures, no assertions; `node --cpu-prof
// bench/driver.mjs` profiles the same loops.
import { createRequire } from "node:module";
import { resolve } from "node:path";

const require = createRequire(import.meta.url);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = 15;
const JSON_OUTPUT = process.argv.includes("--json");
const against = process.argv.indexOf("--against");
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user:${i}`);
const LIMIT = { algorithm: "fixedWindow", quota: 1_000_000_000, window: 60_000 };

/** The reply each script gives here: `args` is `[sha1, numkeys, ...keys, clock, ...]`. */
function reply(args) {
  const keys = Number(args[1]);
  if (args[2 + keys + 1] === "check") return ["decision", 1, 1_000_000_000, 999_999_999, 60_000, 0];
  if (args.length === 2 + keys + 4) return ["granted", 1_000_000, 1_795_000_010_000, 0]; // clock, key, owner, ttl
  return ["released", 1_000_000];
}

const clients = {
  ioredis: { status: "ready", call: (command, ...args) => Promise.resolve(reply(args)) },
  "node-redis": { isOpen: true, isReady: true, sendCommand: (args) => Promise.resolve(reply(args.slice(1))) },
};

const builds = { this: require("leasehold") };
if (against > 0) builds.baseline = require(resolve(process.argv[against + 1]));

const key = (i) => KEYS[i % KEYS.length];
const ops = {};
for (const [build, { RedisEngine }] of Object.entries(builds)) {
  for (const [kind, client] of Object.entries(clients)) {
    const engine = new RedisEngine({ client, prefix: "bench" });
    ops[`${build} ${kind} limit check`] = (i) => engine.limits.check(key(i), LIMIT);
    ops[`${build} ${kind} lock acquire + release`] = async (i) => {
      await engine.locks.acquire(key(i), "owner", 10_000);
      await engine.locks.release(key(i), "owner");
    };
  }
}

/** CPU microseconds per op of each entry of `ops`, in interleaved slices; each one's median slice. */
async function race() {
  const entries = Object.entries(ops);
  const times = Object.fromEntries(entries.map(([name]) => [name, []]));
  let i = 0;
  for (const [, op] of entries) for (let j = 0; j < 20_000; j++) await op(i++);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, op] of entries) {
      let done = 0;
      const cpu = process.cpuUsage();
      const end = performance.now() + (SECONDS * 1000) / ROUNDS / entries.length * 4;
      while (performance.now() < end) for (let j = 0; j < 200; j++, done++) await op(i++);
      const used = process.cpuUsage(cpu);
      times[name].push((used.user + used.system) / done);
    }
  }
  const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  return Object.fromEntries(entries.map(([name]) => [name, median(times[name])]));
}

const results = await race();
if (JSON_OUTPUT) console.log(JSON.stringify(results, null, 2));
else for (const [name, us] of Object.entries(results)) console.log(`${name.padEnd(45)} ${us.toFixed(2)} µs`);
