import { computeMetrics } from '../backtest/metrics';
import type { BacktestSpec } from '../backtest/spec';
import type { Metrics } from '../backtest/types';
import type { Panel } from '../data/panel-types';
import { runBarRange } from '../backtest/engine';
import { addDifference, newFillLog, popcount, pushFill, setBits, type FillLog } from './equity-rows';
import { B, LOG_B, scanCrosses, smaPairWithRanges, smaWithRanges } from './sma-scan';

/**
 * Why a sweep cannot use {@link smaCrossKernel}, or null when it can: the strategy must be
 * `sma-cross` with only `fast`/`slow` swept, and sizing `fixed-qty` (positions do not depend on
 * equity, so each symbol's P&L is independent and one pass per (symbol, pair) is exact), with no
 * benchmark. Everything else (fill at next open or close, direction, commission, slippage, whole
 * units, closeAtEnd, gaps, delistings and warm-up bars) is modelled as the engine does.
 */
export function smaKernelIneligibility(base: BacktestSpec, gridKeys: readonly string[]): string | null {
  if (base.strategy !== 'sma-cross') return 'the kernel only knows sma-cross';
  if (gridKeys.some((k) => k !== 'fast' && k !== 'slow')) return 'only fast and slow may be swept';
  if (base.sizing.method !== 'fixed-qty') return 'sizing must be fixed-qty (equity-dependent sizing couples the symbols)';
  if (base.benchmark !== undefined) return 'no benchmark';
  if (base.exits !== undefined) return 'spec exits (stop-loss, take-profit, trailing stop) need the engine';
  return null;
}

const C_RATE = 0;
const C_FIXED = 1;
const C_BPS = 2;
const C_BUY = 3;
const C_SELL = 4;
const C_UNIT = 5;
const C_LONG_ONLY = 6;
const C_AT_CLOSE = 7;
const C_CLOSE_AT_END = 8;

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

/** Where the kernel leaves the sum of its cache-touching loads (see `touched`): a store the JIT must keep. */
const SINK = new Float64Array(1);

/** One symbol of a block: its compacted bars, its SMAs with their block ranges, and its pairs' fills. */
interface SymbolData {
  readonly idx: Int32Array;
  readonly c: Float64Array;
  readonly dc: Float64Array;
  readonly o: Float64Array;
  m: number;
  /** Compacted bars before the run's first bar (warm-up): the SMAs run over them, nothing trades there. */
  w0: number;
  lastIsDelisting: boolean;
  contiguous: boolean;
  readonly sma: Float64Array[];
  readonly bmin: Float64Array[];
  readonly bmax: Float64Array[];
  readonly log: FillLog;
  readonly logFrom: Int32Array;
  readonly logTo: Int32Array;
}

/** Cache-blocking knobs of {@link smaCrossKernel}; results do not depend on them (tests vary them to prove it). */
export interface KernelTuning {
  /** Symbols whose SMAs are computed before the pair tiles run over them; default: up to 4, within 64 MB. */
  readonly symbolsPerBlock?: number;
  /** Fast periods × chain positions (slow periods) per tile; default 4 × 8. */
  readonly tileFasts?: number;
  readonly tileSlows?: number;
  /** Largest per-call equity store (8 bytes per pair and bar); more pairs are run in parts. Default 256 MB. */
  readonly maxCellBytes?: number;
}

/** Tile of TILE_FASTS fast periods × TILE_SLOWS chain positions: its rows (20 KB per pair for 10 years) and SMAs stay in L2. */
const TILE_FASTS = 4;
const TILE_SLOWS = 8;

/**
 * Metrics of `sma-cross` for many (fast, slow) pairs at once over `panel`, equal (up to float
 * summation order, ~1e-12 relative) to running each pair in the engine. `pairs` is flat:
 * `[fast0, slow0, fast1, slow1, ...]`; invalid pairs (fast >= slow, or < 1) return null, as the
 * strategy's schema rejects them. Requires {@link smaKernelIneligibility} to be null for `spec`.
 *
 * Per symbol, each distinct SMA is computed once, with its per-block ranges; per pair, a scan
 * for crosses skips the blocks where the two SMAs' ranges do not overlap, and the orders fill at
 * the crosses (a few dozen per symbol). A pair's equity is a row of differences in time (cash at
 * fills, position × close change while held), kept as the difference to a neighbouring pair (the
 * previous slow period; for the first of a fast period, the previous fast period's first):
 * neighbours hold the same position on most bars, so a pair writes a few bars per cross, not
 * every bar. Work is ordered for the cache: symbols in blocks, and per block, tiles of a few fast
 * × a few slow periods, each over all the block's symbols. Memory: 8 bytes per (pair, bar), plus
 * the SMAs of a block of symbols.
 */
export function smaCrossKernel(spec: BacktestSpec, panel: Panel, pairs: readonly number[], tuning: KernelTuning = {}): (Metrics | null)[] {
  const nPairs = pairs.length / 2;
  const { nDays, time, open, close } = panel;
  // The kernel fills and marks at the panel's prices and knows nothing of splits and dividends: a panel
  // with corporate actions up to the run's end runs in the engine (see `kernelNeedsEngine`).
  if (actionsUpTo(panel, runBarRange(spec, time).i1)) {
    throw new Error('sma-cross kernel: the panel holds corporate actions in the run; run these combinations in the engine');
  }
  // The engine's bars; warm-up bars [iw, i0) as the engine: the SMAs see them, crosses there are not traded.
  const { i0, i1, iw } = runBarRange(spec, time);
  const n = i1 - i0 + 1;
  const nAll = i1 - iw + 1;
  const tradable: number[] = [];
  if (spec.symbols) {
    const at = new Map(panel.symbols.map((s, k) => [s, k]));
    for (const s of spec.symbols) {
      const k = at.get(s);
      if (k === undefined) throw new Error(`symbols: unknown symbol "${s}"`);
      tradable.push(k);
    }
  } else for (let k = 0; k < panel.nInst; k++) tradable.push(k);
  const maxCellBytes = tuning.maxCellBytes ?? 256 << 20;
  if (nPairs > 1 && nPairs * n * 8 > maxCellBytes) {
    // Bounded memory whatever the grid and the bar count: halves, each with its own SMAs.
    const half = 2 * Math.floor(nPairs / 2);
    return [...smaCrossKernel(spec, panel, pairs.slice(0, half), tuning), ...smaCrossKernel(spec, panel, pairs.slice(half), tuning)];
  }

  const rate = spec.commission.rate;
  const fixed = spec.commission.fixed;
  const bps = spec.slippageBps;
  const longOnly = spec.direction === 'long-only';
  const atClose = spec.fill === 'close';
  const closeAtEnd = spec.closeAtEnd;
  const unit = spec.wholeUnits ? Math.floor(spec.sizing.qty) : spec.sizing.qty;
  const buyMul = 1 + bps / 10_000;
  const sellMul = 1 - bps / 10_000;
  const costs = Float64Array.of(rate, fixed, bps, buyMul, sellMul, unit, longOnly ? 1 : 0, atClose ? 1 : 0, closeAtEnd ? 1 : 0);
  const st = new Float64Array(9);

  // Valid pairs ranked in (fast, slow) order. Row r holds pair r's curve minus pair pred[r]'s (-1:
  // minus nothing): the previous slow of the same fast, or for a fast's first, the previous fast's first.
  const order: number[] = [];
  const periods = new Set<number>();
  for (let k = 0; k < nPairs; k++) {
    const f = pairs[2 * k];
    const s = pairs[2 * k + 1];
    if (Number.isInteger(f) && Number.isInteger(s) && f >= 1 && s >= 2 && f < s) {
      order.push(k);
      periods.add(f);
      periods.add(s);
    }
  }
  order.sort((a, b) => pairs[2 * a] - pairs[2 * b] || pairs[2 * a + 1] - pairs[2 * b + 1]);
  const nv = order.length;
  const plist = [...periods].sort((a, b) => a - b);
  const slotOf = new Map(plist.map((p, i) => [p, i]));
  const slowOf = new Int32Array(nv);
  const fastSlot = new Int32Array(nv);
  const slowSlot = new Int32Array(nv);
  const pred = new Int32Array(nv);
  const chainPos = new Int32Array(nv);
  const chainNo = new Int32Array(nv);
  let lastHead = -1;
  let chains = 0;
  let longest = 0;
  for (let r = 0; r < nv; r++) {
    const f = pairs[2 * order[r]];
    slowOf[r] = pairs[2 * order[r] + 1];
    fastSlot[r] = slotOf.get(f)!;
    slowSlot[r] = slotOf.get(slowOf[r])!;
    if (r > 0 && fastSlot[r - 1] === fastSlot[r]) {
      pred[r] = r - 1;
      chainPos[r] = chainPos[r - 1] + 1;
      chainNo[r] = chainNo[r - 1];
    } else {
      pred[r] = lastHead;
      lastHead = r;
      chainNo[r] = chains++;
    }
    longest = Math.max(longest, chainPos[r] + 1);
  }
  // Tiles in an order where every pair comes after its pred: by slow window, then fast group.
  const tiles: number[][] = [];
  const tileOf = new Map<number, number[]>();
  const tileFasts = tuning.tileFasts ?? TILE_FASTS;
  const tileSlows = tuning.tileSlows ?? TILE_SLOWS;
  for (let r = 0; r < nv; r++) {
    const key = Math.floor(chainPos[r] / tileSlows) * chains + Math.floor(chainNo[r] / tileFasts);
    let t = tileOf.get(key);
    if (!t) tileOf.set(key, (t = []));
    t.push(r);
  }
  for (const key of [...tileOf.keys()].sort((a, b) => a - b)) tiles.push(tileOf.get(key)!);

  const cell = new Float64Array(nv * n);
  const words = (n + 31) >> 5;
  const held = new Int32Array(nv * words);
  const endCorr = new Float64Array(nv);
  // Per pair, the earliest bar from which some symbol holds a position to the run's end (n: none).
  const heldToEnd = new Int32Array(nv).fill(n);
  const nTrades = new Float64Array(nv);
  const wins = new Float64Array(nv);
  const grossWin = new Float64Array(nv);
  const grossLoss = new Float64Array(nv);
  const traded = new Float64Array(nv);

  const nb = (nAll + B - 1) >> LOG_B;
  const P = plist.length;
  // Symbols per block: their SMAs take about P × n × 8 bytes each; at most 64 MB in all (measured: 2 to 16 perform alike).
  const SB = tuning.symbolsPerBlock ?? Math.max(1, Math.min(4, Math.floor((64 << 20) / Math.max(1, P * (nAll + 2 * nb) * 8))));
  const blk: SymbolData[] = Array.from({ length: Math.min(SB, tradable.length) }, () => ({
    idx: new Int32Array(nAll),
    c: new Float64Array(nAll),
    dc: new Float64Array(nAll),
    o: new Float64Array(nAll),
    m: 0,
    w0: 0,
    lastIsDelisting: false,
    contiguous: true,
    sma: plist.map(() => new Float64Array(nAll)),
    bmin: plist.map(() => new Float64Array(nb)),
    bmax: plist.map(() => new Float64Array(nb)),
    log: newFillLog(nv * 64),
    logFrom: new Int32Array(nv),
    logTo: new Int32Array(nv),
  }));
  const crossAt = new Int32Array(nAll);
  const crossDir = new Int8Array(nAll);
  // Stored to SINK at the end, so the engine cannot drop the touching loads as dead code.
  let touched = 0;

  for (let s0 = 0; s0 < tradable.length; s0 += SB) {
    const nBlk = Math.min(SB, tradable.length - s0);
    for (let b = 0; b < nBlk; b++) {
      const x = blk[b];
      const base = tradable[s0 + b] * nDays;
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
      // Periods longer than the symbol's bars never get a value and are never scanned.
      let i = 0;
      for (; i + 1 < P && plist[i + 1] <= m; i += 2) smaPairWithRanges(c, m, plist[i], x.sma[i], x.bmin[i], x.bmax[i], plist[i + 1], x.sma[i + 1], x.bmin[i + 1], x.bmax[i + 1]);
      if (i < P && plist[i] <= m) smaWithRanges(c, m, plist[i], x.sma[i], x.bmin[i], x.bmax[i]);
      x.lastIsDelisting = idx[m - 1] < n - 1;
      // Spans start inside the run, so only its bars need to be gap-free.
      x.contiguous = idx[m - 1] - idx[w0] === m - 1 - w0;
    }
    for (const tile of tiles) {
      for (let b = 0; b < nBlk; b++) {
        const x = blk[b];
        const m = x.m;
        if (m === 0) continue;
        const { idx, c, dc, o, log, logFrom, logTo, sma, bmin, bmax, lastIsDelisting, contiguous, w0 } = x;
        for (let ti = 0; ti < tile.length; ti++) {
          const r = tile[ti];
          const from = log.len;
          logFrom[r] = from;
          // Touch the row where this pair will write (about where its pred filled) in one burst of
          // independent loads, so their cache misses overlap instead of stalling one by one later.
          const p0 = pred[r];
          if (p0 >= 0) {
            const row0 = r * n;
            const at0 = log.at;
            let sum = 0;
            for (let g = logFrom[p0], g1 = logTo[p0]; g < g1; g++) sum += cell[row0 + idx[at0[g]]];
            touched += sum;
          }
          // Fewer bars than the slow period: never a cross, the position stays flat.
          const fs = fastSlot[r];
          const ss = slowSlot[r];
          const nc = slowOf[r] > m ? 0 : scanCrosses(sma[fs], sma[ss], bmin[fs], bmax[fs], bmin[ss], bmax[ss], slowOf[r] - 1, m, crossAt, crossDir);
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
              const j = crossAt[e];
              if (j < w0) continue; // a warm-up decision: dropped, as the engine drops it
              target = longOnly && crossDir[e] < 0 ? 0 : crossDir[e];
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
            if (target !== 0 && unit > 0) {
              const side = target > 0 ? 1 : -1;
              const px = bps === 0 ? raw : side > 0 ? raw * buyMul : raw * sellMul;
              const comm = fixed + rate * unit * px;
              cash -= side * unit * px + comm;
              tv += unit * px;
              entryPx = px;
              entryComm = comm;
              q = side * unit;
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
          addDifference(cell, r * n, c, dc, idx, m, contiguous, log, from, log.len, p < 0 ? 0 : logFrom[p], p < 0 ? 0 : logTo[p]);
        }
      }
    }
  }

  SINK[0] = touched;
  const runTime = time.slice(i0, i1 + 1);
  const out: (Metrics | null)[] = new Array(nPairs).fill(null);
  const equity = new Float64Array(n);
  for (let r = 0; r < nv; r++) {
    const row = r * n;
    if (pred[r] >= 0) {
      const from = pred[r] * n;
      for (let t = 0; t < n; t++) cell[row + t] += cell[from + t];
    }
    let v = spec.capital;
    for (let t = 0; t < n; t++) {
      v += cell[row + t];
      equity[t] = v;
    }
    equity[n - 1] += endCorr[r];
    setBits(held, r * words, heldToEnd[r], n);
    let bars = 0;
    for (let w = 0; w < words; w++) bars += popcount(held[r * words + w]);
    const m = computeMetrics({ capital: spec.capital, time: runTime, equity, trades: [], barsInMarket: bars, tradedValue: traded[r], barsPerYear: spec.barsPerYear });
    out[order[r]] = {
      ...m,
      trades: nTrades[r],
      winRate: nTrades[r] ? wins[r] / nTrades[r] : null,
      profitFactor: grossLoss[r] > 0 ? grossWin[r] / grossLoss[r] : null,
    };
  }
  return out;
}
