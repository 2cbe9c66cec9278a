/** One import kind's CSV layout, by column name. */
export interface ImportKindColumns {
  /** Columns the header must name (any order; no others but {@link optional}). */
  readonly required: readonly string[];
  /** Columns the header may add (any position); a missing one takes its default. */
  readonly optional: readonly string[];
  /** The parsed numeric columns (dates as epoch ms), in the order the parser fills them. */
  readonly numbers: readonly string[];
  /** The parsed text columns, in the order the parser fills them. */
  readonly texts: readonly string[];
}

/**
 * The import kinds and their columns: the one registry of what a CSV file may hold. Adding a kind means an
 * entry here, its row rule in import-parser.ts and its writer in import-writer.ts (both maps keyed by kind).
 * `instruments.type`: see `INSTRUMENT_TYPES`, default `stock`.
 */
export const IMPORT_KIND_COLUMNS = {
  instruments: {
    required: ['symbol', 'name', 'sector', 'currency', 'listed_on', 'delisted_on'],
    optional: ['type'],
    numbers: ['listed_on', 'delisted_on'],
    texts: ['name', 'sector', 'currency', 'type'],
  },
  bars: {
    required: ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'],
    optional: [],
    numbers: ['date', 'open', 'high', 'low', 'close', 'volume'],
    texts: [],
  },
  fundamentals: {
    required: ['symbol', 'field', 'period_end', 'value', 'known_at'],
    optional: [],
    numbers: ['period_end', 'value', 'known_at'],
    texts: ['field'],
  },
  actions: {
    required: ['symbol', 'kind', 'ex_date', 'value', 'known_at'],
    optional: [],
    numbers: ['ex_date', 'value', 'known_at'],
    texts: ['kind'],
  },
} as const satisfies Record<string, ImportKindColumns>;

/** What a CSV file holds. */
export type ImportKind = keyof typeof IMPORT_KIND_COLUMNS;

/** The import kinds, for CLI and schema validation. */
export const IMPORT_KINDS: readonly ImportKind[] = Object.keys(IMPORT_KIND_COLUMNS) as ImportKind[];

/** The columns each kind's header must name (any order; no others). */
export const IMPORT_COLUMNS: Record<ImportKind, readonly string[]> = mapKinds((c) => c.required);

/** Columns a kind's header may add (any position); a missing one takes its default. `type`: see `INSTRUMENT_TYPES`, default `stock`. */
export const OPTIONAL_IMPORT_COLUMNS: Record<ImportKind, readonly string[]> = mapKinds((c) => c.optional);

function mapKinds<T>(f: (c: ImportKindColumns) => T): Record<ImportKind, T> {
  return Object.fromEntries(Object.entries(IMPORT_KIND_COLUMNS).map(([k, c]) => [k, f(c)])) as Record<ImportKind, T>;
}

/**
 * A validated import held as columns: per row the index of its symbol in `symbols`, and each of the kind's
 * {@link ImportKindColumns.numbers} and {@link ImportKindColumns.texts} by name (arrays may be longer than `rows`).
 */
export interface ParsedRows {
  readonly kind: ImportKind;
  readonly rows: number;
  readonly symbols: readonly string[];
  readonly symbolOf: Float64Array;
  readonly numbers: Readonly<Record<string, Float64Array>>;
  readonly texts: Readonly<Record<string, readonly string[]>>;
}
