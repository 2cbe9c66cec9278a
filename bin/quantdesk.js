#!/usr/bin/env node
'use strict';
// NODE_EXTRA_CA_CERTS: where it is set, Node 20 parses that CA file before this line runs (~50 ms of a
// backtest's start with the system bundle there). `backtest` opens no TLS connection (neither its bundle nor
// its externals, better-sqlite3 and esbuild, require net, tls, http or https), so launching it without the
// variable would be sound, but only a launcher can: `#!/bin/sh` with a sh/JS polyglot (npm's Windows shim would
// then run /bin/sh, which is not there) or `#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node` (the shim cannot
// parse it, and every command would lose the variable). Left as it is; `npm run bench -- backtest` shows the cost.
// QUANTDESK_TIMINGS=1: phase marks (core/cli/timings.ts), printed on stderr at exit, ms since the process started.
const TIMINGS = process.env.QUANTDESK_TIMINGS === '1' ? Symbol.for('quantdesk.timings') : undefined;
const mark = (name, wall = performance.now()) => {
  const cpu = process.cpuUsage();
  globalThis[TIMINGS].push([name, wall, (cpu.user + cpu.system) / 1000]);
};
if (TIMINGS) {
  globalThis[TIMINGS] = [];
  mark('node', performance.nodeTiming.bootstrapComplete);
  mark('bin');
  process.once('exit', () => {
    mark('exit');
    const r = (x) => Math.round(x * 100) / 100;
    const marks = globalThis[TIMINGS];
    const wall = Object.fromEntries(marks.map(([k, t]) => [k, r(t)]));
    const cpu = Object.fromEntries(marks.map(([k, , c]) => [k, r(c)]));
    process.stderr.write(`quantdesk timings: ${JSON.stringify({ wall, cpu })}\n`);
  });
}
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
const cli = require(entry);
if (TIMINGS) mark('dispatcher');
// Commands whose work is all done when main() resolves: no server, worker, timer or stream left running,
// the store closed. They exit as soon as stdout and stderr are flushed, without waiting for Node to tear
// down the heap (tens of ms after a 100,000-bar run). Other commands end when their last handle does.
const EXIT_WHEN_DONE = new Set(['backtest']);
// An empty write's callback runs once everything queued before it is written (where stdout is asynchronous).
const flushed = (stream) =>
  new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve())));
cli.main(process.argv.slice(2)).then(async (code) => {
  if (TIMINGS) mark('done');
  process.exitCode = code;
  if (!EXIT_WHEN_DONE.has(process.argv[2])) return;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
});
