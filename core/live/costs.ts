import { commissionFor, slippedPrice } from '../execution/fill-rules';

/**
 * How the paper broker prices an execution: slippage on market and stop fills, commission on every fill.
 * The live session builds it from the backtest spec's execution settings so both paths charge the same.
 */
export interface CostModel {
  /** The executed price of a market or stop order whose reference price is `price` (slippage always against the trader). */
  slip(side: 'buy' | 'sell', price: number): number;
  /** Commission (>= 0, account currency) for `qty` units at `price`. */
  commission(qty: number, price: number): number;
}

/** Parameters of {@link simpleCosts}. */
export interface SimpleCosts {
  /** Slippage in basis points of the price. */
  readonly slippageBps?: number;
  /** Commission per unit. */
  readonly perUnit?: number;
  /** Commission as a fraction of notional (0.001 = 10 bps). */
  readonly pct?: number;
  /** Minimum commission per fill. */
  readonly min?: number;
}

/** A proportional-slippage, per-unit + percentage commission model. All zero by default. */
export function simpleCosts(c: SimpleCosts = {}): CostModel {
  const slip = (c.slippageBps ?? 0) / 10_000;
  const perUnit = c.perUnit ?? 0;
  const pct = c.pct ?? 0;
  const min = c.min ?? 0;
  return {
    slip: (side, price) => (side === 'buy' ? price * (1 + slip) : price * (1 - slip)),
    commission: (qty, price) => Math.max(min, qty * perUnit + qty * price * pct),
  };
}

/** The backtest spec's cost model (`slippageBps`, `commission.rate`, `commission.fixed`) through the engine's own functions. */
export function specCosts(spec: {
  readonly slippageBps: number;
  readonly commission: { readonly rate: number; readonly fixed: number };
}): CostModel {
  const { rate, fixed } = spec.commission;
  const bps = spec.slippageBps;
  return {
    slip: (side, price) => slippedPrice(price, side === 'buy' ? 1 : -1, bps),
    commission: (qty, price) => commissionFor(qty, price, rate, fixed),
  };
}
