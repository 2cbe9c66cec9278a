import { z } from 'zod';
import { MacdStream } from '../indicators';
import type { SingleStrategy } from '../strategy/types';
import { declareCloseSteps } from './close-steps';
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

// onBar over a run of closes (`CloseSteps`), for the engine's name-by-name pass.
declareCloseSteps(macdCross, (s, close, at, m, outJ, outTarget) => {
  const macd = s.macd;
  let pl = s.prevLine;
  let ps = s.prevSignal;
  let n = 0;
  for (let j = 0; j < m; j++) {
    const c = close[at + j];
    if (c !== c) continue;
    const r = macd.next(c);
    const line = r.macd;
    const signal = r.signal;
    // crossedAbove / crossedBelow (step.ts), inline.
    const d = pl < ps && line > signal ? 1 : pl > ps && line < signal ? -1 : 0;
    pl = line;
    ps = signal;
    if (d !== 0) {
      outJ[n] = j;
      outTarget[n++] = d;
    }
  }
  s.prevLine = pl;
  s.prevSignal = ps;
  return n;
});
