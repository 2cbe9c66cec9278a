import {
  addEquityPoint,
  marketTimeOf,
  MAX_EQUITY_POINTS,
  type Events,
  type LiveAccount,
  type LiveHistory,
  type LivePosition,
} from '../../../core/contract';
import { applyTicks, type WatchRow } from './alerts-logic';

type Ticked = Events['live:ticked'];

/** The part of the live state that tick batches change. */
export interface TickFold {
  readonly ticks: number;
  readonly latencyMs: number | null;
  readonly watch: ReadonlyMap<string, WatchRow>;
  readonly account: LiveAccount | null;
  /** Account equity over time (EpochMs, value), capped. */
  readonly equity: { readonly time: number[]; readonly value: number[] };
  /** Open positions; repriced from every tick batch (the host pushes them only when a fill changes them). */
  readonly positions?: readonly LivePosition[];
}

/**
 * Marks positions at the batch's latest prices: `last` and `unrealized` (qty × (last − avg cost), as the
 * broker computes the account's unrealized) move with every tick, not only on fills. Unchanged input when
 * no position's symbol ticked.
 */
export function repricePositions(
  positions: readonly LivePosition[],
  latest: ReadonlyMap<string, { price: number }>,
): readonly LivePosition[] {
  let out: LivePosition[] | null = null;
  positions.forEach((p, i) => {
    const t = latest.get(p.symbol);
    if (!t || !Number.isFinite(t.price) || t.price === p.last) return;
    out ??= [...positions];
    out[i] = { ...p, last: t.price, unrealized: p.qty === 0 ? 0 : p.qty * (t.price - p.avgCost) };
  });
  return out ?? positions;
}

/**
 * Folds one frame's tick batches into the state in a single update: the latest price per symbol,
 * the tick count, the latest account, an equity point, and latency smoothed over batches.
 * DOM-free, so the benchmark can time it under Node.
 */
export function applyTickBatches(s: TickFold, batches: readonly Ticked[], now: number): TickFold {
  const latest = new Map<string, Ticked['prices'][number]>();
  const firstSeen = new Map<string, number>();
  let ticks = s.ticks;
  let latency = s.latencyMs;
  for (const b of batches) {
    ticks += b.count;
    for (const p of b.prices) {
      latest.set(p.symbol, p);
      if (!s.watch.has(p.symbol) && !firstSeen.has(p.symbol)) firstSeen.set(p.symbol, p.price);
    }
    const age = Math.max(0, now - b.at);
    latency = latency === null ? age : latency * 0.8 + age * 0.2;
  }
  const last = batches[batches.length - 1];
  // Equity at market time (the replayed bars' time, or now for a real-time feed), folded as the host folds it for
  // `live:history` (core/live/tick-history.ts); it arrives as null (JSON's NaN) before every symbol is marked.
  const time = s.equity.time.slice(-MAX_EQUITY_POINTS + 1);
  const value = s.equity.value.slice(-MAX_EQUITY_POINTS + 1);
  const equity = addEquityPoint(time, value, marketTimeOf(latest.values(), last.at), last.account.equity)
    ? { time, value }
    : s.equity;
  const positions = s.positions === undefined ? {} : { positions: repricePositions(s.positions, latest) };
  return {
    ticks,
    latencyMs: latency,
    watch: applyTicks(s.watch, latest, firstSeen),
    account: last.account,
    equity,
    ...positions,
  };
}

/**
 * Merges the host's `live:history` into what the page has folded so far (a view opened, or reloaded, after the
 * session started): the host's equity curve, then the page's own points after its last (batches that arrived
 * while the history was read), each symbol's host price where the page has none as recent, and the session's tick
 * count (the host's, which holds every batch the page saw before it asked). `null` when the history is of another
 * session than the one shown (then the page keeps what it has).
 */
export function mergeHistory(
  s: Pick<TickFold, 'equity' | 'watch' | 'ticks'>,
  h: LiveHistory,
  session: string | null,
): Pick<TickFold, 'equity' | 'watch' | 'ticks'> | null {
  if (h.session === null || h.session !== session) return null;
  const last = h.equity.time.length > 0 ? h.equity.time[h.equity.time.length - 1] : Number.NEGATIVE_INFINITY;
  const time = [...h.equity.time];
  const value = [...h.equity.value];
  for (let i = 0; i < s.equity.time.length; i++)
    if (s.equity.time[i] > last) {
      time.push(s.equity.time[i]);
      value.push(s.equity.value[i]);
    }
  const older = new Map<string, LiveHistory['prices'][number]>();
  for (const p of h.prices) {
    const row = s.watch.get(p.symbol);
    if (!row || row.time < p.time) older.set(p.symbol, p);
  }
  return {
    equity: { time: time.slice(-MAX_EQUITY_POINTS), value: value.slice(-MAX_EQUITY_POINTS) },
    watch: older.size > 0 ? applyTicks(s.watch, older) : s.watch,
    ticks: Math.max(s.ticks, h.ticks),
  };
}
