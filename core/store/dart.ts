import type { DartCorp } from '../connectors/dart';
import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/** Writes DART's company code list (upsert); returns rows inserted or changed. */
export function storeCorpCodes(store: Store, corps: readonly DartCorp[]): number {
  const db = connection(store);
  const up = db.prepare(
    `INSERT INTO dart_corps(corp_code, corp_name, stock_code, modify_date) VALUES (?, ?, ?, ?)
     ON CONFLICT(corp_code) DO UPDATE SET corp_name = excluded.corp_name, stock_code = excluded.stock_code, modify_date = excluded.modify_date
     WHERE corp_name IS NOT excluded.corp_name OR stock_code IS NOT excluded.stock_code OR modify_date IS NOT excluded.modify_date`,
  );
  return db.transaction(() =>
    corps.reduce((n, c) => n + up.run(c.corpCode, c.corpName, c.stockCode, c.modifyDate).changes, 0),
  )();
}

/** A reader of the stored DART company for a KRX stock code (6 digits), undefined when unknown. */
export function corpByStockCodeReader(
  store: Store,
): (stockCode: string) => { corpCode: string; corpName: string } | undefined {
  const q = connection(store).prepare(
    'SELECT corp_code AS corpCode, corp_name AS corpName FROM dart_corps WHERE stock_code = ?',
  );
  return (code) => q.get(code) as { corpCode: string; corpName: string } | undefined;
}

/** A test of whether the store holds an instrument with the given symbol. */
export function instrumentExistsReader(store: Store): (symbol: string) => boolean {
  const q = connection(store).prepare('SELECT 1 FROM instruments WHERE symbol = ?').pluck();
  return (symbol) => q.get(symbol) !== undefined;
}
