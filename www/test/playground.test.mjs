// End to end: the page in Debian's headless Chromium (driven by playwright-core, no browser
// download) against the CLI built from the same sources. A run in the page must show the
// numbers `leasehold simulate` prints for the same scenario and seed, export the very trace
// and metrics.json it writes, and that trace must replay with `leasehold replay` in memory
// and on a redis-server this test starts and stops by PID. Screenshots go to target/www-test/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "../scripts/serve.mjs";
import { startRedis } from "./support/redis.mjs";

const www = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(www, "..");
const cli = join(root, "target/debug/leasehold");
const artifacts = join(root, "target/www-test");
const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--no-first-run"];

let server, browser;

before(async () => {
  for (const [path, how] of [[join(www, "pkg/leasehold_playground.js"), "cargo xtask playground (or cargo xtask test www)"],
    [cli, "cargo build -p leasehold-cli"], [CHROMIUM, "apt-get install chromium (cargo xtask test install)"]]) {
    assert.ok(existsSync(path), `${path} is missing: run ${how} first`);
  }
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  server = await serve(www, 0);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** `leasehold <args>`: its stdout (throws with stderr on failure). */
function leasehold(...args) {
  return execFileSync(cli, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The figures of `leasehold simulate`'s output the page shows too. */
function cliFigures(stdout) {
  const ops = stdout.match(/agents: ([\d,]+) operations .*, (\d+) errors/);
  const steps = stdout.match(/invariants: all held over ([\d,]+) steps/);
  const trace = stdout.match(/trace: ([\d,]+) lines, fnv1a64 ([0-9a-f]{16})/);
  assert.ok(ops && steps && trace, `unexpected CLI output:\n${stdout}`);
  return { ops: ops[1], errors: ops[2], steps: steps[1], lines: trace[1], hash: trace[2] };
}

async function open(preset, viewport = { width: 1200, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
  await page.goto(`${server.url}?preset=${preset}`);
  await page.waitForSelector("body[data-ready=true]");
  return { page, context, problems };
}

async function runToEnd(page, how = () => page.click("#finish")) {
  const began = Date.now();
  await how();
  await page.waitForSelector("body[data-finished=true]", { timeout: 120_000 });
  return Date.now() - began;
}

async function shown(page) {
  const text = async (id) => (await page.textContent(`[data-testid=${id}]`)).trim();
  return { ops: await text("ops"), errors: await text("errors"), steps: await text("steps"),
    lines: await text("trace-lines"), hash: await text("hash") };
}

async function save(page, button, path) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
  await download.saveAs(path);
  return readFileSync(path);
}

test("a preset run to its end shows the CLI's numbers, exports its trace and metrics, and the trace replays in memory and on Redis", async () => {
  const { page, context, problems } = await open("orphaned-locks");
  await runToEnd(page);
  const out = join(artifacts, "cli-orphaned-locks");
  const figures = cliFigures(leasehold("simulate", "orphaned-locks", "--out", out));
  assert.deepEqual(await shown(page), figures);
  for (const row of JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")).operations) {
    const calls = await page.textContent(`tr[data-op="${row.op}"] td:nth-child(2)`);
    assert.equal(calls.replaceAll(",", ""), String(row.calls), `${row.op} calls`);
  }

  const trace = join(artifacts, "page-orphaned-locks.jsonl");
  assert.ok((await save(page, "#export-trace", trace)).equals(readFileSync(join(out, "trace.jsonl"))),
    "the page's trace is byte for byte the CLI's");
  const metrics = await save(page, "#export-metrics", join(artifacts, "page-orphaned-locks-metrics.json"));
  assert.ok(metrics.equals(readFileSync(join(out, "metrics.json"))), "the page's metrics.json is the CLI's");

  await page.setInputFiles("#import-trace", trace);
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Replayed"));
  assert.match(await page.textContent("#status"), new RegExp(`Replayed ${figures.steps} steps .*fnv1a64 ${figures.hash}`),
    "the page replays its own trace with the same hash");

  const inMemory = leasehold("replay", trace);
  assert.match(inMemory, new RegExp(`every outcome matches .*fnv1a64 ${figures.hash}`));
  const redis = await startRedis();
  try {
    const onRedis = leasehold("replay", trace, "--redis", redis.url, "--flush");
    assert.match(onRedis, new RegExp(`every outcome matches .*fnv1a64 ${figures.hash}`));
  } finally {
    await redis.stop();
  }
  await page.screenshot({ path: join(artifacts, "orphaned-locks.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a seed typed in the form, run with the keyboard, gives the CLI's run for that seed", async () => {
  const { page, context, problems } = await open("stale-writer");
  await page.fill("#f-seed", "9");
  await page.locator("#play").focus();
  await page.locator("body").click({ position: { x: 2, y: 2 } });
  await runToEnd(page, () => page.keyboard.press("e"));
  const figures = cliFigures(leasehold("simulate", "stale-writer", "--seed", "9"));
  assert.deepEqual(await shown(page), figures);
  const refused = Number(await page.textContent("[data-testid=refused]"));
  assert.ok(refused > 0, "stale-writer shows the writes the fence refused");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a bug planted in the engine is caught and shown with the steps on its key that led to it", async () => {
  const { page, context, problems } = await open("orphaned-locks");
  await page.selectOption("#fault", "grant_held_locks");
  await runToEnd(page);
  const alert = page.locator("#invariant-body .violation");
  assert.match(await alert.locator("strong").textContent(), /^Invariant violated at step \d+ on lockTrade:\d+$/);
  const history = await alert.locator("li code").allTextContents();
  assert.ok(history.length >= 2, "the grant before the second holder is shown too");
  assert.match(await page.textContent("#status"), /stopped: invariant violated at step \d+/);
  const trace = (await save(page, "#export-trace", join(artifacts, "planted-bug.jsonl"))).toString().trimEnd().split("\n");
  assert.equal(history.at(-1), trace.at(-1), "the violating step is the trace's last line");
  assert.ok(history.every((line) => trace.includes(line)), "every step shown is a step of the trace");
  assert.match(await page.locator("#gantt text.broken").textContent(), /lockTrade:/);
  await page.screenshot({ path: join(artifacts, "planted-bug.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a scenario exported from the page imports back into another, and steps go one wake-up at a time", async () => {
  const first = await open("api-keys");
  await first.page.fill("#f-seed", "77");
  await first.page.fill("#f-0-count", "3");
  const file = join(artifacts, "api-keys-edited.json");
  const exported = JSON.parse((await save(first.page, "#export-scenario", file)).toString());
  assert.equal(exported.seed, 77);
  assert.equal(exported.agents[0].count, 3);
  await first.context.close();

  const { page, context, problems } = await open("withdraw-rush");
  await page.setInputFiles("#import-scenario", file);
  // The page reads the file asynchronously: wait until the form has taken it (or fail below).
  await page.waitForFunction(() => document.getElementById("f-seed").value === "77", null, { timeout: 10_000 }).catch(() => {});
  assert.equal(await page.inputValue("#f-seed"), "77");
  assert.equal(await page.inputValue("#f-0-count"), "3");
  assert.deepEqual(JSON.parse(await page.inputValue("#scenario-json")), exported);
  await page.locator("body").click({ position: { x: 2, y: 2 } });
  const steps = async () => Number((await page.textContent("#status")).match(/([\d,]+) steps/)?.[1].replaceAll(",", "") ?? -1);
  await page.keyboard.press("s");
  await page.waitForFunction(() => /paused/.test(document.getElementById("status").textContent));
  await page.waitForFunction(() => !/ 0 steps/.test(document.getElementById("status").textContent));
  const once = await steps();
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction((n) => !document.getElementById("status").textContent.includes(` ${n} steps`), once);
  const twice = await steps();
  assert.ok(once >= 1 && twice > once, `one step gave ${once} steps, two gave ${twice}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a bad scenario is refused with its field named and the page keeps working", async () => {
  const { page, context, problems } = await open("api-keys");
  await page.click("details summary");
  const json = JSON.parse(await page.inputValue("#scenario-json"));
  json.agents[0].count = 0;
  await page.fill("#scenario-json", JSON.stringify(json));
  await page.click("#apply-json");
  await page.click("#finish");
  await page.waitForSelector("#error:not([hidden])");
  assert.match(await page.textContent("#error"), /^scenario_invalid: agents\[0\]\.count/);
  await page.selectOption("#preset", "api-keys");
  await page.fill("#f-horizon", "1");
  await runToEnd(page);
  assert.notEqual(await page.textContent("[data-testid=ops]"), "0");
  assert.deepEqual(problems, []);
  await context.close();
});

test("at phone width the page fits the screen and the algorithms compare side by side", async () => {
  const { page, context, problems } = await open("api-keys", { width: 390, height: 844 });
  await page.fill("#f-horizon", "2");
  await runToEnd(page);
  await page.click("#compare");
  await page.waitForSelector("#compare-results figure", { timeout: 60_000 });
  const captions = await page.locator("#compare-results h4").allTextContents();
  assert.deepEqual(captions, ["fixed window", "sliding log", "sliding counter", "token bucket", "gcra", "cooldown"]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than a phone`);
  await page.screenshot({ path: join(artifacts, "api-keys-phone.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test("measure: a one-hour withdraw rush with 400 agents, in the page, against the CLI's numbers", async () => {
  const { page, context, problems } = await open("withdraw-rush");
  const wall = await runToEnd(page);
  const worker = await page.textContent("[data-testid=wall]");
  console.log(`withdraw-rush (400 agents, 1 h virtual) in headless Chromium: ${(wall / 1000).toFixed(2)} s from click to finish, ${worker} in the worker`);
  const figures = cliFigures(leasehold("simulate", "withdraw-rush"));
  assert.deepEqual(await shown(page), figures);
  await page.screenshot({ path: join(artifacts, "withdraw-rush.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
