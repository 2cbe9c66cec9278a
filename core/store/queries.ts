import { adjustmentFactors, applyFactors, type CorporateAction } from '../data/adjust';
import type { Adjustment } from '../data/panel-types';
import type { BarColumns } from '../model/bars';
import { DAY_MS } from '../model/time';
import { fail, ok, type Result } from '../model/result';
import { dataFingerprint } from './fingerprint';
import type { Store } from './sqlite-bar-store';
import { connection } from './internal';

/** The instrument id for `symbol`, or undefined. */
export function instrumentId(store: Store, symbol: string): number | undefined {
  return connection(store).prepare('SELECT id FROM instruments WHERE symbol = ?').pluck().get(symbol) as
    number | undefined;
}

/**
 * Whether any corporate action of `symbols` (every instrument when undefined) has its ex date at or
 * before `toMs`: then an adjusted panel differs from the traded prices somewhere up to `toMs`.
 */
export function hasActionsThrough(store: Store, symbols: readonly string[] | undefined, toMs: number): boolean {
  const row = symbols
    ? connection(store)
        .prepare(
          'SELECT 1 FROM corporate_actions a JOIN instruments i ON i.id = a.instrument_id WHERE a.ex_date <= ? AND i.symbol IN (SELECT value FROM json_each(?)) LIMIT 1',
        )
        .get(toMs, JSON.stringify(symbols))
    : connection(store).prepare('SELECT 1 FROM corporate_actions WHERE ex_date <= ? LIMIT 1').get(toMs);
  return row !== undefined;
}

/** A fundamental as known at `asOf`; `value`, `periodEnd` and `knownAt` are null when nothing was known. */
export interface FundamentalAsOf {
  readonly symbol: string;
  readonly field: string;
  readonly asOf: number;
  readonly value: number | null;
  readonly periodEnd: number | null;
  readonly knownAt: number | null;
}

/**
 * `not-found` naming `field` and listing the stored fields when no instrument has `field` at all (e.g. `pe`):
 * a typo must not read as "not known yet". Null when some instrument has it.
 */
function unknownField(store: Store, field: string): Result<never> | null {
  if (connection(store).prepare('SELECT 1 FROM fundamentals WHERE field = ? LIMIT 1').get(field) !== undefined)
    return null;
  const known = connection(store)
    .prepare('SELECT DISTINCT field FROM fundamentals ORDER BY field')
    .pluck()
    .all() as string[];
  return fail(
    'not-found',
    `Unknown field "${field}": ${known.length > 0 ? `known fields are ${known.join(', ')}` : 'no fundamentals are stored'}`,
  );
}

/**
 * The value of `field` for `symbol` as known at `asOf` (EpochMs): among rows with `known_at <= asOf`,
 * the latest `period_end`, in its latest version known by then (a later restatement is invisible
 * until its own `known_at`). `not-found` for an unknown symbol, and for a field no instrument has
 * (the message lists the known fields); a known field with nothing known yet gives nulls.
 */
export function fundamentalAsOf(store: Store, symbol: string, field: string, asOf: number): Result<FundamentalAsOf> {
  const id = instrumentId(store, symbol);
  if (id === undefined) return fail('not-found', `Unknown symbol "${symbol}"`);
  const row = connection(store)
    .prepare(
      `SELECT value, period_end AS periodEnd, known_at AS knownAt FROM fundamentals
       WHERE instrument_id = ? AND field = ? AND known_at <= ? ORDER BY period_end DESC, known_at DESC LIMIT 1`,
    )
    .get(id, field, asOf) as { value: number; periodEnd: number; knownAt: number } | undefined;
  const unknown = row === undefined ? unknownField(store, field) : null;
  if (unknown) return unknown;
  return ok({
    symbol,
    field,
    asOf,
    value: row?.value ?? null,
    periodEnd: row?.periodEnd ?? null,
    knownAt: row?.knownAt ?? null,
  });
}

/** One version of a fundamental: its period, when it became known and its value. */
export interface Revision {
  readonly periodEnd: number;
  readonly knownAt: number;
  readonly value: number;
}

/** Every stored version of `field` for `symbol`, by period then by `knownAt` (restatements follow their original); `not-found` for an unknown field. */
export function revisionHistory(store: Store, symbol: string, field: string): Result<Revision[]> {
  const id = instrumentId(store, symbol);
  if (id === undefined) return fail('not-found', `Unknown symbol "${symbol}"`);
  const rows = connection(store)
    .prepare(
      'SELECT period_end AS periodEnd, known_at AS knownAt, value FROM fundamentals WHERE instrument_id = ? AND field = ? ORDER BY period_end, known_at',
    )
    .all(id, field) as Revision[];
  const unknown = rows.length === 0 ? unknownField(store, field) : null;
  if (unknown) return unknown;
  return ok(rows);
}

/** Every corporate action of an instrument, with each dividend's reference close (raw close before its ex date). */
export function loadActions(store: Store, id: number): CorporateAction[] {
  const rows = connection(store)
    .prepare(
      'SELECT kind, ex_date AS exDate, value, known_at AS knownAt FROM corporate_actions WHERE instrument_id = ? ORDER BY ex_date, known_at',
    )
    .all(id) as CorporateAction[];
  if (rows.length === 0) return rows;
  const before = connection(store)
    .prepare('SELECT close FROM bars WHERE instrument_id = ? AND ts < ? ORDER BY ts DESC LIMIT 1')
    .pluck();
  return rows.map((a) =>
    a.kind === 'dividend' ? { ...a, refClose: (before.get(id, a.exDate) as number | undefined) ?? Number.NaN } : a,
  );
}

/** Options for {@link barsRange}; times are EpochMs, bounds inclusive. */
export interface BarsRangeOptions {
  readonly from?: number;
  readonly to?: number;
  /** Back-adjust for splits and dividends with `ex_date <= adjustedAsOf` and `known_at <= adjustedAsOf`. */
  readonly adjustedAsOf?: number;
  /** Alternatively any panel adjustment (`raw`, `pit`, `{ asOf }`); `adjustedAsOf` wins when both are given. */
  readonly adjustment?: Adjustment;
}

/**
 * One instrument's bars in `[from, to]`, ascending, raw or back-adjusted as of a date (see
 * {@link adjustmentFactors}). `not-found` for an unknown symbol; an empty range gives empty columns.
 */
export function barsRange(store: Store, symbol: string, options: BarsRangeOptions = {}): Result<BarColumns> {
  const id = instrumentId(store, symbol);
  if (id === undefined) return fail('not-found', `Unknown symbol "${symbol}"`);
  const rows = connection(store)
    .prepare(
      'SELECT ts, open, high, low, close, volume FROM bars WHERE instrument_id = ? AND ts >= ? AND ts <= ? ORDER BY ts',
    )
    .raw()
    .all(id, options.from ?? -8.64e15, options.to ?? 8.64e15) as number[][];
  const n = rows.length;
  const cols = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    for (let k = 0; k < 6; k++) cols[k][i] = r[k];
  }
  const [time, open, high, low, close, volume] = cols;
  const adjustment: Adjustment =
    options.adjustedAsOf !== undefined ? { asOf: options.adjustedAsOf } : (options.adjustment ?? 'raw');
  if (adjustment !== 'raw') {
    const f = adjustmentFactors(time, close, loadActions(store, id), adjustment);
    applyFactors(f, open, high, low, close, volume);
  }
  return ok({ time, open, high, low, close, volume });
}

/**
 * The symbols in the universe at `asOf`, sorted. Without `name`: every instrument listed then
 * (`listed_on <= asOf`, or its first bar when `listed_on` is unknown, and `delisted_on` empty or
 * after `asOf`), delisted names included for dates before their delisting (no survivorship bias).
 * With `name`: members of that stored universe valid and known at `asOf`.
 */
export function universeAsOf(store: Store, asOf: number, name?: string): string[] {
  if (name !== undefined) {
    return connection(store)
      .prepare(
        `SELECT DISTINCT i.symbol FROM universes u JOIN instruments i ON i.id = u.instrument_id
         WHERE u.name = ? AND u.valid_from <= ? AND (u.valid_to IS NULL OR u.valid_to > ?) AND u.known_at <= ? ORDER BY i.symbol`,
      )
      .pluck()
      .all(name, asOf, asOf, asOf) as string[];
  }
  return connection(store)
    .prepare(
      `SELECT symbol FROM instruments i
       WHERE (delisted_on IS NULL OR delisted_on > ?)
         AND (listed_on <= ? OR (listed_on IS NULL AND EXISTS (SELECT 1 FROM bars b WHERE b.instrument_id = i.id AND b.ts <= ?)))
       ORDER BY symbol`,
    )
    .pluck()
    .all(asOf, asOf, asOf) as string[];
}

/** An instrument with its data coverage, for the Data view. Dates are EpochMs (null when it has no bars). */
export interface InstrumentCoverage {
  readonly id: number;
  readonly symbol: string;
  readonly name: string;
  readonly sector: string;
  readonly currency: string;
  readonly listedOn: number | null;
  readonly delistedOn: number | null;
  readonly firstDate: number | null;
  readonly lastDate: number | null;
  readonly bars: number;
  /** Consecutive bars more than 4 calendar days apart (longer than a weekend plus a holiday). */
  readonly gaps: number;
}

const coverageCache = new WeakMap<Store, { fp: string; rows: InstrumentCoverage[] }>();

/** Every instrument with coverage (first/last bar, bar count, gap count), sorted by symbol; cached per data fingerprint. */
export function listInstruments(store: Store): InstrumentCoverage[] {
  const fp = dataFingerprint(store);
  const hit = coverageCache.get(store);
  if (hit && hit.fp === fp) return hit.rows;
  const stats = new Map<number, { first: number; last: number; n: number; gaps: number }>();
  let cur = -1;
  let st = { first: 0, last: 0, n: 0, gaps: 0 };
  for (const [id, ts] of connection(store)
    .prepare('SELECT instrument_id, ts FROM bars ORDER BY instrument_id, ts')
    .raw()
    .iterate() as Iterable<[number, number]>) {
    if (id !== cur) {
      cur = id;
      st = { first: ts, last: ts, n: 0, gaps: 0 };
      stats.set(id, st);
    } else if (ts - st.last > 4 * DAY_MS) st.gaps++;
    st.last = ts;
    st.n++;
  }
  const rows = (
    connection(store)
      .prepare(
        'SELECT id, symbol, name, sector, currency, listed_on AS listedOn, delisted_on AS delistedOn FROM instruments ORDER BY symbol',
      )
      .all() as Omit<InstrumentCoverage, 'firstDate' | 'lastDate' | 'bars' | 'gaps'>[]
  ).map((r) => {
    const s = stats.get(r.id);
    return { ...r, firstDate: s?.first ?? null, lastDate: s?.last ?? null, bars: s?.n ?? 0, gaps: s?.gaps ?? 0 };
  });
  coverageCache.set(store, { fp, rows });
  return rows;
}

/** The symbols among `symbols` whose type is `index`: benchmarks, which a spec may not hold. Sorted. */
export function indexSymbols(store: Store, symbols: readonly string[]): string[] {
  return connection(store)
    .prepare(
      "SELECT symbol FROM instruments WHERE type = 'index' AND symbol IN (SELECT value FROM json_each(?)) ORDER BY symbol",
    )
    .pluck()
    .all(JSON.stringify(symbols)) as string[];
}

/** Every symbol that was ever a member of universe `name` (any date), sorted; empty for an unknown universe. */
export function universeSymbolsEver(store: Store, name: string): string[] {
  return connection(store)
    .prepare(
      'SELECT DISTINCT i.symbol FROM universes u JOIN instruments i ON i.id = u.instrument_id WHERE u.name = ? ORDER BY i.symbol',
    )
    .pluck()
    .all(name) as string[];
}
