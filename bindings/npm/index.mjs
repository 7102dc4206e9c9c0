// The ESM entry for Node. It re-exports the CommonJS build, so `import` and `require` in one
// process share one module instance (no dual-package hazard).
import leasehold from './index.cjs';

export const {
  Engine,
  Locks,
  Semaphores,
  Holds,
  Limits,
  Limiter,
  LeaseholdError,
  InvalidArgumentError,
  FenceExhaustedError,
  LockBusyError,
  LockLostError,
  withLock,
  rateLimit,
  RedisEngine,
  RedisLocks,
  RedisSemaphores,
  RedisHolds,
  RedisLimits,
  RedisDriverError,
  RedisLayout,
} = leasehold;
export default leasehold;
