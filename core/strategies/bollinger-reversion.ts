import { z } from 'zod';
import { BbandsStream } from '../indicators';
import type { SingleStrategy } from '../strategy/types';
import { declareCloseSteps } from './close-steps';

/** Parameters of `bollinger-reversion`. */
export const bollingerReversionParams = z
  .object({
    period: z.number().int().min(2).default(20),
    stddev: z.number().positive().default(2).describe('band width in standard deviations'),
    exitAtMiddle: z.boolean().default(false).describe('go flat when the close returns to the middle band'),
  })
  .strict();

/** Parsed parameters of `bollinger-reversion`. */
export type BollingerReversionParams = z.output<typeof bollingerReversionParams>;

interface State {
  bands: BbandsStream;
  exitAtMiddle: boolean;
  /** The last target decided (0 before any). */
  last: number;
}

/**
 * `bollinger-reversion`: long when the close ends below the lower band, short/exit when it ends above
 * the upper band; with `exitAtMiddle`, flat when the close gets back to the middle band. A signal
 * repeats only after a different one.
 */
export const bollingerReversion: SingleStrategy<BollingerReversionParams, State> = {
  kind: 'single',
  name: 'bollinger-reversion',
  description: 'Mean reversion on Bollinger bands: long below the lower band, short/exit above the upper band',
  params: bollingerReversionParams,
  init: (p) => ({ bands: new BbandsStream(p.period, p.stddev), exitAtMiddle: p.exitAtMiddle, last: 0 }),
  onBar(s, bar) {
    const b = s.bands.next(bar.close);
    let want = bar.close < b.lower ? 1 : bar.close > b.upper ? -1 : Number.NaN;
    if (Number.isNaN(want) && s.exitAtMiddle && s.last !== 0) {
      if ((s.last > 0 && bar.close >= b.middle) || (s.last < 0 && bar.close <= b.middle)) want = 0;
    }
    if (Number.isNaN(want) || want === s.last) return null;
    s.last = want;
    return want;
  },
};

// onBar over a run of closes (`CloseSteps`), for the engine's name-by-name pass.
declareCloseSteps(bollingerReversion, (s, close, at, m, outJ, outTarget) => {
  const bands = s.bands;
  const exitAtMiddle = s.exitAtMiddle;
  let last = s.last;
  let n = 0;
  for (let j = 0; j < m; j++) {
    const c = close[at + j];
    if (c !== c) continue;
    const b = bands.next(c);
    let want = c < b.lower ? 1 : c > b.upper ? -1 : Number.NaN;
    if (want !== want && exitAtMiddle && last !== 0) {
      if ((last > 0 && c >= b.middle) || (last < 0 && c <= b.middle)) want = 0;
    }
    if (want !== want || want === last) continue;
    last = want;
    outJ[n] = j;
    outTarget[n++] = want;
  }
  s.last = last;
  return n;
});
