import { defineStrategy, indicators, z } from '../../sdk';

/**
 * `keltner-breakout`: a Keltner (ATR) channel, EMA(period) ± mult × ATR(atrPeriod). Long when the close
 * breaks above the upper line, short/exit when it breaks below the lower line; with `exitAtMiddle`,
 * flat when the close returns through the EMA.
 */
export const keltnerBreakout = defineStrategy({
  name: 'keltner-breakout',
  description: 'Keltner/ATR channel breakout: long above EMA + k×ATR, short/exit below EMA - k×ATR',
  params: z
    .object({
      period: z.number().int().min(1).default(20).describe('EMA period of the centre line'),
      atrPeriod: z.number().int().min(1).default(10),
      mult: z.number().positive().default(2).describe('channel half-width in ATRs'),
      exitAtMiddle: z.boolean().default(false),
    })
    .strict(),
  init: (p) => ({ p, ema: indicators.ema(p.period), atr: indicators.atr(p.atrPeriod), last: 0 }),
  onBar(s, bar) {
    const m = s.ema.next(bar.close);
    const a = s.atr.next(bar);
    if (Number.isNaN(m) || Number.isNaN(a)) return null;
    let want = s.last;
    if (bar.close > m + s.p.mult * a) want = 1;
    else if (bar.close < m - s.p.mult * a) want = -1;
    else if (s.p.exitAtMiddle && ((s.last > 0 && bar.close < m) || (s.last < 0 && bar.close > m))) want = 0;
    if (want === s.last) return null;
    s.last = want;
    return want;
  },
});
