import { newDecisionFields, ORDER_MARKET, type DecisionFields } from '../execution/fill-rules';
import { withIndicatorMemo } from '../indicators/memo';
import { closeStepsOf } from '../strategies/close-steps';
import { namesIndependent } from '../strategy/independence';
import type { BarView, Decision, SingleStrategy } from '../strategy/types';
import { BacktestCancelledError } from './types';
import { delistIfLast, NO_BAR, progressTick, PROGRESS_EVERY, type RunContext } from './run-setup';

/**
 * Stage 2 for single-symbol strategies: one strategy state per traded name, stepped bar by bar. Each
 * bar has two phases across all names: the open (resting orders fill, protective exits fire, see
 * `OrderBook.openPhase`), then the close (mark, the strategy's decision, `OrderBook.decide`), and the
 * equity mark. Yields the fraction done about every thousand bars.
 */
export function* runSingle(ctx: RunContext): Generator<number, void, void> {
  const single = ctx.strategy as SingleStrategy<unknown, unknown>;
  // Indicator streams built here are shared with earlier runs on this panel (indicators/memo.ts).
  const { panel } = ctx;
  const states: unknown[] = ctx.tradable.map((s) =>
    withIndicatorMemo(panel, s, panel.nDays, () => single.init(ctx.params)),
  );
  const barCount = new Int32Array(ctx.tradable.length);
  warmUp(ctx, single, states, barCount);
  const step =
    ctx.tradable.length === 1
      ? oneSymbolSteps(ctx, single, states[0], barCount)
      : blockSteps(ctx, single, states, barCount);
  const { i0, i1 } = ctx;
  for (let i = i0; i <= i1; i += PROGRESS_EVERY) {
    if (progressTick(ctx, i)) yield (i - i0) / (i1 - i0 + 1);
    step(i, Math.min(i1 + 1, i + PROGRESS_EVERY));
  }
}

/** Warm-up: every name's strategy sees its bars before the run, in time order; its decisions are dropped. */
function warmUp(
  ctx: RunContext,
  single: SingleStrategy<unknown, unknown>,
  states: unknown[],
  barCount: Int32Array,
): void {
  const { panel, tradable, iw, i0 } = ctx;
  const { open, high, low, close, volume, time, nDays } = panel;
  for (let i = iw; i < i0; i++) {
    if ((i - iw) % PROGRESS_EVERY === 0 && ctx.opts.signal?.aborted) throw new BacktestCancelledError();
    for (let k = 0; k < tradable.length; k++) {
      const at = tradable[k] * nDays + i;
      if (close[at] !== close[at]) continue;
      const bar: BarView = {
        index: barCount[k]++,
        time: time[i],
        open: open[at],
        high: high[at],
        low: low[at],
        close: close[at],
        volume: volume[at],
      };
      single.onBar(states[k], bar);
    }
  }
}

/**
 * One symbol (the common single-strategy run, and every sweep combination): the bar loop without the
 * per-name loops, reading the panel in place, with the equity mark inlined (the same operations in the
 * same order as `Ledger.markEquity`). Returns the step over bars [from, to): a plain closure, not the
 * generator's body, so V8 optimises (and on-stack replaces) this hot loop.
 */
function oneSymbolSteps(
  ctx: RunContext,
  single: SingleStrategy<unknown, unknown>,
  state: unknown,
  barCount: Int32Array,
): (from: number, to: number) => void {
  const { panel, traded, book, ledger } = ctx;
  const { open, high, low, close, volume, time } = panel;
  const tOpen = traded.open;
  const tHigh = traded.high;
  const tLow = traded.low;
  const tClose = traded.close;
  const s1 = ctx.tradable[0];
  const base = s1 * panel.nDays;
  const last1 = ctx.lastValid[s1];
  const { qty, mark, pTarget, posSL, posTP, posTrail } = book;
  const equity = ledger.equity;
  const i0 = ctx.i0;
  const view: BarView = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  const closeSteps = closeStepsOf(single);
  if (closeSteps !== null) {
    // A built-in that reads only closes decides BLOCK bars ahead in one call (its decisions depend on its
    // own bars only); the bar loop then applies them at their bars, in the same order against the book.
    const outJ = new Int32Array(BLOCK);
    const outTarget = new Float64Array(BLOCK);
    return (from: number, to: number): void => {
      for (let b = from; b < to; b += BLOCK) {
        const m = Math.min(BLOCK, to - b);
        const n = closeSteps(state, close, base + b, m, outJ, outTarget);
        let next = n > 0 ? b + outJ[0] : -1;
        let t = 0;
        for (let i = b; i < b + m; i++) {
          const c = close[base + i];
          if (i === ledger.actionBar) ledger.corporateActions(i);
          if (c !== c) {
            ledger.markEquity(i);
            continue;
          }
          const at = base + i;
          if (
            pTarget[s1] === pTarget[s1] ||
            (qty[s1] !== 0 && (posSL[s1] === posSL[s1] || posTP[s1] === posTP[s1] || posTrail[s1] === posTrail[s1]))
          ) {
            book.openPhase(s1, i, tOpen[at], tHigh[at], tLow[at]);
          }
          const rc = tClose[at];
          mark[s1] = rc;
          if (i === next) {
            book.decide(s1, outTarget[t++], i, c, rc);
            next = t < n ? b + outJ[t] : -1;
          }
          if (i === last1) delistIfLast(ctx, s1, i);
          const q = qty[s1];
          if (q !== 0) {
            equity[i - i0] = ledger.balance + q * rc;
            ledger.barsInMarket++;
          } else equity[i - i0] = ledger.balance;
        }
      }
    };
  }
  return (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const c = close[base + i];
      if (i === ledger.actionBar) ledger.corporateActions(i);
      if (c !== c) {
        ledger.markEquity(i);
        continue;
      }
      const at = base + i;
      // No resting order and no protective level to check: the open has nothing to do (openPhase would return).
      if (
        pTarget[s1] === pTarget[s1] ||
        (qty[s1] !== 0 && (posSL[s1] === posSL[s1] || posTP[s1] === posTP[s1] || posTrail[s1] === posTrail[s1]))
      ) {
        book.openPhase(s1, i, tOpen[at], tHigh[at], tLow[at]);
      }
      const rc = tClose[at];
      mark[s1] = rc;
      // The view is filled inline, not through a helper: the call measured ~5% of a 2,520-bar run.
      view.index = barCount[0]++;
      view.time = time[i];
      view.open = open[at];
      view.high = high[at];
      view.low = low[at];
      view.close = c;
      view.volume = volume[at];
      const d = single.onBar(state, view);
      if (d !== null && d !== undefined) book.decide(s1, d, i, c, rc);
      if (i === last1) delistIfLast(ctx, s1, i);
      const q = qty[s1];
      if (q !== 0) {
        equity[i - i0] = ledger.balance + q * rc;
        ledger.barsInMarket++;
      } else equity[i - i0] = ledger.balance;
    }
  };
}

/**
 * Several symbols: the documented hot loop of a wide run, in two passes per block of BLOCK bars.
 *
 * 1. Name by name (symbol-major, reading each name's columns in place, contiguously): the strategy's
 *    decisions for the block's bars, kept as events (name, target or intent) bucketed by bar, in name
 *    order. A single-symbol strategy's decision depends only on its own bars and state, never on the
 *    book, so deciding a block ahead changes nothing; it only avoids striding across the
 *    instrument-major panel (`s * nDays + i`) bar by bar, a cache and TLB miss per read on a wide
 *    universe. Only for strategies declared independent (built-ins, `core/strategy/independence.ts`);
 *    any other strategy (a user strategy, whose module scope could be shared across names) is stepped
 *    bar by bar across names, from a bar-major copy of the block, so no name ever runs ahead of another.
 * 2. Bar by bar (bar-major, as before): the opens of the names with work (`OrderBook.work`), then the
 *    decisions (`OrderBook.apply`) and delistings, then the equity mark over the held names: the same
 *    book operations in the same order as a plain bar loop over every name, so the same result. A name
 *    with nothing to do (flat, no order, no decision) is not visited: its mark is read by nobody until it
 *    decides or rests an order, and both refresh it (see `closesResting`). With `fill: "close"` a decision
 *    fills at once and sizes against every held name's mark, refreshed in name order: that mode visits
 *    every name with a bar (`closesEvery`).
 */
function blockSteps(
  ctx: RunContext,
  single: SingleStrategy<unknown, unknown>,
  states: unknown[],
  barCount: Int32Array,
): (from: number, to: number) => void {
  const { panel, traded, book, ledger, tradable } = ctx;
  const nTrad = tradable.length;
  const nDays = panel.nDays;
  const { open, high, low, close, volume, time } = panel;
  const tOpen = traded.open;
  const tHigh = traded.high;
  const tLow = traded.low;
  const tClose = traded.close;
  const { qty, mark, held, heldValue, work, names, pTarget } = book;
  const lastValid = ctx.lastValid;
  const longOnly = ctx.spec.direction === 'long-only';
  // The block's decisions, bucketed by bar j: evCount[j] events at j * nTrad + n, in name order.
  const evCount = new Int32Array(BLOCK);
  const evName = new Int32Array(BLOCK * nTrad);
  const evIntent = new Uint8Array(BLOCK * nTrad);
  // A plain target, or for an intent its index in the block's intent list (rarer; fields kept there).
  const evValue = new Float64Array(BLOCK * nTrad);
  const intents: DecisionFields[] = [];
  const dec = newDecisionFields();
  const view: BarView = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  let nIntents = 0;
  /** Records name k's decision `d` at bar j of the block (signal close c, traded close rc). */
  const record = (k: number, j: number, d: NonNullable<Decision>, c: number, rc: number): void => {
    let intent = 0;
    let value: number;
    if (typeof d === 'number') {
      // A plain target, read inline as `OrderBook.read` reads it (NaN: no decision; long-only: no short).
      value = d === d && longOnly && d < 0 ? 0 : d;
      if (value !== value) return;
    } else {
      if (!book.read(d, c, rc, dec)) return;
      if (nIntents === intents.length) intents.push(newDecisionFields());
      Object.assign(intents[nIntents], dec);
      value = nIntents++;
      intent = 1;
    }
    const e = j * nTrad + evCount[j]++;
    evName[e] = k;
    evIntent[e] = intent;
    evValue[e] = value;
  };
  /** Steps name k's strategy on its bar `i` (bar j of the block; signal prices o, h, l, c, v) and records its decision. */
  const decideOne = (k: number, i: number, j: number, o: number, h: number, l: number, c: number, v: number): void => {
    view.index = barCount[k]++;
    view.time = time[i];
    view.open = o;
    view.high = h;
    view.low = l;
    view.close = c;
    view.volume = v;
    const d = single.onBar(states[k], view);
    if (d !== null && d !== undefined) record(k, j, d, c, tClose[tradable[k] * nDays + i]);
  };
  // Strategies not declared independent (user strategies) step bar by bar across names, from a bar-major copy of the block.
  const independent = namesIndependent(single);
  const copy = independent ? null : new BarBlock(ctx);
  // A built-in that reads only closes steps a name's whole block in one call (strategies/close-steps.ts).
  const closeSteps = independent ? closeStepsOf(single) : null;
  const outJ = new Int32Array(BLOCK);
  const outTarget = new Float64Array(BLOCK);
  const decideBlock = (from: number, m: number): void => {
    nIntents = 0;
    evCount.fill(0);
    if (closeSteps !== null) {
      for (let k = 0; k < nTrad; k++) {
        const n = closeSteps(states[k], close, tradable[k] * nDays + from, m, outJ, outTarget);
        // Plain targets: `record` reads no price for them.
        for (let t = 0; t < n; t++) record(k, outJ[t], outTarget[t], Number.NaN, Number.NaN);
      }
      return;
    }
    if (copy === null) {
      for (let k = 0; k < nTrad; k++) {
        const base = tradable[k] * nDays + from;
        for (let j = 0; j < m; j++) {
          const x = base + j;
          const c = close[x];
          if (c === c) decideOne(k, from + j, j, open[x], high[x], low[x], c, volume[x]);
        }
      }
      return;
    }
    const { bOpen, bHigh, bLow, bClose, bVolume } = copy;
    // The copy goes COPY_BLOCK bars at a time: its strided writes stay in cache.
    for (let j0 = 0; j0 < m; j0 += COPY_BLOCK) {
      const mj = Math.min(COPY_BLOCK, m - j0);
      copy.copy(from + j0, mj);
      for (let j = 0, x = 0; j < mj; j++) {
        for (let k = 0; k < nTrad; k++, x++) {
          const c = bClose[x];
          if (c === c) decideOne(k, from + j0 + j, j0 + j, bOpen[x], bHigh[x], bLow[x], c, bVolume[x]);
        }
      }
    }
  };
  /** Applies event e (of name k, whose panel slot is s) at bar i, traded close rc. */
  const applyEvent = (e: number, s: number, i: number, rc: number): void => {
    if (evIntent[e] === 0) {
      dec.target = evValue[e];
      dec.type = ORDER_MARKET;
      dec.price = dec.sl = dec.tp = dec.trail = Number.NaN;
      dec.hasSL = dec.hasTP = dec.hasTrail = false;
      book.apply(s, i, rc, dec);
    } else book.apply(s, i, rc, intents[evValue[e]]);
  };
  // Names whose data ends inside the run, by that last bar (then name order): their positions close there.
  const delisting = tradable
    .map((s, k) => ({ s, k, at: lastValid[s] }))
    .filter((x) => x.at !== NO_BAR && x.at < ctx.i1)
    .sort((a, b) => a.at - b.at || a.k - b.k);
  let nextDelist = 0;
  /**
   * The closes of bar i (bar j of the block) when decisions rest until the next open: decisions, delistings,
   * then the marks of names with a resting order (sizing at the next open reads them once they fill). Nothing
   * here reads a mark or the cash, so this order and a name-by-name one give the same book.
   */
  const closesResting = (i: number, j: number): void => {
    for (let e = j * nTrad, end = e + evCount[j]; e < end; e++) {
      const s = names[evName[e]];
      const rc = tClose[s * nDays + i];
      mark[s] = rc;
      applyEvent(e, s, i, rc);
    }
    while (nextDelist < delisting.length && delisting[nextDelist].at <= i) {
      const x = delisting[nextDelist++];
      if (x.at === i) delistIfLast(ctx, x.s, i);
    }
    for (let w = 0; w < work.length; w++) {
      let bits = work[w];
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const s = names[(w << 5) + 31 - Math.clz32(low)];
        const x = s * nDays + i;
        if (pTarget[s] === pTarget[s] && close[x] === close[x]) mark[s] = tClose[x];
      }
    }
  };
  /** The closes of bar i with `fill: "close"`: every name with a bar, in name order: mark, decision, delisting. */
  const closesEvery = (i: number, j: number): void => {
    let e = j * nTrad;
    const end = e + evCount[j];
    for (let k = 0; k < nTrad; k++) {
      const s = names[k];
      const x = s * nDays + i;
      if (close[x] !== close[x]) continue;
      const rc = tClose[x];
      mark[s] = rc;
      if (e < end && evName[e] === k) applyEvent(e++, s, i, rc);
      if (i === lastValid[s]) delistIfLast(ctx, s, i);
    }
  };
  const closes = ctx.spec.fill === 'close' ? closesEvery : closesResting;
  /** The equity mark's running sums: equity and the held values' gross. */
  const sums = new Float64Array(2);
  return (from: number, to: number): void => {
    for (let b = from; b < to; b += BLOCK) {
      const m = Math.min(BLOCK, to - b);
      decideBlock(b, m);
      for (let j = 0; j < m; j++) {
        const i = b + j;
        if (i === ledger.actionBar) ledger.corporateActions(i);
        // The opens, in name order, of the names with a resting order or protective levels.
        for (let w = 0; w < work.length; w++) {
          let bits = work[w];
          while (bits !== 0) {
            const low = bits & -bits;
            bits ^= low;
            const s = names[(w << 5) + 31 - Math.clz32(low)];
            const at = s * nDays + i;
            if (close[at] !== close[at]) continue;
            if (!book.hasOpenWork(s)) {
              work[w] &= ~low;
              continue;
            }
            book.openPhase(s, i, tOpen[at], tHigh[at], tLow[at]);
          }
        }
        // The closes write marks of held names: sizing stops reading the held values until the mark below.
        book.heldValuesStale();
        closes(i, j);
        // Ledger.markEquity over the held names, in name order (a name with a bar takes its traded close
        // even if that is NaN). It leaves each one's qty × mark in the book's held values: the entries at
        // the next open size against cash plus these (until a fill or a corporate action changes one),
        // through this sum and their gross (an independent chain of additions: nearly free beside the sum).
        // The sums add in a typed array, not in locals: a local double that is also passed to a call after the
        // loop is kept boxed, and every addition allocated a heap number.
        const cash = ledger.balance;
        sums[0] = cash;
        sums[1] = 0;
        for (let w = 0; w < held.length; w++) {
          for (let bits = held[w]; bits !== 0; bits &= bits - 1) {
            const k = (w << 5) + 31 - Math.clz32(bits & -bits);
            const s = names[k];
            const x = s * nDays + i;
            const c = tClose[x];
            if (c === c || close[x] === close[x]) mark[s] = c;
            const v = qty[s] * mark[s];
            heldValue[k] = v;
            sums[0] += v;
            sums[1] += Math.abs(v);
          }
        }
        const eq = sums[0];
        book.heldValuesFresh(eq, cash, sums[1]);
        ledger.setEquity(i, eq, book.heldCount > 0);
      }
    }
  };
}

const BLOCK = 256;
/** Bars per bar-major copy for strategies stepped bar by bar across names (`BarBlock`). */
const COPY_BLOCK = 32;

/** Up to COPY_BLOCK bars of the traded names copied bar-major (`j * nTrad + k`): the signal prices. */
class BarBlock {
  readonly bOpen: Float64Array;
  readonly bHigh: Float64Array;
  readonly bLow: Float64Array;
  readonly bClose: Float64Array;
  readonly bVolume: Float64Array;
  readonly #ctx: RunContext;

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
    const size = COPY_BLOCK * ctx.tradable.length;
    this.bOpen = new Float64Array(size);
    this.bHigh = new Float64Array(size);
    this.bLow = new Float64Array(size);
    this.bClose = new Float64Array(size);
    this.bVolume = new Float64Array(size);
  }

  /** Copies bars [from, from + m) of every traded name: one short contiguous read per name and column. */
  copy(from: number, m: number): void {
    const { panel, tradable } = this.#ctx;
    const { open, high, low, close, volume, nDays } = panel;
    const { bOpen, bHigh, bLow, bClose, bVolume } = this;
    const nTrad = tradable.length;
    for (let k = 0; k < nTrad; k++) {
      const base = tradable[k] * nDays + from;
      for (let j = 0, at = k; j < m; j++, at += nTrad) {
        bOpen[at] = open[base + j];
        bHigh[at] = high[base + j];
        bLow[at] = low[base + j];
        bClose[at] = close[base + j];
        bVolume[at] = volume[base + j];
      }
    }
  }
}
