import { Prng } from '../optimize/prng';

/**
 * A compact histogram gradient-boosted decision tree learner (the LightGBM/XGBoost "hist" method, depth-wise):
 * features are bucketed into at most `bins` quantile bins learned from the training rows (NaN gets a bin of
 * its own and a learned default direction), each node's best split maximises the second-order gain
 * `GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ)`, leaves hold `−G/(H+λ) × learningRate`. Squared error for regression,
 * log loss for binary classification (predictions are then log-odds). Deterministic: the same data, parameters
 * and seed give the same trees on every run; ties between splits go to the lower feature, then the lower bin.
 */

/** Hyperparameters. */
export interface GbdtParams {
  readonly objective: 'regression' | 'binary';
  readonly trees: number;
  readonly depth: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly bins: number;
  readonly minLeaf: number;
  readonly lambda: number;
  readonly subsample: number;
  readonly colsample: number;
}

/** One tree in flat arrays; node 0 is the root, `feature[i] < 0` marks a leaf. */
export interface Tree {
  readonly feature: Int32Array;
  /** Go left when `x <= threshold`. */
  readonly threshold: Float64Array;
  /** Where NaN goes: 1 left, 0 right. */
  readonly nanLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf output (already scaled by the learning rate); internal nodes: what the node would output as a leaf. */
  readonly value: Float64Array;
  /** Training rows that reached the node (TreeSHAP's cover). */
  readonly cover: Float64Array;
}

/** A trained model. Predictions are `base + Σ tree(x)` (log-odds for `binary`). */
export interface GbdtModel {
  readonly kind: 'gbdt';
  readonly objective: 'regression' | 'binary';
  readonly nFeatures: number;
  readonly base: number;
  readonly trees: readonly Tree[];
}

/** Progress callback: trees done of total; return `false` to stop (the call then throws 'cancelled'). */
export type TreeProgress = (done: number, total: number) => boolean | void;

/** Bin edges per feature: value `v` falls in bin `1 + #(edges < v)`, NaN in bin 0. */
export function binEdges(col: Float64Array, maxBins: number, sampleCap = 200_000): Float64Array {
  const finite: number[] = [];
  const step = Math.max(1, Math.floor(col.length / sampleCap));
  for (let i = 0; i < col.length; i += step) if (Number.isFinite(col[i])) finite.push(col[i]);
  const sorted = Float64Array.from(finite).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  if (distinct.length <= maxBins) return Float64Array.from(distinct.slice(0, -1));
  const edges: number[] = [];
  for (let q = 1; q < maxBins; q++) {
    const v = sorted[Math.floor((q * sorted.length) / maxBins) - 1];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return Float64Array.from(edges);
}

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
 * Bins are stored row-major (a row's features side by side), so a node's histograms for every feature are built
 * in one pass over its rows, reading each row's gradient once; each bin still sums its rows in row order, so the
 * trees equal the column-wise learner's bit for bit (`gbdt-columnwise.ts`, the test oracle and bench baseline).
 */
export function trainGbdt(
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
  const binned = new Uint8Array(n * nF);
  for (let f = 0; f < nF; f++) {
    const c = x[f];
    const e = edges[f];
    for (let i = 0; i < n; i++) binned[i * nF + f] = binOf(e, c[i]);
  }
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
  const ws: Workspace = {
    pools: [emptyPool(), emptyPool()],
    scratch: new Uint32Array(n),
    maxBins,
    nF,
    unitHessian: p.objective !== 'binary',
  };
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
    const leaves: number[] = [];
    const tree = growTree(binned, edges, nBins, g, h, rows, m, Int32Array.from(feats), p, ws, leaves);
    trees.push(tree);
    if (m === n) {
      // Every row is in the tree's partition: each leaf adds its value to its own rows.
      for (let k = 0; k < leaves.length; k += 3) {
        const v = tree.value[leaves[k]];
        for (let r = leaves[k + 1]; r < leaves[k + 2]; r++) pred[rows[r]] += v;
      }
    } else {
      for (let i = 0; i < n; i++) pred[i] += leafBinned(tree, binned, nF, i);
    }
    if (onProgress && onProgress(t + 1, p.trees) === false) throw new Error('cancelled');
  }
  return { kind: 'gbdt', objective: p.objective, nFeatures: nF, base, trees };
}

/** Histograms of one tree level, `slot × nF × maxBins + feature × maxBins + bin`. */
interface HistPool {
  G: Float64Array;
  H: Float64Array;
  C: Float64Array;
}

const emptyPool = (): HistPool => ({ G: new Float64Array(0), H: new Float64Array(0), C: new Float64Array(0) });

/** Buffers reused by every node of every tree: this level's histograms and the parent level's. */
interface Workspace {
  readonly pools: [HistPool, HistPool];
  readonly scratch: Uint32Array;
  readonly maxBins: number;
  readonly nF: number;
  /** Squared error: every hessian is 1, so a bin's hessian sum is its count (exactly, in floating point). */
  readonly unitHessian: boolean;
}

function ensureSlots(pool: HistPool, slots: number, size: number): void {
  if (pool.G.length >= slots * size) return;
  pool.G = new Float64Array(slots * size);
  pool.H = new Float64Array(slots * size);
  pool.C = new Float64Array(slots * size);
}

function leafBinned(tree: Tree, binned: Uint8Array, nF: number, i: number): number {
  let k = 0;
  while (tree.feature[k] >= 0) {
    const b = binned[i * nF + tree.feature[k]];
    // The split's bin is stored via its threshold; comparing bins keeps training and prediction identical.
    k = (b === 0 ? tree.nanLeft[k] === 1 : b <= (tree as TreeInternal).bin![k]) ? tree.left[k] : tree.right[k];
  }
  return tree.value[k];
}

interface TreeInternal extends Tree {
  bin?: Int32Array;
}

/**
 * Grows one tree depth-wise. Of two siblings only the one with fewer rows gets its histograms from its rows; the
 * other's are the parent's minus it (LightGBM's histogram subtraction), so a level costs at most half the rows.
 * Leaf values come from each node's own row sums.
 */
function growTree(
  binned: Uint8Array,
  edges: readonly Float64Array[],
  nBins: readonly number[],
  g: Float64Array,
  h: Float64Array,
  rows: Uint32Array,
  m: number,
  feats: Int32Array,
  p: GbdtParams,
  ws: Workspace,
  leaves: number[],
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
  const nF = ws.nF;
  const size = nF * ws.maxBins;
  const tmp = ws.scratch;
  // Each pending node owns rows[from, to); siblings are adjacent; `parent` is the parent's slot in the other pool.
  type Pending = { node: number; from: number; to: number; depth: number; parent: number; G: number; H: number };
  let level: Pending[] = [{ node: newNode(), from: 0, to: m, depth: 0, parent: -1, G: 0, H: 0 }];
  const lambda = p.lambda;
  let cur = 0;
  while (level.length > 0) {
    const next: Pending[] = [];
    const pool = ws.pools[cur];
    const prev = ws.pools[1 - cur];
    // Slot of each node that searches a split (-1: a leaf); one spare slot for a sibling built only to subtract.
    const slot = new Int32Array(level.length).fill(-1);
    let slots = 0;
    for (let j = 0; j < level.length; j++) {
      const nd = level[j];
      let G = 0;
      let H = 0;
      for (let r = nd.from; r < nd.to; r++) {
        G += g[rows[r]];
        H += h[rows[r]];
      }
      nd.G = G;
      nd.H = H;
      const count = nd.to - nd.from;
      cover[nd.node] = count;
      value[nd.node] = (-G / (H + lambda)) * p.learningRate;
      if (nd.depth < p.depth && count >= 2 * p.minLeaf) slot[j] = slots++;
    }
    const spare = slots;
    ensureSlots(pool, slots + 1, size);
    if (level[0].parent < 0) {
      if (slot[0] >= 0)
        buildHist(pool, slot[0] * size, binned, g, h, rows, level[0].from, level[0].to, feats, nBins, ws);
    } else {
      for (let j = 0; j < level.length; j += 2) {
        const a = level[j];
        const b = level[j + 1];
        if (slot[j] < 0 && slot[j + 1] < 0) continue;
        const small = b.to - b.from < a.to - a.from ? j + 1 : j;
        const large = small === j ? j + 1 : j;
        const ss = slot[small] >= 0 ? slot[small] : spare;
        const sn = level[small];
        buildHist(pool, ss * size, binned, g, h, rows, sn.from, sn.to, feats, nBins, ws);
        if (slot[large] >= 0)
          subtractHist(pool, slot[large] * size, prev, a.parent * size, ss * size, feats, nBins, ws);
      }
    }
    for (let j = 0; j < level.length; j++) {
      const nd = level[j];
      const best =
        slot[j] < 0 ? null : bestSplit(pool, slot[j] * size, nd.to - nd.from, feats, nd.G, nd.H, nBins, p, ws);
      if (best === null) {
        leaves.push(nd.node, nd.from, nd.to);
        continue;
      }
      // Partition rows in place: left first, order kept within each side (stable, so results are reproducible).
      const f = best.feature;
      let w = nd.from;
      let nt = 0;
      for (let r = nd.from; r < nd.to; r++) {
        const i = rows[r];
        const b = binned[i * nF + f];
        const goLeft = b === 0 ? best.nanLeft : b <= best.bin;
        if (goLeft) rows[w++] = i;
        else tmp[nt++] = i;
      }
      rows.set(tmp.subarray(0, nt), w);
      feature[nd.node] = f;
      bins[nd.node] = best.bin;
      threshold[nd.node] = best.bin - 1 < edges[f].length ? edges[f][best.bin - 1] : Number.POSITIVE_INFINITY;
      nanLeft[nd.node] = best.nanLeft ? 1 : 0;
      const l = newNode();
      const rr = newNode();
      left[nd.node] = l;
      right[nd.node] = rr;
      const d = nd.depth + 1;
      next.push(
        { node: l, from: nd.from, to: w, depth: d, parent: slot[j], G: 0, H: 0 },
        { node: rr, from: w, to: nd.to, depth: d, parent: slot[j], G: 0, H: 0 },
      );
    }
    level = next;
    cur = 1 - cur;
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

/** Every feature's histogram of rows[from, to) at `base`, in one pass over the rows (each bin in row order). */
function buildHist(
  pool: HistPool,
  base: number,
  binned: Uint8Array,
  g: Float64Array,
  h: Float64Array,
  rows: Uint32Array,
  from: number,
  to: number,
  feats: Int32Array,
  nBins: readonly number[],
  ws: Workspace,
): void {
  const { G: histG, H: histH, C: histC } = pool;
  const { maxBins, nF, unitHessian } = ws;
  const nFeats = feats.length;
  for (let j = 0; j < nFeats; j++) {
    const o = base + feats[j] * maxBins;
    const nb = nBins[feats[j]];
    histG.fill(0, o, o + nb);
    histH.fill(0, o, o + nb);
    histC.fill(0, o, o + nb);
  }
  if (unitHessian) {
    // The hessian histogram is the count histogram: `bestSplit` reads C for it.
    for (let r = from; r < to; r++) {
      const i = rows[r];
      const gi = g[i];
      const at = i * nF;
      for (let j = 0; j < nFeats; j++) {
        const f = feats[j];
        const b = base + f * maxBins + binned[at + f];
        histG[b] += gi;
        histC[b]++;
      }
    }
  } else {
    for (let r = from; r < to; r++) {
      const i = rows[r];
      const gi = g[i];
      const hi = h[i];
      const at = i * nF;
      for (let j = 0; j < nFeats; j++) {
        const f = feats[j];
        const b = base + f * maxBins + binned[at + f];
        histG[b] += gi;
        histH[b] += hi;
        histC[b]++;
      }
    }
  }
}

/** The histograms at `base` in `pool` become the parent's (`parentBase` in `prev`) minus the sibling's. */
function subtractHist(
  pool: HistPool,
  base: number,
  prev: HistPool,
  parentBase: number,
  siblingBase: number,
  feats: Int32Array,
  nBins: readonly number[],
  ws: Workspace,
): void {
  const { G, H, C } = pool;
  for (let j = 0; j < feats.length; j++) {
    const o = feats[j] * ws.maxBins;
    for (let b = 0; b < nBins[feats[j]]; b++) {
      G[base + o + b] = prev.G[parentBase + o + b] - G[siblingBase + o + b];
      C[base + o + b] = prev.C[parentBase + o + b] - C[siblingBase + o + b];
      if (!ws.unitHessian) H[base + o + b] = prev.H[parentBase + o + b] - H[siblingBase + o + b];
    }
  }
}

function bestSplit(
  pool: HistPool,
  base: number,
  count: number,
  feats: Int32Array,
  G: number,
  H: number,
  nBins: readonly number[],
  p: GbdtParams,
  ws: Workspace,
): Split | null {
  const histG = pool.G;
  const histH = ws.unitHessian ? pool.C : pool.H;
  const histC = pool.C;
  const lambda = p.lambda;
  const parent = (G * G) / (H + lambda);
  let best: Split | null = null;
  for (let j = 0; j < feats.length; j++) {
    const f = feats[j];
    const nb = nBins[f];
    const o = base + f * ws.maxBins;
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

/** The model's raw output for one row (`x[f]`): regression value, or log-odds for `binary`. */
export function predictRow(model: GbdtModel, x: ArrayLike<number>): number {
  let s = model.base;
  for (const t of model.trees) s += treeValue(t, x);
  return s;
}

/** The leaf value one tree gives `x`. */
export function treeValue(t: Tree, x: ArrayLike<number>): number {
  let k = 0;
  while (t.feature[k] >= 0) {
    const v = x[t.feature[k]];
    k = (v !== v ? t.nanLeft[k] === 1 : v <= t.threshold[k]) ? t.left[k] : t.right[k];
  }
  return t.value[k];
}

/** Split importance: per feature, the training rows of the nodes that split on it (cover-weighted split count). */
export function splitImportance(model: GbdtModel): Float64Array {
  const imp = new Float64Array(model.nFeatures);
  for (const t of model.trees)
    for (let k = 0; k < t.feature.length; k++) if (t.feature[k] >= 0) imp[t.feature[k]] += t.cover[k];
  return imp;
}

/** A JSON-safe form of a model (typed arrays as plain arrays; ±Infinity thresholds as null). */
export function gbdtToJson(m: GbdtModel): unknown {
  return {
    kind: m.kind,
    objective: m.objective,
    nFeatures: m.nFeatures,
    base: m.base,
    trees: m.trees.map((t) => ({
      feature: [...t.feature],
      threshold: [...t.threshold].map((v) => (Number.isFinite(v) ? v : null)),
      nanLeft: [...t.nanLeft],
      left: [...t.left],
      right: [...t.right],
      value: [...t.value],
      cover: [...t.cover],
    })),
  };
}

/** Inverse of {@link gbdtToJson}. */
export function gbdtFromJson(j: unknown): GbdtModel {
  const o = j as {
    objective: 'regression' | 'binary';
    nFeatures: number;
    base: number;
    trees: Record<string, (number | null)[]>[];
  };
  return {
    kind: 'gbdt',
    objective: o.objective,
    nFeatures: o.nFeatures,
    base: o.base,
    trees: o.trees.map((t) => ({
      feature: Int32Array.from(t.feature as number[]),
      threshold: Float64Array.from(t.threshold, (v) => (v === null ? Number.POSITIVE_INFINITY : v)),
      nanLeft: Uint8Array.from(t.nanLeft as number[]),
      left: Int32Array.from(t.left as number[]),
      right: Int32Array.from(t.right as number[]),
      value: Float64Array.from(t.value as number[]),
      cover: Float64Array.from(t.cover as number[]),
    })),
  };
}
