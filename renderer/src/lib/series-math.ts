/** Derived series for result charts, computed from an equity curve (parallel time/equity columns). */

/** Coerces a column that crossed JSON (array, typed array, or `{0:…,1:…}` object) into a Float64Array. */
export function toColumn(x: unknown): Float64Array {
  if (x instanceof Float64Array) return x;
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return Float64Array.from(x as ArrayLike<number>);
  if (x && typeof x === 'object') {
    const o = x as Record<string, number>;
    const n = Object.keys(o).length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = o[i] ?? Number.NaN;
    return out;
  }
  return new Float64Array(0);
}

/** Drawdown from the running peak, as a fraction ≤ 0 (−0.25 is 25% below the peak). */
export function underwater(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < equity.length; i++) {
    const v = equity[i];
    if (v > peak) peak = v;
    out[i] = peak > 0 && Number.isFinite(v) ? v / peak - 1 : 0;
  }
  return out;
}

/** One year's row of the monthly returns table: `months[0]` is January; NaN where no data. */
export interface YearRow {
  readonly year: number;
  readonly months: number[];
  readonly total: number;
}

/**
 * Monthly returns from an equity curve: each month's last equity over the previous month's last
 * (the first month over the first point). `time` is EpochMs ascending (UTC months). The year total
 * compounds the months that exist.
 */
export function monthlyReturns(time: ArrayLike<number>, equity: ArrayLike<number>): YearRow[] {
  const rows = new Map<number, number[]>();
  let prevEnd = equity.length > 0 ? equity[0] : Number.NaN;
  let curKey = -1;
  let curLast = Number.NaN;
  const close = () => {
    if (curKey < 0) return;
    const year = Math.floor(curKey / 12);
    const m = curKey % 12;
    let row = rows.get(year);
    if (!row) rows.set(year, (row = new Array<number>(12).fill(Number.NaN)));
    row[m] = prevEnd > 0 ? curLast / prevEnd - 1 : Number.NaN;
    prevEnd = curLast;
  };
  for (let i = 0; i < time.length; i++) {
    const d = new Date(time[i]);
    const key = d.getUTCFullYear() * 12 + d.getUTCMonth();
    if (key !== curKey) {
      close();
      curKey = key;
    }
    curLast = equity[i];
  }
  close();
  return [...rows.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([year, months]) => {
      let g = 1;
      let any = false;
      for (const r of months)
        if (Number.isFinite(r)) {
          g *= 1 + r;
          any = true;
        }
      return { year, months, total: any ? g - 1 : Number.NaN };
    });
}

/**
 * Index where the equity curve starts to move: the bar before its first change (0 if it never
 * stays flat). A run over a panel that starts before its symbols' data (a benchmark with a longer
 * history) has a flat lead-in that would fill the monthly table with zeros.
 */
export function activeStart(equity: ArrayLike<number>): number {
  for (let i = 1; i < equity.length; i++) if (equity[i] !== equity[0]) return i - 1;
  return 0;
}

/** Rebases a series to start at `base` (for equity vs benchmark on one scale). */
export function rebase(values: ArrayLike<number>, base: number): Float64Array {
  const out = new Float64Array(values.length);
  let first = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(first) && Number.isFinite(values[i]) && values[i] !== 0) first = values[i];
    out[i] = Number.isNaN(first) ? Number.NaN : (values[i] / first) * base;
  }
  return out;
}

/** Percentile (0–100) of a sorted copy of `xs`, linear interpolation; NaN for an empty input. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = ((n - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Fan chart bands across equity paths: for each step, the given percentiles across paths.
 * `paths[k][i]` is path k at step i; paths may differ in length (steps beyond a path are skipped).
 */
export function fanBands(paths: readonly ArrayLike<number>[], pcts: readonly number[]): Float64Array[] {
  const steps = paths.reduce((m, p) => Math.max(m, p.length), 0);
  const out = pcts.map(() => new Float64Array(steps));
  const col = new Float64Array(paths.length);
  for (let i = 0; i < steps; i++) {
    let n = 0;
    for (const p of paths) if (i < p.length && Number.isFinite(p[i])) col[n++] = p[i];
    const s = col.subarray(0, n).sort();
    for (let j = 0; j < pcts.length; j++) out[j][i] = percentile(s, pcts[j]);
  }
  return out;
}
