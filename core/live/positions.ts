import type { Fill } from './types';

/** Mutable position state per symbol; `qty` signed, `realized` net of commissions, `last` the latest mark. */
export interface PositionState {
  symbol: string;
  qty: number;
  avgCost: number;
  realized: number;
  last: number;
}

/** A flat position for `symbol`, marked at NaN until its first price. */
export function emptyPosition(symbol: string): PositionState {
  return { symbol, qty: 0, avgCost: 0, realized: 0, last: Number.NaN };
}

// Below this, a remaining quantity is float dust from fractional sizing: treat as flat.
const EPS = 1e-9;

/**
 * Applies one fill to a position with average-cost accounting: adding keeps a weighted average cost,
 * reducing realises `(price - avgCost) * closedQty` (sign of the position), flipping opens the rest at
 * the fill price. The commission is subtracted from `realized`. Mutates and returns `p`.
 */
export function applyFill(p: PositionState, side: 'buy' | 'sell', qty: number, price: number, commission: number): PositionState {
  const q = side === 'buy' ? qty : -qty;
  p.realized -= commission;
  if (p.qty === 0) {
    p.avgCost = price;
    p.qty = q;
  } else if (Math.sign(p.qty) === Math.sign(q)) {
    const total = Math.abs(p.qty) + qty;
    p.avgCost = (Math.abs(p.qty) * p.avgCost + qty * price) / total;
    p.qty += q;
  } else {
    const closing = Math.min(qty, Math.abs(p.qty));
    p.realized += closing * (price - p.avgCost) * Math.sign(p.qty);
    const rest = p.qty + q;
    if (Math.abs(rest) < EPS) {
      p.qty = 0;
      p.avgCost = 0;
    } else if (Math.sign(rest) !== Math.sign(p.qty)) {
      p.qty = rest;
      p.avgCost = price;
    } else {
      p.qty = rest;
    }
  }
  return p;
}

/** Positions recomputed from fills alone, in fill order: what a restart checks the journaled positions against. */
export function positionsFromFills(fills: readonly Fill[]): Map<string, PositionState> {
  const out = new Map<string, PositionState>();
  for (const f of fills) {
    let p = out.get(f.symbol);
    if (!p) out.set(f.symbol, (p = emptyPosition(f.symbol)));
    applyFill(p, f.side, f.qty, f.price, f.commission);
  }
  return out;
}

/** Unrealised PnL at the position's mark; 0 when flat or not yet marked. */
export function unrealized(p: PositionState): number {
  return p.qty === 0 || !(p.last === p.last) ? 0 : p.qty * (p.last - p.avgCost);
}
