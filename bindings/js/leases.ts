/**
 * Locks and semaphores: leases to an owner, fenced, with a TTL.
 *
 * @module
 */

import { int, str, MAX_KEY_BYTES, MAX_OWNER_BYTES } from "./check.js";
import type { Core } from "./engine.js";
import type { Acquire, Extend, LeaseState, Release, SemaphoreState } from "./types.js";

/**
 * Every lock key of an engine: a mutex with a TTL, one live holder per key, fenced.
 *
 * Errors are checked before anything is written, in parameter order (`now` last); a refused
 * call changes nothing.
 */
export class Locks {
  readonly #core: Core;

  /** @internal */
  constructor(core: Core) {
    this.#core = core;
  }

  /**
   * Takes `key` for `owner` until `now + ttl`.
   *
   * - no live lease: granted with a new fence, `max(last + 1, now × 1000)`;
   * - a live lease of `owner`: granted again with the same fence, expiry moved to `now + ttl`
   *   (`reacquired: true`), so a retry after a lost reply never locks its own caller out;
   * - a live lease of another owner: denied, `retryAfter = expiresAt − now` (≥ 1).
   *
   * Throws, in this order: key (1 to 512 bytes), owner (1 to 256 bytes), ttl (1 ms to 366 days),
   * now (≤ 2^53 − 1), `now + ttl` past 2^53 − 1 (`overflow`), fences exhausted.
   */
  acquire(key: string, owner: string, ttl: number, now?: number): Acquire {
    const operation = "locks.acquire";
    str(operation, "key", key, MAX_KEY_BYTES);
    str(operation, "owner", owner, MAX_OWNER_BYTES);
    int(operation, "ttl", ttl);
    const at = this.#core.now(operation, now);
    return this.#core.answer(operation, this.#core.raw.lock_acquire(key, owner, ttl, at));
  }

  /**
   * Ends `owner`'s live lease on `key`: `released` (with its fence) when `owner` holds a live
   * lease, `notHolder` when another owner does, `expired` when no lease is live.
   * Throws: key, owner, now.
   */
  release(key: string, owner: string, now?: number): Release {
    const operation = "locks.release";
    str(operation, "key", key, MAX_KEY_BYTES);
    str(operation, "owner", owner, MAX_OWNER_BYTES);
    const at = this.#core.now(operation, now);
    return this.#core.answer(operation, this.#core.raw.lock_release(key, owner, at));
  }

  /**
   * Moves the expiry of `owner`'s live lease on `key` to `now + ttl` (which may shorten it),
   * keeping its fence. Outcomes as for {@link Locks.release}. Throws: key, owner, ttl, now,
   * `now + ttl` overflow.
   */
  extend(key: string, owner: string, ttl: number, now?: number): Extend {
    const operation = "locks.extend";
    str(operation, "key", key, MAX_KEY_BYTES);
    str(operation, "owner", owner, MAX_OWNER_BYTES);
    int(operation, "ttl", ttl);
    const at = this.#core.now(operation, now);
    return this.#core.answer(operation, this.#core.raw.lock_extend(key, owner, ttl, at));
  }

  /** Whether `key` is held at `now`, with the live lease's fence and expiry. Throws: key, now. */
  inspect(key: string, now?: number): LeaseState {
    const operation = "locks.inspect";
    str(operation, "key", key, MAX_KEY_BYTES);
    const at = this.#core.now(operation, now);
    return this.#core.answer(operation, this.#core.raw.lock_inspect(key, at));
  }
}

/**
 * Every semaphore key of an engine: up to `capacity` live holders per key, each with its own
 * owner, fence and TTL. Capacity is an argument of each acquire, not a property of the key.
 */
export class Semaphores {
  readonly #core: Core;

  /** @internal */
  constructor(core: Core) {
    this.#core = core;
  }

  /**
   * Takes a slot of `key` for `owner` until `now + ttl`, admitting at most `capacity` live
   * holders.
   *
   * - `owner` holds a live slot: granted again with the same fence (`reacquired: true`),
   *   whatever `capacity` is now;
   * - otherwise, fewer than `capacity` live holders: granted a new slot with a new fence;
   * - otherwise denied, `retryAfter` = the time until enough holders expire for one slot to free.
   *
   * Throws, in this order: key, owner, capacity (1 to 10 000), ttl, now, `now + ttl` overflow,
   * fences exhausted.
   */
  acquire(key: string, owner: string, capacity: number, ttl: number, now?: number): Acquire {
    const operation = "semaphores.acquire";
    str(operation, "key", key, MAX_KEY_BYTES);
    str(operation, "owner", owner, MAX_OWNER_BYTES);
    int(operation, "capacity", capacity);
    int(operation, "ttl", ttl);
    const at = this.#core.now(operation, now);
    return this.#core.answer(operation, this.#core.raw.semaphore_acquire(key, owner, capacity, ttl, at));
  }

  /**
   * Ends `owner`'s live slot on `key`: `released` with its fence, `notHolder` when only other
   * holders are live, `expired` when no holder is live. Throws: key, owner, now.
   */
  release(key: string, owner: string, now?: number): Release {
    const operation = "semaphores.release";
    str(operation, "key", key, MAX_KEY_BYTES);
    str(operation, "owner", owner, MAX_OWNER_BYTES);
    const at = this.#core.now(operation, now);
    return this.#core.answer(operation, this.#core.raw.semaphore_release(key, owner, at));
  }

  /**
   * Moves the expiry of `owner`'s live slot to `now + ttl`, keeping its fence. Outcomes as for
   * {@link Semaphores.release}. Throws: key, owner, ttl, now, `now + ttl` overflow.
   */
  extend(key: string, owner: string, ttl: number, now?: number): Extend {
    const operation = "semaphores.extend";
    str(operation, "key", key, MAX_KEY_BYTES);
    str(operation, "owner", owner, MAX_OWNER_BYTES);
    int(operation, "ttl", ttl);
    const at = this.#core.now(operation, now);
    return this.#core.answer(operation, this.#core.raw.semaphore_extend(key, owner, ttl, at));
  }

  /** How many holders of `key` are live and the earliest of their expiries. Throws: key, now. */
  inspect(key: string, now?: number): SemaphoreState {
    const operation = "semaphores.inspect";
    str(operation, "key", key, MAX_KEY_BYTES);
    const at = this.#core.now(operation, now);
    return this.#core.answer(operation, this.#core.raw.semaphore_inspect(key, at));
  }
}
