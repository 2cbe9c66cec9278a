/** One feature's share of a model's prediction, as a signal carries it. */
export interface SignalContribution {
  readonly feature: string;
  /** The feature's value at the bar (null: missing). */
  readonly value: number | null;
  readonly contribution: number;
}

/**
 * Why a model-driven signal fired: the model (registry id), its raw prediction, the base value (expected output)
 * and the largest contributions by |contribution|; over all features `base + Σ contributions = prediction`.
 */
export interface SignalExplanation {
  readonly modelId: string;
  readonly prediction: number;
  readonly base: number;
  readonly top: readonly SignalContribution[];
}

/** A short "why" for a chart marker: the largest contribution's feature and sign, e.g. `rsi(period=14)+`. */
export function explanationMark(e: SignalExplanation, maxChars = 18): string {
  const c = e.top[0];
  if (!c) return '';
  const name = c.feature.length > maxChars ? `${c.feature.slice(0, maxChars - 1)}…` : c.feature;
  return `${name}${c.contribution >= 0 ? '+' : '−'}`;
}
