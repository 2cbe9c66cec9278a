import type { Statement } from 'better-sqlite3';
import { recordImport, withoutChangeTriggers } from './fingerprint';
import type { ImportKind, ParsedRows } from './import-kinds';
import { connection } from './internal';
import type { Db, Store } from './sqlite-bar-store';

/** The symbols among `symbols` that name no stored instrument. */
export function unknownSymbols(store: Store, symbols: readonly string[]): string[] {
  const get = connection(store).prepare('SELECT id FROM instruments WHERE symbol = ?').pluck();
  return symbols.filter((sym) => get.get(sym) === undefined);
}

/** Stored ids of `symbols` (all must exist), as a Float64Array indexed like `symbols`. */
function idsOf(db: Db, symbols: readonly string[]): Float64Array {
  const getId = db.prepare('SELECT id FROM instruments WHERE symbol = ?').pluck();
  const ids = new Float64Array(symbols.length);
  symbols.forEach((sym, s) => {
    ids[s] = getId.get(sym) as number;
  });
  return ids;
}

const nn = (v: number) => (Number.isNaN(v) ? null : v);

function writeInstruments(db: Db, p: ParsedRows): number {
  // A null @type (no `type` column) inserts a stock and keeps an existing instrument's type.
  const up = db.prepare(
    `INSERT INTO instruments(symbol, name, sector, currency, listed_on, delisted_on, type)
       VALUES (@symbol, @name, @sector, @currency, @listed, @delisted, coalesce(@type, 'stock'))
     ON CONFLICT(symbol) DO UPDATE SET name = excluded.name, sector = excluded.sector, currency = excluded.currency,
       listed_on = excluded.listed_on, delisted_on = excluded.delisted_on, type = coalesce(@type, type)
     WHERE name IS NOT excluded.name OR sector IS NOT excluded.sector OR currency IS NOT excluded.currency
       OR listed_on IS NOT excluded.listed_on OR delisted_on IS NOT excluded.delisted_on OR (@type IS NOT NULL AND type IS NOT @type)`,
  );
  const { listed_on: listed, delisted_on: delisted } = p.numbers;
  const { name, sector, currency, type } = p.texts;
  let changed = 0;
  for (let i = 0; i < p.rows; i++) {
    changed += up.run({
      symbol: p.symbols[p.symbolOf[i]],
      name: name[i],
      sector: sector[i],
      currency: currency[i],
      listed: nn(listed[i]),
      delisted: nn(delisted[i]),
      type: type[i] === '' ? null : type[i],
    }).changes;
  }
  return changed;
}

function writeBars(db: Db, p: ParsedRows, progress: (rows: number) => void): number {
  let changed = 0;
  const create = db.prepare('INSERT INTO instruments(symbol) VALUES (?) ON CONFLICT(symbol) DO NOTHING');
  for (const sym of p.symbols) changed += create.run(sym).changes;
  const ids = idsOf(db, p.symbols);
  // Multi-row upserts: one statement call per BATCH rows cuts the per-call binding overhead.
  const upsert = (rows: number) =>
    db.prepare(
      `INSERT INTO bars(instrument_id, ts, open, high, low, close, volume) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT(instrument_id, ts) DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low,
         close = excluded.close, volume = excluded.volume
       WHERE open IS NOT excluded.open OR high IS NOT excluded.high OR low IS NOT excluded.low
         OR close IS NOT excluded.close OR volume IS NOT excluded.volume`,
    );
  const full = upsert(BAR_BATCH);
  // The per-row change triggers would cost more than the insert itself: count this write at once instead.
  changed += withoutChangeTriggers(db, 'bars', () => writeBarRows(db, p, ids, full, upsert, progress));
  return changed;
}

const BAR_BATCH = 128;

function writeBarRows(
  db: Db,
  p: ParsedRows,
  ids: Float64Array,
  full: Statement,
  upsert: (rows: number) => Statement,
  progress: (rows: number) => void,
): number {
  let changed = 0;

  // Bulk loads: maintaining the secondary indexes row by row costs ~3x the table insert itself;
  // dropping and rebuilding them (one sort) inside this transaction is far cheaper when the
  // import is large next to what is stored. Readers keep their snapshot meanwhile (WAL).
  const indexes =
    p.rows >= 100_000
      ? (db
          .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bars' AND sql IS NOT NULL")
          .all() as { name: string; sql: string }[])
      : [];
  const rebuild = indexes.length > 0 && p.rows * 4 >= (db.prepare('SELECT count(*) FROM bars').pluck().get() as number);
  if (rebuild) for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);
  const params: number[] = new Array(BAR_BATCH * 7);
  const sym = p.symbolOf;
  const { date: ts, open: o, high: h, low: l, close: c, volume: v } = p.numbers;
  let i = 0;
  for (; i + BAR_BATCH <= p.rows; i += BAR_BATCH) {
    for (let k = 0, p = 0; k < BAR_BATCH; k++) {
      const r = i + k;
      params[p++] = ids[sym[r]];
      params[p++] = ts[r];
      params[p++] = o[r];
      params[p++] = h[r];
      params[p++] = l[r];
      params[p++] = c[r];
      params[p++] = v[r];
    }
    changed += full.run(params).changes;
    if ((i & 0xffff) < BAR_BATCH) progress(i + BAR_BATCH);
  }
  if (i < p.rows) {
    const rest = p.rows - i;
    const tail: number[] = [];
    for (let r = i; r < p.rows; r++) tail.push(ids[sym[r]], ts[r], o[r], h[r], l[r], c[r], v[r]);
    changed += upsert(rest).run(tail).changes;
  }
  if (rebuild) for (const ix of indexes) db.exec(ix.sql);
  return changed;
}

function writeFacts(
  db: Db,
  p: ParsedRows,
  table: 'fundamentals' | 'corporate_actions',
  textColumn: string,
  dateColumn: string,
): number {
  const ids = idsOf(db, p.symbols);
  const { [dateColumn]: date, value, known_at: known } = p.numbers;
  const text = p.texts[textColumn];
  const up =
    table === 'fundamentals'
      ? db.prepare(
          `INSERT INTO fundamentals(instrument_id, field, period_end, known_at, value) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(instrument_id, field, period_end, known_at) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`,
        )
      : db.prepare(
          `INSERT INTO corporate_actions(instrument_id, kind, ex_date, known_at, value) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(instrument_id, kind, ex_date, known_at) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`,
        );
  let changed = 0;
  for (let i = 0; i < p.rows; i++) changed += up.run(ids[p.symbolOf[i]], text[i], date[i], known[i], value[i]).changes;
  return changed;
}

/** One writer per import kind: writes every parsed row, returns rows inserted or changed. */
const WRITERS: Record<ImportKind, (db: Db, p: ParsedRows, progress: (rows: number) => void) => number> = {
  instruments: writeInstruments,
  bars: writeBars,
  fundamentals: (db, p) => writeFacts(db, p, 'fundamentals', 'field', 'period_end'),
  actions: (db, p) => writeFacts(db, p, 'corporate_actions', 'kind', 'ex_date'),
};

/**
 * Writes a validated import in one IMMEDIATE transaction: the rows (equal rows change nothing) and, when
 * something changed, its `imports` record and the data fingerprint's link. The write lock is taken up front
 * (waiting the busy timeout), so an import on its own connection (an import thread) never fails half-way
 * because the host wrote since its first read. Returns rows changed and the import's id (null when none).
 */
export function writeImport(
  store: Store,
  p: ParsedRows,
  record: { source: string; sha256: string },
  progress: (rows: number) => void,
): { changed: number; importId: number | null } {
  const db = connection(store);
  const write = db.transaction(() => {
    const changed = WRITERS[p.kind](db, p, progress);
    let importId: number | null = null;
    if (changed > 0) {
      const info = db
        .prepare('INSERT INTO imports(kind, source, sha256, rows, changed, imported_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(p.kind, record.source, record.sha256, p.rows, changed, Date.now());
      importId = Number(info.lastInsertRowid);
      recordImport(db, p.kind, record.sha256, changed);
    }
    return { changed, importId };
  });
  return write.immediate();
}
