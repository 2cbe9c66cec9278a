import { z } from 'zod';

/**
 * `params.challenger` of a live `model-signal` spec: a second model version run side by side with the champion
 * (`params.modelId`) on the same feed. `shadow`: it only decides (scored on a virtual book, no orders);
 * `canary`: it also trades `fraction` of the capital in its own paper session (journal `<session>~challenger`)
 * while the champion trades the rest. It runs the champion's strategy mode (`top-k` or `threshold`) with the
 * champion's params, except those it sets itself: `topK`, `nDrop`, `rebalance`, `short` (top-k) or `threshold`,
 * `short` (threshold); `modelSignalParams` refuses a parameter of the other mode. Backtests ignore it.
 */
export const challengerParams = z
  .object({
    modelId: z.string().min(1).describe('the challenger: a model id in the registry'),
    mode: z
      .enum(['shadow', 'canary'], {
        error: (i) =>
          i.input === 'top-k' || i.input === 'threshold'
            ? `expected "shadow" or "canary" (the challenger runs the champion's strategy mode, params.mode; champion and challenger in different modes would not be scored on the same book)`
            : 'expected "shadow" or "canary"',
      })
      .default('shadow')
      .describe('shadow: decide only; canary: trade `fraction` of the capital'),
    fraction: z.number().gt(0).lt(1).default(0.1).describe('canary: the share of capital the challenger trades'),
    topK: z.number().int().min(1).optional().describe("top-k: the challenger's names held (default: the champion's)"),
    nDrop: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("top-k: the challenger's dropout, names replaced per rebalance (default: the champion's)"),
    rebalance: z
      .enum(['daily', 'weekly', 'monthly'])
      .optional()
      .describe("top-k: the challenger's rebalance period (default: the champion's)"),
    short: z.boolean().optional().describe("the challenger also shorts (default: the champion's)"),
    threshold: z.number().optional().describe("threshold mode: the challenger's threshold (default: the champion's)"),
  })
  .strict();

/** Parsed `params.challenger`. */
export type ChallengerParams = z.output<typeof challengerParams>;

/** The strategy params a challenger may set itself. */
const FIELDS = ['topK', 'nDrop', 'rebalance', 'short', 'threshold'] as const;

/** Those that apply in each of the champion's modes (the others are refused: see {@link challengerMismatch}). */
const OWN = { 'top-k': ['topK', 'nDrop', 'rebalance', 'short'], threshold: ['threshold', 'short'] } as const;

/**
 * The challenger's parameters that do not apply to the champion's `mode` (`[field, message]`), for the params
 * schema to refuse: a top-k parameter on a threshold duel or a threshold on a top-k one.
 */
export function challengerMismatch(mode: 'top-k' | 'threshold', c: ChallengerParams): [string, string][] {
  const own: readonly string[] = OWN[mode];
  const other = mode === 'top-k' ? 'threshold' : 'top-k';
  return FIELDS.filter((f) => c[f] !== undefined && !own.includes(f)).map((f) => [
    f,
    `a ${other} parameter, but the champion runs mode "${mode}" (params.mode) and the challenger runs the champion's mode: give it ${own.join(', ')}`,
  ]);
}

/**
 * The challenger's strategy params: the champion's (`champion`, parsed `model-signal` params) with the
 * challenger's model and the parameters it sets itself; no challenger of its own.
 */
export function challengerStrategyParams<P extends { readonly modelId: string }>(
  champion: P,
  c: ChallengerParams,
): P & { challenger: undefined } {
  const own: Record<string, unknown> = {};
  for (const f of FIELDS) if (c[f] !== undefined) own[f] = c[f];
  return { ...champion, ...own, modelId: c.modelId, challenger: undefined };
}
