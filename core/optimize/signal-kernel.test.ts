import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { runBacktestGuarded } from '../sdk/guard';
import { parseSpec, type BacktestSpec } from '../backtest/spec';
import type { Metrics } from '../backtest/types';
import { loadPanel } from '../data/panel';
import type { Panel } from '../data/panel-types';
import { clearIndicatorMemo, indicatorMemoStats } from '../indicators/memo';
import type { Store } from '../store/sqlite-bar-store';
import { STRATEGIES } from '../strategies';
import type { SingleStrategy } from '../strategy/types';
import { NeedsEngineError, signalKernel, signalKernelIneligibility } from './signal-kernel';
import { eventKernel, type EventSource } from './event-kernel';
import type { Params } from './sweep-spec';
import { createSyntheticStore } from './synthetic-market';
import { readFileSync } from 'node:fs';
import { loadSandboxedStrategy, sourceHash } from '../sdk/sandbox';
import { connection } from '../store/internal';

let dir: string;
let store: Store;
let panel: Panel;
const SYMBOLS = ['S0000', 'S0001', 'S0002', 'S0003'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-signal-kernel-'));
  store = createSyntheticStore(join(dir, 'k.db'), { symbols: 4, days: 500, seed: 33 });
  // S0002 is delisted early, S0003 has a gap: the kernel must follow the engine through both.
  const id = (sym: string) =>
    (connection(store).prepare('SELECT id FROM instruments WHERE symbol = ?').get(sym) as { id: number }).id;
  const days = connection(store).prepare('SELECT DISTINCT ts FROM bars ORDER BY ts').pluck().all() as number[];
  connection(store).prepare('DELETE FROM bars WHERE instrument_id = ? AND ts > ?').run(id('S0002'), days[300]);
  connection(store)
    .prepare('DELETE FROM bars WHERE instrument_id = ? AND ts BETWEEN ? AND ?')
    .run(id('S0003'), days[120], days[160]);
  panel = loadPanel(store, { symbols: SYMBOLS, adjustment: 'pit' } as never);
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function spec(strategy: string, extra: object = {}): BacktestSpec {
  const p = parseSpec({ strategy, symbols: SYMBOLS, sizing: { method: 'fixed-qty', qty: 10 }, ...extra });
  if (!p.ok) throw new Error(p.errors.join('; '));
  return p.spec;
}

function expectClose(kernel: Metrics, exact: Metrics, what: string): void {
  for (const [k, v] of Object.entries(exact)) {
    const got = (kernel as unknown as Record<string, number | null>)[k];
    if (v === null) expect(got, `${what} ${k}`).toBeNull();
    else
      expect(Math.abs((got as number) - v), `${what} ${k}: ${got} vs ${v}`).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(v)),
      );
  }
}

/** A few combinations around a strategy's defaults: each numeric parameter moved up and down (some invalid). */
function combosFor(strategy: SingleStrategy<unknown, unknown>): Params[] {
  const defaults = strategy.params.parse({}) as Record<string, unknown>;
  const out: Params[] = [{}];
  for (const [k, v] of Object.entries(defaults)) {
    if (typeof v !== 'number') continue;
    const step = Number.isInteger(v) ? Math.max(1, Math.round(v / 3)) : v / 3;
    out.push({ [k]: v + step }, { [k]: v - step });
  }
  return out;
}

const singles = STRATEGIES.filter((s) => s.kind === 'single') as SingleStrategy<unknown, unknown>[];

describe('signal kernel', () => {
  const settings = [
    [
      'next-open, long-short, commission and slippage',
      { direction: 'long-short', commission: { rate: 0.001, fixed: 1 }, slippageBps: 5 },
    ],
    [
      'fill at close, long-only, fractional units, close at end',
      {
        fill: 'close',
        direction: 'long-only',
        wholeUnits: false,
        sizing: { method: 'fixed-qty', qty: 2.5 },
        closeAtEnd: true,
      },
    ],
    [
      'a sub-range with a warm-up through the gap',
      { start: '2015-09-01', end: '2016-06-30', warmup: 80, commission: { rate: 0.0005 } },
    ],
  ] as const;
  for (const strategy of singles) {
    it(`${strategy.name}: equals the exact engine for every combination and setting`, () => {
      const combos = combosFor(strategy);
      let compared = 0;
      let traded = 0;
      for (const [name, extra] of settings) {
        const s = spec(strategy.name, extra);
        expect(signalKernelIneligibility(s, strategy)).toBeNull();
        let got;
        try {
          got = signalKernel(s, panel, strategy, combos);
        } catch (e) {
          // Strategies that place order intents (limits, protective levels) are the engine's.
          expect(e).toBeInstanceOf(NeedsEngineError);
          // The one built-in that does: ichimoku-targets (limit entries with protective levels).
          expect(strategy.name).toBe('ichimoku-targets');
          return;
        }
        combos.forEach((p, k) => {
          const parsed = strategy.params.safeParse({ ...s.params, ...p });
          const row = got[k];
          if (!parsed.success) {
            expect(row.ok).toBe(false);
            return;
          }
          if (!row.ok) throw new Error(`${name} ${JSON.stringify(p)}: ${row.error}`);
          const exact = runBacktest({ ...s, params: { ...s.params, ...p } }, panel, { strategy }).metrics;
          expectClose(row.metrics, exact, `${name} ${JSON.stringify(p)}`);
          compared++;
          traded += exact.trades;
        });
      }
      expect(compared).toBeGreaterThan(3);
      expect(traded).toBeGreaterThan(0);
    });
  }

  it('shares indicator work across combinations (each EMA once per symbol)', () => {
    clearIndicatorMemo();
    const ema = singles.find((s) => s.name === 'ema-cross')!;
    const combos: Params[] = [];
    for (const fast of [5, 10, 15]) for (const slow of [20, 30, 40]) combos.push({ fast, slow });
    signalKernel(spec('ema-cross'), panel, ema, combos);
    const st = indicatorMemoStats();
    // 6 distinct periods × 4 symbols recorded once; 18 streams per symbol in all.
    expect(st.recorded).toBe(6 * 4);
    expect(st.replayed).toBe(18 * 4 - 6 * 4);
    expect(st.diverged).toBe(0);
  });

  it('runs a user-written strategy from the sandbox with the same numbers as the built-in it copies', () => {
    const file = join(__dirname, '..', '..', 'bench', 'testdata', 'my-ema.ts');
    const source = readFileSync(file, 'utf8');
    const user = loadSandboxedStrategy({ name: 'my-ema', file, source, hash: sourceHash(source) }) as SingleStrategy<
      unknown,
      unknown
    >;
    const ema = singles.find((s) => s.name === 'ema-cross')!;
    const combos: Params[] = [];
    for (const fast of [5, 10]) for (const slow of [20, 30]) combos.push({ fast, slow });
    const s = spec('ema-cross', { commission: { rate: 0.001 } });
    // Twice: the second pass replays the sandbox's own indicator recordings.
    for (let pass = 0; pass < 2; pass++) {
      const mine = signalKernel({ ...s, strategy: 'my-ema' }, panel, user, combos);
      const theirs = signalKernel(s, panel, ema, combos);
      expect(mine).toEqual(theirs);
    }
    const exact = runBacktest({ ...s, params: { fast: 5, slow: 30 } }, panel, { strategy: ema }).metrics;
    const row = signalKernel({ ...s, strategy: 'my-ema' }, panel, user, [{ fast: 5, slow: 30 }])[0];
    if (!row.ok) throw new Error(row.error);
    expectClose(row.metrics, exact, 'my-ema 5/30');
  });

  it('steps a user strategy inside its sandbox exactly as the engine does: every bar field, the seeded random, intents, errors, the time limit', () => {
    const source = [
      "import { defineStrategy, indicators, z } from 'quantdesk/sdk';",
      'export default defineStrategy({',
      "  name: 'every-field',",
      '  params: z',
      '    .object({',
      '      n: z.number().int().min(2).default(10),',
      '      intentAt: z.number().int().default(-1),',
      '      throwAt: z.number().int().default(-1),',
      '      loopAt: z.number().int().default(-1),',
      '      random: z.boolean().default(false),',
      '    })',
      '    .strict(),',
      '  init: (p) => ({ p, atr: indicators.atr(p.n), mid: indicators.sma(p.n), seen: 0 }),',
      '  onBar(s, bar) {',
      "    if (bar.index === s.p.intentAt) return { target: 1, type: 'limit', price: bar.close * 0.99 };",
      "    if (bar.index === s.p.throwAt) throw new Error('boom at ' + bar.index);",
      '    if (bar.index === s.p.loopAt) for (;;) {}',
      '    s.seen++;',
      '    const a = s.atr.next(bar);',
      '    const m = s.mid.next((bar.high + bar.low) / 2);',
      '    const coin = s.p.random ? Math.random() : 0.6;',
      '    const wednesday = new Date(bar.time).getUTCDay() === 3;',
      '    if (Number.isNaN(a) || s.seen !== bar.index + 1) return NaN;',
      '    if (bar.volume > 0 && bar.open > m + 0.2 * a && coin > 0.3) return wednesday ? 0.5 : 1;',
      '    if (bar.open < m - 0.2 * a) return coin > 0.5 ? -1 : 0;',
      '    return null;',
      '  },',
      '});',
    ].join('\n');
    const file = join(dir, 'every-field.ts');
    const user = loadSandboxedStrategy({
      name: 'every-field',
      file,
      source,
      hash: sourceHash(source),
    }) as SingleStrategy<unknown, unknown>;
    let traded = 0;
    for (const [, extra] of settings) {
      const s = { ...spec(singles[0].name, extra), strategy: 'every-field' };
      const combos: Params[] = [{ n: 5 }, { n: 14 }, { n: 1 }];
      const got = signalKernel(s, panel, user, combos);
      expect(got[2].ok).toBe(false);
      for (const k of [0, 1]) {
        const row = got[k];
        if (!row.ok) throw new Error(row.error);
        const exact = runBacktestGuarded({ ...s, params: combos[k] }, panel, { strategy: user }).metrics;
        expectClose(row.metrics, exact, `every-field ${JSON.stringify(combos[k])}`);
        traded += exact.trades;
      }
    }
    expect(traded).toBeGreaterThan(0);
    const s = { ...spec(singles[0].name), strategy: 'every-field' };
    expect(() => signalKernel(s, panel, user, [{ n: 5 }, { intentAt: 30 }])).toThrow(NeedsEngineError);
    expect(() => signalKernel(s, panel, user, [{ throwAt: 50 }])).toThrow(/every-field\.ts:16:\d+: boom at 50/);
    // Math.random is one sequence per sandbox, drawn across names bar by bar in the engine: one name is
    // the kernel's, several are the engine's.
    expect(() => signalKernel(s, panel, user, [{ random: true }])).toThrow(/Math\.random/);
    const one = { ...s, symbols: ['S0001'], params: { random: true } };
    const row = signalKernel(one, panel, user, [{}])[0];
    if (!row.ok) throw new Error(row.error);
    const exact = runBacktestGuarded(one, panel, { strategy: user }).metrics;
    expect(exact.trades).toBeGreaterThan(0);
    expectClose(row.metrics, exact, 'every-field with Math.random on one name');
    expect(() => signalKernel(s, panel, user, [{ loopAt: 40 }], 300)).toThrow(/stopped after 0\.3 s/);
  });

  it('gives a user strategy the bar as a plain object: a field first read mid-run, a spread copy, a write, kernel or engine first', () => {
    // The sandbox fills per bar only the fields user code has touched; the others turn plain at first touch.
    const source = [
      "import { defineStrategy, z } from 'quantdesk/sdk';",
      'export default defineStrategy({',
      "  name: 'late-field',",
      '  params: z.object({ from: z.number().int().default(0) }).strict(),',
      '  init: (p) => ({ p, prev: null, hi: -Infinity }),',
      '  onBar(s, bar) {',
      '    const copy = { ...bar };',
      '    if (Object.keys(copy).join() !== "index,time,open,high,low,close,volume") throw new Error("keys " + Object.keys(copy));',
      '    if (bar.index >= s.p.from && bar.high > s.hi) s.hi = bar.high;',
      '    if (bar.index === s.p.from + 7) bar.volume = -1;',
      '    const prev = s.prev;',
      '    s.prev = copy;',
      '    if (prev === null || prev.index !== bar.index - 1 || prev.volume < 0) return null;',
      '    if (bar.close > prev.high && bar.time > prev.time) return 1;',
      '    return bar.close < prev.low || bar.high >= s.hi ? -1 : null;',
      '  },',
      '});',
    ].join('\n');
    const load = () =>
      loadSandboxedStrategy({
        name: 'late-field',
        file: join(dir, 'late-field.ts'),
        source,
        hash: sourceHash(source),
      }) as SingleStrategy<unknown, unknown>;
    const s = { ...spec(singles[0].name), strategy: 'late-field', symbols: ['S0001'] };
    const combos: Params[] = [{ from: 40 }, { from: 0 }, { from: 300 }];
    for (const kernelFirst of [true, false]) {
      const user = load();
      const exact = (p: Params) => runBacktestGuarded({ ...s, params: p }, panel, { strategy: user }).metrics;
      const before = kernelFirst ? [] : combos.map(exact);
      const got = signalKernel(s, panel, user, combos);
      const after = kernelFirst ? combos.map(exact) : before;
      combos.forEach((p, k) => {
        const row = got[k];
        if (!row.ok) throw new Error(row.error);
        expect(after[k].trades).toBeGreaterThan(0);
        expectClose(row.metrics, after[k], `late-field ${JSON.stringify(p)} (kernel first: ${kernelFirst})`);
      });
    }
  });

  it("calls a user strategy's onBar as a method of its defineStrategy object, in the kernel as in the engine", () => {
    // The kernel's bar loop calls onBar through a shared call site (see barsLoop in core/sdk/sandbox.ts):
    // `this` must still be the strategy, as the engine's per-bar call makes it.
    const source = [
      "import { defineStrategy, indicators, z } from 'quantdesk/sdk';",
      'export default defineStrategy({',
      "  name: 'this-bound',",
      '  params: z.object({ n: z.number().int().min(2).default(12) }).strict(),',
      '  init: (p) => ({ ma: indicators.sma(p.n), prev: NaN }),',
      '  onBar(s, bar) {',
      "    if (this === undefined || this.kind !== 'single' || this.name !== 'this-bound') throw new Error('this is ' + this);",
      '    const m = s.ma.next(bar.close);',
      '    const up = s.prev <= m && bar.close > m;',
      '    s.prev = bar.close;',
      '    return up ? 1 : bar.close < m ? 0 : null;',
      '  },',
      '});',
    ].join('\n');
    const user = loadSandboxedStrategy({
      name: 'this-bound',
      file: join(dir, 'this-bound.ts'),
      source,
      hash: sourceHash(source),
    }) as SingleStrategy<unknown, unknown>;
    const s = { ...spec(singles[0].name), strategy: 'this-bound' };
    const combos: Params[] = [{ n: 5 }, { n: 20 }];
    const got = signalKernel(s, panel, user, combos);
    combos.forEach((p, k) => {
      const row = got[k];
      if (!row.ok) throw new Error(row.error);
      const exact = runBacktestGuarded({ ...s, params: p }, panel, { strategy: user }).metrics;
      expect(exact.trades).toBeGreaterThan(0);
      expectClose(row.metrics, exact, `this-bound ${JSON.stringify(p)}`);
    });
  });

  it('runs a time-limited source in groups of about 50 ms, resuming where each left off, with the same numbers', () => {
    const s = spec('ema-cross');
    const nv = 6;
    const layout = { nv, pred: Int32Array.from({ length: nv }, (_, r) => r - 1), tiles: [[0, 1, 2, 3, 4, 5]] };
    let spinMs = 0;
    const source = (around: boolean, groups: number[]): EventSource => ({
      symbolsPerBlock: 1,
      prepare: () => {},
      events(r, x, _b, at, target) {
        const until = performance.now() + spinMs;
        while (performance.now() < until);
        let k = 0;
        for (let j = x.w0 + r; j < x.m; j += 40 + 7 * r) {
          at[k] = j;
          target[k++] = k % 3 === 0 ? 0 : k % 2 ? 1 : -1;
        }
        return k;
      },
      ...(around ? { around: (group: () => void) => (groups.push(0), group()) } : {}),
    });
    const plain = eventKernel(s, panel, layout, source(false, []), 'test');
    spinMs = 20;
    const groups: number[] = [];
    const grouped = eventKernel(s, panel, layout, source(true, groups), 'test');
    // 4 symbols × 6 passes of 20 ms each: at most 3 passes fit a group of 50 ms (plus the pass that crosses it).
    expect(groups.length).toBeGreaterThanOrEqual(8);
    expect(grouped).toEqual(plain);
    expect(plain.some((m) => m.trades > 0)).toBe(true);
  });

  it('hands order intents to the engine, and refuses specs it cannot model', () => {
    const intents: SingleStrategy<unknown, unknown> = {
      ...singles[0],
      name: 'intents',
      onBar: (_s, bar) => (bar.index === 30 ? { target: 1, type: 'limit', price: bar.close * 0.99 } : null),
    };
    expect(() => signalKernel(spec(singles[0].name), panel, intents, [{}])).toThrow(NeedsEngineError);
    const s = spec('ema-cross');
    expect(signalKernelIneligibility({ ...s, sizing: { method: 'equal-weight' } } as BacktestSpec, singles[0])).toMatch(
      /fixed-qty/,
    );
    expect(signalKernelIneligibility({ ...s, benchmark: 'S0000' }, singles[0])).toMatch(/benchmark/);
    expect(
      signalKernelIneligibility(
        s,
        STRATEGIES.find((x) => x.kind !== 'single'),
      ),
    ).toMatch(/single-symbol/);
  });
});
