import { existsSync, writeFileSync } from 'node:fs';
import { tradesCsv } from '../../backtest/json';
import { getRun, listRuns } from '../../backtest/registry';
import { renderReport, reportBenchmark } from '../../backtest/report';
import { rerunStored } from '../../backtest/run';
import { BacktestInputError } from '../../backtest/types';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { loadSweep } from '../../optimize/sweep-registry';
import { fmt } from './optimize-common';
import { EXIT, type Command } from '../io';

const USAGE = `Usage: quantdesk runs list --db DB [--limit N] [--json]
       quantdesk runs show ID --db DB [--json] [--report FILE.html] [--trades-csv FILE.csv]
       quantdesk runs rerun ID --db DB [--json]

list:  stored runs, newest first: [{"id","kind","status","strategy","createdAt","finishedAt","engineVersion","dataFingerprint","metrics"}]
show:  one run with its spec (defaults filled), full result and per-decision audit; for a sweep
       (id sw-...), "sweep" holds its stored output (top results, failures) and "result" is null
rerun: runs the stored spec again on the current data, stores it as a new run and prints
       {"rerunOf","runId","identical","fingerprintChanged","storedFingerprint","currentFingerprint","result"}`;

/** `quantdesk runs list|show|rerun`. */
export const runsCommand: Command = {
  name: 'runs',
  summary: 'list, show and re-run stored backtests (the run registry)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        db: { type: 'string' },
        json: { type: 'boolean' },
        limit: { type: 'string' },
        report: { type: 'string' },
        'trades-csv': { type: 'string' },
      },
      ['db'],
    );
    const [verb, id] = positionals;
    if (verb !== 'list' && verb !== 'show' && verb !== 'rerun')
      throw new UsageError(`expected list, show or rerun, got "${verb ?? ''}"`);
    if (verb !== 'list' && !id) throw new UsageError(`runs ${verb} needs a run ID`);
    const db = values.db as string;
    if (!existsSync(db)) throw new UsageError(`${db}: no such database`);
    const store = openStore(db);
    try {
      if (verb === 'list') {
        const limit = values.limit === undefined ? 100 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new UsageError(`--limit: expected a positive integer, got "${values.limit}"`);
        const runs = listRuns(store, { limit });
        if (values.json) io.out(JSON.stringify(runs) + '\n');
        else
          for (const r of runs)
            io.out(
              `${r.id}  ${r.createdAt}  ${r.strategy.padEnd(20)} return ${r.metrics ? (r.metrics.totalReturn * 100).toFixed(2) + '%' : '–'}\n`,
            );
        return EXIT.ok;
      }
      if (verb === 'show') {
        const run = getRun(store, id);
        if (!run) {
          io.err(`quantdesk runs: no run "${id}" in ${db}\n`);
          return EXIT.failure;
        }
        if (values.report && run.result)
          writeFileSync(values.report as string, renderReport(run.result, reportBenchmark(store, run.result)));
        if (values['trades-csv'] && run.result)
          writeFileSync(values['trades-csv'] as string, tradesCsv(run.result.trades));
        // A sweep's payload is its output (top results, failures), not a backtest result.
        const stored = run.kind === 'sweep' ? (loadSweep(store, id) ?? null) : undefined;
        // As `quantdesk sweep --json` prints it: the surface (every combination's objective, for the app's heatmap) stays stored.
        const sweep = stored ? (({ surface: _surface, stability: _stability, ...rest }) => rest)(stored) : stored;
        const shown = sweep === undefined ? run : { ...run, sweep };
        if (values.json) io.out(JSON.stringify(shown) + '\n');
        else {
          io.out(
            `${run.id}  ${run.kind}  ${run.strategy}  created ${run.createdAt}  engine ${run.engineVersion}  data ${run.dataFingerprint}\n${JSON.stringify(run.spec, null, 2)}\n`,
          );
          if (sweep) {
            io.out(
              `${sweep.runs} runs on ${sweep.workers} workers in ${(sweep.elapsedMs / 1000).toFixed(2)} s; best ${sweep.results.length} by ${sweep.objective}:\n`,
            );
            for (const r of sweep.results)
              io.out(
                `  ${JSON.stringify(r.params)}  ${sweep.objective}=${fmt((r.metrics as unknown as Record<string, number | null>)[sweep.objective.replace(/^-/, '')])}\n`,
              );
          }
        }
        return EXIT.ok;
      }
      let report;
      try {
        report = rerunStored(store, id);
      } catch (e) {
        if (e instanceof BacktestInputError) {
          io.err(e.errors.map((x) => `quantdesk runs rerun: ${x}\n`).join(''));
          return EXIT.badInput;
        }
        throw e;
      }
      if (!report) {
        io.err(`quantdesk runs: no run "${id}" in ${db}\n`);
        return EXIT.failure;
      }
      if (report.fingerprintChanged)
        io.err(
          `quantdesk runs rerun: the data changed since ${id} ran (fingerprint ${report.storedFingerprint} -> ${report.currentFingerprint})\n`,
        );
      if (values.json) io.out(JSON.stringify(report) + '\n');
      else
        io.out(
          `${report.runId}: re-run of ${id}: ${report.identical ? 'identical' : 'DIFFERENT'}${report.fingerprintChanged ? ' (data changed)' : ''}\n`,
        );
      return EXIT.ok;
    } finally {
      store.close();
    }
  },
};
