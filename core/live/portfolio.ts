import type { BacktestSpec } from '../backtest/spec';
import { roundQty } from '../execution/fill-rules';
import type { PaperBroker } from './broker';
import type { StepBar } from './runner';
import type { Signal } from './types';

/** What a live portfolio rule reads and trades through in a session. */
export interface PortfolioContext {
  readonly broker: PaperBroker;
  readonly spec: BacktestSpec;
  /** The session's symbols (weights are indexed in this order). */
  readonly symbols: readonly string[];
  /** True while a resumed session replays steps it already traded: decide (to rebuild state), never trade. */
  readonly warming: boolean;
  /** A changed target (an entry, an exit, a reversal): the session journals and alerts it. */
  signal(s: Signal): void;
}

/**
 * A portfolio rule in a live session (`model-signal` top-k): it sees each step's opens before the per-symbol
 * strategies and its closes after them, and moves the whole book to target weights.
 */
export interface SessionPortfolio {
  /** Before the runner's step: a rebalance decided at the previous close executes at these opens (next-open fills). */
  opens(step: readonly StepBar[], ctx: PortfolioContext): void;
  /** After the runner's step: decides at a rebalance date; with `fill: "close"` executes at these closes. */
  closes(step: readonly StepBar[], ctx: PortfolioContext): void;
}

/**
 * Moves the paper broker's book to `weights` (fraction of equity per session symbol, in `ctx.symbols` order) at
 * traded `prices` (NaN: no price, the position stays), as the backtest's cross-sectional rebalance does: equity from
 * cash and every held name at the price (its last mark without one), target quantities
 * `w × equity / (price × (1 + commission rate))` (whole units when the spec says so; long-only drops shorts), a
 * first pass that reduces and closes, then one that opens and adds. A fill the broker refuses (risk limits, the
 * kill switch) leaves that position as it was.
 */
export function rebalanceTo(ctx: PortfolioContext, weights: Float64Array, prices: Float64Array, time: number): void {
  const { broker, spec, symbols } = ctx;
  const rate = spec.commission.rate;
  const whole = spec.wholeUnits;
  const longOnly = spec.direction === 'long-only';
  let eq = broker.cash;
  for (let k = 0; k < symbols.length; k++) {
    const pos = broker.position(symbols[k]);
    if (pos.qty === 0) continue;
    const p = prices[k];
    eq += pos.qty * (p === p ? p : pos.last);
  }
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 0; k < symbols.length; k++) {
      const p = prices[k];
      if (p !== p) continue;
      let w = weights[k];
      if (longOnly && w < 0) w = 0;
      const target = w === 0 ? 0 : roundQty((w * eq) / (p * (1 + rate)), whole);
      const cur = broker.position(symbols[k]).qty;
      const reducing = target === 0 || (cur !== 0 && cur > 0 !== target > 0) || Math.abs(target) < Math.abs(cur);
      let dq = 0;
      if (pass === 0 && reducing && cur !== 0) dq = (target !== 0 && cur > 0 === target > 0 ? target : 0) - cur;
      else if (pass === 1 && target !== cur) dq = target - cur;
      if (dq !== 0) broker.execute(symbols[k], dq > 0 ? 'buy' : 'sell', Math.abs(dq), p, time);
    }
  }
}
