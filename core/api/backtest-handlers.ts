import { tradesCsv } from '../backtest/json';
import { getRun, getRunColumns, labelRun, listRunItems, removeRun } from '../backtest/registry';
import { renderReport, reportBenchmark } from '../backtest/report';
import { unknownReferences } from '../backtest/run';
import { strategyErrors, type BacktestSpec } from '../backtest/spec';
import { userSourceFor } from '../strategies/registry';
import { BacktestCancelledError, BacktestInputError } from '../backtest/types';
import { fail, ok, type Result } from '../model/result';
import { backtestOnPool, type InteractiveOutcome } from '../optimize/interactive-jobs';
import { CancelledError } from '../pool/types';
import type { backtestMethods } from '../contract/backtest';
import type { Handlers } from './registry';
import type { Services } from './services';

type BacktestChannels = keyof typeof backtestMethods;

/** The spec passed the contract's schema at the boundary; what only the strategy registry knows is checked here: its name and params. */
function specOf(spec: BacktestSpec): Result<BacktestSpec> {
  const details = strategyErrors(spec.strategy, spec.params).map((e) => `spec.${e}`);
  return details.length > 0 ? fail('invalid-input', `Invalid backtest spec: ${details.join('; ')}`, details) : ok(spec);
}

/** A pool job's answer as a `Result` (see `core/optimize/interactive-jobs.ts`). */
export function outcome<T>(r: InteractiveOutcome<T>): Result<T> {
  if ('value' in r) return ok(r.value);
  if ('invalid' in r) return fail('invalid-input', r.invalid.join('; '), r.invalid);
  if ('notFound' in r) return fail('not-found', r.notFound);
  return fail('internal', r.internal);
}

/** Handlers of the backtest and run-registry methods. */
export function backtestHandlers(s: Services): Pick<Handlers, BacktestChannels> {
  return {
    'backtest:run': async (input, ctx) => {
      const spec = specOf(input.spec);
      if (!spec.ok) return spec;
      try {
        // A universe of hundreds of names takes seconds: off the host's thread, on the interactive
        // worker. A user strategy goes to the pool with its source (the backtest service); an in-memory
        // store (tests) has no file a worker could open: it runs here.
        if (s.dbPath !== ':memory:' && userSourceFor(spec.value.strategy, { store: s.store }) === undefined) {
          return outcome(
            await backtestOnPool(s.store, s.optimize.interactivePool(), spec.value, {
              signal: ctx.signal,
              save: input.save,
            }),
          );
        }
        return ok(await s.backtest.run(spec.value, { signal: ctx.signal, save: input.save }));
      } catch (e) {
        if (e instanceof BacktestInputError) return fail('invalid-input', e.message, e.errors);
        if (e instanceof BacktestCancelledError || e instanceof CancelledError)
          return fail('cancelled', 'backtest:run was cancelled');
        throw e;
      }
    },
    'backtest:start': (input) => {
      const spec = specOf(input.spec);
      if (!spec.ok) return spec;
      // Reject what can be known now, rather than accept a run that can only end as 'failed'.
      const unknown = unknownReferences(s.store, spec.value).map((e) => `spec.${e}`);
      if (unknown.length > 0) return fail('invalid-input', `Invalid backtest spec: ${unknown.join('; ')}`, unknown);
      return ok({ runId: s.backtest.start(spec.value) });
    },
    'backtest:cancel': (input) => ok({ cancelled: s.backtest.cancel(input.runId) }),
    'runs:list': (input) => ok(listRunItems(s.store, { limit: input?.limit, kind: input?.kind })),
    'runs:get': (input) => {
      const run = getRunColumns(s.store, input.id);
      return run ? ok(run) : fail('not-found', `No run "${input.id}"`);
    },
    'runs:label': (input) => {
      const item = labelRun(s.store, input.id, input);
      return item ? ok(item) : fail('not-found', `No run "${input.id}"`);
    },
    'runs:delete': (input) =>
      removeRun(s.store, input.id) ? ok({ deleted: true }) : fail('not-found', `No run "${input.id}"`),
    'runs:export': (input) => {
      const run = getRun(s.store, input.id);
      if (!run) return fail('not-found', `No run "${input.id}"`);
      if (!run.result) return fail('not-found', `Run "${input.id}" has no stored result`);
      return ok(
        input.format === 'csv'
          ? tradesCsv(run.result.trades)
          : renderReport(run.result, reportBenchmark(s.store, run.result)),
      );
    },
  };
}
