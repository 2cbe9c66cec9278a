import { create } from 'zustand';
import type { AppError } from '../../../core/contract';
import type { DataInstrument } from '../../../core/contract';

/** What search needs of an instrument. */
export interface Instrument {
  readonly symbol: string;
  readonly name: string;
  readonly sector: string;
  readonly currency?: string;
}

interface InstrumentsState {
  readonly instruments: readonly DataInstrument[];
  readonly isLoaded: boolean;
  readonly error: AppError | null;
}

export const useInstrumentsStore = create<InstrumentsState>()(() => ({
  instruments: [],
  isLoaded: false,
  error: null,
}));

/** Loads every instrument with its coverage (first/last date, bars, gaps). */
export async function loadInstruments(): Promise<void> {
  const r = await window.api.invoke('data:instruments');
  useInstrumentsStore.setState(
    r.ok ? { instruments: r.value, isLoaded: true, error: null } : { error: r.error, isLoaded: true },
  );
}

/**
 * Ranks instruments for a search box: exact symbol, then symbol prefix, then symbol substring, then
 * name substring, then sector substring (case-insensitive: "technology" lists that sector's names).
 * Returns at most `limit` results; an empty query lists the first ones.
 */
export function searchInstruments<T extends Instrument>(list: readonly T[], query: string, limit = 50): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return list.slice(0, limit);
  const buckets: T[][] = [[], [], [], [], []];
  for (const inst of list) {
    const s = inst.symbol.toLowerCase();
    if (s === q) buckets[0].push(inst);
    else if (s.startsWith(q)) buckets[1].push(inst);
    else if (s.includes(q)) buckets[2].push(inst);
    else if (inst.name.toLowerCase().includes(q)) buckets[3].push(inst);
    else if (inst.sector && inst.sector.toLowerCase().includes(q)) buckets[4].push(inst);
  }
  return buckets.flat().slice(0, limit);
}

/** Moves a list selection by `delta`, wrapping around; -1 when the list is empty. */
export function moveSelection(index: number, delta: number, length: number): number {
  if (length === 0) return -1;
  return (((index + delta) % length) + length) % length;
}
