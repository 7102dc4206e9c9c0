/**
 * The raw wasm module as the package uses it: the class `leasehold-wasm` exports, and its
 * memory. Each entry point (`index.cjs`, `web.mjs`) hands its target's module to
 * {@link useRaw} before anything else runs.
 *
 * @module
 */

/**
 * The methods of the wasm class `RawEngine` (see `bindings/src`). Lock, semaphore and hold
 * methods answer `{"ok": outcome}` or `{"err": error}` as JSON text; a hold's items cross as
 * one string and their lengths.
 */
export interface RawEngine {
  out_ptr(): number;
  input_ptr(): number;
  take_error(): string;
  expire_json(now: number, budget: number): string;
  is_empty(): boolean;
  lock_acquire(key: string, owner: string, ttl: number, now: number): string;
  lock_release(key: string, owner: string, now: number): string;
  lock_extend(key: string, owner: string, ttl: number, now: number): string;
  lock_inspect(key: string, now: number): string;
  semaphore_acquire(key: string, owner: string, capacity: number, ttl: number, now: number): string;
  semaphore_release(key: string, owner: string, now: number): string;
  semaphore_extend(key: string, owner: string, ttl: number, now: number): string;
  semaphore_inspect(key: string, now: number): string;
  hold_reserve(namespace: string, itemText: string, itemLengths: Uint32Array, owner: string, ttl: number,
    hasMaxHolds: boolean, maxHolds: number, now: number): string;
  hold_release(namespace: string, itemText: string, itemLengths: Uint32Array, owner: string, now: number): string;
  hold_extend(namespace: string, itemText: string, itemLengths: Uint32Array, owner: string, ttl: number, now: number): string;
  hold_force_release(namespace: string, itemText: string, itemLengths: Uint32Array, now: number): string;
  hold_check(namespace: string, itemText: string, itemLengths: Uint32Array, now: number): string;
  hold_list(namespace: string, hasCursor: boolean, cursorExpiresAt: number, cursorItem: string, limit: number, now: number): string;
  hold_sweep(namespace: string, max: number, now: number): string;
  limit_check(key: string, algorithm: number, a: number, b: number, c: number, block: boolean,
    violations: number, within: number, blockFor: number, cost: number, now: number): number;
  limit_peek(key: string, algorithm: number, a: number, b: number, c: number, block: boolean,
    violations: number, within: number, blockFor: number, cost: number, now: number): number;
  limit_reset(key: string, algorithm: number, now: number): number;
  limit_rule(algorithm: number, a: number, b: number, c: number, block: boolean, violations: number, within: number,
    blockFor: number): number;
  limit_check_rule(len: number, cost: number, now: number): number;
  batch_reserve(bytes: number, count: number): void;
  batch_text_ptr(): number;
  batch_lengths_ptr(): number;
  batch_out_ptr(): number;
  limit_check_batch(count: number, cost: number, now: number): number;
}

/** A list of strings as it crosses: concatenated, with each one's length in UTF-16 code units. */
export function packStrings(list: readonly string[]): [string, Uint32Array] {
  const lengths = new Uint32Array(list.length);
  for (let i = 0; i < list.length; i++) lengths[i] = list[i].length;
  return [list.join(""), lengths];
}

/** What an entry point hands over. */
export interface RawModule {
  RawEngine: new (seed: number) => RawEngine;
  wasm_memory(): WebAssembly.Memory;
}

let loaded: RawModule | undefined;

/** Makes `raw` the module every engine is built on. Called once, by the entry point. */
export function useRaw(raw: RawModule): void {
  loaded = raw;
}

/** The module handed to {@link useRaw}. */
export function raw(): RawModule {
  if (loaded === undefined) {
    throw new Error("leasehold: the wasm module is not loaded (with leasehold/web, await init() first)");
  }
  return loaded;
}
