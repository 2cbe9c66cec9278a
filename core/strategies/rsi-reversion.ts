import { z } from 'zod';
import { RsiStream } from '../indicators';
import type { SingleStrategy } from '../strategy/types';
import { declareCloseSteps } from './close-steps';

/** Parameters of `rsi-reversion`. */
export const rsiReversionParams = z
  .object({
    period: z.number().int().min(2).default(14).describe('RSI period (Wilder)'),
    lower: z.number().min(0).max(100).default(30).describe('buy when RSI falls below'),
    upper: z.number().min(0).max(100).default(70).describe('sell when RSI rises above'),
  })
  .strict()
  .refine((p) => p.lower < p.upper, { message: 'lower must be < upper', path: ['lower'] });

/** Parsed parameters of `rsi-reversion`. */
export type RsiReversionParams = z.output<typeof rsiReversionParams>;

interface State {
  rsi: RsiStream;
  lower: number;
  upper: number;
  /** The last target decided (0 before any): a signal repeats only after the opposite one. */
  last: number;
}

/**
 * `rsi-reversion`: long when RSI is below `lower` (oversold), short/exit when it is above `upper`
 * (overbought). A signal repeats only after the opposite one.
 */
export const rsiReversion: SingleStrategy<RsiReversionParams, State> = {
  kind: 'single',
  name: 'rsi-reversion',
  description: 'Mean reversion on RSI: buy below 30 (oversold), sell above 70 (overbought)',
  params: rsiReversionParams,
  init: (p) => ({ rsi: new RsiStream(p.period), lower: p.lower, upper: p.upper, last: 0 }),
  onBar(s, bar) {
    const r = s.rsi.next(bar.close);
    const zone = r < s.lower ? 1 : r > s.upper ? -1 : 0;
    if (zone === 0 || zone === s.last) return null;
    s.last = zone;
    return zone;
  },
};

// onBar over a run of closes (`CloseSteps`), for the engine's name-by-name pass.
declareCloseSteps(rsiReversion, (s, close, at, m, outJ, outTarget) => {
  const rsi = s.rsi;
  const lower = s.lower;
  const upper = s.upper;
  let last = s.last;
  let n = 0;
  for (let j = 0; j < m; j++) {
    const c = close[at + j];
    if (c !== c) continue;
    const r = rsi.next(c);
    const zone = r < lower ? 1 : r > upper ? -1 : 0;
    if (zone === 0 || zone === last) continue;
    last = zone;
    outJ[n] = j;
    outTarget[n++] = zone;
  }
  s.last = last;
  return n;
});
