import { defineStrategy, indicators, z } from '../../sdk';

/**
 * `adx-trend`: an EMA trend filtered by trend strength. Long while the fast EMA is above the slow one
 * and ADX is above `threshold`, short (flat, long-only) while below with ADX above it; flat when ADX
 * falls under the threshold (no trend). Decides only when the wanted target changes.
 */
export const adxTrend = defineStrategy({
  name: 'adx-trend',
  description:
    'ADX trend filter: follow the fast/slow EMA trend only while ADX shows a trend; flat when ADX is below the threshold',
  params: z
    .object({
      adxPeriod: z.number().int().min(2).default(14),
      threshold: z.number().min(0).max(100).default(20).describe('minimum ADX for a trend'),
      fast: z.number().int().min(1).default(10),
      slow: z.number().int().min(2).default(30),
    })
    .strict()
    .refine((p) => p.fast < p.slow, { message: 'fast must be < slow', path: ['fast'] }),
  init: (p) => ({
    p,
    adx: indicators.adx(p.adxPeriod),
    fast: indicators.ema(p.fast),
    slow: indicators.ema(p.slow),
    last: 0,
  }),
  onBar(s, bar) {
    const a = s.adx.next(bar);
    const f = s.fast.next(bar.close);
    const sl = s.slow.next(bar.close);
    if (Number.isNaN(a) || Number.isNaN(sl)) return null;
    const want = a < s.p.threshold ? 0 : f > sl ? 1 : f < sl ? -1 : 0;
    if (want === s.last) return null;
    s.last = want;
    return want;
  },
});
