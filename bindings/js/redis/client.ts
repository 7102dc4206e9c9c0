/**
 * The user's Redis client, whichever it is: ioredis (v5 and later, a single client or a
 * `Cluster`), node-redis (v4 and later, `createClient` or `createCluster`), or anything that
 * can send a command. The driver needs three things from it: send one command, tell whether it
 * knows it is disconnected (so a call fails fast instead of queueing), and say what an error
 * was.
 *
 * On a cluster every command the driver sends is routed by its first key: `EVALSHA` and `EVAL`
 * always carry at least one key, and every key of one call shares a hash tag (see
 * `layout.ts`), so the node that owns `KEYS[1]` owns them all; the `EVAL` after a `NOSCRIPT`
 * goes to that same node, which is the one missing the script. `SCRIPT LOAD`, the one keyless
 * command, goes to every master.
 *
 * @module
 */

import { RedisDriverError } from "./errors.js";

/** The part of an ioredis client (`Redis`, or `Cluster`: both have these) the driver uses. */
export interface IoredisLike {
  /** `wait`, `connecting`, `connect`, `ready`, `close`, `reconnecting`, `disconnecting` or `end`. */
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * The part of an ioredis `Cluster` the driver uses besides {@link IoredisLike}: ioredis routes
 * `call` by the command's keys itself; `nodes("master")` is where `SCRIPT LOAD` goes.
 */
export interface IoredisClusterLike extends IoredisLike {
  /** `true` on a `Cluster` (a single ioredis client says `false`). */
  readonly isCluster: boolean;
  nodes(role: "master"): IoredisLike[];
}

/** The part of a node-redis client (v4 and later) the driver uses. */
export interface NodeRedisLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  /** `options` is `{ typeMapping }` on node-redis 5 and later (integers as digits), absent on 4. */
  sendCommand(args: string[], options?: object): Promise<unknown>;
}

/**
 * The part of a node-redis cluster (`createCluster`, v4 and later) the driver uses: a command
 * goes with the key that picks its node (`firstKey`); `masters` and `nodeClient` reach each
 * master for `SCRIPT LOAD`.
 */
export interface NodeRedisClusterLike {
  /** Between `connect()` and `close()` / `quit()` / `disconnect()`. */
  readonly isOpen: boolean;
  /** v5 and later: whether the cluster's slots are known and its connections up. */
  readonly isReady?: boolean;
  /** The master nodes, for {@link NodeRedisClusterLike.nodeClient}. */
  readonly masters: readonly object[];
  /** The client of one node of {@link NodeRedisClusterLike.masters}. */
  nodeClient(node: object): Pick<NodeRedisLike, "sendCommand"> | Promise<Pick<NodeRedisLike, "sendCommand">>;
  /** `firstKey` picks the node; `options` as for {@link NodeRedisLike.sendCommand}. */
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: object,
  ): Promise<unknown>;
}

/** Any other client: how to send one command, and optionally whether it is connected. */
export interface CommandSender {
  /** Sends `command` with `args`; resolves to the reply, rejects with the client's error. */
  send(command: string, args: string[]): Promise<unknown>;
  /** `false` when the client knows it has no connection: calls then fail fast. */
  connected?(): boolean;
}

/** What the driver accepts as a client. */
export type RedisClient = IoredisLike | IoredisClusterLike | NodeRedisLike | NodeRedisClusterLike | CommandSender;

/** Which kind of client an engine drives, as `RedisEngine.client` says. */
export type RedisClientKind = "ioredis" | "ioredis-cluster" | "node-redis" | "node-redis-cluster" | "custom";

/** A client as the driver drives it. */
export interface Commands {
  readonly kind: RedisClientKind;
  send(command: string, args: string[]): Promise<unknown>;
  connected(): boolean;
}

/**
 * node-redis (v5 and later) reads integer replies as digits with this option, so integers near
 * 2^53 stay exact: its decoder, like ioredis 6's and node-redis 4's, computes
 * `n * 10 + byte - 48` in doubles, which rounds within 57 of 2^53. The driver reads both forms.
 * ioredis has no per-command option: ioredis 6 is exact there with `stringNumbers: true`
 * (ioredis 5's parser is exact without it), except on a `Cluster`, where `stringNumbers` makes
 * ioredis misread `CLUSTER SLOTS` and send some calls through a `MOVED` redirect. node-redis 4
 * has no such option at all. `58` is RESP's `:`, the integer type.
 */
const EXACT_INTEGERS = { typeMapping: { 58: String } };

/** ioredis statuses in which a command would wait for a connection that is not there. */
const IOREDIS_DOWN = new Set(["end", "close", "reconnecting", "disconnecting"]);

/** The one keyless command the driver sends: it goes to every master of a cluster. */
const EVERY_MASTER = "SCRIPT";

function isObject(value: unknown): value is { [key: string]: unknown } {
  return value !== null && (typeof value === "object" || typeof value === "function");
}

/**
 * The key that routes `command` on a cluster: `KEYS[1]` of an `EVALSHA` / `EVAL`
 * (`[sha or source, numkeys, ...keys, ...args]`), else none.
 */
export function routingKey(command: string, args: readonly string[]): string | undefined {
  return (command === "EVALSHA" || command === "EVAL") && args.length > 2 && args[1] !== "0" ? args[2] : undefined;
}

/** Sends to every master and resolves to the first one's reply once all have answered. */
async function everyMaster(replies: Promise<unknown>[]): Promise<unknown> {
  if (replies.length === 0) throw new Error("the cluster client knows no master node");
  return (await Promise.all(replies))[0];
}

/** The driver's view of `client`, or `undefined` when it is none of the supported kinds. */
export function commands(client: unknown): Commands | undefined {
  if (!isObject(client)) return undefined;
  if (typeof client.call === "function" && typeof client.status === "string") {
    return client.isCluster === true && typeof client.nodes === "function"
      ? ioredisCluster(client as unknown as IoredisClusterLike)
      : ioredis(client as unknown as IoredisLike);
  }
  if (typeof client.sendCommand === "function" && "isOpen" in client) {
    // A node-redis sentinel client has `isOpen` too, but sends with `isReadonly` first: not
    // supported (untested), so refused rather than driven as a single client.
    if (typeof client.getSentinelNode === "function") return undefined;
    // A node-redis cluster has `isOpen` too, but sends with the routing key first.
    return typeof client.nodeClient === "function" && "masters" in client
      ? nodeRedisCluster(client as unknown as NodeRedisClusterLike)
      : nodeRedis(client as unknown as NodeRedisLike);
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

/**
 * ioredis looks a command's name up in lower case several times per command, lower-casing it
 * each time: a name already in lower case costs no new string.
 */
function ioredisName(command: string): string {
  return command === "EVALSHA" ? "evalsha" : command;
}

function ioredis(io: IoredisLike): Commands {
  return {
    kind: "ioredis",
    send: (command, args) => io.call(ioredisName(command), ...args),
    connected: () => !IOREDIS_DOWN.has(io.status),
  };
}

async function onEveryIoredisMaster(cluster: IoredisClusterLike, command: string, args: string[]): Promise<unknown> {
  // Until it is ready a Cluster knows no node: this first call waits for that, as any call does.
  if (cluster.nodes("master").length === 0) await cluster.call(command, ...args);
  return everyMaster(cluster.nodes("master").map((node) => node.call(command, ...args)));
}

function ioredisCluster(cluster: IoredisClusterLike): Commands {
  return {
    kind: "ioredis-cluster",
    send: (command, args) => command === EVERY_MASTER ? onEveryIoredisMaster(cluster, command, args) : cluster.call(ioredisName(command), ...args),
    connected: () => !IOREDIS_DOWN.has(cluster.status),
  };
}

/** node-redis 5 and later have `withTypeMapping`; node-redis 4 has no type mapping to ask for. */
function typeMapping(client: object): typeof EXACT_INTEGERS | undefined {
  return typeof (client as { withTypeMapping?: unknown }).withTypeMapping === "function" ? EXACT_INTEGERS : undefined;
}

function nodeRedis(node: NodeRedisLike): Commands {
  const options = typeMapping(node);
  return {
    kind: "node-redis",
    send: (command, args) => node.sendCommand([command, ...args], options),
    connected: () => node.isOpen && node.isReady,
  };
}

function nodeRedisCluster(cluster: NodeRedisClusterLike): Commands {
  const options = typeMapping(cluster);
  const onMaster = async (node: object, args: string[]) => (await cluster.nodeClient(node)).sendCommand(args, options);
  return {
    kind: "node-redis-cluster",
    send: (command, args) => command === EVERY_MASTER
      ? everyMaster(cluster.masters.map((node) => onMaster(node, [command, ...args])))
      : cluster.sendCommand(routingKey(command, args), false, [command, ...args], options),
    // node-redis 4's cluster has no `isReady`: open is all it says.
    connected: () => cluster.isOpen && cluster.isReady !== false,
  };
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
