/**
 * `rateLimit`: a middleware for Express and plain Node `http` that answers 429 with the
 * `RateLimit-*` and `Retry-After` headers.
 *
 * @module
 */

import { invalidType } from "./check.js";
import type { Engine } from "./engine.js";
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

/** The middleware: Express style with `next`, or called directly, returning whether to go on. */
export type RateLimitMiddleware<Req, Res extends ResponseLike> = (req: Req, res: Res, next?: (error?: unknown) => void) => boolean;

/** Whole seconds for a header: rounded up, so a client never retries too early. */
function seconds(ms: number): string {
  return String(Math.ceil(ms / 1000));
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
 */
export function rateLimit<Req, Res extends ResponseLike = ResponseLike>(options: RateLimitOptions<Req>): RateLimitMiddleware<Req, Res> {
  if (options === null || typeof options !== "object") throw invalidType("rateLimit", "options", "an object", options);
  const { engine, limit, key, cost, onLimited } = options;
  if (typeof key !== "function") throw invalidType("rateLimit", "key", "a function", key);
  engine.limits.peek("rateLimit:probe", limit); // refuses a bad limit now rather than on the first request
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
    res.setHeader("RateLimit-Limit", String(decision.limit));
    res.setHeader("RateLimit-Remaining", String(decision.remaining));
    res.setHeader("RateLimit-Reset", seconds(decision.resetAfter));
    if (decision.allowed) {
      next?.();
      return true;
    }
    res.setHeader("Retry-After", seconds(decision.retryAfter));
    if (onLimited) {
      onLimited(req, res, decision);
    } else {
      res.statusCode = 429;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end("Too Many Requests");
    }
    return false;
  };
}
