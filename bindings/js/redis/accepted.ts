/**
 * What the typed Redis tables remember of the arguments the in-memory engine's checks accepted,
 * so a call whose arguments were accepted before skips the check, which crosses into wasm.
 *
 * Only calls on Redis's clock use it: there the checks run with `now` 0, and their answer is a
 * pure function of the arguments. The key is never remembered; a key short enough to be valid
 * whatever it is stands on its own ({@link surelyValidKey}), any other is checked.
 *
 * @module
 */

import type { LimitSpec } from "../types.js";

/** A limit as the script takes it: the algorithm's wire name, its parameters and the block policy's, as text. */
export interface ScriptLimit {
  algorithm: string;
  params: string[];
  block: string[] | null;
}

/**
 * A key the core accepts whatever it is, without measuring it: 1 to 170 UTF-16 code units are
 * at most 510 bytes of UTF-8 (3 per unit; a surrogate pair is 4 for 2), within the bound of 512.
 */
export function surelyValidKey(key: unknown): boolean {
  return typeof key === "string" && key.length > 0 && key.length <= 170;
}

/**
 * The last owner, ttl and capacity the raw checker accepted on Redis's clock (where it checks
 * with `now` 0, so its answer is a pure function of the arguments: the core checks the key, the
 * owner, then the ttl's and capacity's ranges, and `0 + ttl` cannot overflow). A call on Redis's
 * clock with a key the core accepts whatever it is ({@link surelyValidKey}) and the owner, ttl
 * and capacity it already accepted skips the crossing into wasm: every acquire, release or
 * renewal of one owner's leases after the first.
 */
export class Accepted {
  #owner: string | undefined;
  #ttl = -1;
  #capacity = -1;

  /** Whether `key` passes and `owner` (and `ttl`, `capacity` where given) were accepted, on Redis's clock. */
  has(at: number | undefined, key: string, owner: string, ttl = this.#ttl, capacity = this.#capacity): boolean {
    return at === undefined && owner === this.#owner && ttl === this.#ttl && capacity === this.#capacity && surelyValidKey(key);
  }

  /** Records what a passing check on Redis's clock accepted (`-1`: not checked by it). */
  add(at: number | undefined, owner: string, ttl: number, capacity: number): void {
    if (at !== undefined) return;
    if (owner !== this.#owner) {
      this.#owner = owner;
      this.#ttl = -1;
      this.#capacity = -1;
    }
    if (ttl !== -1) this.#ttl = ttl;
    if (capacity !== -1) this.#capacity = capacity;
  }
}

/** The parameters of `limit` in the order `packed` in `tables.ts` reads them, unchecked (`undefined` where there are fewer). */
function parameters(limit: LimitSpec): [unknown, unknown, unknown] {
  switch (limit.algorithm) {
    case "fixedWindow":
    case "slidingLog":
    case "slidingCounter":
      return [limit.quota, limit.window, undefined];
    case "tokenBucket":
      return [limit.capacity, limit.refill, limit.interval];
    case "gcra":
      return [limit.burst, limit.interval, undefined];
    default:
      return [limit.interval, undefined, undefined];
  }
}

/**
 * The last limit and cost the scratch engine accepted on Redis's clock, number by number, with
 * the script's arguments made from them. On Redis's clock the check is a pure function of the
 * key, the limit and the cost (`now` is 0, and `0 +` any span accepted cannot overflow): a check
 * with a key the core accepts whatever it is ({@link surelyValidKey}) and a limit and cost
 * equal to the last accepted ones, value by value, needs neither the check nor the conversion
 * to text again. A limit object changed in place is compared by its values, so it is seen.
 */
export class AcceptedLimit {
  #algorithm: unknown;
  #parameters: [unknown, unknown, unknown] = [undefined, undefined, undefined];
  /** `[violations, within, blockFor]`, or `undefined` for no block policy. */
  #block: [unknown, unknown, unknown] | undefined;
  #cost: unknown;
  #script: ScriptLimit | undefined;
  #costText = "";

  /** The script's limit for `limit` and `cost` when they equal the last accepted ones, on Redis's clock. */
  find(at: number | undefined, key: string, limit: LimitSpec, cost: number): ScriptLimit | undefined {
    const script = this.#script;
    if (script === undefined || at !== undefined || cost !== this.#cost || !surelyValidKey(key)) return undefined;
    if (limit === null || typeof limit !== "object" || limit.algorithm !== this.#algorithm) return undefined;
    const [a, b, c] = parameters(limit);
    const kept = this.#parameters;
    if (a !== kept[0] || b !== kept[1] || c !== kept[2]) return undefined;
    const block: unknown = limit.block;
    const policy = this.#block;
    if (block === undefined || block === null) return policy === undefined ? script : undefined;
    if (policy === undefined || typeof block !== "object") return undefined;
    const { violations, within, blockFor } = block as { violations: unknown; within: unknown; blockFor: unknown };
    return violations === policy[0] && within === policy[1] && blockFor === policy[2] ? script : undefined;
  }

  /** `cost` as text, for the limit {@link AcceptedLimit.find} answered. */
  costText(): string {
    return this.#costText;
  }

  /** Records `limit` and `cost`, which the scratch engine accepted on Redis's clock, and their script form. */
  keep(at: number | undefined, limit: LimitSpec, cost: number, script: ScriptLimit): void {
    if (at !== undefined) return;
    this.#algorithm = limit.algorithm;
    this.#parameters = parameters(limit);
    const block = limit.block;
    this.#block = block === undefined || block === null ? undefined : [block.violations, block.within, block.blockFor];
    this.#cost = cost;
    this.#costText = String(cost);
    this.#script = script;
  }
}
