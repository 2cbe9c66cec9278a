import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// bin/code-cache.js: the CLI's bundles compiled from V8's saved code on later runs.
const root = join(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'qd-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(bundle = 'bundle.js'): { status: number | null; stdout: string; stderr: string } {
  const script = `require(${JSON.stringify(join(root, 'bin/code-cache.js'))}).install(${JSON.stringify(dir)});
    require(${JSON.stringify(join(dir, bundle))}).go().then((v) => console.log(v));`;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
}

describe('V8 code cache of the CLI bundles', () => {
  it('writes the cache once, runs the same from it, and survives a corrupt cache file', () => {
    // A bundle as esbuild writes them: CommonJS, __dirname, require of a sibling and a Node module.
    writeFileSync(join(dir, 'dep.js'), 'exports.k = 41;');
    writeFileSync(
      join(dir, 'bundle.js'),
      `const { k } = require('./dep'); const path = require('node:path');
       exports.go = async () => [k + 1, path.basename(__dirname) === ${JSON.stringify(join(dir).split('/').pop())}, require.resolve('./dep') === path.join(__dirname, 'dep.js')].join(',');`,
    );
    const first = run();
    expect(first.stderr).toBe('');
    expect(first.stdout.trim()).toBe('42,true,true');
    const files = readdirSync(join(dir, '.v8-cache'));
    expect(files.some((f) => f.startsWith('bundle.js-') && f.endsWith('.bin'))).toBe(true);
    expect(run().stdout.trim()).toBe('42,true,true');
    for (const f of files) writeFileSync(join(dir, '.v8-cache', f), 'not V8 code');
    const corrupt = run();
    expect(corrupt.stderr).toBe('');
    expect(corrupt.stdout.trim()).toBe('42,true,true');
  });

  it('compiles a bundle with a dynamic import as usual (no cache, no warning)', () => {
    writeFileSync(join(dir, 'dyn.js'), `exports.go = async () => (await import('node:os')).EOL === '\\n';`);
    const r = run('dyn.js');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('true');
    expect(readdirSync(join(dir, '.v8-cache')).some((f) => f.startsWith('dyn.js-'))).toBe(false);
  });
});
