import { fail, ok } from '../model/result';
import { getModel, listModels, modelDetail, modelSummary } from '../models/registry';
import { explainOnnxAt } from '../models/onnx-service';
import { explainAt, trainAndRegister } from '../models/service';
import { z } from 'zod';
import { modelSpecSchema } from '../models/spec';
import { createThreadPool } from '../pool/thread-pool';
import type { Pool } from '../pool/types';
import type { modelsMethods } from '../contract/models';
import type { Handlers } from './registry';
import type { Services } from './services';

const USER_ERRORS =
  /^universe|^no model|^no out-of-sample|^no bars on|not in the model's universe|^walkForward|^no trading days|no training rows|^features\.|unknown feature|^--date/;

/**
 * Handlers of the models domain: the registry (`models:list`, `models:get`), walk-forward training with
 * progress (`models:train`: windows fitted on worker threads when a worker bundle is at hand, else in the host)
 * and explanations (`models:explain`).
 */
export function modelHandlers(s: Services): Pick<Handlers, keyof typeof modelsMethods> {
  let running: AbortController | null = null;
  return {
    'models:cancel': () => {
      const was = running !== null && !running.signal.aborted;
      running?.abort();
      return ok({ cancelled: was });
    },
    'models:list': () => ok(listModels(s.store).map(modelSummary)),
    'models:duel': () => ok({ duel: s.live.duel() }),
    'models:spec-schema': () =>
      ok({
        schema: z.toJSONSchema(modelSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
      }),
    'models:get': (input) => {
      const got = getModel(s.store, input.id);
      if (!got) return fail('not-found', `no model "${input.id}"`);
      return ok(modelDetail(got.record));
    },
    'models:train': async (input) => {
      if (running) return fail('conflict', 'a model is already training');
      const ac = new AbortController();
      running = ac;
      let pool: Pool | undefined;
      try {
        pool = createThreadPool({ dbPath: null, workers: 2 });
      } catch {
        pool = undefined;
      }
      try {
        const out = await trainAndRegister(s.store, input.spec, {
          ...(pool ? { pool } : {}),
          signal: ac.signal,
          onProgress: (p) => s.emit('models:progressed', { done: p.window, total: p.windows }),
        });
        return ok({ modelId: out.modelId, windows: out.windows, metrics: out.metrics });
      } catch (e) {
        const msg = (e as Error).message;
        if (ac.signal.aborted) return fail('cancelled', 'training cancelled');
        return fail(USER_ERRORS.test(msg) ? 'invalid-input' : 'internal', msg);
      } finally {
        running = null;
        await pool?.close();
      }
    },
    'models:explain': async (input) => {
      try {
        const isOnnx = getModel(s.store, input.id)?.record.kind === 'onnx';
        return ok(
          isOnnx
            ? await explainOnnxAt(s.store, input.id, input.symbol, input.date)
            : explainAt(s.store, input.id, input.symbol, input.date),
        );
      } catch (e) {
        const msg = (e as Error).message;
        return fail(USER_ERRORS.test(msg) ? 'invalid-input' : 'internal', msg);
      }
    },
  };
}
