import type { ImportKind } from '../../stores/data-store';

/** The import kinds and their columns, as the import form lists them (mirrors the importer's headers). */
export const IMPORT_KINDS_UI: readonly { kind: ImportKind; columns: string }[] = [
  { kind: 'bars', columns: 'symbol,date,open,high,low,close,volume' },
  { kind: 'instruments', columns: 'symbol,name,sector,currency,listed_on,delisted_on' },
  { kind: 'fundamentals', columns: 'symbol,field,period_end,value,known_at' },
  { kind: 'actions', columns: 'symbol,kind,ex_date,value,known_at' },
];
