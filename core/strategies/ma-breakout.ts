import { z } from 'zod';
import { EmaStream, SmaStream, type ValueStream } from '../indicators';
import type { SingleStrategy } from '../strategy/types';
import { declareCloseSteps } from './close-steps';

/** Parameters of `ma-breakout`. */
export const maBreakoutParams = z
  .object({
    period: z.number().int().min(1).default(20).describe('moving-average period'),
    threshold: z.number().min(0).max(1).default(0.02).describe('fraction beyond the average that counts as a breakout'),
    average: z.enum(['sma', 'ema']).default('sma'),
  })
  .strict();

/** Parsed parameters of `ma-breakout`. */
export type MaBreakoutParams = z.output<typeof maBreakoutParams>;

interface State {
  ma: ValueStream;
  threshold: number;
  /** The last target decided (0 before any): a signal repeats only after the opposite one. */
  last: number;
}

/**
 * `ma-breakout`: long when the close ends above MA × (1 + threshold), short/exit when it ends below
 * MA × (1 − threshold). A signal repeats only after the opposite one (staying beyond the band decides nothing new).
 */
export const maBreakout: SingleStrategy<MaBreakoutParams, State> = {
  kind: 'single',
  name: 'ma-breakout',
  description:
    'Long when the close breaks above its moving average by a threshold (default 2%), short/exit when it breaks below',
  params: maBreakoutParams,
  init: (p) => ({
    ma: p.average === 'sma' ? new SmaStream(p.period) : new EmaStream(p.period),
    threshold: p.threshold,
    last: 0,
  }),
  onBar(s, bar) {
    const ma = s.ma.next(bar.close);
    const zone = bar.close > ma * (1 + s.threshold) ? 1 : bar.close < ma * (1 - s.threshold) ? -1 : 0;
    if (zone === 0 || zone === s.last) return null;
    s.last = zone;
    return zone;
  },
};

// onBar over a run of closes (`CloseSteps`), for the engine's name-by-name pass.
declareCloseSteps(maBreakout, (s, close, at, m, outJ, outTarget) => {
  const ma = s.ma;
  const threshold = s.threshold;
  let last = s.last;
  let n = 0;
  for (let j = 0; j < m; j++) {
    const c = close[at + j];
    if (c !== c) continue;
    const v = ma.next(c);
    const zone = c > v * (1 + threshold) ? 1 : c < v * (1 - threshold) ? -1 : 0;
    if (zone === 0 || zone === last) continue;
    last = zone;
    outJ[n] = j;
    outTarget[n++] = zone;
  }
  s.last = last;
  return n;
});
