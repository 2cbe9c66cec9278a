import { createHash } from 'node:crypto';
import { fail, ok, type Result } from '../model/result';
import { CsvSyntaxError, InputFileError, readCsv, sourceName, type CsvSource } from './csv';
import { IMPORT_COLUMNS, type ImportKind } from './import-kinds';
import { RowParser } from './import-parser';
import { writeImport } from './import-writer';
import type { Store } from './sqlite-bar-store';

export {
  IMPORT_COLUMNS,
  IMPORT_KIND_COLUMNS,
  IMPORT_KINDS,
  OPTIONAL_IMPORT_COLUMNS,
  type ImportKind,
  type ImportKindColumns,
} from './import-kinds';
export { SYMBOL_RE, VALUE_LIMITS, decimalAt, excerpt, symbolProblem, textProblem } from './import-values';

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

/**
 * Imports one CSV file of `kind` into the store: validates every row first (header, types, dates via
 * `parseDate`, OHLC consistency, volume >= 0, duplicates within the file), then writes all rows in
 * one transaction. Any bad row: nothing is stored and the result is `invalid-input` whose `details`
 * are `FILE:LINE: column: reason` lines (up to `maxErrors`, then a count of the rest). Rows equal to
 * what is stored change nothing, so re-importing a file is a no-op; an import that changes something
 * is recorded in `imports` (and so changes {@link dataFingerprint}). Fundamentals with the same
 * symbol, field and period_end but another `known_at` are restatements, stored beside each other.
 */
export async function importCsv(
  store: Store,
  kind: ImportKind,
  src: CsvSource,
  options: ImportOptions = {},
): Promise<Result<ImportReport>> {
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
    if ((e as Error).name === 'AbortError')
      return fail('cancelled', `import of ${file} was cancelled; nothing was stored`);
    if (e instanceof CsvSyntaxError) bad(e.line, '(record)', e.message);
    else if (e instanceof InputFileError) return fail('invalid-input', `${e.message}; nothing was imported`);
    else if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fail('not-found', `${file}: no such file`);
    else if (typeof (e as NodeJS.ErrnoException).code === 'string')
      return fail('invalid-input', `${file}: cannot read (${(e as NodeJS.ErrnoException).code}); nothing was imported`);
    else throw e;
  }
  if (!parser.sawHeader) bad(1, 'header', `empty file; expected ${IMPORT_COLUMNS[kind].join(',')}`);
  if (errorCount === 0) parser.checkDuplicates();
  if (errorCount === 0) parser.checkKnownSymbols(store);
  if (errorCount > 0) {
    if (errorCount > errors.length) errors.push(`${file}: … and ${errorCount - errors.length} more bad rows`);
    return fail(
      'invalid-input',
      `${file}: ${errorCount} bad row${errorCount === 1 ? '' : 's'}; nothing was imported`,
      errors,
    );
  }
  if (options.signal?.aborted) return fail('cancelled', `import of ${file} was cancelled; nothing was stored`);
  const sha256 = hash.digest('hex');
  const { changed, importId } = writeImport(store, parser.parsed(), { source: file, sha256 }, (rows) =>
    options.onProgress?.({ phase: 'write', rows, totalRows: parser.rows, bytes, totalBytes }),
  );
  options.onProgress?.({ phase: 'done', rows: parser.rows, bytes, totalBytes });
  return ok({ kind, source: file, importId, rows: parser.rows, changed, sha256, durationMs: performance.now() - t0 });
}
