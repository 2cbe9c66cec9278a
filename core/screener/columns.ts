import { loadPanel, type PanelRequest } from '../data/panel';
import { featureMatrix, fieldsOf, matrixCacheDir, newsFor } from '../features/matrix';
import { isBuiltinFeature, resolveFeatures, type FeatureDef } from '../features/defs';
import type { Pool } from '../pool/types';
import { loadPitFacts } from '../strategies/pit-facts';
import { columnLabel, type ColumnTable, type DeskColumn } from '../model/desk';
import { crossSectionAsOf } from '../store/cross-section';
import { latestBarAtOrBefore } from '../store/desk';
import { dataFingerprint } from '../store/fingerprint';
import { instrumentId } from '../store/queries';
import type { Store } from '../store/sqlite-bar-store';
import { UserColumnError, userColumnsOnPool, userFeatureSource } from './user-columns';

const DAY = 86_400_000;
/**
 * History a column table loads before the latest bar of its symbols at its date: three years of days, enough for the 52-week columns (252 bars)
 * and for any indicator's warm-up to fade (an EMA-type seed weighs (1 - 2/(n+1))^750 after it). Every column is
 * a ratio or an indicator invariant to the level the adjustment starts from, so the window changes no value a
 * user can see beyond that fading (a symbol whose last bar is older than the window shows nothing). Whole UTC
 * days, so "now" tables share the panel cache until a new bar is stored.
 */
export const HISTORY_DAYS = 3 * 365;

/**
 * The named feature (of `core/features`, the features strategies and models read) a column is, or null for
 * a fundamental (read as known at the date, see {@link columnTable}). Prices are point-in-time adjusted;
 * `last` and the 52-week levels are in traded (raw) terms of the date.
 */
export function columnFeature(c: DeskColumn, label: string): FeatureDef | null {
  const expr = (e: string): FeatureDef => ({ name: 'expr', expr: e, label });
  switch (c.kind) {
    case 'last':
      return expr('$rawclose');
    case 'change':
      return expr('($close / Ref($close, 1) - 1) * 100');
    case 'volume':
      return expr('$volume');
    case 'rsi':
      return { name: 'rsi', period: c.period };
    case 'sma-distance':
      return expr(`($close / Mean($close, ${c.period}) - 1) * 100`);
    case 'high-52w':
      return expr('Max($high, 252) / $close * $rawclose');
    case 'low-52w':
      return expr('Min($low, 252) / $close * $rawclose');
    case 'return':
      return expr(`($close / Ref($close, ${c.bars}) - 1) * 100`);
    case 'indicator':
      return { name: c.name, ...c.params, ...(c.output ? { output: c.output } : {}) };
    case 'expr':
      return expr(c.expr);
    case 'fundamental':
      return null;
  }
}

/** A column that cannot be computed (an unknown indicator, a bad expression), naming it. */
export class ColumnError extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(`columns.${column}: ${message}`);
    this.name = 'ColumnError';
  }
}

/** How {@link columnTable} computes user-feature columns. */
export interface ColumnOptions {
  /**
   * The simulation pool user features (`defineFeature`) run on; without one a table with a user-feature column
   * is refused ({@link ColumnError}): user code never runs on the host's thread.
   */
  readonly pool?: Pool;
  /** Cancels the pool's job (the call then rejects with the pool's `CancelledError`). */
  readonly signal?: AbortSignal;
}

/**
 * The values of `columns` for `symbols` as of `asOf`: each symbol's features on its last bar at or before
 * `asOf` (bars after it are not loaded), fundamentals as known at `asOf` (`known_at <= asOf`). Symbols the
 * store does not hold get nulls. `isNow`: `asOf` is the wall clock (every stored bar is before it; the panel
 * cache is then shared between calls). Built-in features are computed here; user features on `opts.pool`'s
 * worker, over the same panel. Throws {@link ColumnError} for a bad column.
 */
export function columnTable(
  store: Store,
  symbols: readonly string[],
  columns: readonly DeskColumn[],
  asOf: number,
  isNow = false,
  opts: ColumnOptions = {},
): Promise<ColumnTable> {
  return table(store, symbols, columns, asOf, isNow, opts, false);
}

/**
 * TESTS ONLY: {@link columnTable} computing user features on this thread, in one matrix with the built-ins (as
 * the desk did before user code moved to the pool): the reference the pool path must equal value for value.
 */
export function columnTableInThreadForTests(
  store: Store,
  symbols: readonly string[],
  columns: readonly DeskColumn[],
  asOf: number,
  isNow = false,
): Promise<ColumnTable> {
  return table(store, symbols, columns, asOf, isNow, {}, true);
}

async function table(
  store: Store,
  symbols: readonly string[],
  columns: readonly DeskColumn[],
  asOf: number,
  isNow: boolean,
  opts: ColumnOptions,
  inThread: boolean,
): Promise<ColumnTable> {
  const labels = columns.map(columnLabel);
  const values: (number | null)[][] = symbols.map(() => columns.map(() => null));
  const barTime: (number | null)[] = symbols.map(() => null);
  const known = symbols.filter((s) => instrumentId(store, s) !== undefined);
  // One feature per distinct definition (two equal columns share it).
  const defs: FeatureDef[] = [];
  const defIndex = new Map<string, number>();
  const colDef: number[] = columns.map((c, j) => {
    const def = columnFeature(c, `c${j}`);
    if (!def) return -1;
    const key = JSON.stringify({ ...def, label: undefined });
    const hit = defIndex.get(key);
    if (hit !== undefined) return hit;
    defIndex.set(key, defs.length);
    defs.push(def);
    return defs.length - 1;
  });
  const columnOf = (def: number) => Math.max(0, colDef.indexOf(def));
  // Names not built in are user features (or unknown): computed on the pool unless in thread (tests).
  const isUser = defs.map((d) => !inThread && !isBuiltinFeature(d.name));
  const hostDefs = defs.map((_, i) => i).filter((i) => !isUser[i]);
  const userDefs = defs.map((_, i) => i).filter((i) => isUser[i]);
  if (known.length > 0 && defs.length > 0) {
    // The user features' sources (read, not run); a table needing one refuses to run without a pool.
    let sources;
    try {
      sources = userDefs.map((i, k) => ({ def: defs[i], source: userFeatureSource(store, defs[i], k) }));
    } catch (e) {
      if (!(e instanceof UserColumnError)) throw e;
      throw new ColumnError(columnOf(userDefs[e.def]), e.message);
    }
    const pool = opts.pool;
    if (userDefs.length > 0 && !pool)
      throw new ColumnError(
        columnOf(userDefs[0]),
        `user feature "${defs[userDefs[0]].name}" runs only on the simulation pool (user code never runs on the host's thread), and this host has none (a store in memory has no file for workers to open)`,
      );
    let built;
    // Anchored on the latest bar of these symbols (a stale list still gets values), in whole days.
    const anchor = latestBarAtOrBefore(store, known, asOf) ?? asOf;
    const from = Math.floor(anchor / DAY) * DAY - HISTORY_DAYS * DAY;
    const query: PanelRequest = { adjustment: 'pit', symbols: known, from, ...(isNow ? {} : { to: asOf }) };
    try {
      const features = resolveFeatures(
        hostDefs.map((i) => defs[i]),
        'features',
        { store },
      );
      const panel = loadPanel(store, query);
      const src = {
        panel,
        fields: loadPitFacts(store, panel.symbols, fieldsOf(features)).fields,
        news: newsFor(store, features, panel.symbols),
      };
      const cacheDir = matrixCacheDir(store);
      built = { src, matrix: featureMatrix(src, features, cacheDir ? { cacheDir } : {}) };
    } catch (e) {
      const m = /features\.(\d+)/.exec((e as Error).message);
      const def = m ? hostDefs[Number(m[1])] : 0;
      throw new ColumnError(columnOf(def), (e as Error).message.replace(/^features\.\d+(\.[\w.]+)?: /, ''));
    }
    const { src, matrix } = built;
    const { panel } = src;
    // Each panel symbol's row: its last bar at or before the date (-1: none).
    const rows = panel.symbols.map((_, s) => {
      let t = panel.nDays - 1;
      while (t >= 0 && (panel.time[t] > asOf || Number.isNaN(panel.close[s * panel.nDays + t]))) t--;
      return t;
    });
    let user: readonly (readonly (number | null)[])[] = [];
    if (pool && sources.length > 0) {
      const ref = { fingerprint: dataFingerprint(store), query };
      try {
        user = await userColumnsOnPool(pool, ref, sources, rows, opts.signal);
      } catch (e) {
        if (e instanceof UserColumnError) throw new ColumnError(columnOf(userDefs[e.def]), e.message);
        throw e;
      }
    }
    const hostCol = new Map(hostDefs.map((d, k) => [d, k]));
    const userCol = new Map(userDefs.map((d, k) => [d, k]));
    const row = new Map(panel.symbols.map((s, i) => [s, i]));
    for (let i = 0; i < symbols.length; i++) {
      const s = row.get(symbols[i]);
      if (s === undefined) continue;
      const t = rows[s];
      if (t < 0) continue;
      barTime[i] = panel.time[t];
      for (let j = 0; j < columns.length; j++) {
        if (colDef[j] < 0) continue;
        const h = hostCol.get(colDef[j]);
        if (h === undefined) {
          values[i][j] = user[userCol.get(colDef[j])!][s];
          continue;
        }
        const v = matrix.columns[h][s * panel.nDays + t];
        values[i][j] = Number.isFinite(v) ? v : null;
      }
    }
  }
  columns.forEach((c, j) => {
    if (c.kind !== 'fundamental') return;
    const cs = crossSectionAsOf(store, c.field, asOf, symbols);
    for (let i = 0; i < symbols.length; i++) values[i][j] = Number.isFinite(cs.value[i]) ? cs.value[i] : null;
  });
  return { asOf, labels, symbols: [...symbols], values, barTime };
}
