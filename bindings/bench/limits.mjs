// In-memory rate-limit checks per second: leasehold (the BUILT package) against
// rate-limiter-flexible's RateLimiterMemory, same machine, same run, on one key and on 100k
// keys. Run with `npm run bench` in bindings/. Not part of the tests. With `--json`, prints one
// JSON line of rows instead (what `cargo xtask bench` reads).
//
// Every figure is the median of ROUNDS measurements taken in turn (rate-limiter-flexible, then
// each leasehold path, then again), so that a busy machine slows every side alike. Paths:
// `check` (a limit spec on every call), `limiter` (a bound Limiter), `checkMany` and
// `limiter.checkMany` (batches of 1000 keys, one crossing into wasm each).
//
// What each loop does, per operation, under the same conditions: one call on the next key of the
// same list, read from the engine's own clock (`Date.now()` on both sides: neither is given
// `now`), admitted and counted (the quota is never reached). rate-limiter-flexible's `consume`
// returns a Promise, which its loop awaits one at a time, as a caller must; leasehold's calls are
// synchronous and return the decision itself. Each round function does 10 000 operations
// (10 batches for the batch paths) and is itself awaited, on both sides.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { Engine } from "leasehold";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 0.5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const KEYS = Array.from({ length: 100_000 }, (_, i) => `user:${i}`);
const BATCH = 1_000;
// Quotas no run can exhaust: every check is admitted and counted, on both sides.
const QUOTA = 1_000_000_000;
const LIMIT = { algorithm: "fixedWindow", quota: QUOTA, window: 60_000 };

/** Operations per second of `round` (which does `ops` operations), after a warm-up. */
async function measure(round, ops) {
  const deadline = (seconds) => performance.now() + seconds * 1000;
  for (const end = deadline(0.1); performance.now() < end; ) await round();
  let done = 0;
  const start = performance.now();
  for (const end = deadline(SECONDS); performance.now() < end; done += ops) await round();
  return done / ((performance.now() - start) / 1000);
}

function leaseholdSingle(keys) {
  const engine = new Engine();
  const n = keys.length;
  let i = 0;
  return () => {
    for (let j = 0; j < 10_000; j++) engine.limits.check(keys[i++ % n], LIMIT);
  };
}

function leaseholdLimiter(keys) {
  const limiter = new Engine().limits.limiter(LIMIT);
  const n = keys.length;
  let i = 0;
  return () => {
    for (let j = 0; j < 10_000; j++) limiter.check(keys[i++ % n]);
  };
}

function batches(keys) {
  const out = [];
  for (let i = 0; i < keys.length; i += BATCH) out.push(keys.slice(i, i + BATCH));
  if (keys.length === 1) out[0] = Array(BATCH).fill(keys[0]);
  return out;
}

function leaseholdBatch(keys) {
  const engine = new Engine();
  const all = batches(keys);
  let b = 0;
  return () => {
    for (let j = 0; j < 10; j++) engine.limits.checkMany(all[b++ % all.length], LIMIT);
  };
}

function leaseholdLimiterBatch(keys) {
  const limiter = new Engine().limits.limiter(LIMIT);
  const all = batches(keys);
  let b = 0;
  return () => {
    for (let j = 0; j < 10; j++) limiter.checkMany(all[b++ % all.length]);
  };
}

function flexible(keys) {
  const limiter = new RateLimiterMemory({ points: QUOTA, duration: 60 });
  const n = keys.length;
  let i = 0;
  return async () => {
    for (let j = 0; j < 10_000; j++) await limiter.consume(keys[i++ % n]);
  };
}

const JSON_OUT = process.argv.includes("--json");
const log = JSON_OUT ? () => {} : console.log;
const rows = [];
const fmt = (rate) => `${(rate / 1e6).toFixed(2)}M/s`;
const median = (values) => values.toSorted((x, y) => x - y)[values.length >> 1];
const PATHS = [
  ["check", leaseholdSingle, 10_000],
  ["limiter", leaseholdLimiter, 10_000],
  ["checkMany", leaseholdBatch, 10 * BATCH],
  ["limiter.checkMany", leaseholdLimiterBatch, 10 * BATCH],
];
for (const [label, keys] of [["1 key", [KEYS[0]]], ["100k keys", KEYS]]) {
  // Fresh state for every path, kept across rounds: the 100k keys stay known after round one.
  const rounds = { rlf: [], ...Object.fromEntries(PATHS.map(([name]) => [name, []])) };
  const rlf = flexible(keys);
  const paths = PATHS.map(([name, make, ops]) => [name, make(keys), ops]);
  for (let r = 0; r < ROUNDS; r++) {
    rounds.rlf.push(await measure(rlf, 10_000));
    for (const [name, round, ops] of paths) rounds[name].push(await measure(round, ops));
  }
  const base = median(rounds.rlf);
  const shown = PATHS.map(([name]) => `${name} ${fmt(median(rounds[name]))} (${(median(rounds[name]) / base).toFixed(2)}x)`);
  const anchor = `RateLimiterMemory consume (${label})`;
  rows.push({ name: anchor, role: "anchor", concurrency: 1, ops_per_sec: base });
  for (const [name] of PATHS) {
    rows.push({ name: `wasm ${name} in Node (${label})`, role: "leasehold", concurrency: 1, ops_per_sec: median(rounds[name]), anchor });
  }
  log(`${label.padEnd(10)} RateLimiterMemory ${fmt(base)}   ${shown.join("   ")}`);
}

const wasm = readFileSync(join(import.meta.dirname, "../pkg/wasm/node/leasehold_wasm_bg.wasm"));
log(`wasm: ${wasm.length} bytes, ${gzipSync(wasm, { level: 9 }).length} gzipped; node ${process.version}`);
if (JSON_OUT) console.log(JSON.stringify({ rows, node: process.version, wasm_bytes: wasm.length }));
