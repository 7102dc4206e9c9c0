// The web build (leasehold/web, for browsers and www/): init() with the wasm bytes, then the
// same API. Also the size budget of the wasm: at most 150 KB, 60 KB gzipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const pkg = join(import.meta.dirname, "../pkg");

test("the web entry works once init is given the module", async () => {
  const web = await import("leasehold/web");
  await web.default({ module_or_path: readFileSync(join(pkg, "wasm/web/leasehold_wasm_bg.wasm")) });
  const engine = new web.Engine({ clock: () => 1_000 });
  assert.equal(engine.locks.acquire("k", "a", 10).kind, "granted");
  assert.equal(engine.limits.check("k", { algorithm: "cooldown", interval: 10 }).allowed, true);
  assert.throws(() => engine.locks.acquire("k", "a", -1), web.InvalidArgumentError);
});

test("each wasm build is at most 150 KB, and 60 KB gzipped", () => {
  for (const build of ["node", "web"]) {
    const wasm = readFileSync(join(pkg, `wasm/${build}/leasehold_wasm_bg.wasm`));
    const gzipped = gzipSync(wasm, { level: 9 }).length;
    console.log(`# ${build}: ${wasm.length} bytes, ${gzipped} gzipped`);
    assert.ok(wasm.length <= 150_000, `${build}: ${wasm.length} bytes`);
    assert.ok(gzipped <= 60_000, `${build}: ${gzipped} bytes gzipped`);
  }
});
