/**
 * What the Redis driver throws besides the core's own errors (which keep their classes and
 * codes, see `../errors.ts`): a Redis that cannot be reached (when the failure policy is
 * `throw`), an error reply that is not one of ours, and a reply the scripts never give.
 *
 * @module
 */

/** Every `code` of a {@link RedisDriverError}. */
export type RedisErrorCode =
  /** Redis could not be reached: connection refused, closed, or the client is reconnecting. */
  | "redis_unreachable"
  /** No reply within the driver's `timeout`; a write in flight may or may not have happened. */
  | "redis_timeout"
  /** Redis answered with an error that is not one of leasehold's (OOM, READONLY, a script error). */
  | "redis_server"
  /** A reply the driver cannot decode: the scripts and the driver disagree. */
  | "redis_protocol";

/** Why an operation on Redis gave no outcome. Never a denial: those are outcomes. */
export class RedisDriverError extends Error {
  /** The stable code. */
  readonly code: RedisErrorCode;
  /** The operation that failed, such as `locks.acquire`. */
  readonly operation: string;

  constructor(operation: string, code: RedisErrorCode, detail: string, cause?: unknown) {
    super(`${operation}: ${describe(code)}: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = "RedisDriverError";
    this.code = code;
    this.operation = operation;
  }

  /** Whether the failure policy applies: Redis was unreachable or did not answer in time. */
  get unreachable(): boolean {
    return this.code === "redis_unreachable" || this.code === "redis_timeout";
  }
}

function describe(code: RedisErrorCode): string {
  switch (code) {
    case "redis_unreachable":
      return "Redis is unreachable";
    case "redis_timeout":
      return "Redis did not answer in time";
    case "redis_server":
      return "Redis answered with an error";
    case "redis_protocol":
      return "unexpected reply from a leasehold script";
  }
}
