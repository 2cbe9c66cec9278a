import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/** `npm run bench` runs bundles (`node scripts/build.mjs bench` → out/bench/), like the CLI ships. */
const root = join(__dirname, '..');
const index = join(root, 'out', 'bench', 'index.js');

describe('bench bundles', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'bench'], { cwd: root, stdio: 'pipe' });
  });

  it('runs a named module from its own bundle and prints its tables', () => {
    const r = spawnSync(process.execPath, [index, 'ui'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^## ui$/m);
    expect(r.stdout).toMatch(/\| case \| median ms \| p10 ms \| p90 ms \| ratio \|/);
    expect(r.stdout).not.toMatch(/^## backtest$/m);
    // The ui module drives Chromium through serve: ~35 s alone, more beside the rest of the suite on 2 cores.
  }, 180_000);

  it('rejects an unknown module name with exit 2, listing the known ones', () => {
    const r = spawnSync(process.execPath, [index, 'nope'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown module\(s\) nope; known: .*backtest.*strategies/);
    expect(r.stdout).toBe('');
  });

  it('keeps bench modules pointed at the source tree and never self-started inside a bundle', () => {
    const backtest = readFileSync(join(root, 'out', 'bench', 'backtest.js'), 'utf8');
    // bench/backtest.ts finds the repo as join(__dirname, '..'): in out/bench/ that would be out/.
    expect(backtest).toContain(JSON.stringify(join(root, 'bench')));
    // Its "run when executed directly" check would be true in the bundle and run the benchmark twice.
    expect(backtest).not.toContain('require.main === module');
  });
});
