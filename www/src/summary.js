// The summary panel: the figures `leasehold simulate` prints, in the same units, so a run here
// can be checked against the CLI's table line by line.

const esc = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `12,345`, as the CLI writes counts. */
export const thousands = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Parts per million as the CLI's percentage with one decimal. */
const percent = (ppm) => `${Math.floor(ppm / 10_000)}.${Math.floor((ppm % 10_000) / 1000)}%`;

/** The CLI's durations: `1h05m`, `12m30s`, `4.250s`. */
export function duration(ms) {
  const s = Math.floor(ms / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}.${String(ms % 1000).padStart(3, "0")}s`;
}

function figure(id, label, value) {
  return `<div><dt>${esc(label)}</dt><dd data-testid="${id}">${esc(value)}</dd></div>`;
}

export function summary(scenario, metrics, last) {
  const agents = scenario.agents.reduce((n, g) => n + g.count, 0);
  let html = `<dl class="figures">` +
    figure("seed", "seed", metrics.seed) +
    figure("simulated", "simulated", duration(metrics.horizon)) +
    figure("agents", "agents", thousands(agents)) +
    figure("ops", "operations", thousands(metrics.ops)) +
    figure("errors", "errors", metrics.errors) +
    figure("steps", "steps", thousands(metrics.steps)) +
    figure("lock-denied", "lock denied", percent(metrics.rates.lock_denied_ppm)) +
    figure("hold-conflict", "hold conflict", percent(metrics.rates.hold_conflict_ppm)) +
    figure("limit-denied", "limit denied", percent(metrics.rates.limit_denied_ppm));
  if (last) {
    html += figure("trace-lines", "trace lines", thousands(last.lines)) +
      figure("hash", "trace fnv1a64", last.hash) +
      figure("wall", "wall time", `${(last.wall / 1000).toFixed(3)} s`);
  }
  html += `</dl><div class="table-wrap"><table aria-label="Operations by outcome"><thead><tr><th>op</th><th>calls</th><th>outcomes</th></tr></thead><tbody>`;
  for (const op of metrics.operations) {
    const outcomes = Object.entries(op.outcomes).map(([k, v]) => `${k} ${thousands(v)}`).join(", ");
    html += `<tr data-op="${esc(op.op)}"><td>${esc(op.op)}</td><td>${thousands(op.calls)}</td><td>${esc(outcomes)}</td></tr>`;
  }
  html += `</tbody></table></div><div class="table-wrap"><table aria-label="Groups"><thead><tr><th>group</th><th>agents</th><th>sessions</th><th>done</th><th>gave up</th><th>crashed</th><th>lost</th><th>wait p50</th><th>p99</th><th>orphans</th><th>stuck max</th></tr></thead><tbody>`;
  for (const g of metrics.groups) {
    html += `<tr data-group="${esc(g.group)}"><td>${esc(g.group)}</td><td>${thousands(g.agents)}</td><td>${thousands(g.sessions)}</td><td>${thousands(g.completed)}</td><td>${thousands(g.gave_up)}</td><td>${thousands(g.crashed)}</td><td>${thousands(g.lost_leases)}</td><td>${duration(g.wait.p50)}</td><td>${duration(g.wait.p99)}</td><td>${thousands(g.orphaned_locks)}</td><td>${duration(g.longest_orphan_ms)}</td></tr>`;
  }
  return html + `</tbody></table></div>`;
}
