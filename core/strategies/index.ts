/**
 * The built-in strategies. Each has a zod parameter schema (`params.parse({})` gives its defaults) and
 * a one-line description; the same objects are stepped by the backtest engine and by the live path.
 */
import { z } from 'zod';
import type { Strategy } from '../strategy/types';
import { bollingerReversion } from './bollinger-reversion';
import { candlePattern } from './candle-pattern';
import { donchianBreakout } from './donchian-breakout';
import { factorRank } from './factor-rank';
import { ichimokuCloud } from './ichimoku-cloud';
import { maBreakout } from './ma-breakout';
import { emaCross, smaCross } from './ma-cross';
import { macdCross } from './macd-cross';
import { modelSignal } from './model-signal';
import { rsiReversion } from './rsi-reversion';
import { tripleConfirmation } from './triple-confirmation';
import { findStrategy, registerBuiltin } from './registry';
import { adxTrend } from './sdk/adx-trend';
import { cciReversion } from './sdk/cci-reversion';
import { dualMomentum } from './sdk/dual-momentum';
import { ichimokuTargetsStrategy } from './sdk/ichimoku-targets';
import { ichimokuTime } from './sdk/ichimoku-time';
import { keltnerBreakout } from './sdk/keltner-breakout';
import { obvTrend } from './sdk/obv-trend';
import { pairsTrading } from './sdk/pairs-trading';
import { parabolicSar } from './sdk/parabolic-sar';
import { stochCross } from './sdk/stoch-cross';
import { volumeBreakout } from './sdk/volume-breakout';
import { vwapReversion } from './sdk/vwap-reversion';
import { williamsR } from './sdk/williams-r';

export {
  createCrossSectionView,
  createPitAccess,
  type AuditedCrossSectionView,
  type CrossSectionAudit,
  type PitAccess,
} from './cross-section-view';
export { factorFields, factorRank, type FactorRankParams } from './factor-rank';
export {
  loadPitFacts,
  buildPitField,
  buildPitUniverse,
  type PitFacts,
  type PitField,
  type PitUniverse,
} from './pit-facts';
export { rebalanceDays, runRebalances, type Rebalance, type RebalanceFrequency } from './rebalance';
export { stepDecisions, targetOf } from './step';

/** Every built-in strategy, in the order `quantdesk strategies` lists them. Add one here (one line) and in its own file. */
export const STRATEGIES: readonly Strategy[] = [
  smaCross,
  emaCross,
  maBreakout,
  rsiReversion,
  macdCross,
  bollingerReversion,
  donchianBreakout,
  tripleConfirmation,
  ichimokuCloud,
  candlePattern,
  factorRank,
  modelSignal,
  // Written on the SDK (core/sdk) the way a user writes a strategy file:
  stochCross,
  adxTrend,
  cciReversion,
  williamsR,
  parabolicSar,
  keltnerBreakout,
  volumeBreakout,
  obvTrend,
  vwapReversion,
  ichimokuTime,
  ichimokuTargetsStrategy,
  dualMomentum,
  pairsTrading,
];

for (const s of STRATEGIES) registerBuiltin(s);

export {
  resolveStrategy,
  findStrategy,
  registerUserStrategy,
  strategySourceFor,
  type StrategySource,
} from './registry';

/** The strategy (built-in or registered user strategy) called `name`, or undefined. See `resolveStrategy`. */
export function getStrategy(name: string): Strategy | undefined {
  return findStrategy(name);
}

/** A JSON Schema (draft 2020-12) object describing a strategy's parameters, with defaults. */
export type ParamsSchema = Record<string, unknown>;

/** What `quantdesk strategies --json` and `strategies:list` return per strategy. */
export interface StrategyListing {
  readonly name: string;
  readonly description: string;
  readonly kind: 'single' | 'cross-sectional' | 'portfolio';
  /**
   * JSON Schema of the parameters as a caller writes them (`io: 'input'`): `properties` with `type`,
   * `default`, `minimum`/`maximum`, `enum`, `description`. The UI builds its backtest form from it.
   */
  readonly params: ParamsSchema;
  /** A built-in or a stored user strategy. */
  readonly source: 'builtin' | 'user';
}

/** Describes every built-in strategy (see {@link StrategyListing}). */
export function listStrategies(): StrategyListing[] {
  return STRATEGIES.map((s) => describeStrategy(s, 'builtin'));
}

/** One strategy's listing. A sandboxed user strategy carries its JSON Schema ready made (`jsonSchema`). */
export function describeStrategy(s: Strategy, source: 'builtin' | 'user'): StrategyListing {
  const ready = (s as { jsonSchema?: ParamsSchema }).jsonSchema;
  const schema = ready ?? (z.toJSONSchema(s.params, { io: 'input', unrepresentable: 'any' }) as ParamsSchema);
  delete schema.$schema;
  return {
    name: s.name,
    description: s.description,
    kind: s.kind,
    params: dropSafeIntegerBounds(schema) as ParamsSchema,
    source,
  };
}

/** zod writes ±MAX_SAFE_INTEGER as the bounds of every integer; they say nothing to a form, so drop them. */
function dropSafeIntegerBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropSafeIntegerBounds);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'maximum' && v === Number.MAX_SAFE_INTEGER) || (k === 'minimum' && v === Number.MIN_SAFE_INTEGER))
      continue;
    out[k] = dropSafeIntegerBounds(v);
  }
  return out;
}
