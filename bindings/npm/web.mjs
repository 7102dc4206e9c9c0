// The web entry (browsers, `www/`): the web build of the wasm module. Await `init()` once
// before creating an engine; it fetches `wasm/web/leasehold_wasm_bg.wasm` next to this file
// unless given the module or its URL.
import init, * as raw from './wasm/web/leasehold_wasm.js';
import { useRaw } from './esm/internal.js';

useRaw(raw);

export * from './esm/index.js';
export default init;
export { init };
