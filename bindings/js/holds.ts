/**
 * Holds: named items reserved per namespace, all-or-nothing, with the expiry in the data.
 *
 * @module
 */

import { int, items as itemList, invalidType, str, MAX_KEY_BYTES, MAX_OWNER_BYTES } from "./check.js";
import type { Core } from "./engine.js";
import type { Cursor, Extend, LeaseState, Page, PerItem, Release, Reserve, Swept } from "./types.js";
import { packStrings } from "./raw.js";

/**
 * Every hold namespace of an engine.
 *
 * Every writing call (reserve, release, extend, forceRelease, sweep) first reclaims up to 8
 * dead holds of its namespace, each reported as an `expired` event; events come back in the
 * order they happened. Reading calls (check, list) never write.
 */
export class Holds {
  readonly #core: Core;

  /** @internal */
  constructor(core: Core) {
    this.#core = core;
  }

  /**
   * Reserves every item of `items` in `namespace` for `owner` until `now + ttl`, or none.
   *
   * - an item held live by another owner is a conflict: every such item is listed with its
   *   holder's remaining TTL, and no item is reserved;
   * - otherwise, with `maxHolds` given, when the namespace's live holds plus the new ones would
   *   pass it: `capReached`, and no item is reserved;
   * - otherwise items the caller already holds are refreshed (fence kept) and the others are
   *   newly held under one new fence.
   *
   * Throws, in this order: namespace, items (empty, more than 1000, an empty or oversized item,
   * a repeat), owner, ttl, maxHolds (1 to 2^32 − 1), now, `now + ttl` overflow, more items than
   * `maxHolds` (`too_many`), fences exhausted.
   */
  reserve(namespace: string, items: readonly string[], owner: string, ttl: number, maxHolds?: number | null, now?: number): Reserve {
    const operation = "holds.reserve";
    str(operation, "namespace", namespace, MAX_KEY_BYTES);
    itemList(operation, items);
    str(operation, "owner", owner, MAX_OWNER_BYTES);
    int(operation, "ttl", ttl);
    const hasMax = maxHolds !== undefined && maxHolds !== null;
    const max = hasMax ? int(operation, "maxHolds", maxHolds) : 0;
    const at = this.#core.now(operation, now);
    const [text, lengths] = packStrings(items);
    return this.#core.answer(operation, this.#core.raw.hold_reserve(namespace, text, lengths, owner, ttl, hasMax, max, at));
  }

  /**
   * Ends `owner`'s live holds on `items`, each independently: `released`, `notHolder` or
   * `expired` (a dead hold is reclaimed with an `expired` event). Throws: namespace, items,
   * owner, now.
   */
  release(namespace: string, items: readonly string[], owner: string, now?: number): PerItem<Release> {
    const operation = "holds.release";
    str(operation, "namespace", namespace, MAX_KEY_BYTES);
    itemList(operation, items);
    str(operation, "owner", owner, MAX_OWNER_BYTES);
    const at = this.#core.now(operation, now);
    const [text, lengths] = packStrings(items);
    return this.#core.answer(operation, this.#core.raw.hold_release(namespace, text, lengths, owner, at));
  }

  /**
   * Moves the expiry of `owner`'s live holds on `items` to `now + ttl`, each independently.
   * Throws: namespace, items, owner, ttl, now, `now + ttl` overflow.
   */
  extend(namespace: string, items: readonly string[], owner: string, ttl: number, now?: number): PerItem<Extend> {
    const operation = "holds.extend";
    str(operation, "namespace", namespace, MAX_KEY_BYTES);
    itemList(operation, items);
    str(operation, "owner", owner, MAX_OWNER_BYTES);
    int(operation, "ttl", ttl);
    const at = this.#core.now(operation, now);
    const [text, lengths] = packStrings(items);
    return this.#core.answer(operation, this.#core.raw.hold_extend(namespace, text, lengths, owner, ttl, at));
  }

  /**
   * Ends the live holds on `items` whoever holds them: the operator's way out of a stuck
   * reservation. Per item `released` or `expired`. Throws: namespace, items, now.
   */
  forceRelease(namespace: string, items: readonly string[], now?: number): PerItem<Release> {
    const operation = "holds.forceRelease";
    str(operation, "namespace", namespace, MAX_KEY_BYTES);
    itemList(operation, items);
    const at = this.#core.now(operation, now);
    const [text, lengths] = packStrings(items);
    return this.#core.answer(operation, this.#core.raw.hold_force_release(namespace, text, lengths, at));
  }

  /** Per item, held (with fence and expiry) or free. Never writes. Throws: namespace, items, now. */
  check(namespace: string, items: readonly string[], now?: number): { items: LeaseState[] } {
    const operation = "holds.check";
    str(operation, "namespace", namespace, MAX_KEY_BYTES);
    itemList(operation, items);
    const at = this.#core.now(operation, now);
    const [text, lengths] = packStrings(items);
    return this.#core.answer(operation, this.#core.raw.hold_check(namespace, text, lengths, at));
  }

  /**
   * Up to `limit` live holds in expiry order (ties by item bytes), starting after `cursor`;
   * `next` resumes the listing when more follow. Never writes. Throws: namespace, cursor,
   * limit (1 to 10 000), now.
   */
  list(namespace: string, limit: number, cursor?: Cursor | null, now?: number): Page {
    const operation = "holds.list";
    str(operation, "namespace", namespace, MAX_KEY_BYTES);
    const hasCursor = cursor !== undefined && cursor !== null;
    let expiresAt = 0;
    let item = "";
    if (hasCursor) {
      if (typeof cursor !== "object") throw invalidType(operation, "cursor", "a cursor object or null", cursor);
      expiresAt = int(operation, "expiresAt", cursor.expiresAt);
      item = str(operation, "cursor", cursor.item, MAX_OWNER_BYTES);
    }
    int(operation, "limit", limit);
    const at = this.#core.now(operation, now);
    return this.#core.answer(operation, this.#core.raw.hold_list(namespace, hasCursor, expiresAt, item, limit, at));
  }

  /**
   * Reclaims up to `max` dead holds of `namespace`, earliest expiry first, each with an
   * `expired` event; `more` tells whether dead holds remain. Throws: namespace, max (1 to
   * 10 000, reported as `limit`), now.
   */
  sweep(namespace: string, max: number, now?: number): Swept {
    const operation = "holds.sweep";
    str(operation, "namespace", namespace, MAX_KEY_BYTES);
    int(operation, "max", max);
    const at = this.#core.now(operation, now);
    return this.#core.answer(operation, this.#core.raw.hold_sweep(namespace, max, at));
  }
}
