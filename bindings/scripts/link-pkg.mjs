// Makes `leasehold` resolve to the BUILT package (pkg/), as an installed dependency would:
// node_modules/leasehold -> ../pkg. Tests and the bench import `leasehold`, never js/.
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "pkg");
if (!existsSync(join(pkg, "package.json"))) {
  console.error("bindings/pkg is not built: run `cargo xtask wasm` first");
  process.exit(1);
}
const link = join(root, "node_modules", "leasehold");
mkdirSync(dirname(link), { recursive: true });
try {
  lstatSync(link);
  rmSync(link, { recursive: true, force: true });
} catch {
  // no link yet
}
symlinkSync("../pkg", link, "dir");
