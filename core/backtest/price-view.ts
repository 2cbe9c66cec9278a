import type { Panel } from '../data/panel-types';
import type { CrossSectionView } from '../strategy/types';
import { realisedVol } from '../execution/sizing';

export { realisedVol };

/** The last non-missing value at or before bar `i` (back to `first`), NaN if none. */
function lastAtOrBefore(col: Float64Array, base: number, first: number, i: number): number {
  for (let j = i; j >= first; j--) if (col[base + j] === col[base + j]) return col[base + j];
  return Number.NaN;
}

/** What {@link priceCrossSection} reads. */
export interface PriceCrossSectionInput {
  readonly panel: Panel;
  /** Signal prices (the panel's closes) and traded closes. */
  readonly close: Float64Array;
  readonly tradedClose: Float64Array;
  readonly symIndex: ReadonlyMap<string, number>;
  /** 1 for the run's traded instruments. */
  readonly inRun: Uint8Array;
  readonly tradable: readonly number[];
  /** First bar history may reach back to (the warm-up start). */
  readonly first: number;
  readonly barsPerYear: number;
  readonly universeAt?: (asOf: number) => readonly string[];
  readonly fundamental?: (symbol: string, field: string, asOf: number) => number;
}

/**
 * The engine's default cross-section at bar `i` (when the caller supplies none): the names listed and
 * trading that day (and members of the named universe), with history accessors that stop at bar `i`:
 * `close`, `closeLag` and `bar` on signal prices, `rawClose` on traded ones, `volatility` per bar.
 */
export function priceCrossSection(x: PriceCrossSectionInput, i: number): CrossSectionView {
  const { panel, close, tradedClose, symIndex, inRun, first } = x;
  const nDays = panel.nDays;
  const date = panel.time[i];
  const members = x.universeAt ? new Set(x.universeAt(date)) : null;
  const universe: string[] = [];
  for (const s of x.tradable) {
    const listed = panel.listedOn[s];
    const delisted = panel.delistedOn[s];
    if (listed === listed && listed > date) continue;
    if (delisted === delisted && delisted <= date) continue;
    if (close[s * nDays + i] !== close[s * nDays + i]) continue;
    if (members && !members.has(panel.symbols[s])) continue;
    universe.push(panel.symbols[s]);
  }
  const idx = (sym: string) => {
    const s = symIndex.get(sym);
    return s !== undefined && inRun[s] ? s : -1;
  };
  return {
    date,
    universe,
    close: (sym) => {
      const s = idx(sym);
      return s < 0 ? Number.NaN : lastAtOrBefore(close, s * nDays, first, i);
    },
    rawClose: (sym) => {
      const s = idx(sym);
      return s < 0 ? Number.NaN : lastAtOrBefore(tradedClose, s * nDays, first, i);
    },
    closeLag: (sym, lag) => {
      const s = idx(sym);
      if (s < 0 || !(lag >= 0)) return Number.NaN;
      const base = s * nDays;
      let seen = -1;
      for (let j = i; j >= first; j--) {
        if (close[base + j] !== close[base + j]) continue;
        if (++seen === lag) return close[base + j];
      }
      return Number.NaN;
    },
    volatility: (sym, days) => {
      const s = idx(sym);
      return s < 0
        ? Number.NaN
        : realisedVol(close, s * nDays, first, i, days, x.barsPerYear) / Math.sqrt(x.barsPerYear);
    },
    fundamental: (sym, field) => (x.fundamental ? x.fundamental(sym, field, date) : Number.NaN),
    // The portfolio kind's bar: the last bar at or before `i` (signal prices, as `close`).
    bar: (sym, field) => {
      const s = idx(sym);
      if (s < 0) return Number.NaN;
      const base = s * nDays;
      const col =
        field === 'open'
          ? panel.open
          : field === 'high'
            ? panel.high
            : field === 'low'
              ? panel.low
              : field === 'volume'
                ? panel.volume
                : close;
      for (let j = i; j >= first; j--) if (close[base + j] === close[base + j]) return col[base + j];
      return Number.NaN;
    },
  };
}
