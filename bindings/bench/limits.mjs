// In-memory rate-limit checks per second: leasehold (the BUILT package) against
// rate-limiter-flexible's RateLimiterMemory, same machine, same run, on one key and on 100k
// keys. Run with `npm run bench` in bindings/. Not part of the tests. With `--json`, prints one
// JSON line of rows instead (what `cargo xtask bench` reads).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { Engine } from "leasehold";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const KEYS = Array.from({ length: 100_000 }, (_, i) => `user:${i}`);
const BATCH = 1_000;
// Quotas no run can exhaust: every check is admitted and counted, on both sides.
const QUOTA = 1_000_000_000;
const LIMIT = { algorithm: "fixedWindow", quota: QUOTA, window: 60_000 };

/** Operations per second of `round` (which does `ops` operations), after a warm-up. */
async function measure(round, ops) {
  const deadline = (seconds) => performance.now() + seconds * 1000;
  for (const end = deadline(0.3); performance.now() < end; ) await round();
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

function leaseholdBatch(keys) {
  const engine = new Engine();
  const batches = [];
  for (let i = 0; i < keys.length; i += BATCH) batches.push(keys.slice(i, i + BATCH));
  if (keys.length === 1) batches[0] = Array(BATCH).fill(keys[0]);
  let b = 0;
  return () => {
    for (let j = 0; j < 10; j++) engine.limits.checkMany(batches[b++ % batches.length], LIMIT);
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
const results = {};
for (const [label, keys] of [["1 key", [KEYS[0]]], ["100k keys", KEYS]]) {
  const rlf = await measure(flexible(keys), 10_000);
  const single = await measure(leaseholdSingle(keys), 10_000);
  const batch = await measure(leaseholdBatch(keys), 10 * BATCH);
  results[label] = { rlf, single, batch };
  const anchor = `RateLimiterMemory consume (${label})`;
  rows.push({ name: anchor, role: "anchor", concurrency: 1, ops_per_sec: rlf });
  rows.push({ name: `wasm limits.check in Node (${label})`, role: "leasehold", concurrency: 1, ops_per_sec: single, anchor });
  rows.push({ name: `wasm limits.checkMany in Node (${label})`, role: "leasehold", concurrency: 1, ops_per_sec: batch, anchor });
  log(`${label.padEnd(10)} RateLimiterMemory ${fmt(rlf)}   leasehold check ${fmt(single)} (${(single / rlf).toFixed(2)}x)   checkMany ${fmt(batch)} (${(batch / rlf).toFixed(2)}x)`);
}

const wasm = readFileSync(join(import.meta.dirname, "../pkg/wasm/node/leasehold_wasm_bg.wasm"));
log(`wasm: ${wasm.length} bytes, ${gzipSync(wasm, { level: 9 }).length} gzipped; node ${process.version}`);
if (JSON_OUT) console.log(JSON.stringify({ rows, node: process.version, wasm_bytes: wasm.length }));
