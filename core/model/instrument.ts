/**
 * What an instrument is. `stock` is the default (the CSV column `type` may be left out); an `index`
 * is a benchmark and never a holding; `universe: "all"` trades `stock` unless a spec names `types`.
 */
export const INSTRUMENT_TYPES = ['stock', 'etf', 'fund', 'index', 'future', 'option', 'crypto', 'fx', 'bond'] as const;

/** One of {@link INSTRUMENT_TYPES}. */
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];

/** The types `universe: "all"` trades when a spec names none. */
export const DEFAULT_UNIVERSE_TYPES: readonly InstrumentType[] = ['stock'];

/** Whether `t` names an instrument type. */
export function isInstrumentType(t: string): t is InstrumentType {
  return (INSTRUMENT_TYPES as readonly string[]).includes(t);
}
