import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIO } from '../cli/io';
import { main } from '../cli/main';
import { DAY_MS } from '../model/time';
import { openStore } from '../store/sqlite-bar-store';
import { runSignals } from './run-signals';
import { forwardReturn, signalEvents } from './signal-stats';
import { connection } from '../store/internal';

/**
 * Crafted series: closes 1,2,3,4,5,4,3,2,1,2,3,4 then rising by 1 a day to 24 (32 bars); opens are the
 * previous close + 0.5. sma-cross 2/3 decides short at bar 6 (close 3) and long at bar 10 (close 3),
 * nothing after (the rise never crosses back).
 */
const closes = [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 4, ...Array.from({ length: 20 }, (_, k) => 5 + k)];
const T0 = Date.UTC(2020, 0, 1);
const root = join(__dirname, '../..');
let dir: string;
let db: string;

function specFile(name: string, spec: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(spec));
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-signals-'));
  db = join(dir, 's.db');
  const store = openStore(db);
  connection(store).prepare("INSERT INTO instruments (id, symbol) VALUES (1, 'AAA'), (2, 'FLAT')").run();
  const ins = connection(store).prepare('INSERT INTO bars VALUES (?, ?, ?, ?, ?, ?, ?)');
  closes.forEach((c, i) => {
    const open = i === 0 ? c : closes[i - 1] + 0.5;
    ins.run(1, T0 + i * DAY_MS, open, Math.max(open, c), Math.min(open, c), c, 100);
    ins.run(2, T0 + i * DAY_MS, 10, 10, 10, 10, 100);
  });
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { strategy: 'sma-cross', params: { fast: 2, slow: 3 }, symbols: ['AAA'] };

describe('signal analytics', () => {
  it('reports entries and hand-computed forward returns with close fills', () => {
    const store = openStore(db, { readonly: true });
    const r = runSignals(store, { ...base, fill: 'close', capital: 5000, commission: { rate: 0.001 } });
    store.close();
    if (!r.ok) throw new Error(r.error.message);
    const s = r.value.symbols[0];
    expect(s).toMatchObject({ symbol: 'AAA', signals: 2, long: 1, short: 1 });
    expect(s.events).toEqual([
      { time: '2020-01-07', side: 'short', price: 3 },
      { time: '2020-01-11', side: 'long', price: 3 },
    ]);
    const [h1, h5, h20] = s.horizons;
    // h1: short 3 → 2 (+1/3), long 3 → 4 (+1/3); no spread → no Sharpe
    expect(h1.all).toEqual({ count: 2, successRate: 1, avgReturn: expect.closeTo(1 / 3, 12), sharpe: null });
    // h5: short 3 → 4 (−1/3), long 3 → 8 (+5/3): mean 2/3, sd √2
    expect(h5.all.count).toBe(2);
    expect(h5.all.successRate).toBe(0.5);
    expect(h5.all.avgReturn).toBeCloseTo(2 / 3, 12);
    expect(h5.all.sharpe).toBeCloseTo((2 / 3 / Math.SQRT2) * Math.sqrt(252 / 5), 10);
    expect(h5.long).toEqual({ count: 1, successRate: 1, avgReturn: expect.closeTo(5 / 3, 12), sharpe: null });
    expect(h5.short.avgReturn).toBeCloseTo(-1 / 3, 12);
    // h20: short 3 → 19 (−16/3), long 3 → 23 (+20/3)
    expect(h20.short.avgReturn).toBeCloseTo(-16 / 3, 12);
    expect(h20.long.avgReturn).toBeCloseTo(20 / 3, 12);
    expect(r.value.total.horizons[1].all.avgReturn).toBeCloseTo(2 / 3, 12);
  });

  it('prices entries at the next open by default, and counts only signals from start', () => {
    const store = openStore(db, { readonly: true });
    const r = runSignals(store, base);
    const late = runSignals(store, { ...base, start: '2020-01-08' });
    store.close();
    if (!r.ok || !late.ok) throw new Error('failed');
    const s = r.value.symbols[0];
    // short at bar 6 enters at open[7] = close[6] + 0.5 = 3.5, long at bar 10 at open[11] = 3.5
    expect(s.events.map((e) => e.price)).toEqual([3.5, 3.5]);
    expect(s.horizons[0].short.avgReturn).toBeCloseTo(-(2 / 3.5 - 1), 12);
    expect(s.horizons[0].long.avgReturn).toBeCloseTo(4 / 3.5 - 1, 12);
    expect(late.value.symbols[0].events).toEqual([{ time: '2020-01-11', side: 'long', price: 3.5 }]);
  });

  it('drops horizons that run past the data and signals without a next bar', () => {
    const bars = {
      time: new Float64Array([0, 1, 2]),
      open: new Float64Array([1, 2, 3]),
      high: new Float64Array(3),
      low: new Float64Array(3),
      close: new Float64Array([1, 2, 4]),
      volume: new Float64Array(3),
    };
    const ev = signalEvents(new Float64Array([1, Number.NaN, -1]), bars, 'next-open');
    expect(ev.map((e) => [e.index, e.side, e.price])).toEqual([
      [0, 'long', 2],
      [2, 'short', Number.NaN],
    ]);
    expect(forwardReturn(ev[0], bars, 2)).toBeCloseTo(1, 12);
    expect(forwardReturn(ev[0], bars, 3)).toBeNaN();
    expect(forwardReturn(ev[1], bars, 1)).toBeNaN();
    // a repeated target is not a new entry; going flat then long again is
    expect(signalEvents(new Float64Array([1, 1, 0, 1]), bars as never, 'close').map((e) => e.index)).toEqual([0, 3]);
  });

  it('returns clear errors for bad specs', () => {
    const store = openStore(db, { readonly: true });
    const bad = (spec: unknown) => {
      const r = runSignals(store, spec);
      return r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`;
    };
    expect(bad({ ...base, strategy: 'nope' })).toMatch(/invalid-input: strategy: unknown strategy "nope"/);
    expect(bad({ ...base, params: { fast: 5, slow: 3 } })).toMatch(/params\.fast: fast must be < slow/);
    expect(bad({ strategy: 'sma-cross' })).toMatch(/exactly one of "symbols" or "universe"/);
    expect(bad({ ...base, symbols: ['ZZZ'] })).toMatch(/not-found: .*ZZZ/);
    expect(bad({ ...base, start: '2020-02-30' })).toMatch(/start: expected a date/);
    store.close();
  });

  it('runs from the CLI: --json on stdout, exit 2 on a bad spec', async () => {
    const io = bufferIO();
    expect(
      await main(
        ['signals', '--spec', specFile('ok.json', { ...base, universe: undefined }), '--db', db, '--json'],
        io,
      ),
    ).toBe(0);
    const out = JSON.parse(io.stdout());
    expect(out.horizons).toEqual([1, 5, 20]);
    expect(out.total).toMatchObject({ signals: 2, long: 1, short: 1 });
    const text = bufferIO();
    expect(
      await main(
        ['signals', '--spec', specFile('all.json', { ...base, symbols: undefined, universe: 'all' }), '--db', db],
        text,
      ),
    ).toBe(0);
    expect(text.stdout()).toMatch(/AAA\s+2/);
    expect(text.stdout()).toMatch(/FLAT\s+0/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "strategy": "sma-cross",\n  oops\n}');
    const e1 = bufferIO();
    expect(await main(['signals', '--spec', broken, '--db', db], e1)).toBe(2);
    expect(e1.stderr()).toMatch(/broken\.json:3: invalid JSON/);
    const e2 = bufferIO();
    const badPath = join(dir, 'bad.json');
    writeFileSync(badPath, JSON.stringify({ ...base, params: { slow: 3, fast: 'x' }, fill: 'tomorrow' }, null, 2));
    expect(await main(['signals', '--spec', badPath, '--db', db, '--json'], e2)).toBe(2);
    expect(e2.stdout()).toBe('');
    expect(e2.stderr()).toMatch(/bad\.json:10: fill: /); // the spec's own fields first
    const e3 = bufferIO();
    writeFileSync(badPath, JSON.stringify({ ...base, params: { slow: 3, fast: 'x' } }, null, 2));
    expect(await main(['signals', '--spec', badPath, '--db', db], e3)).toBe(2);
    expect(e3.stderr()).toMatch(/bad\.json:5: params\.fast: /);
    const e4 = bufferIO();
    writeFileSync(badPath, JSON.stringify({ ...base, strategy: 'nope' }, null, 2));
    expect(await main(['signals', '--spec', badPath, '--db', db], e4)).toBe(2);
    expect(e4.stderr()).toMatch(/bad\.json:2: strategy: unknown strategy "nope"/);
  });

  it('reports factor-rank entries when a name joins the picks, and single-symbol runs over a named universe', () => {
    const path = join(dir, 'f.db');
    const store = openStore(path);
    const syms = ['P', 'Q', 'R'];
    syms.forEach((sym, k) =>
      connection(store)
        .prepare('INSERT INTO instruments (id, symbol) VALUES (?, ?)')
        .run(k + 1, sym),
    );
    const ins = connection(store).prepare('INSERT INTO bars VALUES (?, ?, ?, ?, ?, ?, 100)');
    for (let i = 0; i < 70; i++) {
      // P flat at 10; Q rises 1% a day; R flat at 20 (open = close, so the next-open entry is the close)
      ins.run(1, T0 + i * DAY_MS, 10, 10, 10, 10);
      const q = 10 * 1.01 ** i;
      ins.run(2, T0 + i * DAY_MS, q, q, q, q);
      ins.run(3, T0 + i * DAY_MS, 20, 20, 20, 20);
    }
    const f = connection(store).prepare('INSERT INTO fundamentals VALUES (?, ?, ?, ?, ?)');
    f.run(1, 'book_value_per_share', T0 - 100 * DAY_MS, T0 - 50 * DAY_MS, 10); // B/P 1: the cheapest
    f.run(2, 'book_value_per_share', T0 - 100 * DAY_MS, T0 - 50 * DAY_MS, 5); // B/P 0.5
    f.run(3, 'book_value_per_share', T0 - 100 * DAY_MS, T0 - 50 * DAY_MS, 4); // B/P 0.2
    f.run(2, 'book_value_per_share', T0, T0 + 40 * DAY_MS, 50); // Q becomes the cheapest from day 40 (Feb 10)
    connection(store)
      .prepare(
        "INSERT INTO universes (name, instrument_id, valid_from, valid_to, known_at) VALUES ('IDX', 3, 0, NULL, 0)",
      )
      .run();
    const r = runSignals(store, {
      strategy: 'factor-rank',
      universe: 'all',
      params: { keep: 0.34, rank: [{ factor: 'book-to-price', order: 'descending' }] },
      fill: 'close',
    });
    const uni = runSignals(store, { strategy: 'sma-cross', universe: 'IDX' });
    store.close();
    if (!r.ok || !uni.ok) throw new Error('failed');
    // Jan 1: P picked; Feb 1 (day 31): still P (Q's restatement unknown); Mar 1 (day 60): Q replaces P
    const bySym = new Map(r.value.symbols.map((x) => [x.symbol, x]));
    expect(bySym.get('P')!.events).toEqual([{ time: '2020-01-01', side: 'long', price: 10 }]);
    expect(bySym.get('Q')!.events).toEqual([
      { time: '2020-03-01', side: 'long', price: expect.closeTo(10 * 1.01 ** 60, 9) },
    ]);
    expect(bySym.has('R')).toBe(false);
    expect(bySym.get('Q')!.horizons[0].all.avgReturn).toBeCloseTo(0.01, 12);
    expect(bySym.get('P')!.horizons[2].all).toMatchObject({ count: 1, successRate: 0, avgReturn: 0 });
    expect(uni.value.symbols.map((x) => x.symbol)).toEqual(['R']);
  });

  it('runs as the real binary', () => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'cli'], { cwd: root, stdio: 'pipe' });
    const r = spawnSync(
      process.execPath,
      [join(root, 'bin/quantdesk.js'), 'signals', '--spec', specFile('bin.json', base), '--db', db, '--json'],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).symbols[0].events).toHaveLength(2);
  });
});
