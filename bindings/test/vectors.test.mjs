// Replays every conformance vector (tests/vectors/*.json) on the BUILT package's in-memory
// engine, through the wire form: outcomes must be identical to the core's, JSON for JSON.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine } from "leasehold";

const dir = join(import.meta.dirname, "../../tests/vectors");
const files = readdirSync(dir).filter((name) => name.endsWith(".json")).sort();
/** The core's runner requires at least this many cases; so does this one. */
const MINIMUM_CASES = 150;

test("the vector directory has files to replay", () => {
  assert.ok(files.length >= 10, `only ${files.length} vector files in ${dir}`);
});

let cases = 0;
let steps = 0;
for (const file of files) {
  test(`every case of ${file} replays with the core's outcomes`, () => {
    const vector = JSON.parse(readFileSync(join(dir, file), "utf8"));
    assert.ok(Array.isArray(vector.cases) && vector.cases.length > 0, `${file} has no cases`);
    const failures = [];
    for (const c of vector.cases) {
      cases += 1;
      const engine = new Engine({ clock: () => assert.fail("a vector step always gives now") });
      c.steps.forEach((step, index) => {
        steps += 1;
        const got = engine.apply(step.op, step.now);
        try {
          assert.deepStrictEqual(got, step.expect);
        } catch {
          failures.push(`${c.name} / step ${index} at ${step.now}:\n  op       ${JSON.stringify(step.op)}\n  expected ${JSON.stringify(step.expect)}\n  got      ${JSON.stringify(got)}`);
        }
      });
    }
    assert.deepEqual(failures, [], `${failures.length} failures in ${file}:\n${failures.join("\n")}`);
  });
}

test("every file was replayed and at least the core's minimum of cases ran", () => {
  assert.ok(cases >= MINIMUM_CASES, `only ${cases} cases replayed`);
  console.log(`# ${files.length} files, ${cases} cases, ${steps} steps replayed`);
});
