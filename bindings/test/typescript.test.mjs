// The package's declarations: a strict TypeScript consumer compiles against the BUILT
// package, and no public declaration says `any`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");
const types = join(import.meta.dirname, "../pkg/types");

test("a strict TypeScript consumer compiles with tsc --noEmit --strict", () => {
  try {
    execFileSync(process.execPath, [tsc, "-p", join(import.meta.dirname, "tsconfig.json"), "--noEmit", "--strict"], { encoding: "utf8" });
  } catch (error) {
    assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
  }
});

test("no public declaration uses any", () => {
  const offenders = [];
  for (const file of readdirSync(types).filter((name) => name.endsWith(".d.ts"))) {
    const code = readFileSync(join(types, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    code.split("\n").forEach((line, index) => {
      if (/\bany\b/.test(line)) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test("every public method carries its documentation into the declarations", () => {
  const engine = readFileSync(join(types, "leases.d.ts"), "utf8");
  assert.match(engine, /Takes `key` for `owner` until `now \+ ttl`/);
  assert.match(readFileSync(join(types, "limits.d.ts"), "utf8"), /one crossing into wasm/);
});
