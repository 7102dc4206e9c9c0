// The parameter form: a scenario's knobs as labelled inputs (seed, horizon, and per group its
// agents, TTLs, limits and algorithm, crash and failure rates). Editing an input edits the
// scenario object in place and calls `changed`.
import { ALGORITHMS, rateOf, withRate } from "./algorithms.js";

const esc = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The knobs of each behaviour: [field, label, unit scale (ms → shown unit), unit]. */
const KNOBS = {
  withdraw: [
    ["inventory", "items in stock", 1, ""], ["hold_ttl", "hold TTL", 1000, "s"], ["lock_ttl", "lockTrade TTL", 1000, "s"],
    ["retries", "conflicts before giving up", 1, ""], ["crash_ppm", "crash rate", 10_000, "%"], ["release_fail_ppm", "failed releases", 10_000, "%"],
  ],
  lock_worker: [
    ["keys", "keys", 1, ""], ["ttl", "lease TTL", 1000, "s"], ["crash_ppm", "crash rate", 10_000, "%"], ["pause_ppm", "pause rate (per renewal)", 10_000, "%"],
  ],
  limit_client: [["keys", "keys (0: one per agent)", 1, ""], ["cost", "cost per check", 1, ""], ["retries", "retries when polite", 1, ""]],
};

function number(id, label, value, unit) {
  return `<label for="${id}">${esc(label)}${unit ? ` (${unit})` : ""}<input type="number" id="${id}" min="0" step="any" value="${value}"></label>`;
}

/** Fills `form` with the knobs of `scenario`. */
export function render(form, scenario, changed) {
  let html = `<div class="top">${number("f-seed", "seed", scenario.seed, "")}${number("f-horizon", "duration", scenario.horizon / 60_000, "min")}</div>`;
  scenario.agents.forEach((group, g) => {
    const [[kind, params]] = Object.entries(group.behaviour);
    html += `<fieldset><legend>${esc(group.group)} (${esc(kind.replace("_", " "))})</legend>`;
    html += number(`f-${g}-count`, "agents", group.count, "");
    for (const [field, label, scale, unit] of KNOBS[kind] ?? []) {
      if (params[field] === undefined && field !== "lock_ttl" && !field.endsWith("_ppm")) continue;
      html += number(`f-${g}-${field}`, label, (params[field] ?? 0) / scale, unit);
    }
    if (kind === "limit_client") {
      const [[name]] = Object.entries(params.algorithm);
      const { quota, window } = rateOf(params.algorithm);
      html += `<label for="f-${g}-algorithm">algorithm<select id="f-${g}-algorithm">` +
        ALGORITHMS.map((a) => `<option value="${a}"${a === name ? " selected" : ""}>${a.replace("_", " ")}</option>`).join("") + `</select></label>`;
      html += number(`f-${g}-quota`, "quota", quota, "") + number(`f-${g}-window`, "per window", window / 1000, "s");
    }
    html += `</fieldset>`;
  });
  form.innerHTML = html;
  form.oninput = form.onchange = (event) => {
    if (apply(scenario, event.target)) changed();
  };
}

/** Applies one input to the scenario; false when its value is not usable. */
function apply(scenario, input) {
  const raw = input.value;
  const value = Number(raw);
  const id = input.id.split("-");
  if (id[1] === "seed") return Number.isSafeInteger(value) && value >= 0 && ((scenario.seed = value), true);
  if (id[1] === "horizon") return value > 0 && ((scenario.horizon = Math.round(value * 60_000)), true);
  const group = scenario.agents[Number(id[1])];
  const field = id.slice(2).join("-");
  const [[kind, params]] = Object.entries(group.behaviour);
  if (field === "count") return Number.isInteger(value) && value > 0 && ((group.count = value), true);
  if (field === "algorithm" || field === "quota" || field === "window") {
    const rate = rateOf(params.algorithm);
    const form = input.form;
    const name = form.querySelector(`#f-${id[1]}-algorithm`).value;
    const quota = Math.max(1, Math.round(Number(form.querySelector(`#f-${id[1]}-quota`).value) || rate.quota));
    const window = Math.max(1, Math.round(Number(form.querySelector(`#f-${id[1]}-window`).value) * 1000 || rate.window));
    params.algorithm = withRate(name, { quota, window });
    return true;
  }
  const knob = (KNOBS[kind] ?? []).find(([f]) => f === field);
  if (!knob || !(value >= 0)) return false;
  const scaled = Math.round(value * knob[2]);
  if (field === "lock_ttl" && scaled === 0) delete params.lock_ttl;
  else params[field] = scaled;
  return true;
}
