import { defineStrategy, indicators, z } from '../../sdk';

/**
 * `volume-breakout`: long when the close breaks above the highest high of the previous `lookback` bars
 * on volume at least `volumeMult` × its `lookback`-bar average; flat when the close falls below the
 * SMA of `exitPeriod` closes. Long only by design (a short never opens).
 */
export const volumeBreakout = defineStrategy({
  name: 'volume-breakout',
  description: 'Volume breakout: long on a new lookback high with volume above k× its average; exit below the exit SMA',
  params: z
    .object({
      lookback: z.number().int().min(2).default(20),
      volumeMult: z.number().positive().default(1.5),
      exitPeriod: z.number().int().min(1).default(10),
    })
    .strict(),
  init: (p) => ({
    p,
    highs: [] as number[],
    vol: indicators.sma(p.lookback),
    exit: indicators.sma(p.exitPeriod),
    prevVolAvg: NaN,
    long: false,
  }),
  onBar(s, bar) {
    // The highest high of the bars before this one: the window is updated after the test.
    let hh = -Infinity;
    for (const h of s.highs) if (h > hh) hh = h;
    const full = s.highs.length === s.p.lookback;
    s.highs.push(bar.high);
    if (s.highs.length > s.p.lookback) s.highs.shift();
    const volAvg = s.prevVolAvg;
    s.prevVolAvg = s.vol.next(bar.volume);
    const ex = s.exit.next(bar.close);
    if (!s.long && full && bar.close > hh && bar.volume >= s.p.volumeMult * volAvg) {
      s.long = true;
      return 1;
    }
    if (s.long && bar.close < ex) {
      s.long = false;
      return 0;
    }
    return null;
  },
});
