import { computeMetrics } from '../backtest/metrics';
import type { BacktestSpec } from '../backtest/spec';
import type { Metrics } from '../backtest/types';
import type { Panel } from '../data/panel-types';
import { runBarRange } from '../backtest/engine';
import { roundQty } from '../backtest/execution';
import { addDifference, newFillLog, popcount, pushFill, setBits, type FillLog } from './equity-rows';

/**
 * The sweep kernels' shared core: many parameter combinations of a single-symbol strategy under
 * `fixed-qty` sizing, where each symbol's P&L is independent of the others, so one pass per
 * (combination, symbol) over that symbol's decision *events* (the bars where the strategy asked for a
 * target) is exact. A source (the sma-cross kernel's SMA crosses, or the signal kernel's stepped
 * strategy) supplies the events; this file fills them as the engine does (market orders at the next
 * open or at the close, reversal at one price, commission, slippage, whole units, long-only, closeAtEnd,
 * delistings, warm-up bars) and keeps each combination's equity as a row of differences in time.
 */

const C_RATE = 0;
const C_FIXED = 1;
const C_BPS = 2;
const C_BUY = 3;
const C_SELL = 4;
const C_UNIT = 5;

// Per-pass state, in a Float64Array so the rare fills can live in a function of their own.
const S_CASH = 0;
const S_Q = 1;
const S_ENTRY_PX = 2;
const S_ENTRY_COMM = 3;
const S_TRADED = 4;
const S_TRADES = 5;
const S_WINS = 6;
const S_GROSS_WIN = 7;
const S_GROSS_LOSS = 8;

/** Moves the position to the sign of `target` at raw price `raw`: closes an opposite one first, then opens (as the engine's executeTarget). */
function fill(st: Float64Array, target: number, raw: number, costs: Float64Array): void {
  const rate = costs[C_RATE];
  const fixed = costs[C_FIXED];
  const bps = costs[C_BPS];
  let q = st[S_Q];
  if (q !== 0 && (target === 0 || q > 0 !== target > 0)) {
    const px = bps === 0 ? raw : q > 0 ? raw * costs[C_SELL] : raw * costs[C_BUY];
    const aq = q > 0 ? q : -q;
    const comm = fixed + rate * aq * px;
    st[S_CASH] -= -q * px + comm;
    st[S_TRADED] += aq * px;
    const pnl = (q > 0 ? 1 : -1) * aq * (px - st[S_ENTRY_PX]) - st[S_ENTRY_COMM] - comm;
    st[S_TRADES]++;
    if (pnl > 0) {
      st[S_WINS]++;
      st[S_GROSS_WIN] += pnl;
    } else st[S_GROSS_LOSS] -= pnl;
    q = 0;
    st[S_Q] = 0;
  }
  const unit = costs[C_UNIT];
  if (target !== 0 && q === 0 && unit > 0) {
    const side = target > 0 ? 1 : -1;
    const px = bps === 0 ? raw : side > 0 ? raw * costs[C_BUY] : raw * costs[C_SELL];
    const comm = fixed + rate * unit * px;
    st[S_CASH] -= side * unit * px + comm;
    st[S_TRADED] += unit * px;
    st[S_ENTRY_PX] = px;
    st[S_ENTRY_COMM] = comm;
    st[S_Q] = side * unit;
  }
}

/** Whether a corporate action, or a price adjusted for one, falls on a panel bar at or before `i1`. */
function actionsUpTo(panel: Panel, i1: number): boolean {
  const a = panel.actions;
  if (a && a.bar.length > 0 && a.bar[0] <= i1) return true;
  const f = panel.priceFactor;
  if (!f) return false;
  for (let s = 0; s < panel.nInst; s++) {
    const base = s * panel.nDays;
    for (let i = 0; i <= i1; i++) if (f[base + i] !== 1) return true;
  }
  return false;
}

/** How long one time-limited group of a source with `around` runs before leaving its limit (ms). */
const GROUP_MS = 50;

/** Where the kernel leaves the sum of its cache-touching loads (see `touched`): a store the JIT must keep. */
const SINK = new Float64Array(1);

/** One symbol of a block: its compacted bars (valid closes from the warm-up start), and its combinations' fills. */
export interface SymbolData {
  /** The symbol's instrument index in the panel. */
  inst: number;
  /** Per compacted bar, its run bar (`i - i0`; negative for warm-up bars). */
  readonly idx: Int32Array;
  readonly c: Float64Array;
  readonly dc: Float64Array;
  readonly o: Float64Array;
  m: number;
  /** Compacted bars before the run's first bar (warm-up): the strategy sees them, nothing trades there. */
  w0: number;
  lastIsDelisting: boolean;
  contiguous: boolean;
  readonly log: FillLog;
  readonly logFrom: Int32Array;
  readonly logTo: Int32Array;
}

/** How valid combinations are ordered: row r's equity is kept as the difference to row `pred[r]` (< r, or -1: none). */
export interface KernelLayout {
  readonly nv: number;
  readonly pred: Int32Array;
  /** Rows in the order they are evaluated, in tiles; every row comes after its pred. */
  readonly tiles: readonly (readonly number[])[];
}

/** Where the decision events of a (row, symbol) come from. */
export interface EventSource {
  /** Symbols per block (computed once per block by `prepare`). */
  readonly symbolsPerBlock: number;
  /** Called once per block symbol after its bars are compacted (`x.m > 0`); `b` is its slot in the block. */
  prepare(x: SymbolData, b: number): void;
  /**
   * Writes row `r`'s events on `x` into `at` (compacted bar of the decision, increasing) and `target`
   * (the decided target, after long-only), returns their count. Events before `x.w0` are dropped by
   * the kernel, as the engine drops warm-up decisions.
   */
  events(r: number, x: SymbolData, b: number, at: Int32Array, target: Float64Array): number;
  /**
   * Wraps each group of a block's rows (the signal kernel puts user code under its time limit there):
   * a group runs about 50 ms and at least one (row, symbol) pass.
   */
  around?(group: () => void): void;
  /**
   * When present, does a whole block's (row, symbol) passes itself, after `prepare` ran for its symbols (the
   * sma-cross kernel's native path): it must write `rows` exactly as the kernel's own loop would.
   */
  runBlock?(blk: readonly SymbolData[], nBlk: number, rows: KernelRows): void;
}

/** What a block's passes accumulate per row (see {@link EventSource.runBlock}). */
export interface KernelRows {
  /** Run bars, and 32-bit words per row of `held`. */
  readonly n: number;
  readonly words: number;
  readonly cell: Float64Array;
  readonly held: Int32Array;
  readonly endCorr: Float64Array;
  readonly heldToEnd: Int32Array;
  readonly nTrades: Float64Array;
  readonly wins: Float64Array;
  readonly grossWin: Float64Array;
  readonly grossLoss: Float64Array;
  readonly traded: Float64Array;
}

/** Largest equity-row store kept from one call for the next (a sweep's worker calls once per job, with rows of one size). */
const SPARE_CELL_BYTES = 32 << 20;
let spareCells: Float64Array | null = null;

/**
 * `len` zeros for the equity rows: the previous call's store when it is big enough, else a new one.
 * Reusing it spares each job the allocation and first touch of tens of MB and the collections that
 * much external memory triggers.
 */
function zeroedCells(len: number): Float64Array {
  const spare = spareCells;
  spareCells = null;
  if (spare && spare.length >= len) return spare.subarray(0, len).fill(0);
  return new Float64Array(len);
}

/** Keeps `cell`'s store for the next call, when small enough to hold on to. */
function keepCells(cell: Float64Array): void {
  if (cell.buffer.byteLength <= SPARE_CELL_BYTES) spareCells = new Float64Array(cell.buffer);
}

/** The run's bar range, checked for corporate actions (the kernels trade the panel's prices as they are). */
export function kernelRange(spec: BacktestSpec, panel: Panel, name: string): { i0: number; i1: number; iw: number } {
  const r = runBarRange(spec, panel.time);
  if (actionsUpTo(panel, r.i1)) {
    throw new Error(
      `${name} kernel: the panel holds corporate actions in the run; run these combinations in the engine`,
    );
  }
  return r;
}

/** The instruments a spec trades: its symbols in order, or every instrument. */
export function tradableOf(spec: BacktestSpec, panel: Panel): number[] {
  const tradable: number[] = [];
  if (spec.symbols) {
    const at = new Map(panel.symbols.map((s, k) => [s, k]));
    for (const s of spec.symbols) {
      const k = at.get(s);
      if (k === undefined) throw new Error(`symbols: unknown symbol "${s}"`);
      tradable.push(k);
    }
  } else for (let k = 0; k < panel.nInst; k++) tradable.push(k);
  return tradable;
}

/**
 * Fills every row's events on every tradable symbol and returns each row's metrics (index = row).
 * Memory: 8 bytes per (row, bar) for the equity rows.
 */
export function eventKernel(
  spec: BacktestSpec,
  panel: Panel,
  layout: KernelLayout,
  source: EventSource,
  name: string,
): Metrics[] {
  const { nDays, time, open, close } = panel;
  const { i0, i1, iw } = kernelRange(spec, panel, name);
  const n = i1 - i0 + 1;
  const nAll = i1 - iw + 1;
  const tradable = tradableOf(spec, panel);
  const { nv, pred, tiles } = layout;

  const rate = spec.commission.rate;
  const fixed = spec.commission.fixed;
  const bps = spec.slippageBps;
  const longOnly = spec.direction === 'long-only';
  const atClose = spec.fill === 'close';
  const closeAtEnd = spec.closeAtEnd;
  if (spec.sizing.method !== 'fixed-qty') throw new Error(`${name} kernel: sizing must be fixed-qty`);
  const qty = spec.sizing.qty;
  const whole = spec.wholeUnits;
  // The size of a target of ±1, and of any other |target| (the engine sizes qty × min(1, |target|)).
  const unit = roundQty(qty, whole);
  const buyMul = 1 + bps / 10_000;
  const sellMul = 1 - bps / 10_000;
  const costs = Float64Array.of(rate, fixed, bps, buyMul, sellMul, unit);
  const st = new Float64Array(9);

  const cell = zeroedCells(nv * n);
  const words = (n + 31) >> 5;
  const held = new Int32Array(nv * words);
  const endCorr = new Float64Array(nv);
  // Per row, the earliest bar from which some symbol holds a position to the run's end (n: none).
  const heldToEnd = new Int32Array(nv).fill(n);
  const nTrades = new Float64Array(nv);
  const wins = new Float64Array(nv);
  const grossWin = new Float64Array(nv);
  const grossLoss = new Float64Array(nv);
  const traded = new Float64Array(nv);
  const rows: KernelRows = { n, words, cell, held, endCorr, heldToEnd, nTrades, wins, grossWin, grossLoss, traded };

  const SB = Math.max(1, source.symbolsPerBlock);
  const blk: SymbolData[] = Array.from({ length: Math.min(SB, tradable.length) }, () => ({
    inst: 0,
    idx: new Int32Array(nAll),
    c: new Float64Array(nAll),
    dc: new Float64Array(nAll),
    o: new Float64Array(nAll),
    m: 0,
    w0: 0,
    lastIsDelisting: false,
    contiguous: true,
    log: newFillLog(nv * 64),
    logFrom: new Int32Array(nv),
    logTo: new Int32Array(nv),
  }));
  const evAt = new Int32Array(nAll);
  const evTarget = new Float64Array(nAll);
  // Stored to SINK at the end, so the engine cannot drop the touching loads as dead code.
  let touched = 0;

  for (let s0 = 0; s0 < tradable.length; s0 += SB) {
    const nBlk = Math.min(SB, tradable.length - s0);
    for (let b = 0; b < nBlk; b++) {
      const x = blk[b];
      x.inst = tradable[s0 + b];
      const base = x.inst * nDays;
      const { idx, c, dc, o } = x;
      let m = 0;
      let w0 = 0;
      for (let i = iw; i <= i1; i++) {
        const v = close[base + i];
        if (v === v) {
          if (i < i0) w0++;
          // Negative for warm-up bars: never a fill there, so never a row index.
          idx[m] = i - i0;
          c[m] = v;
          dc[m] = m > 0 ? v - c[m - 1] : 0;
          o[m] = open[base + i];
          m++;
        }
      }
      // A name with no bar inside the run never trades (the engine's lastValid is none).
      x.m = m === w0 ? 0 : m;
      x.w0 = w0;
      x.log.len = 0;
      if (x.m === 0) continue;
      source.prepare(x, b);
      x.lastIsDelisting = idx[m - 1] < n - 1;
      // Spans start inside the run, so only its bars need to be gap-free.
      x.contiguous = idx[m - 1] - idx[w0] === m - 1 - w0;
    }
    // Resumable: skips the first `start` (row, symbol) passes, and returns how many were done once
    // performance.now() passes `until` (0: never), or -1 when the block is done.
    const rowsOverBlock = (start: number, until: number): number => {
      let pos = 0;
      for (const tile of tiles) {
        for (let b = 0; b < nBlk; b++) {
          const x = blk[b];
          const m = x.m;
          if (m === 0) continue;
          if (pos + tile.length <= start) {
            pos += tile.length;
            continue;
          }
          const { idx, c, dc, o, log, logFrom, logTo, lastIsDelisting, contiguous, w0 } = x;
          for (let ti = 0; ti < tile.length; ti++) {
            if (pos < start) {
              pos++;
              continue;
            }
            if (until > 0 && pos > start && performance.now() > until) return pos;
            pos++;
            const r = tile[ti];
            const from = log.len;
            logFrom[r] = from;
            // Touch the row where this combination will write (about where its pred filled) in one burst
            // of independent loads, so their cache misses overlap instead of stalling one by one later.
            const p0 = pred[r];
            if (p0 >= 0) {
              const row0 = r * n;
              const at0 = log.at;
              let sum = 0;
              for (let g = logFrom[p0], g1 = logTo[p0]; g < g1; g++) sum += cell[row0 + idx[at0[g]]];
              touched += sum;
            }
            const nc = source.events(r, x, b, evAt, evTarget);
            // The arithmetic of `fill`, on locals: a call per fill costs more than the fill.
            let q = 0;
            let cash = 0;
            let entryPx = 0;
            let entryComm = 0;
            let tv = 0;
            let nt = 0;
            let nw = 0;
            let gw = 0;
            let gl = 0;
            for (let e = 0; e <= nc; e++) {
              let fb: number;
              let raw: number;
              let target: number;
              if (e < nc) {
                const j = evAt[e];
                if (j < w0) continue; // a warm-up decision: dropped, as the engine drops it
                target = evTarget[e];
                if ((q !== 0 && target !== 0 && q > 0 === target > 0) || (q === 0 && target === 0)) continue;
                if (atClose) {
                  fb = j;
                  raw = c[j];
                } else if (j + 1 < m) {
                  fb = j + 1;
                  raw = o[j + 1];
                } else continue; // decided on the symbol's last bar: the order never fills
              } else if (lastIsDelisting && q !== 0) {
                // No bar after this one inside the run: the engine closes at the last close.
                fb = m - 1;
                raw = c[m - 1];
                target = 0;
              } else break;
              const cashBefore = cash;
              if (q !== 0) {
                // The target is flat or opposite here (a same-side target was skipped above).
                const px = bps === 0 ? raw : q > 0 ? raw * sellMul : raw * buyMul;
                const aq = q > 0 ? q : -q;
                const comm = fixed + rate * aq * px;
                cash -= -q * px + comm;
                tv += aq * px;
                const pnl = (q > 0 ? 1 : -1) * aq * (px - entryPx) - entryComm - comm;
                nt++;
                if (pnl > 0) {
                  nw++;
                  gw += pnl;
                } else gl -= pnl;
                q = 0;
              }
              const u = target === 1 || target === -1 ? unit : roundQty(qty * Math.min(1, Math.abs(target)), whole);
              if (target !== 0 && u > 0) {
                const side = target > 0 ? 1 : -1;
                const px = bps === 0 ? raw : side > 0 ? raw * buyMul : raw * sellMul;
                const comm = fixed + rate * u * px;
                cash -= side * u * px + comm;
                tv += u * px;
                entryPx = px;
                entryComm = comm;
                q = side * u;
              }
              pushFill(log, from, fb, q, cash - cashBefore);
            }
            if (closeAtEnd && q !== 0) {
              // Closed at the last close: that bar's mark is cash only, though the bar counts as held.
              st[S_CASH] = cash;
              st[S_Q] = q;
              st[S_ENTRY_PX] = entryPx;
              st[S_ENTRY_COMM] = entryComm;
              st[S_TRADED] = tv;
              st[S_TRADES] = nt;
              st[S_WINS] = nw;
              st[S_GROSS_WIN] = gw;
              st[S_GROSS_LOSS] = gl;
              fill(st, 0, c[m - 1], costs);
              endCorr[r] += st[S_CASH] - cash - q * c[m - 1];
              tv = st[S_TRADED];
              nt = st[S_TRADES];
              nw = st[S_WINS];
              gw = st[S_GROSS_WIN];
              gl = st[S_GROSS_LOSS];
            }
            logTo[r] = log.len;
            traded[r] += tv;
            nTrades[r] += nt;
            wins[r] += nw;
            grossWin[r] += gw;
            grossLoss[r] += gl;
            const word0 = r * words;
            // Held bars: one range per stretch of non-zero positions (a reversal does not end it).
            let heldFrom = -1;
            for (let g = from; g < log.len; g++) {
              if (log.q[g] !== 0) {
                if (heldFrom < 0) heldFrom = idx[log.at[g]];
              } else if (heldFrom >= 0) {
                setBits(held, word0, heldFrom, idx[log.at[g]]);
                heldFrom = -1;
              }
            }
            // Held to the run's end: the union of such stretches over symbols is one, from the earliest start.
            if (heldFrom >= 0 && heldFrom < heldToEnd[r]) heldToEnd[r] = heldFrom;
            const p = pred[r];
            addDifference(
              cell,
              r * n,
              c,
              dc,
              idx,
              m,
              contiguous,
              log,
              from,
              log.len,
              p < 0 ? 0 : logFrom[p],
              p < 0 ? 0 : logTo[p],
            );
          }
        }
      }
      return -1;
    };
    // A time-limited source (user code) gets short groups, each in its own limit: the limit bounds a
    // group of about GROUP_MS, not a whole block, however many combinations a chunk holds or however
    // loaded the machine is.
    if (source.runBlock) {
      source.runBlock(blk, nBlk, rows);
      continue;
    }
    if (source.around)
      for (let done = 0; done >= 0;) source.around(() => (done = rowsOverBlock(done, performance.now() + GROUP_MS)));
    else rowsOverBlock(0, 0);
  }

  SINK[0] = touched;
  const runTime = time.slice(i0, i1 + 1);
  const out: Metrics[] = new Array(nv);
  const equity = new Float64Array(n);
  for (let r = 0; r < nv; r++) {
    const row = r * n;
    let v = spec.capital;
    // pred[r] < r: its row is already whole. Made whole and summed in one pass (the same additions).
    if (pred[r] >= 0) {
      const from = pred[r] * n;
      for (let t = 0; t < n; t++) {
        const x = cell[row + t] + cell[from + t];
        cell[row + t] = x;
        v += x;
        equity[t] = v;
      }
    } else {
      for (let t = 0; t < n; t++) {
        v += cell[row + t];
        equity[t] = v;
      }
    }
    equity[n - 1] += endCorr[r];
    setBits(held, r * words, heldToEnd[r], n);
    let bars = 0;
    for (let w = 0; w < words; w++) bars += popcount(held[r * words + w]);
    const m = computeMetrics({
      capital: spec.capital,
      time: runTime,
      equity,
      trades: [],
      barsInMarket: bars,
      tradedValue: traded[r],
      barsPerYear: spec.barsPerYear,
    });
    out[r] = {
      ...m,
      trades: nTrades[r],
      winRate: nTrades[r] ? wins[r] / nTrades[r] : null,
      profitFactor: grossLoss[r] > 0 ? grossWin[r] / grossLoss[r] : null,
    };
  }
  keepCells(cell);
  return out;
}
