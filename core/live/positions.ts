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
export function applyFill(
  p: PositionState,
  side: 'buy' | 'sell',
  qty: number,
  price: number,
  commission: number,
): PositionState {
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

/** Positions recomputed from fills (and the splits journaled between them), in order: what a restart checks the journaled positions against. */
export function positionsFromFills(
  fills: readonly Fill[],
  actions: readonly PositionAction[] = [],
): Map<string, PositionState> {
  const out = new Map<string, PositionState>();
  for (const e of fillsAndActions(fills, actions)) {
    const symbol = 'fill' in e ? e.fill.symbol : e.action.symbol;
    let p = out.get(symbol);
    if (!p) out.set(symbol, (p = emptyPosition(symbol)));
    if ('fill' in e) applyFill(p, e.fill.side, e.fill.qty, e.fill.price, e.fill.commission);
    else applyPositionAction(p, e.action);
  }
  return out;
}

/** Unrealised PnL at the position's mark; 0 when flat or not yet marked. */
export function unrealized(p: PositionState): number {
  return p.qty === 0 || !(p.last === p.last) ? 0 : p.qty * (p.last - p.avgCost);
}

/**
 * A corporate action as it acted on a position (journaled so a restart rebuilds positions and cash):
 * at `time`, `symbol`'s split of ratio `value` left `qty` shares (cost and mark divided by `value`), or
 * its dividend of `value` per share; `cash` is what the account received (the dividend, or cash in lieu
 * of a fractional share; negative for a short's dividend).
 */
export interface PositionAction {
  readonly time: number;
  readonly symbol: string;
  readonly kind: 'split' | 'dividend';
  readonly value: number;
  readonly qty: number;
  readonly cash: number;
}

/** Applies a journaled {@link PositionAction} to a position (quantity and cost; the caller books `cash`). Mutates and returns `p`. */
export function applyPositionAction(p: PositionState, a: PositionAction): PositionState {
  if (a.kind === 'split' && a.value > 0) {
    p.qty = a.qty;
    p.avgCost /= a.value;
    if (p.last === p.last) p.last /= a.value;
  }
  return p;
}

/** Fills and journaled actions in the order they happened: by time, an action before the fills of its time (it acts before the open). */
export function fillsAndActions(
  fills: readonly Fill[],
  actions: readonly PositionAction[],
): ({ fill: Fill } | { action: PositionAction })[] {
  const out: ({ fill: Fill } | { action: PositionAction })[] = [];
  let a = 0;
  for (const f of fills) {
    while (a < actions.length && actions[a].time <= f.time) out.push({ action: actions[a++] });
    out.push({ fill: f });
  }
  while (a < actions.length) out.push({ action: actions[a++] });
  return out;
}
