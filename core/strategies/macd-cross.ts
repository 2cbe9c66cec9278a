import { z } from 'zod';
import { MacdStream } from '../indicators';
import type { SingleStrategy } from '../strategy/types';
import * as step from './step';

// Bound once at load: under CommonJS transpilers (tsx, vitest) each use of an imported binding is a
// getter call, paid twice per bar here.
const { crossedAbove, crossedBelow } = step;

/** Parameters of `macd-cross` (TA-Lib's defaults 12/26/9). */
export const macdCrossParams = z
  .object({
    fast: z.number().int().min(2).default(12),
    slow: z.number().int().min(2).default(26),
    signal: z.number().int().min(1).default(9),
  })
  .strict()
  .refine((p) => p.fast < p.slow, { message: 'fast must be < slow', path: ['fast'] });

/** Parsed parameters of `macd-cross`. */
export type MacdCrossParams = z.output<typeof macdCrossParams>;

interface State {
  macd: MacdStream;
  prevLine: number;
  prevSignal: number;
}

/** `macd-cross`: long when the MACD line crosses strictly above its signal line, short/exit on the strict cross below. */
export const macdCross: SingleStrategy<MacdCrossParams, State> = {
  kind: 'single',
  name: 'macd-cross',
  description: 'Long when the MACD line crosses above its signal line, short/exit when it crosses below',
  params: macdCrossParams,
  init: (p) => ({ macd: new MacdStream(p.fast, p.slow, p.signal), prevLine: Number.NaN, prevSignal: Number.NaN }),
  onBar(s, bar) {
    const m = s.macd.next(bar.close);
    const up = crossedAbove(s.prevLine, s.prevSignal, m.macd, m.signal);
    const down = crossedBelow(s.prevLine, s.prevSignal, m.macd, m.signal);
    s.prevLine = m.macd;
    s.prevSignal = m.signal;
    return up ? 1 : down ? -1 : null;
  },
};
