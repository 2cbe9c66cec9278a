import { loadSweep } from '../optimize/sweep-registry';
import { sweepOutputColumns, sweepStateColumns } from '../optimize/sweep-columns';
import { getRunRow } from '../store/run-registry';
import { fail, ok } from '../model/result';
import {
  checkRunSpec,
  monteCarloOfSpec,
  monteCarloOfStoredRun,
  MonteCarloInputError,
} from '../optimize/montecarlo-run';
import { checkSweepQuick, SweepInputError } from '../optimize/sweep';
import type { Store } from '../store/sqlite-bar-store';
import type { SweepSpec } from '../optimize/sweep-spec';
import { runWalkForward } from '../optimize/walkforward-run';
import { monteCarloOnPool } from '../optimize/interactive-jobs';
import { outcome } from './backtest-handlers';
import { CancelledError } from '../pool/types';
import type { Result } from '../model/result';
import type { optimizeMethods } from '../contract/optimize';
import type { Handlers } from './registry';
import type { Services } from './services';

type OptimizeChannels = keyof typeof optimizeMethods;

/**
 * Checks a sweep the contract's schema accepted against what only the strategies and the store know (base spec,
 * strategy, grid, constraints, names); errors name the field.
 */
function checkSweep(sweep: SweepSpec, store: Store): Result<SweepSpec> {
  try {
    checkSweepQuick(store, sweep);
  } catch (e) {
    if (e instanceof SweepInputError) {
      const details = e.errors.map((x) => `sweep.${x}`);
      return fail('invalid-input', details.join('; '), details);
    }
    throw e;
  }
  return ok(sweep);
}

/** Handlers of the optimize domain: sweeps (background, with progress events), walk-forward and Monte Carlo. */
export function optimizeHandlers(s: Services): Pick<Handlers, OptimizeChannels> {
  const svc = s.optimize;
  return {
    'sweep:start': (input) => {
      if (input.workers !== undefined && input.workers > svc.maxWorkers) {
        const message = `workers: at most ${svc.maxWorkers} on this host (its cores), got ${input.workers}`;
        return fail('invalid-input', message, [message]);
      }
      const sweep = checkSweep(input.sweep, s.store);
      if (!sweep.ok) return sweep;
      return ok({ id: svc.startSweep(sweep.value, input.workers) });
    },
    'sweep:cancel': (input) => ok({ cancelled: svc.cancel(input.id) }),
    'sweep:get': (input) => {
      const state = svc.get(input.id);
      if (state) return ok(sweepStateColumns(state));
      // A sweep from an earlier session: read back from the run registry, so a saved sweep reopens with its heatmap.
      const stored = loadSweep(s.store, input.id);
      const row = stored ? getRunRow(s.store, input.id) : undefined;
      return stored && row
        ? ok({
            id: input.id,
            status: 'done' as const,
            startedAt: row.createdAt,
            progress: null,
            result: sweepOutputColumns(stored),
            error: null,
          })
        : fail('not-found', `no sweep ${input.id}`);
    },
    'sweep:list': () => ok(svc.list().map(sweepStateColumns)),
    'walkforward:run': async (input, ctx) => {
      const sweep = checkSweep(input.sweep, s.store);
      if (!sweep.ok) return sweep;
      try {
        const out = await runWalkForward(s.store, sweep.value, svc.pool(), {
          train: input.train,
          test: input.test,
          anchored: input.anchored,
          signal: ctx.signal,
        });
        return ok(out);
      } catch (e) {
        if (e instanceof CancelledError) return fail('cancelled', 'walk-forward cancelled');
        if (e instanceof SweepInputError) return fail('invalid-input', e.errors.join('; '), e.errors);
        throw e;
      }
    },
    'montecarlo:run': async (input, ctx) => {
      const options = {
        method: input.method,
        paths: input.paths,
        seed: input.seed,
        ruin: input.ruin,
        blockLength: input.blockLength,
      };
      try {
        if (s.dbPath !== ':memory:') {
          // A million paths take seconds: the whole call runs on the interactive worker, never here.
          const spec = input.spec === undefined ? undefined : checkRunSpec(input.spec);
          return outcome(
            await monteCarloOnPool(svc.interactivePool(), { runId: input.runId, spec, options }, ctx.signal),
          );
        }
        if (input.runId !== undefined) {
          const view = monteCarloOfStoredRun(s.store, input.runId, options);
          return view ? ok(view) : fail('not-found', `no run ${input.runId}`);
        }
        if (input.spec === undefined) return fail('invalid-input', 'give exactly one of "runId" or "spec"');
        const spec = checkRunSpec(input.spec);
        return ok(await monteCarloOfSpec(s.store, svc.pool(), spec, options, ctx.signal));
      } catch (e) {
        if (e instanceof CancelledError) return fail('cancelled', 'Monte Carlo cancelled');
        if (e instanceof MonteCarloInputError) return fail('invalid-input', e.errors.join('; '), e.errors);
        if (e instanceof Error && /no closed trades|fewer than two/.test(e.message))
          return fail('invalid-input', e.message);
        throw e;
      }
    },
  };
}
