import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/**
 * Unchecked row writers for generated data (synthetic markets for tests and benchmarks): no CSV parsing or
 * validation, so never for user input (that goes through `importCsv`). Wrap many calls in `inTransaction`.
 */
export interface RawWriter {
  /** Inserts an instrument; returns its id. */
  instrument(symbol: string, name: string, sector: string, currency: string, listedOn: number | null): number;
  /** Inserts one raw bar. */
  bar(instrumentId: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void;
  /** Records the import in the log (so the data fingerprint sees it). */
  recordImport(kind: string, source: string, sha256: string, rows: number, changed: number, importedAt: number): void;
}

/** Prepares a {@link RawWriter} on `store`. */
export function rawWriter(store: Store): RawWriter {
  const db = connection(store);
  const insInst = db.prepare(
    'INSERT INTO instruments (symbol, name, sector, currency, listed_on) VALUES (?, ?, ?, ?, ?)',
  );
  const insBar = db.prepare(
    'INSERT INTO bars (instrument_id, ts, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insImport = db.prepare(
    'INSERT INTO imports (kind, source, sha256, rows, changed, imported_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return {
    instrument: (symbol, name, sector, currency, listedOn) =>
      Number(insInst.run(symbol, name, sector, currency, listedOn).lastInsertRowid),
    bar: (id, ts, o, h, l, c, v) => void insBar.run(id, ts, o, h, l, c, v),
    recordImport: (kind, source, sha256, rows, changed, at) =>
      void insImport.run(kind, source, sha256, rows, changed, at),
  };
}
