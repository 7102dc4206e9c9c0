/**
 * What only the package's entry points use: handing over the target's wasm module.
 *
 * @module
 */

export { useRaw, type RawModule } from "./raw.js";
export { useScripts, type Script } from "./redis/scripts.js";
