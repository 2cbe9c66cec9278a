import { roundQty } from '../execution/fill-rules';
import type { CrossSectionalStrategy, CrossSectionView } from '../strategy/types';
import { toWeightMap } from '../strategy/weights';
import { periodKey } from './calendar';
import { priceCrossSection } from './price-view';
import { delistIfLast, NO_BAR, progressTick, type RunContext } from './run-setup';
import type { DecisionAudit } from './types';

/**
 * Stage 2 for cross-sectional (and portfolio) strategies: at each rebalance date the strategy sees a
 * cross-section that stops at that bar and returns target weights; the book moves to them at the next
 * open (or that close with `fill: "close"`), reductions first so sales fund purchases. Spec exits are
 * checked against each held name's bar as for a single strategy.
 */
export function* runCrossSectional(
  ctx: RunContext,
  cs: CrossSectionalStrategy<unknown>,
): Generator<number, void, void> {
  const { spec, panel, tradable, book, ledger, i0, i1, symIndex } = ctx;
  const { nDays, time, open, high, low, close } = panel;
  const tOpen = ctx.traded.open;
  const tClose = ctx.traded.close;
  const every = cs.rebalance(ctx.params);
  const pendW = new Float64Array(panel.nInst);
  let pending = false;
  let prevKey = Number.NaN;
  const delistedOnDay = delistingDays(ctx);
  const inRun = new Uint8Array(panel.nInst);
  for (const s of tradable) inRun[s] = 1;
  const priceView = {
    panel,
    close,
    tradedClose: tClose,
    symIndex,
    inRun,
    tradable,
    first: ctx.iw,
    barsPerYear: spec.barsPerYear,
    universeAt: ctx.opts.universeAt,
    fundamental: ctx.opts.fundamental,
  };
  const rebalance = rebalancer(ctx, pendW);
  for (let i = i0; i <= i1; i++) {
    if (progressTick(ctx, i)) yield (i - i0) / (i1 - i0 + 1);
    if (i === ledger.actionBar) ledger.corporateActions(i);
    if (pending) {
      pending = false;
      rebalance(i, tOpen);
    }
    if (ctx.specExits) {
      for (const s of tradable) {
        const at = s * nDays + i;
        if (book.qty[s] !== 0 && close[at] === close[at]) book.openPhase(s, i, open[at], high[at], low[at]);
      }
    }
    const key = periodKey(time[i], every);
    if (key !== prevKey) {
      prevKey = key;
      const view: CrossSectionView & { audit?: () => DecisionAudit } = ctx.opts.crossSectionAt
        ? ctx.opts.crossSectionAt(time[i])
        : priceCrossSection(priceView, i);
      const weights = cs.weights(ctx.params, view);
      if (view.audit) ctx.audit.push(view.audit());
      // null: keep the book as it is (a portfolio strategy that decides nothing this bar).
      if (weights !== null) {
        pendW.fill(0);
        for (const [sym, w] of toWeightMap(weights)) {
          const s = symIndex.get(sym);
          if (s !== undefined && inRun[s] && Number.isFinite(w)) pendW[s] = w;
        }
        if (spec.fill === 'close') rebalance(i, tClose);
        else pending = true;
      }
    }
    const gone = delistedOnDay.get(i);
    if (gone) for (const s of gone) delistIfLast(ctx, s, i);
    ledger.markEquity(i);
  }
}

/** Names whose last bar in the run comes before its end, by that bar. */
function delistingDays(ctx: RunContext): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const s of ctx.tradable) {
    const last = ctx.lastValid[s];
    if (last === NO_BAR || last >= ctx.i1) continue;
    const list = out.get(last);
    if (list) list.push(s);
    else out.set(last, [s]);
  }
  return out;
}

/**
 * Moves the book to the weights `pendW` at bar i's `prices` (a name without a price keeps its
 * position): target quantities from equity at those prices; a first pass reduces and closes, a second
 * opens and adds.
 */
function rebalancer(ctx: RunContext, pendW: Float64Array): (i: number, prices: Float64Array) => void {
  const { spec, tradable, book, ledger } = ctx;
  const nDays = ctx.panel.nDays;
  const { qty, mark } = book;
  const rate = spec.commission.rate;
  const whole = spec.wholeUnits;
  const longOnly = spec.direction === 'long-only';
  return (i, prices) => {
    let eq = ledger.cash();
    for (const s of tradable) {
      if (qty[s] === 0) continue;
      const p = prices[s * nDays + i];
      eq += qty[s] * (p === p ? p : mark[s]);
    }
    for (let pass = 0; pass < 2; pass++) {
      for (const s of tradable) {
        const p = prices[s * nDays + i];
        if (p !== p) continue;
        let w = pendW[s];
        if (longOnly && w < 0) w = 0;
        const target = w === 0 ? 0 : roundQty((w * eq) / (p * (1 + rate)), whole);
        const cur = qty[s];
        const reducing = target === 0 || (cur !== 0 && cur > 0 !== target > 0) || Math.abs(target) < Math.abs(cur);
        if (pass === 0 && reducing && cur !== 0) {
          const keep = cur !== 0 && target !== 0 && cur > 0 === target > 0 ? target : 0;
          book.fill(s, keep - cur, p, i, 'rebalance', false);
        } else if (pass === 1 && target !== qty[s]) {
          book.fill(s, target - qty[s], p, i, 'rebalance', false);
        }
      }
    }
  };
}
