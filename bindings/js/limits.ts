/**
 * Rate limits: six algorithms behind one {@link Decision}, with an optional block policy. The
 * hot path: numbers cross into wasm as arguments and the decision comes back in place, and
 * {@link Limits.checkMany} checks many keys in one crossing.
 *
 * @module
 */

import { int, invalidType, invalidValue, str, MAX_KEY_BYTES } from "./check.js";
import type { Core } from "./engine.js";
import type { AlgorithmName, Decision, LimitSpec, Reset } from "./types.js";

/** The algorithm codes of the raw module, in the core's declaration order. */
const CODES: Readonly<Record<AlgorithmName, number>> = {
  fixedWindow: 0,
  slidingLog: 1,
  slidingCounter: 2,
  tokenBucket: 3,
  gcra: 4,
  cooldown: 5,
};
const NAMES = Object.keys(CODES).map((name) => JSON.stringify(name)).join(", ");

/** A limit's numbers as they cross: the algorithm's, then the block policy's. */
interface Packed {
  code: number;
  a: number;
  b: number;
  c: number;
  block: boolean;
  violations: number;
  within: number;
  blockFor: number;
}

// One scratch object per module: every call fills it completely before the crossing.
const packed: Packed = { code: 0, a: 0, b: 0, c: 0, block: false, violations: 0, within: 0, blockFor: 0 };

function code(operation: string, name: unknown): number {
  const found = typeof name === "string" && Object.hasOwn(CODES, name) ? CODES[name as AlgorithmName] : undefined;
  if (found === undefined) throw invalidValue(operation, "algorithm", `one of ${NAMES}`, name);
  return found;
}

/** Checks `spec` (types and integers; the core checks the bounds) into {@link packed}. */
function pack(operation: string, spec: LimitSpec): Packed {
  if (spec === null || typeof spec !== "object") throw invalidType(operation, "limit", "a limit object", spec);
  packed.code = code(operation, spec.algorithm);
  packed.c = 0;
  switch (spec.algorithm) {
    case "fixedWindow":
    case "slidingLog":
    case "slidingCounter":
      packed.a = int(operation, "quota", spec.quota);
      packed.b = int(operation, "window", spec.window);
      break;
    case "tokenBucket":
      packed.a = int(operation, "capacity", spec.capacity);
      packed.b = int(operation, "refill", spec.refill);
      packed.c = int(operation, "interval", spec.interval);
      break;
    case "gcra":
      packed.a = int(operation, "burst", spec.burst);
      packed.b = int(operation, "interval", spec.interval);
      break;
    case "cooldown":
      packed.a = int(operation, "interval", spec.interval);
      packed.b = 0;
      break;
  }
  const block = spec.block;
  if (block === undefined || block === null) {
    packed.block = false;
    packed.violations = packed.within = packed.blockFor = 0;
  } else {
    if (typeof block !== "object") throw invalidType(operation, "block", "a block policy object", block);
    packed.block = true;
    packed.violations = int(operation, "violations", block.violations);
    packed.within = int(operation, "within", block.within);
    packed.blockFor = int(operation, "blockFor", block.blockFor);
  }
  return packed;
}

/** Status codes of the raw module. */
const FAILED = 0;
const ALLOWED = 1;
const FORGOTTEN = 1;

/**
 * Every rate-limited key of an engine, one keyspace per algorithm: the same key under two
 * algorithms is two independent states. Quotas are arguments, so per-key or changed quotas
 * need no set-up.
 *
 * A denial is a {@link Decision}, never an error, and consumes nothing. Errors, in this order:
 * key (1 to 512 bytes), the algorithm's parameters, the block policy's, cost (1 to the limit),
 * now, then `overflow` when `now` plus the algorithm's span, `within` or `blockFor` would pass
 * 2^53 − 1.
 */
export class Limits {
  readonly #core: Core;

  /** @internal */
  constructor(core: Core) {
    this.#core = core;
  }

  /**
   * Checks `cost` units (default 1) against `limit` for `key`, counting them when admitted.
   *
   * ```ts
   * const login = { algorithm: "fixedWindow", quota: 10, window: 900_000 } as const;
   * const decision = engine.limits.check("login_ip:1.2.3.4", login);
   * if (!decision.allowed) reply(429, decision.retryAfter);
   * ```
   */
  check(key: string, limit: LimitSpec, cost = 1, now?: number): Decision {
    return this.#decide("limits.check", key, limit, cost, now, true);
  }

  /** The decision {@link Limits.check} would return, without counting anything. */
  peek(key: string, limit: LimitSpec, cost = 1, now?: number): Decision {
    return this.#decide("limits.peek", key, limit, cost, now, false);
  }

  #decide(operation: string, key: string, limit: LimitSpec, cost: number, now: number | undefined, count: boolean): Decision {
    str(operation, "key", key, MAX_KEY_BYTES);
    const p = pack(operation, limit);
    int(operation, "cost", cost);
    const core = this.#core;
    const at = core.now(operation, now);
    const written = count ? core.writeKey(key) : -1;
    const status = written >= 0
      ? core.raw.limit_check_in(written, p.code, p.a, p.b, p.c, p.block, p.violations, p.within, p.blockFor, cost, at)
      : count
        ? core.raw.limit_check(key, p.code, p.a, p.b, p.c, p.block, p.violations, p.within, p.blockFor, cost, at)
        : core.raw.limit_peek(key, p.code, p.a, p.b, p.c, p.block, p.violations, p.within, p.blockFor, cost, at);
    if (status === FAILED) throw core.failure(operation);
    const out = core.out();
    return { allowed: status === ALLOWED, limit: out[0], remaining: out[1], resetAfter: out[2], retryAfter: out[3] };
  }

  /**
   * {@link Limits.check} on every key of `keys` in one crossing into wasm, in order; one
   * decision per key. All or nothing on errors: every key is checked first (the error's `index`
   * names the first bad one), and a refused batch counts nothing.
   */
  checkMany(keys: readonly string[], limit: LimitSpec, cost = 1, now?: number): Decision[] {
    const operation = "limits.checkMany";
    if (!Array.isArray(keys)) throw invalidType(operation, "keys", "an array of strings", keys);
    const lengths = new Uint32Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key: unknown = keys[i];
      if (typeof key !== "string") throw invalidType(`${operation} (key ${i})`, "key", "a string", key);
      str(`${operation} (key ${i})`, "key", key, MAX_KEY_BYTES);
      lengths[i] = key.length;
    }
    const p = pack(operation, limit);
    int(operation, "cost", cost);
    const core = this.#core;
    const at = core.now(operation, now);
    if (keys.length === 0) return [];
    const out = core.raw.limit_check_many(keys.join(""), lengths, p.code, p.a, p.b, p.c, p.block,
      p.violations, p.within, p.blockFor, cost, at);
    if (out === undefined) throw core.failure(operation);
    const decisions: Decision[] = new Array(keys.length);
    for (let i = 0, j = 0; i < keys.length; i++, j += 5) {
      decisions[i] = { allowed: out[j] === 1, limit: out[j + 1], remaining: out[j + 2], resetAfter: out[j + 3], retryAfter: out[j + 4] };
    }
    return decisions;
  }

  /**
   * Forgets everything `key` remembers under `algorithm`: counts, violations and any block.
   * `forgotten` when that was live, `absent` when the key was already in its initial state.
   * Throws: key, now.
   */
  reset(key: string, algorithm: AlgorithmName, now?: number): Reset {
    const operation = "limits.reset";
    str(operation, "key", key, MAX_KEY_BYTES);
    const algorithmCode = code(operation, algorithm);
    const at = this.#core.now(operation, now);
    const status = this.#core.raw.limit_reset(key, algorithmCode, at);
    if (status === FAILED) throw this.#core.failure(operation);
    return { kind: status === FORGOTTEN ? "forgotten" : "absent" };
  }
}
