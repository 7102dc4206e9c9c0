/**
 * The typed tables of a {@link RedisEngine}: the in-memory engine's methods, asynchronous.
 *
 * Each method first makes the in-memory engine's own checks on a scratch engine (so bad input
 * throws the same {@link InvalidArgumentError}, before any I/O), then sends the request in the
 * core's wire form, one script call, and answers the same outcome types, or a {@link Degraded}
 * one when Redis is unreachable under the `open`, `closed` or `memory` policy.
 *
 * @module
 */

import type { Acquire, AlgorithmName, Cursor, Decision, Extend, Json, LeaseState, LimitSpec, Page, PerItem, Release, Reserve, Reset, SemaphoreState, Swept } from "../types.js";
import type { MaybeDegraded, RedisCore } from "./engine.js";
import { leaseCommand, limitCommand } from "./encode.js";
import { typedAcquire, typedExtend, typedLockState, typedRelease, typedSemaphoreState } from "./decode.js";
import { int, str, MAX_KEY_BYTES, MAX_OWNER_BYTES } from "../check.js";
import { Accepted, AcceptedLimit, type ScriptLimit } from "./accepted.js";

/** The wire name of each algorithm. */
const WIRE: Readonly<Record<AlgorithmName, string>> = {
  fixedWindow: "fixed_window",
  slidingLog: "sliding_log",
  slidingCounter: "sliding_counter",
  tokenBucket: "token_bucket",
  gcra: "gcra",
  cooldown: "cooldown",
};

/** `limit` (already checked) in the wire form: the algorithm and the optional block policy. */
function wireLimit(limit: LimitSpec): { algorithm: Json; block: Json } {
  let params: Json;
  switch (limit.algorithm) {
    case "fixedWindow":
    case "slidingLog":
    case "slidingCounter":
      params = { quota: limit.quota, window: limit.window };
      break;
    case "tokenBucket":
      params = { capacity: limit.capacity, refill: limit.refill, interval: limit.interval };
      break;
    case "gcra":
      params = { burst: limit.burst, interval: limit.interval };
      break;
    case "cooldown":
      params = { interval: limit.interval };
      break;
  }
  const b = limit.block;
  const block = b === undefined || b === null ? null : { violations: b.violations, within: b.within, block_for: b.blockFor };
  return { algorithm: { [WIRE[limit.algorithm]]: params }, block };
}

/** `limit` (already checked) as the script's arguments: the algorithm, its parameters, the block policy's. */
function packed(limit: LimitSpec): ScriptLimit {
  let params: number[];
  switch (limit.algorithm) {
    case "fixedWindow":
    case "slidingLog":
    case "slidingCounter":
      params = [limit.quota, limit.window];
      break;
    case "tokenBucket":
      params = [limit.capacity, limit.refill, limit.interval];
      break;
    case "gcra":
      params = [limit.burst, limit.interval];
      break;
    case "cooldown":
      params = [limit.interval];
      break;
  }
  const b = limit.block;
  return {
    algorithm: WIRE[limit.algorithm],
    params: [String(params[0]), params.length > 1 ? String(params[1]) : "", params.length > 2 ? String(params[2]) : ""],
    block: b === undefined || b === null ? null : [String(b.violations), String(b.within), String(b.blockFor)],
  };
}

/**
 * The checks the in-memory `Locks` and `Semaphores` make before their raw call, in the same
 * order: key, owner, the numbers, then `now` (an explicit one; the server's clock is judged by
 * the script). Returns the `now` to check with.
 */
function leaseArgs(operation: string, key: unknown, owner: unknown, at: number | undefined, first?: unknown, second?: unknown): number {
  str(operation, "key", key, MAX_KEY_BYTES);
  if (owner !== undefined) str(operation, "owner", owner, MAX_OWNER_BYTES);
  // The numbers in the in-memory engine's order: ttl alone, or capacity then ttl.
  if (arguments.length > 5) {
    int(operation, "capacity", first);
    int(operation, "ttl", second);
  } else if (arguments.length > 4) {
    int(operation, "ttl", first);
  }
  return at === undefined ? 0 : int(operation, "now", at);
}

/** `ARGV[1]` of every script: the explicit `now`, or `server` for Redis's clock. */
function clockArg(at: number | undefined): string {
  return at === undefined ? "server" : String(at);
}

/** Locks on Redis: {@link Locks}, asynchronous. */
export class RedisLocks {
  readonly #core: RedisCore;
  readonly #accepted = new Accepted();

  /** @internal */
  constructor(core: RedisCore) {
    this.#core = core;
  }

  /** {@link Locks.acquire} on Redis. */
  acquire(key: string, owner: string, ttl: number, now?: number): Promise<MaybeDegraded<Acquire>> {
    const operation = "locks.acquire";
    const core = this.#core;
    const at = core.explicitNow(now);
    const checkAt = leaseArgs(operation, key, owner, at, ttl);
    if (!this.#accepted.has(at, key, owner, ttl)) {
      core.refuse(operation, core.checker().lock_acquire(key, owner, ttl, checkAt));
      this.#accepted.add(at, owner, ttl, -1);
    }
    const call = leaseCommand(core.layout, "lock", "acquire", clockArg(at), key, owner, String(ttl));
    return core.direct(operation, call, typedAcquire, () => ({ lock: { acquire: { key, owner, ttl } } }), at);
  }

  /** {@link Locks.release} on Redis. */
  release(key: string, owner: string, now?: number): Promise<MaybeDegraded<Release>> {
    const operation = "locks.release";
    const core = this.#core;
    const at = core.explicitNow(now);
    const checkAt = leaseArgs(operation, key, owner, at);
    if (!this.#accepted.has(at, key, owner)) {
      core.refuse(operation, core.checker().lock_release(key, owner, checkAt));
      this.#accepted.add(at, owner, -1, -1);
    }
    const call = leaseCommand(core.layout, "lock", "release", clockArg(at), key, owner);
    return core.direct(operation, call, typedRelease, () => ({ lock: { release: { key, owner } } }), at);
  }

  /** {@link Locks.extend} on Redis. */
  extend(key: string, owner: string, ttl: number, now?: number): Promise<MaybeDegraded<Extend>> {
    const operation = "locks.extend";
    const core = this.#core;
    const at = core.explicitNow(now);
    const checkAt = leaseArgs(operation, key, owner, at, ttl);
    if (!this.#accepted.has(at, key, owner, ttl)) {
      core.refuse(operation, core.checker().lock_extend(key, owner, ttl, checkAt));
      this.#accepted.add(at, owner, ttl, -1);
    }
    const call = leaseCommand(core.layout, "lock", "extend", clockArg(at), key, owner, String(ttl));
    return core.direct(operation, call, typedExtend, () => ({ lock: { extend: { key, owner, ttl } } }), at);
  }

  /** {@link Locks.inspect} on Redis. */
  inspect(key: string, now?: number): Promise<MaybeDegraded<LeaseState>> {
    const operation = "locks.inspect";
    const core = this.#core;
    const at = core.explicitNow(now);
    const checkAt = leaseArgs(operation, key, undefined, at);
    core.refuse(operation, core.checker().lock_inspect(key, checkAt));
    const call = leaseCommand(core.layout, "lock", "inspect", clockArg(at), key);
    return core.direct(operation, call, typedLockState, () => ({ lock: { inspect: { key } } }), at);
  }
}

/** Semaphores on Redis: {@link Semaphores}, asynchronous. */
export class RedisSemaphores {
  readonly #core: RedisCore;
  readonly #accepted = new Accepted();

  /** @internal */
  constructor(core: RedisCore) {
    this.#core = core;
  }

  /** {@link Semaphores.acquire} on Redis. */
  acquire(key: string, owner: string, capacity: number, ttl: number, now?: number): Promise<MaybeDegraded<Acquire>> {
    const operation = "semaphores.acquire";
    const core = this.#core;
    const at = core.explicitNow(now);
    const checkAt = leaseArgs(operation, key, owner, at, capacity, ttl);
    if (!this.#accepted.has(at, key, owner, ttl, capacity)) {
      core.refuse(operation, core.checker().semaphore_acquire(key, owner, capacity, ttl, checkAt));
      this.#accepted.add(at, owner, ttl, capacity);
    }
    const call = leaseCommand(core.layout, "semaphore", "acquire", clockArg(at), key, owner, String(capacity), String(ttl));
    return core.direct(operation, call, typedAcquire, () => ({ semaphore: { acquire: { key, owner, capacity, ttl } } }), at);
  }

  /** {@link Semaphores.release} on Redis. */
  release(key: string, owner: string, now?: number): Promise<MaybeDegraded<Release>> {
    const operation = "semaphores.release";
    const core = this.#core;
    const at = core.explicitNow(now);
    const checkAt = leaseArgs(operation, key, owner, at);
    if (!this.#accepted.has(at, key, owner)) {
      core.refuse(operation, core.checker().semaphore_release(key, owner, checkAt));
      this.#accepted.add(at, owner, -1, -1);
    }
    const call = leaseCommand(core.layout, "semaphore", "release", clockArg(at), key, owner);
    return core.direct(operation, call, typedRelease, () => ({ semaphore: { release: { key, owner } } }), at);
  }

  /** {@link Semaphores.extend} on Redis. */
  extend(key: string, owner: string, ttl: number, now?: number): Promise<MaybeDegraded<Extend>> {
    const operation = "semaphores.extend";
    const core = this.#core;
    const at = core.explicitNow(now);
    const checkAt = leaseArgs(operation, key, owner, at, ttl);
    if (!this.#accepted.has(at, key, owner, ttl)) {
      core.refuse(operation, core.checker().semaphore_extend(key, owner, ttl, checkAt));
      this.#accepted.add(at, owner, ttl, -1);
    }
    const call = leaseCommand(core.layout, "semaphore", "extend", clockArg(at), key, owner, String(ttl));
    return core.direct(operation, call, typedExtend, () => ({ semaphore: { extend: { key, owner, ttl } } }), at);
  }

  /** {@link Semaphores.inspect} on Redis. */
  inspect(key: string, now?: number): Promise<MaybeDegraded<SemaphoreState>> {
    const operation = "semaphores.inspect";
    const core = this.#core;
    const at = core.explicitNow(now);
    const checkAt = leaseArgs(operation, key, undefined, at);
    core.refuse(operation, core.checker().semaphore_inspect(key, checkAt));
    const call = leaseCommand(core.layout, "semaphore", "inspect", clockArg(at), key);
    return core.direct(operation, call, typedSemaphoreState, () => ({ semaphore: { inspect: { key } } }), at);
  }
}

/** Holds on Redis: {@link Holds}, asynchronous; writes also feed the namespace's event stream. */
export class RedisHolds {
  readonly #core: RedisCore;

  /** @internal */
  constructor(core: RedisCore) {
    this.#core = core;
  }

  /** {@link Holds.reserve} on Redis. */
  reserve(namespace: string, items: readonly string[], owner: string, ttl: number, maxHolds?: number | null, now?: number): Promise<MaybeDegraded<Reserve>> {
    const at = this.#core.explicitNow(now);
    this.#core.scratch().holds.reserve(namespace, items, owner, ttl, maxHolds, at ?? 0);
    const request: { [key: string]: Json } = { namespace, items: [...items], owner, ttl };
    if (maxHolds !== undefined && maxHolds !== null) request.max_holds = maxHolds;
    return this.#core.typed("holds.reserve", { hold: { reserve: request } }, at);
  }

  /** {@link Holds.release} on Redis. */
  release(namespace: string, items: readonly string[], owner: string, now?: number): Promise<MaybeDegraded<PerItem<Release>>> {
    const at = this.#core.explicitNow(now);
    this.#core.scratch().holds.release(namespace, items, owner, at ?? 0);
    return this.#core.typed("holds.release", { hold: { release: { namespace, items: [...items], owner } } }, at);
  }

  /** {@link Holds.extend} on Redis. */
  extend(namespace: string, items: readonly string[], owner: string, ttl: number, now?: number): Promise<MaybeDegraded<PerItem<Extend>>> {
    const at = this.#core.explicitNow(now);
    this.#core.scratch().holds.extend(namespace, items, owner, ttl, at ?? 0);
    return this.#core.typed("holds.extend", { hold: { extend: { namespace, items: [...items], owner, ttl } } }, at);
  }

  /** {@link Holds.forceRelease} on Redis. */
  forceRelease(namespace: string, items: readonly string[], now?: number): Promise<MaybeDegraded<PerItem<Release>>> {
    const at = this.#core.explicitNow(now);
    this.#core.scratch().holds.forceRelease(namespace, items, at ?? 0);
    return this.#core.typed("holds.forceRelease", { hold: { force_release: { namespace, items: [...items] } } }, at);
  }

  /** {@link Holds.check} on Redis. */
  check(namespace: string, items: readonly string[], now?: number): Promise<MaybeDegraded<{ items: LeaseState[] }>> {
    const at = this.#core.explicitNow(now);
    this.#core.scratch().holds.check(namespace, items, at ?? 0);
    return this.#core.typed("holds.check", { hold: { check: { namespace, items: [...items] } } }, at);
  }

  /** {@link Holds.list} on Redis. */
  list(namespace: string, limit: number, cursor?: Cursor | null, now?: number): Promise<MaybeDegraded<Page>> {
    const at = this.#core.explicitNow(now);
    this.#core.scratch().holds.list(namespace, limit, cursor, at ?? 0);
    const request: { [key: string]: Json } = { namespace, limit };
    if (cursor !== undefined && cursor !== null) request.cursor = { expires_at: cursor.expiresAt, item: cursor.item };
    return this.#core.typed("holds.list", { hold: { list: request } }, at);
  }

  /** {@link Holds.sweep} on Redis. */
  sweep(namespace: string, max: number, now?: number): Promise<MaybeDegraded<Swept>> {
    const at = this.#core.explicitNow(now);
    this.#core.scratch().holds.sweep(namespace, max, at ?? 0);
    return this.#core.typed("holds.sweep", { hold: { sweep: { namespace, max } } }, at);
  }
}

/** Rate limits on Redis: {@link Limits}, asynchronous. */
export class RedisLimits {
  readonly #core: RedisCore;
  readonly #accepted = { check: new AcceptedLimit(), peek: new AcceptedLimit() };

  /** @internal */
  constructor(core: RedisCore) {
    this.#core = core;
  }

  /** {@link Limits.check} on Redis: counts `cost` units when admitted. */
  check(key: string, limit: LimitSpec, cost = 1, now?: number): Promise<MaybeDegraded<Decision>> {
    return this.#decide("limits.check", "check", key, limit, cost, now);
  }

  /** {@link Limits.peek} on Redis: the decision a check would give, counting nothing. */
  peek(key: string, limit: LimitSpec, cost = 1, now?: number): Promise<MaybeDegraded<Decision>> {
    return this.#decide("limits.peek", "peek", key, limit, cost, now);
  }

  #decide(operation: string, op: "check" | "peek", key: string, limit: LimitSpec, cost: number, now: number | undefined): Promise<MaybeDegraded<Decision>> {
    const core = this.#core;
    const at = core.explicitNow(now);
    const accepted = this.#accepted[op];
    let script = accepted.find(at, key, limit, cost);
    let costText: string;
    if (script === undefined) {
      // The same method, so a refusal names the same operation; the scratch state is thrown away.
      core.scratch().limits[op](key, limit, cost, at ?? 0);
      script = packed(limit);
      costText = String(cost);
      accepted.keep(at, limit, cost, script);
    } else {
      costText = accepted.costText();
    }
    const call = limitCommand(core.layout, op, key, script.algorithm, script.params, script.block, costText, clockArg(at));
    return core.decision(operation, call, () => {
      const wire = wireLimit(limit);
      return { limit: { [op]: { key, algorithm: wire.algorithm, block: wire.block, cost } } };
    }, at);
  }

  /** {@link Limits.reset} on Redis. */
  reset(key: string, algorithm: AlgorithmName, now?: number): Promise<MaybeDegraded<Reset>> {
    const at = this.#core.explicitNow(now);
    this.#core.scratch().limits.reset(key, algorithm, at ?? 0);
    return this.#core.typed("limits.reset", { limit: { reset: { key, algorithm: WIRE[algorithm] } } }, at);
  }
}
