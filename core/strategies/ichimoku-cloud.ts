import { z } from 'zod';
import { IchimokuStream } from '../indicators';
import type { SingleStrategy } from '../strategy/types';

/** Parameters of `ichimoku-cloud` (the classic 9/26/52, cloud displaced 26 bars). */
export const ichimokuCloudParams = z
  .object({
    conversion: z.number().int().min(1).default(9),
    base: z.number().int().min(1).default(26),
    spanB: z.number().int().min(1).default(52),
    displacement: z.number().int().min(0).default(26).describe('bars the cloud is shifted forward'),
  })
  .strict();

/** Parsed parameters of `ichimoku-cloud`. */
export type IchimokuCloudParams = z.output<typeof ichimokuCloudParams>;

interface State {
  ichimoku: IchimokuStream;
  displacement: number;
  /** Ring of the last `displacement` spans: the cloud under bar t was computed at t − displacement. */
  spanA: Float64Array;
  spanB: Float64Array;
  seen: number;
  last: number;
}

/**
 * `ichimoku-cloud`: long when the close is above the cloud (both spans, as computed `displacement` bars
 * earlier) and the conversion line is above the base line; short/exit when the close is below the cloud
 * and conversion < base. A signal repeats only after the opposite one. Uses only bars up to the current one.
 */
export const ichimokuCloud: SingleStrategy<IchimokuCloudParams, State> = {
  kind: 'single',
  name: 'ichimoku-cloud',
  description:
    'Long above the Ichimoku cloud with conversion over base, short/exit below it with conversion under base',
  params: ichimokuCloudParams,
  init: (p) => ({
    ichimoku: new IchimokuStream(p.conversion, p.base, p.spanB),
    displacement: p.displacement,
    spanA: new Float64Array(Math.max(1, p.displacement)).fill(Number.NaN),
    spanB: new Float64Array(Math.max(1, p.displacement)).fill(Number.NaN),
    seen: 0,
    last: 0,
  }),
  onBar(s, bar) {
    const v = s.ichimoku.step(bar.high, bar.low);
    let a = v.spanA;
    let b = v.spanB;
    if (s.displacement > 0) {
      const slot = s.seen % s.displacement;
      // Cloud under this bar: the spans from `displacement` bars ago (NaN until that many bars exist).
      a = s.spanA[slot];
      b = s.spanB[slot];
      s.spanA[slot] = v.spanA;
      s.spanB[slot] = v.spanB;
    }
    s.seen++;
    const top = Math.max(a, b);
    const bottom = Math.min(a, b);
    const side = bar.close > top && v.conversion > v.base ? 1 : bar.close < bottom && v.conversion < v.base ? -1 : 0;
    if (side === 0 || side === s.last) return null;
    s.last = side;
    return side;
  },
};
