import { defineStrategy, z } from '../../sdk';

/**
 * `vwap-reversion`: the close against a rolling VWAP of the last `period` bars (typical price × volume
 * over volume, kept in the strategy's state). Long when the close is `deviation` below it, short (flat,
 * long-only) when `deviation` above; an open trade goes flat when the close returns to the VWAP.
 */
export const vwapReversion = defineStrategy({
  name: 'vwap-reversion',
  description:
    'VWAP reversion: long when the close is a set fraction below the rolling VWAP, short above it, flat back at the VWAP',
  params: z
    .object({
      period: z.number().int().min(2).default(20).describe('bars in the rolling VWAP'),
      deviation: z.number().positive().default(0.03).describe('distance from the VWAP that opens a trade (0.03 = 3%)'),
    })
    .strict(),
  init: (p) => ({ p, pv: [] as number[], v: [] as number[], sumPv: 0, sumV: 0, last: 0 }),
  onBar(s, bar) {
    const tp = (bar.high + bar.low + bar.close) / 3;
    s.pv.push(tp * bar.volume);
    s.v.push(bar.volume);
    s.sumPv += tp * bar.volume;
    s.sumV += bar.volume;
    if (s.pv.length > s.p.period) {
      s.sumPv -= s.pv.shift()!;
      s.sumV -= s.v.shift()!;
    }
    if (s.pv.length < s.p.period || !(s.sumV > 0)) return null;
    const vwap = s.sumPv / s.sumV;
    let want = s.last;
    if (bar.close < vwap * (1 - s.p.deviation)) want = 1;
    else if (bar.close > vwap * (1 + s.p.deviation)) want = -1;
    else if ((s.last > 0 && bar.close >= vwap) || (s.last < 0 && bar.close <= vwap)) want = 0;
    if (want === s.last) return null;
    s.last = want;
    return want;
  },
});
