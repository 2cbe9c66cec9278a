/** New-strategy templates, one per kind: each a complete file a user can save and backtest as is. */
export const TEMPLATES = {
  single: `import { defineStrategy, indicators, crossedAbove, crossedBelow, z } from 'quantdesk/sdk';

// A single-instrument strategy: init once, then onBar for every bar in time order.
// Return 1 (long), -1 (short / exit when long-only), 0 (flat) or null (keep).
export default defineStrategy({
  name: 'my-sma-cross',
  description: 'Long when the fast SMA crosses above the slow SMA, short/exit when it crosses below',
  params: z.object({
    fast: z.number().int().min(1).default(10).describe('fast SMA period'),
    slow: z.number().int().min(2).default(30).describe('slow SMA period'),
  }),
  init: (p) => ({ fast: indicators.sma(p.fast), slow: indicators.sma(p.slow), pf: NaN, ps: NaN }),
  onBar(s, bar) {
    const f = s.fast.next(bar.close);
    const sl = s.slow.next(bar.close);
    const up = crossedAbove(s.pf, s.ps, f, sl);
    const down = crossedBelow(s.pf, s.ps, f, sl);
    s.pf = f;
    s.ps = sl;
    return up ? 1 : down ? -1 : null;
  },
});
`,
  'cross-sectional': `import { defineStrategy } from 'quantdesk/sdk';

// A cross-sectional strategy: at each rebalance date, target weights over the point-in-time universe.
export default defineStrategy({
  kind: 'cross-sectional',
  name: 'my-momentum',
  description: 'Monthly: hold the top N names by 6-month momentum, equally weighted',
  rebalance: 'monthly',
  params: {
    top: { type: 'integer', default: 10, minimum: 1, description: 'names held' },
    lookback: { type: 'integer', default: 126, minimum: 2, description: 'momentum window (days)' },
  },
  weights(p, view) {
    const scored = view.universe
      .map((s) => [s, view.close(s) / view.closeLag(s, p.lookback) - 1] as const)
      .filter(([, r]) => Number.isFinite(r))
      .sort((a, b) => b[1] - a[1])
      .slice(0, p.top);
    return Object.fromEntries(scored.map(([s]) => [s, 1 / scored.length]));
  },
});
`,
  portfolio: `import { defineStrategy } from 'quantdesk/sdk';

// A portfolio strategy: every bar, every symbol's current bar and point-in-time facts; own state;
// return target weights, or null to keep the book.
export default defineStrategy({
  kind: 'portfolio',
  name: 'my-rotation',
  description: 'Weekly rotation into the symbol with the best 20-day return, cash if none is positive',
  params: { lookback: { type: 'integer', default: 20, minimum: 2 } },
  init: (p) => ({ p, week: -1 }),
  onBar(s, view) {
    const week = Math.floor((view.date / 86400000 + 3) / 7);
    if (week === s.week) return null;
    s.week = week;
    let best = '';
    let bestR = 0;
    for (const sym of view.universe) {
      const r = view.close(sym) / view.closeLag(sym, s.p.lookback) - 1;
      if (r > bestR) [best, bestR] = [sym, r];
    }
    return best ? { [best]: 1 } : {};
  },
});
`,
} as const;

export type TemplateKind = keyof typeof TEMPLATES;
