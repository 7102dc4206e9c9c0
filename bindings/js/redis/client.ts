/**
 * The user's Redis client, whichever it is: ioredis, node-redis (v4 and later), or anything
 * that can send a command. The driver needs three things from it: send one command, tell
 * whether it knows it is disconnected (so a call fails fast instead of queueing), and say what
 * an error was.
 *
 * @module
 */

import { RedisDriverError } from "./errors.js";

/** The part of an ioredis client the driver uses. */
export interface IoredisLike {
  /** `wait`, `connecting`, `connect`, `ready`, `close`, `reconnecting` or `end`. */
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** The part of a node-redis client (v4 and later) the driver uses. */
export interface NodeRedisLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  sendCommand(args: string[], options?: { typeMapping?: { [type: number]: unknown } }): Promise<unknown>;
}

/** Any other client: how to send one command, and optionally whether it is connected. */
export interface CommandSender {
  /** Sends `command` with `args`; resolves to the reply, rejects with the client's error. */
  send(command: string, args: string[]): Promise<unknown>;
  /** `false` when the client knows it has no connection: calls then fail fast. */
  connected?(): boolean;
}

/** What the driver accepts as a client. */
export type RedisClient = IoredisLike | NodeRedisLike | CommandSender;

/** A client as the driver drives it. */
export interface Commands {
  /** `ioredis`, `node-redis` or `custom`. */
  readonly kind: "ioredis" | "node-redis" | "custom";
  send(command: string, args: string[]): Promise<unknown>;
  connected(): boolean;
}

/**
 * node-redis (v5 and later) reads integer replies as digits with this option, so integers near
 * 2^53 stay exact: both clients' decoders compute `n * 10 + byte - 48` in doubles, which rounds
 * within 57 of 2^53. (ioredis has no per-command option: give it `stringNumbers: true` for
 * exactness there; the driver reads both forms.) `58` is RESP's `:`, the integer type.
 */
const EXACT_INTEGERS = { typeMapping: { 58: String } };

/** ioredis statuses in which a command would wait for a connection that is not there. */
const IOREDIS_DOWN = new Set(["end", "close", "reconnecting"]);

function isObject(value: unknown): value is { [key: string]: unknown } {
  return value !== null && (typeof value === "object" || typeof value === "function");
}

/** The driver's view of `client`, or `undefined` when it is none of the supported kinds. */
export function commands(client: unknown): Commands | undefined {
  if (!isObject(client)) return undefined;
  if (typeof client.call === "function" && typeof client.status === "string") {
    const io = client as unknown as IoredisLike;
    return {
      kind: "ioredis",
      // ioredis looks the name up in lower case several times per command (Command.checkFlag),
      // lower-casing it each time: a name already in lower case costs no new string.
      send: (command, args) => io.call(command === "EVALSHA" ? "evalsha" : command, ...args),
      connected: () => !IOREDIS_DOWN.has(io.status),
    };
  }
  if (typeof client.sendCommand === "function" && "isOpen" in client) {
    const node = client as unknown as NodeRedisLike;
    return {
      kind: "node-redis",
      send: (command, args) => node.sendCommand([command, ...args], EXACT_INTEGERS),
      connected: () => node.isOpen && node.isReady,
    };
  }
  if (typeof client.send === "function") {
    const custom = client as unknown as CommandSender;
    return {
      kind: "custom",
      send: (command, args) => custom.send(command, args),
      connected: () => (custom.connected === undefined ? true : custom.connected()),
    };
  }
  return undefined;
}

/** Error codes of the sockets under both clients that mean Redis cannot be reached. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
/** Error class names of both clients that mean the same. */
const CONNECTION_ERRORS = /^(MaxRetriesPerRequestError|ClientClosedError|ClientOfflineError|SocketClosedUnexpectedlyError|ConnectionTimeoutError|ReconnectStrategyError|DisconnectsClientError|AbortError)$/;
/** Messages of both clients that mean the same. */
const CONNECTION_MESSAGES = /connection is closed|client is closed|socket closed|offline queue|ECONNREFUSED|ECONNRESET|max retries per request|stream isn't writeable|connection timeout/i;

/** What a rejection of the client was. */
export type Failure =
  | { kind: "unreachable"; error: RedisDriverError }
  | { kind: "noscript" }
  | { kind: "reply"; message: string };

/** Sorts a rejection of the client: the socket, a `NOSCRIPT`, or another error reply. */
export function classify(operation: string, error: unknown): Failure {
  const fields = isObject(error) ? error : {};
  const message = typeof fields.message === "string" ? fields.message : String(error);
  const name = typeof fields.name === "string" ? fields.name : "";
  const code = typeof fields.code === "string" ? fields.code : "";
  if (message.startsWith("NOSCRIPT")) return { kind: "noscript" };
  if (message.startsWith("LEASEHOLD") || /^(ReplyError|ErrorReply)$/.test(name)) return { kind: "reply", message };
  if (NETWORK_CODES.has(code) || CONNECTION_ERRORS.test(name) || CONNECTION_MESSAGES.test(message)) {
    return { kind: "unreachable", error: new RedisDriverError(operation, "redis_unreachable", message, error) };
  }
  return { kind: "reply", message };
}
