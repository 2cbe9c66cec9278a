import type { BinOp, CallOp } from './expr';

/**
 * Window kernels shared by the batch and the streaming evaluators: each reads `n` values of `a` (and `b`)
 * from index `s` and returns one number, NaN when any value in the window is NaN. Because both forms call
 * the same function on the same values in the same order, their results are bit-identical.
 */

function hasNaN(a: ArrayLike<number>, s: number, n: number): boolean {
  for (let i = s; i < s + n; i++) if (a[i] !== a[i]) return true;
  return false;
}

const scratch = { buf: new Float64Array(64) };
function sorted(a: ArrayLike<number>, s: number, n: number): Float64Array {
  if (scratch.buf.length < n) scratch.buf = new Float64Array(n * 2);
  const b = scratch.buf.subarray(0, n);
  for (let i = 0; i < n; i++) b[i] = a[s + i];
  b.sort();
  return b;
}

function quantileOf(b: Float64Array, q: number): number {
  const pos = (b.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return b[lo] + (b[hi] - b[lo]) * (pos - lo);
}

/** One-input window kernel for `op` (window `n`, quantile `q`). `Ref`/`Delta` read `n + 1` values. */
export function window1(op: CallOp, a: ArrayLike<number>, s: number, n: number, q: number): number {
  switch (op) {
    case 'Ref':
      return a[s];
    case 'Delta':
      return a[s + n] - a[s];
    default:
      break;
  }
  switch (op) {
    // NaN propagates through the sums below, so these need no separate NaN scan.
    case 'Sum':
    case 'Mean': {
      let sum = 0;
      for (let i = s; i < s + n; i++) sum += a[i];
      return op === 'Sum' ? sum : sum / n;
    }
    case 'Std':
    case 'Var': {
      let sum = 0;
      for (let i = s; i < s + n; i++) sum += a[i];
      const m = sum / n;
      let ss = 0;
      for (let i = s; i < s + n; i++) ss += (a[i] - m) * (a[i] - m);
      const v = ss / (n - 1);
      return op === 'Var' ? v : Math.sqrt(v);
    }
    default:
      break;
  }
  if (hasNaN(a, s, n)) return Number.NaN;
  switch (op) {
    case 'Max': {
      let m = -Infinity;
      for (let i = s; i < s + n; i++) if (a[i] > m) m = a[i];
      return m;
    }
    case 'Min': {
      let m = Infinity;
      for (let i = s; i < s + n; i++) if (a[i] < m) m = a[i];
      return m;
    }
    case 'IdxMax': {
      let k = 0;
      for (let i = 1; i < n; i++) if (a[s + i] > a[s + k]) k = i;
      return k + 1;
    }
    case 'IdxMin': {
      let k = 0;
      for (let i = 1; i < n; i++) if (a[s + i] < a[s + k]) k = i;
      return k + 1;
    }
    case 'Med':
      return quantileOf(sorted(a, s, n), 0.5);
    case 'Quantile':
      return quantileOf(sorted(a, s, n), q);
    case 'Rank': {
      const x = a[s + n - 1];
      let left = 0;
      let right = 0;
      for (let i = s; i < s + n; i++) {
        if (a[i] < x) left++;
        if (a[i] <= x) right++;
      }
      return (left + right + (right > left ? 1 : 0)) / (2 * n);
    }
    case 'Slope':
    case 'Rsquare':
    case 'Resi': {
      // x = 0..n-1: mean (n-1)/2, sum of squared deviations n(n²-1)/12.
      const mx = (n - 1) / 2;
      const sxx = (n * (n * n - 1)) / 12;
      let sum = 0;
      for (let i = s; i < s + n; i++) sum += a[i];
      const my = sum / n;
      let sxy = 0;
      let syy = 0;
      for (let i = 0; i < n; i++) {
        const dy = a[s + i] - my;
        sxy += (i - mx) * dy;
        syy += dy * dy;
      }
      const slope = sxy / sxx;
      if (op === 'Slope') return slope;
      if (op === 'Rsquare') return syy === 0 ? Number.NaN : (sxy * sxy) / (sxx * syy);
      return a[s + n - 1] - (my + slope * (n - 1 - mx));
    }
    default:
      throw new Error(`window1: ${op} is not a one-input window operator`);
  }
}

/** Two-input window kernel (`Corr`, `Cov`). */
export function window2(op: CallOp, a: ArrayLike<number>, b: ArrayLike<number>, s: number, n: number): number {
  // No NaN scan: a NaN in either window makes a mean NaN and so the result.
  let sa = 0;
  let sb = 0;
  for (let i = s; i < s + n; i++) {
    sa += a[i];
    sb += b[i];
  }
  const ma = sa / n;
  const mb = sb / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = s; i < s + n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (op === 'Cov') return sab / (n - 1);
  const d = Math.sqrt(saa * sbb);
  return d === 0 ? Number.NaN : sab / d;
}

/** Element-wise operators. */
export function elementwise(op: CallOp, x: number, y: number, z: number): number {
  switch (op) {
    case 'Abs':
      return Math.abs(x);
    case 'Log':
      return x > 0 ? Math.log(x) : Number.NaN;
    case 'Sign':
      return x !== x ? Number.NaN : Math.sign(x);
    case 'Sqrt':
      return Math.sqrt(x);
    case 'Power':
      return x ** y;
    case 'Greater':
      return x !== x || y !== y ? Number.NaN : x > y ? x : y;
    case 'Less':
      return x !== x || y !== y ? Number.NaN : x < y ? x : y;
    case 'If':
      return x !== x ? Number.NaN : x !== 0 ? y : z;
    default:
      throw new Error(`elementwise: ${op} is not element-wise`);
  }
}

/** Binary arithmetic and comparisons; comparisons give 1 or 0, NaN when an operand is NaN. */
export function binary(op: BinOp, x: number, y: number): number {
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
    default:
      break;
  }
  if (x !== x || y !== y) return Number.NaN;
  switch (op) {
    case '>':
      return x > y ? 1 : 0;
    case '<':
      return x < y ? 1 : 0;
    case '>=':
      return x >= y ? 1 : 0;
    case '<=':
      return x <= y ? 1 : 0;
    case '==':
      return x === y ? 1 : 0;
    case '!=':
      return x !== y ? 1 : 0;
    case '&&':
      return x !== 0 && y !== 0 ? 1 : 0;
    case '||':
      return x !== 0 || y !== 0 ? 1 : 0;
  }
}

let rankScratch = new Float64Array(0);

/**
 * Cross-sectional kernels over one date's values (NaN entries stay NaN and are ignored):
 * `CSRank` gives average-tie percentile ranks in (0, 1]; `CSZScore` (x - mean) / population sd.
 */
export function crossSection(op: CallOp, x: Float64Array, out: Float64Array): void {
  const n = x.length;
  if (op === 'CSRank') {
    // Sort the numbers (typed sort, no comparator), then each value's rank from the count below it (lo) and
    // up to it (hi): ties at sorted places lo .. hi-1 share the average rank (lo + hi + 1) / 2 / m.
    if (rankScratch.length < n) rankScratch = new Float64Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) if (x[i] === x[i]) rankScratch[m++] = x[i];
    const v = rankScratch.subarray(0, m).sort();
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      if (xi !== xi) {
        out[i] = Number.NaN;
        continue;
      }
      let lo = 0;
      let hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v[mid] < xi) lo = mid + 1;
        else hi = mid;
      }
      let up = lo;
      hi = m;
      while (up < hi) {
        const mid = (up + hi) >> 1;
        if (v[mid] <= xi) up = mid + 1;
        else hi = mid;
      }
      out[i] = (lo + up + 1) / 2 / m;
    }
    return;
  }
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (x[i] === x[i]) idx.push(i);
  out.fill(Number.NaN);
  const m = idx.length;
  if (m === 0) return;
  if (op === 'CSZScore') {
    let sum = 0;
    for (const i of idx) sum += x[i];
    const mean = sum / m;
    let ss = 0;
    for (const i of idx) ss += (x[i] - mean) * (x[i] - mean);
    const sd = Math.sqrt(ss / m);
    for (const i of idx) out[i] = sd > 0 ? (x[i] - mean) / sd : 0;
    return;
  }
  throw new Error(`crossSection: ${op} is not cross-sectional`);
}

/** The kind of a call operator: how the evaluators drive it. */
export function opKind(op: CallOp): 'window1' | 'window2' | 'elementwise' | 'cross' {
  if (op === 'Corr' || op === 'Cov') return 'window2';
  if (op === 'CSRank' || op === 'CSZScore') return 'cross';
  if (['Abs', 'Log', 'Sign', 'Sqrt', 'Power', 'Greater', 'Less', 'If'].includes(op)) return 'elementwise';
  return 'window1';
}

/** Values a window operator reads per output: `n + 1` for `Ref`/`Delta`, `n` otherwise. */
export function windowSpan(op: CallOp, n: number): number {
  return op === 'Ref' || op === 'Delta' ? n + 1 : n;
}
