import { z } from 'zod';

/**
 * `params.challenger` of a live `model-signal` spec: a second model version run side by side with the champion
 * (`params.modelId`) on the same feed. `shadow`: it only decides (scored on a virtual book, no orders);
 * `canary`: it also trades `fraction` of the capital in its own paper session (journal `<session>~challenger`)
 * while the champion trades the rest. Backtests ignore it.
 */
export const challengerParams = z
  .object({
    modelId: z.string().min(1).describe('the challenger: a model id in the registry'),
    mode: z
      .enum(['shadow', 'canary'])
      .default('shadow')
      .describe('shadow: decide only; canary: trade `fraction` of the capital'),
    fraction: z.number().gt(0).lt(1).default(0.1).describe('canary: the share of capital the challenger trades'),
  })
  .strict();

/** Parsed `params.challenger`. */
export type ChallengerParams = z.output<typeof challengerParams>;
