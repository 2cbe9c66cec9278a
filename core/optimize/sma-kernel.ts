import { computeMetrics } from '../backtest/metrics';
import type { BacktestSpec } from '../backtest/spec';
import type { Metrics } from '../backtest/types';
import type { Panel } from '../data/panel-types';
import { parseDate } from '../model/time';

/**
 * Why a sweep cannot use {@link smaCrossKernel}, or null when it can: the strategy must be
 * `sma-cross` with only `fast`/`slow` swept, and sizing `fixed-qty` (positions do not depend on
 * equity, so each symbol's P&L is independent and one pass per (symbol, pair) is exact), with no
 * benchmark. Everything else (fill at next open or close, direction, commission, slippage, whole
 * units, closeAtEnd, gaps and delistings) is modelled as the engine does.
 */
export function smaKernelIneligibility(base: BacktestSpec, gridKeys: readonly string[]): string | null {
  if (base.strategy !== 'sma-cross') return 'the kernel only knows sma-cross';
  if (gridKeys.some((k) => k !== 'fast' && k !== 'slow')) return 'only fast and slow may be swept';
  if (base.sizing.method !== 'fixed-qty') return 'sizing must be fixed-qty (equity-dependent sizing couples the symbols)';
  if (base.benchmark !== undefined) return 'no benchmark';
  return null;
}

/** SMA over `src[0..m)` with exactly the arithmetic of `SmaStream` (running total), so crosses are bit-identical. */
function smaLikeStream(src: Float64Array, m: number, p: number, out: Float64Array): void {
  let total = 0;
  for (let j = 0; j < m; j++) {
    total += src[j];
    if (j + 1 < p) {
      out[j] = Number.NaN;
      continue;
    }
    out[j] = total / p;
    total -= src[j + 1 - p];
  }
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

/** Scratch buffers of one kernel call, sized to the run's bars. */
interface Scratch {
  readonly crossAt: Int32Array;
  readonly crossDir: Int8Array;
}

/**
 * One symbol × one pair, as the engine steps it: the strategy decides at the close on strict
 * crosses of the two SMAs; a market order fills at the next bar's open (or at the close with
 * `fill: close`); a delisting closes at the last close. Two tight passes: a scan for crosses, then,
 * per stretch of constant position, `q × close` added into `acc[row + t]`; cash changes go to the
 * difference array `dcash[row + t]` (prefix-summed later). Bars without data for the symbol carry
 * its last close, as the engine's marks do. Accumulates trade statistics in `st` (reset first).
 */
function passPair(
  fa: Float64Array,
  sl: Float64Array,
  c: Float64Array,
  o: Float64Array,
  idx: Int32Array,
  m: number,
  n: number,
  lastIsDelisting: boolean,
  acc: Float64Array,
  dcash: Float64Array,
  inMarket: Uint8Array,
  row: number,
  costs: Float64Array,
  st: Float64Array,
  scratch: Scratch,
): void {
  st.fill(0);
  const longOnly = costs[C_LONG_ONLY] === 1;
  const atClose = costs[C_AT_CLOSE] === 1;
  // Pass 1: strict crosses. `prev` is the sign of fast - slow on the previous bar (0 when equal or NaN).
  const crossAt = scratch.crossAt;
  const crossDir = scratch.crossDir;
  let nCross = 0;
  let prev = 0;
  for (let j = 0; j < m; j++) {
    const diff = fa[j] - sl[j];
    const cur = diff > 0 ? 1 : diff < 0 ? -1 : 0;
    if (cur !== prev) {
      if (prev !== 0 && cur === -prev) {
        crossAt[nCross] = j;
        crossDir[nCross++] = cur;
      }
      prev = cur;
    }
  }
  // Pass 2: walk the decisions, filling orders; between fills the position is constant.
  let q = 0;
  let segStart = 0;
  let cashBefore = 0;
  for (let e = 0; e < nCross; e++) {
    const j = crossAt[e];
    const target = longOnly && crossDir[e] < 0 ? 0 : crossDir[e];
    if ((q !== 0 && target !== 0 && q > 0 === target > 0) || (q === 0 && target === 0)) continue;
    let fb: number;
    let raw: number;
    if (atClose) {
      fb = j;
      raw = c[j];
    } else if (j + 1 < m) {
      fb = j + 1;
      raw = o[j + 1];
    } else continue; // decided on the symbol's last bar: the order never fills
    addPosition(acc, inMarket, row, c, idx, m, n, q, segStart, fb);
    fill(st, target, raw, costs);
    dcash[row + idx[fb]] += st[S_CASH] - cashBefore;
    cashBefore = st[S_CASH];
    q = st[S_Q];
    segStart = fb;
  }
  if (lastIsDelisting && q !== 0) {
    // No bar after this one inside the run: the engine closes at the last close.
    addPosition(acc, inMarket, row, c, idx, m, n, q, segStart, m - 1);
    fill(st, 0, c[m - 1], costs);
    dcash[row + idx[m - 1]] += st[S_CASH] - cashBefore;
    cashBefore = st[S_CASH];
    q = 0;
    segStart = m;
  }
  addPosition(acc, inMarket, row, c, idx, m, n, q, segStart, m);
  if (costs[C_CLOSE_AT_END] === 1 && q !== 0) {
    fill(st, 0, c[m - 1], costs);
    dcash[row + n - 1] += st[S_CASH] - cashBefore;
    acc[row + n - 1] -= q * c[m - 1];
  }
}

/**
 * {@link passPair} for a symbol whose bars are contiguous inside the run (no gaps; it may list late
 * or delist early): one fused pass whose common bar is two loads, a compare and one add. Fills are
 * written out inline on locals (the same arithmetic as {@link fill}): a call per fill, with the
 * state in a typed array, cost more than the bars between two crosses.
 */
function passPairContiguous(
  fa: Float64Array,
  sl: Float64Array,
  c: Float64Array,
  o: Float64Array,
  m: number,
  lastIsDelisting: boolean,
  acc: Float64Array,
  dcash: Float64Array,
  inMarket: Uint8Array,
  base: number,
  last: number,
  costs: Float64Array,
  st: Float64Array,
): void {
  const rate = costs[C_RATE];
  const fixed = costs[C_FIXED];
  const bps = costs[C_BPS];
  const buyMul = costs[C_BUY];
  const sellMul = costs[C_SELL];
  const unit = costs[C_UNIT];
  const longOnly = costs[C_LONG_ONLY] === 1;
  const atClose = costs[C_AT_CLOSE] === 1;
  let cash = 0;
  let q = 0;
  let entryPx = 0;
  let entryComm = 0;
  let tv = 0;
  let nt = 0;
  let w = 0;
  let gw = 0;
  let gl = 0;
  let cashBefore = 0;
  let prev = 0;
  let pendingAt = -1;
  let pending = 0;
  let inSince = -1;
  // The delisting check runs on one bar only (-1: the symbol trades to the end of the run).
  const lastJ = lastIsDelisting ? m - 1 : -1;
  for (let j = 0; j < m; j++) {
    if (j === pendingAt) {
      const target = pending;
      const raw = o[j];
      if (q !== 0 && (target === 0 || q > 0 !== target > 0)) {
        const px = bps === 0 ? raw : q > 0 ? raw * sellMul : raw * buyMul;
        const aq = q > 0 ? q : -q;
        const comm = fixed + rate * aq * px;
        cash -= -q * px + comm;
        tv += aq * px;
        const pnl = (q > 0 ? 1 : -1) * aq * (px - entryPx) - entryComm - comm;
        nt++;
        if (pnl > 0) {
          w++;
          gw += pnl;
        } else gl -= pnl;
        q = 0;
      }
      if (target !== 0 && q === 0 && unit > 0) {
        const side = target > 0 ? 1 : -1;
        const px = bps === 0 ? raw : side > 0 ? raw * buyMul : raw * sellMul;
        const comm = fixed + rate * unit * px;
        cash -= side * unit * px + comm;
        tv += unit * px;
        entryPx = px;
        entryComm = comm;
        q = side * unit;
      }
      dcash[base + j] += cash - cashBefore;
      cashBefore = cash;
      if (q !== 0 && inSince < 0) inSince = j;
      else if (q === 0 && inSince >= 0) {
        inMarket.fill(1, base + inSince, base + j);
        inSince = -1;
      }
    }
    const diff = fa[j] - sl[j];
    // Branch-free sign (0 for equal or NaN): the common bar takes no data-dependent branch.
    const cur = +(diff > 0) - +(diff < 0);
    if (cur !== prev) {
      if (prev !== 0 && cur === -prev) {
        const target = longOnly && cur < 0 ? 0 : cur;
        if ((q !== 0 && target !== 0 && q > 0 === target > 0) || (q === 0 && target === 0)) pendingAt = -1;
        else if (atClose) {
          pendingAt = -1;
          const raw = c[j];
          if (q !== 0 && (target === 0 || q > 0 !== target > 0)) {
            const px = bps === 0 ? raw : q > 0 ? raw * sellMul : raw * buyMul;
            const aq = q > 0 ? q : -q;
            const comm = fixed + rate * aq * px;
            cash -= -q * px + comm;
            tv += aq * px;
            const pnl = (q > 0 ? 1 : -1) * aq * (px - entryPx) - entryComm - comm;
            nt++;
            if (pnl > 0) {
              w++;
              gw += pnl;
            } else gl -= pnl;
            q = 0;
          }
          if (target !== 0 && q === 0 && unit > 0) {
            const side = target > 0 ? 1 : -1;
            const px = bps === 0 ? raw : side > 0 ? raw * buyMul : raw * sellMul;
            const comm = fixed + rate * unit * px;
            cash -= side * unit * px + comm;
            tv += unit * px;
            entryPx = px;
            entryComm = comm;
            q = side * unit;
          }
          dcash[base + j] += cash - cashBefore;
          cashBefore = cash;
          if (q !== 0 && inSince < 0) inSince = j;
          else if (q === 0 && inSince >= 0) {
            inMarket.fill(1, base + inSince, base + j);
            inSince = -1;
          }
        } else {
          pendingAt = j + 1;
          pending = target;
        }
      }
      prev = cur;
    }
    if (j === lastJ && q !== 0) {
      const target = 0;
      const raw = c[j];
      if (q !== 0 && (target === 0 || q > 0 !== target > 0)) {
        const px = bps === 0 ? raw : q > 0 ? raw * sellMul : raw * buyMul;
        const aq = q > 0 ? q : -q;
        const comm = fixed + rate * aq * px;
        cash -= -q * px + comm;
        tv += aq * px;
        const pnl = (q > 0 ? 1 : -1) * aq * (px - entryPx) - entryComm - comm;
        nt++;
        if (pnl > 0) {
          w++;
          gw += pnl;
        } else gl -= pnl;
        q = 0;
      }
      if (target !== 0 && q === 0 && unit > 0) {
        const side = target > 0 ? 1 : -1;
        const px = bps === 0 ? raw : side > 0 ? raw * buyMul : raw * sellMul;
        const comm = fixed + rate * unit * px;
        cash -= side * unit * px + comm;
        tv += unit * px;
        entryPx = px;
        entryComm = comm;
        q = side * unit;
      }
      dcash[base + j] += cash - cashBefore;
      cashBefore = cash;
      if (q !== 0 && inSince < 0) inSince = j;
      else if (q === 0 && inSince >= 0) {
        inMarket.fill(1, base + inSince, base + j);
        inSince = -1;
      }
    }
    acc[base + j] += q * c[j];
  }
  if (inSince >= 0) inMarket.fill(1, base + inSince, last + 1);
  if (q !== 0 && costs[C_CLOSE_AT_END] === 1) {
    // Not delisted (else q is 0): the last bar is the run's last bar, so no tail to carry.
    const before = q * c[m - 1];
    const target = 0;
    const raw = c[m - 1];
    if (q !== 0 && (target === 0 || q > 0 !== target > 0)) {
      const px = bps === 0 ? raw : q > 0 ? raw * sellMul : raw * buyMul;
      const aq = q > 0 ? q : -q;
      const comm = fixed + rate * aq * px;
      cash -= -q * px + comm;
      tv += aq * px;
      const pnl = (q > 0 ? 1 : -1) * aq * (px - entryPx) - entryComm - comm;
      nt++;
      if (pnl > 0) {
        w++;
        gw += pnl;
      } else gl -= pnl;
      q = 0;
    }
    if (target !== 0 && q === 0 && unit > 0) {
      const side = target > 0 ? 1 : -1;
      const px = bps === 0 ? raw : side > 0 ? raw * buyMul : raw * sellMul;
      const comm = fixed + rate * unit * px;
      cash -= side * unit * px + comm;
      tv += unit * px;
      entryPx = px;
      entryComm = comm;
      q = side * unit;
    }
    dcash[last] += cash - cashBefore;
    acc[last] -= before;
  }
  st[S_CASH] = cash;
  st[S_Q] = q;
  st[S_TRADED] = tv;
  st[S_TRADES] = nt;
  st[S_WINS] = w;
  st[S_GROSS_WIN] = gw;
  st[S_GROSS_LOSS] = gl;
}

/** Adds `q × close` of valid bars [from, to) into `acc` (each held until the symbol's next bar) and marks those bars in the market. */
function addPosition(acc: Float64Array, inMarket: Uint8Array, row: number, c: Float64Array, idx: Int32Array, m: number, n: number, q: number, from: number, to: number): void {
  if (q === 0 || from >= to) return;
  const t0 = row + idx[from];
  const t1 = to < m ? row + idx[to] : row + n;
  if (t1 - t0 === to - from) {
    // No gaps in this stretch: bar j is at t0 + (j - from).
    for (let j = from, t = t0; j < to; j++, t++) acc[t] += q * c[j];
  } else {
    for (let j = from; j < to; j++) {
      const v = q * c[j];
      const end = j + 1 < m ? row + idx[j + 1] : row + n;
      for (let t = row + idx[j]; t < end; t++) acc[t] += v;
    }
  }
  inMarket.fill(1, t0, t1);
}

/**
 * Metrics of `sma-cross` for many (fast, slow) pairs at once over `panel`, equal (up to float
 * summation order across symbols, ~1e-12 relative) to running each pair in the engine. Each
 * distinct SMA is computed once per symbol; then each pair is one pass over the symbol's bars
 * accumulating its equity contribution. `pairs` is flat: `[fast0, slow0, fast1, slow1, ...]`.
 * Invalid pairs (fast >= slow, or < 1) return null, as the strategy's schema rejects them.
 * Requires {@link smaKernelIneligibility} to be null for `spec`.
 */
export function smaCrossKernel(spec: BacktestSpec, panel: Panel, pairs: readonly number[]): (Metrics | null)[] {
  const nPairs = pairs.length / 2;
  const { nDays, time, open, close } = panel;
  const startMs = spec.start !== undefined ? (parseDate(spec.start) as number) : -Infinity;
  const endMs = spec.end !== undefined ? (parseDate(spec.end) as number) + 86_399_999 : Infinity;
  let i0 = 0;
  while (i0 < nDays && time[i0] < startMs) i0++;
  let i1 = nDays - 1;
  while (i1 >= i0 && time[i1] > endMs) i1--;
  const n = Math.max(0, i1 - i0 + 1);
  if (n === 0) throw new Error(`start: no bars between ${spec.start ?? 'the beginning'} and ${spec.end ?? 'the end'}`);
  const tradable: number[] = [];
  if (spec.symbols) {
    const at = new Map(panel.symbols.map((s, k) => [s, k]));
    for (const s of spec.symbols) {
      const k = at.get(s);
      if (k === undefined) throw new Error(`symbols: unknown symbol "${s}"`);
      tradable.push(k);
    }
  } else for (let k = 0; k < panel.nInst; k++) tradable.push(k);

  const rate = spec.commission.rate;
  const fixed = spec.commission.fixed;
  const bps = spec.slippageBps;
  const longOnly = spec.direction === 'long-only';
  const atClose = spec.fill === 'close';
  const unit = spec.wholeUnits ? Math.floor(spec.sizing.qty) : spec.sizing.qty;
  const costs = Float64Array.of(rate, fixed, bps, 1 + bps / 10_000, 1 - bps / 10_000, unit, longOnly ? 1 : 0, atClose ? 1 : 0, spec.closeAtEnd ? 1 : 0);
  const stats = new Float64Array(9);

  const valid = new Uint8Array(nPairs);
  const periods = new Set<number>();
  for (let k = 0; k < nPairs; k++) {
    const f = pairs[2 * k];
    const s = pairs[2 * k + 1];
    if (Number.isInteger(f) && Number.isInteger(s) && f >= 1 && s >= 2 && f < s) {
      valid[k] = 1;
      periods.add(f);
      periods.add(s);
    }
  }
  const acc = new Float64Array(nPairs * n);
  const dcash = new Float64Array(nPairs * n);
  const inMarket = new Uint8Array(nPairs * n);
  const scratch: Scratch = { crossAt: new Int32Array(n), crossDir: new Int8Array(n) };
  const nTrades = new Float64Array(nPairs);
  const wins = new Float64Array(nPairs);
  const grossWin = new Float64Array(nPairs);
  const grossLoss = new Float64Array(nPairs);
  const traded = new Float64Array(nPairs);

  const idx = new Int32Array(n);
  const c = new Float64Array(n);
  const o = new Float64Array(n);
  const smaOf = new Map<number, Float64Array>();
  for (const p of periods) smaOf.set(p, new Float64Array(n));

  for (const s of tradable) {
    const base = s * nDays;
    let m = 0;
    for (let i = i0; i <= i1; i++) {
      const v = close[base + i];
      if (v === v) {
        idx[m] = i - i0;
        c[m] = v;
        o[m] = open[base + i];
        m++;
      }
    }
    if (m === 0) continue;
    for (const [p, out] of smaOf) smaLikeStream(c, m, p, out);
    const lastIsDelisting = idx[m - 1] < n - 1;
    const contiguous = idx[m - 1] - idx[0] === m - 1;
    for (let k = 0; k < nPairs; k++) {
      if (!valid[k]) continue;
      if (contiguous) passPairContiguous(smaOf.get(pairs[2 * k])!, smaOf.get(pairs[2 * k + 1])!, c, o, m, lastIsDelisting, acc, dcash, inMarket, k * n + idx[0], k * n + n - 1, costs, stats);
      else passPair(smaOf.get(pairs[2 * k])!, smaOf.get(pairs[2 * k + 1])!, c, o, idx, m, n, lastIsDelisting, acc, dcash, inMarket, k * n, costs, stats, scratch);
      traded[k] += stats[S_TRADED];
      nTrades[k] += stats[S_TRADES];
      wins[k] += stats[S_WINS];
      grossWin[k] += stats[S_GROSS_WIN];
      grossLoss[k] += stats[S_GROSS_LOSS];
    }
  }

  const runTime = time.slice(i0, i1 + 1);
  const out: (Metrics | null)[] = new Array(nPairs);
  const equity = new Float64Array(n);
  for (let k = 0; k < nPairs; k++) {
    if (!valid[k]) {
      out[k] = null;
      continue;
    }
    let bars = 0;
    let cash = 0;
    for (let t = 0; t < n; t++) {
      cash += dcash[k * n + t];
      equity[t] = spec.capital + cash + acc[k * n + t];
      bars += inMarket[k * n + t];
    }
    const m = computeMetrics({ capital: spec.capital, time: runTime, equity, trades: [], barsInMarket: bars, tradedValue: traded[k], barsPerYear: spec.barsPerYear });
    out[k] = {
      ...m,
      trades: nTrades[k],
      winRate: nTrades[k] ? wins[k] / nTrades[k] : null,
      profitFactor: grossLoss[k] > 0 ? grossWin[k] / grossLoss[k] : null,
    };
  }
  return out;
}
