import { z } from 'zod';
import { RollingExtremes } from '../indicators/window';
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
  /** The previous `period` bars' extremes: read before the current bar is pushed. */
  channel: RollingExtremes;
  /** The last target decided: a breakout in the same direction as the last one decides nothing new. */
  last: number;
}

/**
 * `donchian-breakout` (turtle entry): long when the close exceeds the highest high of the previous
 * `period` bars, short/exit when it falls below their lowest low. The channel excludes the current bar,
 * so a breakout is a close beyond a level that existed before it.
 */
export const donchianBreakout: SingleStrategy<DonchianBreakoutParams, State> = {
  kind: 'single',
  name: 'donchian-breakout',
  description: 'Long when the close breaks the highest high of the previous N bars, short/exit below the lowest low',
  params: donchianBreakoutParams,
  init: (p) => ({ channel: new RollingExtremes(p.period), last: 0 }),
  onBar(s, bar) {
    let decision: number | null = null;
    if (s.channel.full) {
      const side = bar.close > s.channel.highest ? 1 : bar.close < s.channel.lowest ? -1 : 0;
      if (side !== 0 && side !== s.last) decision = s.last = side;
    }
    s.channel.push(bar.high, bar.low);
    return decision;
  },
};
