import { describe, expect, it } from 'vitest';
import { parseSpec } from './spec';
import { runBacktest } from './engine';
import { makePanel } from './fixtures';
import { randomBars } from '../strategies/fixtures';
import { getStrategy } from '../strategies';
import { namesIndependent } from '../strategy/independence';
import type { SingleStrategy } from '../strategy/types';

// 40 names, some starting late and some ending early (gaps at both ends), over 300 bars.
function widePanel() {
  const n = 300;
  const time = [...randomBars(n, 1).time];
  return makePanel(
    Array.from({ length: 40 }, (_, k) => {
      const b = randomBars(n, 10 + k);
      const from = k % 7 === 3 ? 40 : 0;
      const to = k % 5 === 2 ? 230 : n;
      const cut = (a: Float64Array) => [...a].map((x, i) => (i < from || i >= to ? Number.NaN : x));
      return {
        symbol: `N${k}`,
        open: cut(b.open),
        high: cut(b.high),
        low: cut(b.low),
        close: cut(b.close),
        volume: cut(b.volume),
      };
    }),
    time,
  );
}

describe('the multi-symbol loop', () => {
  it('steps a built-in name by name through each block with the same trades and equity as bar by bar across names', () => {
    const panel = widePanel();
    for (const name of ['ema-cross', 'rsi-reversion', 'donchian-breakout']) {
      const builtin = getStrategy(name) as SingleStrategy<unknown, unknown>;
      expect(namesIndependent(builtin)).toBe(true);
      // A copy is not declared independent: the engine steps it bar by bar across names, as before.
      const copy = { ...builtin } as SingleStrategy<unknown, unknown>;
      expect(namesIndependent(copy)).toBe(false);
      for (const extra of [
        {},
        { fill: 'close' },
        { exits: { stopLoss: { pct: 2 }, trailingStop: { pct: 3 } }, direction: 'long-short' },
      ]) {
        const p = parseSpec({
          strategy: name,
          params: name.endsWith('cross') ? { fast: 5, slow: 20 } : {},
          universe: 'all',
          sizing: 'equal-weight',
          direction: 'long-only',
          commission: { rate: 0.001, fixed: 1 },
          slippageBps: 3,
          ...extra,
        });
        if (!p.ok) throw new Error(p.errors.join('; '));
        const a = runBacktest(p.spec, panel, { strategy: builtin });
        const b = runBacktest(p.spec, panel, { strategy: copy });
        expect(a.trades.length).toBeGreaterThan(20);
        expect(a.trades).toEqual(b.trades);
        expect(a.openPositions).toEqual(b.openPositions);
        expect(Array.from(a.equity.value)).toEqual(Array.from(b.equity.value));
      }
    }
  });
});
