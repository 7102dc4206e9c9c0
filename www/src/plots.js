// Hand-written SVG pictures, drawn from the worker's snapshots. Each function returns markup
// for one panel; colours come from CSS classes so the page's stylesheet decides them.

const esc = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `90 s`, `14 min`, `2 h 05 min`. */
export function span(ms) {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** Lock holders per key over the last `window` ms: one row per key, one bar per lease. */
export function gantt(view, brokenKey) {
  const rows = view.locks;
  if (rows.length === 0) return `<p class="empty">No lock taken yet.</p>`;
  const width = 640, label = 150, row = 18, top = 16;
  const height = top + rows.length * row + 4;
  const from = view.now - view.window;
  const x = (t) => label + Math.max(0, Math.min(1, (t - from) / view.window)) * (width - label - 4);
  let svg = `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="Lock holders per key over the last ${span(view.window)}">`;
  svg += `<text x="${label}" y="11" class="axis">−${span(view.window)}</text><text x="${width - 4}" y="11" class="axis" text-anchor="end">now</text>`;
  rows.forEach((r, i) => {
    const y = top + i * row;
    svg += `<text x="${label - 6}" y="${y + 12}" class="key${r.key === brokenKey ? " broken" : ""}" text-anchor="end">${esc(r.key.length > 22 ? "…" + r.key.slice(-21) : r.key)}</text>`;
    svg += `<line x1="${label}" x2="${width - 4}" y1="${y + row - 1}" y2="${y + row - 1}" class="grid"/>`;
    for (const bar of r.bars) {
      const x0 = x(bar.from), x1 = Math.max(x0 + 1.5, x(Math.min(bar.to, view.now)));
      const state = bar.end ?? "live";
      svg += `<rect x="${x0.toFixed(1)}" y="${y + 2}" width="${(x1 - x0).toFixed(1)}" height="${row - 5}" class="lease ${state}">` +
        `<title>${esc(r.key)}: ${esc(bar.agent)}, fence ${bar.fence}, ${state === "live" ? "held" : state} (${span(Math.min(bar.to, view.now) - bar.from)})</title></rect>`;
      if (x1 - x0 > 46) {
        svg += `<text x="${(x0 + 3).toFixed(1)}" y="${y + 12}" class="fence">f…${String(bar.fence).slice(-5)}</text>`;
      }
    }
  });
  return svg + `</svg>`;
}

/** Live holds, soonest to expire first, each with its countdown. */
export function holds(view) {
  const { live, list } = view.holds;
  let html = `<p><strong data-testid="live-holds">${live}</strong> live holds</p>`;
  if (list.length === 0) return html;
  html += `<ul class="holds">`;
  for (const hold of list) {
    const left = hold.expires - view.now;
    const share = Math.max(0, Math.min(1, left / (hold.ttl || 1)));
    html += `<li><span class="item">${esc(hold.item.split(" ").at(-1))}</span><span class="owner">${esc(hold.owner)}</span>` +
      `<span class="countdown" role="meter" aria-valuenow="${Math.round(left / 1000)}" aria-label="seconds left">` +
      `<span style="width:${(share * 100).toFixed(1)}%"></span></span><span class="left">${span(left)}</span></li>`;
  }
  return html + `</ul>`;
}

/** The latest hold conflicts. */
export function conflicts(view) {
  const { count, recent } = view.conflicts;
  let html = `<p><strong>${count}</strong> conflicts so far</p><ul class="ticker">`;
  for (const c of recent) {
    html += `<li>step ${c.step}: ${esc(c.agent)} wanted ${esc(c.items.join(", "))}; held for ${span(c.retry)} more</li>`;
  }
  return html + `</ul>`;
}

/** Admitted vs denied checks per bucket, one small chart per group. */
export function limitCharts(limits, title = "") {
  const groups = Object.entries(limits.groups ?? {});
  if (groups.length === 0) return `<p class="empty">No rate-limit check in this scenario.</p>`;
  let html = title ? `<h4>${esc(title)}</h4>` : "";
  for (const [group, buckets] of groups) {
    const width = 300, height = 70;
    const peak = Math.max(1, ...buckets.map(([a, d]) => a + d));
    const w = (width - 2) / Math.max(buckets.length, 1);
    let admitted = 0, denied = 0;
    let bars = "";
    buckets.forEach(([a, d], i) => {
      admitted += a; denied += d;
      const ha = (a / peak) * (height - 14), hd = (d / peak) * (height - 14);
      bars += `<rect x="${(1 + i * w).toFixed(1)}" y="${(height - ha).toFixed(1)}" width="${Math.max(0.5, w - 0.5).toFixed(1)}" height="${ha.toFixed(1)}" class="admitted"/>`;
      bars += `<rect x="${(1 + i * w).toFixed(1)}" y="${(height - ha - hd).toFixed(1)}" width="${Math.max(0.5, w - 0.5).toFixed(1)}" height="${hd.toFixed(1)}" class="denied"/>`;
    });
    html += `<figure class="limit"><figcaption>${esc(group)}: <span class="ok">${admitted} admitted</span>, <span class="no">${denied} denied</span></figcaption>` +
      `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(group)}: admitted and denied per ${span(limits.bucket_ms)}">${bars}</svg></figure>`;
  }
  return html;
}

/** Growing curves of the live samples: legacy list entries, stored and live holds, locks. */
export function curves(samples, horizon) {
  const series = [
    ["legacy_list", "legacy list entries", "legacy"],
    ["stored_holds", "holds stored", "stored"],
    ["live_holds", "live holds", "live"],
    ["live_locks", "live locks", "locks"],
  ].filter(([field]) => samples.some((s) => s[field] !== undefined && s[field] !== null));
  if (samples.length === 0) return `<p class="empty">No sample yet.</p>`;
  const width = 640, height = 180, left = 44, bottom = 18;
  const peak = Math.max(1, ...samples.flatMap((s) => series.map(([f]) => s[f] ?? 0)));
  const x = (t) => left + (t / Math.max(1, horizon)) * (width - left - 6);
  const y = (v) => height - bottom - (v / peak) * (height - bottom - 8);
  let svg = `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="Live state over time">`;
  svg += `<line x1="${left}" x2="${width - 6}" y1="${height - bottom}" y2="${height - bottom}" class="grid"/>`;
  svg += `<text x="${left - 4}" y="12" class="axis" text-anchor="end">${peak}</text><text x="${left - 4}" y="${height - bottom}" class="axis" text-anchor="end">0</text>`;
  svg += `<text x="${width - 6}" y="${height - 4}" class="axis" text-anchor="end">${span(horizon)}</text>`;
  for (const [field, , css] of series) {
    const points = samples.map((s) => `${x(s.t).toFixed(1)},${y(s[field] ?? 0).toFixed(1)}`).join(" ");
    svg += `<polyline points="${points}" class="curve ${css}"/>`;
  }
  svg += `</svg><p class="legend">` + series.map(([field, name, css]) =>
    `<span class="swatch ${css}"></span>${esc(name)} <strong>${samples.at(-1)[field] ?? 0}</strong>`).join(" ") + `</p>`;
  return svg;
}

/** Invariant violations with the steps that led to them, and writes the fence refused. */
export function invariants(violation, view) {
  let html = "";
  if (violation) {
    html += `<div class="violation" role="alert"><strong>Invariant violated at step ${violation.step} on ${esc(violation.key)}</strong>: ${esc(violation.message)}<ol>`;
    for (const line of violation.history) html += `<li><code>${esc(line)}</code></li>`;
    html += `</ol></div>`;
  } else {
    html += `<p class="held">Every invariant held so far: one live holder per lock, fences only go up, limits respected, no stale write accepted.</p>`;
  }
  const refused = view?.refused ?? { count: 0, recent: [] };
  html += `<p><strong data-testid="refused">${refused.count}</strong> stale writes refused by the fence (each would have overwritten a newer holder's data)</p>`;
  if (refused.recent.length) {
    html += `<ul class="ticker refused">`;
    for (const r of refused.recent) {
      html += `<li>step ${r.step}: ${esc(r.agent)} wrote ${esc(r.resource)} under fence …${String(r.fence).slice(-6)}, but …${String(r.highest).slice(-6)} had already written</li>`;
    }
    html += `</ul>`;
  }
  return html;
}
