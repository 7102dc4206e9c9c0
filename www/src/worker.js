// The simulation's own thread: the wasm simulator advanced in slices, so the page never
// freezes. Messages in: start, play, pause, step, finish (run to the end as fast as possible),
// export, compare, replay. Messages out: started, update, done, trace, compared, replayed, error.
import init, { Playground, replay } from "../pkg/leasehold_playground.js";
import { Views } from "./views.js";
import { variants } from "./algorithms.js";

const ready = init();
const SLICE = 20_000; // wake-ups per call: a few ms of work, then the worker looks at its mail
const POST_EVERY = 100; // ms of wall time between updates to the page

let run = null;

function fail(error) {
  const text = String(error?.message ?? error);
  const at = text.indexOf(": ");
  postMessage({ type: "error", code: at > 0 ? text.slice(0, at) : "error", message: text });
}

function drain() {
  const text = run.pg.takeTrace();
  if (text.length === 0) return;
  if (run.keep) run.chunks.push(text);
  run.views.ingest(text);
}

function update(progress) {
  run.progress = progress;
  postMessage({
    type: "update",
    progress,
    wall: performance.now() - run.began,
    metrics: JSON.parse(run.pg.metrics(false)),
    limits: JSON.parse(run.pg.limitSeries()),
    view: run.views.snapshot(run.scenario.start + progress.clock),
  });
  run.posted = performance.now();
}

function advance(until, max) {
  const progress = JSON.parse(run.pg.advance(until, max));
  drain();
  if (progress.done) {
    run.playing = false;
    update(progress);
    const { hash, lines } = JSON.parse(run.pg.traceHash());
    postMessage({
      type: "done",
      wall: performance.now() - run.began,
      hash, lines,
      metrics: run.pg.metrics(true),
      violation: JSON.parse(run.pg.violation()),
    });
  } else if (performance.now() - run.posted >= POST_EVERY) {
    update(progress);
  }
  return progress;
}

const yieldToMail = () => new Promise((resolve) => setTimeout(resolve, 0));

async function play(token) {
  let last = performance.now();
  while (run && run.playing && run.token === token) {
    const now = performance.now();
    const target = run.speed === Infinity ? Infinity : run.progress.clock + (now - last) * run.speed;
    last = now;
    const progress = advance(target, SLICE);
    if (progress.done) return;
    await (run.speed === Infinity ? yieldToMail() : new Promise((resolve) => setTimeout(resolve, 30)));
  }
}

const handlers = {
  start({ scenario, keepTrace, fault }) {
    const pg = new Playground(scenario, keepTrace, fault ?? "none");
    if (run) run.pg.free();
    const parsed = JSON.parse(pg.scenario());
    run = { pg, scenario: parsed, keep: keepTrace, chunks: [], views: new Views(parsed), speed: 1,
      playing: false, token: 0, began: performance.now(), posted: 0, progress: { clock: 0, steps: 0, done: false } };
    postMessage({ type: "started", scenario: parsed });
    update(run.progress);
  },
  play({ speed }) {
    if (!run || run.progress.done) return;
    run.speed = speed;
    if (run.playing) return;
    run.playing = true;
    run.token += 1;
    play(run.token);
  },
  pause() {
    if (!run) return;
    run.playing = false;
    update(run.progress);
  },
  step() {
    if (!run || run.progress.done) return;
    run.playing = false;
    update(advance(Infinity, 1));
  },
  finish() {
    handlers.play({ speed: Infinity });
  },
  export() {
    if (!run) return;
    drain();
    postMessage({ type: "trace", name: `${run.scenario.name}-${run.scenario.seed}.jsonl`, kept: run.keep,
      blob: new Blob(run.chunks, { type: "application/x-ndjson" }) });
  },
  compare({ scenario, algorithms }) {
    const results = [];
    for (const variant of variants(JSON.parse(scenario), algorithms)) {
      const pg = new Playground(JSON.stringify(variant.scenario), false, "none");
      JSON.parse(pg.advance(Infinity, Infinity));
      const metrics = JSON.parse(pg.metrics(false));
      results.push({ algorithm: variant.algorithm, label: variant.label,
        limits: JSON.parse(pg.limitSeries()), rates: metrics.rates });
      pg.free();
    }
    postMessage({ type: "compared", results });
  },
  replay({ text }) {
    const began = performance.now();
    const result = JSON.parse(replay(text));
    const views = new Views(JSON.parse(text.slice(0, text.indexOf("\n"))));
    views.ingest(text);
    postMessage({ type: "replayed", result, wall: performance.now() - began, view: views.snapshot(views.now) });
  },
};

onmessage = async ({ data }) => {
  try {
    await ready;
    handlers[data.type](data);
  } catch (error) {
    if (run) run.playing = false;
    fail(error);
  }
};
