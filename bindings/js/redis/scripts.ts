/**
 * The Lua scripts of `leasehold-scripts`, as the package build hands them over: `cargo xtask
 * wasm` writes `pkg/scripts.json` from the Rust crate, and the Node entry passes it to
 * {@link useScripts}. The scripts never live in this repository's JS, nor in the wasm.
 *
 * @module
 */

/** One script: its name (`lock_acquire`), the core transition it ports, its SHA-1 and source. */
export interface Script {
  name: string;
  transition: string;
  sha1: string;
  source: string;
}

let loaded: ReadonlyMap<string, Script> | undefined;

/** Makes `scripts` the ones every Redis engine runs. Called once, by the Node entry point. */
export function useScripts(scripts: readonly Script[]): void {
  loaded = new Map(scripts.map((script) => [script.name, script]));
}

/** The script named `name` (a name of `leasehold_scripts::SCRIPTS`). */
export function script(name: string): Script {
  const found = loaded?.get(name);
  if (found === undefined) {
    throw new Error(loaded === undefined
      ? "leasehold: the Redis scripts are not loaded (the Redis driver needs the Node entry of the package)"
      : `leasehold: no script named ${name} in the package's scripts.json`);
  }
  return found;
}

/** Every script handed over, for tests and tools. */
export function scripts(): Script[] {
  return loaded === undefined ? [] : [...loaded.values()];
}
