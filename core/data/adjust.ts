import type { Adjustment } from './panel-types';

/** One corporate action as stored. `refClose` is the raw close of the last bar before `exDate` (dividends). */
export interface CorporateAction {
  readonly kind: 'split' | 'dividend';
  /** EpochMs of the ex date: the first bar that trades without the dividend / at the new share count. */
  readonly exDate: number;
  /** Split: new shares per old share (2 for 2-for-1). Dividend: cash per share. */
  readonly value: number;
  /** EpochMs when the action became public. */
  readonly knownAt: number;
  /** Raw close of the last bar before `exDate`; when absent it is looked up in the series given. */
  readonly refClose?: number;
}

/** Multipliers for one instrument's bars: adjusted price = raw × `price[i]`, adjusted volume = raw × `volume[i]`. */
export interface AdjustmentFactors {
  readonly price: Float64Array;
  readonly volume: Float64Array;
}

/**
 * The back-adjustment factor of one action: what multiplies prices before its ex date. A split of
 * ratio r divides prices by r (and multiplies volume by r); a cash dividend d multiplies prices by
 * `1 - d / C`, where C is the raw close before the ex date (the CRSP / Yahoo total-return convention).
 * Returns 1 for a dividend without a usable reference close (no bar before it, or d >= C).
 */
export function actionPriceFactor(a: CorporateAction, refClose: number): number {
  if (a.kind === 'split') return 1 / a.value;
  const f = 1 - a.value / refClose;
  return Number.isFinite(f) && f > 0 && f <= 1 ? f : 1;
}

/**
 * Computes adjustment factors for one instrument's series (`time` ascending EpochMs, `close` raw;
 * NaN entries are missing bars and are skipped when looking for a reference close).
 * - `raw`: all ones.
 * - `{ asOf: D }`: back-adjustment by the actions with `exDate <= D` and `knownAt <= D` (each action
 *   in its latest version known by D): bar t is multiplied by the factors of those actions with
 *   `exDate > t`. Bars on or after every such ex date are unchanged.
 * - `pit`: forward adjustment as known at each bar: bar t is multiplied by the inverse factors of
 *   the actions with `exDate <= t` and `knownAt <= t`, so no bar depends on an action known later.
 * This is the one place the adjustment maths lives; `barsRange` and `loadPanel` both call it.
 */
export function adjustmentFactors(
  time: Float64Array,
  close: Float64Array,
  actions: readonly CorporateAction[],
  adjustment: Adjustment,
): AdjustmentFactors {
  const n = time.length;
  const price = new Float64Array(n).fill(1);
  const volume = new Float64Array(n).fill(1);
  if (adjustment === 'raw' || actions.length === 0 || n === 0) return { price, volume };
  const ref = (a: CorporateAction): number => a.refClose ?? closeBefore(time, close, a.exDate);
  if (adjustment === 'pit') {
    applyForward(time, actions, ref, price, volume);
    return { price, volume };
  }
  const asOf = adjustment.asOf;
  const chosen = latestVersions(actions, asOf).sort((a, b) => b.exDate - a.exDate);
  let pf = 1;
  let vf = 1;
  let p = 0;
  for (let i = n - 1; i >= 0; i--) {
    const t = time[i];
    while (p < chosen.length && chosen[p].exDate > t) {
      const a = chosen[p++];
      pf *= actionPriceFactor(a, ref(a));
      if (a.kind === 'split') vf *= a.value;
    }
    price[i] = pf;
    volume[i] = vf;
  }
  return { price, volume };
}

/** Per (kind, exDate), the version with the latest `knownAt <= cutoff`, among those with `exDate <= cutoff`. */
function latestVersions(actions: readonly CorporateAction[], cutoff: number): CorporateAction[] {
  const best = new Map<string, CorporateAction>();
  for (const a of actions) {
    if (a.exDate > cutoff || a.knownAt > cutoff) continue;
    const key = `${a.kind}:${a.exDate}`;
    const prev = best.get(key);
    if (!prev || a.knownAt > prev.knownAt) best.set(key, a);
  }
  return [...best.values()];
}

function applyForward(
  time: Float64Array,
  actions: readonly CorporateAction[],
  ref: (a: CorporateAction) => number,
  price: Float64Array,
  volume: Float64Array,
): void {
  // An action version takes effect at the first bar t >= max(exDate, knownAt); a later version of the
  // same (kind, exDate) replaces the earlier one from its own effective time on.
  const events = actions
    .map((a) => ({ a, at: Math.max(a.exDate, a.knownAt) }))
    .sort((x, y) => x.at - y.at || x.a.knownAt - y.a.knownAt);
  const current = new Map<string, CorporateAction>();
  let pf = 1;
  let vf = 1;
  let e = 0;
  for (let i = 0; i < time.length; i++) {
    const t = time[i];
    if (e < events.length && events[e].at <= t) {
      while (e < events.length && events[e].at <= t) {
        const a = events[e++].a;
        current.set(`${a.kind}:${a.exDate}`, a);
      }
      pf = 1;
      vf = 1;
      for (const a of current.values()) {
        pf /= actionPriceFactor(a, ref(a));
        if (a.kind === 'split') vf /= a.value;
      }
    }
    price[i] = pf;
    volume[i] = vf;
  }
}

/** Raw close of the last non-missing bar strictly before `t` in the series, or NaN. */
export function closeBefore(time: Float64Array, close: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) if (!Number.isNaN(close[i])) return close[i];
  return Number.NaN;
}

/** Multiplies OHLC by `f.price` and volume by `f.volume` in place. */
export function applyFactors(
  f: AdjustmentFactors,
  open: Float64Array,
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
): void {
  const { price, volume: vf } = f;
  for (let i = 0; i < price.length; i++) {
    const p = price[i];
    if (p !== 1) {
      open[i] *= p;
      high[i] *= p;
      low[i] *= p;
      close[i] *= p;
    }
    if (vf[i] !== 1) volume[i] *= vf[i];
  }
}
