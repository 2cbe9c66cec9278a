import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/** An instrument as the panel loader reads it (dates epoch ms, null when not set). */
export interface PanelInstrumentRow {
  id: number;
  symbol: string;
  sector: string;
  listedOn: number | null;
  delistedOn: number | null;
  type: string;
}

/** Every instrument, by symbol. */
export function panelInstruments(store: Store): PanelInstrumentRow[] {
  return connection(store)
    .prepare(
      'SELECT id, symbol, sector, listed_on AS listedOn, delisted_on AS delistedOn, type FROM instruments ORDER BY symbol',
    )
    .all() as PanelInstrumentRow[];
}

/** The distinct bar times (epoch ms, ascending) in [from, to], of the given instruments or (undefined) of all. */
export function barDays(store: Store, from: number, to: number, instrumentIds?: readonly number[]): number[] {
  const db = connection(store);
  if (instrumentIds === undefined)
    return db
      .prepare('SELECT DISTINCT ts FROM bars WHERE ts >= ? AND ts <= ? ORDER BY ts')
      .pluck()
      .all(from, to) as number[];
  return db
    .prepare(
      'SELECT DISTINCT ts FROM bars WHERE instrument_id IN (SELECT value FROM json_each(?)) AND ts >= ? AND ts <= ? ORDER BY ts',
    )
    .pluck()
    .all(JSON.stringify(instrumentIds), from, to) as number[];
}

/**
 * A reader of one instrument's raw bars in [from, to] as `[ts, open, high, low, close, volume]` rows, ascending.
 * Prepared once; each call is one native `all` (about 15% faster than iterating rows).
 */
export function barRowsReader(store: Store): (instrumentId: number, from: number, to: number) => number[][] {
  const q = connection(store)
    .prepare(
      'SELECT ts, open, high, low, close, volume FROM bars WHERE instrument_id = ? AND ts >= ? AND ts <= ? ORDER BY ts',
    )
    .raw();
  return (id, from, to) => q.all(id, from, to) as number[][];
}
