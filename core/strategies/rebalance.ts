import { periodKey } from '../backtest/calendar';
import type { Panel } from '../data/panel-types';
import { toWeightMap } from '../strategy/weights';
import type { CrossSectionalStrategy } from '../strategy/types';
import { createCrossSectionView, type CrossSectionAudit } from './cross-section-view';
import type { PitFacts } from './pit-facts';

/** How often a cross-sectional strategy rebalances. */
export type RebalanceFrequency = 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';

/**
 * Indices into `time` (ascending EpochMs) of the rebalance days in `[start, end]`: the first trading
 * day of the range, then the first trading day of each new month / quarter / year (UTC). A decision
 * on such a day uses data up to its close; the engine fills it by its `fill` setting.
 */
export function rebalanceDays(
  time: Float64Array,
  freq: RebalanceFrequency,
  start = -Infinity,
  end = Infinity,
): number[] {
  const out: number[] = [];
  let prev = Number.NaN;
  for (let t = 0; t < time.length; t++) {
    if (time[t] < start || time[t] > end) continue;
    const k = periodKey(time[t], freq);
    if (k !== prev) out.push(t);
    prev = k;
  }
  return out;
}

/** One rebalance: the date, the target weights, and what the decision read. */
export interface Rebalance {
  readonly day: number;
  readonly date: number;
  readonly weights: ReadonlyMap<string, number>;
  readonly audit: CrossSectionAudit;
}

/**
 * Runs a cross-sectional strategy's decisions over a panel: at each rebalance day, builds the PIT
 * {@link createCrossSectionView} and asks for weights. Returns one {@link Rebalance} per day, each with
 * its audit record (the latest `known_at` used, always <= its date). The engine turns these into orders.
 */
export function runRebalances<P>(
  strategy: CrossSectionalStrategy<P>,
  params: unknown,
  panel: Panel,
  facts: PitFacts,
  range: { start?: number; end?: number } = {},
): Rebalance[] {
  const parsed = strategy.params.parse(params ?? {});
  const days = rebalanceDays(panel.time, strategy.rebalance(parsed), range.start, range.end);
  const out: Rebalance[] = [];
  for (const day of days) {
    const date = panel.time[day];
    const view = createCrossSectionView(panel, facts, date);
    const w = strategy.weights(parsed, view);
    out.push({ day, date, weights: w === null ? new Map() : toWeightMap(w), audit: view.audit() });
  }
  return out;
}
