/**
 * A request in the core's wire form as one script call: which script, its `KEYS` and its
 * `ARGV`, exactly as the Rust adapter encodes it (`crates/redis/src/encode.rs`). `ARGV[1]` is
 * the clock: `server` or an explicit `now` in milliseconds; optional numbers absent are `''`.
 *
 * The request has already been checked by the core (see `engine.ts`), so its shape is known.
 *
 * @module
 */

import type { Json } from "../types.js";
import type { Layout } from "./layout.js";
import { script } from "./scripts.js";

/** One script invocation, ready to send. */
export interface Call {
  /** The script's name in `leasehold_scripts::SCRIPTS`. */
  script: string;
  keys: string[];
  args: string[];
}

/**
 * A script call as it is sent: `[sha1, numkeys, ...keys, ...args]`, and the script's name, for
 * the `EVAL` retry (which puts the source in place of the SHA-1).
 */
export interface Prepared {
  script: string;
  command: string[];
}

/** `call` as it is sent. */
export function prepare(call: Call): Prepared {
  const { keys, args } = call;
  const command = new Array<string>(2 + keys.length + args.length);
  command[0] = script(call.script).sha1;
  command[1] = String(keys.length);
  for (let i = 0; i < keys.length; i++) command[2 + i] = keys[i];
  for (let i = 0; i < args.length; i++) command[2 + keys.length + i] = args[i];
  return { script: call.script, command };
}

/** Where hold writes send their events: the stream's `MAXLEN ~` (0: none) and a channel (`''`: none). */
export interface EventArgs {
  maxlen: number;
  channel: string;
}

type Fields = { [key: string]: Json };

const n = (value: Json | undefined): string => (value === undefined || value === null ? "" : String(value));

function only(value: Json): [string, Fields] {
  const fields = value as Fields;
  const name = Object.keys(fields)[0];
  return [name, fields[name] as Fields];
}

/** The script of each lease operation, named once (the typed API looks it up on every call). */
const LEASE_SCRIPTS = {
  lock: { acquire: "lock_acquire", release: "lock_release", extend: "lock_extend", inspect: "lock_inspect" },
  semaphore: { acquire: "semaphore_acquire", release: "semaphore_release", extend: "semaphore_extend", inspect: "semaphore_inspect" },
} as const;

/**
 * A lock or semaphore operation of the wire form as a script call: `args` is `[clock, key, ...]`
 * as the script reads them, and the only key is the lease's hash.
 */
function leaseCall(layout: Layout, primitive: "lock" | "semaphore", op: "acquire" | "release" | "extend" | "inspect", args: string[]): Call {
  const key = args[1];
  return { script: LEASE_SCRIPTS[primitive][op], keys: [primitive === "lock" ? layout.lock(key) : layout.semaphore(key)], args };
}

/**
 * A lock or semaphore operation as it is sent, straight from its arguments, in one array of its
 * final length (the hot path of the typed API; the same command as {@link leaseCall} gives
 * {@link prepare}): `ARGV` is `[clock, key, owner, first, second]`, cut where the operation's
 * arguments end (`first` is the ttl, or a semaphore's capacity before its ttl).
 */
export function leaseCommand(layout: Layout, primitive: "lock" | "semaphore", op: "acquire" | "release" | "extend" | "inspect",
  clock: string, key: string, owner?: string, first?: string, second?: string): Prepared {
  const name = LEASE_SCRIPTS[primitive][op];
  const sha1 = script(name).sha1;
  const hash = primitive === "lock" ? layout.lock(key) : layout.semaphore(key);
  const command = owner === undefined
    ? [sha1, "1", hash, clock, key]
    : first === undefined
      ? [sha1, "1", hash, clock, key, owner]
      : second === undefined ? [sha1, "1", hash, clock, key, owner, first] : [sha1, "1", hash, clock, key, owner, first, second];
  return { script: name, command };
}

function lease(layout: Layout, primitive: "lock" | "semaphore", op: string, f: Fields, clock: string): Call {
  const key = f.key as string;
  switch (op) {
    case "acquire":
      return leaseCall(layout, primitive, op, primitive === "lock"
        ? [clock, key, f.owner as string, n(f.ttl)]
        : [clock, key, f.owner as string, n(f.capacity), n(f.ttl)]);
    case "extend":
      return leaseCall(layout, primitive, op, [clock, key, f.owner as string, n(f.ttl)]);
    case "release":
      return leaseCall(layout, primitive, op, [clock, key, f.owner as string]);
    default:
      return leaseCall(layout, primitive, "inspect", [clock, key]);
  }
}

/** Each algorithm's parameters, in the core's declaration order. */
const PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  fixed_window: ["quota", "window"],
  sliding_log: ["quota", "window"],
  sliding_counter: ["quota", "window"],
  token_bucket: ["capacity", "refill", "interval"],
  gcra: ["burst", "interval"],
  cooldown: ["interval"],
};

/** The script of each algorithm, named once (the hot path looks it up on every call). */
const LIMIT_SCRIPTS: Readonly<Record<string, string>> = Object.fromEntries(Object.keys(PARAMETERS).map((name) => [name, `limit_${name}`]));

function limitKeys(layout: Layout, algorithm: string, key: string): string[] {
  return algorithm === "sliding_log" ? [layout.limit(algorithm, key), layout.limitLog(key)] : [layout.limit(algorithm, key)];
}

function limit(layout: Layout, op: string, f: Fields): [string, string[], string[]] {
  const key = f.key as string;
  if (op === "reset") return ["limit_reset", limitKeys(layout, f.algorithm as string, key), [key]];
  const [algorithm, params] = only(f.algorithm);
  const names = PARAMETERS[algorithm];
  const block = f.block as Fields | null | undefined;
  const policy = block === undefined || block === null ? null : [n(block.violations), n(block.within), n(block.block_for)];
  const call = limitCall(layout, op, key, algorithm, [n(params[names[0]]), n(params[names[1]]), n(params[names[2]])], policy, n(f.cost), "");
  return [call.script, call.keys, call.args.slice(1)];
}

/**
 * A limit check or peek of the wire form as a script call, from its parts: `algorithm` in
 * snake_case, its up to three parameters and the block policy's three as decimal strings (`''`
 * where absent).
 */
function limitCall(layout: Layout, op: string, key: string, algorithm: string, params: readonly string[],
  block: readonly string[] | null, cost: string, clock: string): Call {
  const args = block === null
    ? [clock, op, key, params[0], params[1], params[2], "", "", "", cost]
    : [clock, op, key, params[0], params[1], params[2], block[0], block[1], block[2], cost];
  return { script: LIMIT_SCRIPTS[algorithm] ?? `limit_${algorithm}`, keys: limitKeys(layout, algorithm, key), args };
}

/**
 * A limit check or peek as it is sent, straight from its parts, in one array of its final
 * length: the command {@link prepare} gives for {@link limitCall} of the same arguments.
 */
export function limitCommand(layout: Layout, op: string, key: string, algorithm: string, params: readonly string[],
  block: readonly string[] | null, cost: string, clock: string): Prepared {
  const name = LIMIT_SCRIPTS[algorithm] ?? `limit_${algorithm}`;
  const sha1 = script(name).sha1;
  const hash = layout.limit(algorithm, key);
  const b = block === null ? NO_BLOCK : block;
  const command = algorithm === "sliding_log"
    ? [sha1, "2", hash, layout.limitLog(key), clock, op, key, params[0], params[1], params[2], b[0], b[1], b[2], cost]
    : [sha1, "1", hash, clock, op, key, params[0], params[1], params[2], b[0], b[1], b[2], cost];
  return { script: name, command };
}

const NO_BLOCK: readonly string[] = ["", "", ""];

function hold(layout: Layout, events: EventArgs, op: string, f: Fields): [string, string[], string[]] {
  const namespace = f.namespace as string;
  const reads = layout.hold(namespace);
  // Writes: the events stream is a fourth key, and the outlets come before the items.
  const writes = [...reads, layout.holdEvents(namespace)];
  const out = [String(events.maxlen), events.channel];
  const items = (f.items ?? []) as string[];
  switch (op) {
    case "reserve":
      return ["hold_reserve", writes, [namespace, f.owner as string, n(f.ttl), n(f.max_holds), ...out, ...items]];
    case "release":
      return ["hold_release", writes, [namespace, "owner", f.owner as string, ...out, ...items]];
    case "force_release":
      return ["hold_release", writes, [namespace, "force", "", ...out, ...items]];
    case "extend":
      return ["hold_extend", writes, [namespace, f.owner as string, n(f.ttl), ...out, ...items]];
    case "check":
      return ["hold_check", reads, [namespace, ...items]];
    case "list": {
      const cursor = f.cursor as Fields | null | undefined;
      const at = cursor === undefined || cursor === null
        ? ["0", "", ""]
        : ["1", n(cursor.expires_at), cursor.item as string];
      return ["hold_list", reads, [namespace, n(f.limit), ...at]];
    }
    default:
      return ["hold_sweep", writes, [namespace, n(f.max), ...out]];
  }
}

/** The script call that runs `request` with `clock` (`server` or `now` in milliseconds). */
export function encode(layout: Layout, events: EventArgs, request: Json, clock: string): Call {
  const [primitive, body] = only(request);
  const [op, fields] = only(body);
  if (primitive === "lock" || primitive === "semaphore") return lease(layout, primitive, op, fields, clock);
  const [script, keys, args] = primitive === "limit" ? limit(layout, op, fields) : hold(layout, events, op, fields);
  return { script, keys, args: [clock, ...args] };
}
