import type { Panel, RawPrices } from '../data/panel-types';
import { OrderBook } from '../execution/book';
import { parseDate } from '../model/time';
import type { CrossSectionView, Strategy } from '../strategy/types';
import { hasExits, SpecExits } from './exits';
import { Ledger } from './ledger';
import { strategyDaysPanel } from './run-days';
import type { BacktestSpec } from './spec';
import { tradedPrices } from './traded-prices';
import { BacktestCancelledError, BacktestInputError, type DecisionAudit } from './types';

/** Options of `runBacktest`. */
export interface RunOptions {
  /** Aborting it stops the run with a `BacktestCancelledError`. */
  readonly signal?: AbortSignal;
  /** Called about every thousand bars with the fraction done (0..1). */
  readonly onProgress?: (fraction: number) => void;
  /** The strategy to run; required (callers resolve `spec.strategy` by name, see `resolveStrategy`). */
  readonly strategy?: Strategy;
  /** Point-in-time fundamentals for cross-sectional strategies: the latest value of `field` known at `asOf`, NaN if none. */
  readonly fundamental?: (symbol: string, field: string, asOf: number) => number;
  /** Members of a named universe at `asOf` (point in time); omitted for `universe: "all"` or explicit symbols. */
  readonly universeAt?: (asOf: number) => readonly string[];
  /**
   * Builds the cross-section a cross-sectional strategy sees at a rebalance date (e.g. the strategies'
   * audited `createCrossSectionView` over PIT facts). Default: a view over the panel's prices, with
   * `fundamental` from `opts.fundamental`. If the view has an `audit()` method its record is kept in
   * the result's `audit`.
   */
  readonly crossSectionAt?: (date: number) => CrossSectionView & { audit?: () => DecisionAudit };
}

export const NO_BAR = -1;

/** Bars between progress reports (and cancellation checks, and the async driver's yields). */
export const PROGRESS_EVERY = 1024;

/**
 * Everything a run's stages share, built once by {@link prepareRun}: the run's panel and bars, the
 * instruments it trades, the order book and its ledger.
 */
export interface RunContext {
  readonly spec: BacktestSpec;
  readonly opts: RunOptions;
  readonly strategy: Strategy;
  /** The strategy's parameters, parsed by its schema. */
  readonly params: unknown;
  /** The run's panel: the loaded one, or its traded names' days when a benchmark would add its own. */
  readonly panel: Panel;
  readonly symIndex: ReadonlyMap<string, number>;
  /** Panel index of the benchmark, NO_BAR without one. */
  readonly benchIdx: number;
  /** Panel indices of the traded instruments, in the spec's order. */
  readonly tradable: readonly number[];
  /** Run bars [i0, i1]; warm-up bars [iw, i0): the strategy sees them, nothing trades. */
  readonly i0: number;
  readonly i1: number;
  readonly iw: number;
  /** Prices that traded (fills, marks, equity); the panel's own columns are the signal prices. */
  readonly traded: RawPrices;
  /** Per instrument, its last bar with data inside the run (NO_BAR if none): positions in names that stop trading close there. */
  readonly lastValid: Int32Array;
  readonly specExits: SpecExits | null;
  readonly book: OrderBook;
  readonly ledger: Ledger;
  readonly audit: DecisionAudit[];
}

/**
 * The panel bars a spec runs over: [i0, i1] clipped to `start`/`end` (`end` inclusive of its whole
 * day), and `iw`, the first of the `warmup` bars before i0 (iw = i0 without a warm-up). Shared by
 * the engine and the sweep kernel so both run the same bars.
 * @throws BacktestInputError when no bar falls between start and end.
 */
export function runBarRange(spec: BacktestSpec, time: Float64Array): { i0: number; i1: number; iw: number } {
  const startMs = spec.start !== undefined ? (parseDate(spec.start) as number) : -Infinity;
  const endMs = spec.end !== undefined ? (parseDate(spec.end) as number) + 86_399_999 : Infinity;
  let i0 = 0;
  while (i0 < time.length && time[i0] < startMs) i0++;
  let i1 = time.length - 1;
  while (i1 >= i0 && time[i1] > endMs) i1--;
  if (i1 < i0)
    throw new BacktestInputError([
      `start: no bars between ${spec.start ?? 'the beginning'} and ${spec.end ?? 'the end'}`,
    ]);
  return { i0, i1, iw: Math.max(0, i0 - spec.warmup) };
}

/** Stage 1: checks the spec against the strategy and panel, and builds the run's context. */
export function prepareRun(spec: BacktestSpec, loaded: Panel, opts: RunOptions): RunContext {
  const strategy = opts.strategy;
  if (!strategy) throw new BacktestInputError([`strategy: unknown strategy "${spec.strategy}"`]);
  const parsedParams = strategy.params.safeParse(spec.params);
  if (!parsedParams.success) {
    throw new BacktestInputError(
      parsedParams.error.issues.map((i) => `params${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`),
    );
  }
  const symIndex = new Map<string, number>();
  loaded.symbols.forEach((s, k) => symIndex.set(s, k));
  let benchIdx = NO_BAR;
  if (spec.benchmark !== undefined) {
    benchIdx = symIndex.get(spec.benchmark) ?? NO_BAR;
    if (benchIdx === NO_BAR) throw new BacktestInputError([`benchmark: unknown symbol "${spec.benchmark}"`]);
  }
  const tradable: number[] = [];
  if (spec.symbols) {
    const missing = spec.symbols.filter((s) => !symIndex.has(s));
    if (missing.length) throw new BacktestInputError(missing.map((s) => `symbols: unknown symbol "${s}"`));
    for (const s of spec.symbols) tradable.push(symIndex.get(s) as number);
  } else {
    for (let k = 0; k < loaded.nInst; k++) if (k !== benchIdx) tradable.push(k);
  }
  // The run's calendar is its traded names' days: a benchmark adds none (it is aligned to them later).
  const panel = benchIdx === NO_BAR || tradable.includes(benchIdx) ? loaded : strategyDaysPanel(loaded, tradable);
  const { i0, i1, iw } = runBarRange(spec, panel.time);
  const traded = tradedPrices(panel);
  const lastValid = lastBars(panel, tradable, i0, i1);
  const atClose = spec.fill === 'close';
  // Spec-level protective exits (`spec.exits`): levels set on every opened position, see exits.ts.
  const specExits = hasExits(spec.exits) ? new SpecExits(spec.exits, panel, iw, atClose, traded.close) : null;
  const ledger = new Ledger({
    spec,
    strategyName: strategy.name,
    panel,
    close: panel.close,
    tClose: traded.close,
    tradable,
    i0,
    i1,
    iw,
    specExits,
  });
  const book = new OrderBook(
    {
      slots: panel.nInst,
      names: tradable,
      slippageBps: spec.slippageBps,
      rate: spec.commission.rate,
      fixed: spec.commission.fixed,
      wholeUnits: spec.wholeUnits,
      longOnly: spec.direction === 'long-only',
      atClose,
      optimistic: spec.intrabar === 'optimistic',
      sizing: spec.sizing,
    },
    ledger,
  );
  ledger.attach(book);
  if (opts.signal?.aborted) throw new BacktestCancelledError();
  return {
    spec,
    opts,
    strategy,
    params: parsedParams.data,
    panel,
    symIndex,
    benchIdx,
    tradable,
    i0,
    i1,
    iw,
    traded,
    lastValid,
    specExits,
    book,
    ledger,
    audit: [],
  };
}

/** Per instrument, the last bar in [i0, i1] with a close (NO_BAR if none). */
function lastBars(panel: Panel, tradable: readonly number[], i0: number, i1: number): Int32Array {
  const { close, nDays } = panel;
  const lastValid = new Int32Array(panel.nInst).fill(NO_BAR);
  for (const s of tradable) {
    const base = s * nDays;
    for (let i = i1; i >= i0; i--) {
      if (close[base + i] === close[base + i]) {
        lastValid[s] = i;
        break;
      }
    }
  }
  return lastValid;
}

/** True at the bars where the run reports progress, checks for cancellation and may yield. */
export function progressTick(ctx: RunContext, i: number): boolean {
  if ((i - ctx.i0) % PROGRESS_EVERY !== 0 || i === ctx.i0) return false;
  if (ctx.opts.signal?.aborted) throw new BacktestCancelledError();
  ctx.opts.onProgress?.((i - ctx.i0) / (ctx.i1 - ctx.i0 + 1));
  return true;
}

/** A name with no bar after `i` inside the run: closes its position at its last close (flagged) and drops its order. */
export function delistIfLast(ctx: RunContext, s: number, i: number): void {
  if (i === ctx.lastValid[s] && i < ctx.i1)
    ctx.book.closeOut(s, ctx.traded.close[s * ctx.panel.nDays + i], i, 'delisted');
}
