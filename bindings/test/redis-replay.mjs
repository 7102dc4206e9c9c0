// The replay of every conformance vector (tests/vectors/*.json) on Redis through one client,
// shared by every file that runs it on a client of its own: outcomes must be identical to the
// vectors' expectations, JSON for JSON. Each case runs under a prefix of its own (a fresh
// state), with the vectors' explicit `now`. (node --test runs every file under test/, this one
// included: it defines no test until a file calls it.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RedisEngine } from "leasehold";

const dir = join(import.meta.dirname, "../../tests/vectors");
/** The vector files, sorted. */
export const vectorFiles = readdirSync(dir).filter((name) => name.endsWith(".json")).sort();
const MINIMUM_CASES = 150;

/**
 * The number a client reads for the integer reply `value` when its decoder computes
 * `n * 10 + byte - 48` digit by digit in doubles, which rounds within 57 of 2^53: node-redis 4
 * (always: it has no option to read integers as digits) and ioredis 6 (unless told
 * `stringNumbers`). Every other integer it reads exactly.
 */
export function asRoundingDecoderReads(value) {
  if (value < 0) return -asRoundingDecoderReads(-value);
  let read = 0;
  for (const digit of String(value)) read = read * 10 + digit.charCodeAt(0) - 48;
  return read;
}

/** `json` with every integer replaced by `read(integer)`. */
function mapIntegers(json, read) {
  if (Number.isInteger(json)) return read(json);
  if (Array.isArray(json)) return json.map((item) => mapIntegers(item, read));
  if (json !== null && typeof json === "object") return Object.fromEntries(Object.entries(json).map(([key, value]) => [key, mapIntegers(value, read)]));
  return json;
}

/**
 * Registers one test per vector file replaying it through the client `client()` returns (read
 * when the test runs, so a `before` hook can create it), which the engine must recognise as
 * `kind`; then a test that fails unless every file was replayed in full and at least the
 * core's minimum of cases ran. `label` names the client in the test names (`kind` by default).
 * `reads`, for a client that cannot read every integer reply exactly, is the integer it reads
 * for each integer of an expected `ok` outcome (see {@link asRoundingDecoderReads}); the default is
 * exact.
 */
export function replayVectors(kind, client, label = kind, reads = undefined) {
  let cases = 0;
  const replayed = new Set();
  for (const file of vectorFiles) {
    test(`every case of ${file} replays on Redis through ${label} with the core's outcomes`, async () => {
      const vector = JSON.parse(readFileSync(join(dir, file), "utf8"));
      assert.ok(Array.isArray(vector.cases) && vector.cases.length > 0, `${file} has no cases`);
      const failures = [];
      for (const c of vector.cases) {
        cases += 1;
        const engine = new RedisEngine({ client: client(), prefix: `${label}:${file}:${cases}` });
        assert.equal(engine.client, kind);
        for (const [index, step] of c.steps.entries()) {
          const got = await engine.apply(step.op, step.now);
          // Only an outcome's integers are integer replies; an error's are text, read exactly.
          const expect = reads === undefined || !("ok" in step.expect) ? step.expect : { ok: mapIntegers(step.expect.ok, reads) };
          try {
            assert.deepStrictEqual(got, expect);
          } catch {
            failures.push(`${c.name} / step ${index} at ${step.now}:\n  op       ${JSON.stringify(step.op).slice(0, 300)}\n  expected ${JSON.stringify(expect)}\n  got      ${JSON.stringify(got)}`);
          }
        }
      }
      assert.deepEqual(failures, [], `${failures.length} failures in ${file}:\n${failures.join("\n")}`);
      replayed.add(file);
    });
  }
  test(`through ${label}, every file was replayed and at least the core's minimum of cases ran`, () => {
    assert.deepEqual(vectorFiles.filter((file) => !replayed.has(file)), [], "files not replayed in full");
    assert.ok(cases >= MINIMUM_CASES, `only ${cases} cases replayed through ${label}`);
  });
}
