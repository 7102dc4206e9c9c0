/**
 * Rate limits: six algorithms behind one {@link Decision}, with an optional block policy. The
 * hot path (`hot.ts`): the limit crosses into wasm only when it changes, keys are written in
 * place and the decision is read in place; {@link Limits.checkMany} checks many keys in one
 * crossing, and {@link Limits.limiter} binds a limit once for the checks that always use it.
 *
 * @module
 */

import { int, invalidType, invalidValue, str, COPY_GUARD, MAX_KEY_BYTES } from "./check.js";
import type { Core } from "./engine.js";
import { HotPath, type Packed } from "./hot.js";
import { Limiter } from "./limiter.js";
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

// One scratch object per module: every call fills it completely before the crossing.
const packed: Packed = { code: 0, a: 0, b: 0, c: 0, block: false, violations: 0, within: 0, blockFor: 0 };

/** The raw module's code of an algorithm name, checked. @internal */
export function code(operation: string, name: unknown): number {
  const found = typeof name === "string" && Object.hasOwn(CODES, name) ? CODES[name as AlgorithmName] : undefined;
  if (found === undefined) throw invalidValue(operation, "algorithm", `one of ${NAMES}`, name);
  return found;
}

/**
 * Checks `spec` (types and integers; the core checks the bounds) into {@link packed}, the
 * module's scratch object, which the next call overwrites. @internal
 */
export function pack(operation: string, spec: LimitSpec): Packed {
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
  readonly #hot: HotPath;

  /** @internal */
  constructor(core: Core) {
    this.#core = core;
    this.#hot = new HotPath(core);
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
    const operation = "limits.check";
    str(operation, "key", key, MAX_KEY_BYTES);
    const hot = this.#hot;
    // The limit of the last check again: already checked, and already in wasm.
    const p = hot.same(limit) ?? pack(operation, limit);
    int(operation, "cost", cost);
    const at = this.#core.now(operation, now);
    hot.use(operation, p, false);
    return hot.check(operation, key, p, cost, at);
  }

  /** The decision {@link Limits.check} would return, without counting anything. */
  peek(key: string, limit: LimitSpec, cost = 1, now?: number): Decision {
    const operation = "limits.peek";
    str(operation, "key", key, MAX_KEY_BYTES);
    const p = pack(operation, limit);
    int(operation, "cost", cost);
    return peekPacked(this.#core, operation, key, p, cost, this.#core.now(operation, now));
  }

  /**
   * {@link Limits.check} on every key of `keys` in one crossing into wasm, in order; one
   * decision per key. All or nothing on errors: every key is checked first (the error's `index`
   * names the first bad one), and a refused batch counts nothing.
   */
  checkMany(keys: readonly string[], limit: LimitSpec, cost = 1, now?: number): Decision[] {
    const operation = "limits.checkMany";
    const units = keyUnits(operation, keys);
    const hot = this.#hot;
    const p = hot.same(limit) ?? pack(operation, limit);
    int(operation, "cost", cost);
    const at = this.#core.now(operation, now);
    if (keys.length === 0) return [];
    hot.use(operation, p, false);
    return hot.checkMany(operation, keys, units, cost, at);
  }

  /**
   * A {@link Limiter}: `limit` checked once and bound, for the checks that always use the same
   * limit. Its checks skip reading and checking the limit on every call, and the limit crosses
   * into wasm only when another one was used since. Throws what a check would throw for the
   * limit itself (its parameters, its block policy).
   *
   * ```ts
   * const api = engine.limits.limiter({ algorithm: "gcra", burst: 20, interval: 50 });
   * if (!api.check(`api_ip:${ip}`).allowed) reply(429);
   * ```
   */
  limiter(limit: LimitSpec): Limiter {
    const operation = "limits.limiter";
    const p: Packed = Object.freeze({ ...pack(operation, limit) });
    // A peek on a placeholder key at time 0 refuses exactly the limit's own faults.
    peekPacked(this.#core, operation, "limiter", p, 1, 0);
    return new Limiter(this.#core, this.#hot, p, limit.algorithm);
  }

  /**
   * Forgets everything `key` remembers under `algorithm`: counts, violations and any block.
   * `forgotten` when that was live, `absent` when the key was already in its initial state.
   * Throws: key, now.
   */
  reset(key: string, algorithm: AlgorithmName, now?: number): Reset {
    const operation = "limits.reset";
    str(operation, "key", key, MAX_KEY_BYTES);
    return resetKey(this.#core, operation, key, code(operation, algorithm), now);
  }
}

/** Every key of a batch checked for type and size; their total length in UTF-16 code units. @internal */
export function keyUnits(operation: string, keys: readonly string[]): number {
  if (!Array.isArray(keys)) throw invalidType(operation, "keys", "an array of strings", keys);
  let units = 0;
  for (let i = 0; i < keys.length; i++) {
    const key: unknown = keys[i];
    // The error's operation names the entry; it is only built for a key that is refused.
    if (typeof key !== "string" || key.length > COPY_GUARD) str(`${operation} (key ${i})`, "key", key, MAX_KEY_BYTES);
    units += (key as string).length;
  }
  return units;
}

/** A peek under packed numbers. @internal */
export function peekPacked(core: Core, operation: string, key: string, p: Packed, cost: number, at: number): Decision {
  const status = core.raw.limit_peek(key, p.code, p.a, p.b, p.c, p.block, p.violations, p.within, p.blockFor, cost, at);
  if (status === FAILED) throw core.failure(operation);
  const out = core.out();
  return { allowed: status === ALLOWED, limit: out[0], remaining: out[1], resetAfter: out[2], retryAfter: out[3] };
}

/** A reset of a checked key under an algorithm code. @internal */
export function resetKey(core: Core, operation: string, key: string, algorithm: number, now: number | undefined): Reset {
  const at = core.now(operation, now);
  const status = core.raw.limit_reset(key, algorithm, at);
  if (status === FAILED) throw core.failure(operation);
  return { kind: status === FORGOTTEN ? "forgotten" : "absent" };
}
