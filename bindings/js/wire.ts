/**
 * The core's serialized outcomes in the JS API's shape: keys in camelCase, and each enum
 * variant as an object tagged with `kind` (`{"granted": {...}}` becomes `{kind: "granted", ...}`,
 * `"not_holder"` becomes `{kind: "notHolder"}`). One rule for every primitive.
 *
 * @module
 */

import { camel } from "./errors.js";
import type { Json } from "./types.js";

/** The struct variants of the core's outcome enums. */
const TAGGED = new Set(["granted", "denied", "released", "extended", "held", "reserved", "conflict", "cap_reached"]);

type Plain = { [key: string]: Converted };
/** A converted value. */
export type Converted = string | number | boolean | null | Converted[] | Plain;

function fields(object: { [key: string]: Json }, into: Plain): Plain {
  for (const key of Object.keys(object)) {
    const value = object[key];
    // A string in a field is data (an item, an event kind), never a variant.
    into[camel(key)] = typeof value === "string" ? value : outcome(value);
  }
  return into;
}

/** `value`, an outcome or a part of one, in the JS API's shape. */
export function outcome(value: Json): Converted {
  if (typeof value === "string") return { kind: camel(value) };
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(outcome);
  const keys = Object.keys(value);
  if (keys.length === 1 && TAGGED.has(keys[0])) {
    const inner = value[keys[0]];
    if (inner !== null && typeof inner === "object" && !Array.isArray(inner)) {
      return fields(inner, { kind: camel(keys[0]) });
    }
  }
  return fields(value, {});
}
