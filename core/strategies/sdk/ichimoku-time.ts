import { defineStrategy, indicators, SwingTracker, z } from '../../sdk';

/**
 * `ichimoku-time`: Ichimoku time theory. Swing highs and lows are confirmed `strength` bars after they
 * happen (never earlier); the bars counted from the last swing are compared with the basic numbers 9,
 * 17, 26, 33, 42, 65, 76. On a basic-number bar (within `tolerance`) a turn is expected: counted from a
 * swing low with the close above the Ichimoku base line → long; counted from a swing high with the
 * close below it → short/exit.
 */
export const ichimokuTime = defineStrategy({
  name: 'ichimoku-time',
  description:
    'Ichimoku time theory: on a basic number (9, 17, 26, 33, 42, 65, 76) of bars from the last swing, trade the side the base line confirms',
  params: z
    .object({
      strength: z.number().int().min(1).default(3).describe('bars on each side that confirm a swing'),
      tolerance: z.number().int().min(0).default(1).describe('bars of slack around a basic number'),
      base: z.number().int().min(1).default(26).describe('Ichimoku base-line (kijun) period'),
    })
    .strict(),
  init: (p) => ({
    p,
    swings: new SwingTracker(p.strength),
    ichi: indicators.ichimoku(9, p.base, 52),
    last: 0,
    lastTimeBar: -1,
  }),
  onBar(s, bar) {
    s.swings.next(bar);
    const line = s.ichi.next(bar).base;
    const n = s.swings.timeNumber(s.p.tolerance);
    if (n === 0 || Number.isNaN(line)) return null;
    // One decision per basic number (the tolerance window spans several bars).
    const from = s.swings.swings[s.swings.swings.length - 1];
    const key = from.index * 100 + n;
    if (key === s.lastTimeBar) return null;
    s.lastTimeBar = key;
    let want = s.last;
    if (from.type === -1 && bar.close > line) want = 1;
    else if (from.type === 1 && bar.close < line) want = -1;
    if (want === s.last) return null;
    s.last = want;
    return want;
  },
});
