/**
 * `rateLimit`: a middleware for Express and plain Node `http` that answers 429 with the
 * `RateLimit-*` and `Retry-After` headers, counting in the in-memory {@link Engine} or, through
 * a {@link RedisEngine}, in Redis.
 *
 * @module
 */

import { invalidType } from "./check.js";
import { Engine } from "./engine.js";
import type { Degraded, MaybeDegraded } from "./redis/engine.js";
import type { RedisEngine } from "./redis/redis-engine.js";
import type { Decision, LimitSpec } from "./types.js";

/** The part of a response the middleware uses (Node's `ServerResponse` and Express's `Response` fit). */
export interface ResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** How {@link rateLimit} limits. */
export interface RateLimitOptions<Req> {
  /** The engine that counts. */
  engine: Engine;
  /** The limit every request is checked against. */
  limit: LimitSpec;
  /** The key a request is counted under, such as its IP or API token. */
  key: (req: Req) => string;
  /** The weight of a request; 1 by default. */
  cost?: (req: Req) => number;
  /** Answers a denied request instead of the default `429 Too Many Requests` (headers already set). */
  onLimited?: (req: Req, res: ResponseLike, decision: Decision) => void;
}

/** How {@link rateLimit} limits on Redis. */
export interface RedisRateLimitOptions<Req> extends Omit<RateLimitOptions<Req>, "engine"> {
  /** The engine that counts, on Redis; its failure policy decides what a request gets when Redis cannot be reached. */
  engine: RedisEngine;
  /**
   * Answers a request refused because Redis could not be reached under the `closed` policy,
   * instead of the default `503 Service Unavailable` (the `Leasehold-Degraded` header already set).
   */
  onUnavailable?: (req: Req, res: ResponseLike, degraded: Degraded<Decision>) => void;
}

/** The middleware: Express style with `next`, or called directly, returning whether to go on. */
export type RateLimitMiddleware<Req, Res extends ResponseLike> = (req: Req, res: Res, next?: (error?: unknown) => void) => boolean;

/**
 * The middleware on Redis: as {@link RateLimitMiddleware}, its answer a promise. With `next`
 * the promise never rejects (errors go to `next`); without it, a `RedisDriverError` (the
 * `throw` policy) or a bad key rejects it.
 */
export type AsyncRateLimitMiddleware<Req, Res extends ResponseLike> = (req: Req, res: Res, next?: (error?: unknown) => void) => Promise<boolean>;

/** The header that marks an answer given without Redis: `open`, `closed` or `memory`. */
const DEGRADED_HEADER = "Leasehold-Degraded";

/** Whole seconds for a header: rounded up, so a client never retries too early. */
function seconds(ms: number): string {
  return String(Math.ceil(ms / 1000));
}

/** A decision's headers, and the 429 when it denies; whether to go on. */
function answer<Req>(req: Req, res: ResponseLike, decision: Decision, onLimited: RateLimitOptions<Req>["onLimited"]): boolean {
  res.setHeader("RateLimit-Limit", String(decision.limit));
  res.setHeader("RateLimit-Remaining", String(decision.remaining));
  res.setHeader("RateLimit-Reset", seconds(decision.resetAfter));
  if (decision.allowed) return true;
  res.setHeader("Retry-After", seconds(decision.retryAfter));
  if (onLimited) {
    onLimited(req, res, decision);
  } else {
    res.statusCode = 429;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end("Too Many Requests");
  }
  return false;
}

/**
 * The failure policy's answer, marked with `Leasehold-Degraded`: `open` goes on without any
 * `RateLimit-*` header (nothing was counted, so there is nothing true to say); `memory` answers
 * the fallback engine's decision like any other; `closed` refuses with 503, not 429: the
 * client exceeded nothing, and a 429 would make a well-behaved client back off its own key
 * for a fault of the server, and hide the outage from monitoring of 5xx answers.
 */
function degradedAnswer<Req>(req: Req, res: ResponseLike, degraded: Degraded<Decision>, options: RedisRateLimitOptions<Req>): boolean {
  res.setHeader(DEGRADED_HEADER, degraded.degraded);
  if (degraded.degraded === "open") return true;
  if (degraded.degraded === "memory" && degraded.outcome !== undefined) return answer(req, res, degraded.outcome, options.onLimited);
  if (options.onUnavailable) {
    options.onUnavailable(req, res, degraded);
  } else {
    res.statusCode = 503;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end("Service Unavailable");
  }
  return false;
}

function redisMiddleware<Req, Res extends ResponseLike>(options: RedisRateLimitOptions<Req>): AsyncRateLimitMiddleware<Req, Res> {
  const { engine, limit, key, cost } = options;
  return async (req, res, next) => {
    let go: boolean;
    try {
      const decision: MaybeDegraded<Decision> = await engine.limits.check(key(req), limit, cost === undefined ? 1 : cost(req));
      go = "degraded" in decision ? degradedAnswer(req, res, decision, options) : answer(req, res, decision, options.onLimited);
    } catch (error) {
      if (next) {
        next(error);
        return false;
      }
      throw error;
    }
    if (go) next?.();
    return go;
  };
}

/**
 * A middleware that checks each request against `limit` under `key(req)` and sets
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the key is
 * back to its initial state, rounded up). A denied request gets `Retry-After` (seconds, rounded
 * up) and a 429; an admitted one goes on to `next()`. Without `next` (plain `http`), the
 * returned boolean says whether to go on.
 *
 * ```ts
 * const limiter = rateLimit({ engine, limit: { algorithm: "gcra", burst: 10, interval: 100 }, key: (req) => req.socket.remoteAddress ?? "" });
 * http.createServer((req, res) => { if (limiter(req, res)) res.end("ok"); });
 * ```
 *
 * With a {@link RedisEngine} the middleware answers a promise of that boolean, and when Redis
 * cannot be reached the engine's failure policy answers, marked by a `Leasehold-Degraded`
 * header: `open` lets the request through (no `RateLimit-*` headers: nothing was counted),
 * `closed` answers `503 Service Unavailable` (or `onUnavailable`), `memory` answers the
 * fallback engine's decision with its headers; under `throw` the `RedisDriverError` goes to
 * `next(error)`, or rejects the promise without `next`.
 *
 * ```ts
 * const limiter = rateLimit({ engine: new RedisEngine({ client, onUnavailable: "open" }), limit, key: (req) => req.socket.remoteAddress ?? "" });
 * http.createServer(async (req, res) => { if (await limiter(req, res)) res.end("ok"); });
 * ```
 */
export function rateLimit<Req, Res extends ResponseLike = ResponseLike>(options: RateLimitOptions<Req>): RateLimitMiddleware<Req, Res>;
export function rateLimit<Req, Res extends ResponseLike = ResponseLike>(options: RedisRateLimitOptions<Req>): AsyncRateLimitMiddleware<Req, Res>;
export function rateLimit<Req, Res extends ResponseLike = ResponseLike>(
  options: RateLimitOptions<Req> | RedisRateLimitOptions<Req>,
): RateLimitMiddleware<Req, Res> | AsyncRateLimitMiddleware<Req, Res> {
  if (options === null || typeof options !== "object") throw invalidType("rateLimit", "options", "an object", options);
  const { engine, limit, key } = options;
  if (typeof key !== "function") throw invalidType("rateLimit", "key", "a function", key);
  if (engine === null || typeof engine !== "object" || typeof (engine as { limits?: unknown }).limits !== "object") {
    throw invalidType("rateLimit", "engine", "an Engine or a RedisEngine", engine);
  }
  // Refuses a bad limit now rather than on the first request (on a throwaway engine for Redis).
  const local = engine instanceof Engine ? engine : new Engine({ clock: () => 0 });
  local.limits.peek("rateLimit:probe", limit);
  if (!(engine instanceof Engine)) return redisMiddleware<Req, Res>(options as RedisRateLimitOptions<Req>);
  const { cost, onLimited } = options;
  return (req, res, next) => {
    let decision: Decision;
    try {
      decision = engine.limits.check(key(req), limit, cost === undefined ? 1 : cost(req));
    } catch (error) {
      if (next) {
        next(error);
        return false;
      }
      throw error;
    }
    const go = answer(req, res, decision, onLimited);
    if (go) next?.();
    return go;
  };
}
