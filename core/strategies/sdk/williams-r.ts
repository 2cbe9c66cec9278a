import { defineStrategy, indicators, z } from '../../sdk';

/**
 * `williams-r`: Williams %R reversal. Long when %R rises back above `oversold` (from below), short/exit
 * when it falls back below `overbought` (from above).
 */
export const williamsR = defineStrategy({
  name: 'williams-r',
  description:
    'Williams %R: long when %R leaves oversold (crosses up through -80), short/exit when it leaves overbought (down through -20)',
  params: z
    .object({
      period: z.number().int().min(1).default(14),
      oversold: z.number().min(-100).max(0).default(-80),
      overbought: z.number().min(-100).max(0).default(-20),
    })
    .strict(),
  init: (p) => ({ p, wr: indicators.williamsr(p.period), prev: NaN }),
  onBar(s, bar) {
    const w = s.wr.next(bar);
    const prev = s.prev;
    s.prev = w;
    if (prev < s.p.oversold && w >= s.p.oversold) return 1;
    if (prev > s.p.overbought && w <= s.p.overbought) return -1;
    return null;
  },
});
