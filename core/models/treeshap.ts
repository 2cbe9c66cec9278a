import { treeValue, type GbdtModel, type Tree } from './gbdt';

/**
 * Exact TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature Attribution for Tree
 * Ensembles", Algorithm 2): the Shapley values of the tree's path-dependent conditional expectation, in
 * O(leaves × depth²) per tree. Local accuracy holds by construction: `expectedValue + Σ phi = prediction`.
 */

/** Path buffers reused across calls: feature, zero fraction, one fraction, weight (flat, offset per depth). */
let bufD = new Int32Array(0);
let bufZ = new Float64Array(0);
let bufO = new Float64Array(0);
let bufW = new Float64Array(0);

function ensure(size: number): void {
  if (bufD.length >= size) return;
  bufD = new Int32Array(size);
  bufZ = new Float64Array(size);
  bufO = new Float64Array(size);
  bufW = new Float64Array(size);
}

// The flat-buffer form of the paper's EXTEND / UNWIND, as in the shap package's tree_shap.h: the path of
// a node at unique depth `u` lives at `p .. p+u`, and each recursion copies it to the next slot.
function extend(p: number, u: number, pz: number, po: number, pi: number): void {
  bufD[p + u] = pi;
  bufZ[p + u] = pz;
  bufO[p + u] = po;
  bufW[p + u] = u === 0 ? 1 : 0;
  for (let i = u - 1; i >= 0; i--) {
    bufW[p + i + 1] += (po * bufW[p + i] * (i + 1)) / (u + 1);
    bufW[p + i] = (pz * bufW[p + i] * (u - i)) / (u + 1);
  }
}

function unwind(p: number, u: number, k: number): void {
  const o = bufO[p + k];
  const z = bufZ[p + k];
  let next = bufW[p + u];
  for (let i = u - 1; i >= 0; i--) {
    if (o !== 0) {
      const t = bufW[p + i];
      bufW[p + i] = (next * (u + 1)) / ((i + 1) * o);
      next = t - (bufW[p + i] * z * (u - i)) / (u + 1);
    } else {
      bufW[p + i] = (bufW[p + i] * (u + 1)) / (z * (u - i));
    }
  }
  for (let i = k; i < u; i++) {
    bufD[p + i] = bufD[p + i + 1];
    bufZ[p + i] = bufZ[p + i + 1];
    bufO[p + i] = bufO[p + i + 1];
  }
}

function unwoundSum(p: number, u: number, k: number): number {
  const o = bufO[p + k];
  const z = bufZ[p + k];
  let next = bufW[p + u];
  let total = 0;
  for (let i = u - 1; i >= 0; i--) {
    if (o !== 0) {
      const t = (next * (u + 1)) / ((i + 1) * o);
      total += t;
      next = bufW[p + i] - (t * z * (u - i)) / (u + 1);
    } else {
      total += (bufW[p + i] * (u + 1)) / (z * (u - i));
    }
  }
  return total;
}

function hotChild(t: Tree, k: number, x: ArrayLike<number>): number {
  const v = x[t.feature[k]];
  return (v !== v ? t.nanLeft[k] === 1 : v <= t.threshold[k]) ? t.left[k] : t.right[k];
}

const depths = new WeakMap<Tree, number>();

function treeDepth(t: Tree): number {
  let d = depths.get(t);
  if (d === undefined) {
    const at = (k: number): number => (t.feature[k] < 0 ? 0 : 1 + Math.max(at(t.left[k]), at(t.right[k])));
    d = at(0);
    depths.set(t, d);
  }
  return d;
}

/** Adds one tree's SHAP values for `x` into `phi`. */
export function treeShap(t: Tree, x: ArrayLike<number>, phi: Float64Array): void {
  const maxd = treeDepth(t) + 2;
  ensure((maxd * (maxd + 1)) / 2 + maxd);
  // The root's "parent" slot is a dummy at offset 0; the root path starts at offset 1.
  bufD[0] = -1;
  recurse(t, x, phi, 0, 0, 0, 1, 1, -1);
}

function recurse(
  t: Tree,
  x: ArrayLike<number>,
  phi: Float64Array,
  j: number,
  parent: number,
  u: number,
  pz: number,
  po: number,
  pi: number,
): void {
  const D = bufD;
  const Z = bufZ;
  const O = bufO;
  const W = bufW;
  const p = parent + u + 1;
  for (let i = 0; i <= u; i++) {
    D[p + i] = D[parent + i];
    Z[p + i] = Z[parent + i];
    O[p + i] = O[parent + i];
    W[p + i] = W[parent + i];
  }
  extend(p, u, pz, po, pi);
  const f = t.feature[j];
  if (f < 0) {
    const v = t.value[j];
    for (let i = 1; i <= u; i++) phi[D[p + i]] += unwoundSum(p, u, i) * (O[p + i] - Z[p + i]) * v;
    return;
  }
  const xv = x[f];
  const h = (xv !== xv ? t.nanLeft[j] === 1 : xv <= t.threshold[j]) ? t.left[j] : t.right[j];
  const c = h === t.left[j] ? t.right[j] : t.left[j];
  let iz = 1;
  let io = 1;
  let k = 0;
  for (; k <= u; k++) if (D[p + k] === f) break;
  if (k !== u + 1) {
    iz = Z[p + k];
    io = O[p + k];
    unwind(p, u, k);
    u -= 1;
  }
  const cover = t.cover[j];
  recurse(t, x, phi, h, p, u + 1, (iz * t.cover[h]) / cover, io, f);
  recurse(t, x, phi, c, p, u + 1, (iz * t.cover[c]) / cover, 0, f);
}

/** The tree's expected output under its training distribution (cover-weighted mean of its leaves). */
export function treeExpectation(t: Tree): number {
  const hit = expectations.get(t);
  if (hit !== undefined) return hit;
  const at = (k: number): number =>
    t.feature[k] < 0
      ? t.value[k]
      : (t.cover[t.left[k]] * at(t.left[k]) + t.cover[t.right[k]] * at(t.right[k])) / t.cover[k];
  const v = at(0);
  expectations.set(t, v);
  return v;
}

const expectations = new WeakMap<Tree, number>();

/** A prediction and its exact decomposition: `base + Σ contributions = prediction` (model's raw output space). */
export interface Explanation {
  readonly prediction: number;
  readonly base: number;
  readonly contributions: Float64Array;
}

/** Explains one row of a GBDT model with exact TreeSHAP. */
export function explainGbdt(model: GbdtModel, x: ArrayLike<number>): Explanation {
  const phi = new Float64Array(model.nFeatures);
  let base = model.base;
  let prediction = model.base;
  for (const t of model.trees) {
    treeShap(t, x, phi);
    base += treeExpectation(t);
    prediction += treeValue(t, x);
  }
  return { prediction, base, contributions: phi };
}

/**
 * Shapley values by enumeration of every feature subset, with the same path-dependent conditional
 * expectation as TreeSHAP (features outside the subset follow both children weighted by cover).
 * Exponential: a test reference for a handful of features only.
 */
export function bruteForceShap(t: Tree, x: ArrayLike<number>, nFeatures: number): Float64Array {
  const cond = (k: number, mask: number): number => {
    if (t.feature[k] < 0) return t.value[k];
    if (mask & (1 << t.feature[k])) return cond(hotChild(t, k, x), mask);
    return (t.cover[t.left[k]] * cond(t.left[k], mask) + t.cover[t.right[k]] * cond(t.right[k], mask)) / t.cover[k];
  };
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = new Float64Array(nFeatures);
  const M = nFeatures;
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      let s = 0;
      for (let b = 0; b < M; b++) if (mask & (1 << b)) s++;
      const w = (fact(s) * fact(M - s - 1)) / fact(M);
      phi[i] += w * (cond(0, mask | (1 << i)) - cond(0, mask));
    }
  }
  return phi;
}
