import type { Statement } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { fail, ok, type Result } from '../model/result';
import { parseDate } from '../model/time';
import { INSTRUMENT_TYPES, isInstrumentType } from '../model/instrument';
import { CsvSyntaxError, InputFileError, readCsv, sourceName, type CsvSource } from './csv';
import { recordImport, withoutChangeTriggers } from './fingerprint';
import type { Db, Store } from './sqlite-bar-store';
import { connection } from './internal';

/** What a CSV file holds. */
export type ImportKind = 'instruments' | 'bars' | 'fundamentals' | 'actions';

/** The import kinds, for CLI and schema validation. */
export const IMPORT_KINDS: readonly ImportKind[] = ['instruments', 'bars', 'fundamentals', 'actions'];

/** The columns each kind's header must name (any order; no others). */
export const IMPORT_COLUMNS: Record<ImportKind, readonly string[]> = {
  instruments: ['symbol', 'name', 'sector', 'currency', 'listed_on', 'delisted_on'],
  bars: ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'],
  fundamentals: ['symbol', 'field', 'period_end', 'value', 'known_at'],
  actions: ['symbol', 'kind', 'ex_date', 'value', 'known_at'],
};

/** Columns a kind's header may add (any position); a missing one takes its default. `type`: see `INSTRUMENT_TYPES`, default `stock`. */
export const OPTIONAL_IMPORT_COLUMNS: Record<ImportKind, readonly string[]> = { instruments: ['type'], bars: [], fundamentals: [], actions: [] };

/** What one import did. `changed` counts rows inserted or updated; 0 means the store was already up to date. */
export interface ImportReport {
  readonly kind: ImportKind;
  readonly source: string;
  /** Row id in the `imports` table, or null when nothing changed (unchanged imports are not recorded). */
  readonly importId: number | null;
  readonly rows: number;
  readonly changed: number;
  readonly sha256: string;
  readonly durationMs: number;
}

/** Progress of an import: rows parsed (phase `parse`) or written (phase `write`), bytes read of the total. */
export interface ImportProgress {
  readonly phase: 'parse' | 'write' | 'done';
  readonly rows: number;
  /** Rows to write (known once parsing is done); equals `rows` while parsing. */
  readonly totalRows?: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

/** Options for {@link importCsv}. */
export interface ImportOptions {
  readonly onProgress?: (p: ImportProgress) => void;
  /** Aborting before the write phase stores nothing and returns a `cancelled` error. */
  readonly signal?: AbortSignal;
  /** How many `FILE:LINE: column: reason` lines to report before summarising (default 100). */
  readonly maxErrors?: number;
}

/** Growable Float64 column. */
class Col {
  a = new Float64Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

/**
 * Imports one CSV file of `kind` into the store: validates every row first (header, types, dates via
 * `parseDate`, OHLC consistency, volume >= 0, duplicates within the file), then writes all rows in
 * one transaction. Any bad row: nothing is stored and the result is `invalid-input` whose `details`
 * are `FILE:LINE: column: reason` lines (up to `maxErrors`, then a count of the rest). Rows equal to
 * what is stored change nothing, so re-importing a file is a no-op; an import that changes something
 * is recorded in `imports` (and so changes {@link dataFingerprint}). Fundamentals with the same
 * symbol, field and period_end but another `known_at` are restatements, stored beside each other.
 */
export async function importCsv(store: Store, kind: ImportKind, src: CsvSource, options: ImportOptions = {}): Promise<Result<ImportReport>> {
  const t0 = performance.now();
  const file = sourceName(src);
  const maxErrors = options.maxErrors ?? 100;
  const errors: string[] = [];
  let errorCount = 0;
  const bad = (line: number, column: string, reason: string): void => {
    errorCount++;
    if (errors.length < maxErrors) errors.push(`${file}:${line}: ${column}: ${reason}`);
  };
  const hash = createHash('sha256');
  const parser = new RowParser(kind, bad);
  let bytes = 0;
  let totalBytes = 0;
  let lastReport = 0;
  try {
    await readCsv(src, (f, line) => parser.record(f, line), {
      lineSink: kind === 'bars' ? (buf, start, end, line) => parser.line(buf, start, end, line) : undefined,
      signal: options.signal,
      onData: (c) => hash.update(c),
      onChunk: (b, t) => {
        bytes = b;
        totalBytes = t;
        const now = performance.now();
        if (options.onProgress && now - lastReport > 100) {
          lastReport = now;
          options.onProgress({ phase: 'parse', rows: parser.rows, bytes, totalBytes });
        }
      },
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') return fail('cancelled', `import of ${file} was cancelled; nothing was stored`);
    if (e instanceof CsvSyntaxError) bad(e.line, '(record)', e.message);
    else if (e instanceof InputFileError) return fail('invalid-input', `${e.message}; nothing was imported`);
    else if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fail('not-found', `${file}: no such file`);
    else if (typeof (e as NodeJS.ErrnoException).code === 'string') return fail('invalid-input', `${file}: cannot read (${(e as NodeJS.ErrnoException).code}); nothing was imported`);
    else throw e;
  }
  if (!parser.sawHeader) bad(1, 'header', `empty file; expected ${IMPORT_COLUMNS[kind].join(',')}`);
  if (errorCount === 0) parser.checkDuplicates();
  if (errorCount === 0) parser.checkKnownSymbols(store);
  if (errorCount > 0) {
    if (errorCount > errors.length) errors.push(`${file}: … and ${errorCount - errors.length} more bad rows`);
    return fail('invalid-input', `${file}: ${errorCount} bad row${errorCount === 1 ? '' : 's'}; nothing was imported`, errors);
  }
  if (options.signal?.aborted) return fail('cancelled', `import of ${file} was cancelled; nothing was stored`);
  const sha256 = hash.digest('hex');
  const write = connection(store).transaction(() => {
    const changed = parser.write(store, (rows) => options.onProgress?.({ phase: 'write', rows, totalRows: parser.rows, bytes, totalBytes }));
    let importId: number | null = null;
    if (changed > 0) {
      const info = connection(store)
        .prepare('INSERT INTO imports(kind, source, sha256, rows, changed, imported_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(kind, file, sha256, parser.rows, changed, Date.now());
      importId = Number(info.lastInsertRowid);
      recordImport(connection(store), kind, sha256, changed);
    }
    return { changed, importId };
  });
  // IMMEDIATE: the write lock is taken up front (waiting the busy timeout), so an import on its own
  // connection (an import thread) never fails half-way because the host wrote since its first read.
  const { changed, importId } = write.immediate();
  options.onProgress?.({ phase: 'done', rows: parser.rows, bytes, totalBytes });
  return ok({ kind, source: file, importId, rows: parser.rows, changed, sha256, durationMs: performance.now() - t0 });
}

type Bad = (line: number, column: string, reason: string) => void;

/**
 * Bounds on imported values (README "Limits"). Prices and dividends outside `price`, split ratios
 * outside `splitRatio`, volumes above `volume`, fundamentals beyond ±`fundamental` are refused.
 */
export const VALUE_LIMITS = {
  price: [1e-12, 1e12],
  volume: 1e18,
  splitRatio: [1e-6, 1e6],
  fundamental: 1e18,
  /** Characters in a text field (name, sector, ...); a symbol has its own rule, {@link SYMBOL_RE}. */
  textChars: 256,
} as const;

/**
 * A symbol: 1–32 of letters (any script), digits and `. _ - ^ / : = &`, starting with a letter, a digit or `^`
 * (`BRK.B`, `005930`, `BTC-USD`, `^GSPC`, `ES=F`). No comma, quote, space or control character, and
 * never a leading `=`, `+`, `-`, `@` (a spreadsheet would run it as a formula).
 */
export const SYMBOL_RE = /^[\p{L}\p{N}^][\p{L}\p{N}._\-^/:=&]{0,31}$/u;

/** A decimal number as text: optional sign, digits with an optional point, optional exponent. No hex, no `Infinity`. */
const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$/;

/** A short, escaped excerpt of user text for an error message: never more than 40 characters of it. */
export function excerpt(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** Why `text` may not be stored as a text field, or null when it is fine. */
export function textProblem(text: string): string | null {
  if (text.length > VALUE_LIMITS.textChars) return `longer than ${VALUE_LIMITS.textChars} characters`;
  // eslint-disable-next-line no-control-regex
  const ctl = /[\u0000-\u001f\u007f-\u009f]/.exec(text);
  if (ctl) return `contains a control character (U+${ctl[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  if (text.includes('\uFFFD')) return 'is not valid UTF-8 (or contains U+FFFD)';
  if (/^[=+\-@]/.test(text)) return `${excerpt(text)} starts with ${text[0]} (a spreadsheet formula); refused`;
  return null;
}

/** Why `symbol` is not a valid symbol, or null. */
export function symbolProblem(symbol: string): string | null {
  if (symbol === '') return 'empty';
  if (/\s/.test(symbol)) return `${excerpt(symbol)} contains whitespace`;
  const t = textProblem(symbol);
  if (t !== null) return t;
  if (symbol.length > 32) return 'longer than 32 characters';
  if (!SYMBOL_RE.test(symbol)) return `${excerpt(symbol)} is not a symbol (letters, digits and . _ - ^ / : = &)`;
  return null;
}

/** Characters in any one field; longer fields are refused before they are parsed. */
const MAX_FIELD_CHARS = 1024;

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The number in `buf[a, b)` when it is a plain decimal (`-?digits[.digits]`, at most 15 significant
 * digits), else NaN. Exact: an integer below 2^53 divided by an exact power of ten is one correctly
 * rounded operation, the same double as `Number(text)` (Clinger's fast path).
 */
export function decimalAt(buf: Buffer, a: number, b: number): number {
  let i = a;
  const neg = buf[i] === 45;
  if (neg) i++;
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < b; i++) {
    const ch = buf[i];
    if (ch === 46) {
      if (frac >= 0) return Number.NaN;
      frac = 0;
      continue;
    }
    const d = ch - 48;
    if (d < 0 || d > 9) return Number.NaN;
    if (m !== 0 || d !== 0) digits++;
    m = m * 10 + d;
    if (frac >= 0) frac++;
  }
  if (digits > 15 || i === a + (neg ? 1 : 0) || (frac >= 0 && b - a === (neg ? 2 : 1))) return Number.NaN;
  const x = frac > 0 ? m / POW10[frac] : m;
  return neg ? -x : x;
}

/** Validates records into columns; one instance per import. */
class RowParser {
  rows = 0;
  sawHeader = false;
  #idx: number[] = [];
  #nFields = 0;
  readonly #kind: ImportKind;
  readonly #bad: Bad;
  // Interned symbols and, per row, the symbol's index and line number.
  readonly #symbols = new Map<string, number>();
  readonly #symbolList: string[] = [];
  readonly #firstLine: number[] = [];
  readonly #sym = new Col();
  readonly #line = new Col();
  readonly #num: Col[] = [];
  readonly #text: string[][] = [];
  // Duplicate detection for bars: the last ts per symbol; symbols seen out of order are rechecked.
  #lastTs: number[] = [];
  readonly #unsorted = new Set<number>();
  readonly #keys = new Map<string, number>();

  constructor(kind: ImportKind, bad: Bad) {
    this.#kind = kind;
    this.#bad = bad;
    const nNum = { instruments: 2, bars: 6, fundamentals: 3, actions: 3 }[kind];
    for (let i = 0; i < nNum; i++) this.#num.push(new Col());
    const nText = { instruments: 4, bars: 0, fundamentals: 1, actions: 1 }[kind];
    for (let i = 0; i < nText; i++) this.#text.push([]);
  }

  record(f: string[], line: number): void {
    if (!this.sawHeader) return this.#header(f, line);
    if (f.length !== this.#nFields) {
      this.#bad(line, '(record)', `expected ${this.#nFields} fields, found ${f.length}`);
      return;
    }
    for (let i = 0; i < f.length; i++) {
      if (f[i].length > MAX_FIELD_CHARS) {
        const names = [...IMPORT_COLUMNS[this.#kind], ...OPTIONAL_IMPORT_COLUMNS[this.#kind]];
        this.#bad(line, names[this.#idx.indexOf(i)] ?? '(record)', `field longer than ${MAX_FIELD_CHARS} characters`);
        return;
      }
    }
    if (this.#kind === 'bars') return this.#bar(f, line);
    const idx = this.#idx;
    const g = (name: number) => f[idx[name]];
    const symbol = g(0).trim();
    const why = symbolProblem(symbol);
    if (why !== null) this.#badRow(line, 'symbol', why);
    switch (this.#kind) {
      case 'instruments': {
        const name = g(1);
        const sector = g(2).trim();
        const currency = g(3).trim() || 'USD';
        this.#textOk(line, 'name', name);
        this.#textOk(line, 'sector', sector);
        this.#textOk(line, 'currency', currency);
        const listed = g(4).trim() === '' ? Number.NaN : this.#date(line, 'listed_on', g(4), true);
        const delisted = g(5).trim() === '' ? Number.NaN : this.#date(line, 'delisted_on', g(5), true);
        if (delisted < listed) this.#badRow(line, 'delisted_on', 'before listed_on');
        if (this.#rowBad) break;
        if (this.#symbols.has(symbol)) {
          this.#badRow(line, 'symbol', `duplicate of line ${this.#firstLine[this.#symbols.get(symbol)!]}`);
          break;
        }
        // '' = no `type` column: a new instrument is a stock, an existing one keeps its type.
        const type = idx[6] >= 0 ? g(6).trim().toLowerCase() || 'stock' : '';
        if (type !== '' && !isInstrumentType(type)) this.#badRow(line, 'type', `unknown type "${g(6).trim()}" (expected one of ${INSTRUMENT_TYPES.join(', ')})`);
        if (this.#rowBad) break;
        this.#push(this.#intern(symbol, line), line, [listed, delisted], [name, sector, currency, type]);
        break;
      }
      case 'fundamentals': {
        const field = g(1).trim();
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(field)) this.#badRow(line, 'field', `${excerpt(field)} is not a field name`);
        const period = this.#date(line, 'period_end', g(2), true);
        const value = this.#number(line, 'value', g(3));
        if (Math.abs(value) > VALUE_LIMITS.fundamental) this.#badRow(line, 'value', `${value} is out of range (at most ±${VALUE_LIMITS.fundamental})`);
        const known = this.#date(line, 'known_at', g(4), false);
        if (known < period) this.#badRow(line, 'known_at', 'before period_end (a value cannot be public before its period ends)');
        if (this.#rowBad) break;
        if (this.#dupKey(`${symbol}\u0000${field}\u0000${period}\u0000${known}`, line, 'known_at')) break;
        this.#push(this.#intern(symbol, line), line, [period, value, known], [field]);
        break;
      }
      case 'actions': {
        const kind = g(1).trim();
        if (kind !== 'split' && kind !== 'dividend') this.#badRow(line, 'kind', `${excerpt(kind)} is not split or dividend`);
        const ex = this.#date(line, 'ex_date', g(2), true);
        const value = this.#number(line, 'value', g(3));
        if (value <= 0) this.#badRow(line, 'value', `must be > 0, got ${value}`);
        else if (kind === 'split' && (value < VALUE_LIMITS.splitRatio[0] || value > VALUE_LIMITS.splitRatio[1]))
          this.#badRow(line, 'value', `split ratio ${value} is out of range [${VALUE_LIMITS.splitRatio.join(', ')}]`);
        else if (kind === 'dividend' && value > VALUE_LIMITS.price[1]) this.#badRow(line, 'value', `dividend ${value} is out of range (at most ${VALUE_LIMITS.price[1]})`);
        const known = this.#date(line, 'known_at', g(4), false);
        if (this.#rowBad) break;
        if (this.#dupKey(`${symbol}\u0000${kind}\u0000${ex}\u0000${known}`, line, 'ex_date')) break;
        this.#push(this.#intern(symbol, line), line, [ex, value, known], [kind]);
        break;
      }
    }
    this.#rowBad = false;
  }

  // The hot path: a million rows per file. No closures or arrays per row; dates parsed once per distinct text.
  #bar(f: string[], line: number): void {
    const idx = this.#idx;
    const symText = f[idx[0]];
    let s = this.#symbols.get(symText);
    if (s === undefined) {
      const symbol = symText.trim();
      const why = symbolProblem(symbol);
      if (why !== null) this.#badRow(line, 'symbol', why);
      else s = this.#symbols.get(symbol);
    }
    const dateText = f[idx[1]];
    let ts = this.#dateCache.get(dateText);
    if (ts === undefined) {
      ts = this.#date(line, 'date', dateText, false);
      if (ts === ts && dateText.length <= 10) this.#dateCache.set(dateText, ts);
    }
    const o = this.#fastNumber(line, 'open', f[idx[2]]);
    const h = this.#fastNumber(line, 'high', f[idx[3]]);
    const l = this.#fastNumber(line, 'low', f[idx[4]]);
    const c = this.#fastNumber(line, 'close', f[idx[5]]);
    const v = this.#fastNumber(line, 'volume', f[idx[6]]);
    this.#barRow(s, symText, ts, o, h, l, c, v, line);
  }

  /** Range checks and storage of one parsed bar row (`s`: the symbol's index when already known). */
  #barRow(s: number | undefined, symText: string, ts: number, o: number, h: number, l: number, c: number, v: number, line: number): void {
    if (o <= 0) this.#badRow(line, 'open', `must be > 0, got ${o}`);
    if (h <= 0) this.#badRow(line, 'high', `must be > 0, got ${h}`);
    if (l <= 0) this.#badRow(line, 'low', `must be > 0, got ${l}`);
    if (c <= 0) this.#badRow(line, 'close', `must be > 0, got ${c}`);
    if (v < 0) this.#badRow(line, 'volume', `must be >= 0, got ${v}`);
    else if (v > VALUE_LIMITS.volume) this.#badRow(line, 'volume', `${v} is out of range (at most ${VALUE_LIMITS.volume})`);
    if (!this.#rowBad) {
      const [lo, hi] = VALUE_LIMITS.price;
      if (o < lo || o > hi) this.#badRow(line, 'open', `${o} is out of range [${lo}, ${hi}]`);
      if (h < lo || h > hi) this.#badRow(line, 'high', `${h} is out of range [${lo}, ${hi}]`);
      if (l < lo || l > hi) this.#badRow(line, 'low', `${l} is out of range [${lo}, ${hi}]`);
      if (c < lo || c > hi) this.#badRow(line, 'close', `${c} is out of range [${lo}, ${hi}]`);
    }
    if (l > o) this.#badRow(line, 'low', `low ${l} > open ${o}`);
    else if (l > c) this.#badRow(line, 'low', `low ${l} > close ${c}`);
    if (o > h) this.#badRow(line, 'high', `open ${o} > high ${h}`);
    else if (c > h) this.#badRow(line, 'high', `close ${c} > high ${h}`);
    if (this.#rowBad) {
      this.#rowBad = false;
      return;
    }
    if (s === undefined) s = this.#intern(symText.trim(), line);
    if (s >= this.#lastTs.length || !(ts <= this.#lastTs[s])) this.#lastTs[s] = ts;
    else this.#unsorted.add(s);
    this.rows++;
    this.#sym.push(s);
    this.#line.push(line);
    const n = this.#num;
    n[0].push(ts);
    n[1].push(o);
    n[2].push(h);
    n[3].push(l);
    n[4].push(c);
    n[5].push(v);
  }

  /**
   * One physical line of a bars file as bytes (see `readCsv`'s `lineSink`). Rows made only of plain
   * fields (an ASCII symbol, a YYYY-MM-DD date, decimals) are parsed here without making strings;
   * anything else goes through {@link record}, so errors read the same either way.
   */
  line(buf: Buffer, start: number, end: number, line: number): void {
    if (!this.#fastBars || !this.#barBytes(buf, start, end, line)) this.record(buf.toString('utf8', start, end).split(','), line);
  }

  #fastBars = false;
  readonly #fieldAt = new Int32Array(8);
  #lastSym = Buffer.alloc(64);
  #lastSymLen = -1;
  #lastSymText = '';
  #lastSymOk = false;
  readonly #dayCache = new Map<number, number>();

  /** The fast path of {@link line}; false (nothing recorded) when the row needs the general path. */
  #barBytes(buf: Buffer, start: number, end: number, line: number): boolean {
    const at = this.#fieldAt;
    let k = 0;
    at[0] = start;
    for (let i = start; i < end; i++) {
      if (buf[i] === 44) {
        if (k === 6) return false;
        at[++k] = i + 1;
      }
    }
    if (k !== 6) return false;
    at[7] = end + 1;
    const idx = this.#idx;
    // Symbol: printable ASCII without spaces (anything else may need trimming or be an error).
    const sa = at[idx[0]];
    const sb = at[idx[0] + 1] - 1;
    if (sb <= sa || sb - sa > 64) return false;
    let same = sb - sa === this.#lastSymLen;
    for (let i = sa; i < sb; i++) {
      const b = buf[i];
      if (b <= 32 || b >= 127) return false;
      if (same && this.#lastSym[i - sa] !== b) same = false;
    }
    if (!same) {
      buf.copy(this.#lastSym, 0, sa, sb);
      this.#lastSymLen = sb - sa;
      this.#lastSymText = buf.toString('latin1', sa, sb);
      this.#lastSymOk = this.#symbols.has(this.#lastSymText) || symbolProblem(this.#lastSymText) === null;
    }
    // A symbol the rules refuse goes through the general path, which reports it.
    if (!this.#lastSymOk) return false;
    const symText = this.#lastSymText;
    // Date: exactly YYYY-MM-DD; each distinct day goes through parseDate once.
    const da = at[idx[1]];
    if (at[idx[1] + 1] - 1 - da !== 10 || buf[da + 4] !== 45 || buf[da + 7] !== 45) return false;
    let key = 0;
    for (let i = da; i < da + 10; i++) {
      if (i === da + 4 || i === da + 7) continue;
      const dgt = buf[i] - 48;
      if (dgt < 0 || dgt > 9) return false;
      key = key * 10 + dgt;
    }
    let ts = this.#dayCache.get(key);
    if (ts === undefined) {
      const parsed = parseDate(buf.toString('latin1', da, da + 10));
      if (parsed === null) return false;
      this.#dayCache.set(key, (ts = parsed));
    }
    const o = decimalAt(buf, at[idx[2]], at[idx[2] + 1] - 1);
    const h = decimalAt(buf, at[idx[3]], at[idx[3] + 1] - 1);
    const l = decimalAt(buf, at[idx[4]], at[idx[4] + 1] - 1);
    const c = decimalAt(buf, at[idx[5]], at[idx[5] + 1] - 1);
    const v = decimalAt(buf, at[idx[6]], at[idx[6] + 1] - 1);
    if (o !== o || h !== h || l !== l || c !== c || v !== v) return false;
    this.#barRow(this.#symbols.get(symText), symText, ts, o, h, l, c, v, line);
    return true;
  }

  readonly #dateCache = new Map<string, number>();

  #fastNumber(line: number, column: string, text: string): number {
    const v = +text;
    // `+''` and `+'  '` are 0, `+'Infinity'` is not finite and `+'0xC'` is 12: all errors here.
    if (v - v !== 0 || (v === 0 && text.trim() === '') || !DECIMAL_RE.test(text)) return this.#number(line, column, text);
    return v;
  }

  #rowBad = false;
  #badRow(line: number, column: string, reason: string): void {
    this.#rowBad = true;
    this.#bad(line, column, reason);
  }

  #header(f: string[], line: number): void {
    this.sawHeader = true;
    const names = f.map((x, i) => (i === 0 ? x.replace(/^\uFEFF/, '') : x).trim().toLowerCase());
    const cols = IMPORT_COLUMNS[this.#kind];
    const optional = OPTIONAL_IMPORT_COLUMNS[this.#kind];
    this.#idx = cols.map((c) => names.indexOf(c));
    this.#nFields = names.length;
    cols.forEach((c, i) => {
      if (this.#idx[i] < 0) this.#bad(line, 'header', `missing column "${c}" (expected ${cols.join(',')})`);
    });
    names.forEach((n) => {
      if (!cols.includes(n) && !optional.includes(n)) this.#bad(line, 'header', `unexpected column ${excerpt(n)} (expected ${[...cols, ...optional.map((o) => `[${o}]`)].join(',')})`);
    });
    if (new Set(names).size !== names.length) this.#bad(line, 'header', 'a column is named twice');
    const present = this.#idx.filter((i) => i >= 0).length;
    for (const o of optional) this.#idx.push(names.indexOf(o));
    // Stop parsing rows when the header is wrong: every row would repeat the same error.
    if (present < cols.length || names.some((n) => !cols.includes(n) && !optional.includes(n))) this.record = () => undefined;
    else this.#fastBars = this.#kind === 'bars' && new Set(names).size === names.length;
  }

  #number(line: number, column: string, text: string): number {
    const t = text.trim();
    const decimal = DECIMAL_RE.test(t);
    const v = t === '' || !decimal ? Number.NaN : Number(t);
    if (!Number.isFinite(v)) {
      const why = !decimal && Number.isFinite(Number(t)) ? 'is not a number (decimal digits only)' : decimal ? 'is out of range' : 'is not a number';
      this.#badRow(line, column, t === '' ? 'empty' : `${excerpt(t)} ${why}`);
    }
    return Number.isFinite(v) ? v : Number.NaN;
  }

  #textOk(line: number, column: string, text: string): void {
    const why = textProblem(text);
    if (why !== null) this.#badRow(line, column, why);
  }

  #date(line: number, column: string, text: string, dateOnly: boolean): number {
    const t = text.trim();
    const v = parseDate(t);
    if (v === null || (dateOnly && t.length !== 10)) {
      this.#badRow(line, column, t === '' ? 'empty' : `${excerpt(t)} is not a ${dateOnly ? 'YYYY-MM-DD date' : 'YYYY-MM-DD date or ISO datetime with zone'}`);
      return Number.NaN;
    }
    return v;
  }

  #dupKey(key: string, line: number, column: string): boolean {
    const prev = this.#keys.get(key);
    if (prev !== undefined) {
      this.#badRow(line, column, `duplicate of line ${prev}`);
      return true;
    }
    this.#keys.set(key, line);
    return false;
  }

  #intern(symbol: string, line: number): number {
    let s = this.#symbols.get(symbol);
    if (s === undefined) {
      s = this.#symbolList.length;
      this.#symbols.set(symbol, s);
      this.#symbolList.push(symbol);
      this.#firstLine.push(line);
    }
    return s;
  }

  #push(s: number, line: number, nums: number[], texts: string[]): void {
    this.rows++;
    this.#sym.push(s);
    this.#line.push(line);
    for (let k = 0; k < nums.length; k++) this.#num[k].push(nums[k]);
    for (let k = 0; k < texts.length; k++) this.#text[k].push(texts[k]);
  }

  /** Bars only: finds repeated (symbol, date) among symbols whose rows were not in ascending order. */
  checkDuplicates(): void {
    if (this.#kind !== 'bars' || this.#unsorted.size === 0) return;
    const seen = new Map<number, number>();
    for (const s of this.#unsorted) {
      seen.clear();
      for (let i = 0; i < this.#sym.n; i++) {
        if (this.#sym.a[i] !== s) continue;
        const ts = this.#num[0].a[i];
        const prev = seen.get(ts);
        if (prev !== undefined) this.#bad(this.#line.a[i], 'date', `duplicate of line ${prev} (same symbol and date)`);
        else seen.set(ts, this.#line.a[i]);
      }
    }
  }

  /** Fundamentals and actions must name instruments the store (or an instruments import) already has. */
  checkKnownSymbols(store: Store): void {
    if (this.#kind !== 'fundamentals' && this.#kind !== 'actions') return;
    const get = connection(store).prepare('SELECT id FROM instruments WHERE symbol = ?').pluck();
    this.#symbolList.forEach((sym, s) => {
      if (get.get(sym) === undefined) this.#bad(this.#firstLine[s], 'symbol', `unknown instrument "${sym}" (import instruments or bars first)`);
    });
  }

  #writeBars(db: Db, ids: Float64Array, full: Statement, upsert: (rows: number) => Statement, progress: (rows: number) => void): number {
    let changed = 0;
    const BATCH = 128;

      // Bulk loads: maintaining the secondary indexes row by row costs ~3x the table insert itself;
      // dropping and rebuilding them (one sort) inside this transaction is far cheaper when the
      // import is large next to what is stored. Readers keep their snapshot meanwhile (WAL).
      const indexes = this.rows >= 100_000 ? (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bars' AND sql IS NOT NULL").all() as { name: string; sql: string }[]) : [];
      const rebuild = indexes.length > 0 && this.rows * 4 >= (db.prepare('SELECT count(*) FROM bars').pluck().get() as number);
      if (rebuild) for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);
      const params: number[] = new Array(BATCH * 7);
      const sym = this.#sym.a;
      const [ts, o, h, l, c, v] = this.#num.map((x) => x.a);
      let i = 0;
      for (; i + BATCH <= this.rows; i += BATCH) {
        for (let k = 0, p = 0; k < BATCH; k++) {
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
        if ((i & 0xffff) < BATCH) progress(i + BATCH);
      }
      if (i < this.rows) {
        const rest = this.rows - i;
        const tail: number[] = [];
        for (let r = i; r < this.rows; r++) tail.push(ids[sym[r]], ts[r], o[r], h[r], l[r], c[r], v[r]);
        changed += upsert(rest).run(tail).changes;
      }
      if (rebuild) for (const ix of indexes) db.exec(ix.sql);
      return changed;
  }

  /** Writes every row (inside the caller's transaction); returns the number of rows inserted or changed. */
  write(store: Store, progress: (rows: number) => void): number {
    const db = connection(store);
    let changed = 0;
    const ids = new Float64Array(this.#symbolList.length);
    const getId = db.prepare('SELECT id FROM instruments WHERE symbol = ?').pluck();
    if (this.#kind === 'instruments') {
      // A null @type (no `type` column) inserts a stock and keeps an existing instrument's type.
      const up = db.prepare(
        `INSERT INTO instruments(symbol, name, sector, currency, listed_on, delisted_on, type)
           VALUES (@symbol, @name, @sector, @currency, @listed, @delisted, coalesce(@type, 'stock'))
         ON CONFLICT(symbol) DO UPDATE SET name = excluded.name, sector = excluded.sector, currency = excluded.currency,
           listed_on = excluded.listed_on, delisted_on = excluded.delisted_on, type = coalesce(@type, type)
         WHERE name IS NOT excluded.name OR sector IS NOT excluded.sector OR currency IS NOT excluded.currency
           OR listed_on IS NOT excluded.listed_on OR delisted_on IS NOT excluded.delisted_on OR (@type IS NOT NULL AND type IS NOT @type)`,
      );
      const [listed, delisted] = this.#num;
      const [name, sector, currency, type] = this.#text;
      for (let i = 0; i < this.rows; i++) {
        const nn = (v: number) => (Number.isNaN(v) ? null : v);
        changed += up.run({
          symbol: this.#symbolList[this.#sym.a[i]],
          name: name[i],
          sector: sector[i],
          currency: currency[i],
          listed: nn(listed.a[i]),
          delisted: nn(delisted.a[i]),
          type: type[i] === '' ? null : type[i],
        }).changes;
      }
      return changed;
    }
    if (this.#kind === 'bars') {
      const create = db.prepare('INSERT INTO instruments(symbol) VALUES (?) ON CONFLICT(symbol) DO NOTHING');
      this.#symbolList.forEach((sym, s) => {
        changed += create.run(sym).changes;
        ids[s] = getId.get(sym) as number;
      });
      // Multi-row upserts: one statement call per BATCH rows cuts the per-call binding overhead.
      const BATCH = 128;
      const upsert = (rows: number) =>
        db.prepare(
          `INSERT INTO bars(instrument_id, ts, open, high, low, close, volume) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}
           ON CONFLICT(instrument_id, ts) DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low,
             close = excluded.close, volume = excluded.volume
           WHERE open IS NOT excluded.open OR high IS NOT excluded.high OR low IS NOT excluded.low
             OR close IS NOT excluded.close OR volume IS NOT excluded.volume`,
        );
      const full = upsert(BATCH);
      // The per-row change triggers would cost more than the insert itself: count this write at once instead.
      changed += withoutChangeTriggers(db, 'bars', () => this.#writeBars(db, ids, full, upsert, progress));
      return changed;
    }
    this.#symbolList.forEach((sym, s) => {
      ids[s] = getId.get(sym) as number;
    });
    const [a, value, known] = this.#num.map((x) => x.a);
    const [text] = this.#text;
    const up =
      this.#kind === 'fundamentals'
        ? db.prepare(
            `INSERT INTO fundamentals(instrument_id, field, period_end, known_at, value) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(instrument_id, field, period_end, known_at) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`,
          )
        : db.prepare(
            `INSERT INTO corporate_actions(instrument_id, kind, ex_date, known_at, value) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(instrument_id, kind, ex_date, known_at) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`,
          );
    for (let i = 0; i < this.rows; i++) changed += up.run(ids[this.#sym.a[i]], text[i], a[i], known[i], value[i]).changes;
    return changed;
  }
}
