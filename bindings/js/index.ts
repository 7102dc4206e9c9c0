/**
 * # leasehold
 *
 * The short-lived coordination state people keep in Redis (holds, locks and semaphores, rate
 * limits) as one deterministic engine, compiled from the Rust core to wasm.
 *
 * ```ts
 * import { Engine } from "leasehold";
 * const engine = new Engine();
 * const lock = engine.locks.acquire("lockTrade:42", "worker-a", 900_000);
 * const decision = engine.limits.check("login_ip:1.2.3.4", { algorithm: "fixedWindow", quota: 10, window: 900_000 });
 * ```
 *
 * A denial is an outcome that says when to retry, never an error; errors are for bad input and
 * are thrown before anything changes, as {@link LeaseholdError}s with a stable `code`.
 *
 * @module
 */

export { Engine, type EngineOptions } from "./engine.js";
export { Locks, Semaphores } from "./leases.js";
export { Holds } from "./holds.js";
export { Limits } from "./limits.js";
export { Limiter } from "./limiter.js";
export {
  LeaseholdError,
  InvalidArgumentError,
  FenceExhaustedError,
  LockBusyError,
  LockLostError,
  type ErrorCode,
  type ErrorDetails,
} from "./errors.js";
export { withLock, type WithLockOptions, type Lease } from "./with-lock.js";
export { rateLimit, type RateLimitOptions, type RateLimitMiddleware, type ResponseLike } from "./middleware.js";
export { type RedisRateLimitOptions, type AsyncRateLimitMiddleware } from "./middleware.js";
export type * from "./types.js";
export {
  RedisEngine,
  RedisLocks,
  RedisSemaphores,
  RedisHolds,
  RedisLimits,
  RedisDriverError,
  RedisLayout,
  type RedisEngineOptions,
  type FailurePolicy,
  type Degraded,
  type MaybeDegraded,
  type HoldEventsOptions,
  type RedisErrorCode,
  type RedisClient,
  type RedisClientKind,
  type IoredisLike,
  type IoredisClusterLike,
  type NodeRedisLike,
  type NodeRedisClusterLike,
  type CommandSender,
} from "./redis/index.js";
