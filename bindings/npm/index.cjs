'use strict';
// The CommonJS entry for Node: the nodejs build of the wasm module, loaded synchronously.
require('./cjs/internal.js').useRaw(require('./wasm/node/leasehold_wasm.js'));
module.exports = require('./cjs/index.js');
