import { defineStrategy, indicators, z } from '../../sdk';

/**
 * `obv-trend`: volume confirms price. Long when on-balance volume crosses above its SMA while the close
 * is above its own SMA of the same period; flat (short with `allowShort`) when OBV crosses below.
 */
export const obvTrend = defineStrategy({
  name: 'obv-trend',
  description:
    'OBV trend: long when on-balance volume crosses above its SMA with price above its SMA; exit on the cross below',
  params: z
    .object({
      period: z.number().int().min(2).default(20),
      allowShort: z.boolean().default(false).describe('go short (not flat) when OBV crosses below its SMA'),
    })
    .strict(),
  init: (p) => ({
    p,
    obv: indicators.obv(),
    obvSma: indicators.sma(p.period),
    price: indicators.sma(p.period),
    prevObv: NaN,
    prevSma: NaN,
    last: 0,
  }),
  onBar(s, bar) {
    const o = s.obv.next(bar);
    const m = s.obvSma.next(o);
    const pm = s.price.next(bar.close);
    const up = s.prevObv < s.prevSma && o > m;
    const down = s.prevObv > s.prevSma && o < m;
    s.prevObv = o;
    s.prevSma = m;
    let want = s.last;
    if (up && bar.close > pm) want = 1;
    else if (down) want = s.p.allowShort ? -1 : 0;
    if (want === s.last) return null;
    s.last = want;
    return want;
  },
});
