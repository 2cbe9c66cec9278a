import { loadPanel, type PanelRequest } from '../data/panel';
import { DEFAULT_UNIVERSE_TYPES } from '../model/instrument';
import {
  bindPredictions,
  boundPredictions,
  prepareModelSignal,
  tradeExplanations,
  type PredictionSource,
} from '../models/predictions';
import type { Panel } from '../data/panel-types';
import { parseDate } from '../model/time';
import { dataFingerprint } from '../store/fingerprint';
import { indexSymbols, instrumentId } from '../store/queries';
import type { Store } from '../store/sqlite-bar-store';
import { createCrossSectionView, loadPitFacts, resolveStrategy } from '../strategies';
import { runBacktestGuarded, runBacktestGuardedAsync } from '../sdk/guard';
import { recordRunSource, runSource } from '../store/strategy-sources';
import {
  isBuiltin,
  isStrategyPath,
  readStrategyFile,
  strategySourceFor,
  userSourceFor,
  withPinnedSource,
} from '../strategies/registry';

/** Whether `ref` names a readable strategy file or a stored user strategy (checked without running it). */
function knownUserStrategy(store: Store, ref: string): boolean {
  try {
    return userSourceFor(ref, { store }) !== undefined;
  } catch {
    return false;
  }
}
import { latestUserSource } from '../store/strategy-sources';
import type { RunOptions } from './engine';
import { toColumns, toOutput, type BacktestColumns, type BacktestOutput } from './json';
import { getRun, newRunId, saveBacktestRun } from './registry';
import { signalsOnRaw, type BacktestSpec } from './spec';
import { BacktestInputError, type BacktestResult } from './types';

export { indexSymbols };

/** Options of {@link backtestFromStore}. */
export interface StoreRunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
  /** Store the run in the registry (default true). */
  readonly save?: boolean;
  /** The run id to use (default a new one). */
  readonly runId?: string;
  /** Called as each phase ends: `read` (strategy, names, panel), `run` (the engine), `save` (the registry). */
  readonly onPhase?: (phase: 'read' | 'run' | 'save') => void;
}

/** The instruments a spec's panel must hold: its symbols plus the benchmark, or undefined (every instrument of its types) for a universe. */
export function panelSymbols(spec: BacktestSpec): string[] | undefined {
  return spec.symbols ? [...new Set([...spec.symbols, ...(spec.benchmark ? [spec.benchmark] : [])])] : undefined;
}

/**
 * The panel a spec reads, unclipped (pool jobs clip in the engine) or clipped to its start/end: its
 * symbols and benchmark, or for a universe the instruments of its `types` (default stocks) plus the
 * benchmark; adjusted for signals unless the spec reads traded prices (`signalsOnRaw`).
 */
export function panelRequestFor(spec: BacktestSpec, clip: boolean): PanelRequest {
  const symbols = panelSymbols(spec);
  const adjustment = signalsOnRaw(spec) ? 'raw' : spec.adjustment;
  const req: PanelRequest = symbols
    ? { symbols, adjustment }
    : {
        adjustment,
        types: spec.types ?? DEFAULT_UNIVERSE_TYPES,
        ...(spec.benchmark ? { include: [spec.benchmark] } : {}),
      };
  if (!clip) return req;
  return {
    ...req,
    // A warm-up reaches back a number of bars, not days: load from the beginning and let the engine clip.
    from: spec.start !== undefined && spec.warmup === 0 ? (parseDate(spec.start) as number) : undefined,
    to: spec.end !== undefined ? (parseDate(spec.end) as number) : undefined,
  };
}

function indexErrors(store: Store, spec: BacktestSpec): string[] {
  return indexSymbols(store, spec.symbols ?? []).map(
    (s) => `symbols: "${s}" is an index: indexes are benchmarks, not holdings (give it as "benchmark")`,
  );
}

/**
 * What a spec names that the store does not have: an unknown strategy, symbol or benchmark, as
 * `field: reason` lines (empty when all is known). Cheap (one indexed lookup per symbol), so a host can
 * reject a spec before it accepts a long run instead of failing it later.
 */
export function unknownReferences(store: Store, spec: BacktestSpec): string[] {
  const errors: string[] = [];
  if (!isBuiltin(spec.strategy) && !knownUserStrategy(store, spec.strategy))
    errors.push(`strategy: unknown strategy "${spec.strategy}"`);
  const missing = (spec.symbols ?? []).filter((s) => instrumentId(store, s) === undefined);
  if (missing.length > 0)
    errors.push(`symbols: unknown symbol${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`);
  if (spec.benchmark && instrumentId(store, spec.benchmark) === undefined)
    errors.push(`benchmark: unknown symbol "${spec.benchmark}"`);
  errors.push(...indexErrors(store, spec));
  return errors;
}

/** The panel a spec reads: {@link panelSymbols}, clipped to start/end. */
export function panelForSpec(store: Store, spec: BacktestSpec): Panel {
  const held = indexErrors(store, spec);
  if (held.length > 0) throw new BacktestInputError(held);
  try {
    return loadPanel(store, panelRequestFor(spec, true));
  } catch (e) {
    const msg = (e as Error).message;
    if (/unknown symbol/.test(msg)) throw new BacktestInputError([`symbols: ${msg.replace(/^loadPanel: /, '')}`]);
    throw e;
  }
}

/**
 * Runs `spec` on the store's data with the built-in strategy it names: loads the panel, and for a
 * cross-sectional strategy the point-in-time facts it reads (audited per rebalance). Returns the
 * engine result and the data fingerprint it read.
 */
export function runSpecOnStore(
  store: Store,
  spec: BacktestSpec,
  opts: StoreRunOptions = {},
): { result: BacktestResult; fingerprint: string; predictions?: PredictionSource } {
  const { panel, options, fingerprint } = prepareRun(store, spec, opts);
  opts.onPhase?.('read');
  const result = runBacktestGuarded(spec, panel, options);
  opts.onPhase?.('run');
  return { result, fingerprint, ...predictionsOf(options) };
}

/** {@link runSpecOnStore} yielding to the event loop while it runs (progress, mid-run cancel). */
export async function runSpecOnStoreAsync(
  store: Store,
  spec: BacktestSpec,
  opts: StoreRunOptions = {},
): Promise<{ result: BacktestResult; fingerprint: string; predictions?: PredictionSource }> {
  const { panel, options, fingerprint } = prepareRun(store, spec, opts);
  return { result: await runBacktestGuardedAsync(spec, panel, options), fingerprint, ...predictionsOf(options) };
}

/** A model-signal run's own predictions (its bound strategy's), for its trades' explanations. */
function predictionsOf(options: RunOptions): { predictions?: PredictionSource } {
  const p = options.strategy ? boundPredictions(options.strategy) : undefined;
  return p ? { predictions: p } : {};
}

/**
 * Engine options for `spec` on `panel` with the store's point-in-time facts: the built-in strategy it
 * names and, for a cross-sectional strategy, an audited cross-section over the fundamentals and
 * (named) universe it reads. Pool workers holding a panel and a read-only store call this so their
 * runs equal `quantdesk backtest`'s.
 * @throws BacktestInputError for an unknown strategy or universe.
 */
export function runOptionsFor(store: Store, spec: BacktestSpec, panel: Panel): RunOptions {
  const strategy = resolveStrategy(spec, { store });
  let crossSectionAt;
  const named = spec.universe !== undefined && spec.universe !== 'all' ? spec.universe : undefined;
  if (strategy.kind !== 'single') {
    const parsed = strategy.params.safeParse(spec.params);
    // The fields the strategy declares it reads; the engine reports invalid params itself.
    const fields = parsed.success && strategy.fields ? [...strategy.fields(parsed.data)] : [];
    let facts;
    try {
      facts = loadPitFacts(store, panel.symbols, fields, named);
    } catch (e) {
      throw new BacktestInputError([`universe: ${(e as Error).message}`]);
    }
    crossSectionAt = (date: number) => createCrossSectionView(panel, facts, date);
    // model-signal: this run's predictions, bound to its strategy (concurrent runs of one model never cross).
    const predictions = prepareModelSignal(store, strategy.name, parsed.success ? parsed.data : spec.params, panel);
    if (predictions) return { strategy: bindPredictions(strategy, predictions), crossSectionAt };
  } else if (named) {
    throw new BacktestInputError([
      `universe: a named universe needs a cross-sectional strategy; give "symbols" or "universe": "all"`,
    ]);
  }
  return { strategy, crossSectionAt };
}

function prepareRun(
  store: Store,
  spec: BacktestSpec,
  opts: StoreRunOptions,
): { panel: Panel; options: RunOptions; fingerprint: string } {
  // The strategy first (a user file that does not compile is its own error), then every unknown name at once,
  // each under its own field (an unknown benchmark is not a `symbols` error).
  resolveStrategy(spec, { store });
  const unknown = unknownReferences(store, spec);
  if (unknown.length > 0) throw new BacktestInputError(unknown);
  const fingerprint = dataFingerprint(store);
  const panel = panelForSpec(store, spec);
  if (panel.nDays === 0)
    throw new BacktestInputError([
      `start: no bars for these symbols between ${spec.start ?? 'the beginning'} and ${spec.end ?? 'the end'}`,
    ]);
  return {
    panel,
    options: { ...runOptionsFor(store, spec, panel), signal: opts.signal, onProgress: opts.onProgress },
    fingerprint,
  };
}

/**
 * Runs `spec` from the store and (unless `save: false`) records it in the registry; returns the run's
 * columns (what the API returns) and the engine result. Nothing is formatted as text here.
 */
export function backtestColumnsFromStore(
  store: Store,
  spec: BacktestSpec,
  opts: StoreRunOptions = {},
): { columns: BacktestColumns; result: BacktestResult } {
  const createdAt = Date.now();
  const { result, fingerprint, predictions } = runSpecOnStore(store, spec, opts);
  return finish(store, result, fingerprint, createdAt, opts, predictions);
}

/** {@link backtestColumnsFromStore} that yields to the event loop while the engine runs. */
export async function backtestFromStoreAsync(
  store: Store,
  spec: BacktestSpec,
  opts: StoreRunOptions = {},
): Promise<{ columns: BacktestColumns; result: BacktestResult }> {
  const createdAt = Date.now();
  const { result, fingerprint, predictions } = await runSpecOnStoreAsync(store, spec, opts);
  return finish(store, result, fingerprint, createdAt, opts, predictions);
}

/** {@link backtestColumnsFromStore} with the printed shape (`quantdesk backtest --json`'s object) beside it. */
export function backtestFromStore(
  store: Store,
  spec: BacktestSpec,
  opts: StoreRunOptions = {},
): { output: BacktestOutput; columns: BacktestColumns; result: BacktestResult } {
  const r = backtestColumnsFromStore(store, spec, opts);
  return { ...r, output: toOutput(r.columns, r.columns.runId) };
}

function finish(
  store: Store,
  result: BacktestResult,
  fingerprint: string,
  createdAt: number,
  opts: StoreRunOptions,
  predictions?: PredictionSource,
) {
  const columns = withExplanations(toColumns(result, opts.runId ?? newRunId(createdAt)), result, predictions);
  if (opts.save !== false) {
    saveBacktestRun(store, { result: columns, fingerprint, audit: result.audit, createdAt, finishedAt: Date.now() });
    // A user strategy: keep the exact source the run ran, so `runs rerun` reproduces it after an edit.
    const source = strategySourceFor(result.spec.strategy);
    if (source) recordRunSource(store, columns.runId, source);
  }
  opts.onPhase?.('save');
  return { columns, result };
}

/** A `model-signal` run's columns with each trade's explanation (the prediction that opened it); others unchanged. */
function withExplanations(
  columns: BacktestColumns,
  result: BacktestResult,
  predictions?: PredictionSource,
): BacktestColumns {
  if (columns.spec.strategy !== 'model-signal' || columns.trades.length === 0) return columns;
  const modelId = (columns.spec.params as { modelId?: unknown } | undefined)?.modelId;
  if (typeof modelId !== 'string') return columns;
  const decisions = result.audit.map((a) => a.date);
  const fill = columns.spec.fill;
  return { ...columns, tradeExplanations: tradeExplanations(modelId, columns.trades, decisions, fill, predictions) };
}

/** What re-running a stored run reports. */
export interface RerunReport {
  readonly rerunOf: string;
  readonly runId: string;
  /** The new result equals the stored one in everything but its run id. */
  readonly identical: boolean;
  readonly fingerprintChanged: boolean;
  readonly storedFingerprint: string;
  readonly currentFingerprint: string;
  /** User strategies: the source hash the run ran (and re-ran), and the hash its file or stored name has now. */
  readonly strategyHash?: string;
  readonly currentStrategyHash?: string;
  /** The strategy's source changed since the run (the stored source was re-run). */
  readonly strategyChanged?: boolean;
  readonly result: BacktestOutput;
}

/** Re-runs stored run `id` from its stored spec on the current data; undefined for an unknown id. */
export function rerunStored(store: Store, id: string, opts: StoreRunOptions = {}): RerunReport | undefined {
  const stored = getRun(store, id);
  if (!stored) return undefined;
  if (stored.kind !== 'backtest') throw new BacktestInputError([`id: run "${id}" is a ${stored.kind}, not a backtest`]);
  const ref = stored.spec.strategy;
  const ran = runSource(store, id);
  let currentStrategyHash: string | undefined;
  if (ran) {
    // What the reference points at now, if anything: the file, or the newest stored version.
    try {
      currentStrategyHash = isStrategyPath(ref) ? readStrategyFile(ran.file).hash : latestUserSource(store, ref)?.hash;
    } catch {
      currentStrategyHash = undefined;
    }
  }
  const { output } = ran
    ? withPinnedSource(ref, { name: ran.name, file: ran.file, source: ran.source, hash: ran.hash }, () =>
        backtestFromStore(store, stored.spec, opts),
      )
    : backtestFromStore(store, stored.spec, opts);
  const strip = (o: BacktestOutput | null) => (o ? JSON.stringify({ ...o, runId: '' }) : '');
  const current = dataFingerprint(store);
  return {
    rerunOf: id,
    runId: output.runId,
    identical: strip(output) === strip(stored.result),
    fingerprintChanged: current !== stored.dataFingerprint,
    storedFingerprint: stored.dataFingerprint,
    currentFingerprint: current,
    ...(ran ? { strategyHash: ran.hash, currentStrategyHash, strategyChanged: currentStrategyHash !== ran.hash } : {}),
    result: output,
  };
}
