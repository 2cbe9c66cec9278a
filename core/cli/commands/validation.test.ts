import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns } from '../../backtest/registry';
import { createSyntheticStore } from '../../optimize/synthetic-market';
import { openStore } from '../../store/sqlite-bar-store';
import { bufferIO } from '../io';
import { main } from '../main';

// Hostile specs, each refused before any work: exit 2, the error printed once under the right
// field, and the run registry untouched.
let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-validate-'));
  db = join(dir, 'm.db');
  createSyntheticStore(db, { symbols: 2, days: 300, seed: 5 }).close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runCount(): number {
  const s = openStore(db, { readonly: true });
  try {
    return listRuns(s).length;
  } finally {
    s.close();
  }
}

let n = 0;
function file(content: unknown, bom = false): string {
  const path = join(dir, `spec-${n++}.json`);
  writeFileSync(path, (bom ? '\uFEFF' : '') + (typeof content === 'string' ? content : JSON.stringify(content)));
  return path;
}

async function cli(args: string[]) {
  const io = bufferIO();
  const code = await main(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** Runs `args`, expects exit 2 with `pattern` on stderr exactly once, nothing on stdout and nothing stored. */
async function refused(args: string[], pattern: RegExp): Promise<string> {
  const before = runCount();
  const r = await cli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.match(new RegExp(pattern.source, 'g')) ?? [], r.stderr).toHaveLength(1);
  expect(runCount()).toBe(before);
  return r.stderr;
}

const base = { strategy: 'sma-cross', symbols: ['S0000'] };
const sweep = { base, grid: { fast: [3, 5], slow: [20, 30] }, top: 2 };
const sweepArgs = (spec: unknown, bom = false) => [
  'sweep',
  '--spec',
  file(spec, bom),
  '--db',
  db,
  '--workers',
  '1',
  '--json',
];

describe('quantdesk sweep refuses a bad file before any run', () => {
  it('an unknown strategy', async () => {
    await refused(
      sweepArgs({ ...sweep, base: { ...base, strategy: 'nope' } }),
      /base\.strategy: unknown strategy "nope"/,
    );
  });
  it('a grid value of the wrong type, and a grid parameter the strategy does not have', async () => {
    await refused(sweepArgs({ ...sweep, grid: { fast: ['a', 'b'], slow: [20] } }), /grid\.fast: value "a": /);
    await refused(
      sweepArgs({ ...sweep, grid: { fast: [3], speed: [1, 2] } }),
      /grid\.speed: not a parameter of sma-cross/,
    );
  });
  it('a base parameter of the wrong type', async () => {
    await refused(
      sweepArgs({ ...sweep, base: { ...base, params: { slow: 'x' } }, grid: { fast: [3, 5] } }),
      /base\.params\.slow: /,
    );
  });
  it('an objective that is not a metric', async () => {
    await refused(sweepArgs({ ...sweep, objective: 'sharpness' }), /objective: expected a metric name/);
  });
  it('a constraint dividing by zero, a malformed one, and a 1 MB one (no stack overflow)', async () => {
    await refused(sweepArgs({ ...sweep, constraints: ['fast / 0 < slow'] }), /constraints\.0: .*division by zero/);
    await refused(sweepArgs({ ...sweep, constraints: ['fast <'] }), /constraints\.0: /);
    await refused(
      sweepArgs({ ...sweep, constraints: [`${'('.repeat(500_000)}fast${')'.repeat(500_000)} < slow`] }),
      /constraints\.0: /,
    );
  });
  it('more random samples than the cap', async () => {
    await refused(sweepArgs({ ...sweep, search: { kind: 'random', samples: 3_000_000 } }), /search\.samples: /);
  });
  it('an unknown symbol, once (not once per combination)', async () => {
    await refused(
      sweepArgs({ ...sweep, base: { ...base, symbols: ['NOPE'] } }),
      /base\.symbols: unknown symbol "NOPE"/,
    );
  });
  it('accepts a file saved with a UTF-8 byte order mark', async () => {
    const r = await cli(sweepArgs(sweep, true));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).runs).toBe(4);
  });
});

describe('quantdesk backtest and montecarlo refuse bad input before any run', () => {
  const bt = (spec: unknown, bom = false) => ['backtest', '--spec', file(spec, bom), '--db', db, '--json'];
  it('capital out of range, parameters of the wrong type, an unknown strategy', async () => {
    await refused(bt({ ...base, capital: 1e308 }), /capital: /);
    await refused(bt({ ...base, params: { fast: 'ten' } }), /params\.fast: /);
    await refused(bt({ ...base, strategy: 'nope' }), /strategy: unknown strategy "nope"/);
  });
  it('names an unknown benchmark as the benchmark', async () => {
    const err = await refused(bt({ ...base, benchmark: 'NADA' }), /benchmark: unknown symbol "NADA"/);
    expect(err).not.toMatch(/symbols:/);
  });
  it('accepts a spec file saved with a UTF-8 byte order mark', async () => {
    const r = await cli(bt({ ...base, params: { fast: 5, slow: 20 } }, true));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
  it('montecarlo caps the paths with a clear error', async () => {
    const r = await cli(['montecarlo', '--run', 'bt-none', '--db', db, '--paths', '1e12']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--paths: at most 1,000,000, got 1e12/);
  });
});
