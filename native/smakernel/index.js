'use strict';
// The compiled addon (built by `node-gyp rebuild` at install). Requiring this throws where it was not built.
// eslint-disable-next-line @typescript-eslint/no-require-imports
module.exports = require('./build/Release/smakernel.node');
