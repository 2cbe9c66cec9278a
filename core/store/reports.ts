import type { ReportAlert, ReportEntry } from '../report/daily';
import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/** Every journaled position (all sessions), by session and symbol. */
export function allPositions(
  store: Store,
): { session: string; symbol: string; qty: number; avgCost: number; realized: number }[] {
  return connection(store)
    .prepare('SELECT session, symbol, qty, avg_cost AS avgCost, realized FROM positions ORDER BY session, symbol')
    .all() as {
    session: string;
    symbol: string;
    qty: number;
    avgCost: number;
    realized: number;
  }[];
}

/** A reader of the last raw close of a symbol at or before a time (epoch ms), undefined when there is none. */
export function lastCloseReader(store: Store): (symbol: string, atOrBefore: number) => number | undefined {
  const q = connection(store)
    .prepare(
      'SELECT b.close FROM bars b JOIN instruments i ON i.id = b.instrument_id WHERE i.symbol = ? AND b.ts <= ? ORDER BY b.ts DESC LIMIT 1',
    )
    .pluck();
  return (symbol, atOrBefore) => q.get(symbol, atOrBefore) as number | undefined;
}

/** Alerts worth a report since `since` (epoch ms): warnings and worse, not the data-quality or report sessions' own, newest first, at most 100. */
export function reportableAlerts(store: Store, since: number): ReportAlert[] {
  return connection(store)
    .prepare(
      `SELECT session, ts AS time, kind, severity, symbol, message FROM alerts WHERE ts >= ? AND session NOT IN ('data-quality', 'reports') AND severity != 'info' ORDER BY ts DESC LIMIT 100`,
    )
    .all(since) as ReportAlert[];
}

/** Records a written daily report (`summary` is stored as JSON text). */
export function recordReport(store: Store, r: { day: number; path: string; createdAt: number; summary: object }): void {
  connection(store)
    .prepare("INSERT INTO reports(kind, day, path, created_at, summary) VALUES ('daily', ?, ?, ?, ?)")
    .run(r.day, r.path, r.createdAt, JSON.stringify(r.summary));
}

/** Past reports, newest first. */
export function listReports(store: Store, limit = 100): ReportEntry[] {
  return (
    connection(store)
      .prepare(
        'SELECT id, kind, day, path, created_at AS createdAt, summary FROM reports ORDER BY created_at DESC, id DESC LIMIT ?',
      )
      .all(limit) as (ReportEntry & { summary: string })[]
  ).map((r) => ({
    ...r,
    summary: (JSON.parse(r.summary) as { text: string }).text,
  }));
}
