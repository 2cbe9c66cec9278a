import { createHash } from 'node:crypto';
import { z } from 'zod';
import { featureDefSchema, labelSchema } from './spec';

/**
 * ONNX models trained elsewhere, run with onnxruntime-node (CPU). A manifest names what the model expects:
 * the features in input-column order (same definitions as a model spec, so research and the app compute the
 * same numbers), the label it was trained on and its training window (predictions before `trainEnd` plus the
 * label horizon are in-sample and are refused by the out-of-sample paths), and optionally the universe it was trained
 * on (as a model spec's `universe`).
 */
export const onnxManifestSchema = z.strictObject({
  name: z.string().min(1).optional(),
  features: z.array(featureDefSchema).min(1).max(500),
  label: labelSchema,
  trainStart: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  trainEnd: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** Input and output tensor names; default: the model's first input and output. */
  input: z.string().optional(),
  output: z.string().optional(),
  symbols: z.array(z.string().min(1)).min(1).optional(),
  universe: z
    .string()
    .min(1)
    .optional()
    .describe(
      '"all" (the default): every instrument in the store; a name: a PIT universe: cross-sections rank within it, and the model scores and predicts only its members as known each day',
    ),
  source: z.string().optional().describe('where the model was trained (free text, kept in the lineage)'),
});

/** A parsed manifest. */
export type OnnxManifest = z.output<typeof onnxManifestSchema>;

/** A loaded ONNX model: run rows (feature vectors) in one batch, one output each. */
export interface OnnxRunner {
  readonly inputName: string;
  readonly outputName: string;
  run(rows: readonly Float64Array[]): Promise<Float64Array>;
  release(): Promise<void>;
}

/** Loads model bytes into an onnxruntime session (float32 input [rows, features], first output value per row). */
export async function loadOnnx(
  bytes: Uint8Array,
  manifest: { input?: string | undefined; output?: string | undefined },
): Promise<OnnxRunner> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes);
  const inputName = manifest.input ?? session.inputNames[0];
  const outputName = manifest.output ?? session.outputNames[0];
  if (!session.inputNames.includes(inputName))
    throw new Error(`ONNX model has no input "${inputName}" (has ${session.inputNames.join(', ')})`);
  if (!session.outputNames.includes(outputName))
    throw new Error(`ONNX model has no output "${outputName}" (has ${session.outputNames.join(', ')})`);
  return {
    inputName,
    outputName,
    async run(rows) {
      const n = rows.length;
      const F = n > 0 ? rows[0].length : 0;
      const data = new Float32Array(n * F);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < F; j++) data[i * F + j] = Number.isFinite(rows[i][j]) ? rows[i][j] : Number.NaN;
      const out = await session.run({ [inputName]: new ort.Tensor('float32', data, [n, F]) });
      const t = out[outputName];
      const vals = t.data as Float32Array | Float64Array;
      if (vals.length !== n) {
        // e.g. [n, 2] class probabilities: take the last column (the positive class).
        const per = vals.length / n;
        if (!Number.isInteger(per))
          throw new Error(`ONNX output "${outputName}" has ${vals.length} values for ${n} rows`);
        return Float64Array.from({ length: n }, (_, i) => vals[i * per + per - 1]);
      }
      return Float64Array.from(vals);
    },
    release: () => session.release(),
  };
}

/** Content hash of model bytes (part of an imported model's id and lineage). */
export function onnxHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}
