/**
 * The shapes of every outcome, in camelCase. Choices are discriminated unions on `kind`; a
 * denial is one of them, never an error. Every number is an integer below 2^53; times are
 * milliseconds on the engine's clock, durations are milliseconds.
 *
 * @module
 */

/** The outcome of an acquire (locks and semaphores). */
export type Acquire =
  | {
      /** The caller holds it until `expiresAt`. */
      kind: "granted";
      /** The fencing token of this lease: larger than every fence issued before for the key. */
      fence: number;
      /** When the lease ends unless extended: `now + ttl`. */
      expiresAt: number;
      /** The caller already held it: the fence is unchanged and only the expiry moved. */
      reacquired: boolean;
    }
  | {
      /** Someone else holds it; nothing changed. */
      kind: "denied";
      /** How long until a retry can succeed if no holder extends or releases. */
      retryAfter: number;
    };

/** The outcome of a release. */
export type Release =
  | {
      /** The caller's live lease was ended. */
      kind: "released";
      /** The fence of the lease that ended. */
      fence: number;
    }
  /** A live lease exists, but not the caller's: nothing changed. */
  | { kind: "notHolder" }
  /** There is no live lease (the caller's expired, or there never was one): nothing changed. */
  | { kind: "expired" };

/** The outcome of an extend. */
export type Extend =
  | {
      /** The caller's live lease now ends at `expiresAt = now + ttl`; the fence is unchanged. */
      kind: "extended";
      /** The lease's fence. */
      fence: number;
      /** The new expiry. */
      expiresAt: number;
    }
  /** A live lease exists, but not the caller's: nothing changed. */
  | { kind: "notHolder" }
  /** There is no live lease: the caller's ran out before it could be extended. */
  | { kind: "expired" };

/** What an inspection of a lock or a held item reveals: never the owner. */
export type LeaseState =
  | {
      /** A live lease exists. */
      kind: "held";
      /** Its fence. */
      fence: number;
      /** When it ends unless extended. */
      expiresAt: number;
    }
  /** No live lease. */
  | { kind: "free" };

/** What an inspection of a semaphore reveals: never an owner. */
export type SemaphoreState =
  | {
      /** At least one holder is live. */
      kind: "held";
      /** How many holders are live. */
      holders: number;
      /** The earliest expiry among them. */
      nextExpiry: number;
    }
  /** No holder is live. */
  | { kind: "free" };

/** One change to a hold namespace. */
export interface HoldEvent {
  /** What happened. */
  kind: "reserved" | "extended" | "released" | "expired";
  /** The item. */
  item: string;
  /** The hold's fence. */
  fence: number;
  /** The new expiry for `reserved` and `extended`, the one it had for `released` and `expired`. */
  expiresAt: number;
}

/** The outcome of a reserve. */
export type Reserve =
  | {
      /** Every item is now held by the caller until `expiresAt`. */
      kind: "reserved";
      /** `now + ttl`, for every item. */
      expiresAt: number;
      /** Per item, in request order: its fence, and whether the caller already held it. */
      holds: { fence: number; refreshed: boolean }[];
      /** What changed. */
      events: HoldEvent[];
    }
  | {
      /** Some items are held live by other owners; no item was reserved. */
      kind: "conflict";
      /** Every conflicting item, in request order, with its holder's remaining TTL. */
      conflicts: { item: string; retryAfter: number }[];
      /** What the lazy sweep reclaimed. */
      events: HoldEvent[];
    }
  | {
      /** The namespace's cap would be passed; no item was reserved. */
      kind: "capReached";
      /** Live holds in the namespace. */
      live: number;
      /** The cap given. */
      maxHolds: number;
      /** Until enough of today's live holds expire for the request to fit (a lower bound). */
      retryAfter: number;
      /** What the lazy sweep reclaimed. */
      events: HoldEvent[];
    };

/** The outcome of a hold release, force release or extend: one result per item. */
export interface PerItem<R> {
  /** Per item, in request order. */
  items: R[];
  /** What changed. */
  events: HoldEvent[];
}

/** Where a hold listing resumes. */
export interface Cursor {
  /** The last listed hold's expiry. */
  expiresAt: number;
  /** The last listed hold's item. */
  item: string;
}

/** One page of live holds, in expiry order (ties by item bytes). */
export interface Page {
  /** The live holds. */
  holds: { item: string; fence: number; expiresAt: number }[];
  /** Where the next page starts, when more live holds follow. */
  next: Cursor | null;
}

/** The outcome of a hold sweep. */
export interface Swept {
  /** Dead holds reclaimed. */
  removed: number;
  /** Whether dead holds remain. */
  more: boolean;
  /** One `expired` event per reclaimed hold. */
  events: HoldEvent[];
}

/** A rate limit's block policy: `violations` denials within `within` ms block for `blockFor` ms. */
export interface BlockPolicy {
  /** The number of denials that triggers a block. */
  violations: number;
  /** The time within which denials are counted towards a block. */
  within: number;
  /** How long a block lasts. */
  blockFor: number;
}

/** A rate limit as given to a check: an algorithm, its parameters and an optional block policy. */
export type LimitSpec = (
  | {
      /** `quota` per `window` from the first check. */
      algorithm: "fixedWindow";
      quota: number;
      window: number;
    }
  | {
      /** Exactly `quota` in any `window` ms. */
      algorithm: "slidingLog";
      quota: number;
      window: number;
    }
  | {
      /** About `quota` per sliding `window`. */
      algorithm: "slidingCounter";
      quota: number;
      window: number;
    }
  | {
      /** `capacity` at once, `refill` more per whole `interval`. */
      algorithm: "tokenBucket";
      capacity: number;
      refill: number;
      interval: number;
    }
  | {
      /** `burst` at once, then one per `interval`. */
      algorithm: "gcra";
      burst: number;
      interval: number;
    }
  | {
      /** One per `interval`. */
      algorithm: "cooldown";
      interval: number;
    }
) & {
  /** Blocks repeat offenders, when given. */
  block?: BlockPolicy;
};

/** The name of a rate-limit algorithm: a keyspace of its own. */
export type AlgorithmName = LimitSpec["algorithm"];

/** What a rate-limit check or peek decided. */
export interface Decision {
  /** Whether the check was admitted (and, for a check, counted). */
  allowed: boolean;
  /** The largest cost a check may carry: the quota, capacity or burst (1 for a cooldown). */
  limit: number;
  /** The largest cost a check at the same `now` would be admitted with; 0 while blocked. */
  remaining: number;
  /** How long until the key is back to its initial state if nothing more is admitted. */
  resetAfter: number;
  /** 0 when allowed; otherwise how long until the same check would first be admitted. */
  retryAfter: number;
}

/** The outcome of a rate-limit reset. */
export type Reset =
  /** The key had live state under the algorithm; it is gone. */
  | { kind: "forgotten" }
  /** The key was already in its initial state. */
  | { kind: "absent" };

/** What one round of active expiry did. */
export interface Expired {
  /** Lock keys forgotten. */
  locks: number;
  /** Semaphore keys forgotten. */
  semaphores: number;
  /** Rate-limit keys forgotten, over all algorithms. */
  limits: number;
  /** Dead holds reclaimed, each with its `expired` event and namespace. */
  holdEvents: (HoldEvent & { namespace: string })[];
}

/** A JSON value, as the wire form carries it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * A request in the core's serialized form, as vectors and traces carry it:
 * `{"lock": {"acquire": {"key": "k", "owner": "a", "ttl": 1000}}}`.
 */
export type WireRequest = { [primitive: string]: Json };

/** The result of {@link Engine.apply}: the shape of a vector's `expect`. */
export type WireResult = { ok: Json } | { err: { code: string; [field: string]: Json } };
