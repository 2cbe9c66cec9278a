import { ACTION_DIVIDEND, type Panel, type PanelActions, type RawPrices } from '../data/panel-types';

const derived = new WeakMap<Panel, RawPrices>();

/**
 * The prices that traded, as columns laid out like `panel.close`: `panel.raw` when the panel is
 * adjusted and carries them, the panel's own columns when it has no adjustment factor (a `raw` panel,
 * or no corporate actions: then they are one and the same arrays, so the engine pays nothing), and
 * for a hand-built adjusted panel without `raw`, its columns divided by `priceFactor` (computed once
 * per panel).
 */
export function tradedPrices(panel: Panel): RawPrices {
  if (panel.raw) return panel.raw;
  const f = panel.priceFactor;
  if (!f) return panel;
  let r = derived.get(panel);
  if (!r) {
    const div = (a: Float64Array) => {
      const out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = a[i] / f[i];
      return out;
    };
    r = { open: div(panel.open), high: div(panel.high), low: div(panel.low), close: div(panel.close) };
    derived.set(panel, r);
  }
  return r;
}

/** The positions and resting orders a corporate action acts on, per panel instrument (the engine's own arrays). */
export interface ActionTargets {
  readonly qty: Float64Array;
  /** Cost per share now held (divided by a split's ratio). */
  readonly entryPx: Float64Array;
  /** Shares now held per share bought (product of the split ratios since entry; 1 without splits). */
  readonly splitRatio: Float64Array;
  readonly posSL: Float64Array;
  readonly posTP: Float64Array;
  readonly posBest: Float64Array;
  /** Last traded close seen (the price cash in lieu of a fractional share is paid at). */
  readonly mark: Float64Array;
  /** Resting orders: their limit / stop price and protective levels, in traded prices. */
  readonly pTarget: Float64Array;
  readonly pPrice: Float64Array;
  readonly pSL: Float64Array;
  readonly pTP: Float64Array;
}

/**
 * Applies the actions at `acts[from..]` whose bar is `bar` (before that bar's open, as a broker does
 * overnight): a split of ratio r multiplies the quantity by r and divides its cost, its protective
 * levels and any resting order's prices by r; with `wholeUnits` a fractional share left by the split is
 * paid out as cash at the pre-split close ÷ r. A cash dividend d pays `qty × d` into cash (a short
 * position pays it). Returns the cash to add; `out.next` is the index of the first action after `bar`.
 */
export function applyActions(
  t: ActionTargets,
  acts: PanelActions,
  from: number,
  bar: number,
  wholeUnits: boolean,
  out: { next: number },
): number {
  let cash = 0;
  let k = from;
  const n = acts.bar.length;
  for (; k < n && acts.bar[k] === bar; k++) {
    const s = acts.inst[k];
    const v = acts.value[k];
    if (acts.kind[k] === ACTION_DIVIDEND) {
      if (t.qty[s] !== 0) cash += t.qty[s] * v;
      continue;
    }
    if (!(v > 0)) continue;
    if (t.pTarget[s] === t.pTarget[s]) {
      t.pPrice[s] /= v;
      t.pSL[s] /= v;
      t.pTP[s] /= v;
    }
    const q = t.qty[s];
    if (q === 0) continue;
    let nq = q * v;
    const price = t.mark[s] / v;
    t.mark[s] = price;
    if (wholeUnits) {
      const whole = nq > 0 ? Math.floor(nq + 1e-9) : Math.ceil(nq - 1e-9);
      if (whole !== nq) cash += (nq - whole) * price;
      nq = whole;
    }
    t.qty[s] = nq;
    t.entryPx[s] /= v;
    t.splitRatio[s] *= v;
    t.posSL[s] /= v;
    t.posTP[s] /= v;
    t.posBest[s] /= v;
  }
  out.next = k;
  return cash;
}
