import { z } from 'zod';
import { EmaStream, SmaStream, type ValueStream } from '../indicators';
import type { SingleStrategy } from '../strategy/types';
import { declareCloseSteps } from './close-steps';
import * as step from './step';

// Bound once at load: under CommonJS transpilers (tsx, vitest) each use of an imported binding is a
// getter call, paid twice per bar here.
const { crossedAbove, crossedBelow } = step;

/** Parameters of `sma-cross` and `ema-cross`. Defaults 10/20, as backtesting.py's SmaCross example. */
export const maCrossParams = z
  .object({
    fast: z.number().int().min(1).default(10).describe('fast moving-average period'),
    slow: z.number().int().min(2).default(20).describe('slow moving-average period'),
  })
  .strict()
  .refine((p) => p.fast < p.slow, { message: 'fast must be < slow', path: ['fast'] });

/** Parsed parameters of the moving-average crosses. */
export type MaCrossParams = z.output<typeof maCrossParams>;

interface MaCrossState {
  fast: ValueStream;
  slow: ValueStream;
  prevFast: number;
  prevSlow: number;
}

/** The cross rule over this bar's fast and slow averages `f`, `sl` (the previous ones are in `s`). */
function crossDecision(s: MaCrossState, f: number, sl: number): 1 | -1 | null {
  const up = crossedAbove(s.prevFast, s.prevSlow, f, sl);
  const down = crossedBelow(s.prevFast, s.prevSlow, f, sl);
  s.prevFast = f;
  s.prevSlow = sl;
  return up ? 1 : down ? -1 : null;
}

function maCross(
  name: string,
  description: string,
  make: (period: number) => ValueStream,
  onBar: SingleStrategy<MaCrossParams, MaCrossState>['onBar'],
): SingleStrategy<MaCrossParams, MaCrossState> {
  return {
    kind: 'single',
    name,
    description,
    params: maCrossParams,
    init: (p) => ({ fast: make(p.fast), slow: make(p.slow), prevFast: Number.NaN, prevSlow: Number.NaN }),
    onBar,
  };
}

/**
 * `sma-cross`: long when the fast SMA crosses strictly above the slow one (fast < slow on the previous
 * bar, fast > slow on this one), short (or flat, long-only) on the strict cross below; otherwise no change.
 */
export const smaCross = maCross(
  'sma-cross',
  'Long when the fast SMA crosses above the slow SMA, short/exit when it crosses below',
  (n) => new SmaStream(n),
  // Each strategy has its own onBar literal: V8 keeps type feedback per literal, so a shared one would see
  // both stream classes at `s.fast.next` in a process that ran both strategies (a polymorphic call, not inlined).
  (s, bar) => crossDecision(s, s.fast.next(bar.close), s.slow.next(bar.close)),
);

/** `ema-cross`: {@link smaCross} with exponential moving averages (TA-Lib seeding). */
export const emaCross = maCross(
  'ema-cross',
  'Long when the fast EMA crosses above the slow EMA, short/exit when it crosses below',
  (n) => new EmaStream(n),
  (s, bar) => crossDecision(s, s.fast.next(bar.close), s.slow.next(bar.close)),
);

/*
 * The cross rule over a run of closes (`CloseSteps`): `crossDecision` bar by bar, with the previous
 * averages kept in locals. Two copies of the same body, as the `onBar` literals above: closures of one
 * literal share its type feedback, so one shared body would see both stream classes.
 */
/** The averages of a run of closes, when both streams are plain (not the memo's stand-ins): filled by `nextRun`. */
let runFast = new Float64Array(256);
let runSlow = new Float64Array(256);

/**
 * The cross rule over averages already computed for `close[at .. at + m)` (NaN closes: no bar, skipped), the
 * loop below with `f`, `sl` read from `runFast`, `runSlow`.
 */
function crossRun(
  s: MaCrossState,
  close: Float64Array,
  at: number,
  m: number,
  outJ: Int32Array,
  outTarget: Float64Array,
): number {
  let pf = s.prevFast;
  let ps = s.prevSlow;
  let n = 0;
  for (let j = 0; j < m; j++) {
    const c = close[at + j];
    if (c !== c) continue;
    const f = runFast[j];
    const sl = runSlow[j];
    const d = pf < ps && f > sl ? 1 : pf > ps && f < sl ? -1 : 0;
    pf = f;
    ps = sl;
    if (d !== 0) {
      outJ[n] = j;
      outTarget[n++] = d;
    }
  }
  s.prevFast = pf;
  s.prevSlow = ps;
  return n;
}

declareCloseSteps(smaCross, (s, close, at, m, outJ, outTarget) => {
  const fast = s.fast;
  const slow = s.slow;
  // Plain streams (indicator memo off or out of budget): each steps the run with its state in locals, then
  // the rule reads both. The streams are independent, so fast's run then slow's run feeds each the same values
  // in the same order as alternating bar by bar.
  if (fast instanceof SmaStream && slow instanceof SmaStream) {
    if (runFast.length < m) {
      runFast = new Float64Array(m);
      runSlow = new Float64Array(m);
    }
    fast.nextRun(close, at, m, runFast);
    slow.nextRun(close, at, m, runSlow);
    return crossRun(s, close, at, m, outJ, outTarget);
  }
  let pf = s.prevFast;
  let ps = s.prevSlow;
  let n = 0;
  for (let j = 0; j < m; j++) {
    const c = close[at + j];
    if (c !== c) continue;
    const f = fast.next(c);
    const sl = slow.next(c);
    // crossedAbove / crossedBelow (step.ts), inline.
    const d = pf < ps && f > sl ? 1 : pf > ps && f < sl ? -1 : 0;
    pf = f;
    ps = sl;
    if (d !== 0) {
      outJ[n] = j;
      outTarget[n++] = d;
    }
  }
  s.prevFast = pf;
  s.prevSlow = ps;
  return n;
});
declareCloseSteps(emaCross, (s, close, at, m, outJ, outTarget) => {
  const fast = s.fast;
  const slow = s.slow;
  let pf = s.prevFast;
  let ps = s.prevSlow;
  let n = 0;
  for (let j = 0; j < m; j++) {
    const c = close[at + j];
    if (c !== c) continue;
    const f = fast.next(c);
    const sl = slow.next(c);
    const d = pf < ps && f > sl ? 1 : pf > ps && f < sl ? -1 : 0;
    pf = f;
    ps = sl;
    if (d !== 0) {
      outJ[n] = j;
      outTarget[n++] = d;
    }
  }
  s.prevFast = pf;
  s.prevSlow = ps;
  return n;
});
