import type { CrossSectionalStrategy, CrossSectionView, PortfolioStrategy } from '../strategy/types';

/**
 * A portfolio strategy as the engine's cross-sectional loop runs it: a decision at every bar (daily
 * rebalance key, one per trading day), each seeing that bar's point-in-time cross-section, with the
 * strategy's state created once per run here (so one definition serves many concurrent runs).
 * `null` from `step` keeps the book unchanged (no rebalance trades that day).
 */
export function portfolioAsCrossSectional<P, S>(
  strategy: PortfolioStrategy<P, S>,
  params: P,
): CrossSectionalStrategy<P> {
  const state = strategy.init(params);
  return {
    kind: 'cross-sectional',
    name: strategy.name,
    description: strategy.description,
    params: strategy.params,
    rebalance: () => 'daily',
    // null (keep the book) passes through: the engine skips the rebalance for it.
    weights: (_p: P, view: CrossSectionView) => strategy.step(state, view) as ReadonlyMap<string, number>,
    fields: strategy.fields ? (p: P) => strategy.fields!(p) : undefined,
  };
}
