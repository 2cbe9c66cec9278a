import { z } from 'zod';
import type { SingleStrategy } from '../strategy/types';

/** Parameters of `donchian-breakout`. */
export const donchianBreakoutParams = z
  .object({
    period: z.number().int().min(1).default(20).describe('channel length in bars (excluding the current bar)'),
  })
  .strict();

/** Parsed parameters of `donchian-breakout`. */
export type DonchianBreakoutParams = z.output<typeof donchianBreakoutParams>;

interface State {
  period: number;
  highs: Float64Array;
  lows: Float64Array;
  seen: number;
  /** The last target decided: a breakout in the same direction as the last one decides nothing new. */
  last: number;
}

/**
 * `donchian-breakout` (turtle entry): long when the close exceeds the highest high of the previous
 * `period` bars, short/exit when it falls below their lowest low. The channel excludes the current bar,
 * so a breakout is a close beyond a level that existed before it. Keeps a ring of the last `period`
 * highs and lows (O(period) per bar, no allocation).
 */
export const donchianBreakout: SingleStrategy<DonchianBreakoutParams, State> = {
  kind: 'single',
  name: 'donchian-breakout',
  description: 'Long when the close breaks the highest high of the previous N bars, short/exit below the lowest low',
  params: donchianBreakoutParams,
  init: (p) => ({ period: p.period, highs: new Float64Array(p.period), lows: new Float64Array(p.period), seen: 0, last: 0 }),
  onBar(s, bar) {
    let decision: number | null = null;
    if (s.seen >= s.period) {
      let hi = Number.NEGATIVE_INFINITY;
      let lo = Number.POSITIVE_INFINITY;
      for (let k = 0; k < s.period; k++) {
        if (s.highs[k] > hi) hi = s.highs[k];
        if (s.lows[k] < lo) lo = s.lows[k];
      }
      const side = bar.close > hi ? 1 : bar.close < lo ? -1 : 0;
      if (side !== 0 && side !== s.last) decision = s.last = side;
    }
    const slot = s.seen % s.period;
    s.highs[slot] = bar.high;
    s.lows[slot] = bar.low;
    s.seen++;
    return decision;
  },
};
