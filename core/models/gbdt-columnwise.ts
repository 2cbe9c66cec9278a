import { Prng } from '../optimize/prng';
import { binEdges, type GbdtModel, type GbdtParams, type Tree, type TreeProgress } from './gbdt';

/**
 * The first, column-wise histogram learner, kept unchanged as the oracle of `trainGbdt` (which must grow the
 * same trees, bit for bit: `gbdt.test.ts`) and as the single-thread baseline of `npm run bench -- models`.
 * It builds each node's histograms one feature column at a time (a pass over the node's rows per feature).
 */
function binOf(edges: Float64Array, v: number): number {
  if (v !== v) return 0;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  nanLeft: boolean;
}

/**
 * Trains on `x` (column-major: `x[f][row]`) and targets `y` (0/1 for `binary`). `onProgress` is called after
 * each tree. Throws on empty input or mismatched lengths.
 */
export function trainGbdtColumnwise(
  x: readonly Float64Array[],
  y: Float64Array,
  p: GbdtParams,
  onProgress?: TreeProgress,
): GbdtModel {
  const nF = x.length;
  const n = y.length;
  if (n === 0) throw new Error('trainGbdt: no training rows');
  for (const c of x) if (c.length !== n) throw new Error('trainGbdt: feature columns and labels differ in length');
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(y[i])) throw new Error(`trainGbdt: label ${i} is not a finite number`);
  const edges = x.map((c) => binEdges(c, p.bins));
  const nBins = edges.map((e) => e.length + 2);
  const maxBins = Math.max(...nBins);
  const binned = x.map((c, f) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = binOf(edges[f], c[i]);
    return b;
  });
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  const base = p.objective === 'binary' ? Math.log(Math.max(1e-12, mean) / Math.max(1e-12, 1 - mean)) : mean;
  const pred = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const rng = new Prng(p.seed);
  const trees: Tree[] = [];
  const rows = new Uint32Array(n);
  const histG = new Float64Array(nF * maxBins);
  const histH = new Float64Array(nF * maxBins);
  const histC = new Float64Array(nF * maxBins);
  for (let t = 0; t < p.trees; t++) {
    for (let i = 0; i < n; i++) {
      if (p.objective === 'binary') {
        const q = 1 / (1 + Math.exp(-pred[i]));
        g[i] = q - y[i];
        h[i] = Math.max(q * (1 - q), 1e-16);
      } else {
        g[i] = pred[i] - y[i];
        h[i] = 1;
      }
    }
    let m = 0;
    for (let i = 0; i < n; i++) if (p.subsample >= 1 || rng.next() < p.subsample) rows[m++] = i;
    const feats: number[] = [];
    for (let f = 0; f < nF; f++) if (p.colsample >= 1 || rng.next() < p.colsample) feats.push(f);
    if (feats.length === 0) feats.push(rng.int(nF));
    const tree = growTree(binned, edges, nBins, g, h, rows, m, feats, p, histG, histH, histC, maxBins);
    trees.push(tree);
    for (let i = 0; i < n; i++) pred[i] += leafBinned(tree, binned, i);
    if (onProgress && onProgress(t + 1, p.trees) === false) throw new Error('cancelled');
  }
  return { kind: 'gbdt', objective: p.objective, nFeatures: nF, base, trees };
}

function leafBinned(tree: Tree, binned: readonly Uint8Array[], i: number): number {
  let k = 0;
  while (tree.feature[k] >= 0) {
    const b = binned[tree.feature[k]][i];
    // The split's bin is stored via its threshold; comparing bins keeps training and prediction identical.
    k = (b === 0 ? tree.nanLeft[k] === 1 : b <= (tree as TreeInternal).bin![k]) ? tree.left[k] : tree.right[k];
  }
  return tree.value[k];
}

interface TreeInternal extends Tree {
  bin?: Int32Array;
}

function growTree(
  binned: readonly Uint8Array[],
  edges: readonly Float64Array[],
  nBins: readonly number[],
  g: Float64Array,
  h: Float64Array,
  rows: Uint32Array,
  m: number,
  feats: readonly number[],
  p: GbdtParams,
  histG: Float64Array,
  histH: Float64Array,
  histC: Float64Array,
  maxBins: number,
): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const nanLeft: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const cover: number[] = [];
  const bins: number[] = [];
  const newNode = () => {
    feature.push(-1);
    threshold.push(Number.NaN);
    nanLeft.push(0);
    left.push(-1);
    right.push(-1);
    value.push(0);
    cover.push(0);
    bins.push(0);
    return feature.length - 1;
  };
  // Each pending node owns rows[from, to).
  type Pending = { node: number; from: number; to: number; depth: number };
  let level: Pending[] = [{ node: newNode(), from: 0, to: m, depth: 0 }];
  const lambda = p.lambda;
  while (level.length > 0) {
    const next: Pending[] = [];
    for (const nd of level) {
      let G = 0;
      let H = 0;
      for (let r = nd.from; r < nd.to; r++) {
        G += g[rows[r]];
        H += h[rows[r]];
      }
      const count = nd.to - nd.from;
      cover[nd.node] = count;
      value[nd.node] = (-G / (H + lambda)) * p.learningRate;
      if (nd.depth >= p.depth || count < 2 * p.minLeaf) continue;
      const best = findSplit(binned, nBins, g, h, rows, nd.from, nd.to, feats, G, H, p, histG, histH, histC, maxBins);
      if (best === null) continue;
      // Partition rows in place: left first, order kept within each side (stable, so results are reproducible).
      const f = best.feature;
      const col = binned[f];
      const tmp: number[] = [];
      let w = nd.from;
      for (let r = nd.from; r < nd.to; r++) {
        const b = col[rows[r]];
        const goLeft = b === 0 ? best.nanLeft : b <= best.bin;
        if (goLeft) rows[w++] = rows[r];
        else tmp.push(rows[r]);
      }
      for (let k = 0; k < tmp.length; k++) rows[w + k] = tmp[k];
      feature[nd.node] = f;
      bins[nd.node] = best.bin;
      threshold[nd.node] = best.bin - 1 < edges[f].length ? edges[f][best.bin - 1] : Number.POSITIVE_INFINITY;
      nanLeft[nd.node] = best.nanLeft ? 1 : 0;
      const l = newNode();
      const rr = newNode();
      left[nd.node] = l;
      right[nd.node] = rr;
      next.push(
        { node: l, from: nd.from, to: w, depth: nd.depth + 1 },
        { node: rr, from: w, to: nd.to, depth: nd.depth + 1 },
      );
    }
    level = next;
  }
  const tree: TreeInternal = {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    nanLeft: Uint8Array.from(nanLeft),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    cover: Float64Array.from(cover),
    bin: Int32Array.from(bins),
  };
  return tree;
}

function findSplit(
  binned: readonly Uint8Array[],
  nBins: readonly number[],
  g: Float64Array,
  h: Float64Array,
  rows: Uint32Array,
  from: number,
  to: number,
  feats: readonly number[],
  G: number,
  H: number,
  p: GbdtParams,
  histG: Float64Array,
  histH: Float64Array,
  histC: Float64Array,
  maxBins: number,
): Split | null {
  const lambda = p.lambda;
  const parent = (G * G) / (H + lambda);
  let best: Split | null = null;
  const count = to - from;
  for (const f of feats) {
    const nb = nBins[f];
    const o = f * maxBins;
    histG.fill(0, o, o + nb);
    histH.fill(0, o, o + nb);
    histC.fill(0, o, o + nb);
    const col = binned[f];
    for (let r = from; r < to; r++) {
      const i = rows[r];
      const b = o + col[i];
      histG[b] += g[i];
      histH[b] += h[i];
      histC[b]++;
    }
    const nanG = histG[o];
    const nanH = histH[o];
    const nanC = histC[o];
    let lg = 0;
    let lh = 0;
    let lc = 0;
    // "bin <= b goes left" for b = 1..nb-2; NaN tried on each side.
    for (let b = 1; b < nb - 1; b++) {
      lg += histG[o + b];
      lh += histH[o + b];
      lc += histC[o + b];
      for (let side = 0; side < (nanC > 0 ? 2 : 1); side++) {
        const gl = side === 1 ? lg + nanG : lg;
        const hl = side === 1 ? lh + nanH : lh;
        const cl = side === 1 ? lc + nanC : lc;
        const cr = count - cl;
        if (cl < p.minLeaf || cr < p.minLeaf) continue;
        const gr = G - gl;
        const hr = H - hl;
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
        if (gain > 1e-12 && (best === null || gain > best.gain))
          best = { gain, feature: f, bin: b, nanLeft: side === 1 };
      }
    }
  }
  return best;
}
