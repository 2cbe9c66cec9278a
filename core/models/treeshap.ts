import { treeValue, type GbdtModel, type Tree } from './gbdt';

/**
 * Exact TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature Attribution for Tree
 * Ensembles", Algorithm 2): the Shapley values of the tree's path-dependent conditional expectation, in
 * O(leaves × depth²) per tree. Local accuracy holds by construction: `expectedValue + Σ phi = prediction`.
 */

interface PathEl {
  d: number;
  z: number;
  o: number;
  w: number;
}

function extend(m: PathEl[], pz: number, po: number, pi: number): PathEl[] {
  const l = m.length;
  const out = m.map((e) => ({ ...e }));
  out.push({ d: pi, z: pz, o: po, w: l === 0 ? 1 : 0 });
  for (let i = l - 1; i >= 0; i--) {
    out[i + 1].w += (po * out[i].w * (i + 1)) / (l + 1);
    out[i].w = (pz * out[i].w * (l - i)) / (l + 1);
  }
  return out;
}

function unwind(m: PathEl[], i: number): PathEl[] {
  const l = m.length - 1;
  const out = m.map((e) => ({ ...e }));
  let n = out[l].w;
  const { o, z } = out[i];
  for (let j = l - 1; j >= 0; j--) {
    if (o !== 0) {
      const t = out[j].w;
      out[j].w = (n * (l + 1)) / ((j + 1) * o);
      n = t - (out[j].w * z * (l - j)) / (l + 1);
    } else {
      out[j].w = (out[j].w * (l + 1)) / (z * (l - j));
    }
  }
  for (let j = i; j < l; j++) {
    out[j].d = out[j + 1].d;
    out[j].z = out[j + 1].z;
    out[j].o = out[j + 1].o;
  }
  out.pop();
  return out;
}

function hotChild(t: Tree, k: number, x: ArrayLike<number>): number {
  const v = x[t.feature[k]];
  return (v !== v ? t.nanLeft[k] === 1 : v <= t.threshold[k]) ? t.left[k] : t.right[k];
}

/** Adds one tree's SHAP values for `x` into `phi`. */
export function treeShap(t: Tree, x: ArrayLike<number>, phi: Float64Array): void {
  const recurse = (j: number, m: PathEl[], pz: number, po: number, pi: number): void => {
    m = extend(m, pz, po, pi);
    if (t.feature[j] < 0) {
      for (let i = 1; i < m.length; i++) {
        const u = unwind(m, i);
        let w = 0;
        for (const e of u) w += e.w;
        phi[m[i].d] += w * (m[i].o - m[i].z) * t.value[j];
      }
      return;
    }
    const h = hotChild(t, j, x);
    const c = h === t.left[j] ? t.right[j] : t.left[j];
    let iz = 1;
    let io = 1;
    const d = t.feature[j];
    let k = -1;
    for (let i = 1; i < m.length; i++) if (m[i].d === d) k = i;
    if (k >= 0) {
      iz = m[k].z;
      io = m[k].o;
      m = unwind(m, k);
    }
    recurse(h, m, (iz * t.cover[h]) / t.cover[j], io, d);
    recurse(c, m, (iz * t.cover[c]) / t.cover[j], 0, d);
  };
  recurse(0, [], 1, 1, -1);
}

/** The tree's expected output under its training distribution (cover-weighted mean of its leaves). */
export function treeExpectation(t: Tree): number {
  const at = (k: number): number => (t.feature[k] < 0 ? t.value[k] : (t.cover[t.left[k]] * at(t.left[k]) + t.cover[t.right[k]] * at(t.right[k])) / t.cover[k]);
  return at(0);
}

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
