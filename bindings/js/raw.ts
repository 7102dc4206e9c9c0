/**
 * The raw wasm module as the package uses it: the class `leasehold-wasm` exports, and its
 * memory. Each entry point (`index.cjs`, `web.mjs`) hands its target's module to
 * {@link useRaw} before anything else runs.
 *
 * @module
 */

/** The methods of the wasm class `RawEngine` (see `bindings/src`). */
export interface RawEngine {
  out_ptr(): number;
  take_error(): string;
  apply_json(request: string, now: number): string;
  expire_json(now: number, budget: number): string;
  is_empty(): boolean;
  limit_check(key: string, algorithm: number, a: number, b: number, c: number, block: boolean,
    violations: number, within: number, blockFor: number, cost: number, now: number): number;
  limit_peek(key: string, algorithm: number, a: number, b: number, c: number, block: boolean,
    violations: number, within: number, blockFor: number, cost: number, now: number): number;
  limit_reset(key: string, algorithm: number, now: number): number;
  limit_check_many(keys: string, lengths: Uint32Array, algorithm: number, a: number, b: number, c: number,
    block: boolean, violations: number, within: number, blockFor: number, cost: number, now: number): Float64Array | undefined;
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
