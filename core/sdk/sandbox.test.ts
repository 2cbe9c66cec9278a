import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { makePanel } from '../backtest/fixtures';
import { BacktestSpecSchema } from '../backtest/spec';
import { smaCross } from '../strategies/ma-cross';
import { setIndicatorMemoBudget, withIndicatorMemo } from '../indicators/memo';
import { runBacktestGuarded } from './guard';
import { loadSandboxedStrategy, setStrategyTimeoutMs, sourceHash, StrategyCodeError } from './sandbox';

function src(source: string, file = 'strat.ts') {
  return { name: file.replace(/\.[tj]s$/, ''), file, source, hash: sourceHash(source) };
}
const spec = (o: Record<string, unknown> = {}) => BacktestSpecSchema.parse({ strategy: 'x', symbols: ['A'], ...o });
const HEAD = `import { defineStrategy } from 'quantdesk/sdk';\n`;
const single = (body: string) =>
  `${HEAD}export default defineStrategy({ init: () => ({}), onBar(s, bar) { ${body} } });\n`;
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(StrategyCodeError);
    return (e as Error).message;
  }
  throw new Error('expected a StrategyCodeError');
}
const closes = Array.from({ length: 300 }, (_, i) => 100 + Math.sin(i / 7) * 10 + i * 0.05);
const panel = makePanel([{ symbol: 'A', open: closes, close: closes }]);

describe('sandbox', () => {
  it("gives the sandbox's own indicator memo the host's budget", () => {
    const text =
      `import { defineStrategy, indicators } from 'quantdesk/sdk';\n` +
      `export default defineStrategy({ init: () => ({ e: indicators.ema(3) }), onBar(s, bar) {\n` +
      `  s.e.next(bar.close);\n  return /Memo/.test(s.e.constructor.name) ? 1 : -1;\n} });\n`;
    const bar = { index: 0, time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 };
    const decide = () => {
      const user = loadSandboxedStrategy(src(text, 'memo-budget.ts'));
      if (user.kind !== 'single') throw new Error('single');
      return user.onBar(
        withIndicatorMemo(panel, 0, 10, () => user.init({})),
        bar,
      );
    };
    expect(decide()).toBe(1);
    // A byte: the host still opens a scope, but no recording fits in the sandbox's budget either.
    const prev = setIndicatorMemoBudget(1);
    try {
      expect(decide()).toBe(-1);
    } finally {
      setIndicatorMemoBudget(prev);
    }
  });

  it('runs a user sma-cross with the same trades as the built-in', () => {
    const file = join(__dirname, 'testdata', 'my-sma.ts');
    const user = loadSandboxedStrategy(src(readFileSync(file, 'utf8'), file));
    const a = runBacktest(spec({ params: { fast: 5, slow: 20 } }), panel, { strategy: smaCross });
    const b = runBacktestGuarded(spec({ params: { fast: 5, slow: 20 } }), panel, { strategy: user });
    expect(a.trades.length).toBeGreaterThan(3);
    expect(b.trades).toEqual(a.trades);
    expect(b.metrics).toEqual(a.metrics);
  });

  it('refuses an import of anything but the SDK at load, naming the file, line and module', () => {
    const msg = errorOf(() =>
      loadSandboxedStrategy(src(`import fs from 'fs';\n${single('return fs ? 1 : 0;')}`, 'leaky.ts')),
    );
    expect(msg).toBe(`leaky.ts:1:16: cannot import "fs": a strategy may import only quantdesk/sdk`);
  });

  it('gives user code no process, require, fetch, timers or clock', () => {
    for (const probe of [
      'process.exit(1)',
      'require("fs")',
      'fetch("http://127.0.0.1")',
      'setTimeout(() => 0, 1)',
      'Date.now()',
      'new Date()',
    ]) {
      const s = loadSandboxedStrategy(src(single(`${probe}; return 1;`), 'probe.ts'));
      const msg = errorOf(() => runBacktestGuarded(spec(), panel, { strategy: s }));
      expect(msg).toMatch(/^probe\.ts:2:\d+: /);
    }
  });

  it('disallows code generation from strings, also through constructors of anything reachable', () => {
    for (const probe of [
      'Function("return process")()',
      'eval("1")',
      'bar.constructor.constructor("return process")()',
      '(() => 0).constructor("return process")()',
      'globalThis.constructor.constructor("return process")()',
      's.constructor.constructor("return process")()',
    ]) {
      const s = loadSandboxedStrategy(src(single(`const p = ${probe}; return p ? 1 : 0;`), 'gen.ts'));
      const msg = errorOf(() => runBacktestGuarded(spec(), panel, { strategy: s }));
      expect(msg).toMatch(/^gen\.ts:2:\d+: .*(Code generation from strings disallowed|not defined)/);
    }
  });

  it('reports a runtime throw at the line and column of the user source', () => {
    const s = loadSandboxedStrategy(
      src(
        `${HEAD}\nexport default defineStrategy({\n  init: () => ({ n: 0 }),\n  onBar(s: { n: number }) {\n    if (++s.n === 50) throw new Error('boom at fifty');\n    return null;\n  },\n});\n`,
        'thrower.ts',
      ),
    );
    expect(errorOf(() => runBacktestGuarded(spec(), panel, { strategy: s }))).toBe('thrower.ts:6:29: boom at fifty');
  });

  it('stops an endless loop after the time limit with a clear message, and the host keeps going', () => {
    const s = loadSandboxedStrategy(src(single('if (bar.index === 10) for (;;) {} return null;'), 'loop.ts'));
    const t = Date.now();
    expect(errorOf(() => runBacktestGuarded(spec(), panel, { strategy: s }, 200))).toMatch(
      /^loop\.ts: the strategy was stopped after 0\.2 s without finishing a step/,
    );
    expect(Date.now() - t).toBeLessThan(5000);
    const again = runBacktest(spec(), panel, { strategy: smaCross });
    expect(again.metrics.trades).toBeGreaterThan(0);
  });

  it('bounds each call made outside a time-limited batch (the live runner steps bar by bar)', () => {
    setStrategyTimeoutMs(200);
    try {
      const s = loadSandboxedStrategy(src(single('if (bar.close > 0) for (;;) {} return null;'), 'live-loop.ts'));
      if (s.kind !== 'single') throw new Error('expected a single strategy');
      const state = s.init({});
      expect(
        errorOf(() => s.onBar(state, { index: 0, time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 })),
      ).toMatch(/^live-loop\.ts: the strategy was stopped after 0\.2 s/);
    } finally {
      setStrategyTimeoutMs(10_000);
    }
  });

  it('seeds Math.random per run: two runs are identical', () => {
    const s = loadSandboxedStrategy(
      src(single('return Math.random() < 0.1 ? (Math.random() < 0.5 ? 1 : -1) : null;'), 'rnd.ts'),
    );
    const a = runBacktestGuarded(spec(), panel, { strategy: s });
    const b = runBacktestGuarded(spec(), panel, { strategy: s });
    expect(a.trades.length).toBeGreaterThan(2);
    expect(b.trades).toEqual(a.trades);
  });

  it('validates params given as JSON-Schema properties, with defaults', () => {
    const s = loadSandboxedStrategy(
      src(
        `${HEAD}export default defineStrategy({ params: { n: { type: 'integer', default: 3, minimum: 1 } }, init: (p) => ({ p }), onBar: () => null });\n`,
      ),
    );
    expect(s.params.parse({})).toEqual({ n: 3 });
    const bad = s.params.safeParse({ n: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path).toEqual(['n']);
    expect((s.jsonSchema.properties as Record<string, unknown>).n).toMatchObject({
      type: 'integer',
      default: 3,
      minimum: 1,
    });
  });

  it('runs a user portfolio strategy through the point-in-time view, equal to the same logic as a built-in', async () => {
    const { pairsTrading } = await import('../strategies/sdk/pairs-trading');
    const file = join(__dirname, '..', 'strategies', 'sdk', 'pairs-trading.ts');
    // The built-in's own file, as a user file: only its SDK import path differs.
    const text = readFileSync(file, 'utf8')
      .replace("from '../../sdk'", "from 'quantdesk/sdk'")
      .replace('export const pairsTrading =', 'export default');
    const user = loadSandboxedStrategy(src(text, 'pairs.ts'));
    const a2 = closes.map((c, i) => c * (1 + 0.03 * Math.sin(i / 5)));
    const two = makePanel([
      { symbol: 'A', open: closes, close: closes },
      { symbol: 'B', open: a2, close: a2 },
    ]);
    const sp = spec({ symbols: ['A', 'B'], params: { lookback: 20, entry: 1.2 }, fill: 'close' });
    const a = runBacktest(sp, two, { strategy: pairsTrading });
    const b = runBacktestGuarded(sp, two, { strategy: user });
    expect(a.trades.length).toBeGreaterThan(2);
    expect(b.trades).toEqual(a.trades);
  });

  it("a portfolio strategy reads each symbol's current bar through view.bar", () => {
    const vols = closes.map((_, i) => (i % 10 === 0 ? 5000 : 1000));
    const p = makePanel([{ symbol: 'A', open: closes, close: closes, volume: vols }]);
    const s = loadSandboxedStrategy(
      src(
        `${HEAD}export default defineStrategy({ kind: 'portfolio', init: () => ({}), onBar(s, view) { return { A: view.bar('A', 'volume') > 2000 ? 1 : 0 }; } });\n`,
        'vol.ts',
      ),
    );
    const r = runBacktestGuarded(spec({ fill: 'close' }), p, { strategy: s });
    // Long on every 10th bar (volume 5000), flat the bar after: one round trip per spike.
    expect(r.trades.length).toBe(Math.ceil(closes.length / 10));
    for (const t of r.trades) expect(t.exitBar - t.entryBar).toBe(1);
    const bad = loadSandboxedStrategy(
      src(
        `${HEAD}export default defineStrategy({ kind: 'portfolio', init: () => ({}), onBar(s, view) { return { A: view.bar('A', 'vwap') } as any; } });\n`,
        'badfield.ts',
      ),
    );
    expect(errorOf(() => runBacktestGuarded(spec({ fill: 'close' }), p, { strategy: bad }))).toMatch(
      /^badfield\.ts:2:\d+: view\.bar: unknown field "vwap"/,
    );
  });

  it('a cross-sectional view hands user code no host object either', () => {
    const s = loadSandboxedStrategy(
      src(
        `${HEAD}export default defineStrategy({ kind: 'cross-sectional', rebalance: 'weekly', weights(p, view) { const f = view.close.constructor('return process')(); return { A: f ? 1 : 0 }; } });\n`,
        'xs.ts',
      ),
    );
    expect(
      errorOf(() => runBacktestGuarded(spec({ universe: 'all', symbols: undefined }), panel, { strategy: s })),
    ).toMatch(/^xs\.ts:2:\d+: Code generation from strings disallowed/);
  });

  it('reports a syntax error at its line', () => {
    expect(
      errorOf(() =>
        loadSandboxedStrategy(src(`${HEAD}export default defineStrategy({\n  init: () => ({},\n});\n`, 'syntax.ts')),
      ),
    ).toBe('syntax.ts:4:1: Unexpected "}"');
  });
});
