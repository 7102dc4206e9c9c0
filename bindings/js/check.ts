/**
 * What the package checks before anything crosses into wasm: JS types, numbers that are not
 * exact integers, and strings or lists so large that copying them would be waste. Everything
 * else (emptiness, lengths, ranges, repeats) is the core's to judge, in its documented order;
 * these checks come first, argument by argument in parameter order.
 *
 * @module
 */

import { leaseholdError, type LeaseholdError } from "./errors.js";

/** 2^53: up to here every integer is exact in a double, and the core judges the range. */
export const EXACT_LIMIT = 2 ** 53;
/** Longest key or namespace, in UTF-8 bytes (the core's bound). */
export const MAX_KEY_BYTES = 512;
/** Longest owner, item or cursor item, in UTF-8 bytes (the core's bound). */
export const MAX_OWNER_BYTES = 256;
/** Most items in one hold call (the core's bound). */
export const MAX_ITEMS = 1000;
/**
 * Strings longer than this many UTF-16 code units are refused (`too_long`, with their exact
 * UTF-8 length) without being copied into wasm memory. Every bound is far below it.
 */
export const COPY_GUARD = 4096;

function shown(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return value.length > 40 ? `a string of length ${value.length}` : JSON.stringify(value);
    case "number":
    case "bigint":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "undefined":
      return "undefined";
    default:
      return `a ${typeof value}`;
  }
}

/** `invalid_type`: `field` should have been `expected`. */
export function invalidType(operation: string, field: string, expected: string, value: unknown): LeaseholdError {
  return leaseholdError(operation, { code: "invalid_type", field, expected, reason: shown(value) });
}

/** `invalid_value`: `field` should have been one of `expected`. */
export function invalidValue(operation: string, field: string, expected: string, value: unknown): LeaseholdError {
  return leaseholdError(operation, { code: "invalid_value", field, expected, reason: shown(value) });
}

/** The UTF-8 length of `text` in bytes, as the core measures it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3; // the rest of the BMP, and lone surrogates (encoded as U+FFFD)
  }
  return bytes;
}

/** An integer number of milliseconds or a count, in `0..=2^53`. */
export function int(operation: string, field: string, value: unknown): number {
  if (typeof value !== "number") throw invalidType(operation, field, "a number", value);
  if (!Number.isInteger(value)) throw leaseholdError(operation, { code: "not_an_integer", field, value });
  if (value < 0 || value > EXACT_LIMIT) {
    throw leaseholdError(operation, { code: "out_of_range", field, value, min: 0, max: EXACT_LIMIT - 1 });
  }
  return value;
}

/** A string whose bound (`max` bytes) the core checks, unless it is too long to copy. */
export function str(operation: string, field: string, value: unknown, max: number): string {
  if (typeof value !== "string") throw invalidType(operation, field, "a string", value);
  if (value.length > COPY_GUARD) {
    throw leaseholdError(operation, { code: "too_long", field, len: utf8Length(value), max });
  }
  return value;
}

/** A hold's item list: an array of strings, at most {@link MAX_ITEMS} of them. */
export function items(operation: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw invalidType(operation, "items", "an array of strings", value);
  if (value.length > MAX_ITEMS) {
    throw leaseholdError(operation, { code: "too_many", field: "items", count: value.length, max: MAX_ITEMS });
  }
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== "string") {
      throw leaseholdError(operation, { code: "invalid_type", field: "item", index: i, expected: "a string", reason: shown(item) });
    }
    if (item.length > COPY_GUARD) {
      throw leaseholdError(operation, { code: "too_long", field: "item", index: i, len: utf8Length(item), max: MAX_OWNER_BYTES });
    }
  }
  return value as string[];
}
