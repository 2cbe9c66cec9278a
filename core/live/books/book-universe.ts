import { universeRowsBySymbol } from '../../store/pit-rows';
import type { Store } from '../../store/sqlite-bar-store';

/** Whether a symbol is in a book's universe at a time (EpochMs), as known at that time. */
export type Membership = (symbol: string, time: number) => boolean;

/**
 * A named point-in-time universe as a book trades it: every symbol it ever held (what the book's feed carries),
 * and the membership test the book's strategy is gated by each bar: a symbol is tradable at `t` only while a
 * membership row covers `t` (`valid_from <= t < valid_to`) and was public by then (`known_at <= t`), the rule
 * the backtest's cross-sections and the model specs use. Throws when the universe has no members.
 */
export function bookUniverse(store: Store, name: string): { symbols: string[]; member: Membership } {
  const rows = universeRowsBySymbol(store, name);
  if (rows.size === 0) throw new Error(`universe "${name}" has no members in the store`);
  const member: Membership = (symbol, t) => {
    const list = rows.get(symbol);
    if (!list) return false;
    for (const [from, to, known] of list) if (known <= t && from <= t && !(to !== null && to <= t)) return true;
    return false;
  };
  return { symbols: [...rows.keys()], member };
}
