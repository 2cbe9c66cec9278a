import { z } from 'zod';
import { panelForSpec } from '../../backtest/run';
import type { BacktestSpec } from '../../backtest/spec';
import { BacktestInputError } from '../../backtest/types';
import type { Panel } from '../../data/panel-types';
import { DAY_MS, parseDate } from '../../model/time';
import type { Store } from '../../store/sqlite-bar-store';
import { LiveSpecError } from '../replay';
import { parseSpec } from '../../backtest/spec';
import type { SingleStrategy } from '../../strategy/types';
import type { IntervalName } from '../aggregator';
import type { RiskLimits } from '../risk';

/** A book as the user configures it (the contract's `DeskBookInput`, defaults applied). */
export interface BookConfig {
  /** The book's name; its journal session is `desk:<name>`. */
  readonly name: string;
  /** A single-symbol strategy (built-in or user), or `manual` for a book traded only from the ticket. */
  readonly strategy: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Symbols to trade, or none with a `universe`. */
  readonly symbols?: readonly string[];
  /**
   * Without symbols: `all` (every stored symbol, the default) or a named point-in-time universe (its members,
   * each tradable only on the days it is a member as known that day).
   */
  readonly universe?: string;
  readonly feed: 'replay' | 'websocket';
  /** WebSocket URL (`websocket` feed). */
  readonly url?: string;
  /** Replay speed in time steps per second; 0 = as fast as possible. */
  readonly speed: number;
  /** Replay date range (YYYY-MM-DD). */
  readonly from?: string;
  readonly to?: string;
  /** Starting cash of the book, in account currency. */
  readonly capital: number;
  /**
   * Whose account the book trades: the paper model, or a broker account (its orders, after the book's and the
   * desk's checks, are routed there; keys come from the host's credentials, never from the configuration).
   */
  readonly account: 'paper' | BookBrokerAccount;
  /** The arming phrase of a real-money account (this start only: never stored with the book). */
  readonly confirm?: string;
  readonly risk?: RiskLimits;
  /** Bar interval for tick feeds. */
  readonly interval: IntervalName;
  /** Further backtest-spec fields (sizing, commission, slippageBps, longOnly, ...). */
  readonly spec?: Readonly<Record<string, unknown>>;
}

/** A book's broker account (the contract's `DeskBrokerAccountInput`): which broker, account and endpoint, never keys. */
export interface BookBrokerAccount {
  readonly broker: 'alpaca' | 'kis';
  readonly account?: string;
  readonly baseUrl?: string;
  /** The broker's real-money endpoint: the book starts only with `confirm` equal to its arming phrase. */
  readonly live?: boolean;
}

/** The journal session of book `name`. */
export function bookSession(name: string): string {
  return `desk:${name}`;
}

/** The strategy of a manual book: never decides (a null decision keeps everything as it is), so only the ticket trades. */
export const MANUAL_STRATEGY: SingleStrategy<Record<string, unknown>, null> = {
  kind: 'single',
  name: 'manual',
  description: 'No signals: the book is traded from the order ticket only.',
  params: z.object({}),
  init: () => null,
  onBar: () => null,
};

/** The backtest spec a book runs (its strategy, params, symbols, capital and range); errors name the field. */
export function bookSpec(c: BookConfig): { ok: true; spec: BacktestSpec } | { ok: false; errors: string[] } {
  const raw: Record<string, unknown> = {
    ...(c.spec ?? {}),
    strategy: c.strategy,
    params: c.params,
    capital: c.capital,
    ...(c.symbols && c.symbols.length > 0 ? { symbols: c.symbols } : { universe: c.universe ?? 'all' }),
    ...(c.from ? { start: c.from } : {}),
    ...(c.to ? { end: c.to } : {}),
  };
  return parseSpec(raw);
}

/**
 * The replay panel of a manual book (no strategy to resolve): the panel a backtest of its spec reads,
 * its symbols and range, as `resolveSpec` gives them for a strategy's book. Throws {@link LiveSpecError}.
 */
export function manualPanel(
  store: Store,
  spec: BacktestSpec,
): { panel: Panel; symbols: readonly string[]; from?: number; to?: number } {
  let panel: Panel;
  try {
    panel = panelForSpec(store, spec);
  } catch (e) {
    throw new LiveSpecError(e instanceof BacktestInputError ? e.errors : [(e as Error).message]);
  }
  const symbols = spec.symbols ?? panel.symbols.filter((s) => s !== spec.benchmark);
  const from = spec.start === undefined ? undefined : (parseDate(spec.start) ?? undefined);
  const to = spec.end === undefined ? undefined : (parseDate(spec.end) ?? 0) + DAY_MS - 1;
  return { panel, symbols, from, to };
}
