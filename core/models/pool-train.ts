import type { FeatureSource } from '../features/batch';
import type { FeatureMatrix } from '../features/matrix';
import type { Pool, PoolProgress } from '../pool/types';
import type { JobTable } from '../pool/worker-host';
import type { ModelParams, ModelSpec } from './spec';
import {
  finishWalkForward,
  fitModel,
  gatherRows,
  modelFromJson,
  modelToJson,
  planWalkForward,
  type WalkForwardResult,
} from './train';

/** The data of one `model-fit` pool job: a window's training rows (column-major) and the hyperparameters. */
export interface FitJobData {
  readonly x: readonly Float64Array[];
  readonly y: Float64Array;
  readonly params: ModelParams;
  readonly objective: 'regression' | 'binary';
}

/** Pool job kinds of the models domain. */
export const MODEL_JOBS: JobTable = {
  'model-fit': (d: FitJobData) => modelToJson(fitModel(d.x, d.y, d.params, d.objective)),
};

/**
 * {@link trainWalkForward} with every window fitted on the pool's workers at once (windows are independent);
 * progress counts finished windows, and aborting `signal` cancels the workers. Same models, same numbers as
 * the single-threaded path: fitting is deterministic and the rest runs here.
 */
export async function trainWalkForwardOnPool(
  pool: Pool,
  src: FeatureSource,
  matrix: FeatureMatrix,
  spec: ModelSpec,
  opts: { onProgress?: (p: PoolProgress) => void; signal?: AbortSignal } = {},
): Promise<WalkForwardResult> {
  const plan = planWalkForward(src, spec);
  const jobs = plan.windows.map((w, wi) => {
    const { x, y } = gatherRows(src, matrix, plan.labels, w.trainFrom, w.trainTo);
    if (y.length === 0) throw new Error(`window ${wi + 1}: no training rows with a label`);
    return { kind: 'model-fit', data: { x, y, params: spec.model, objective: plan.objective } satisfies FitJobData };
  });
  const outcomes = await pool.run<unknown>(jobs, {
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const models = outcomes.map((o, i) => {
    if (!o.ok) throw new Error(`window ${i + 1}: ${o.error.message}`);
    return { model: modelFromJson(o.value), trainRows: jobs[i].data.y.length };
  });
  return finishWalkForward(src, matrix, plan, models);
}
