import { existsSync, readFileSync } from 'node:fs';
import { runSignals, type SignalsReport } from '../../signals/run-signals';
import type { HorizonStats } from '../../signals/signal-stats';
import { openStore } from '../../store/sqlite-bar-store';
import { absolutizeStrategyRef } from '../../strategies/registry';
import { parseFlags, UsageError } from '../args';
import { EXIT, type CliIO, type Command } from '../io';

const USAGE = `Usage: quantdesk signals --spec FILE.json --db DB [--json]

Steps the spec's strategy over each symbol and reports its entry signals (long/short) from "start" to
"end" with forward returns after 1, 5 and 20 bars: success rate, average return and Sharpe ratio.
The spec is a backtest spec (strategy, params, symbols or universe, start, end, fill, adjustment);
other backtest fields are ignored. Entry at the fill price (next-open: the next bar's open; close:
the signal bar's close), exit at the close h bars after the signal bar; shorts count the negated return.
--json prints {"spec","horizons","symbols":[{"symbol","signals","long","short","horizons","events"}],"total"}
where each horizon is {"h","all","long","short"} of {"count","successRate","avgReturn","sharpe"}.`;

/** Reads and parses a JSON file; a syntax error names the file and line. */
export function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : 1;
    throw new UsageError(`${path}:${line}: invalid JSON: ${msg}`);
  }
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null) => (x === null ? '-' : x.toFixed(2));

function printText(r: SignalsReport, io: CliIO): void {
  const head = [
    'symbol'.padEnd(10),
    'signals'.padStart(7),
    ...r.horizons.map((h) => `h${h} win / avg / sharpe`.padStart(26)),
  ];
  io.out(`${r.spec.strategy} ${JSON.stringify(r.spec.params)} fill=${r.spec.fill}\n${head.join('  ')}\n`);
  const row = (name: string, signals: number, hs: readonly { all: HorizonStats }[]) =>
    io.out(
      `${[name.padEnd(10), String(signals).padStart(7), ...hs.map((h) => `${pct(h.all.successRate)} / ${pct(h.all.avgReturn)} / ${num(h.all.sharpe)}`.padStart(26))].join('  ')}\n`,
    );
  for (const s of r.symbols) row(s.symbol, s.signals, s.horizons);
  row('TOTAL', r.total.signals, r.total.horizons);
}

/**
 * The 1-based line of the JSON key at `path` (`params.fast`) in `text`, found by searching each key in
 * turn after the previous one; the line of the deepest key found, 1 if none.
 */
export function lineOfPath(text: string, path: string): number {
  let at = 0;
  let found = -1;
  for (const key of path.split('.')) {
    if (key === '' || /^\d+$/.test(key)) continue;
    const m = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`).exec(text.slice(at));
    if (!m) break;
    found = at + m.index;
    at = found + m[0].length;
  }
  return found < 0 ? 1 : text.slice(0, found).split('\n').length;
}

/** `quantdesk signals --spec FILE --db DB [--json]`. */
export const signalsCommand: Command = {
  name: 'signals',
  summary: "Signal analytics: a strategy's entries and their forward returns over 1, 5 and 20 bars",
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { spec: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' } },
      ['spec', 'db'],
    );
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const raw = absolutizeStrategyRef(readJsonFile(values.spec!), values.spec!);
    if (!existsSync(values.db!)) throw new UsageError(`${values.db}: no such database`);
    const store = openStore(values.db!, { readonly: true });
    try {
      const r = runSignals(store, raw);
      if (!r.ok) {
        const text = readFileSync(values.spec!, 'utf8');
        if (r.error.details?.length) {
          // FILE:LINE: field: reason, one per problem
          for (const d of r.error.details)
            io.err(`${values.spec}:${lineOfPath(text, d.slice(0, d.indexOf(':')))}: ${d}\n`);
        } else io.err(`quantdesk signals: ${values.spec}: ${r.error.message}\n`);
        return r.error.code === 'invalid-input' || r.error.code === 'not-found' ? EXIT.badInput : EXIT.failure;
      }
      if (values.json) io.out(`${JSON.stringify(r.value)}\n`);
      else printText(r.value, io);
      return EXIT.ok;
    } finally {
      store.close();
    }
  },
};
