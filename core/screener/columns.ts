import { loadPanel } from '../data/panel';
import { featureMatrix, fieldsOf, matrixCacheDir, newsFor } from '../features/matrix';
import { resolveFeatures, type FeatureDef } from '../features/defs';
import { loadPitFacts } from '../strategies/pit-facts';
import { columnLabel, type ColumnTable, type DeskColumn } from '../model/desk';
import { crossSectionAsOf } from '../store/cross-section';
import { latestBarAtOrBefore } from '../store/desk';
import { instrumentId } from '../store/queries';
import type { Store } from '../store/sqlite-bar-store';

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

/**
 * The values of `columns` for `symbols` as of `asOf`: each symbol's features on its last bar at or before
 * `asOf` (bars after it are not loaded), fundamentals as known at `asOf` (`known_at <= asOf`). Symbols the
 * store does not hold get nulls. `isNow`: `asOf` is the wall clock (every stored bar is before it; the panel
 * cache is then shared between calls). Throws {@link ColumnError} for a bad column.
 */
export function columnTable(
  store: Store,
  symbols: readonly string[],
  columns: readonly DeskColumn[],
  asOf: number,
  isNow = false,
): ColumnTable {
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
  if (known.length > 0 && defs.length > 0) {
    let built;
    try {
      const features = resolveFeatures(defs, 'features', { store });
      // Anchored on the latest bar of these symbols (a stale list still gets values), in whole days.
      const anchor = latestBarAtOrBefore(store, known, asOf) ?? asOf;
      const from = Math.floor(anchor / DAY) * DAY - HISTORY_DAYS * DAY;
      const panel = loadPanel(store, { adjustment: 'pit', symbols: known, from, ...(isNow ? {} : { to: asOf }) });
      const src = {
        panel,
        fields: loadPitFacts(store, panel.symbols, fieldsOf(features)).fields,
        news: newsFor(store, features, panel.symbols),
      };
      const cacheDir = matrixCacheDir(store);
      built = { src, matrix: featureMatrix(src, features, cacheDir ? { cacheDir } : {}) };
    } catch (e) {
      const m = /features\.(\d+)/.exec((e as Error).message);
      const def = m ? Number(m[1]) : 0;
      throw new ColumnError(
        Math.max(0, colDef.indexOf(def)),
        (e as Error).message.replace(/^features\.\d+(\.[\w.]+)?: /, ''),
      );
    }
    const { src, matrix } = built;
    const { panel } = src;
    const row = new Map(panel.symbols.map((s, i) => [s, i]));
    for (let i = 0; i < symbols.length; i++) {
      const s = row.get(symbols[i]);
      if (s === undefined) continue;
      let t = panel.nDays - 1;
      while (t >= 0 && (panel.time[t] > asOf || Number.isNaN(panel.close[s * panel.nDays + t]))) t--;
      if (t < 0) continue;
      barTime[i] = panel.time[t];
      for (let j = 0; j < columns.length; j++) {
        if (colDef[j] < 0) continue;
        const v = matrix.columns[colDef[j]][s * panel.nDays + t];
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
