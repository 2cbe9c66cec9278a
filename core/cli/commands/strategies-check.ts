import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { loadPanel, panelSeries } from '../../data/panel';
import type { Panel } from '../../data/panel-types';
import { allocBarColumns, type BarColumns } from '../../model/bars';
import { checkCrossSectional, checkSingle, describeReport, type LookAheadReport } from '../../sdk/lookahead-check';
import { openStore, type Store } from '../../store/sqlite-bar-store';
import { randomBars } from '../../strategies/fixtures';
import { buildPitField, loadPitFacts } from '../../strategies/pit-facts';
import { isStrategyPath, resolveStrategy } from '../../strategies/registry';
import type { SingleStrategy, Strategy } from '../../strategy/types';
import { parseFlags, parseKeyValues, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';

/** A panel series without its missing bars (NaN closes), as a strategy is stepped over it. */
function compactSeries(panel: Panel, s: number): BarColumns {
  const v = panelSeries(panel, s);
  let n = 0;
  for (let i = 0; i < v.close.length; i++) if (v.close[i] === v.close[i]) n++;
  const out = allocBarColumns(n);
  for (let i = 0, k = 0; i < v.close.length; i++) {
    if (v.close[i] !== v.close[i]) continue;
    out.time[k] = v.time[i];
    out.open[k] = v.open[i];
    out.high[k] = v.high[i];
    out.low[k] = v.low[i];
    out.close[k] = v.close[i];
    out.volume[k] = v.volume[i];
    k++;
  }
  return out;
}

/** A synthetic panel of `n` random-walk instruments (the check's default market). */
function syntheticPanel(n: number, days: number): Panel {
  const series = Array.from({ length: n }, (_, s) => randomBars(days, 11 + s));
  const col = (k: 'open' | 'high' | 'low' | 'close' | 'volume') => {
    const out = new Float64Array(n * days);
    series.forEach((b, s) => out.set(b[k], s * days));
    return out;
  };
  const symbols = series.map((_, s) => `S${String(s + 1).padStart(2, '0')}`);
  return {
    symbols,
    sectors: symbols.map(() => ''),
    time: series[0].time,
    nInst: n,
    nDays: days,
    open: col('open'),
    high: col('high'),
    low: col('low'),
    close: col('close'),
    volume: col('volume'),
    listedOn: new Float64Array(n).fill(Number.NaN),
    delistedOn: new Float64Array(n).fill(Number.NaN),
    adjustment: 'raw',
    fingerprint: 'synthetic-check',
  };
}

function runCheck(
  strategy: Strategy,
  params: unknown,
  store: Store | null,
  symbol: string | undefined,
): LookAheadReport {
  if (strategy.kind === 'single') {
    if (!store)
      return checkSingle(
        strategy as SingleStrategy,
        params,
        [1, 2].map((seed) => ({ symbol: `synthetic-${seed}`, bars: randomBars(700, seed) })),
      );
    const panel = loadPanel(store, { symbols: symbol ? [symbol] : undefined, adjustment: 'pit' });
    if (panel.nInst === 0) throw new UsageError('the database holds no instruments');
    return checkSingle(strategy as SingleStrategy, params, [
      { symbol: panel.symbols[0], bars: compactSeries(panel, 0) },
    ]);
  }
  const parsed = strategy.params.parse(params ?? {});
  const fields = strategy.fields ? [...strategy.fields(parsed)] : [];
  if (!store) {
    // No store: a synthetic market, and the declared fundamentals with no rows (they read NaN).
    const panel = syntheticPanel(12, 400);
    return checkCrossSectional(strategy, params, panel, {
      fields: new Map(fields.map((f) => [f, buildPitField(f, panel.nInst, [])])),
      universe: null,
    });
  }
  const panel = loadPanel(store, { adjustment: 'pit' });
  return checkCrossSectional(strategy, params, panel, loadPitFacts(store, panel.symbols, fields, undefined));
}

/** `quantdesk strategies check FILE|NAME [--db DB] [--symbol S] [--param k=v] [--json]`. */
export async function check(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    db: { type: 'string' },
    symbol: { type: 'string' },
    param: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError('expected one FILE (or strategy name)');
  const ref = isStrategyPath(positionals[0]) && !isAbsolute(positionals[0]) ? resolve(positionals[0]) : positionals[0];
  let store: Store | null = null;
  if (values.db) {
    if (!existsSync(values.db)) throw new UsageError(`${values.db}: no such database`);
    store = openStore(values.db, { readonly: true });
  }
  try {
    const strategy = resolveStrategy(ref, { store });
    const r = runCheck(strategy, parseKeyValues(values.param), store, values.symbol);
    if (values.json) io.out(`${JSON.stringify(r)}\n`);
    else io.out(describeReport(r));
    return r.ok ? EXIT.ok : EXIT.failure;
  } finally {
    store?.close();
  }
}
