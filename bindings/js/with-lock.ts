/**
 * `withLock`: run a function while holding a lock that renews itself, and learn when it is lost.
 * The lock lives in the in-memory {@link Engine} or, through a {@link RedisEngine}, in Redis.
 *
 * @module
 */

import { int, invalidType, str, MAX_KEY_BYTES, MAX_OWNER_BYTES } from "./check.js";
import { leaseholdError } from "./errors.js";
import type { Engine } from "./engine.js";
import type { RedisEngine } from "./redis/redis-engine.js";
import type { MaybeDegraded } from "./redis/engine.js";
import type { Acquire, Extend, Release } from "./types.js";

/** How {@link withLock} holds its lock. */
export interface WithLockOptions {
  /** The lease's TTL in milliseconds, renewed for as long as `fn` runs. */
  ttl: number;
  /**
   * When to renew, as a fraction of `ttl` after each grant or renewal: `0.5` (the default)
   * renews half-way. Between 0 and 1, exclusive.
   */
  renewAt?: number;
  /** The owner token; a fresh random one by default. */
  owner?: string;
}

/** What `fn` learns about the lock it runs under. */
export interface Lease {
  /** The lock's key. */
  key: string;
  /** The owner token the lock is held with. */
  owner: string;
  /**
   * The lease's fencing token: pass it to whatever the lock protects. `0` when nothing is held
   * (`degraded: "open"`), below every fence ever issued, so a fenced store refuses the writes.
   */
  fence: number;
  /**
   * When the lease ends unless renewed, on the engine's clock (Redis's own by default); moved
   * forward by each renewal. `0` when nothing is held (`degraded: "open"`).
   */
  expiresAt: number;
  /** Aborted, with a `LockLostError` as its reason, when the lock is lost. */
  signal: AbortSignal;
  /**
   * Set only on a {@link RedisEngine} that could not reach Redis when the lock was taken, by its
   * failure policy: `"open"`, `fn` runs unguarded (no lock is held anywhere); `"memory"`, the
   * lock is held in the policy's in-memory engine only, so other processes do not see it.
   */
  degraded?: "open" | "memory";
}

function randomOwner(): string {
  return `withLock:${globalThis.crypto.randomUUID()}`;
}

/** Both engines' lock operations, the Redis ones awaited; degraded answers kept as they are. */
interface LockTable {
  acquire(key: string, owner: string, ttl: number): MaybeDegraded<Acquire> | Promise<MaybeDegraded<Acquire>>;
  extend(key: string, owner: string, ttl: number): MaybeDegraded<Extend> | Promise<MaybeDegraded<Extend>>;
  release(key: string, owner: string): MaybeDegraded<Release> | Promise<MaybeDegraded<Release>>;
}

/** Whether `engine` is a {@link RedisEngine} (told apart without importing the driver). */
function onRedis(engine: Engine | RedisEngine): engine is RedisEngine {
  return typeof (engine as { now?: unknown }).now !== "function";
}

/**
 * Takes `key`, runs `fn` while holding it and releases it afterwards.
 *
 * The lease is extended every `renewAt × ttl` milliseconds (timer time). When a renewal is
 * refused (another owner took the lock after it expired) or the TTL passes without one, the
 * signal given to `fn` aborts with a `LockLostError`; `fn` should stop, and `withLock` rejects
 * with that error even if `fn` then resolves, because its work was not protected to the end.
 *
 * Throws `LockBusyError` (with `retryAfter`) when another owner holds the lock, and the usual
 * `InvalidArgumentError` for bad arguments. The lock is released however `fn` ends.
 *
 * On a {@link RedisEngine} every step is awaited, and:
 * - the signal aborts at once when a renewal cannot reach Redis (whatever the failure policy
 *   answers: a renewal that did not happen in Redis extends nothing), and, when a renewal gets no
 *   answer, `ttl − max(1, ⌊ttl × (1 − renewAt) / 2⌋)` ms after the last renewal that was
 *   granted was sent: always before the lease can end in Redis, which counted its TTL from
 *   a moment after that send;
 * - when Redis cannot be reached for the acquire, the engine's failure policy decides, and `fn`
 *   never runs as if it held a lock it does not hold: under `throw` the `RedisDriverError`
 *   rejects; under `closed` `withLock` rejects with the degraded answer's `cause` and `fn` does
 *   not run; under `open` (the policy that says "proceed unguarded") `fn` runs with
 *   `degraded: "open"` and `fence: 0` and nothing is renewed; under `memory` the fallback engine
 *   decides, and `fn` runs with `degraded: "memory"` under that lease, renewed through the
 *   engine, and lost as soon as Redis answers a renewal again (Redis does not know the lease);
 * - a release Redis cannot take is left to the TTL, which ends the lease anyway.
 *
 * ```ts
 * const engine = new RedisEngine({ client: new Redis(), onUnavailable: "closed" });
 * await withLock(engine, "nightly-report", async ({ fence, signal }) => {
 *   await buildReport({ fence, signal });
 * }, { ttl: 30_000 });
 * ```
 */
export function withLock<T>(engine: Engine, key: string, fn: (lease: Lease) => T | Promise<T>, options: WithLockOptions): Promise<Awaited<T>>;
export function withLock<T>(engine: RedisEngine, key: string, fn: (lease: Lease) => T | Promise<T>, options: WithLockOptions): Promise<Awaited<T>>;
export async function withLock<T>(
  engine: Engine | RedisEngine,
  key: string,
  fn: (lease: Lease) => T | Promise<T>,
  options: WithLockOptions,
): Promise<Awaited<T>> {
  const operation = "withLock";
  str(operation, "key", key, MAX_KEY_BYTES);
  if (typeof fn !== "function") throw invalidType(operation, "fn", "a function", fn);
  if (options === null || typeof options !== "object") throw invalidType(operation, "options", "an object", options);
  const ttl = int(operation, "ttl", options.ttl);
  const renewAt = options.renewAt ?? 0.5;
  if (typeof renewAt !== "number" || !(renewAt > 0 && renewAt < 1)) {
    throw leaseholdError(operation, { code: "invalid_value", field: "renewAt", expected: "a number between 0 and 1, exclusive", reason: String(renewAt) });
  }
  const owner = options.owner === undefined ? randomOwner() : str(operation, "owner", options.owner, MAX_OWNER_BYTES);
  const redis = onRedis(engine);
  const locks: LockTable = engine.locks;
  const quoted = JSON.stringify(key);

  let sentAt = performance.now();
  const asked = locks.acquire(key, owner, ttl);
  // The in-memory engine answers at once: no await, so its timers start before withLock returns.
  const granted = asked instanceof Promise ? await asked : asked;
  let degraded: Lease["degraded"];
  let fence: number;
  let expiresAt: number;
  if ("degraded" in granted) {
    if (granted.degraded === "closed") throw granted.cause;
    if (granted.degraded === "open" || granted.outcome === undefined) {
      degraded = "open";
      fence = 0;
      expiresAt = 0;
    } else {
      degraded = "memory";
      if (granted.outcome.kind === "denied") throw leaseholdError(operation, { code: "lock_busy", field: "key", retryAfter: granted.outcome.retryAfter });
      ({ fence, expiresAt } = granted.outcome);
    }
  } else {
    if (granted.kind === "denied") throw leaseholdError(operation, { code: "lock_busy", field: "key", retryAfter: granted.retryAfter });
    ({ fence, expiresAt } = granted);
  }

  const controller = new AbortController();
  let renewal: ReturnType<typeof setTimeout> | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  const lose = (reason: string): void => {
    clearTimeout(renewal);
    clearTimeout(deadline);
    if (!finished && !controller.signal.aborted) controller.abort(leaseholdError(operation, { code: "lock_lost", field: "key", reason }));
  };
  const expired = (): void => lose(`the lock on ${quoted} expired before it could be renewed`);
  // The deadline: on Redis, counted from the send of the last granted call (see above); in
  // memory, the lease's own expiry on the engine's clock.
  const margin = Math.max(1, Math.floor((ttl * (1 - renewAt)) / 2));
  const schedule = (until: number): void => {
    clearTimeout(deadline);
    renewal = setTimeout(renew, Math.max(1, Math.floor(ttl * renewAt)));
    const left = redis ? sentAt + ttl - margin - performance.now() : until - (engine as Engine).now();
    deadline = setTimeout(expired, Math.max(1, left));
  };
  const lease: Lease = { key, owner, fence, expiresAt, signal: controller.signal };
  if (degraded !== undefined) lease.degraded = degraded;
  const extended = (outcome: Extend): void => {
    if (outcome.kind === "extended") {
      lease.expiresAt = outcome.expiresAt;
      return schedule(outcome.expiresAt);
    }
    lose(outcome.kind === "notHolder"
      ? `the lock on ${quoted} expired and was taken by another owner`
      : `the lock on ${quoted} expired before it could be renewed`);
  };
  const failed = (error: unknown): void =>
    lose(`renewing the lock on ${quoted} failed: ${error instanceof Error ? error.message : String(error)}`);
  const renew = (): void => {
    if (finished) return;
    const sending = performance.now();
    let reply: MaybeDegraded<Extend> | Promise<MaybeDegraded<Extend>>;
    try {
      reply = locks.extend(key, owner, ttl);
    } catch (error) {
      return failed(error);
    }
    const settle = (outcome: MaybeDegraded<Extend>): void => {
      if (finished) return;
      if (!("degraded" in outcome)) {
        sentAt = sending;
        return extended(outcome);
      }
      // A lease held in the fallback engine is renewed there; any other lease was not renewed.
      if (degraded === "memory" && outcome.outcome !== undefined) {
        sentAt = sending;
        return extended(outcome.outcome);
      }
      failed(outcome.cause);
    };
    if (reply instanceof Promise) reply.then(settle, failed);
    else settle(reply);
  };
  if (degraded !== "open") schedule(expiresAt);

  try {
    const result = await fn(lease);
    if (controller.signal.aborted) throw controller.signal.reason;
    return result;
  } finally {
    finished = true;
    clearTimeout(renewal);
    clearTimeout(deadline);
    if (!controller.signal.aborted && degraded !== "open") {
      if (redis) {
        // Unreachable: the TTL ends the lease. Any other failure of the release is the caller's.
        await Promise.resolve(locks.release(key, owner)).catch((error: unknown) => {
          if (!(error instanceof Error && (error as { unreachable?: boolean }).unreachable === true)) throw error;
        });
      } else {
        locks.release(key, owner);
      }
    }
  }
}
