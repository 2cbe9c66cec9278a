import type { QualityFinding } from '../quality/checks';
import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/** Every instrument's id, symbol and currency, by symbol. */
export function instrumentCurrencies(store: Store): { id: number; symbol: string; currency: string }[] {
  return connection(store).prepare('SELECT id, symbol, currency FROM instruments ORDER BY symbol').all() as {
    id: number;
    symbol: string;
    currency: string;
  }[];
}

/** For each bar time (epoch ms) in `currency`'s instruments, how many of them have a bar then. */
export function barCountsByTime(store: Store, currency: string): { ts: number; n: number }[] {
  return connection(store)
    .prepare(
      `SELECT b.ts, count(*) AS n FROM bars b JOIN instruments i ON i.id = b.instrument_id WHERE i.currency = ? GROUP BY b.ts`,
    )
    .all(currency) as { ts: number; n: number }[];
}

/** Prepared readers and the finding writer the data-quality checks use (prepare once, call per instrument). */
export interface QualityStatements {
  /** Raw bars `[ts, open, close, volume]` of an instrument, oldest first. */
  bars(instrumentId: number): [number, number, number, number][];
  /** Ex-dates (epoch ms) of the instrument's known splits. */
  splitDays(instrumentId: number): number[];
  /** Stores a finding; false when the same (instrument, check, date) was already stored. */
  insertFinding(
    instrumentId: number,
    check: string,
    ts: number,
    severity: string,
    value: number | null,
    detail: string,
    foundAt: number,
  ): boolean;
}

/** Prepares {@link QualityStatements} on `store`. */
export function qualityStatements(store: Store): QualityStatements {
  const db = connection(store);
  const bars = db.prepare('SELECT ts, open, close, volume FROM bars WHERE instrument_id = ? ORDER BY ts').raw(true);
  const splitsOn = db
    .prepare("SELECT ex_date FROM corporate_actions WHERE instrument_id = ? AND kind = 'split'")
    .pluck();
  const insert = db.prepare(
    `INSERT INTO dq_findings(instrument_id, check_name, ts, severity, value, detail, found_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(instrument_id, check_name, ts) DO NOTHING`,
  );
  return {
    bars: (id) => bars.all(id) as [number, number, number, number][],
    splitDays: (id) => splitsOn.all(id) as number[],
    insertFinding: (id, check, ts, severity, value, detail, foundAt) =>
      insert.run(id, check, ts, severity, value, detail, foundAt).changes > 0,
  };
}

/** Stored findings, newest first (found_at, then date), optionally since a time or for one symbol. */
export function listFindings(
  store: Store,
  options: { since?: number; symbol?: string; limit?: number } = {},
): QualityFinding[] {
  return connection(store)
    .prepare(
      `SELECT i.symbol, f.check_name AS "check", f.ts, f.severity, f.value, f.detail, f.found_at AS foundAt
       FROM dq_findings f JOIN instruments i ON i.id = f.instrument_id
       WHERE f.found_at >= ? AND (? IS NULL OR i.symbol = ?) ORDER BY f.found_at DESC, f.ts DESC, f.id DESC LIMIT ?`,
    )
    .all(options.since ?? 0, options.symbol ?? null, options.symbol ?? null, options.limit ?? 500) as QualityFinding[];
}
