/** One walk-forward window as bar indices into the run's time axis: `[trainStart, trainEnd)` then `[testStart, testEnd)`. */
export interface WalkWindow {
  readonly trainStart: number;
  readonly trainEnd: number;
  readonly testStart: number;
  readonly testEnd: number;
}

/**
 * Windows over `n` bars: training `train` bars followed by testing `test` bars, stepping by `test`
 * so the test windows tile the history without overlap. Rolling windows keep the training length;
 * anchored ones always start at bar 0. The last test window is cut at `n` (it keeps at least one
 * bar). Throws when `n < train + 1`.
 */
export function walkForwardWindows(n: number, train: number, test: number, anchored: boolean): WalkWindow[] {
  if (!Number.isInteger(train) || train < 2) throw new Error(`--train must be an integer >= 2 bars, got ${train}`);
  if (!Number.isInteger(test) || test < 1) throw new Error(`--test must be a positive integer of bars, got ${test}`);
  if (n < train + 1) throw new Error(`the data has ${n} bars; a walk-forward needs more than --train (${train})`);
  const out: WalkWindow[] = [];
  for (let testStart = train; testStart < n; testStart += test) {
    out.push({
      trainStart: anchored ? 0 : testStart - train,
      trainEnd: testStart,
      testStart,
      testEnd: Math.min(n, testStart + test),
    });
  }
  return out;
}

/** Out-of-sample equity pieces chained into one curve. */
export interface StitchedEquity {
  readonly time: Float64Array;
  readonly value: Float64Array;
}

/**
 * Chains the test windows' equity curves: each window's run starts with `capital`; the stitched
 * curve carries the previous window's final value forward (`value = carried × equity / capital`),
 * so it is the equity of reinvesting through every out-of-sample period in turn.
 */
export function stitchEquity(
  pieces: readonly { time: Float64Array; value: Float64Array }[],
  capital: number,
): StitchedEquity {
  const total = pieces.reduce((k, p) => k + p.value.length, 0);
  const time = new Float64Array(total);
  const value = new Float64Array(total);
  let carried = capital;
  let at = 0;
  for (const p of pieces) {
    for (let i = 0; i < p.value.length; i++) {
      time[at] = p.time[i];
      value[at++] = (carried * p.value[i]) / capital;
    }
    if (p.value.length) carried = (carried * p.value[p.value.length - 1]) / capital;
  }
  return { time, value };
}

/** `(1 + totalReturn)^(barsPerYear / bars) - 1`; null when undefined (no bars, or a total loss). */
export function annualise(totalReturn: number, bars: number, barsPerYear: number): number | null {
  if (bars <= 0 || !(1 + totalReturn > 0)) return null;
  return Math.pow(1 + totalReturn, barsPerYear / bars) - 1;
}

/**
 * Walk-forward efficiency: the annualised out-of-sample return (of the stitched curve over all test
 * bars) divided by the mean annualised in-sample return of the chosen parameters (each over its
 * training bars). About 1: the out-of-sample periods kept what optimisation found; near 0 or
 * negative: the in-sample edge was mostly fitted noise. Null when the in-sample mean is not positive.
 */
export function walkForwardEfficiency(oosAnnual: number | null, isAnnual: readonly (number | null)[]): number | null {
  const vals = isAnnual.filter((x): x is number => x !== null && Number.isFinite(x));
  if (oosAnnual === null || vals.length === 0) return null;
  const mean = vals.reduce((s, x) => s + x, 0) / vals.length;
  return mean > 0 ? oosAnnual / mean : null;
}
