import { parseSpec } from '../backtest/spec';
import { loadPanel, panelSeries } from '../data/panel';
import type { Panel } from '../data/panel-types';
import type { BarColumns } from '../model/bars';
import { fail, ok, type Result } from '../model/result';
import { formatTime, parseDate } from '../model/time';
import type { Store } from '../store/sqlite-bar-store';
import type { CrossSectionalStrategy, SingleStrategy } from '../strategy/types';
import { findStrategy } from '../strategies/index';
import { portfolioAsCrossSectional } from '../strategies/portfolio';
import { isSandboxed } from '../sdk/guard';
import { withTimeLimit } from '../sdk/sandbox';
import { loadPitFacts } from '../strategies/pit-facts';
import { runRebalances } from '../strategies/rebalance';
import { stepDecisions } from '../strategies/step';
import {
  accumulate,
  newAccumulators,
  report,
  signalEvents,
  SIGNAL_HORIZONS,
  type FillConvention,
  type HorizonReport,
  type SignalEvent,
} from './signal-stats';
import { universeSymbolsEver } from '../store/queries';

/** One signal as printed: the decision bar's time (`YYYY-MM-DD` or ISO), side and entry price (null if none). */
export interface SignalOut {
  readonly time: string;
  readonly side: 'long' | 'short';
  readonly price: number | null;
}

/** Signals and their forward-return statistics for one symbol. */
export interface SymbolSignals {
  readonly symbol: string;
  /** Entry signals in the range; `long + short`. */
  readonly signals: number;
  readonly long: number;
  readonly short: number;
  /** One entry per horizon (1, 5, 20 bars), each with `all`, `long` and `short` {@link HorizonReport} stats. */
  readonly horizons: readonly HorizonReport[];
  readonly events: readonly SignalOut[];
}

/**
 * What `quantdesk signals --json` prints:
 * `{"spec":{strategy,params,fill,adjustment,start,end,barsPerYear},"horizons":[1,5,20],
 *   "symbols":[{symbol,signals,long,short,horizons:[{h,all,long,short}],events:[{time,side,price}]}],
 *   "total":{signals,long,short,horizons}}` where each stats object is
 * `{count, successRate, avgReturn, sharpe}` (fractions; null when undefined) and `total` pools every
 * symbol's signals. Forward return at horizon h: entry at the fill price (`next-open`: open of the bar
 * after the decision; `close`: the decision bar's close), exit at the close h bars after the decision
 * bar; shorts count the negated return; success = return > 0; sharpe = mean / sample sd × √(barsPerYear / h).
 */
export interface SignalsReport {
  readonly spec: {
    readonly strategy: string;
    readonly params: unknown;
    readonly fill: FillConvention;
    readonly adjustment: 'pit' | 'raw';
    readonly start: string | null;
    readonly end: string | null;
    readonly barsPerYear: number;
  };
  readonly horizons: readonly number[];
  readonly symbols: readonly SymbolSignals[];
  readonly total: {
    readonly signals: number;
    readonly long: number;
    readonly short: number;
    readonly horizons: readonly HorizonReport[];
  };
}

/** A symbol's series without the days it has no bar (before listing, after delisting, gaps). */
function compact(panel: Panel, s: number): BarColumns {
  const full = panelSeries(panel, s);
  let n = 0;
  for (let t = 0; t < panel.nDays; t++) if (!Number.isNaN(full.close[t])) n++;
  const out = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let k = 0;
  for (let t = 0; t < panel.nDays; t++) {
    if (Number.isNaN(full.close[t])) continue;
    out.time[k] = full.time[t];
    out.open[k] = full.open[t];
    out.high[k] = full.high[t];
    out.low[k] = full.low[t];
    out.close[k] = full.close[t];
    out.volume[k] = full.volume[t];
    k++;
  }
  return out;
}

function symbolsOf(store: Store, universe: string): string[] | undefined {
  if (universe === 'all') return undefined;
  return universeSymbolsEver(store, universe);
}

/**
 * Steps the backtest spec's strategy (see `BacktestSpecSchema`: strategy, params, symbols or universe,
 * start, end, fill, adjustment, barsPerYear are read) over each symbol's stored bars (all history up to `end`, so indicators warm
 * up before `start`) and reports its entry signals from `start` on with forward returns at 1, 5 and 20
 * bars (see {@link SignalsReport}). For `factor-rank`, a signal is a symbol entering the picks at a
 * rebalance, and over a universe only symbols with at least one signal are listed. Errors a user can cause (bad spec, unknown strategy or symbol, empty universe) are returned.
 */
export function runSignals(
  store: Store,
  rawSpec: unknown,
  horizons: readonly number[] = SIGNAL_HORIZONS,
): Result<SignalsReport> {
  // The backtest's own spec schema: one file serves `backtest` and `signals` (execution costs and sizing are ignored here).
  const parsed = parseSpec(rawSpec);
  if (!parsed.ok) return fail('invalid-input', `invalid spec: ${parsed.errors.join('; ')}`, parsed.errors);
  const spec = parsed.spec;
  let strategy;
  try {
    strategy = findStrategy(spec, { store });
  } catch (e) {
    const msg = (e as Error).message;
    return fail('invalid-input', msg, [msg]);
  }
  if (!strategy) {
    const msg = `strategy: unknown strategy "${spec.strategy}" (see \`quantdesk strategies\`)`;
    return fail('invalid-input', msg, [msg]);
  }
  const params = strategy.params.safeParse(spec.params);
  if (!params.success) {
    const details = params.error.issues.map((i) => `params.${i.path.join('.')}: ${i.message}`);
    return fail('invalid-input', `invalid params for ${strategy.name}: ${details.join('; ')}`, details);
  }
  const start = spec.start !== undefined ? (parseDate(spec.start) as number) : -Infinity;
  const end = spec.end !== undefined ? (parseDate(spec.end) as number) : undefined;
  let symbols: string[] | undefined = spec.symbols;
  if (spec.universe !== undefined && strategy.kind === 'single') {
    symbols = symbolsOf(store, spec.universe);
    if (symbols !== undefined && symbols.length === 0)
      return fail('not-found', `universe: no members in "${spec.universe}"`);
  }
  let panel: Panel;
  try {
    panel = loadPanel(store, { symbols, to: end, adjustment: spec.adjustment });
  } catch (e) {
    return fail('not-found', (e as Error).message);
  }

  const total = newAccumulators(horizons);
  const perSymbol: SymbolSignals[] = [];
  const add = (symbol: string, events: SignalEvent[], bars: BarColumns) => {
    const acc = newAccumulators(horizons);
    accumulate(acc, events, bars);
    acc.forEach((a, k) => {
      total[k].all.merge(a.all);
      total[k].long.merge(a.long);
      total[k].short.merge(a.short);
    });
    const long = events.filter((e) => e.side === 'long').length;
    perSymbol.push({
      symbol,
      signals: events.length,
      long,
      short: events.length - long,
      horizons: report(acc, spec.barsPerYear),
      events: events.map((e) => ({
        time: formatTime(e.time),
        side: e.side,
        price: Number.isNaN(e.price) ? null : e.price,
      })),
    });
  };

  if (strategy.kind === 'single') {
    for (let s = 0; s < panel.nInst; s++) {
      const bars = compact(panel, s);
      const step = () => stepDecisions(strategy as SingleStrategy, params.data, bars);
      // A user strategy: the whole series under one time limit (an endless loop ends the report, not the process).
      const decisions = isSandboxed(strategy) ? withTimeLimit(step, strategy.file) : step();
      add(panel.symbols[s], signalEvents(decisions, bars, spec.fill, start), bars);
    }
  } else {
    const p = params.data;
    const universe = spec.universe !== undefined && spec.universe !== 'all' ? spec.universe : undefined;
    let facts;
    try {
      facts = loadPitFacts(store, panel.symbols, strategy.fields ? [...strategy.fields(p)] : [], universe);
    } catch (e) {
      return fail('not-found', `universe: ${(e as Error).message}`);
    }
    const cs =
      strategy.kind === 'portfolio' ? portfolioAsCrossSectional(strategy, p) : (strategy as CrossSectionalStrategy);
    const rebalances = runRebalances(cs, p, panel, facts, { start, end });
    const decisions = panel.symbols.map(() => new Float64Array(panel.nDays).fill(Number.NaN));
    let held = new Set<string>();
    for (const r of rebalances) {
      const now = new Set([...r.weights].filter(([, w]) => w > 0).map(([sym]) => sym));
      panel.symbols.forEach((sym, s) => {
        if (now.has(sym) !== held.has(sym)) decisions[s][r.day] = now.has(sym) ? 1 : 0;
      });
      held = now;
    }
    panel.symbols.forEach((sym, s) => {
      const bars = panelSeries(panel, s);
      const events = signalEvents(decisions[s], bars, spec.fill, start);
      if (events.length > 0 || spec.symbols !== undefined) add(sym, events, bars);
    });
  }

  const totals = report(total, spec.barsPerYear);
  const nLong = perSymbol.reduce((a, x) => a + x.long, 0);
  const nAll = perSymbol.reduce((a, x) => a + x.signals, 0);
  return ok({
    spec: {
      strategy: strategy.name,
      params: params.data,
      fill: spec.fill,
      adjustment: spec.adjustment,
      start: spec.start ?? null,
      end: spec.end ?? null,
      barsPerYear: spec.barsPerYear,
    },
    horizons: [...horizons],
    symbols: perSymbol,
    total: { signals: nAll, long: nLong, short: nAll - nLong, horizons: totals },
  });
}
