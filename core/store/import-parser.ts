import { INSTRUMENT_TYPES, isInstrumentType } from '../model/instrument';
import { parseDate } from '../model/time';
import {
  IMPORT_COLUMNS,
  IMPORT_KIND_COLUMNS,
  OPTIONAL_IMPORT_COLUMNS,
  type ImportKind,
  type ParsedRows,
} from './import-kinds';
import {
  DECIMAL_RE,
  MAX_FIELD_CHARS,
  VALUE_LIMITS,
  decimalAt,
  excerpt,
  symbolProblem,
  textProblem,
} from './import-values';
import { unknownSymbols } from './import-writer';
import type { Store } from './sqlite-bar-store';

/** Reports one bad field: its line, column name and reason. */
export type Bad = (line: number, column: string, reason: string) => void;

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

/** Validates records into columns; one instance per import. */
export class RowParser {
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
    for (let i = 0; i < IMPORT_KIND_COLUMNS[kind].numbers.length; i++) this.#num.push(new Col());
    for (let i = 0; i < IMPORT_KIND_COLUMNS[kind].texts.length; i++) this.#text.push([]);
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
        if (type !== '' && !isInstrumentType(type))
          this.#badRow(line, 'type', `unknown type "${g(6).trim()}" (expected one of ${INSTRUMENT_TYPES.join(', ')})`);
        if (this.#rowBad) break;
        this.#push(this.#intern(symbol, line), line, [listed, delisted], [name, sector, currency, type]);
        break;
      }
      case 'fundamentals': {
        const field = g(1).trim();
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(field))
          this.#badRow(line, 'field', `${excerpt(field)} is not a field name`);
        const period = this.#date(line, 'period_end', g(2), true);
        const value = this.#number(line, 'value', g(3));
        if (Math.abs(value) > VALUE_LIMITS.fundamental)
          this.#badRow(line, 'value', `${value} is out of range (at most ±${VALUE_LIMITS.fundamental})`);
        const known = this.#date(line, 'known_at', g(4), false);
        if (known < period)
          this.#badRow(line, 'known_at', 'before period_end (a value cannot be public before its period ends)');
        if (this.#rowBad) break;
        if (this.#dupKey(`${symbol}\u0000${field}\u0000${period}\u0000${known}`, line, 'known_at')) break;
        this.#push(this.#intern(symbol, line), line, [period, value, known], [field]);
        break;
      }
      case 'actions': {
        const kind = g(1).trim();
        if (kind !== 'split' && kind !== 'dividend')
          this.#badRow(line, 'kind', `${excerpt(kind)} is not split or dividend`);
        const ex = this.#date(line, 'ex_date', g(2), true);
        const value = this.#number(line, 'value', g(3));
        if (value <= 0) this.#badRow(line, 'value', `must be > 0, got ${value}`);
        else if (kind === 'split' && (value < VALUE_LIMITS.splitRatio[0] || value > VALUE_LIMITS.splitRatio[1]))
          this.#badRow(line, 'value', `split ratio ${value} is out of range [${VALUE_LIMITS.splitRatio.join(', ')}]`);
        else if (kind === 'dividend' && value > VALUE_LIMITS.price[1])
          this.#badRow(line, 'value', `dividend ${value} is out of range (at most ${VALUE_LIMITS.price[1]})`);
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
  #barRow(
    s: number | undefined,
    symText: string,
    ts: number,
    o: number,
    h: number,
    l: number,
    c: number,
    v: number,
    line: number,
  ): void {
    if (o <= 0) this.#badRow(line, 'open', `must be > 0, got ${o}`);
    if (h <= 0) this.#badRow(line, 'high', `must be > 0, got ${h}`);
    if (l <= 0) this.#badRow(line, 'low', `must be > 0, got ${l}`);
    if (c <= 0) this.#badRow(line, 'close', `must be > 0, got ${c}`);
    if (v < 0) this.#badRow(line, 'volume', `must be >= 0, got ${v}`);
    else if (v > VALUE_LIMITS.volume)
      this.#badRow(line, 'volume', `${v} is out of range (at most ${VALUE_LIMITS.volume})`);
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
    if (!this.#fastBars || !this.#barBytes(buf, start, end, line))
      this.record(buf.toString('utf8', start, end).split(','), line);
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
    if (v - v !== 0 || (v === 0 && text.trim() === '') || !DECIMAL_RE.test(text))
      return this.#number(line, column, text);
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
      if (!cols.includes(n) && !optional.includes(n))
        this.#bad(
          line,
          'header',
          `unexpected column ${excerpt(n)} (expected ${[...cols, ...optional.map((o) => `[${o}]`)].join(',')})`,
        );
    });
    if (new Set(names).size !== names.length) this.#bad(line, 'header', 'a column is named twice');
    const present = this.#idx.filter((i) => i >= 0).length;
    for (const o of optional) this.#idx.push(names.indexOf(o));
    // Stop parsing rows when the header is wrong: every row would repeat the same error.
    if (present < cols.length || names.some((n) => !cols.includes(n) && !optional.includes(n)))
      this.record = () => undefined;
    else this.#fastBars = this.#kind === 'bars' && new Set(names).size === names.length;
  }

  #number(line: number, column: string, text: string): number {
    const t = text.trim();
    const decimal = DECIMAL_RE.test(t);
    const v = t === '' || !decimal ? Number.NaN : Number(t);
    if (!Number.isFinite(v)) {
      const why =
        !decimal && Number.isFinite(Number(t))
          ? 'is not a number (decimal digits only)'
          : decimal
            ? 'is out of range'
            : 'is not a number';
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
      this.#badRow(
        line,
        column,
        t === ''
          ? 'empty'
          : `${excerpt(t)} is not a ${dateOnly ? 'YYYY-MM-DD date' : 'YYYY-MM-DD date or ISO datetime with zone'}`,
      );
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
    const missing = new Set(unknownSymbols(store, this.#symbolList));
    this.#symbolList.forEach((sym, s) => {
      if (missing.has(sym))
        this.#bad(this.#firstLine[s], 'symbol', `unknown instrument "${sym}" (import instruments or bars first)`);
    });
  }

  /** The validated rows as named columns (see {@link ParsedRows}). */
  parsed(): ParsedRows {
    const def = IMPORT_KIND_COLUMNS[this.#kind];
    return {
      kind: this.#kind,
      rows: this.rows,
      symbols: this.#symbolList,
      symbolOf: this.#sym.a,
      numbers: Object.fromEntries(def.numbers.map((name, k) => [name, this.#num[k].a])),
      texts: Object.fromEntries(def.texts.map((name, k) => [name, this.#text[k]])),
    };
  }
}
