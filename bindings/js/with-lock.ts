/**
 * `withLock`: run a function while holding a lock that renews itself, and learn when it is lost.
 *
 * @module
 */

import { int, invalidType, str, MAX_KEY_BYTES, MAX_OWNER_BYTES } from "./check.js";
import { leaseholdError } from "./errors.js";
import type { Engine } from "./engine.js";

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
  /** The lease's fencing token: pass it to whatever the lock protects. */
  fence: number;
  /** Aborted, with a `LockLostError` as its reason, when the lock is lost. */
  signal: AbortSignal;
}

function randomOwner(): string {
  return `withLock:${globalThis.crypto.randomUUID()}`;
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
 */
export async function withLock<T>(
  engine: Engine,
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

  const granted = engine.locks.acquire(key, owner, ttl);
  if (granted.kind === "denied") {
    throw leaseholdError(operation, { code: "lock_busy", field: "key", retryAfter: granted.retryAfter });
  }
  const controller = new AbortController();
  let renewal: ReturnType<typeof setTimeout> | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const lose = (reason: string): void => {
    clearTimeout(renewal);
    clearTimeout(deadline);
    if (!controller.signal.aborted) controller.abort(leaseholdError(operation, { code: "lock_lost", field: "key", reason }));
  };
  const schedule = (expiresAt: number): void => {
    clearTimeout(deadline);
    renewal = setTimeout(renew, Math.max(1, Math.floor(ttl * renewAt)));
    deadline = setTimeout(
      () => lose(`the lock on ${JSON.stringify(key)} expired before it could be renewed`),
      Math.max(1, expiresAt - engine.now()),
    );
  };
  const renew = (): void => {
    let outcome;
    try {
      outcome = engine.locks.extend(key, owner, ttl);
    } catch (error) {
      return lose(`renewing the lock failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (outcome.kind === "extended") return schedule(outcome.expiresAt);
    lose(outcome.kind === "notHolder"
      ? `the lock on ${JSON.stringify(key)} expired and was taken by another owner`
      : `the lock on ${JSON.stringify(key)} expired before it could be renewed`);
  };
  schedule(granted.expiresAt);
  try {
    const result = await fn({ key, owner, fence: granted.fence, signal: controller.signal });
    if (controller.signal.aborted) throw controller.signal.reason;
    return result;
  } finally {
    clearTimeout(renewal);
    clearTimeout(deadline);
    if (!controller.signal.aborted) engine.locks.release(key, owner);
  }
}
