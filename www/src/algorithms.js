// The six rate-limit algorithms on the same traffic: a scenario's limit clients rewritten to
// each algorithm at the same average rate (quota per window), everything else unchanged.

export const ALGORITHMS = ["fixed_window", "sliding_log", "sliding_counter", "token_bucket", "gcra", "cooldown"];

/** `{quota, window}` of any algorithm's parameters: what it lets through on average. */
export function rateOf(algorithm) {
  const [[name, p]] = Object.entries(algorithm);
  switch (name) {
    case "token_bucket": return { quota: p.capacity, window: Math.max(1, Math.round((p.interval * p.capacity) / Math.max(1, p.refill))) };
    case "gcra": return { quota: p.burst, window: p.interval * p.burst };
    case "cooldown": return { quota: 1, window: p.interval };
    default: return { quota: p.quota, window: p.window };
  }
}

/** `name` with the rate `{quota, window}`. */
export function withRate(name, { quota, window }) {
  const spacing = Math.max(1, Math.floor(window / Math.max(1, quota)));
  switch (name) {
    case "token_bucket": return { token_bucket: { capacity: quota, refill: 1, interval: spacing } };
    case "gcra": return { gcra: { burst: quota, interval: spacing } };
    case "cooldown": return { cooldown: { interval: spacing } };
    default: return { [name]: { quota, window } };
  }
}

/** One scenario per algorithm name in `names`, every limit client rewritten. */
export function variants(scenario, names) {
  return names.map((name) => {
    const copy = structuredClone(scenario);
    for (const group of copy.agents) {
      const client = group.behaviour.limit_client;
      if (client) client.algorithm = withRate(name, rateOf(client.algorithm));
    }
    return { algorithm: name, label: name.replace("_", " "), scenario: copy };
  });
}
