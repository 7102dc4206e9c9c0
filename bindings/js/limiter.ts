/**
 * A rate limit bound once, for the checks that always use the same limit.
 *
 * @module
 */

import { int, str, COPY_GUARD, MAX_KEY_BYTES } from "./check.js";
import type { Core } from "./engine.js";
import type { HotPath, Packed } from "./hot.js";
import { code, keyUnits, peekPacked, resetKey } from "./limits.js";
import type { AlgorithmName, Decision, Reset } from "./types.js";

/**
 * One limit, checked when it was bound ({@link Limits.limiter}), applied to any key. Its
 * decisions are exactly those of {@link Limits.check} with the same limit; it is only faster,
 * because the limit is neither read nor checked again on each call.
 *
 * Errors, in this order: key, cost, now, then `overflow` as for {@link Limits.check}.
 *
 * ```ts
 * const login = engine.limits.limiter({ algorithm: "fixedWindow", quota: 10, window: 900_000 });
 * const decision = login.check("login_ip:1.2.3.4");
 * if (!decision.allowed) reply(429, decision.retryAfter);
 * ```
 */
export class Limiter {
  /** The algorithm of the bound limit: its keyspace. */
  readonly algorithm: AlgorithmName;
  readonly #core: Core;
  readonly #hot: HotPath;
  readonly #packed: Packed;

  /** @internal */
  constructor(core: Core, hot: HotPath, packed: Packed, algorithm: AlgorithmName) {
    this.#core = core;
    this.#hot = hot;
    this.#packed = packed;
    this.algorithm = algorithm;
  }

  /** Checks `cost` units (default 1) for `key`, counting them when admitted. */
  check(key: string, cost = 1, now?: number): Decision {
    const operation = "limiter.check";
    // The checks `str` and `int` make, inlined for the values that pass them; they throw.
    if (typeof key !== "string" || key.length > COPY_GUARD) str(operation, "key", key, MAX_KEY_BYTES);
    if (cost !== 1) int(operation, "cost", cost);
    const at = this.#core.now(operation, now);
    this.#hot.use(operation, this.#packed, true);
    return this.#hot.check(operation, key, this.#packed, cost, at);
  }

  /** The decision {@link Limiter.check} would return, without counting anything. */
  peek(key: string, cost = 1, now?: number): Decision {
    const operation = "limiter.peek";
    str(operation, "key", key, MAX_KEY_BYTES);
    int(operation, "cost", cost);
    return peekPacked(this.#core, operation, key, this.#packed, cost, this.#core.now(operation, now));
  }

  /**
   * {@link Limiter.check} on every key of `keys` in one crossing into wasm, in order; one
   * decision per key. All or nothing on errors, as {@link Limits.checkMany}.
   */
  checkMany(keys: readonly string[], cost = 1, now?: number): Decision[] {
    const operation = "limiter.checkMany";
    const units = keyUnits(operation, keys);
    int(operation, "cost", cost);
    const at = this.#core.now(operation, now);
    if (keys.length === 0) return [];
    this.#hot.use(operation, this.#packed, true);
    return this.#hot.checkMany(operation, keys, units, cost, at);
  }

  /** {@link Limits.reset} of `key` under this limit's algorithm. Throws: key, now. */
  reset(key: string, now?: number): Reset {
    const operation = "limiter.reset";
    str(operation, "key", key, MAX_KEY_BYTES);
    return resetKey(this.#core, operation, key, code(operation, this.algorithm), now);
  }
}
