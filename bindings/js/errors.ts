/**
 * The error classes every refusal becomes. A refusal is only ever for bad input (or an
 * exhausted fence); a denial is an outcome, never an error.
 *
 * Each error has a stable `code`. The core's codes (`empty`, `too_long`, `out_of_range`,
 * `too_many`, `duplicate`, `overflow`, `fence_exhausted`) mean exactly what the core's
 * `Error` documents, with the same structured fields; the package adds `invalid_type`,
 * `not_an_integer`, `invalid_value` and `invalid_request` for what never reaches the core, and
 * `lock_busy` / `lock_lost` for {@link withLock}.
 *
 * @module
 */

/** Every `code` a {@link LeaseholdError} can carry. */
export type ErrorCode =
  | "empty"
  | "too_long"
  | "out_of_range"
  | "too_many"
  | "duplicate"
  | "overflow"
  | "fence_exhausted"
  | "invalid_type"
  | "not_an_integer"
  | "invalid_value"
  | "invalid_request"
  | "lock_busy"
  | "lock_lost";

/** The structured fields of an error, all optional but `code`. */
export interface ErrorDetails {
  /** The stable code. */
  code: ErrorCode;
  /** The argument at fault, in camelCase as the JS API names it (`ttl`, `maxHolds`, `blockFor`). */
  field?: string;
  /** The value given, for `out_of_range` and `not_an_integer`. */
  value?: number;
  /** The smallest value accepted, for `out_of_range`. */
  min?: number;
  /** The largest value, length or count accepted. */
  max?: number;
  /** The length in UTF-8 bytes, for `too_long`. */
  len?: number;
  /** How many entries were given, for `too_many`. */
  count?: number;
  /** The position of the entry at fault: the repeat for `duplicate`, the key of a batch. */
  index?: number;
  /** What was expected, for `invalid_type` and `invalid_value`. */
  expected?: string;
  /** How long until a retry can succeed, for `lock_busy`. */
  retryAfter?: number;
  /** The parser's or runtime's own words, for `invalid_request`. */
  reason?: string;
}

/** The base class of every error this package throws. */
export class LeaseholdError extends Error {
  /** The stable code. */
  readonly code: ErrorCode;
  /** The operation that refused, such as `locks.acquire`. */
  readonly operation: string;
  /** The argument at fault, in camelCase. */
  readonly field?: string;
  /** The value given. */
  readonly value?: number;
  /** The smallest value accepted. */
  readonly min?: number;
  /** The largest value, length or count accepted. */
  readonly max?: number;
  /** The length in UTF-8 bytes. */
  readonly len?: number;
  /** How many entries were given. */
  readonly count?: number;
  /** The position of the entry at fault. */
  readonly index?: number;
  /** What was expected. */
  readonly expected?: string;
  /** How long until a retry can succeed, in milliseconds. */
  readonly retryAfter?: number;

  constructor(operation: string, details: ErrorDetails) {
    super(`${operation}: ${describe(details)}`);
    this.name = new.target.name;
    this.operation = operation;
    this.code = details.code;
    for (const name of ["field", "value", "min", "max", "len", "count", "index", "expected", "retryAfter"] as const) {
      if (details[name] !== undefined) Object.defineProperty(this, name, { value: details[name], enumerable: true });
    }
  }
}

/** Bad input: a wrong type, a number that is not an exact integer, a value out of bounds. */
export class InvalidArgumentError extends LeaseholdError {}

/** Every fence below 2^53 has been issued for this key: no new holder can be fenced. */
export class FenceExhaustedError extends LeaseholdError {}

/** {@link withLock} found the lock held by someone else. */
export class LockBusyError extends LeaseholdError {}

/** {@link withLock} lost its lock: a renewal was refused or the TTL passed without one. */
export class LockLostError extends LeaseholdError {}

/** `snake_case` to `camelCase`. */
export function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function describe(d: ErrorDetails): string {
  const field = d.field ?? "argument";
  const at = d.index === undefined || d.code === "duplicate" ? "" : ` (entry ${d.index})`;
  switch (d.code) {
    case "empty":
      return `${field}${at} must not be empty`;
    case "too_long":
      return `${field}${at} is ${d.len} bytes long; at most ${d.max} are accepted`;
    case "out_of_range":
      return `${field} is ${d.value}; it must be between ${d.min} and ${d.max}`;
    case "too_many":
      return `${field} has ${d.count} entries; at most ${d.max} are accepted in one call`;
    case "duplicate":
      return `${field} repeats an earlier entry at position ${d.index}`;
    case "overflow":
      return `${field} would pass 2^53 - 1 milliseconds`;
    case "fence_exhausted":
      return "every fence below 2^53 has been issued for this key";
    case "invalid_type":
    case "invalid_value":
      return `${field}${at} must be ${d.expected}${d.reason ? `, not ${d.reason}` : ""}`;
    case "not_an_integer":
      return `${field} is ${d.value ?? "not an integer"}; it must be an integer`;
    case "invalid_request":
      return `the request is malformed: ${d.reason ?? "unknown reason"}`;
    case "lock_busy":
      return `the lock is held by another owner; retry in ${d.retryAfter} ms`;
    case "lock_lost":
      return d.reason ?? "the lock was lost";
  }
}

/** The error class for `details`. */
export function leaseholdError(operation: string, details: ErrorDetails): LeaseholdError {
  switch (details.code) {
    case "fence_exhausted":
      return new FenceExhaustedError(operation, details);
    case "lock_busy":
      return new LockBusyError(operation, details);
    case "lock_lost":
      return new LockLostError(operation, details);
    default:
      return new InvalidArgumentError(operation, details);
  }
}

/** An error in the core's wire form (`{"code": "too_long", "field": "max_holds", ...}`) as a class. */
export function fromWire(operation: string, wire: WireError): LeaseholdError {
  const details: ErrorDetails = { code: wire.code as ErrorCode };
  if (typeof wire.field === "string") details.field = camel(wire.field);
  if (typeof wire.message === "string") details.reason = wire.message;
  for (const name of ["value", "min", "max", "len", "count", "index"] as const) {
    const value = wire[name];
    if (typeof value === "number") details[name] = value;
  }
  return leaseholdError(operation, details);
}

/** An error as the core and the vectors serialize it. */
export interface WireError {
  /** The stable code. */
  code: string;
  /** The argument, as the core names it (snake_case). */
  field?: string;
  /** The parser's words, for `invalid_request`. */
  message?: string;
  /** The numbers the code carries (`value`, `min`, `max`, `len`, `count`, `index`). */
  [number: string]: string | number | undefined;
}
