import { z } from 'zod';
import { parseDate } from '../model/time';

const date = z.string().refine((s) => parseDate(s) !== null, { message: 'expected a date YYYY-MM-DD' });

/** A feature entry: `{ "name": …, …params }` (see `quantdesk features list`). */
export const featureDefSchema = z.looseObject({ name: z.string().min(1) });

/** Label definitions. */
export const labelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('forward-return'), horizon: z.number().int().min(1).max(260) }),
  z.strictObject({ kind: z.literal('forward-direction'), horizon: z.number().int().min(1).max(260) }),
  z.strictObject({
    kind: z.literal('triple-barrier'),
    horizon: z.number().int().min(1).max(260),
    upper: z.number().positive().describe('take-profit return, e.g. 0.05'),
    lower: z.number().positive().describe('stop-loss return (magnitude), e.g. 0.05'),
  }),
]);

/** Hyperparameters of each model kind. */
export const modelSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('gbdt'),
    trees: z.number().int().min(1).max(5000).default(100),
    depth: z.number().int().min(1).max(12).default(4),
    learningRate: z.number().gt(0).max(1).default(0.05),
    seed: z.number().int().default(1),
    bins: z.number().int().min(2).max(255).default(63),
    minLeaf: z.number().int().min(1).default(20),
    lambda: z.number().min(0).default(1),
    subsample: z.number().gt(0).max(1).default(1),
    colsample: z.number().gt(0).max(1).default(1),
  }),
  z.strictObject({ kind: z.literal('linear'), lambda: z.number().min(0).default(1) }),
  z.strictObject({
    kind: z.literal('mlp'),
    hidden: z.array(z.number().int().min(1).max(512)).min(1).max(4).default([32, 16]),
    epochs: z.number().int().min(1).max(500).default(10),
    batchSize: z.number().int().min(1).max(65_536).default(256),
    learningRate: z.number().gt(0).max(1).default(0.001),
    seed: z.number().int().default(1),
  }),
  z.strictObject({
    kind: z.literal('lstm'),
    window: z.number().int().min(2).max(60).default(10).describe('steps of history per sample'),
    units: z.number().int().min(1).max(256).default(16),
    epochs: z.number().int().min(1).max(500).default(10),
    batchSize: z.number().int().min(1).max(65_536).default(256),
    learningRate: z.number().gt(0).max(1).default(0.005),
    seed: z.number().int().default(1),
  }),
]);

/** A model spec: data, features, label, model and walk-forward windows (trading days). */
export const modelSpecSchema = z.strictObject({
  universe: z
    .string()
    .min(1)
    .default('all')
    .describe(
      '"all": every instrument in the store; a name: a PIT universe (rows train and score only while members, as known each day)',
    ),
  symbols: z.array(z.string().min(1)).min(1).max(5000).optional(),
  start: date,
  end: date,
  features: z.array(featureDefSchema).min(1).max(500),
  label: labelSchema.default({ kind: 'forward-return', horizon: 5 }),
  model: modelSchema.default({
    kind: 'gbdt',
    trees: 100,
    depth: 4,
    learningRate: 0.05,
    seed: 1,
    bins: 63,
    minLeaf: 20,
    lambda: 1,
    subsample: 1,
    colsample: 1,
  }),
  walkForward: z
    .strictObject({
      train: z.number().int().min(20).default(756),
      test: z.number().int().min(1).default(126),
      embargo: z.number().int().min(0).default(5),
      anchored: z.boolean().default(false),
    })
    .default({ train: 756, test: 126, embargo: 5, anchored: false }),
});

/** A model spec as written (defaults optional). */
export type ModelSpecInput = z.input<typeof modelSpecSchema>;
/** A parsed model spec (defaults applied). */
export type ModelSpec = z.output<typeof modelSpecSchema>;
/** A label definition. */
export type LabelSpec = z.output<typeof labelSchema>;
/** Model hyperparameters. */
export type ModelParams = z.output<typeof modelSchema>;

/** Parses a spec; on failure, one `path: message` per problem. */
export function parseModelSpec(raw: unknown): { ok: true; spec: ModelSpec } | { ok: false; problems: string[] } {
  const r = modelSpecSchema.safeParse(raw);
  if (r.success) {
    return { ok: true, spec: r.data };
  }
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`) };
}
