/**
 * `RedisEngine`: the engine API of the in-memory {@link Engine}, asynchronous, on Redis through
 * the user's own client. Every operation is one `EVALSHA` of the Lua script that ports its core
 * transition (sent again as `EVAL` with its source when Redis answers `NOSCRIPT`), with
 * the keys, arguments and replies of the Rust adapter, so both write and read the same state.
 *
 * @module
 */

import { Engine } from "../engine.js";
import { raw, type RawEngine } from "../raw.js";
import { invalidType, invalidValue, int } from "../check.js";
import { fromWire, type WireError } from "../errors.js";
import { outcome } from "../wire.js";
import type { Decision, Json, WireRequest, WireResult } from "../types.js";
import { classify, commands, type Commands, type RedisClient } from "./client.js";
import { encode, prepare, type Call, type EventArgs, type Prepared } from "./encode.js";
import * as decode from "./decode.js";
import { RedisDriverError } from "./errors.js";
import { DEFAULT_PREFIX, isValidPrefix, Layout } from "./layout.js";
import { script } from "./scripts.js";
import { Watchdog } from "./watchdog.js";

/** What to do when Redis cannot be reached (refused, closed, reconnecting, or no answer in time). */
export type FailurePolicy =
  /** Throw a {@link RedisDriverError} (`redis_unreachable` or `redis_timeout`). The default. */
  | "throw"
  /** Answer a {@link Degraded} outcome with `allowed: true`: let the caller proceed unguarded. */
  | "open"
  /** Answer a {@link Degraded} outcome with `allowed: false`: refuse. */
  | "closed"
  /** Run the operation on an in-memory {@link Engine} instead, and say so. */
  | "memory";

/**
 * The outcome of an operation Redis could not serve, under the `open`, `closed` or `memory`
 * policy: never a fake success, always marked. Test with `"degraded" in result`.
 */
export interface Degraded<T> {
  /** Which policy answered. */
  degraded: "open" | "closed" | "memory";
  /**
   * Whether the caller may proceed: `true` for `open`, `false` for `closed`; for `memory`,
   * whether the in-memory outcome admits (a decision allowed, a lease granted, holds reserved).
   */
  allowed: boolean;
  /** Why Redis did not serve it. */
  cause: RedisDriverError;
  /** The in-memory engine's outcome, under the `memory` policy. */
  outcome?: T;
}

/** An outcome, or what the failure policy answered instead. */
export type MaybeDegraded<T> = T | Degraded<T>;

/** Where hold writes send their events besides the outcome (as in the Rust adapter). */
export interface HoldEventsOptions {
  /**
   * About how many entries each namespace's stream `<prefix>:hold:{<namespace>}:events` keeps
   * (`XADD ... MAXLEN ~`); 0: no stream. Default 10 000.
   */
  streamMaxlen?: number;
  /** A channel that every reserve which reserved publishes an empty message on. Default none. */
  channel?: string | null;
}

/** How to build a {@link RedisEngine}. */
export interface RedisEngineOptions {
  /** An ioredis client or `Cluster` (v5+), a node-redis client or cluster (v4+), or a {@link CommandSender} of your own. */
  client: RedisClient;
  /** The key prefix, non-empty and without braces. Default `leasehold`. */
  prefix?: string;
  /**
   * Whose clock decides: `"server"` (Redis `TIME`, the default: one clock for every client), or
   * a function giving `now` in integer milliseconds, for tests, simulation and replay. A call's
   * own `now` argument overrides both. Do not mix both clocks on one key.
   */
  clock?: "server" | (() => number);
  /** Where hold writes send their events. */
  holdEvents?: HoldEventsOptions;
  /** What to do when Redis is unreachable. Default `throw`. */
  onUnavailable?: FailurePolicy;
  /** The in-memory engine the `memory` policy uses (default: a new one on `Date.now`). */
  fallback?: Engine;
  /**
   * How long a call waits for Redis before it counts as unreachable, in ms (default 2000; 0:
   * forever). A call without a reply is given up between `timeout` and `1.25 × timeout`; its
   * write may still happen.
   */
  timeout?: number;
}

const STREAM_MAXLEN = 10_000;
const MAX_COUNT = 2 ** 32 - 1;
const POLICIES = ["throw", "open", "closed", "memory"];
/** After this many validations the scratch engine is replaced, so it never grows. */
const SCRATCH_USES = 4096;

/** Whether a wire outcome admits the caller (for {@link Degraded.allowed} under `memory`). */
function admits(ok: Json): boolean {
  if (ok !== null && typeof ok === "object" && !Array.isArray(ok)) {
    if (typeof ok.allowed === "boolean") return ok.allowed;
    const tag = Object.keys(ok)[0];
    if (tag === "denied" || tag === "conflict" || tag === "cap_reached") return false;
  }
  return true;
}

/**
 * What the typed tables share: the client, the layout, the clock, the policy, and a scratch
 * in-memory engine that checks every request before any I/O (the core's own checks, so a bad
 * request gets exactly the error the in-memory engine gives).
 * @internal
 */
export class RedisCore {
  readonly commands: Commands;
  readonly layout: Layout;
  readonly events: EventArgs;
  readonly clock: (() => number) | undefined;
  readonly policy: FailurePolicy;
  readonly timeout: number;
  #fallback: Engine | undefined;
  #scratch: Engine;
  #uses = 0;
  #watchdog: Watchdog | undefined;
  #checker: RawEngine | undefined;
  #checks = 0;

  constructor(options: RedisEngineOptions) {
    const operation = "new RedisEngine";
    if (options === null || typeof options !== "object") throw invalidType(operation, "options", "an object", options);
    const found = commands(options.client);
    if (found === undefined) throw invalidType(operation, "client", "an ioredis or node-redis client, or { send(command, args) }", options.client);
    this.commands = found;
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    if (!isValidPrefix(prefix)) throw invalidValue(operation, "prefix", "a non-empty string without '{' or '}'", prefix);
    this.layout = new Layout(prefix);
    const clock = options.clock ?? "server";
    if (clock !== "server" && typeof clock !== "function") throw invalidValue(operation, "clock", "\"server\" or a function", clock);
    this.clock = clock === "server" ? undefined : clock;
    const events = options.holdEvents ?? {};
    if (events === null || typeof events !== "object") throw invalidType(operation, "holdEvents", "an object", events);
    const maxlen = events.streamMaxlen === undefined ? STREAM_MAXLEN : int(operation, "streamMaxlen", events.streamMaxlen);
    const channel = events.channel ?? "";
    if (typeof channel !== "string") throw invalidType(operation, "channel", "a string", channel);
    this.events = { maxlen: Math.min(maxlen, MAX_COUNT), channel };
    const policy = options.onUnavailable ?? "throw";
    if (!POLICIES.includes(policy)) throw invalidValue(operation, "onUnavailable", POLICIES.map((p) => JSON.stringify(p)).join(", "), policy);
    this.policy = policy;
    if (options.fallback !== undefined && !(options.fallback instanceof Engine)) {
      throw invalidType(operation, "fallback", "an Engine", options.fallback);
    }
    this.#fallback = options.fallback;
    this.timeout = options.timeout === undefined ? 2000 : int(operation, "timeout", options.timeout);
    const timeout = this.timeout;
    this.#watchdog = timeout === 0
      ? undefined
      : new Watchdog(timeout, (operation) => new RedisDriverError(operation, "redis_timeout", `no reply within ${timeout} ms`));
    this.#scratch = new Engine({ clock: () => 0, hashSeed: 0 });
  }

  /** The engine that checks requests; the caller must not rely on its state. */
  scratch(): Engine {
    if (++this.#uses > SCRATCH_USES) {
      this.#scratch = new Engine({ clock: () => 0, hashSeed: 0 });
      this.#uses = 0;
    }
    return this.#scratch;
  }

  /**
   * The raw wasm engine that checks leases (the one the in-memory `Locks` and `Semaphores`
   * call after the same JS checks), replaced like {@link RedisCore.scratch} so it never grows.
   */
  checker(): RawEngine {
    if (++this.#checks > SCRATCH_USES || this.#checker === undefined) {
      (this.#checker as { free?: () => void } | undefined)?.free?.();
      this.#checker = new (raw().RawEngine)(0);
      this.#checks = 0;
    }
    return this.#checker;
  }

  /** Throws the error of a refused check (a raw answer in the wire form); fence exhaustion is Redis's to judge. */
  refuse(operation: string, answer: string): void {
    if (!answer.startsWith('{"err"')) return;
    const wire = (JSON.parse(answer) as { err: WireError }).err;
    if (wire.code !== "fence_exhausted") throw fromWire(operation, wire);
  }

  /** The in-memory engine of the `memory` policy. */
  fallback(): Engine {
    this.#fallback ??= new Engine({ clock: this.clock ?? Date.now });
    return this.#fallback;
  }

  /** The explicit `now` of a call (its own, else the configured clock's), or `undefined` for the server's. */
  explicitNow(now: number | undefined): number | undefined {
    return now !== undefined ? now : this.clock?.();
  }

  /**
   * Sends one command, failing fast (a synchronous throw) when the client knows it is down.
   * The caller watches the reply's deadline.
   */
  #sendNow(operation: string, command: string, args: string[]): Promise<unknown> {
    if (!this.commands.connected()) {
      throw new RedisDriverError(operation, "redis_unreachable", `the ${this.commands.kind} client is not connected`);
    }
    return this.commands.send(command, args);
  }

  /**
   * Sends one command, failing fast when the client knows it is down and after `timeout` ms.
   * Not `async`: one promise layer fewer; the caller awaits inside a `try`, so the synchronous
   * throw is caught there like a rejection.
   */
  #send(operation: string, command: string, args: string[]): Promise<unknown> {
    const reply = this.#sendNow(operation, command, args);
    if (this.#watchdog === undefined) return reply;
    return this.#watchdog.watch(reply, operation);
  }

  /**
   * Runs a script call: `EVALSHA`, and on `NOSCRIPT` (a restarted or flushed Redis) one
   * `EVAL` with the source, which runs it and caches it again on the node that owns the keys,
   * so the retry lands where the keys are on a cluster too.
   */
  async invoke(operation: string, call: Call): Promise<unknown> {
    const prepared = prepare(call);
    try {
      return await this.#send(operation, "EVALSHA", prepared.command);
    } catch (error) {
      return this.#retry(operation, prepared, error);
    }
  }

  /** After `EVALSHA` of `call` failed with `error`: the reply that stands, after one `EVAL` on `NOSCRIPT`. */
  async #retry(operation: string, call: Prepared, error: unknown): Promise<unknown> {
    const failure = this.#failure(operation, error);
    if (failure !== "noscript") return failure;
    const command = call.command;
    command[0] = script(call.script).source;
    try {
      return await this.#send(operation, "EVAL", command);
    } catch (error) {
      const failure = this.#failure(operation, error);
      return failure === "noscript" ? new ErrorReply("NOSCRIPT from EVAL") : failure;
    }
  }

  /** A rejection of the client: thrown when Redis is unreachable, else kept as a value. */
  #failure(operation: string, error: unknown): ErrorReply | "noscript" {
    if (error instanceof RedisDriverError) throw error;
    const failure = classify(operation, error);
    if (failure.kind === "unreachable") throw failure.error;
    return failure.kind === "noscript" ? "noscript" : new ErrorReply(failure.message);
  }

  /** `SCRIPT LOAD` of `source`. */
  async load(operation: string, source: string): Promise<void> {
    try {
      await this.#send(operation, "SCRIPT", ["LOAD", source]);
    } catch (error) {
      if (error instanceof RedisDriverError) throw error;
      const failure = classify(operation, error);
      throw failure.kind === "unreachable" ? failure.error : new RedisDriverError(operation, "redis_server", failure.kind === "reply" ? failure.message : "NOSCRIPT");
    }
  }

  /**
   * Runs `request` (wire form, already checked) on Redis at `now` (`undefined`: the server's
   * clock); `{ok}` / `{err}` in the wire form, or the failure policy's answer.
   */
  async run(operation: string, request: Json, now: number | undefined): Promise<MaybeDegraded<WireResult>> {
    const call = encode(this.layout, this.events, request, now === undefined ? "server" : String(now));
    let reply: unknown;
    try {
      reply = await this.invoke(operation, call);
    } catch (error) {
      if (!(error instanceof RedisDriverError) || !error.unreachable) throw error;
      return this.degrade(request, now, error);
    }
    const [primitive, body] = tag(request);
    if (reply instanceof ErrorReply) return this.#refusal(operation, reply);
    try {
      return { ok: decode.outcome(primitive, tag(body)[0], reply) };
    } catch (error) {
      throw new RedisDriverError(operation, "redis_protocol", error instanceof Error ? error.message : String(error), error);
    }
  }

  /**
   * The hot path of the typed lease and limit methods: `call` sent as built, its reply read
   * straight into the typed outcome by `read`; `request` (the wire form) is only built when the
   * failure policy needs it.
   *
   * Not `async`: the reply's own reaction reads it and settles the one promise returned, where
   * an `async` function awaiting it would add a promise, a reaction and a turn of the microtask
   * queue of its own to every call. Everything but a reply takes {@link RedisCore.#recover}.
   */
  direct<T>(operation: string, call: Prepared, read: (reply: unknown) => T, request: () => Json, now: number | undefined): Promise<MaybeDegraded<T>> {
    const recover = (error: unknown): Promise<MaybeDegraded<T>> => this.#recover(operation, call, read, request, now, error);
    let reply: Promise<unknown>;
    try {
      reply = this.#sendNow(operation, "EVALSHA", call.command);
    } catch (error) {
      return recover(error);
    }
    const done = (value: unknown): T => this.#read(operation, read, value);
    const watchdog = this.#watchdog;
    if (watchdog !== undefined) return watchdog.follow(reply, operation, done, recover);
    try {
      return reply.then(done, recover);
    } catch (error) {
      // A client whose reply is no promise: what it threw is the failure, as under a watchdog.
      return recover(error);
    }
  }

  /** `read(reply)`, or a `redis_protocol` error when the reply is not what the script gives. */
  #read<T>(operation: string, read: (reply: unknown) => T, reply: unknown): T {
    try {
      return read(reply);
    } catch (error) {
      throw new RedisDriverError(operation, "redis_protocol", error instanceof Error ? error.message : String(error), error);
    }
  }

  /**
   * What stands after the `EVALSHA` of {@link RedisCore.direct} failed with `error`: the reply
   * of one `EVAL` on `NOSCRIPT`, the failure policy's answer when Redis is unreachable, the
   * core error an error reply stands for, or a {@link RedisDriverError}. Never throws
   * synchronously: it is `async`.
   */
  async #recover<T>(operation: string, call: Prepared, read: (reply: unknown) => T, request: () => Json,
    now: number | undefined, error: unknown): Promise<MaybeDegraded<T>> {
    let reply: unknown;
    try {
      reply = await this.#retry(operation, call, error);
    } catch (error) {
      if (!(error instanceof RedisDriverError) || !error.unreachable) throw error;
      return this.#typedDegraded<T>(operation, this.degrade(request(), now, error));
    }
    if (reply instanceof ErrorReply) return camel<T>(operation, this.#refusal(operation, reply));
    return this.#read(operation, read, reply);
  }

  /** A limit check or peek: {@link RedisCore.direct} with the decision's reader. */
  decision(operation: string, call: Prepared, request: () => Json, now: number | undefined): Promise<MaybeDegraded<Decision>> {
    return this.direct(operation, call, decode.typedDecision, request, now);
  }

  /** A core error reply as `{err}`; any other error reply thrown as a {@link RedisDriverError}. */
  #refusal(operation: string, reply: ErrorReply): WireResult {
    const wire = decode.error(reply.message);
    if (wire !== undefined) return { err: wire };
    const code = reply.message.startsWith("LEASEHOLD") ? "redis_protocol" : "redis_server";
    throw new RedisDriverError(operation, code, reply.message);
  }

  /** A degraded wire answer with its `memory` outcome in the typed API's shape. */
  #typedDegraded<T>(operation: string, result: MaybeDegraded<WireResult>): MaybeDegraded<T> {
    if (!("degraded" in result)) return camel<T>(operation, result);
    const degraded: Degraded<T> = { degraded: result.degraded, allowed: result.allowed, cause: result.cause };
    if (result.outcome !== undefined) degraded.outcome = camel<T>(operation, result.outcome);
    return degraded;
  }

  /** The failure policy's answer to `request`, which Redis could not serve. */
  degrade(request: Json, now: number | undefined, cause: RedisDriverError): MaybeDegraded<WireResult> {
    switch (this.policy) {
      case "open":
        return { degraded: "open", allowed: true, cause };
      case "closed":
        return { degraded: "closed", allowed: false, cause };
      case "memory": {
        const engine = this.fallback();
        const result = engine.apply(request as WireRequest, now === undefined ? engine.now() : now);
        return { degraded: "memory", allowed: "ok" in result && admits(result.ok), cause, outcome: result };
      }
      default:
        throw cause;
    }
  }

  /**
   * A typed method's answer: runs the checked `request` and turns its outcome into camelCase,
   * throws a core error as its class, and carries a degraded answer's outcome over likewise.
   */
  async typed<T>(operation: string, request: Json, now: number | undefined): Promise<MaybeDegraded<T>> {
    return this.#typedDegraded<T>(operation, await this.run(operation, request, now));
  }

}

function camel<T>(operation: string, result: WireResult): T {
  if ("err" in result) throw fromWire(operation, result.err as WireError);
  return outcome(result.ok) as T;
}

/** An error reply of Redis, kept as a value until it is decoded. */
class ErrorReply {
  constructor(readonly message: string) {}
}

function tag(value: Json): [string, Json] {
  const fields = value as { [key: string]: Json };
  const name = Object.keys(fields)[0];
  return [name, fields[name]];
}
