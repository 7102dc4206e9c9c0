export * from "./types/index.js";

/** Where the wasm module comes from: its URL, a response, bytes or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the wasm module; await it once before creating an engine. Without an argument it
 * fetches `wasm/web/leasehold_wasm_bg.wasm` next to `web.mjs`.
 */
export declare function init(input?: InitInput | Promise<InitInput> | { module_or_path: InitInput | Promise<InitInput> }): Promise<unknown>;
export default init;
