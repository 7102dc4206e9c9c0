// What the pictures need, folded from trace lines as the run goes: lock leases per key (for
// the Gantt chart), live holds with their expiry (for the countdowns), hold conflicts, and
// fenced writes the fence refused. Runs in the worker; `snapshot` is what it posts.
// Rate-limit checks are not folded here: the wasm counts them (`limitSeries`).

const GANTT_KEYS = 14;
const BARS_PER_KEY = 24;

export class Views {
  constructor(scenario) {
    this.start = scenario.start ?? 1767225600000;
    this.horizon = scenario.horizon;
    this.locks = new Map(); // key -> { bars: [{from, to, agent, fence, end}], active }
    this.holds = new Map(); // "namespace item" -> { owner, since, expires, ttl }
    this.conflicts = []; // the last few: { now, agent, items, retry }
    this.conflictCount = 0;
    this.refused = []; // fenced writes refused: { step, now, agent, resource, fence, highest }
    this.refusedCount = 0;
    this.errors = [];
    this.now = this.start;
  }

  /** Folds `text`, trace lines (the header, if present, is skipped). */
  ingest(text) {
    let from = 0;
    while (from < text.length) {
      let to = text.indexOf("\n", from);
      if (to < 0) to = text.length;
      const line = text.slice(from, to);
      from = to + 1;
      // Limit checks are counted in wasm; skip their parse, they are most lines of abuse runs.
      if (line.length === 0 || line.startsWith('{"leasehold_trace"') || line.includes('"op":{"limit"')) continue;
      this.fold(JSON.parse(line));
    }
  }

  fold(step) {
    this.now = step.now;
    const [[kind, body]] = Object.entries(step.op);
    const [[name, request]] = Object.entries(body);
    const outcome = step.outcome;
    if (outcome.err !== undefined) {
      this.errors.push({ step: step.step, now: step.now, agent: step.agent, error: outcome.err });
      if (this.errors.length > 20) this.errors.shift();
      return;
    }
    const ok = outcome.ok;
    if (kind === "lock") this.lock(step, name, request, ok);
    else if (kind === "hold") this.hold(step, name, request, ok);
    else if (kind === "resource" && ok.rejected) {
      this.refusedCount += 1;
      this.refused.push({ step: step.step, now: step.now, agent: step.agent, resource: request.resource,
        fence: request.fence, highest: ok.rejected.highest });
      if (this.refused.length > 12) this.refused.shift();
    }
  }

  lock(step, name, request, ok) {
    let entry = this.locks.get(request.key);
    if (!entry) {
      entry = { bars: [], active: step.now };
      this.locks.set(request.key, entry);
    }
    const open = entry.bars.at(-1);
    if (name === "acquire" && ok.granted) {
      if (open && open.end === null) open.end = open.to <= step.now ? "expired" : "taken";
      entry.bars.push({ from: step.now, to: ok.granted.expires_at, agent: request.owner, fence: ok.granted.fence, end: null });
      if (entry.bars.length > BARS_PER_KEY) entry.bars.shift();
    } else if (name === "extend" && ok.extended && open) {
      open.to = ok.extended.expires_at;
    } else if (name === "release" && ok.released && open) {
      open.to = step.now;
      open.end = "released";
    }
    entry.active = step.now;
  }

  hold(step, name, request, ok) {
    const events = ok.events ?? ok.reserved?.events ?? ok.conflict?.events ?? [];
    for (const event of events) {
      if (event.kind === "expired") this.holds.delete(`${request.namespace} ${event.item}`);
    }
    if (name === "reserve" && ok.reserved) {
      for (const item of request.items) {
        this.holds.set(`${request.namespace} ${item}`,
          { owner: request.owner, since: step.now, expires: ok.reserved.expires_at, ttl: request.ttl });
      }
    } else if (name === "reserve" && ok.conflict) {
      this.conflictCount += 1;
      this.conflicts.push({ step: step.step, now: step.now, agent: step.agent,
        items: ok.conflict.conflicts.map((c) => c.item), retry: Math.max(...ok.conflict.conflicts.map((c) => c.retry_after)) });
      if (this.conflicts.length > 8) this.conflicts.shift();
    } else if ((name === "release" || name === "force_release") && ok.items) {
      request.items.forEach((item, i) => {
        if (ok.items[i]?.released) this.holds.delete(`${request.namespace} ${item}`);
      });
    } else if (name === "extend" && ok.items) {
      request.items.forEach((item, i) => {
        const hold = this.holds.get(`${request.namespace} ${item}`);
        if (hold && ok.items[i]?.extended) hold.expires = ok.items[i].extended.expires_at;
      });
    }
  }

  /** What the page draws at virtual time `now` (absolute ms). */
  snapshot(now) {
    // The last twenty minutes, or everything since the start while the run is younger.
    const window = Math.max(10_000, Math.min(now - this.start, 20 * 60_000));
    const keys = [...this.locks.entries()]
      .sort((a, b) => b[1].active - a[1].active)
      .slice(0, GANTT_KEYS)
      .map(([key, entry]) => ({
        key,
        bars: entry.bars.filter((bar) => bar.to >= now - window && bar.from <= now).map((bar) => ({
          ...bar,
          end: bar.end ?? (bar.to <= now ? "expired" : null),
        })),
      }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    let live = 0;
    const soonest = [];
    for (const [item, hold] of this.holds) {
      if (hold.expires <= now) continue;
      live += 1;
      soonest.push({ item, ...hold });
    }
    soonest.sort((a, b) => a.expires - b.expires);
    return {
      now, start: this.start, window,
      locks: keys,
      holds: { live, list: soonest.slice(0, 12) },
      conflicts: { count: this.conflictCount, recent: this.conflicts.slice().reverse() },
      refused: { count: this.refusedCount, recent: this.refused.slice().reverse() },
      errors: this.errors.slice(),
    };
  }
}
