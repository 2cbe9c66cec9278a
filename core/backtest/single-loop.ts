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
  const states: unknown[] = ctx.tradable.map(() => single.init(ctx.params));
  const barCount = new Int32Array(ctx.tradable.length);
  warmUp(ctx, single, states, barCount);
  const step = ctx.tradable.length === 1 ? oneSymbolSteps(ctx, single, states[0], barCount) : blockSteps(ctx, single, states, barCount);
  const { i0, i1 } = ctx;
  for (let i = i0; i <= i1; i += PROGRESS_EVERY) {
    if (progressTick(ctx, i)) yield (i - i0) / (i1 - i0 + 1);
    step(i, Math.min(i1 + 1, i + PROGRESS_EVERY));
  }
}

/** Warm-up: every name's strategy sees its bars before the run, in time order; its decisions are dropped. */
function warmUp(ctx: RunContext, single: SingleStrategy<unknown, unknown>, states: unknown[], barCount: Int32Array): void {
  const { panel, tradable, iw, i0 } = ctx;
  const { open, high, low, close, volume, time, nDays } = panel;
  for (let i = iw; i < i0; i++) {
    if ((i - iw) % PROGRESS_EVERY === 0 && ctx.opts.signal?.aborted) throw new BacktestCancelledError();
    for (let k = 0; k < tradable.length; k++) {
      const at = tradable[k] * nDays + i;
      if (close[at] !== close[at]) continue;
      const bar: BarView = { index: barCount[k]++, time: time[i], open: open[at], high: high[at], low: low[at], close: close[at], volume: volume[at] };
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
function oneSymbolSteps(ctx: RunContext, single: SingleStrategy<unknown, unknown>, state: unknown, barCount: Int32Array): (from: number, to: number) => void {
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
      if (pTarget[s1] === pTarget[s1] || (qty[s1] !== 0 && (posSL[s1] === posSL[s1] || posTP[s1] === posTP[s1] || posTrail[s1] === posTrail[s1]))) {
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
      ledger.setEquity(i, q !== 0 ? ledger.cash() + q * rc : ledger.cash(), q !== 0);
    }
  };
}

/**
 * Several symbols: bar-major steps over an instrument-major panel (`s * nDays + i`). Reading the panel
 * in place would stride across every name's series each bar (a cache and TLB miss per read on a wide
 * universe), so each block of BLOCK bars is first copied bar-major (one short contiguous run per name
 * and column) and the steps read the copy: the same values in the same order, so the same result.
 * The documented hot loop of a wide run.
 */
function blockSteps(ctx: RunContext, single: SingleStrategy<unknown, unknown>, states: unknown[], barCount: Int32Array): (from: number, to: number) => void {
  const { panel, traded, book, ledger, tradable } = ctx;
  const nTrad = tradable.length;
  const time = panel.time;
  const { qty, mark, pTarget, posSL, posTP, posTrail, held, names } = book;
  const block = new BarBlock(ctx);
  const { bOpen, bHigh, bLow, bClose, bVolume, bTOpen, bTHigh, bTLow, bTClose } = block;
  const lastValid = ctx.lastValid;
  const view: BarView = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  return (from: number, to: number): void => {
    for (let b = from; b < to; b += BLOCK) {
      const m = Math.min(BLOCK, to - b);
      block.copy(b, m);
      for (let j = 0; j < m; j++) {
        const i = b + j;
        const row = j * nTrad;
        if (i === ledger.actionBar) ledger.corporateActions(i);
        // The open of every name, then the close of every name.
        for (let k = 0; k < nTrad; k++) {
          const at = row + k;
          if (bClose[at] !== bClose[at]) continue;
          const s = tradable[k];
          // No resting order and no protective level: the open has nothing to do (openPhase would return).
          if (pTarget[s] === pTarget[s] || (qty[s] !== 0 && (posSL[s] === posSL[s] || posTP[s] === posTP[s] || posTrail[s] === posTrail[s]))) {
            book.openPhase(s, i, bTOpen[at], bTHigh[at], bTLow[at]);
          }
        }
        for (let k = 0; k < nTrad; k++) {
          const at = row + k;
          const c = bClose[at];
          if (c !== c) continue;
          const s = tradable[k];
          const rc = bTClose[at];
          mark[s] = rc;
          view.index = barCount[k]++;
          view.time = time[i];
          view.open = bOpen[at];
          view.high = bHigh[at];
          view.low = bLow[at];
          view.close = c;
          view.volume = bVolume[at];
          const d = single.onBar(states[k], view);
          if (d !== null && d !== undefined) book.decide(s, d, i, c, rc);
          if (i === lastValid[s]) delistIfLast(ctx, s, i);
        }
        // Ledger.markEquity over the held names, reading the block's closes.
        let eq = ledger.cash();
        let inMarket = false;
        for (let w = 0; w < held.length; w++) {
          let bits = held[w];
          while (bits !== 0) {
            const low = bits & -bits;
            const k = (w << 5) + 31 - Math.clz32(low);
            const s = names[k];
            const c = bTClose[row + k];
            if (c === c) mark[s] = c;
            eq += qty[s] * mark[s];
            inMarket = true;
            bits ^= low;
          }
        }
        ledger.setEquity(i, eq, inMarket);
      }
    }
  };
}

const BLOCK = 32;

/** A block of up to BLOCK bars of the traded names, bar-major (`j * nTrad + k`), signal and traded prices. */
class BarBlock {
  readonly bOpen: Float64Array;
  readonly bHigh: Float64Array;
  readonly bLow: Float64Array;
  readonly bClose: Float64Array;
  readonly bVolume: Float64Array;
  readonly bTOpen: Float64Array;
  readonly bTHigh: Float64Array;
  readonly bTLow: Float64Array;
  readonly bTClose: Float64Array;
  readonly #ctx: RunContext;
  readonly #distinct: boolean;

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
    const size = BLOCK * ctx.tradable.length;
    // Traded prices differ from the signal columns only in a panel with corporate actions.
    this.#distinct = ctx.traded.close !== ctx.panel.close;
    this.bOpen = new Float64Array(size);
    this.bHigh = new Float64Array(size);
    this.bLow = new Float64Array(size);
    this.bClose = new Float64Array(size);
    this.bVolume = new Float64Array(size);
    this.bTOpen = this.#distinct ? new Float64Array(size) : this.bOpen;
    this.bTHigh = this.#distinct ? new Float64Array(size) : this.bHigh;
    this.bTLow = this.#distinct ? new Float64Array(size) : this.bLow;
    this.bTClose = this.#distinct ? new Float64Array(size) : this.bClose;
  }

  /** Copies bars [from, from + m) of every traded name. */
  copy(from: number, m: number): void {
    const { panel, traded, tradable } = this.#ctx;
    const { open, high, low, close, volume, nDays } = panel;
    const nTrad = tradable.length;
    for (let k = 0; k < nTrad; k++) {
      const base = tradable[k] * nDays + from;
      for (let j = 0, at = k; j < m; j++, at += nTrad) {
        this.bOpen[at] = open[base + j];
        this.bHigh[at] = high[base + j];
        this.bLow[at] = low[base + j];
        this.bClose[at] = close[base + j];
        this.bVolume[at] = volume[base + j];
      }
      if (this.#distinct) {
        for (let j = 0, at = k; j < m; j++, at += nTrad) {
          this.bTOpen[at] = traded.open[base + j];
          this.bTHigh[at] = traded.high[base + j];
          this.bTLow[at] = traded.low[base + j];
          this.bTClose[at] = traded.close[base + j];
        }
      }
    }
  }
}
