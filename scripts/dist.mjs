#!/usr/bin/env node
// `npm run dist`: builds, packages with electron-builder for the current platform (extra arguments
// are passed on, e.g. `npm run dist -- --linux deb`), then rebuilds better-sqlite3 for Node.
// electron-builder rebuilds native modules for Electron's ABI in place in node_modules; without the
// last step the tests and the `quantdesk` CLI would fail with NODE_MODULE_VERSION errors.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, args) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;

let status = run(process.execPath, [join(root, 'scripts/build.mjs'), 'all']);
if (status === 0) {
  status = run(process.execPath, [
    join(root, 'node_modules/electron-builder/cli.js'),
    '--config',
    'electron-builder.yml',
    '--publish',
    'never',
    ...process.argv.slice(2),
  ]);
}
console.log('dist: rebuilding better-sqlite3 for Node (electron-builder left it built for Electron)');
const restored = run(npm, ['rebuild', 'better-sqlite3']);
const check = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
  cwd: root,
  stdio: 'inherit',
});
if (restored !== 0 || check.status !== 0) {
  console.error(
    'dist: better-sqlite3 could not be rebuilt for Node; run `npm rebuild better-sqlite3` before the tests.',
  );
  if (status === 0) status = 1;
}
process.exit(status);
