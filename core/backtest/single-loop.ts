import { newDecisionFields, ORDER_MARKET, type DecisionFields } from '../execution/fill-rules';
import { withIndicatorMemo } from '../indicators/memo';
import { namesIndependent } from '../strategy/independence';
import type { BarView, SingleStrategy } from '../strategy/types';
import { BacktestCancelledError } from './types';
import { delistIfLast, progressTick, PROGRESS_EVERY, type RunContext } from './run-setup';

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
 *    decisions for the block's bars, read into numbers (`OrderBook.read`), with the traded close. A
 *    single-symbol strategy's decision depends only on its own bars and state, never on the book, so
 *    deciding a block ahead changes nothing; it only avoids striding across the instrument-major
 *    panel (`s * nDays + i`) bar by bar, a cache and TLB miss per read on a wide universe. Only for
 *    strategies declared independent (built-ins, `core/strategy/independence.ts`); any other strategy
 *    (a user strategy, whose module scope could be shared across names) is stepped bar by bar across
 *    names, from a bar-major copy of the block, so no name ever runs ahead of another.
 * 2. Bar by bar (bar-major, as before): the opens of the names with work (`OrderBook.work`), then each
 *    name's mark and decision (`OrderBook.apply`) and delisting, then the equity mark over the held
 *    names: the same book operations in the same order as a plain bar loop, so the same result.
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
  const { qty, mark, held, work, names } = book;
  const lastValid = ctx.lastValid;
  const longOnly = ctx.spec.direction === 'long-only';
  const size = BLOCK * nTrad;
  // Per (bar j of the block, name k) at j * nTrad + k: what the name's bar holds, its traded close and decision.
  const kind = new Uint8Array(size);
  const rClose = new Float64Array(size);
  const dTarget = new Float64Array(size);
  // Intents (rarer than plain targets) keep their fields in the block's intent list, by index in dTarget.
  const intents: DecisionFields[] = [];
  const dec = newDecisionFields();
  const view: BarView = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  let nIntents = 0;
  /** Steps name k's strategy on its bar `i` (signal prices o, h, l, c, v; traded close rc) and records the decision at `at`. */
  const decideOne = (
    k: number,
    i: number,
    at: number,
    o: number,
    h: number,
    l: number,
    c: number,
    v: number,
    rc: number,
  ): void => {
    if (c !== c) {
      kind[at] = NO_BAR_HERE;
      return;
    }
    rClose[at] = rc;
    view.index = barCount[k]++;
    view.time = time[i];
    view.open = o;
    view.high = h;
    view.low = l;
    view.close = c;
    view.volume = v;
    const d = single.onBar(states[k], view);
    if (d === null || d === undefined) kind[at] = NO_DECISION;
    else if (typeof d === 'number') {
      // A plain target, read inline as `OrderBook.read` reads it (NaN: no decision; long-only: no short).
      const t = d === d && longOnly && d < 0 ? 0 : d;
      kind[at] = t === t ? TARGET : NO_DECISION;
      dTarget[at] = t;
    } else if (book.read(d, c, rc, dec)) {
      kind[at] = INTENT;
      if (nIntents === intents.length) intents.push(newDecisionFields());
      Object.assign(intents[nIntents], dec);
      dTarget[at] = nIntents++;
    } else kind[at] = NO_DECISION;
  };
  // Strategies not declared independent (user strategies) step bar by bar across names, from a bar-major copy of the block.
  const copy = namesIndependent(single) ? null : new BarBlock(ctx);
  const decideBlock = (from: number, m: number): void => {
    nIntents = 0;
    if (copy === null) {
      for (let k = 0; k < nTrad; k++) {
        const base = tradable[k] * nDays + from;
        for (let j = 0, at = k; j < m; j++, at += nTrad) {
          const x = base + j;
          decideOne(k, from + j, at, open[x], high[x], low[x], close[x], volume[x], tClose[x]);
        }
      }
      return;
    }
    copy.copy(from, m);
    const { bOpen, bHigh, bLow, bClose, bVolume, bTClose } = copy;
    for (let j = 0, at = 0; j < m; j++) {
      for (let k = 0; k < nTrad; k++, at++)
        decideOne(k, from + j, at, bOpen[at], bHigh[at], bLow[at], bClose[at], bVolume[at], bTClose[at]);
    }
  };
  return (from: number, to: number): void => {
    for (let b = from; b < to; b += BLOCK) {
      const m = Math.min(BLOCK, to - b);
      decideBlock(b, m);
      for (let j = 0; j < m; j++) {
        const i = b + j;
        const row = j * nTrad;
        if (i === ledger.actionBar) ledger.corporateActions(i);
        // The opens, in name order, of the names with a resting order or protective levels.
        for (let w = 0; w < work.length; w++) {
          let bits = work[w];
          while (bits !== 0) {
            const low = bits & -bits;
            bits ^= low;
            const k = (w << 5) + 31 - Math.clz32(low);
            if (kind[row + k] === NO_BAR_HERE) continue;
            const s = names[k];
            if (!book.hasOpenWork(s)) {
              work[w] &= ~low;
              continue;
            }
            const at = s * nDays + i;
            book.openPhase(s, i, tOpen[at], tHigh[at], tLow[at]);
          }
        }
        // The closes: mark, decision, delisting.
        for (let k = 0; k < nTrad; k++) {
          const at = row + k;
          const what = kind[at];
          if (what === NO_BAR_HERE) continue;
          const s = names[k];
          const rc = rClose[at];
          mark[s] = rc;
          if (what === TARGET) {
            dec.target = dTarget[at];
            dec.type = ORDER_MARKET;
            dec.price = dec.sl = dec.tp = dec.trail = Number.NaN;
            dec.hasSL = dec.hasTP = dec.hasTrail = false;
            book.apply(s, i, rc, dec);
          } else if (what === INTENT) book.apply(s, i, rc, intents[dTarget[at]]);
          if (i === lastValid[s]) delistIfLast(ctx, s, i);
        }
        // Ledger.markEquity over the held names, reading the block's traded closes.
        let eq = ledger.balance;
        let inMarket = false;
        for (let w = 0; w < held.length; w++) {
          let bits = held[w];
          while (bits !== 0) {
            const low = bits & -bits;
            bits ^= low;
            const k = (w << 5) + 31 - Math.clz32(low);
            const s = names[k];
            const c = kind[row + k] !== NO_BAR_HERE ? rClose[row + k] : tClose[s * nDays + i];
            if (c === c) mark[s] = c;
            eq += qty[s] * mark[s];
            inMarket = true;
          }
        }
        ledger.setEquity(i, eq, inMarket);
      }
    }
  };
}

const BLOCK = 32;

/** A block of up to BLOCK bars of the traded names copied bar-major (`j * nTrad + k`): signal prices and the traded close. */
class BarBlock {
  readonly bOpen: Float64Array;
  readonly bHigh: Float64Array;
  readonly bLow: Float64Array;
  readonly bClose: Float64Array;
  readonly bVolume: Float64Array;
  readonly bTClose: Float64Array;
  readonly #ctx: RunContext;

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
    const size = BLOCK * ctx.tradable.length;
    this.bOpen = new Float64Array(size);
    this.bHigh = new Float64Array(size);
    this.bLow = new Float64Array(size);
    this.bClose = new Float64Array(size);
    this.bVolume = new Float64Array(size);
    // Traded prices differ from the signal columns only in a panel with corporate actions.
    this.bTClose = ctx.traded.close !== ctx.panel.close ? new Float64Array(size) : this.bClose;
  }

  /** Copies bars [from, from + m) of every traded name: one short contiguous read per name and column. */
  copy(from: number, m: number): void {
    const { panel, traded, tradable } = this.#ctx;
    const { open, high, low, close, volume, nDays } = panel;
    const { bOpen, bHigh, bLow, bClose, bVolume, bTClose } = this;
    const tClose = traded.close;
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
      if (bTClose !== bClose) for (let j = 0, at = k; j < m; j++, at += nTrad) bTClose[at] = tClose[base + j];
    }
  }
}

// What a name's bar in a block holds (`blockSteps`).
const NO_BAR_HERE = 0;
const NO_DECISION = 1;
const TARGET = 2;
const INTENT = 3;
