import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFeatures, type FeatureDef } from '../features/defs';
import { featureMatrix } from '../features/matrix';
import { formatDate } from '../model/time';
import { createThreadPool } from '../pool/thread-pool';
import { buildWorkerEntry } from '../pool/test-support';
import { CancelledError, type Pool } from '../pool/types';
import { plantedMarket } from './planted';
import { trainWalkForwardOnPool } from './pool-train';
import { modelSpecSchema } from './spec';
import { modelToJson, trainWalkForward } from './train';

let pool: Pool;
beforeAll(async () => {
  pool = createThreadPool({ workers: 2, dbPath: null, workerEntry: await buildWorkerEntry() });
});
afterAll(() => pool.close());

describe('walk-forward training on the pool', () => {
  it('fits every window on the workers with progress, and equals the single-threaded result exactly', async () => {
    const src = plantedMarket(12, 420, 8, true);
    const t = src.panel.time;
    const spec = modelSpecSchema.parse({
      start: formatDate(t[0]),
      end: formatDate(t[t.length - 1]),
      features: [
        { name: 'expr', expr: 'Log($volume)' },
        { name: 'return', window: 5 },
      ],
      model: { kind: 'gbdt', trees: 20, depth: 3, learningRate: 0.1, seed: 3, subsample: 0.8, minLeaf: 20 },
      walkForward: { train: 150, test: 50, embargo: 5, anchored: false },
    });
    const m = featureMatrix(src, resolveFeatures(spec.features as FeatureDef[]), { noCache: true });
    const progress: number[] = [];
    const onPool = await trainWalkForwardOnPool(pool, src, m, spec, { onProgress: (p) => progress.push(p.completed) });
    const local = trainWalkForward(src, m, spec);
    expect(onPool.windows.length).toBe(6);
    expect(progress[progress.length - 1]).toBe(6);
    expect(JSON.stringify(onPool.windows.map((w) => modelToJson(w.model)))).toBe(
      JSON.stringify(local.windows.map((w) => modelToJson(w.model))),
    );
    expect(onPool.metrics).toEqual(local.metrics);
    const ac = new AbortController();
    ac.abort();
    await expect(trainWalkForwardOnPool(pool, src, m, spec, { signal: ac.signal })).rejects.toBeInstanceOf(
      CancelledError,
    );
  });
});
