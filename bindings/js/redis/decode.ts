/**
 * Script replies back into the core's wire form (`{"ok": outcome}` / `{"err": error}`, the
 * shape of a vector's `expect`), exactly as the Rust adapter decodes them
 * (`crates/redis/src/decode.rs`).
 *
 * A reply is a flat array: a tag naming the outcome, then its fields in declaration order;
 * lists (per-item results, events, conflicts, listed holds) are nested flat arrays. An error
 * reply `LEASEHOLD <code> [<field>] [<number> ...]` is a core error.
 *
 * @module
 */

import type { Acquire, Decision, Extend, Json, LeaseState, Release, SemaphoreState } from "../types.js";

/** A reply that does not have the shape the scripts promise. */
export class Undecodable extends Error {}

/** A whole number of a reply. */
function whole(value: unknown): number {
  // Integers come as digits from clients told to keep them exact (see `client.ts`).
  if (typeof value === "string") value = digitsValue(value);
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 2 ** 53) return value;
  throw new Undecodable(`expected a whole number, got ${String(value)}`);
}

/**
 * The number that 1 to 16 decimal digits write (any more are beyond 2^53), or `text` itself
 * when it is anything else. A loop over the character codes: no regular expression to run, and
 * no number written back to text to compare.
 */
function digitsValue(text: string): number | string {
  const length = text.length;
  if (length === 0 || length > 16) return text;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return text;
  }
  return Number(text);
}

/** The text of a reply. */
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  throw new Undecodable(`expected a string, got ${typeof value}`);
}

/** Reads a reply array front to back. */
class Reader {
  #at = 0;
  constructor(readonly values: readonly unknown[]) {}

  static of(value: unknown): Reader {
    if (!Array.isArray(value)) throw new Undecodable(`expected an array, got ${typeof value}`);
    return new Reader(value);
  }

  next(): unknown {
    if (this.#at >= this.values.length) throw new Undecodable("reply ended early");
    return this.values[this.#at++];
  }

  text(): string {
    return text(this.next());
  }

  int(): number {
    return whole(this.next());
  }

  flag(): boolean {
    return this.int() !== 0;
  }

  list(): Reader {
    return Reader.of(this.next());
  }

  done(): boolean {
    return this.#at >= this.values.length;
  }

  all(read: (r: Reader) => Json): Json[] {
    const out: Json[] = [];
    while (!this.done()) out.push(read(this));
    return out;
  }
}

function acquire(tag: string, r: Reader): Json | undefined {
  if (tag === "granted") return { granted: { fence: r.int(), expires_at: r.int(), reacquired: r.flag() } };
  if (tag === "denied") return { denied: { retry_after: r.int() } };
  return undefined;
}

function release(tag: string, r: Reader): Json | undefined {
  if (tag === "released") return { released: { fence: r.int() } };
  return tag === "not_holder" || tag === "expired" ? tag : undefined;
}

function extend(tag: string, r: Reader): Json | undefined {
  if (tag === "extended") return { extended: { fence: r.int(), expires_at: r.int() } };
  return tag === "not_holder" || tag === "expired" ? tag : undefined;
}

function inspect(tag: string, r: Reader, lock: boolean): Json | undefined {
  if (tag === "free") return "free";
  if (tag !== "held") return undefined;
  return lock
    ? { held: { fence: r.int(), expires_at: r.int() } }
    : { held: { holders: r.int(), next_expiry: r.int() } };
}

function decision(r: Reader): Json {
  return { allowed: r.flag(), limit: r.int(), remaining: r.int(), reset_after: r.int(), retry_after: r.int() };
}

const EVENT_KINDS = new Set(["reserved", "extended", "released", "expired"]);

function events(r: Reader): Json[] {
  return r.list().all((e) => {
    const kind = e.text();
    if (!EVENT_KINDS.has(kind)) throw new Undecodable(`unknown hold event ${kind}`);
    return { kind, item: e.text(), fence: e.int(), expires_at: e.int() };
  });
}

function perItem(r: Reader, read: (tag: string, r: Reader) => Json | undefined): Json {
  const items = r.list().all((item) => {
    const tag = item.text();
    const decoded = read(tag, item);
    if (decoded === undefined) throw new Undecodable(`bad per-item result ${tag}`);
    return decoded;
  });
  return { items, events: events(r) };
}

function hold(op: string, tag: string, r: Reader): Json | undefined {
  switch (`${op} ${tag}`) {
    case "reserve reserved":
      return {
        reserved: {
          expires_at: r.int(),
          holds: r.list().all((h) => ({ fence: h.int(), refreshed: h.flag() })),
          events: events(r),
        },
      };
    case "reserve conflict":
      return { conflict: { conflicts: r.list().all((c) => ({ item: c.text(), retry_after: c.int() })), events: events(r) } };
    case "reserve cap_reached":
      return { cap_reached: { live: r.int(), max_holds: r.int(), retry_after: r.int(), events: events(r) } };
    case "release items":
    case "force_release items":
      return perItem(r, release);
    case "extend items":
      return perItem(r, extend);
    case "check checked":
      return { items: r.list().all((i) => (i.text() === "held" ? { held: { fence: i.int(), expires_at: i.int() } } : "free")) };
    case "list page": {
      const holds = r.list().all((h) => ({ item: h.text(), fence: h.int(), expires_at: h.int() }));
      const next = r.flag() ? { expires_at: r.int(), item: r.text() } : null;
      return { holds, next };
    }
    case "sweep swept":
      return { removed: r.int(), more: r.flag(), events: events(r) };
    default:
      return undefined;
  }
}

function limit(op: string, tag: string, r: Reader): Json | undefined {
  if ((op === "check" || op === "peek") && tag === "decision") return decision(r);
  if (op === "reset" && (tag === "forgotten" || tag === "absent")) return tag;
  return undefined;
}

/** The outcome (wire form) of `reply` to a request of `primitive` and `op`. */
export function outcome(primitive: string, op: string, reply: unknown): Json {
  const r = Reader.of(reply);
  const tag = r.text();
  let decoded: Json | undefined;
  switch (primitive) {
    case "lock":
    case "semaphore":
      decoded = op === "acquire" ? acquire(tag, r)
        : op === "release" ? release(tag, r)
          : op === "extend" ? extend(tag, r)
            : inspect(tag, r, primitive === "lock");
      break;
    case "limit":
      decoded = limit(op, tag, r);
      break;
    default:
      decoded = hold(op, tag, r);
  }
  if (decoded === undefined) throw new Undecodable(`tag ${tag} is no outcome of ${primitive}.${op}`);
  return decoded;
}

/*
 * The typed API's readers: a reply straight into its camelCase outcome, without the wire form
 * in between, each the composition of `outcome` and the wire-to-camelCase conversion of
 * `../wire.ts` for its operation (the vectors through the typed API check that they agree).
 * They index the reply array instead of walking it with a Reader: nothing is allocated but the
 * outcome.
 */

/** `reply` as an array of exactly `length` values after its tag (`length` < 0: any). */
function values(reply: unknown, op: string, length: number): readonly unknown[] {
  if (!Array.isArray(reply)) throw new Undecodable(`expected an array, got ${typeof reply}`);
  if (reply.length < 1 + length) throw new Undecodable(`reply to ${op} ended early`);
  return reply;
}

function unknownTag(tag: string, op: string): Undecodable {
  return new Undecodable(`tag ${tag} is no outcome of ${op}`);
}

/** A limit check's or peek's reply straight into the typed API's {@link Decision}. */
export function typedDecision(reply: unknown): Decision {
  const r = values(reply, "a limit check", 0);
  const tag = text(r[0]);
  if (tag !== "decision") throw unknownTag(tag, "a limit check");
  values(r, "a limit check", 5);
  return { allowed: whole(r[1]) !== 0, limit: whole(r[2]), remaining: whole(r[3]), resetAfter: whole(r[4]), retryAfter: whole(r[5]) };
}

/** A lock's or semaphore's acquire. */
export function typedAcquire(reply: unknown): Acquire {
  const r = values(reply, "acquire", 0);
  const tag = text(r[0]);
  if (tag === "granted") {
    values(r, "acquire", 3);
    return { kind: "granted", fence: whole(r[1]), expiresAt: whole(r[2]), reacquired: whole(r[3]) !== 0 };
  }
  if (tag === "denied") return { kind: "denied", retryAfter: whole(values(r, "acquire", 1)[1]) };
  throw unknownTag(tag, "acquire");
}

/** A lock's or semaphore's release. */
export function typedRelease(reply: unknown): Release {
  const r = values(reply, "release", 0);
  const tag = text(r[0]);
  if (tag === "released") return { kind: "released", fence: whole(values(r, "release", 1)[1]) };
  if (tag === "not_holder") return { kind: "notHolder" };
  if (tag === "expired") return { kind: "expired" };
  throw unknownTag(tag, "release");
}

/** A lock's or semaphore's extend. */
export function typedExtend(reply: unknown): Extend {
  const r = values(reply, "extend", 0);
  const tag = text(r[0]);
  if (tag === "extended") {
    values(r, "extend", 2);
    return { kind: "extended", fence: whole(r[1]), expiresAt: whole(r[2]) };
  }
  if (tag === "not_holder") return { kind: "notHolder" };
  if (tag === "expired") return { kind: "expired" };
  throw unknownTag(tag, "extend");
}

/** A lock's inspect. */
export function typedLockState(reply: unknown): LeaseState {
  const r = values(reply, "inspect", 0);
  const tag = text(r[0]);
  if (tag === "held") {
    values(r, "inspect", 2);
    return { kind: "held", fence: whole(r[1]), expiresAt: whole(r[2]) };
  }
  if (tag === "free") return { kind: "free" };
  throw unknownTag(tag, "inspect");
}

/** A semaphore's inspect. */
export function typedSemaphoreState(reply: unknown): SemaphoreState {
  const r = values(reply, "inspect", 0);
  const tag = text(r[0]);
  if (tag === "held") {
    values(r, "inspect", 2);
    return { kind: "held", holders: whole(r[1]), nextExpiry: whole(r[2]) };
  }
  if (tag === "free") return { kind: "free" };
  throw unknownTag(tag, "inspect");
}

/** The numbers each core error code carries, after its field, in declaration order. */
const NUMBERS: Readonly<Record<string, readonly string[]>> = {
  empty: [],
  overflow: [],
  too_long: ["len", "max"],
  out_of_range: ["value", "min", "max"],
  too_many: ["count", "max"],
  duplicate: ["index"],
};

/**
 * The core error (wire form) that the error reply `message` stands for; `undefined` when the
 * message is not a `LEASEHOLD` error of the core (a protocol complaint or another error).
 */
export function error(message: string): { code: string; [field: string]: Json } | undefined {
  const words = message.split(" ");
  if (words[0] !== "LEASEHOLD") return undefined;
  const code = words[1];
  if (code === "fence_exhausted") return { code };
  const numbers = NUMBERS[code];
  if (numbers === undefined || words.length < 3 + numbers.length) return undefined;
  const wire: { code: string; [field: string]: Json } = { code, field: words[2] };
  for (let i = 0; i < numbers.length; i++) {
    const value = Number(words[3 + i]);
    if (!Number.isSafeInteger(value) || value < 0) return undefined;
    wire[numbers[i]] = value;
  }
  return wire;
}
