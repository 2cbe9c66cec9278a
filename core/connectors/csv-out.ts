import { IMPORT_COLUMNS, type ImportKind } from '../store/import';

/** Builds an import CSV for `kind` row by row (fields quoted per RFC 4180 when needed). */
export class CsvOut {
  readonly kind: ImportKind;
  #lines: string[];
  rows = 0;

  constructor(kind: ImportKind) {
    this.kind = kind;
    this.#lines = [IMPORT_COLUMNS[kind].join(',')];
  }

  /** Appends a row; fields in the kind's column order. */
  add(fields: readonly (string | number)[]): void {
    this.#lines.push(fields.map(quote).join(','));
    this.rows++;
  }

  /** The CSV text, or undefined when no row was added. */
  text(): string | undefined {
    return this.rows === 0 ? undefined : `${this.#lines.join('\n')}\n`;
  }
}

function quote(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
