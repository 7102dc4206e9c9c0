/**
 * The hot path of rate limits: the limit crosses into wasm once and stays there until a check
 * brings another one, each key is written straight into wasm memory as UTF-8, and a batch of
 * keys crosses in one call with its decisions read back in place.
 *
 * @module
 */

import type { Core } from "./engine.js";
import { raw } from "./raw.js";
import type { AlgorithmName, Decision, LimitSpec } from "./types.js";

/** A limit's numbers as they cross: the algorithm's, then the block policy's. */
export interface Packed {
  code: number;
  a: number;
  b: number;
  c: number;
  block: boolean;
  violations: number;
  within: number;
  blockFor: number;
}

/** The algorithm of each code of the raw module (`CODES` in `limits.ts`, inverted). */
const NAMES: readonly AlgorithmName[] = ["fixedWindow", "slidingLog", "slidingCounter", "tokenBucket", "gcra", "cooldown"];

/** Status codes of the raw module. */
const FAILED = 0;
const ALLOWED = 1;

const encoder = new TextEncoder();

function same(x: Packed, y: Packed): boolean {
  return x.code === y.code && x.a === y.a && x.b === y.b && x.c === y.c && x.block === y.block &&
    x.violations === y.violations && x.within === y.within && x.blockFor === y.blockFor;
}

/** The hot path of one engine. @internal */
export class HotPath {
  readonly #core: Core;
  /** The limit the raw engine keeps: a limiter's own frozen numbers, or {@link HotPath.#last}. */
  #kept: Packed | undefined;
  /** A copy of the numbers of the last limit given as a spec. */
  readonly #last: Packed = { code: 0, a: 0, b: 0, c: 0, block: false, violations: 0, within: 0, blockFor: 0 };
  #text: Uint8Array = new Uint8Array(0);
  #lengths: Uint32Array = new Uint32Array(0);
  #out: Float64Array = new Float64Array(0);
  #textBytes = 0;
  #keyRoom = 0;

  constructor(core: Core) {
    this.#core = core;
  }

  /**
   * Makes `p` the limit of the next checks. A `frozen` pack (a limiter's) is recognised by
   * identity; any other is compared number by number with the last one.
   */
  use(operation: string, p: Packed, frozen: boolean): void {
    if (p === this.#kept) return;
    const last = this.#last;
    if (!frozen && this.#kept === last && same(last, p)) return;
    this.#kept = undefined;
    const status = this.#core.raw.limit_rule(p.code, p.a, p.b, p.c, p.block, p.violations, p.within, p.blockFor);
    if (status === FAILED) throw this.#core.failure(operation);
    if (frozen) {
      this.#kept = p;
    } else {
      Object.assign(last, p);
      this.#kept = last;
    }
  }

  /**
   * The numbers of the last limit given as a spec, when `spec` still has them, value by value
   * (so a spec changed in place is seen): they passed every check then, so they pass now.
   * `undefined` otherwise, and for anything that is not a limit object.
   */
  same(spec: LimitSpec): Packed | undefined {
    const last = this.#last;
    if (this.#kept !== last || spec === null || typeof spec !== "object" || spec.algorithm !== NAMES[last.code]) return undefined;
    let c = 0;
    switch (spec.algorithm) {
      case "fixedWindow":
      case "slidingLog":
      case "slidingCounter":
        if (spec.quota !== last.a || spec.window !== last.b) return undefined;
        break;
      case "tokenBucket":
        if (spec.capacity !== last.a || spec.refill !== last.b) return undefined;
        c = spec.interval;
        break;
      case "gcra":
        if (spec.burst !== last.a || spec.interval !== last.b) return undefined;
        break;
      case "cooldown":
        if (spec.interval !== last.a) return undefined;
        break;
    }
    if (c !== last.c) return undefined;
    const block: unknown = spec.block;
    if (block === undefined || block === null) return last.block ? undefined : last;
    if (!last.block || typeof block !== "object") return undefined;
    const policy = block as { violations: unknown; within: unknown; blockFor: unknown };
    return policy.violations === last.violations && policy.within === last.within && policy.blockFor === last.blockFor ? last : undefined;
  }

  /** A check of `key` under the limit {@link HotPath.use} set (`p`, for a key too long to write in place). */
  check(operation: string, key: string, p: Packed, cost: number, at: number): Decision {
    const core = this.#core;
    const written = core.writeKey(key);
    const status = written >= 0
      ? core.raw.limit_check_rule(written, cost, at)
      : core.raw.limit_check(key, p.code, p.a, p.b, p.c, p.block, p.violations, p.within, p.blockFor, cost, at);
    if (status === FAILED) throw core.failure(operation);
    const out = core.out();
    return { allowed: status === ALLOWED, limit: out[0], remaining: out[1], resetAfter: out[2], retryAfter: out[3] };
  }

  /**
   * Checks of every key under the limit {@link HotPath.use} set, in one crossing; `units` is
   * the keys' total length in UTF-16 code units. All or nothing on errors.
   */
  checkMany(operation: string, keys: readonly string[], units: number, cost: number, at: number): Decision[] {
    const n = keys.length;
    if (n === 0) return [];
    this.#reserve(units * 3, n);
    const text = this.#text;
    const lengths = this.#lengths;
    let end = 0;
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      const start = end;
      const len = key.length;
      let j = 0;
      for (; j < len; j++) {
        const unit = key.charCodeAt(j);
        if (unit > 0x7f) break;
        text[end + j] = unit;
      }
      end = j === len ? end + len : end + encoder.encodeInto(key, text.subarray(end)).written;
      lengths[i] = end - start;
    }
    const core = this.#core;
    if (core.raw.limit_check_batch(n, cost, at) === FAILED) throw core.failure(operation);
    let out = this.#out;
    if (out.byteLength === 0) out = this.#views();
    const decisions: Decision[] = new Array(n);
    for (let i = 0, j = 0; i < n; i++, j += 5) {
      decisions[i] = { allowed: out[j] === 1, limit: out[j + 1], remaining: out[j + 2], resetAfter: out[j + 3], retryAfter: out[j + 4] };
    }
    return decisions;
  }

  /** Room for `bytes` bytes of keys and `count` keys, with views that are current. */
  #reserve(bytes: number, count: number): void {
    if (bytes > this.#textBytes || count > this.#keyRoom) {
      this.#textBytes = Math.max(bytes, this.#textBytes * 2);
      this.#keyRoom = Math.max(count, this.#keyRoom * 2);
      this.#core.raw.batch_reserve(this.#textBytes, this.#keyRoom);
      this.#views();
    } else if (this.#text.byteLength === 0 || this.#out.byteLength === 0) {
      this.#views();
    }
  }

  /** Views of the batch buffers in the memory as it is now (it is replaced when it grows). */
  #views(): Float64Array {
    const buffer = raw().wasm_memory().buffer;
    const r = this.#core.raw;
    this.#text = new Uint8Array(buffer, r.batch_text_ptr(), this.#textBytes);
    this.#lengths = new Uint32Array(buffer, r.batch_lengths_ptr(), this.#keyRoom);
    this.#out = new Float64Array(buffer, r.batch_out_ptr(), this.#keyRoom * 5);
    return this.#out;
  }
}
