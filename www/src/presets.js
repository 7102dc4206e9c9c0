// A short explanation beside each preset: which platform pattern it models (from the seed
// documents the project grew from) and what to look at while it runs.

export const EXPLAINED = {
  "withdraw-rush": {
    pattern: "tradeit.gg withdrawals (seed 000): items reserved for 20 minutes in reserved-assets_730, each asset locked with lockTrade:{asset} for 900 s while the bot trades.",
    look: "The Gantt chart fills with lockTrade leases, most released early; the 1% of crashed sessions leave bars that run to their full TTL (orphans). Live holds count down to expiry; conflicts appear when two users pick the same item.",
  },
  "legacy-vs-holds": {
    pattern: "tradeit.gg's reserved-assets_{appId} and _ttl_ lists (seed 000) beside holds, with the removeReserve job failing 10% of the time.",
    look: "The legacy curve grows all run long (nothing trims expired entries, and every reserve scans the whole list); the holds curve stays flat because dead holds are swept.",
  },
  "orphaned-locks": {
    pattern: "Worker locks (seed 000: lockTrade 900 s, indexLaneLock 60 s renewed; seed 002: asynq unique-task locks): workers crash while holding them.",
    look: "In the Gantt chart, a crashed lockTrade holder's bar runs on for up to 15 minutes with no one working; the renewed 60 s lane locks free themselves within a minute.",
  },
  "stale-writer": {
    pattern: "indexLaneLock lane writers (seed 000) renewing a 60 s lease and writing under its fence; some pause (GC, stalled VM) longer than the TTL.",
    look: "A paused writer's lease expires and another takes the lane; when the sleeper wakes and writes, the fence refuses it: see the fenced-write panel, with the step that did it.",
  },
  abuse: {
    pattern: "Abuse limits: coupon cooldowns and register/login limits with blocking (seed 000), a per-IP API limit (seeds 003, 004).",
    look: "Spammers and brute-forcers are denied, then blocked; polite users wait their retry_after and get through. Compare the algorithms on the same traffic.",
  },
  "api-keys": {
    pattern: "A token bucket per API key (seeds 003 and 004: per-key API rate limits).",
    look: "Steady keys are never throttled; bursty keys burn their 20 tokens, are denied and retry after the time the limiter gives them.",
  },
};

export function explain(name) {
  return EXPLAINED[name] ?? { pattern: "A scenario of your own.", look: "Pick a preset for a guided tour." };
}
