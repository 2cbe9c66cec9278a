import { treeValue, type GbdtModel, type Tree } from './gbdt';
import { treeExpectation, treeShap } from './treeshap';

/**
 * TreeSHAP for the live path: the same exact Shapley values as `treeShap` (Lundberg's Algorithm 2), in
 * O(nodes) per tree and row instead of O(leaves × depth²), with no allocation per call.
 *
 * Algorithm 2 gives a leaf's (value v) contribution to the feature of path slot i as
 * `v · (o_i − z_i) · Σ_{S ⊆ P∖i} w_|S| · Π_{j∈S} o_j · Π_{j∉S, j≠i} z_j`, `w_s = s!(u−1−s)!/u!`, with `z` the
 * zero fractions fixed by the tree's covers and `o` the one fractions (1 when the row follows the path at every
 * split on that feature, else 0). Since `w_s = ∫₀¹ t^s (1−t)^(u−1−s) dt` (a Beta integral), the sum equals
 * `∫₀¹ Π_{j≠i} (z_j (1−t) + o_j t) dt`: the integral of a polynomial of degree u − 1 < depth, which Gauss–Legendre
 * quadrature with ⌈depth/2⌉ nodes computes exactly (the idea behind Linear TreeSHAP, Yu et al., NeurIPS 2022).
 * At each quadrature node the path's product `F(t) = Π_j a_j(t)`, `a_j = z_j (1−t) + o_j t`, is one running
 * product pushed down the tree, and a leaf's share of slot i is `F(t) / a_i(t)`. So one downward pass (products),
 * one upward pass (sums of `v · F(t)` over each subtree) and, at each split, its children's sums times the precomputed
 * `w_q (o − z) / a(t_q)` give every feature's value. A feature split again lower on a path merges into its first
 * slot (z and o multiply): the lower split divides the ancestor's factor out of the product, counts its subtree
 * with the merged factor, and takes back what the ancestor split counts for that subtree with the old one.
 * Trees are packed into flat typed arrays in preorder (a node's left child follows it).
 */

/** Trees whose paths have more unique features than this, or a zero cover, keep Algorithm 2. */
const MAX_UNIQUE = 32;

/** Gauss–Legendre nodes and weights on [0, 1] for `n` points (Newton on the Legendre polynomial). */
export function gaussLegendre01(n: number): { t: Float64Array; w: Float64Array } {
  const t = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      if (n === 1) p0 = 1;
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    t[i] = (1 - x) / 2;
    w[i] = 1 / ((1 - x * x) * dp * dp);
  }
  return { t, w };
}

/** A model prepared for repeated explanations: `explain(x, phi)` fills `phi` and returns the prediction. */
export interface GbdtExplainer {
  /** `base + Σ phi = prediction` (local accuracy), in the model's raw output space. */
  readonly base: number;
  explain(x: ArrayLike<number>, phi: Float64Array): number;
}

/**
 * Prepares `model` (milliseconds for 200 depth-6 trees); explanations are then allocation-free.
 * The table holds, per child node, 6Q numbers at `node × 6Q` (Q quadrature points), in three cases: the row
 * follows the child (hot), it does not (cold), or the child sits under a repeated split whose earlier slot is
 * already cold. First the factor its path product takes in each case, then the coefficient its subtree sum is
 * credited with. A leaf's factors carry its value (its product is then its subtree sum). Under a repeated split
 * the factors divide out the earlier slot's hot factor and the coefficients subtract its hot coefficient; when
 * that slot is cold the factor is the child's cover ratio (zero fractions multiply) and the coefficient 0 (the
 * earlier split already counts those leaves exactly as this one would).
 */
export function createGbdtExplainer(model: GbdtModel): GbdtExplainer {
  const pk = pack(model.trees);
  const { Q, start, istart, inode, feat, thr, nanLeft, right, value, anc, table } = pk;
  const stride = 6 * Q;
  const nTrees = model.trees.length;
  let maxNodes = 1;
  for (const t of model.trees) maxNodes = Math.max(maxNodes, t.feature.length);
  // Per-row scratch, reused: each node's one fraction and side taken, and its path products, then subtree sums.
  const o = new Uint8Array(maxNodes);
  const kase = new Uint8Array(maxNodes);
  const dir = new Uint8Array(maxNodes);
  const P = new Float64Array(maxNodes * Q);
  let base = model.base;
  for (const t of model.trees) base += treeExpectation(t);
  const explain3 = (x: ArrayLike<number>, phi: Float64Array, s0: number, i0: number, i1: number): void => {
    // Downward: the side the row takes at each split, each child's one fraction, case and path product. Branch
    // free: the case (0 hot, 1 cold, 2 cold under a cold repeated slot) indexes the table; `anc` 0 (the root,
    // whose one fraction stays 1) means no repeated slot.
    P[0] = 1;
    P[1] = 1;
    P[2] = 1;
    o[0] = 1;
    for (let ii = i0; ii < i1; ii++) {
      const k = inode[ii];
      const g = s0 + k;
      const v = x[feat[g]];
      const goLeft = v !== v ? nanLeft[g] : Number(v <= thr[g]);
      dir[k] = goLeft;
      const p0 = P[3 * k];
      const p1 = P[3 * k + 1];
      const p2 = P[3 * k + 2];
      const l = k + 1;
      const gl = s0 + l;
      const al = o[anc[gl]];
      const ol = goLeft & al;
      const cl = (1 - ol) * (2 - al);
      o[l] = ol;
      kase[l] = cl;
      const Rl = gl * 18 + cl * 3;
      P[3 * l] = p0 * table[Rl];
      P[3 * l + 1] = p1 * table[Rl + 1];
      P[3 * l + 2] = p2 * table[Rl + 2];
      const r = right[g];
      const gr = s0 + r;
      const ar = o[anc[gr]];
      const or = (goLeft ^ 1) & ar;
      const cr = (1 - or) * (2 - ar);
      o[r] = or;
      kase[r] = cr;
      const Rr = gr * 18 + cr * 3;
      P[3 * r] = p0 * table[Rr];
      P[3 * r + 1] = p1 * table[Rr + 1];
      P[3 * r + 2] = p2 * table[Rr + 2];
    }
    // Upward: subtree sums of v·F(t); each split credits its feature with its children's sums × coefficients.
    for (let ii = i1 - 1; ii >= i0; ii--) {
      const k = inode[ii];
      const g = s0 + k;
      const l = k + 1;
      const r = right[g];
      const Rl = (s0 + l) * 18 + 9 + kase[l] * 3;
      const Rr = (s0 + r) * 18 + 9 + kase[r] * 3;
      const l0 = P[3 * l];
      const l1 = P[3 * l + 1];
      const l2 = P[3 * l + 2];
      const r0 = P[3 * r];
      const r1 = P[3 * r + 1];
      const r2 = P[3 * r + 2];
      phi[feat[g]] +=
        l0 * table[Rl] +
        l1 * table[Rl + 1] +
        l2 * table[Rl + 2] +
        r0 * table[Rr] +
        r1 * table[Rr + 1] +
        r2 * table[Rr + 2];
      P[3 * k] = l0 + r0;
      P[3 * k + 1] = l1 + r1;
      P[3 * k + 2] = l2 + r2;
    }
  };
  const explainQ = (x: ArrayLike<number>, phi: Float64Array, s0: number, i0: number, i1: number): void => {
    for (let q = 0; q < Q; q++) P[q] = 1;
    o[0] = 1;
    for (let ii = i0; ii < i1; ii++) {
      const k = inode[ii];
      const g = s0 + k;
      const v = x[feat[g]];
      const goLeft = v !== v ? nanLeft[g] : Number(v <= thr[g]);
      dir[k] = goLeft;
      for (let side = 0; side < 2; side++) {
        const c = side === 0 ? k + 1 : right[g];
        const gc = s0 + c;
        const ac = o[anc[gc]];
        const oc = (side === 0 ? goLeft : goLeft ^ 1) & ac;
        const cc = (1 - oc) * (2 - ac);
        o[c] = oc;
        kase[c] = cc;
        const R = gc * stride + cc * Q;
        for (let q = 0; q < Q; q++) P[c * Q + q] = P[k * Q + q] * table[R + q];
      }
    }
    for (let ii = i1 - 1; ii >= i0; ii--) {
      const k = inode[ii];
      const g = s0 + k;
      const r = right[g];
      let acc = 0;
      for (let side = 0; side < 2; side++) {
        const c = side === 0 ? k + 1 : r;
        const R = (s0 + c) * stride + (3 + kase[c]) * Q;
        for (let q = 0; q < Q; q++) acc += P[c * Q + q] * table[R + q];
      }
      phi[feat[g]] += acc;
      for (let q = 0; q < Q; q++) P[k * Q + q] = P[(k + 1) * Q + q] + P[r * Q + q];
    }
  };
  return {
    base,
    explain(x, phi) {
      phi.fill(0);
      let prediction = model.base;
      for (let ti = 0; ti < nTrees; ti++) {
        const s0 = start[ti];
        if (start[ti + 1] === s0) {
          // Kept on Algorithm 2 (see `prepareTree`).
          const t = model.trees[ti];
          treeShap(t, x, phi);
          prediction += treeValue(t, x);
          continue;
        }
        if (Q === 3) explain3(x, phi, s0, istart[ti], istart[ti + 1]);
        else explainQ(x, phi, s0, istart[ti], istart[ti + 1]);
        let k = 0;
        while (feat[s0 + k] >= 0) k = dir[k] === 1 ? k + 1 : right[s0 + k];
        prediction += value[s0 + k];
      }
      return prediction;
    },
  };
}

/** Every tree in preorder, flat; a tree kept on Algorithm 2 has no nodes (start[t] = start[t + 1]). */
interface Packed {
  /** Quadrature points: ⌈max unique features on a path / 2⌉, at least 3 (exact up to depth 6). */
  readonly Q: number;
  readonly start: Int32Array;
  /** Internal nodes of tree t (local indices, preorder) at `inode[istart[t] .. istart[t + 1])`. */
  readonly istart: Int32Array;
  readonly inode: Int32Array;
  readonly feat: Int32Array;
  readonly thr: Float64Array;
  readonly nanLeft: Uint8Array;
  /** Local index of the right child; the left child of k is k + 1. */
  readonly right: Int32Array;
  readonly value: Float64Array;
  /** For a child node: the nearest ancestor child node whose parent split on the same feature (local), or 0. */
  readonly anc: Int32Array;
  /** Per node, 6Q numbers: see {@link createGbdtExplainer}. */
  readonly table: Float64Array;
}

function pack(trees: readonly Tree[]): Packed {
  const prepared = trees.map(prepareTree);
  let maxUnique = 1;
  for (const p of prepared) if (p) maxUnique = Math.max(maxUnique, p.maxUnique);
  const Q = Math.max(3, Math.ceil(maxUnique / 2));
  const stride = 6 * Q;
  const { t: tq, w: wq } = gaussLegendre01(Q);
  const start = new Int32Array(trees.length + 1);
  const istart = new Int32Array(trees.length + 1);
  for (let i = 0; i < trees.length; i++) {
    const p = prepared[i];
    start[i + 1] = start[i] + (p?.order.length ?? 0);
    istart[i + 1] = istart[i] + (p ? p.order.filter((node) => trees[i].feature[node] >= 0).length : 0);
  }
  const n = start[trees.length];
  const feat = new Int32Array(n);
  const thr = new Float64Array(n);
  const nanLeft = new Uint8Array(n);
  const right = new Int32Array(n);
  const value = new Float64Array(n);
  const anc = new Int32Array(n);
  const table = new Float64Array(n * stride);
  const inode = new Int32Array(istart[trees.length]);
  // `a = z(1−t) + o·t` and the coefficient `w (o − z) / a` of a slot with merged zero fraction z.
  const hotA = (z: number, q: number) => z * (1 - tq[q]) + tq[q];
  const coldA = (z: number, q: number) => z * (1 - tq[q]);
  const hotK = (z: number, q: number) => (wq[q] * (1 - z)) / hotA(z, q);
  const coldK = (q: number) => -wq[q] / (1 - tq[q]);
  trees.forEach((t, i) => {
    const pr = prepared[i];
    if (!pr) return;
    const { order, right: rt, anc: an, zm, ratio } = pr;
    let ii = istart[i];
    for (let k = 0; k < order.length; k++) {
      const g = start[i] + k;
      const node = order[k];
      feat[g] = t.feature[node];
      thr[g] = t.threshold[node];
      nanLeft[g] = t.nanLeft[node];
      right[g] = rt[k];
      value[g] = t.value[node];
      // No repeated slot: the root (local 0), whose one fraction is always 1.
      anc[g] = an[k] < 0 ? 0 : an[k];
      if (t.feature[node] >= 0) inode[ii++] = k;
      if (k === 0) continue;
      // A leaf's product is its subtree sum v·F(t): its factors carry v.
      const v = t.feature[node] < 0 ? t.value[node] : 1;
      const z = zm[k];
      const a = an[k];
      const za = a < 0 ? 0 : zm[a];
      for (let q = 0; q < Q; q++) {
        const R = g * stride + q;
        const div = a < 0 ? 1 : hotA(za, q);
        const sub = a < 0 ? 0 : hotK(za, q);
        table[R] = (v * hotA(z, q)) / div;
        table[R + Q] = (v * coldA(z, q)) / div;
        table[R + 2 * Q] = v * ratio[k];
        table[R + 3 * Q] = hotK(z, q) - sub;
        table[R + 4 * Q] = coldK(q) - sub;
        table[R + 5 * Q] = 0;
      }
    }
  });
  return { Q, start, istart, inode, feat, thr, nanLeft, right, value, anc, table };
}

/**
 * The preorder layout of one tree: each node's right child, repeated-split ancestor, merged zero fraction and
 * own cover ratio; or null when it must keep Algorithm 2 (more unique features on a path than {@link MAX_UNIQUE},
 * or a zero or non-finite cover ratio, which the quadrature's divisions cannot take).
 */
function prepareTree(
  t: Tree,
): { order: number[]; right: number[]; anc: number[]; zm: number[]; ratio: number[]; maxUnique: number } | null {
  const order: number[] = [];
  const right: number[] = [];
  const anc: number[] = [];
  const zm: number[] = [];
  const ratio: number[] = [];
  let maxUnique = 0;
  let ok = true;
  // `last` maps a feature to the local index of the child node under its latest split on the current path.
  const visit = (node: number, z: number, r: number, a: number, last: ReadonlyMap<number, number>, u: number) => {
    const k = order.length;
    order.push(node);
    right.push(-1);
    anc.push(a);
    zm.push(z);
    ratio.push(r);
    if (!(z > 0 && r > 0 && Number.isFinite(z) && Number.isFinite(r))) ok = false;
    const f = t.feature[node];
    if (f < 0) {
      maxUnique = Math.max(maxUnique, u);
      return;
    }
    const prev = last.get(f);
    for (const side of [0, 1]) {
      const child = side === 0 ? t.left[node] : t.right[node];
      if (side === 1) right[k] = order.length;
      const cr = t.cover[child] / t.cover[node];
      const next = new Map(last);
      next.set(f, order.length);
      visit(child, prev === undefined ? cr : cr * zm[prev], cr, prev ?? -1, next, prev === undefined ? u + 1 : u);
    }
  };
  visit(0, 1, 1, -1, new Map(), 0);
  if (!ok || maxUnique > MAX_UNIQUE) return null;
  return { order, right, anc, zm, ratio, maxUnique };
}
