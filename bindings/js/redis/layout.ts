/**
 * Key layout: the Redis key names every operation touches, identical to the Rust adapter's
 * (`crates/redis/src/layout.rs`), so operators see the same keys whichever client wrote them.
 *
 * `<prefix>:<primitive>:{<key>}[:<part>]`; the braces are the Redis Cluster hash tag, so every
 * key of one operation lives in one slot. In the tag, `%`, `{` and `}` of the user's key are
 * written `%25`, `%7B` and `%7D`; an empty key (which every operation refuses) is `%`.
 *
 * | primitive | keys |
 * |---|---|
 * | lock | `<prefix>:lock:{<key>}` |
 * | semaphore | `<prefix>:semaphore:{<key>}` |
 * | rate limit | `<prefix>:limit:<algorithm>:{<key>}`, and `...:log` for the sliding log |
 * | hold | `<prefix>:hold:{<namespace>}:holds`, `:expiry`, `:fence`, `:events` |
 *
 * @module
 */

/** The default key prefix. */
export const DEFAULT_PREFIX = "leasehold";

/** Whether `prefix` is usable: non-empty and free of braces (they would move the hash tag). */
export function isValidPrefix(prefix: unknown): prefix is string {
  return typeof prefix === "string" && prefix.length > 0 && !/[{}]/.test(prefix);
}

function escape(key: string): string {
  if (key.length === 0) return "%";
  if (!/[%{}]/.test(key)) return key;
  return key.replace(/[%{}]/g, (c) => (c === "%" ? "%25" : c === "{" ? "%7B" : "%7D"));
}

/** Names the Redis keys of each primitive under one prefix. */
export class Layout {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {}

  #tagged(kind: string, key: string): string {
    return `${this.prefix}:${kind}:{${escape(key)}}`;
  }

  /** The hash of lock `key`. */
  lock(key: string): string {
    return this.#tagged("lock", key);
  }

  /** The hash of semaphore `key`. */
  semaphore(key: string): string {
    return this.#tagged("semaphore", key);
  }

  /** The hash of rate-limited `key` under `algorithm` (snake_case, as the wire form names it). */
  limit(algorithm: string, key: string): string {
    return this.#tagged(`limit:${algorithm}`, key);
  }

  /** The list of marks of a sliding log on `key`. */
  limitLog(key: string): string {
    return `${this.#tagged("limit:sliding_log", key)}:log`;
  }

  /** The holds, expiry index and last fence of hold namespace `namespace`. */
  hold(namespace: string): [string, string, string] {
    const base = this.#tagged("hold", namespace);
    return [`${base}:holds`, `${base}:expiry`, `${base}:fence`];
  }

  /** The event stream of hold namespace `namespace`. */
  holdEvents(namespace: string): string {
    return `${this.#tagged("hold", namespace)}:events`;
  }
}
