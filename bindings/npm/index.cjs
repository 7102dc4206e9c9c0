'use strict';
// The CommonJS entry for Node: the nodejs build of the wasm module, loaded synchronously.
require('./cjs/internal.js').useRaw(require('./wasm/node/leasehold_wasm.js'));
// The Lua scripts of the Redis driver, written by the build from the Rust crate leasehold-scripts.
require('./cjs/internal.js').useScripts(require('./scripts.json'));
module.exports = require('./cjs/index.js');
