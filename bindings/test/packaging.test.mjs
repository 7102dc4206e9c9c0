// The packaging test: `npm pack` the built package, install the tarball into scratch
// CommonJS and ESM projects (offline: it has no dependencies), and take a lock, a hold and a
// limit from each, as a user would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const pkg = join(import.meta.dirname, "../pkg");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const USE = `
const engine = new Engine({ clock: () => 1000 });
const lock = engine.locks.acquire("lockTrade:42", "worker-a", 900000);
const hold = engine.holds.reserve("reserved-assets_730", ["a1", "a2"], "user-1", 1200000);
const limit = engine.limits.check("login_ip:1.2.3.4", { algorithm: "fixedWindow", quota: 10, window: 900000 });
let code;
try { engine.locks.acquire("", "a", 1); } catch (error) { code = error instanceof LeaseholdError && error.code; }
console.log(JSON.stringify({ lock: lock.kind, fence: lock.fence, hold: hold.kind, allowed: limit.allowed, remaining: limit.remaining, code }));
`;
const EXPECTED = { lock: "granted", fence: 1000000, hold: "reserved", allowed: true, remaining: 9, code: "empty" };

test("the npm pack tarball installs and works from CommonJS and ESM projects", (t) => {
  const scratch = mkdtempSync(join(tmpdir(), "leasehold-packaging-"));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const packed = JSON.parse(execFileSync(npm, ["pack", pkg, "--json", "--pack-destination", scratch], { encoding: "utf8", cwd: scratch }));
  const files = packed[0].files.map((file) => file.path).sort();
  assert.ok(files.includes("wasm/node/leasehold_wasm_bg.wasm") && files.includes("types/index.d.ts"), files.join(" "));
  assert.ok(!files.some((file) => file.endsWith(".ts") && !file.endsWith(".d.ts")), "no TypeScript sources in the tarball");
  const tarball = join(scratch, packed[0].filename);

  const projects = [
    ["cjs", "commonjs", "index.cjs", `const { Engine, LeaseholdError } = require("leasehold");\n${USE}`],
    ["esm", "module", "index.mjs", `import { Engine, LeaseholdError } from "leasehold";\n${USE}`],
  ];
  for (const [name, type, entry, source] of projects) {
    const dir = join(scratch, name);
    execFileSync("mkdir", [dir]);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `scratch-${name}`, private: true, type }));
    execFileSync(npm, ["install", tarball, "--offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, encoding: "utf8" });
    writeFileSync(join(dir, entry), source);
    const out = execFileSync(process.execPath, [entry], { cwd: dir, encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), EXPECTED, `${name} project`);
  }
});

test("the ESM entry exports exactly what the CommonJS entry does", async () => {
  const cjs = (await import("node:module")).createRequire(import.meta.url)("leasehold");
  const esm = await import("leasehold");
  assert.deepEqual(Object.keys(esm).filter((name) => name !== "default").sort(), Object.keys(cjs).sort());
  assert.equal(esm.Engine, cjs.Engine, "one module instance for require and import");
});

test("the package.json lists its files, types and exports explicitly", () => {
  const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  assert.equal(manifest.name, "leasehold");
  assert.ok(Array.isArray(manifest.files) && manifest.files.length > 0);
  assert.equal(manifest.types, "./types/index.d.ts");
  assert.deepEqual(Object.keys(manifest.exports["."]), ["types", "import", "require"]);
  assert.equal(manifest.dependencies, undefined, "no runtime dependencies");
});
