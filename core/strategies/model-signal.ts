import { z } from 'zod';
import { challengerMismatch, challengerParams } from '../models/challenger-params';
import { predictionsFor } from '../models/predictions';
import type { CrossSectionalStrategy, CrossSectionView } from '../strategy/types';

/** Parameters of `model-signal`. */
export const modelSignalParams = z
  .object({
    modelId: z.string().default('').describe('required: a model in the registry (quantdesk models list)'),
    mode: z
      .enum(['top-k', 'threshold'])
      .default('top-k')
      .describe('top-k: hold the k best-predicted names; threshold: hold names predicted above `threshold`'),
    topK: z.number().int().min(1).default(20).describe('names held (top-k)'),
    nDrop: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe("Qlib's dropout: at most this many held names are replaced per rebalance"),
    threshold: z
      .number()
      .default(0)
      .describe('threshold mode: enter when the prediction exceeds this (log-odds 0 = 50% for classifiers)'),
    short: z
      .boolean()
      .default(false)
      .describe('also short: the k worst (top-k) or names predicted below -threshold (threshold)'),
    rebalance: z.enum(['daily', 'weekly', 'monthly']).default('weekly'),
    challenger: challengerParams
      .optional()
      .describe(
        "live only: a second model version on the same feed (shadow or canary), in the champion's mode with its own topK, nDrop, rebalance, short (top-k) or threshold, short (threshold) when given; backtests ignore it",
      ),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!p.challenger) return;
    for (const [field, message] of challengerMismatch(p.mode, p.challenger))
      ctx.addIssue({ code: 'custom', path: ['challenger', field], message });
  });

/** Parsed parameters of `model-signal`. */
export type ModelSignalParams = z.output<typeof modelSignalParams>;

/**
 * Qlib's TopkDropoutStrategy selection: keep `held` names unless they fall into the worst `nDrop` of
 * held ∪ best new candidates, and refill to `k` from the best names not held. Bounds turnover to `nDrop`
 * names per rebalance once the book is full. Names without a score are dropped first. Returns the new book.
 */
export function topkDropout(
  held: readonly string[],
  scores: ReadonlyMap<string, number>,
  k: number,
  nDrop: number,
): string[] {
  const score = (s: string) => scores.get(s) ?? Number.NEGATIVE_INFINITY;
  const byScore = (a: string, b: string) => score(b) - score(a) || (a < b ? -1 : a > b ? 1 : 0);
  const current = [...held].sort(byScore);
  const heldSet = new Set(current);
  const ranked = [...scores.keys()].filter((s) => Number.isFinite(score(s))).sort(byScore);
  const candidates = ranked.filter((s) => !heldSet.has(s)).slice(0, Math.max(0, nDrop + k - current.length));
  const combined = [...current, ...candidates].sort(byScore);
  const worst = new Set(combined.slice(Math.max(0, combined.length - nDrop)));
  const sell = current.filter((s) => worst.has(s) || !Number.isFinite(score(s)));
  const keep = current.filter((s) => !sell.includes(s));
  const buy = candidates.slice(0, Math.max(0, k - keep.length));
  return [...keep, ...buy];
}

/** The names a top-k book holds between rebalances (long and short). */
export interface TopkBook {
  long: string[];
  short: string[];
}

// The book between rebalances, per prediction source (one per prepared run).
const books = new WeakMap<object, TopkBook>();

/**
 * The weights of one `model-signal` decision from the predictions `scores` (finite only) of the names tradable at
 * the date: threshold mode equal-weights names above `threshold` (and below `-threshold` short); top-k mode moves
 * `book` by {@link topkDropout} and equal-weights it. The backtest and the live top-k portfolio both decide here.
 */
export function modelWeights(
  p: ModelSignalParams,
  scores: ReadonlyMap<string, number>,
  book: TopkBook,
): Map<string, number> {
  const out = new Map<string, number>();
  if (p.mode === 'threshold') {
    const longs = [...scores].filter(([, v]) => v > p.threshold).map(([s]) => s);
    const shorts = p.short ? [...scores].filter(([, v]) => v < -p.threshold).map(([s]) => s) : [];
    const n = longs.length + shorts.length;
    for (const s of longs) out.set(s, 1 / n);
    for (const s of shorts) out.set(s, -1 / n);
    return out;
  }
  book.long = topkDropout(book.long, scores, p.topK, p.nDrop);
  if (p.short) {
    const neg = new Map([...scores].filter(([s]) => !book.long.includes(s)).map(([s, v]) => [s, -v]));
    book.short = topkDropout(book.short, neg, p.topK, p.nDrop);
  }
  const n = book.long.length + book.short.length;
  for (const s of book.long) out.set(s, 1 / n);
  for (const s of book.short) out.set(s, -1 / n);
  return out;
}

/**
 * `model-signal`: trades a model's walk-forward OUT-OF-SAMPLE predictions (loaded for the run by
 * `prepareModelSignal`). `top-k`: equal weights on the k best-predicted names with Qlib's dropout rule
 * (optionally short the k worst); `threshold`: equal weights on names predicted above `threshold` (a
 * one-symbol universe makes it a single-symbol threshold strategy). No prediction, no position.
 */
export const modelSignal: CrossSectionalStrategy<ModelSignalParams> = {
  kind: 'cross-sectional',
  name: 'model-signal',
  description: 'Trade a trained model: top-k with dropout, or a threshold, on out-of-sample predictions',
  params: modelSignalParams,
  rebalance: (p) => p.rebalance,
  weights(p, view: CrossSectionView) {
    const src = predictionsFor(p.modelId);
    const scores = new Map<string, number>();
    for (const s of view.universe) {
      const v = src.at(s, view.date);
      if (Number.isFinite(v)) scores.set(s, v);
    }
    let book = books.get(src);
    if (!book) books.set(src, (book = { long: [], short: [] }));
    return modelWeights(p, scores, book);
  },
};
