import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fastFormatTime, outputJsonBytes, toOutput, tradesCsv } from '../../backtest/json';
import { backtestColumnsFromStore } from '../../backtest/run';
import { validateSpec } from '../../backtest/spec';
import { BacktestInputError } from '../../backtest/types';
import { setIndicatorMemoBudget } from '../../indicators/memo';
import { openStore } from '../../store/sqlite-bar-store';
import { absolutizeStrategyRef } from '../../strategies/registry';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';
import { mark } from '../timings';

const USAGE = `Usage: quantdesk backtest --spec FILE.json --db DB [--json] [--report FILE.html] [--trades-csv FILE.csv] [--no-save]

Runs the backtest FILE.json describes on the store DB and records it in the run registry.
Spec fields: strategy, params, symbols | universe ("all" or a named universe), start, end, capital,
fill (next-open|close), commission {rate, fixed}, slippageBps, direction (long-short|long-only),
sizing (all-in|fixed-fraction|fixed-qty|volatility-target|equal-weight, or {method, ...}), wholeUnits,
closeAtEnd, endFill (close|open), intrabar (conservative|optimistic), benchmark, adjustment (pit|raw), barsPerYear.
--json prints {"spec","metrics","trades","openPositions","equity","runId"} on stdout.
--report writes a self-contained HTML tear sheet; --trades-csv the trade list as CSV.
A bad spec exits 2 naming the field.`;

/** Reads and validates a spec file; throws UsageError naming the file and field. */
export function readSpecFile(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    // Windows editors save UTF-8 with a byte order mark; JSON.parse rejects it.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UsageError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const r = validateSpec(absolutizeStrategyRef(raw, file));
  if (!r.ok) throw new UsageError(r.errors.map((e) => `${file}: ${e}`).join('\n'));
  return r.spec;
}

/** `quantdesk backtest`. */
export const backtestCommand: Command = {
  name: 'backtest',
  summary: 'run a backtest from a JSON spec; JSON result, HTML report, run registry',
  usage: USAGE,
  async run(args, io) {
    mark('loaded');
    const { values } = parseFlags(
      args,
      {
        spec: { type: 'string' },
        db: { type: 'string' },
        json: { type: 'boolean' },
        report: { type: 'string' },
        'trades-csv': { type: 'string' },
        'no-save': { type: 'boolean' },
      },
      ['spec', 'db'],
    );
    const spec = readSpecFile(values.spec as string);
    const db = values.db as string;
    if (!existsSync(db)) throw new UsageError(`${db}: no such database`);
    const store = openStore(db);
    mark('open');
    // One run per process: no later run could replay what the indicator memo records, so recording would be
    // pure cost (a store per value fed, on every name's streams). The memo is for sweeps and reruns in a
    // long-lived process (the app, a pool worker); results are the same either way.
    const memoBudget = setIndicatorMemoBudget(0);
    try {
      let cols;
      try {
        cols = backtestColumnsFromStore(store, spec, { save: values['no-save'] !== true, onPhase: mark }).columns;
      } catch (e) {
        if (e instanceof BacktestInputError) {
          io.err(e.errors.map((x) => `quantdesk backtest: ${values.spec}: ${x}\n`).join(''));
          return EXIT.badInput;
        }
        throw e;
      }
      if (values.report || values['trades-csv']) {
        const out = toOutput(cols, cols.runId);
        if (values.report) {
          // The report's renderer only when asked for: start-up loads what `--json` needs and no more.
          const { renderReport, reportBenchmark } = await import('../../backtest/report');
          writeFileSync(values.report as string, renderReport(out, reportBenchmark(store, out)));
        }
        if (values['trades-csv']) writeFileSync(values['trades-csv'] as string, tradesCsv(out.trades));
      }
      // The text is formatted here, from the columns, and nowhere else.
      if (values.json) {
        const text = outputJsonBytes(cols, '\n');
        mark('print');
        io.outBytes(text);
        mark('write');
      } else {
        const m = cols.metrics;
        const t = cols.equity.time;
        const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(2)}%`);
        io.out(
          `run ${cols.runId}: ${spec.strategy} ${t.length > 0 ? fastFormatTime(t[0]) : ''}..${t.length > 0 ? fastFormatTime(t[t.length - 1]) : ''}\n` +
            `final equity ${m.finalEquity.toFixed(2)}  return ${pct(m.totalReturn)}  CAGR ${pct(m.cagr)}  sharpe ${m.sharpe?.toFixed(3) ?? '–'}  ` +
            `max DD ${pct(m.maxDrawdown)}  trades ${m.trades}  win rate ${pct(m.winRate)}  open positions ${cols.openPositions.length}\n`,
        );
      }
      if (values.report) io.err(`report written to ${values.report}\n`);
      return EXIT.ok;
    } finally {
      setIndicatorMemoBudget(memoBudget);
      store.close();
      mark('close');
    }
  },
};
