/**
 * {@link RedisEngine}: the public face of the Redis driver.
 *
 * @module
 */

import type { WireRequest, WireResult } from "../types.js";
import type { RedisClientKind } from "./client.js";
import { RedisCore, type MaybeDegraded, type RedisEngineOptions } from "./engine.js";
import { scripts } from "./scripts.js";
import { RedisHolds, RedisLimits, RedisLocks, RedisSemaphores } from "./tables.js";

/**
 * The engine on Redis, through your own ioredis or node-redis client: the in-memory
 * {@link Engine}'s tables and `apply`, asynchronous, each call one round trip (`EVALSHA` of
 * the Lua script that ports the core transition; on `NOSCRIPT`, one `EVAL` with its source,
 * which caches it again).
 *
 * ```ts
 * import Redis from "ioredis";
 * import { RedisEngine } from "leasehold";
 * const engine = new RedisEngine({ client: new Redis(), onUnavailable: "closed" });
 * const decision = await engine.limits.check("login_ip:1.2.3.4", { algorithm: "fixedWindow", quota: 10, window: 900_000 });
 * if ("degraded" in decision || !decision.allowed) reply(429);
 * ```
 *
 * Bad input throws before any I/O, the in-memory engine's {@link InvalidArgumentError}s.
 * A Redis that cannot be reached gives the failure policy's {@link Degraded} outcome, or a
 * {@link RedisDriverError} under the default policy `throw`; any other Redis error is a
 * {@link RedisDriverError} too. Keys follow the Rust adapter's layout (`<prefix>:lock:{key}`...).
 */
export class RedisEngine {
  /** Locks: one live holder per key until a TTL, owner-checked release and extend, fenced. */
  readonly locks: RedisLocks;
  /** Semaphores: up to `capacity` live holders per key. */
  readonly semaphores: RedisSemaphores;
  /** Holds: named items reserved per namespace, all-or-nothing; writes feed the namespace's stream. */
  readonly holds: RedisHolds;
  /** Rate limits: six algorithms, one decision shape, an optional block policy on each. */
  readonly limits: RedisLimits;
  readonly #core: RedisCore;

  constructor(options: RedisEngineOptions) {
    this.#core = new RedisCore(options);
    this.locks = new RedisLocks(this.#core);
    this.semaphores = new RedisSemaphores(this.#core);
    this.holds = new RedisHolds(this.#core);
    this.limits = new RedisLimits(this.#core);
  }

  /** The key prefix. */
  get prefix(): string {
    return this.#core.layout.prefix;
  }

  /** Which client the engine drives: `ioredis`, `ioredis-cluster`, `node-redis`, `node-redis-cluster` or `custom`. */
  get client(): RedisClientKind {
    return this.#core.commands.kind;
  }

  /**
   * Runs one request in the core's serialized form (as vectors and traces carry it) and
   * returns `{ok}` or `{err}` in that same form, JSON for JSON what the in-memory
   * {@link Engine.apply} returns on the same state at the same `now`. Without `now` (and
   * without a clock option) Redis's clock decides. A malformed request is `{err}` without I/O.
   */
  async apply(request: WireRequest, now?: number): Promise<MaybeDegraded<WireResult>> {
    const at = this.#core.explicitNow(now);
    const checked = this.#core.scratch().apply(request, at ?? 0);
    // Fence exhaustion depends on the key's state, which only Redis knows.
    if ("err" in checked && checked.err.code !== "fence_exhausted") return checked;
    return this.#core.run("apply", request, at);
  }

  /** Loads every script into Redis's script cache now (`SCRIPT LOAD`), instead of on first use. */
  async load(): Promise<void> {
    for (const script of scripts()) await this.#core.load("load", script.source);
  }
}
