import { create } from 'zustand';
import type { AppError } from '../../../core/contract';
import type { Instrument } from '../../../core/model/bars';

interface InstrumentsState {
  readonly instruments: readonly Instrument[];
  readonly isLoaded: boolean;
  readonly error: AppError | null;
}

export const useInstrumentsStore = create<InstrumentsState>()(() => ({ instruments: [], isLoaded: false, error: null }));

/**
 * Ranks instruments for a search box: exact symbol, then symbol prefix, then symbol substring, then
 * name substring (case-insensitive). Returns at most `limit` results; an empty query lists the first ones.
 */
export function searchInstruments(list: readonly Instrument[], query: string, limit = 50): Instrument[] {
  const q = query.trim().toLowerCase();
  if (!q) return list.slice(0, limit);
  const buckets: Instrument[][] = [[], [], [], []];
  for (const inst of list) {
    const s = inst.symbol.toLowerCase();
    if (s === q) buckets[0].push(inst);
    else if (s.startsWith(q)) buckets[1].push(inst);
    else if (s.includes(q)) buckets[2].push(inst);
    else if (inst.name.toLowerCase().includes(q)) buckets[3].push(inst);
  }
  return buckets.flat().slice(0, limit);
}

/** Moves a list selection by `delta`, wrapping around; -1 when the list is empty. */
export function moveSelection(index: number, delta: number, length: number): number {
  if (length === 0) return -1;
  return (((index + delta) % length) + length) % length;
}
