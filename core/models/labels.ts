import type { Panel } from '../data/panel-types';
import type { LabelSpec } from './spec';

/**
 * Labels in the panel's layout (`s * nDays + t`), from the (PIT-adjusted) close: the label at day `t` is known
 * only at day `t + horizon` (its label window is `(t, t + horizon]`), NaN where that day or a needed bar is
 * missing, so no label reads past the panel's last day.
 * - `forward-return`: close[t+h] / close[t] − 1;
 * - `forward-direction`: 1 when that return is > 0, else 0 (binary classification);
 * - `triple-barrier`: +1 if close/close[t] − 1 reaches `upper` first within `h` bars, −1 if it reaches
 *   −`lower` first, else 0 (López de Prado's label with a vertical barrier at `h`).
 */
export function computeLabels(panel: Panel, label: LabelSpec): Float64Array {
  const { nInst, nDays, close } = panel;
  const h = label.horizon;
  const out = new Float64Array(nInst * nDays).fill(Number.NaN);
  for (let s = 0; s < nInst; s++) {
    const a = s * nDays;
    for (let t = 0; t + h < nDays; t++) {
      const c0 = close[a + t];
      const c1 = close[a + t + h];
      if (!(c0 > 0) || !(c1 > 0)) continue;
      if (label.kind === 'forward-return') out[a + t] = c1 / c0 - 1;
      else if (label.kind === 'forward-direction') out[a + t] = c1 / c0 - 1 > 0 ? 1 : 0;
      else {
        let v = 0;
        let ok = true;
        for (let k = 1; k <= h; k++) {
          const c = close[a + t + k];
          if (!(c > 0)) {
            ok = false;
            break;
          }
          const r = c / c0 - 1;
          if (r >= label.upper) {
            v = 1;
            break;
          }
          if (r <= -label.lower) {
            v = -1;
            break;
          }
        }
        if (ok) out[a + t] = v;
      }
    }
  }
  return out;
}

/** One walk-forward window, as day indices of the panel (inclusive). */
export interface WindowIdx {
  /** First and last training sample day. Every training label window `(t, t+h]` ends before `testFrom - embargo`. */
  readonly trainFrom: number;
  readonly trainTo: number;
  readonly testFrom: number;
  readonly testTo: number;
}

/**
 * Walk-forward windows over the days `[first, last]` (indices): test windows of `test` days back to back from
 * `first + train`, each trained on the `train` days before it (or all days from `first` when `anchored`), minus
 * the last `horizon + embargo` of them: purging drops every sample whose label window reaches into the test
 * window, the embargo drops `embargo` more days so serially correlated samples next to the test window do not
 * leak either. Throws when the range is too short for one window.
 */
export function walkForwardWindows(
  first: number,
  last: number,
  wf: { train: number; test: number; embargo: number; anchored: boolean },
  horizon: number,
): WindowIdx[] {
  const out: WindowIdx[] = [];
  for (let testFrom = first + wf.train; testFrom <= last; testFrom += wf.test) {
    const trainFrom = wf.anchored ? first : testFrom - wf.train;
    const trainTo = testFrom - 1 - horizon - wf.embargo;
    if (trainTo < trainFrom)
      throw new Error(`walkForward: train (${wf.train}) must exceed horizon + embargo (${horizon + wf.embargo})`);
    out.push({ trainFrom, trainTo, testFrom, testTo: Math.min(last, testFrom + wf.test - 1) });
  }
  if (out.length === 0)
    throw new Error(`walkForward: ${last - first + 1} days in the range, fewer than train (${wf.train}) + 1`);
  return out;
}
