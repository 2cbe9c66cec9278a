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
  const buyMul = 1 + bps / 10_000;
  const sellMul = 1 - bps / 10_000;

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
  const inMarket = new Uint8Array(nPairs * n);
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
    for (let k = 0; k < nPairs; k++) {
      if (!valid[k]) continue;
      const fa = smaOf.get(pairs[2 * k])!;
      const sl = smaOf.get(pairs[2 * k + 1])!;
      const row = k * n;
      let cash = 0;
      let q = 0;
      let entryPx = 0;
      let entryComm = 0;
      let pending = Number.NaN;
      let prevF = Number.NaN;
      let prevS = Number.NaN;
      let tv = 0;
      let nt = 0;
      let w = 0;
      let gw = 0;
      let gl = 0;
      // Moves the position to the sign of `target` at raw price `raw` (close first, then open), as executeTarget.
      const execute = (target: number, raw: number) => {
        if (q !== 0 && (target === 0 || q > 0 !== target > 0)) {
          const px = q > 0 ? (bps === 0 ? raw : raw * sellMul) : bps === 0 ? raw : raw * buyMul;
          const comm = fixed + rate * Math.abs(q) * px;
          cash -= -q * px + comm;
          tv += Math.abs(q) * px;
          const pnl = (q > 0 ? 1 : -1) * Math.abs(q) * (px - entryPx) - entryComm - comm;
          nt++;
          if (pnl > 0) {
            w++;
            gw += pnl;
          } else gl -= pnl;
          q = 0;
        }
        if (target !== 0 && q === 0 && unit > 0) {
          const side = target > 0 ? 1 : -1;
          const px = side > 0 ? (bps === 0 ? raw : raw * buyMul) : bps === 0 ? raw : raw * sellMul;
          const dq = side * unit;
          const comm = fixed + rate * unit * px;
          cash -= dq * px + comm;
          tv += unit * px;
          entryPx = px;
          entryComm = comm;
          q = dq;
        }
      };
      for (let j = 0; j < m; j++) {
        if (pending === pending) {
          const t = pending;
          pending = Number.NaN;
          execute(t, o[j]);
        }
        const f = fa[j];
        const sv = sl[j];
        const d = prevF < prevS && f > sv ? 1 : prevF > prevS && f < sv ? -1 : 0;
        prevF = f;
        prevS = sv;
        if (d !== 0) {
          const target = longOnly && d < 0 ? 0 : d;
          if (q !== 0 && target !== 0 && q > 0 === target > 0) pending = Number.NaN;
          else if (q === 0 && target === 0) pending = Number.NaN;
          else if (atClose) {
            pending = Number.NaN;
            execute(target, c[j]);
          } else pending = target;
        }
        if (j === m - 1 && lastIsDelisting) {
          pending = Number.NaN;
          if (q !== 0) execute(0, c[j]);
        }
        // This symbol's equity (cash + position at its last close) holds until its next bar.
        const v = cash + (q !== 0 ? q * c[j] : 0);
        const to = j + 1 < m ? idx[j + 1] : n;
        for (let t = idx[j]; t < to; t++) acc[row + t] += v;
        if (q !== 0) for (let t = idx[j]; t < to; t++) inMarket[row + t] = 1;
      }
      if (spec.closeAtEnd && q !== 0) {
        const before = cash + q * c[m - 1];
        execute(0, c[m - 1]);
        acc[row + n - 1] += cash - before;
      }
      traded[k] += tv;
      nTrades[k] += nt;
      wins[k] += w;
      grossWin[k] += gw;
      grossLoss[k] += gl;
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
    for (let t = 0; t < n; t++) {
      equity[t] = spec.capital + acc[k * n + t];
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
