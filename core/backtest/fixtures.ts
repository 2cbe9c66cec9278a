/**
 * Test-only helpers: in-memory panels and a minimal streaming `sma-cross`, so the engine's tests do
 * not depend on the store or on the built-in strategy registry.
 */
import { z } from 'zod';
import type { Panel } from '../data/panel-types';
import type { BarView, SingleStrategy } from '../strategy/types';
import { DAY_MS } from '../model/time';

/** One instrument's bars for {@link makePanel}; NaN marks a missing bar. */
export interface SeriesInput {
  readonly symbol: string;
  readonly open: readonly number[];
  readonly high?: readonly number[];
  readonly low?: readonly number[];
  readonly close: readonly number[];
  readonly volume?: readonly number[];
  readonly listedOn?: number;
  readonly delistedOn?: number;
}

/**
 * Builds a panel over `time` (defaults to consecutive days from 2020-01-01); high/low default to
 * max/min of open and close.
 */
export function makePanel(series: readonly SeriesInput[], time?: readonly number[]): Panel {
  const nDays = time ? time.length : series[0].close.length;
  const t = new Float64Array(nDays);
  for (let i = 0; i < nDays; i++) t[i] = time ? time[i] : Date.UTC(2020, 0, 1) + i * DAY_MS;
  const nInst = series.length;
  const col = () => new Float64Array(nInst * nDays).fill(Number.NaN);
  const open = col();
  const high = col();
  const low = col();
  const close = col();
  const volume = col();
  series.forEach((s, k) => {
    for (let i = 0; i < nDays; i++) {
      const at = k * nDays + i;
      open[at] = s.open[i];
      close[at] = s.close[i];
      high[at] = s.high ? s.high[i] : Math.max(s.open[i], s.close[i]);
      low[at] = s.low ? s.low[i] : Math.min(s.open[i], s.close[i]);
      volume[at] = s.volume ? s.volume[i] : 1000;
    }
  });
  return {
    symbols: series.map((s) => s.symbol),
    sectors: series.map(() => ''),
    time: t,
    nInst,
    nDays,
    open,
    high,
    low,
    close,
    volume,
    listedOn: Float64Array.from(series.map((s) => s.listedOn ?? Number.NaN)),
    delistedOn: Float64Array.from(series.map((s) => s.delistedOn ?? Number.NaN)),
    adjustment: 'raw',
    fingerprint: 'test-fixture',
  };
}

/** Parses a `Date,Open,High,Low,Close,Volume` CSV (header first, dates `YYYY-MM-DD`) into one series and its times. */
export function parseOhlcCsv(text: string, symbol: string): { series: SeriesInput; time: number[] } {
  const lines = text.trim().split(/\r?\n/).slice(1);
  const time: number[] = [];
  const o: number[] = [];
  const h: number[] = [];
  const l: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (const line of lines) {
    const [d, a, b, lo, cl, vol] = line.split(',');
    time.push(Date.parse(`${d}T00:00:00Z`));
    o.push(Number(a));
    h.push(Number(b));
    l.push(Number(lo));
    c.push(Number(cl));
    v.push(Number(vol));
  }
  return { series: { symbol, open: o, high: h, low: l, close: c, volume: v }, time };
}

interface SmaState {
  readonly fast: number;
  readonly slow: number;
  readonly buf: Float64Array;
  n: number;
  sumFast: number;
  sumSlow: number;
  prevDiff: number;
}

/**
 * Test-only `sma-cross`: +1 when the fast SMA crosses strictly above the slow one (below at i-1,
 * above at i), -1 on the opposite cross, null otherwise.
 */
export const testSmaCross: SingleStrategy<{ fast: number; slow: number }, SmaState> = {
  kind: 'single',
  name: 'sma-cross',
  description: 'test-only moving-average cross',
  params: z
    .object({ fast: z.number().int().positive().default(10), slow: z.number().int().positive().default(30) })
    .strict(),
  init: (p) => ({
    fast: p.fast,
    slow: p.slow,
    buf: new Float64Array(p.slow),
    n: 0,
    sumFast: 0,
    sumSlow: 0,
    prevDiff: Number.NaN,
  }),
  onBar(st, bar: BarView) {
    const { fast, slow, buf } = st;
    const c = bar.close;
    st.sumSlow += c;
    st.sumFast += c;
    if (st.n >= slow) st.sumSlow -= buf[st.n % slow];
    if (st.n >= fast) st.sumFast -= buf[(st.n - fast) % slow];
    buf[st.n % slow] = c;
    st.n++;
    if (st.n < slow) return null;
    const diff = st.sumFast / fast - st.sumSlow / slow;
    const prev = st.prevDiff;
    st.prevDiff = diff;
    if (prev < 0 && diff > 0) return 1;
    if (prev > 0 && diff < 0) return -1;
    return null;
  },
};
