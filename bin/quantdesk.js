#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'out', 'cli', 'index.js');
if (!existsSync(entry)) {
  process.stderr.write(`quantdesk: the CLI is not built (${entry} is missing); run \`npm run build:cli\`.\n`);
  process.exit(1);
}
// `quantdesk ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
if (process.env.QUANTDESK_NO_CODE_CACHE !== '1') require('./code-cache').install(join(__dirname, '..', 'out', 'cli'));
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
