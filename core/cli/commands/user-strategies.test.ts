import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../../store/import';
import { openStore } from '../../store/sqlite-bar-store';
import { STRATEGIES } from '../../strategies';
import { bufferIO } from '../io';
import { main } from '../main';

const ROOT = join(__dirname, '../../..');
const GOOG = readFileSync(join(ROOT, 'core/backtest/testdata/GOOG.csv'), 'utf8');
let dir: string;
let db: string;

async function cli(args: string[]) {
  const io = bufferIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const HEAD = `import { defineStrategy } from 'quantdesk/sdk';\n`;
const single = (body: string) =>
  `${HEAD}export default defineStrategy({ init: () => ({}), onBar(s, bar) { ${body} } });\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-user-'));
  db = join(dir, 't.db');
  const s = openStore(db);
  await importCsv(s, 'instruments', {
    fileName: 'i.csv',
    content: 'symbol,name,sector,currency,listed_on,delisted_on\nGOOG,Alphabet,Tech,USD,,\n',
  });
  const bars = GOOG.trim()
    .split('\n')
    .slice(1)
    .map((l) => `GOOG,${l}`)
    .join('\n');
  await importCsv(s, 'bars', { fileName: 'b.csv', content: `symbol,date,open,high,low,close,volume\n${bars}\n` });
  s.close();
  copyFileSync(join(ROOT, 'core/sdk/testdata/my-sma.ts'), join(dir, 'my-sma.ts'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('user strategies through the CLI', () => {
  it("a .ts sma-cross named by path (relative to the spec) gives the built-in's trades; the run keeps its source; rerun says when it changed", async () => {
    const user = write(
      'user.json',
      JSON.stringify({ strategy: './my-sma.ts', params: { fast: 10, slow: 30 }, symbols: ['GOOG'] }),
    );
    const builtin = write(
      'builtin.json',
      JSON.stringify({ strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: ['GOOG'] }),
    );
    const a = await cli(['backtest', '--spec', user, '--db', db, '--json']);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    const b = await cli(['backtest', '--spec', builtin, '--db', db, '--json', '--no-save']);
    const ua = JSON.parse(a.out);
    const ub = JSON.parse(b.out);
    expect(ua.trades.length).toBeGreaterThan(5);
    expect(ua.trades).toEqual(ub.trades);
    expect(ua.metrics).toEqual(ub.metrics);
    // edit the file: the rerun runs the stored source, equal to the run, and says the file changed
    const file = join(dir, 'my-sma.ts');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('return up ? 1 : down ? -1 : null;', 'return up ? -1 : down ? 1 : null;'),
    );
    const rr = await cli(['runs', 'rerun', ua.runId, '--db', db, '--json']);
    expect(rr.code).toBe(0);
    const rep = JSON.parse(rr.out);
    expect(rep.identical).toBe(true);
    expect(rep.strategyChanged).toBe(true);
    expect(rep.strategyHash).not.toBe(rep.currentStrategyHash);
    const edited = JSON.parse((await cli(['backtest', '--spec', user, '--db', db, '--json', '--no-save'])).out);
    expect(edited.trades).not.toEqual(ua.trades);
  });

  it('a sweep of a user strategy (worker threads, the source travelling with each job) equals its single backtests', async () => {
    const mine = join(dir, 'sweep-sma.ts');
    copyFileSync(join(ROOT, 'core/sdk/testdata/my-sma.ts'), mine);
    const sweep = write(
      'sweep.json',
      JSON.stringify({
        base: { strategy: './sweep-sma.ts', symbols: ['GOOG'] },
        grid: { fast: [5, 10], slow: [30, 40] },
        objective: 'sharpe',
        top: 4,
      }),
    );
    const r = await cli(['sweep', '--spec', sweep, '--db', db, '--workers', '2', '--json']);
    expect(r.err).toBe('');
    const out = JSON.parse(r.out) as {
      runs: number;
      failed: unknown[];
      results: { params: { fast: number; slow: number }; metrics: unknown }[];
    };
    expect(out.failed).toEqual([]);
    expect(out.results).toHaveLength(4);
    for (const res of out.results) {
      const spec = write(
        'one.json',
        JSON.stringify({ strategy: './sweep-sma.ts', symbols: ['GOOG'], params: res.params }),
      );
      const single = JSON.parse((await cli(['backtest', '--spec', spec, '--db', db, '--json', '--no-save'])).out);
      expect(res.metrics).toEqual(single.metrics);
    }
  });

  it('strategies add stores a file under its name; --json lists built-ins and stored ones with their source', async () => {
    const f = write(
      'breakout.ts',
      `${HEAD}export default defineStrategy({ name: 'my-breakout', description: 'close above yesterday high', params: { lookback: { type: 'integer', default: 3, minimum: 1 } }, init: (p) => ({ hi: NaN, p }), onBar(s, bar) { const up = bar.close > s.hi; s.hi = bar.high; return up ? 1 : 0; } });\n`,
    );
    const add = await cli(['strategies', 'add', f, '--db', db, '--json']);
    expect(add.err).toBe('');
    expect(JSON.parse(add.out)).toMatchObject({ name: 'my-breakout', version: 1, added: true, kind: 'single' });
    const list = JSON.parse((await cli(['strategies', '--json', '--db', db])).out) as {
      name: string;
      source: string;
      params: { properties: Record<string, unknown> };
    }[];
    expect(list.filter((s) => s.source === 'builtin').length).toBe(STRATEGIES.length);
    const mine = list.find((s) => s.name === 'my-breakout')!;
    expect(mine.source).toBe('user');
    expect(mine.params.properties.lookback).toMatchObject({ type: 'integer', default: 3, minimum: 1 });
    // a built-in's name is refused (it would never resolve to the stored copy)
    const clash = write(
      'clash.ts',
      `${HEAD}export default defineStrategy({ name: 'sma-cross', init: () => ({}), onBar: () => null });\n`,
    );
    const refused = await cli(['strategies', 'add', clash, '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/"sma-cross" is a built-in strategy's name/);
    // a spec can name the stored strategy
    const spec = write('stored.json', JSON.stringify({ strategy: 'my-breakout', symbols: ['GOOG'] }));
    const r = await cli(['backtest', '--spec', spec, '--db', db, '--json', '--no-save']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).trades.length).toBeGreaterThan(5);
  });

  it('each refusal ends in a clear error and exit 2, and the CLI keeps working', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'fs.ts',
        `import fs from 'fs';\n${single('return fs ? 1 : 0;')}`,
        /fs\.ts:1:16: cannot import "fs": a strategy may import only quantdesk\/sdk/,
      ],
      ['proc.ts', single('return process.pid ? 1 : 0;'), /proc\.ts:2:\d+: process is not defined/],
      ['fetch.ts', single('fetch("http://127.0.0.1:1/"); return 1;'), /fetch\.ts:2:\d+: fetch is not defined/],
      [
        'func.ts',
        single('return Function("return process")() ? 1 : 0;'),
        /func\.ts:2:\d+: Code generation from strings disallowed/,
      ],
      [
        'escape.ts',
        single('return bar.constructor.constructor("return process")() ? 1 : 0;'),
        /escape\.ts:2:\d+: Code generation from strings disallowed/,
      ],
      [
        'loop.ts',
        single('if (bar.index === 100) { for (;;) {} } return null;'),
        /loop\.ts: the strategy was stopped after 0\.3 s without finishing a step \(an endless loop\?\)/,
      ],
    ];
    for (const [name, source, expected] of cases) {
      write(name, source);
      const spec = write(`${name}.json`, JSON.stringify({ strategy: `./${name}`, symbols: ['GOOG'] }));
      const r = await cli(['backtest', '--spec', spec, '--db', db, '--no-save', '--strategy-timeout', '0.3']);
      expect(r.code, name).toBe(2);
      expect(r.err, name).toMatch(expected);
    }
    delete process.env.QUANTDESK_STRATEGY_TIMEOUT_MS;
    const ok = write('ok.json', JSON.stringify({ strategy: 'sma-cross', symbols: ['GOOG'] }));
    expect((await cli(['backtest', '--spec', ok, '--db', db, '--no-save'])).code).toBe(0);
  });

  it('strategies check passes a user sma-cross and catches a leaky strategy, naming the bar (exit 1)', async () => {
    const good = await cli(['strategies', 'check', join(dir, 'my-sma.ts'), '--db', db, '--symbol', 'GOOG']);
    expect(good.err).toBe('');
    expect(good.out).toMatch(/no look-ahead found/);
    expect(good.code).toBe(0);
    const bad = await cli(['strategies', 'check', join(ROOT, 'core/sdk/testdata/leaky.ts'), '--json']);
    expect(bad.code).toBe(1);
    const rep = JSON.parse(bad.out);
    expect(rep.ok).toBe(false);
    expect(rep.violation.bar).toBeGreaterThanOrEqual(0);
    const text = await cli(['strategies', 'check', join(ROOT, 'core/sdk/testdata/leaky.ts')]);
    expect(text.out).toMatch(/leaky: (not deterministic|LOOK-AHEAD).* bar \d+ \(\d{4}-\d\d-\d\d/);
  });
});
