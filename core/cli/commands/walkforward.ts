import { existsSync } from 'node:fs';
import { checkSweep } from '../../optimize/sweep';
import { readSweepFile, SweepFileError } from '../../optimize/sweep-file';
import { runWalkForward } from '../../optimize/walkforward-run';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';
import { fmt, POOL_FLAGS, poolFromFlags, progressPrinter, sigintSignal, sweepErrorExit } from './optimize-common';

const USAGE = `Usage: quantdesk walkforward --spec FILE.json --db DB --train N --test M [--anchored] [--workers N | --cluster URL] [--json]

Walk-forward optimisation with a sweep file (see \`quantdesk sweep --help\`): for each window, sweeps the
grid on N training bars, keeps the best parameters by the objective, and runs them on the next M bars.
Windows roll by M bars (--anchored: every training window starts at the first bar). Each test window
starts flat with the base capital, its strategy warmed first on the bars before it (the base spec's
"warmup", by default N bars), so indicators are ready at the window's first bar.
Efficiency = annualised out-of-sample return / mean annualised in-sample return of the chosen params.
--json prints {"objective","anchored","train","test","runs","elapsedMs","workers",
"windows":[{"trainStart","trainEnd","testStart","testEnd","trainBars","testBars","params","inSample","outOfSample"}],
"oosEquity":{"time","value"},"oosTotalReturn","oosAnnualReturn","isAnnualReturnMean","efficiency"}.`;

/** \`quantdesk walkforward\`: walk-forward optimisation on the pool. */
export const walkforwardCommand: Command = {
  name: 'walkforward',
  summary: 'Walk-forward optimisation: in-sample sweeps, out-of-sample runs, efficiency',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(
      args,
      {
        spec: { type: 'string' },
        db: { type: 'string' },
        train: { type: 'string' },
        test: { type: 'string' },
        anchored: { type: 'boolean' },
        json: { type: 'boolean' },
        ...POOL_FLAGS,
      },
      ['spec', 'db', 'train', 'test'],
    );
    const train = Number(values.train);
    const test = Number(values.test);
    if (!Number.isInteger(train) || train < 2)
      throw new UsageError(`--train: expected a whole number of bars >= 2, got "${values.train}"`);
    if (!Number.isInteger(test) || test < 1)
      throw new UsageError(`--test: expected a whole number of bars >= 1, got "${values.test}"`);
    let sweep;
    try {
      sweep = readSweepFile(values.spec as string);
    } catch (e) {
      if (e instanceof SweepFileError) {
        io.err(`quantdesk walkforward: ${e.message}\n`);
        return EXIT.badInput;
      }
      throw e;
    }
    if (!existsSync(values.db as string)) {
      io.err(`quantdesk walkforward: ${values.db}: no such database\n`);
      return EXIT.badInput;
    }
    const store = openStore(values.db as string);
    try {
      // Every mistake in the file is reported before a worker starts or anything is stored.
      checkSweep(store, sweep);
    } catch (e) {
      store.close();
      return sweepErrorExit(e, io, 'walkforward', values.spec as string);
    }
    const pool = await poolFromFlags(values, store).catch((e: unknown) => {
      store.close();
      throw e;
    });
    const interrupt = sigintSignal();
    try {
      const out = await runWalkForward(store, sweep, pool, {
        train,
        test,
        anchored: values.anchored === true,
        signal: interrupt.signal,
        onProgress: progressPrinter(io, 'walk-forward'),
      });
      if (values.json) {
        io.out(`${JSON.stringify(out)}\n`);
      } else {
        io.out(
          `${out.windows.length} windows, ${out.runs} runs in ${(out.elapsedMs / 1000).toFixed(2)} s on ${out.workers} workers\n`,
        );
        for (const w of out.windows) {
          io.out(
            `  ${w.testStart}..${w.testEnd}  ${JSON.stringify(w.params)}  IS ${out.objective}=${fmt(metric(w.inSample, out.objective))}  OOS return=${fmt(w.outOfSample?.totalReturn)}${w.error ? `  (${w.error})` : ''}\n`,
          );
        }
        io.out(
          `OOS total return ${fmt(out.oosTotalReturn)}, annualised ${fmt(out.oosAnnualReturn)}; IS annualised mean ${fmt(out.isAnnualReturnMean)}; efficiency ${fmt(out.efficiency)}\n`,
        );
      }
      return EXIT.ok;
    } catch (e) {
      return sweepErrorExit(e, io, 'walkforward', values.spec as string);
    } finally {
      interrupt.dispose();
      await pool.close();
      store.close();
    }
  },
};

function metric(m: object | null, objective: string): number | null {
  if (!m) return null;
  const v = (m as Record<string, unknown>)[objective.replace(/^-/, '')];
  return typeof v === 'number' ? v : null;
}
