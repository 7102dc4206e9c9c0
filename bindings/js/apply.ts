/**
 * `Engine.apply`: a request in the core's serialized form, read here with the strictness of
 * the core's serde derive (one primitive, one operation, every required field, no unknown
 * field, integers as `u64`), then run by the matching raw method. The answer is the core's
 * own serialization, so it matches the vectors JSON for JSON.
 *
 * @module
 */

import { COPY_GUARD, utf8Length } from "./check.js";
import type { Core } from "./engine.js";
import { packStrings } from "./raw.js";
import type { Json, WireRequest, WireResult } from "./types.js";

/** Thrown inside the reader; becomes `{err: {code: "invalid_request", message}}`. */
class Malformed {
  constructor(readonly message: string) {}
}

/** A too-long string found before the copy; becomes the core's own `too_long`. */
class TooLong {
  constructor(readonly field: string, readonly len: number, readonly max: number) {}
}

type Fields = { [key: string]: Json };

function object(value: unknown, what: string): Fields {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Malformed(`${what} must be an object`);
  return value as Fields;
}

/** The only key of `value` and what it holds: an externally tagged enum. */
function tagged(value: unknown, what: string): [string, unknown] {
  const fields = object(value, what);
  const keys = Object.keys(fields);
  if (keys.length !== 1) throw new Malformed(`${what} must have exactly one key, not ${keys.length}`);
  return [keys[0], fields[keys[0]]];
}

/** The fields of a struct variant: `required` all present, nothing but `required` and `optional`. */
function args(value: unknown, what: string, required: string[], optional: string[] = []): Fields {
  const fields = object(value, what);
  for (const key of Object.keys(fields)) {
    if (!required.includes(key) && !optional.includes(key)) throw new Malformed(`unknown field \`${key}\` in ${what}`);
  }
  for (const key of required) if (!(key in fields)) throw new Malformed(`missing field \`${key}\` in ${what}`);
  return fields;
}

function u64(fields: Fields, key: string): number {
  const value = fields[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new Malformed(`\`${key}\` must be a non-negative integer`);
  }
  return value;
}

const MAX = { key: 512, namespace: 512, owner: 256, item: 256 } as const;

function string(fields: Fields, key: string, bound: keyof typeof MAX = key as keyof typeof MAX): string {
  const value = fields[key];
  if (typeof value !== "string") throw new Malformed(`\`${key}\` must be a string`);
  if (value.length > COPY_GUARD) throw new TooLong(bound, utf8Length(value), MAX[bound]);
  return value;
}

function strings(fields: Fields, key: string): string[] {
  const value = fields[key];
  if (!Array.isArray(value)) throw new Malformed(`\`${key}\` must be an array of strings`);
  for (const item of value) if (typeof item !== "string") throw new Malformed(`\`${key}\` must be an array of strings`);
  return value as string[];
}

const ALGORITHMS = ["fixed_window", "sliding_log", "sliding_counter", "token_bucket", "gcra", "cooldown"];
const PARAMETERS = [["quota", "window"], ["quota", "window"], ["quota", "window"], ["capacity", "refill", "interval"], ["burst", "interval"], ["interval"]];

function algorithmCode(name: string): number {
  const code = ALGORITHMS.indexOf(name);
  if (code < 0) throw new Malformed(`unknown algorithm \`${name}\``);
  return code;
}

function limitCall(core: Core, op: string, value: unknown, now: number): Json {
  if (op === "reset") {
    const fields = args(value, "limit.reset", ["key", "algorithm"]);
    const key = string(fields, "key");
    const algorithm = fields.algorithm;
    if (typeof algorithm !== "string") throw new Malformed("`algorithm` must be a string");
    const status = core.raw.limit_reset(key, algorithmCode(algorithm), now);
    if (status === 0) return failed(core);
    return { ok: status === 1 ? "forgotten" : "absent" };
  }
  if (op !== "check" && op !== "peek") throw new Malformed(`unknown limit operation \`${op}\``);
  const fields = args(value, `limit.${op}`, ["key", "algorithm", "cost"], ["block"]);
  const key = string(fields, "key");
  const [name, params] = tagged(fields.algorithm, "algorithm");
  const code = algorithmCode(name);
  const p = args(params, name, PARAMETERS[code]);
  const [a, b, c] = PARAMETERS[code].map((field) => u64(p, field));
  let block = false;
  let violations = 0;
  let within = 0;
  let blockFor = 0;
  if (fields.block !== undefined && fields.block !== null) {
    const policy = args(fields.block, "block", ["violations", "within", "block_for"]);
    block = true;
    violations = u64(policy, "violations");
    within = u64(policy, "within");
    blockFor = u64(policy, "block_for");
  }
  const cost = u64(fields, "cost");
  const status = (op === "check" ? core.raw.limit_check : core.raw.limit_peek).call(
    core.raw, key, code, a, b ?? 0, c ?? 0, block, violations, within, blockFor, cost, now);
  if (status === 0) return failed(core);
  const out = core.out();
  return { ok: { allowed: status === 1, limit: out[0], remaining: out[1], reset_after: out[2], retry_after: out[3] } };
}

function failed(core: Core): Json {
  return { err: JSON.parse(core.raw.take_error()) as Json };
}

function leaseCall(core: Core, primitive: "lock" | "semaphore", op: string, value: unknown, now: number): string {
  const what = `${primitive}.${op}`;
  const raw = core.raw;
  switch (op) {
    case "acquire": {
      const names = primitive === "lock" ? ["key", "owner", "ttl"] : ["key", "owner", "capacity", "ttl"];
      const f = args(value, what, names);
      return primitive === "lock"
        ? raw.lock_acquire(string(f, "key"), string(f, "owner"), u64(f, "ttl"), now)
        : raw.semaphore_acquire(string(f, "key"), string(f, "owner"), u64(f, "capacity"), u64(f, "ttl"), now);
    }
    case "release": {
      const f = args(value, what, ["key", "owner"]);
      return (primitive === "lock" ? raw.lock_release : raw.semaphore_release).call(raw, string(f, "key"), string(f, "owner"), now);
    }
    case "extend": {
      const f = args(value, what, ["key", "owner", "ttl"]);
      return (primitive === "lock" ? raw.lock_extend : raw.semaphore_extend).call(raw, string(f, "key"), string(f, "owner"), u64(f, "ttl"), now);
    }
    case "inspect": {
      const f = args(value, what, ["key"]);
      return (primitive === "lock" ? raw.lock_inspect : raw.semaphore_inspect).call(raw, string(f, "key"), now);
    }
    default:
      throw new Malformed(`unknown ${primitive} operation \`${op}\``);
  }
}

function holdCall(core: Core, op: string, value: unknown, now: number): string {
  const what = `hold.${op}`;
  const raw = core.raw;
  const items = (f: Fields): [string, Uint32Array] => {
    const list = strings(f, "items");
    for (const item of list) if (item.length > COPY_GUARD) throw new TooLong("item", utf8Length(item), MAX.item);
    return packStrings(list);
  };
  switch (op) {
    case "reserve": {
      const f = args(value, what, ["namespace", "items", "owner", "ttl"], ["max_holds"]);
      const hasMax = f.max_holds !== undefined && f.max_holds !== null;
      const ns = string(f, "namespace");
      const [text, lengths] = items(f);
      return raw.hold_reserve(ns, text, lengths, string(f, "owner"), u64(f, "ttl"), hasMax, hasMax ? u64(f, "max_holds") : 0, now);
    }
    case "release": {
      const f = args(value, what, ["namespace", "items", "owner"]);
      const ns = string(f, "namespace");
      const [text, lengths] = items(f);
      return raw.hold_release(ns, text, lengths, string(f, "owner"), now);
    }
    case "extend": {
      const f = args(value, what, ["namespace", "items", "owner", "ttl"]);
      const ns = string(f, "namespace");
      const [text, lengths] = items(f);
      return raw.hold_extend(ns, text, lengths, string(f, "owner"), u64(f, "ttl"), now);
    }
    case "force_release":
    case "check": {
      const f = args(value, what, ["namespace", "items"]);
      const ns = string(f, "namespace");
      const [text, lengths] = items(f);
      return (op === "check" ? raw.hold_check : raw.hold_force_release).call(raw, ns, text, lengths, now);
    }
    case "list": {
      const f = args(value, what, ["namespace", "limit"], ["cursor"]);
      const ns = string(f, "namespace");
      const hasCursor = f.cursor !== undefined && f.cursor !== null;
      const cursor = hasCursor ? args(f.cursor, "cursor", ["expires_at", "item"]) : { expires_at: 0, item: "" };
      return raw.hold_list(ns, hasCursor, u64(cursor, "expires_at"), string(cursor, "item"), u64(f, "limit"), now);
    }
    case "sweep": {
      const f = args(value, what, ["namespace", "max"]);
      return raw.hold_sweep(string(f, "namespace"), u64(f, "max"), now);
    }
    default:
      throw new Malformed(`unknown hold operation \`${op}\``);
  }
}

/** Runs `request` (the core's serialized form) at `now`; `{ok}` or `{err}` in that same form. */
export function applyWire(core: Core, request: WireRequest, now: unknown): WireResult {
  try {
    if (typeof now !== "number") throw new Malformed("`now` must be a number");
    const [primitive, body] = tagged(request, "a request");
    const [op, value] = tagged(body, primitive);
    switch (primitive) {
      case "limit":
        return limitCall(core, op, value, now) as WireResult;
      case "lock":
      case "semaphore":
        return JSON.parse(leaseCall(core, primitive, op, value, now)) as WireResult;
      case "hold":
        return JSON.parse(holdCall(core, op, value, now)) as WireResult;
      default:
        throw new Malformed(`unknown primitive \`${primitive}\``);
    }
  } catch (error) {
    if (error instanceof TooLong) return { err: { code: "too_long", field: error.field, len: error.len, max: error.max } };
    if (error instanceof Malformed) return { err: { code: "invalid_request", message: error.message } };
    throw error;
  }
}
