/**
 * The Redis driver: the engine on Redis through the user's ioredis or node-redis client.
 *
 * @module
 */

export { RedisEngine } from "./redis-engine.js";
export type { RedisEngineOptions, FailurePolicy, Degraded, MaybeDegraded, HoldEventsOptions } from "./engine.js";
export { RedisLocks, RedisSemaphores, RedisHolds, RedisLimits } from "./tables.js";
export { RedisDriverError, type RedisErrorCode } from "./errors.js";
export type { RedisClient, RedisClientKind, IoredisLike, IoredisClusterLike, NodeRedisLike, NodeRedisClusterLike, CommandSender } from "./client.js";
export { Layout as RedisLayout } from "./layout.js";
