/**
 * The in-memory engine: every primitive of `leasehold-core`, with a clock at the edge.
 *
 * @module
 */

import { fromWire, type LeaseholdError, type WireError } from "./errors.js";
import { int, invalidType, EXACT_LIMIT } from "./check.js";
import { raw, type RawEngine } from "./raw.js";
import { outcome } from "./wire.js";
import type { Expired, Json, WireRequest, WireResult } from "./types.js";
import { applyWire } from "./apply.js";
import { Locks, Semaphores } from "./leases.js";
import { Holds } from "./holds.js";
import { Limits } from "./limits.js";

/** How to build an {@link Engine}. */
export interface EngineOptions {
  /**
   * The clock every call reads when it is not given `now`: integer milliseconds. `Date.now` by
   * default; inject one for tests and simulation.
   */
  clock?: () => number;
  /**
   * The hash seed (an integer in `0..=2^53`). Random by default, so untrusted keys cannot be
   * chosen to collide; outcomes never depend on it.
   */
  hashSeed?: number;
}

/**
 * What the tables of one engine share: the wasm engine, the clock and the result buffer.
 * @internal
 */
export class Core {
  readonly raw: RawEngine;
  readonly clock: () => number;
  private view: Float64Array;
  private input: Uint8Array;
  /**
   * The key whose UTF-8 is in the input buffer now, and its length in bytes: the raw engine
   * only reads that buffer, so the same key checked again is not written again.
   */
  private written: string | undefined;
  private writtenBytes = 0;

  constructor(options: EngineOptions) {
    const operation = "new Engine";
    if (options === null || typeof options !== "object") throw invalidType(operation, "options", "an object", options);
    const clock = options.clock ?? Date.now;
    if (typeof clock !== "function") throw invalidType(operation, "clock", "a function", clock);
    const seed = options.hashSeed === undefined ? randomSeed() : int(operation, "hashSeed", options.hashSeed);
    this.clock = clock;
    this.raw = new (raw().RawEngine)(seed);
    this.view = this.freshView();
    this.input = this.freshInput();
  }

  private freshView(): Float64Array {
    return new Float64Array(raw().wasm_memory().buffer, this.raw.out_ptr(), 8);
  }

  private freshInput(): Uint8Array {
    return new Uint8Array(raw().wasm_memory().buffer, this.raw.input_ptr(), INPUT_BYTES);
  }

  /**
   * Writes `key` as UTF-8 where the raw engine reads the key of an `*_in` call, and returns
   * its length in bytes; -1 when it does not fit (the caller then passes it as a string).
   */
  writeKey(key: string): number {
    // Growing the memory leaves the bytes where they are (only the view goes stale).
    if (key === this.written) return this.writtenBytes;
    const n = key.length;
    if (n > INPUT_BYTES) return -1;
    let input = this.input;
    if (input.byteLength === 0) input = this.input = this.freshInput();
    // Forgotten first: a key only partly written must not be taken for the last one.
    this.written = undefined;
    let i = 0;
    for (; i < n; i++) {
      const unit = key.charCodeAt(i);
      if (unit > 0x7f) break;
      input[i] = unit;
    }
    let bytes = n;
    if (i !== n) {
      const { read, written } = encoder.encodeInto(key, input);
      if (read !== n) return -1;
      bytes = written;
    }
    this.written = key;
    this.writtenBytes = bytes;
    return bytes;
  }

  /** The numbers of the last hot-path result (a view into wasm memory, renewed when it grows). */
  out(): Float64Array {
    if (this.view.byteLength === 0) this.view = this.freshView();
    return this.view;
  }

  /** `now` when given, else the clock's reading; checked either way. */
  now(operation: string, now: number | undefined): number {
    return int(operation, "now", now === undefined ? this.clock() : now);
  }

  /** The error of the last refused hot-path call. */
  failure(operation: string): LeaseholdError {
    const wire = JSON.parse(this.raw.take_error()) as WireError | null;
    return fromWire(operation, wire ?? { code: "invalid_request", message: "refused without a reason" });
  }

  /** A typed method's answer: the outcome in camelCase, or the error thrown. */
  answer<T>(operation: string, json: string): T {
    const result = JSON.parse(json) as WireResult;
    if ("err" in result) throw fromWire(operation, result.err as WireError);
    return outcome(result.ok) as T;
  }
}

/** Bytes the raw engine keeps for a key written in place (`INPUT_BYTES` in `bindings/src`). */
const INPUT_BYTES = 1024;
const encoder = new TextEncoder();

function randomSeed(): number {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return (words[0] & 0x1fffff) * 2 ** 32 + words[1];
}

/**
 * The in-memory engine. Every method takes an optional last argument `now` (integer
 * milliseconds); without it, the engine's clock is read.
 *
 * ```ts
 * const engine = new Engine();
 * const lock = engine.locks.acquire("lockTrade:42", "worker-a", 900_000);
 * if (lock.kind === "granted") console.log("fence", lock.fence);
 * ```
 */
export class Engine {
  /** Locks: one live holder per key until a TTL, owner-checked release and extend, fenced. */
  readonly locks: Locks;
  /** Semaphores: up to `capacity` live holders per key, each with its own owner, fence and TTL. */
  readonly semaphores: Semaphores;
  /** Holds: named items reserved per namespace, all-or-nothing, with the expiry in the data. */
  readonly holds: Holds;
  /** Rate limits: six algorithms, one decision shape, an optional block policy on each. */
  readonly limits: Limits;
  readonly #core: Core;

  constructor(options: EngineOptions = {}) {
    this.#core = new Core(options);
    this.locks = new Locks(this.#core);
    this.semaphores = new Semaphores(this.#core);
    this.holds = new Holds(this.#core);
    this.limits = new Limits(this.#core);
  }

  /** The engine clock's reading, checked as every call checks it. */
  now(): number {
    return this.#core.now("engine.now", undefined);
  }

  /**
   * Runs one request in the core's serialized form (snake_case, as vectors and traces carry
   * it) and returns `{ok: outcome}` or `{err: error}` in that same form. Never throws: a
   * request that does not parse is `{err: {code: "invalid_request", message}}`.
   */
  apply(request: WireRequest, now?: number): WireResult {
    return applyWire(this.#core, request, now === undefined ? this.#core.clock() : now);
  }

  /**
   * Active expiry: examines up to `budget` entries of each table and forgets what nothing
   * depends on any more, reporting each dead hold it reclaims. Call it now and then (for
   * instance every 100 ms with a budget of a few hundred): memory returns to its baseline once
   * everything has expired. Never changes an outcome.
   */
  expire(budget = 1000, now?: number): Expired {
    const operation = "engine.expire";
    const checkedBudget = int(operation, "budget", budget);
    const at = this.#core.now(operation, now);
    const result = JSON.parse(this.#core.raw.expire_json(at, Math.min(checkedBudget, EXACT_LIMIT))) as WireResult;
    if ("err" in result) throw fromWire(operation, result.err as WireError);
    return outcome(result.ok as Json) as unknown as Expired;
  }

  /** Whether nothing at all is remembered. */
  isEmpty(): boolean {
    return this.#core.raw.is_empty();
  }
}
