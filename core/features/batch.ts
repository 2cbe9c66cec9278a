import type { Panel } from '../data/panel-types';
import { INDICATORS, type Indicator } from '../indicators/registry';
import type { PitField, PitUniverse } from '../strategies/pit-facts';
import { exprKey, type Expr } from './expr';
import { binary, crossSection, elementwise, opKind, window1, window2, windowSpan } from './kernels';
import { memberAt } from './members';
import { NewsWindow, type NewsEvents } from './news';
import { userFeatureByHash } from './user';

/** What expressions are evaluated over: a panel and the PIT fundamental fields they read (by name). */
export interface FeatureSource {
  readonly panel: Panel;
  readonly fields: ReadonlyMap<string, PitField>;
  /** A named PIT universe (model specs): training and scoring keep only members as known at each day. */
  readonly universe?: PitUniverse | null;
  /** Stored news per instrument (features `news_sentiment`, `news_count`). */
  readonly news?: NewsEvents | null;
}

/**
 * Evaluates expressions over a whole panel, columnar: each result is a Float64Array in the panel's layout
 * (`s * nDays + t`), NaN where undefined (warm-up, missing bars, missing facts). Sub-expressions shared between
 * the expressions of one call are computed once.
 */
export function evaluateBatch(src: FeatureSource, exprs: readonly Expr[]): Float64Array[] {
  const memo = new Map<string, Float64Array>();
  return exprs.map((e) => evalNode(src, e, memo));
}

function evalNode(src: FeatureSource, e: Expr, memo: Map<string, Float64Array>): Float64Array {
  const key = exprKey(e);
  const hit = memo.get(key);
  if (hit) return hit;
  const out = compute(src, e, memo);
  memo.set(key, out);
  return out;
}

function compute(src: FeatureSource, e: Expr, memo: Map<string, Float64Array>): Float64Array {
  const { panel } = src;
  const { nInst, nDays } = panel;
  const size = nInst * nDays;
  switch (e.k) {
    case 'num':
      return new Float64Array(size).fill(e.v);
    case 'field':
      return fieldColumn(src, e.name);
    case 'neg': {
      const a = evalNode(src, e.a, memo);
      const out = new Float64Array(size);
      for (let i = 0; i < size; i++) out[i] = -a[i];
      return out;
    }
    case 'bin': {
      const a = evalNode(src, e.a, memo);
      const b = evalNode(src, e.b, memo);
      const out = new Float64Array(size);
      // Arithmetic gets a loop per operator (the same IEEE operation as `binary`, without its dispatch per element).
      if (e.op === '+') for (let i = 0; i < size; i++) out[i] = a[i] + b[i];
      else if (e.op === '-') for (let i = 0; i < size; i++) out[i] = a[i] - b[i];
      else if (e.op === '*') for (let i = 0; i < size; i++) out[i] = a[i] * b[i];
      else if (e.op === '/') for (let i = 0; i < size; i++) out[i] = a[i] / b[i];
      else for (let i = 0; i < size; i++) out[i] = binary(e.op, a[i], b[i]);
      return out;
    }
    case 'ind':
      return indicatorColumn(panel, e.name, e.params, e.output);
    case 'user':
      return userColumn(panel, e.hash, e.params);
    case 'news': {
      if (!src.news) throw new Error('feature News: no news loaded for this source');
      const out = new Float64Array(size).fill(Number.NaN);
      for (let s = 0; s < nInst; s++) {
        const w = new NewsWindow(src.news, s, e.days);
        for (let t = 0; t < nDays; t++) {
          const v = w.at(panel.time[t], e.stat);
          if (panel.close[s * nDays + t] === panel.close[s * nDays + t]) out[s * nDays + t] = v;
        }
      }
      return out;
    }
    case 'call': {
      const args = e.args.map((a) => evalNode(src, a, memo));
      const out = new Float64Array(size).fill(Number.NaN);
      const kind = opKind(e.op);
      if (kind === 'elementwise') {
        const [x, y, z] = args;
        for (let i = 0; i < size; i++) out[i] = elementwise(e.op, x[i], y ? y[i] : 0, z ? z[i] : 0);
        return out;
      }
      if (kind === 'cross') {
        const day = new Float64Array(nInst);
        const res = new Float64Array(nInst);
        // With a named universe, a date's cross-section is its members as known that date (others get NaN).
        const u = src.universe;
        for (let t = 0; t < nDays; t++) {
          for (let s = 0; s < nInst; s++)
            day[s] = u && !memberAt(u, s, panel.time[t]) ? Number.NaN : args[0][s * nDays + t];
          crossSection(e.op, day, res);
          for (let s = 0; s < nInst; s++) out[s * nDays + t] = res[s];
        }
        return out;
      }
      if (kind === 'window1' && windowFast(e.op, args[0], out, nInst, nDays, e.n)) return out;
      const span = windowSpan(e.op, e.n);
      for (let s = 0; s < nInst; s++) {
        const base = s * nDays;
        for (let t = span - 1; t < nDays; t++) {
          const w = base + t - span + 1;
          out[base + t] =
            kind === 'window2' ? window2(e.op, args[0], args[1], w, e.n) : window1(e.op, args[0], w, e.n, e.q);
        }
      }
      return out;
    }
  }
}

/** A bar field or a fundamental as known at each bar's date. */
function fieldColumn(src: FeatureSource, name: string): Float64Array {
  const { panel } = src;
  switch (name) {
    case 'open':
      return panel.open;
    case 'high':
      return panel.high;
    case 'low':
      return panel.low;
    case 'close':
      return panel.close;
    case 'volume':
      return panel.volume;
    case 'rawclose': {
      const f = panel.priceFactor;
      if (!f) return panel.close;
      const out = new Float64Array(panel.close.length);
      for (let i = 0; i < out.length; i++) out[i] = panel.close[i] / f[i];
      return out;
    }
    default:
      break;
  }
  const field = src.fields.get(name);
  if (!field)
    throw new Error(`feature field $${name}: no such bar field, and the fundamentals given do not include it`);
  const { nInst, nDays, time } = panel;
  const out = new Float64Array(nInst * nDays).fill(Number.NaN);
  for (let s = 0; s < nInst; s++) {
    // Days ascend, so the visible row only moves forward: walk it instead of searching per day.
    let r = field.offsets[s] - 1;
    const end = field.offsets[s + 1];
    for (let t = 0; t < nDays; t++) {
      while (r + 1 < end && field.knownAt[r + 1] <= time[t]) r++;
      if (r >= field.offsets[s]) out[s * nDays + t] = field.value[r];
    }
  }
  return out;
}

/** Looks up an indicator by name; throws on an unknown one. */
export function indicatorByName(name: string): Indicator {
  const ind = (INDICATORS as Record<string, Indicator>)[name];
  if (!ind) throw new Error(`unknown indicator "${name}"`);
  return ind;
}

/** First index of `close` that is a number, or `n`. */
export function firstBar(close: ArrayLike<number>, from: number, n: number): number {
  let i = 0;
  while (i < n && close[from + i] !== close[from + i]) i++;
  return i;
}

/**
 * An indicator's output per instrument, computed from the instrument's first bar on (leading NaN before
 * listing would otherwise poison the recursive indicators); the streaming form starts at the same bar.
 */
function indicatorColumn(
  panel: Panel,
  name: string,
  params: Readonly<Record<string, number>>,
  output: string,
): Float64Array {
  const ind = indicatorByName(name);
  const { nInst, nDays } = panel;
  const out = new Float64Array(nInst * nDays).fill(Number.NaN);
  for (let s = 0; s < nInst; s++) {
    const a = s * nDays;
    const f = firstBar(panel.close, a, nDays);
    if (f >= nDays) continue;
    const sl = (x: Float64Array) => x.subarray(a + f, a + nDays);
    const cols = ind.batch(
      {
        time: panel.time.subarray(f),
        open: sl(panel.open),
        high: sl(panel.high),
        low: sl(panel.low),
        close: sl(panel.close),
        volume: sl(panel.volume),
      },
      params,
    );
    const col = cols[output];
    if (!col) throw new Error(`indicator ${name} has no output "${output}"`);
    out.set(col, a + f);
  }
  return out;
}

/** A user feature's batch form per instrument, from the instrument's first bar (as indicators). */
function userColumn(panel: Panel, hash: string, params: string): Float64Array {
  const f = userFeatureByHash(hash);
  const p = JSON.parse(params) as Record<string, unknown>;
  const { nInst, nDays } = panel;
  const out = new Float64Array(nInst * nDays).fill(Number.NaN);
  for (let s = 0; s < nInst; s++) {
    const a = s * nDays;
    const first = firstBar(panel.close, a, nDays);
    if (first >= nDays) continue;
    const sl = (x: Float64Array) => x.subarray(a + first, a + nDays);
    const col = f.batch(
      {
        time: panel.time.subarray(first),
        open: sl(panel.open),
        high: sl(panel.high),
        low: sl(panel.low),
        close: sl(panel.close),
        volume: sl(panel.volume),
      },
      p,
    );
    out.set(col, a + first);
  }
  return out;
}

/**
 * Sliding forms of window operators where they give the very numbers of the per-window kernel (which the
 * streaming form calls): `Max`/`Min` by a monotonic deque (comparisons only; the earliest of equal values wins, as in the kernel), and `Sum`/`Mean` over a column
 * of whole numbers (comparisons of prices, counts) by a running sum, exact in any order below 2^53.
 * Returns false where no exact sliding form applies; the caller then runs the kernel per window.
 */
function windowFast(op: string, a: Float64Array, out: Float64Array, nInst: number, nDays: number, n: number): boolean {
  if (op === 'Max' || op === 'Min') {
    const q = new Int32Array(n + 1);
    const isMax = op === 'Max';
    for (let s = 0; s < nInst; s++) {
      const base = s * nDays;
      let head = 0;
      let tail = 0;
      let lastNaN = -1;
      for (let t = 0; t < nDays; t++) {
        const v = a[base + t];
        if (v !== v) lastNaN = t;
        else {
          while (tail > head && (isMax ? a[base + q[(tail - 1) % (n + 1)]] < v : a[base + q[(tail - 1) % (n + 1)]] > v))
            tail--;
          q[tail % (n + 1)] = t;
          tail++;
        }
        while (tail > head && q[head % (n + 1)] <= t - n) head++;
        if (t >= n - 1) out[base + t] = lastNaN > t - n ? Number.NaN : a[base + q[head % (n + 1)]];
      }
    }
    return true;
  }
  if ((op === 'Sum' || op === 'Mean') && wholeNumbers(a)) {
    for (let s = 0; s < nInst; s++) {
      const base = s * nDays;
      let sum = 0;
      let nan = 0;
      for (let t = 0; t < nDays; t++) {
        const v = a[base + t];
        if (v !== v) nan++;
        else sum += v;
        if (t >= n) {
          const old = a[base + t - n];
          if (old !== old) nan--;
          else sum -= old;
        }
        if (t >= n - 1) out[base + t] = nan > 0 ? Number.NaN : op === 'Sum' ? sum : sum / n;
      }
    }
    return true;
  }
  if (op === 'Mean' || op === 'Std' || op === 'Var') {
    // The kernel's own arithmetic (left-to-right sum, then squared deviations), inlined for the whole column.
    for (let s = 0; s < nInst; s++) {
      const base = s * nDays;
      for (let t = n - 1; t < nDays; t++) {
        const w = base + t - n + 1;
        let sum = 0;
        for (let i = w; i < w + n; i++) sum += a[i];
        const m = sum / n;
        if (op === 'Mean') {
          out[base + t] = m;
          continue;
        }
        let ss = 0;
        for (let i = w; i < w + n; i++) ss += (a[i] - m) * (a[i] - m);
        const v = ss / (n - 1);
        out[base + t] = op === 'Var' ? v : Math.sqrt(v);
      }
    }
    return true;
  }
  return false;
}

function wholeNumbers(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v === v && (!Number.isInteger(v) || Math.abs(v) > 2 ** 31)) return false;
  }
  return true;
}
