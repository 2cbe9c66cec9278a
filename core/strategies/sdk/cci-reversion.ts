import { defineStrategy, indicators, z } from '../../sdk';

/**
 * `cci-reversion`: long when CCI closes below `-level`, short (exit, long-only) when above `+level`;
 * an open trade goes flat when CCI crosses back through zero.
 */
export const cciReversion = defineStrategy({
  name: 'cci-reversion',
  description: 'CCI mean reversion: long below -level, short above +level, flat when CCI crosses back through zero',
  params: z
    .object({
      period: z.number().int().min(2).default(20),
      level: z.number().positive().default(100).describe('CCI extreme that opens a trade'),
    })
    .strict(),
  init: (p) => ({ p, cci: indicators.cci(p.period), last: 0 }),
  onBar(s, bar) {
    const c = s.cci.next(bar);
    if (Number.isNaN(c)) return null;
    let want = s.last;
    if (c < -s.p.level) want = 1;
    else if (c > s.p.level) want = -1;
    else if ((s.last > 0 && c >= 0) || (s.last < 0 && c <= 0)) want = 0;
    if (want === s.last) return null;
    s.last = want;
    return want;
  },
});
