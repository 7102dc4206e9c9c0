// The page: preset picker and form, controls, and the pictures the worker's updates feed.
import { explain } from "./presets.js";
import { render as renderForm } from "./form.js";
import { ALGORITHMS } from "./algorithms.js";
import * as plots from "./plots.js";
import { summary } from "./summary.js";

const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const SPEEDS = [1, 10, 100, 1000, 10000];

const state = { presets: [], scenario: null, dirty: true, playing: false, done: false, last: null, violation: null, metricsText: null };

function status(text) {
  $("status").textContent = text;
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message ?? "";
}

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function setScenario(scenario) {
  state.scenario = scenario;
  $("scenario-json").value = JSON.stringify(scenario, null, 2);
  const { pattern, look } = explain(scenario.name);
  $("explain").innerHTML = "";
  for (const [title, text] of [["Pattern", pattern], ["What to look at", look], ["About", scenario.about]]) {
    const p = document.createElement("p");
    p.innerHTML = `<strong>${title}:</strong> `;
    p.append(text);
    $("explain").append(p);
  }
  renderForm($("params"), scenario, () => {
    $("scenario-json").value = JSON.stringify(scenario, null, 2);
    state.dirty = true;
    status("Parameters changed: press Play or Run to end to start again.");
  });
  state.dirty = true;
}

function ensureStarted() {
  if (!state.dirty) return;
  showError(null);
  state.done = false;
  state.violation = null;
  state.metricsText = null;
  $("export-trace").disabled = $("export-metrics").disabled = true;
  $("compare-results").innerHTML = "";
  worker.postMessage({ type: "start", scenario: JSON.stringify(state.scenario), keepTrace: $("keep-trace").checked, fault: $("fault").value });
  state.dirty = false;
}

function speed() {
  return Number($("speed").value);
}

const actions = {
  play() {
    if (state.playing) return actions.pause();
    if (state.done) state.dirty = true;
    ensureStarted();
    state.playing = true;
    $("play").textContent = "Pause";
    worker.postMessage({ type: "play", speed: speed() });
  },
  pause() {
    state.playing = false;
    $("play").textContent = "Play";
    worker.postMessage({ type: "pause" });
  },
  step() {
    if (state.done) state.dirty = true;
    ensureStarted();
    state.playing = false;
    $("play").textContent = "Play";
    worker.postMessage({ type: "step" });
  },
  finish() {
    if (state.done) state.dirty = true;
    ensureStarted();
    state.playing = true;
    $("play").textContent = "Pause";
    worker.postMessage({ type: "finish" });
  },
  reset() {
    state.dirty = true;
    state.playing = false;
    $("play").textContent = "Play";
    ensureStarted();
  },
};

function draw({ progress, metrics, limits, view, wall }) {
  const horizon = state.scenario.horizon;
  $("progress").value = progress.clock / horizon;
  status(`${plots.span(progress.clock)} of ${plots.span(horizon)} virtual, ${progress.steps.toLocaleString("en-US")} steps, ${(wall / 1000).toFixed(2)} s wall${state.violation ? ` — stopped: invariant violated at step ${state.violation.step}` : progress.done ? " — finished" : state.playing ? "" : " — paused"}`);
  $("summary-body").innerHTML = summary(state.scenario, metrics, state.last);
  $("gantt").innerHTML = plots.gantt(view, state.violation?.key);
  $("holds-list").innerHTML = plots.holds(view);
  $("conflicts").innerHTML = plots.conflicts(view);
  $("limit-charts").innerHTML = plots.limitCharts(limits);
  $("curve-plot").innerHTML = plots.curves(metrics.samples, horizon);
  $("invariant-body").innerHTML = plots.invariants(state.violation, view);
}

worker.onmessage = ({ data }) => {
  switch (data.type) {
    case "update":
      state.lastUpdate = data;
      draw(data);
      break;
    case "done":
      state.done = true;
      state.playing = false;
      $("play").textContent = "Play";
      state.violation = data.violation;
      state.metricsText = data.metrics;
      state.last = { hash: data.hash, lines: data.lines, wall: data.wall };
      $("export-trace").disabled = $("export-metrics").disabled = false;
      if (state.lastUpdate) draw(state.lastUpdate);
      document.body.dataset.finished = "true";
      break;
    case "trace":
      if (!data.kept) showError("The trace was not kept (tick “keep the trace” and run again to export it).");
      else download(data.name, data.blob);
      break;
    case "compared":
      $("compare-results").innerHTML = data.results.map((r) =>
        `<div>${plots.limitCharts(r.limits, r.label)}</div>`).join("");
      $("compare").disabled = false;
      break;
    case "replayed":
      status(`Replayed ${data.result.steps.toLocaleString("en-US")} steps of ${data.result.scenario} (seed ${data.result.seed}): every outcome matches and every invariant holds; fnv1a64 ${data.result.hash} (${(data.wall / 1000).toFixed(2)} s)`);
      $("gantt").innerHTML = plots.gantt(data.view);
      $("holds-list").innerHTML = plots.holds(data.view);
      $("conflicts").innerHTML = plots.conflicts(data.view);
      $("invariant-body").innerHTML = plots.invariants(null, data.view);
      break;
    case "error":
      state.playing = false;
      $("play").textContent = "Play";
      $("compare").disabled = false;
      showError(data.message);
      break;
  }
};

function wire() {
  for (const name of ["play", "step", "finish", "reset"]) $(name).onclick = () => actions[name]();
  $("keep-trace").onchange = $("fault").onchange = () => {
    state.dirty = true;
    status("Engine changed: press Play or Run to end to start again.");
  };
  $("speed").onchange = () => state.playing && worker.postMessage({ type: "play", speed: speed() });
  $("preset").onchange = () => {
    const preset = state.presets.find((p) => p.name === $("preset").value);
    setScenario(JSON.parse(preset.json));
  };
  $("apply-json").onclick = () => {
    try {
      setScenario(JSON.parse($("scenario-json").value));
      showError(null);
    } catch (error) {
      showError(`scenario_json: ${error.message}`);
    }
  };
  $("export-scenario").onclick = () =>
    download(`${state.scenario.name}.json`, new Blob([JSON.stringify(state.scenario, null, 2) + "\n"], { type: "application/json" }));
  $("import-scenario").onchange = async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    try {
      setScenario(JSON.parse(await file.text()));
      showError(null);
    } catch (error) {
      showError(`scenario_json: ${error.message}`);
    }
  };
  $("export-trace").onclick = () => worker.postMessage({ type: "export" });
  $("export-metrics").onclick = () =>
    download(`${state.scenario.name}-metrics.json`, new Blob([state.metricsText], { type: "application/json" }));
  $("import-trace").onchange = async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    showError(null);
    status(`Replaying ${file.name}…`);
    worker.postMessage({ type: "replay", text: await file.text() });
  };
  $("algorithms").innerHTML = ALGORITHMS.map((a) =>
    `<label class="check"><input type="checkbox" value="${a}" checked> ${a.replace("_", " ")}</label>`).join(" ");
  $("compare").onclick = () => {
    const chosen = [...$("algorithms").querySelectorAll("input:checked")].map((input) => input.value);
    if (!state.scenario.agents.some((g) => g.behaviour.limit_client)) {
      $("compare-results").innerHTML = `<p class="empty">This scenario has no rate-limit client: pick abuse or api-keys.</p>`;
      return;
    }
    $("compare").disabled = true;
    $("compare-results").innerHTML = `<p class="empty">Running ${chosen.length} variants…</p>`;
    worker.postMessage({ type: "compare", scenario: JSON.stringify(state.scenario), algorithms: chosen });
  };
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    const action = { " ": "play", s: "step", arrowright: "step", e: "finish", r: "reset" }[key];
    if (action) {
      event.preventDefault();
      actions[action]();
    } else if (/^[1-5]$/.test(key)) {
      $("speed").value = String(SPEEDS[Number(key) - 1]);
      $("speed").onchange();
    }
  });
}

async function main() {
  const { default: init, presets } = await import("../pkg/leasehold_playground.js");
  await init();
  state.presets = JSON.parse(presets());
  $("preset").innerHTML = state.presets.map((p) => `<option value="${p.name}">${p.name}</option>`).join("");
  const wanted = new URLSearchParams(location.search).get("preset");
  const first = state.presets.find((p) => p.name === wanted) ?? state.presets[0];
  $("preset").value = first.name;
  setScenario(JSON.parse(first.json));
  wire();
  status("Ready: pick a preset, then Play (Space) or Run to end (E).");
  document.body.dataset.ready = "true";
}

main().catch((error) => showError(String(error)));
