import type { Strategy } from './types';

const independent = new WeakSet<Strategy>();

/**
 * Declares that `strategy`'s decision for a name depends only on that name's bars and its own state
 * (nothing shared across names): the engine may then step each name through a block of bars ahead of
 * the others (see `core/backtest/single-loop.ts`), which reads the panel contiguously. Built-ins are
 * declared when they register; a user strategy is not (its module scope could be shared across names,
 * and stepping a name ahead would let it see another name's later bars).
 */
export function declareNamesIndependent(strategy: Strategy): void {
  independent.add(strategy);
}

/** Whether {@link declareNamesIndependent} was called for `strategy`. */
export function namesIndependent(strategy: Strategy): boolean {
  return independent.has(strategy);
}
