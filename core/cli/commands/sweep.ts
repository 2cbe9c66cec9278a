import { existsSync } from 'node:fs';
import { checkSweep, runSweep } from '../../optimize/sweep';
import { readSweepFile, SweepFileError } from '../../optimize/sweep-file';
import { newSweepId, saveSweep } from '../../optimize/sweep-registry';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags } from '../args';
import { EXIT, type Command } from '../io';
import { fmt, POOL_FLAGS, poolFromFlags, progressPrinter, sigintSignal, sweepErrorExit } from './optimize-common';

const USAGE = `Usage: quantdesk sweep --spec FILE.json --db DB [--workers N | --cluster URL [--queue NAME]] [--json]

Runs every combination of a parameter grid (or a seeded random sample of it) in the exact engine, in
parallel, and prints the best results by the objective. FILE.json:
  {"base": <backtest spec>, "grid": {"fast": {"from":5,"to":50,"step":5}, "slow": [20,50,100]},
   "constraints": ["fast < slow"], "objective": "sharpe", "top": 20,
   "search": {"kind": "random", "samples": 500, "seed": 1},      (search optional; default the full grid)
   "curves": 3}   (optional: the best 3 results also carry their equity curve, "equity": {"time","value"})
objective: a metric name (sharpe, cagr, totalReturn, maxDrawdown, ...); prefix "-" to minimise.
  --workers N     worker threads (default: every core)
  --cluster URL   run on \`quantdesk worker --redis URL\` nodes instead
--json prints {"id","runs","elapsedMs","workers","objective","best","results":[{"params","metrics"}],
"failed":[{"params","error"}],"fingerprint","kernel"} on stdout, results sorted best first.
"engine": "auto" (default) ranks sma-cross sweeps with fixed-qty sizing by a specialised kernel and
re-runs the top results in the engine ("kernel": {"name","verified","maxRelDiff"}); "exact" never does.
The sweep is stored in the run registry under "id" (\`quantdesk runs list\`).
Progress goes to stderr on a terminal; Ctrl-C cancels (exit 1).`;

/** \`quantdesk sweep\`: a parameter sweep on the pool. */
export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'Run a parameter sweep (grid or random search) on every core or a cluster',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(
      args,
      { spec: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' }, ...POOL_FLAGS },
      ['spec', 'db'],
    );
    let sweep;
    try {
      sweep = readSweepFile(values.spec as string);
    } catch (e) {
      if (e instanceof SweepFileError) {
        io.err(`quantdesk sweep: ${e.message}\n`);
        return EXIT.badInput;
      }
      throw e;
    }
    const dbPath = values.db as string;
    if (!existsSync(dbPath)) {
      io.err(`quantdesk sweep: ${dbPath}: no such database\n`);
      return EXIT.badInput;
    }
    const store = openStore(dbPath);
    try {
      // Every mistake in the file is reported before a worker starts or anything is stored.
      checkSweep(store, sweep);
    } catch (e) {
      store.close();
      return sweepErrorExit(e, io, 'sweep', values.spec as string);
    }
    const pool = await poolFromFlags(values, store).catch((e: unknown) => {
      store.close();
      throw e;
    });
    const interrupt = sigintSignal();
    try {
      const createdAt = Date.now();
      const result = await runSweep(store, sweep, pool, {
        signal: interrupt.signal,
        onProgress: progressPrinter(io, 'sweep'),
      });
      const id = newSweepId(createdAt);
      saveSweep(store, id, sweep, result, createdAt);
      // The surface (every combination's objective, for the app's heatmap) is stored, not printed: the JSON stays the top results.
      const { surface: _surface, stability: _stability, ...printed } = result;
      const out = { id, ...printed };
      if (values.json) {
        io.out(`${JSON.stringify(out)}\n`);
      } else {
        io.out(
          `sweep ${id}: ${out.runs} runs in ${(out.elapsedMs / 1000).toFixed(2)} s on ${out.workers} workers; best ${out.results.length} by ${out.objective}:\n`,
        );
        for (const r of out.results) {
          const m = r.metrics;
          io.out(
            `  ${JSON.stringify(r.params).padEnd(30)} ${out.objective}=${fmt((m as unknown as Record<string, number | null>)[out.objective.replace(/^-/, '')])}  return=${fmt(m.totalReturn)}  maxDD=${fmt(m.maxDrawdown)}  trades=${m.trades}\n`,
          );
        }
        if (out.failed.length)
          io.out(`${out.failed.length} combinations failed, e.g. ${JSON.stringify(out.failed[0])}\n`);
      }
      return out.results.length > 0 ? EXIT.ok : EXIT.failure;
    } catch (e) {
      return sweepErrorExit(e, io, 'sweep', values.spec as string);
    } finally {
      interrupt.dispose();
      await pool.close();
      store.close();
    }
  },
};
