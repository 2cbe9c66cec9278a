import { z } from 'zod';
import type { CrossSectionalStrategy, CrossSectionView } from '../strategy/types';

/**
 * Factors `factor-rank` can rank and filter by, each computed from point-in-time facts at the rebalance:
 * - `market-cap`: raw close × `shares_outstanding`;
 * - `pbr`: raw close / `book_value_per_share` (price-to-book; NaN when book value <= 0);
 * - `book-to-price`: `book_value_per_share` / raw close;
 * - `earnings-yield`: `eps` / raw close;
 * (raw: as traded, see `CrossSectionView.rawClose`: fundamentals are per actual share, so a split
 * between two rebalances must not move these ratios, whatever the panel's price adjustment);
 * - `momentum-12-1`: close `skip` days ago / close `lookback` days ago − 1 (defaults 21 and 252);
 * - `volatility`: sample standard deviation of daily returns over `volDays`.
 */
export const FACTORS = ['market-cap', 'pbr', 'book-to-price', 'earnings-yield', 'momentum-12-1', 'volatility'] as const;
/** A factor name, see {@link FACTORS}. */
export type Factor = (typeof FACTORS)[number];

const factor = z.enum(FACTORS);
const fraction = z.number().gt(0).max(1);

/** Parameters of `factor-rank`; `parse({})` gives the defaults (monthly, top 20% by book-to-price, equal weights). */
export const factorRankParams = z
  .object({
    rebalance: z.enum(['monthly', 'quarterly', 'yearly']).default('monthly').describe('rebalance frequency'),
    filters: z
      .array(
        z
          .object({
            factor,
            bottom: fraction.optional().describe('keep the lowest fraction by this factor'),
            top: fraction.optional().describe('keep the highest fraction by this factor'),
            min: z.number().optional().describe('keep values >= min'),
            max: z.number().optional().describe('keep values <= max'),
          })
          .strict(),
      )
      .default([])
      .describe('applied in order before ranking'),
    rank: z
      .array(
        z
          .object({
            factor,
            order: z
              .enum(['ascending', 'descending'])
              .default('ascending')
              .describe('ascending: lowest value ranks best'),
            weight: z.number().positive().default(1),
          })
          .strict(),
      )
      .min(1)
      .default([{ factor: 'book-to-price', order: 'descending', weight: 1 }])
      .describe('composite score: weighted mean of percentile ranks'),
    keep: fraction.default(0.2).describe('fraction of the ranked names held'),
    maxPositions: z.number().int().positive().optional().describe('cap on names held'),
    weighting: z.enum(['equal', 'cap', 'inverse-vol']).default('equal'),
    volDays: z.number().int().min(2).default(60).describe('window of the volatility factor and inverse-vol weights'),
    momentumLookback: z.number().int().min(2).default(252),
    momentumSkip: z.number().int().min(0).default(21),
  })
  .strict()
  .refine((p) => p.momentumSkip < p.momentumLookback, { message: 'momentumSkip must be < momentumLookback' });

/** Parsed parameters of `factor-rank`. */
export type FactorRankParams = z.output<typeof factorRankParams>;

/** The fundamental fields `params` reads (what a loader must provide to the cross-section). */
export function factorFields(params: FactorRankParams): string[] {
  const used = new Set<Factor>([...params.filters.map((f) => f.factor), ...params.rank.map((r) => r.factor)]);
  if (params.weighting === 'cap') used.add('market-cap');
  const fields = new Set<string>();
  for (const f of used) {
    if (f === 'market-cap') fields.add('shares_outstanding');
    if (f === 'pbr' || f === 'book-to-price') fields.add('book_value_per_share');
    if (f === 'earnings-yield') fields.add('eps');
  }
  return [...fields].sort();
}

/** The value of `f` for `symbol` in `view` (NaN when a needed fact is missing). */
export function factorValue(f: Factor, symbol: string, view: CrossSectionView, p: FactorRankParams): number {
  switch (f) {
    case 'market-cap':
      return view.rawClose(symbol) * view.fundamental(symbol, 'shares_outstanding');
    case 'pbr': {
      const book = view.fundamental(symbol, 'book_value_per_share');
      return book > 0 ? view.rawClose(symbol) / book : Number.NaN;
    }
    case 'book-to-price':
      return view.fundamental(symbol, 'book_value_per_share') / view.rawClose(symbol);
    case 'earnings-yield':
      return view.fundamental(symbol, 'eps') / view.rawClose(symbol);
    case 'momentum-12-1':
      return view.closeLag(symbol, p.momentumSkip) / view.closeLag(symbol, p.momentumLookback) - 1;
    case 'volatility':
      return view.volatility(symbol, p.volDays);
  }
}

/** Values of factor `f` for `names` (NaN where a needed fact is missing). */
function valuesOf(f: Factor, names: readonly string[], view: CrossSectionView, p: FactorRankParams): Float64Array {
  const out = new Float64Array(names.length);
  for (let i = 0; i < names.length; i++) out[i] = factorValue(f, names[i], view, p);
  return out;
}

/** Positions `idx` sorted by `v` (ascending or descending), ties by name so picks are deterministic. */
function sortIdx(idx: number[], v: Float64Array, names: readonly string[], descending: boolean): number[] {
  return idx.sort((a, b) => {
    const d = descending ? v[b] - v[a] : v[a] - v[b];
    return d !== 0 ? d : names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0;
  });
}

/**
 * The `k` positions of `idx` with the lowest (or highest) `v`, ties at the boundary broken by name, in
 * their input order. A native typed-array sort finds the k-th value, so this avoids a comparator sort
 * of the whole universe (the size filter runs on thousands of names at every rebalance).
 */
function extremeK(
  idx: readonly number[],
  v: Float64Array,
  names: readonly string[],
  k: number,
  highest: boolean,
): number[] {
  if (k >= idx.length) return [...idx];
  const sign = highest ? -1 : 1;
  const vals = new Float64Array(idx.length);
  for (let j = 0; j < idx.length; j++) vals[j] = sign * v[idx[j]];
  vals.sort();
  const threshold = vals[k - 1];
  const out: number[] = [];
  const ties: number[] = [];
  for (const i of idx) {
    const x = sign * v[i];
    if (x < threshold) out.push(i);
    else if (x === threshold) ties.push(i);
  }
  ties.sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
  const take = new Set(ties.slice(0, k - out.length));
  return idx.filter((i) => sign * v[i] < threshold || take.has(i));
}

/** Count kept out of `n` by a fraction: rounded, at least one when `n > 0`. */
function keepCount(n: number, frac: number): number {
  return n === 0 ? 0 : Math.max(1, Math.round(n * frac));
}

/**
 * The names `factor-rank` holds at `view`'s date, best first: filters applied in order (names missing
 * a filter's factor are dropped), then names missing any rank factor are dropped, the rest scored by the
 * weighted mean of their percentile ranks (0 = best; equal values share their mean rank), and the best
 * `keep` fraction (capped by `maxPositions`) kept.
 */
export function factorPicks(p: FactorRankParams, view: CrossSectionView): string[] {
  let names: readonly string[] = view.universe;
  for (const flt of p.filters) {
    const v = valuesOf(flt.factor, names, view, p);
    let idx: number[] = [];
    for (let i = 0; i < names.length; i++) {
      const x = v[i];
      if (!Number.isNaN(x) && (flt.min === undefined || x >= flt.min) && (flt.max === undefined || x <= flt.max))
        idx.push(i);
    }
    if (flt.bottom !== undefined) idx = extremeK(idx, v, names, keepCount(idx.length, flt.bottom), false);
    if (flt.top !== undefined) idx = extremeK(idx, v, names, keepCount(idx.length, flt.top), true);
    const cur = names;
    names = idx.map((i) => cur[i]);
  }
  const columns = p.rank.map((r) => valuesOf(r.factor, names, view, p));
  const ok: number[] = [];
  for (let i = 0; i < names.length; i++) if (columns.every((c) => !Number.isNaN(c[i]))) ok.push(i);
  const score = new Float64Array(names.length);
  let totalWeight = 0;
  p.rank.forEach((r, k) => {
    const v = columns[k];
    const sorted = sortIdx([...ok], v, names, r.order === 'descending');
    let i = 0;
    while (i < sorted.length) {
      let j = i;
      while (j + 1 < sorted.length && v[sorted[j + 1]] === v[sorted[i]]) j++;
      const pct = sorted.length > 1 ? (i + j) / 2 / (sorted.length - 1) : 0;
      for (let m = i; m <= j; m++) score[sorted[m]] += r.weight * pct;
      i = j + 1;
    }
    totalWeight += r.weight;
  });
  for (const i of ok) score[i] /= totalWeight;
  let n = keepCount(ok.length, p.keep);
  if (p.maxPositions !== undefined) n = Math.min(n, p.maxPositions);
  return sortIdx(ok, score, names, false)
    .slice(0, n)
    .map((i) => names[i]);
}

/**
 * `factor-rank`: ranks the point-in-time universe at each rebalance by factors, keeps a quantile and
 * weights it equally, by market cap or by inverse volatility. Weights sum to 1 (0 names: empty map, cash).
 */
export const factorRank: CrossSectionalStrategy<FactorRankParams> = {
  kind: 'cross-sectional',
  name: 'factor-rank',
  description:
    'Rank the point-in-time universe by factors (PBR, size, 12-1 momentum, earnings yield) at each rebalance; hold a quantile',
  params: factorRankParams,
  rebalance: (p) => p.rebalance,
  fields: (p) => factorFields(p),
  weights(p, view) {
    const picks = factorPicks(p, view);
    const raw = new Map<string, number>();
    for (const s of picks) {
      const w =
        p.weighting === 'equal'
          ? 1
          : p.weighting === 'cap'
            ? factorValue('market-cap', s, view, p)
            : 1 / view.volatility(s, p.volDays);
      if (Number.isFinite(w) && w > 0) raw.set(s, w);
    }
    let sum = 0;
    for (const w of raw.values()) sum += w;
    const out = new Map<string, number>();
    for (const [s, w] of raw) out.set(s, w / sum);
    return out;
  },
};
