/** Limits for one symbol; an absent field is no limit. */
export interface SymbolLimits {
  /** Max absolute position in units after an order fills. */
  readonly maxPosition?: number;
  /** Max notional (qty × reference price) of one order. */
  readonly maxOrderNotional?: number;
  /** Fat finger: max distance of a limit/stop price from the last trade, as a fraction (0.1 = 10%). */
  readonly fatFingerPct?: number;
}

/** The names of every limit, as they appear in alerts and in `hard`. */
export type LimitName = 'maxPosition' | 'maxOrderNotional' | 'fatFinger' | 'maxGrossExposure' | 'maxDailyLoss';

/** Risk configuration of a session. */
export interface RiskLimits {
  /** Limits per symbol; `'*'` applies to symbols without their own entry. */
  readonly symbols: Readonly<Record<string, SymbolLimits>>;
  /** Max gross exposure Σ|qty × last| in account currency, checked before each order and on every mark. */
  readonly maxGrossExposure?: number;
  /** Max loss since the start of the UTC day (equity drop, positive number), checked on every mark. */
  readonly maxDailyLoss?: number;
  /** Limits whose breach trips the kill switch; the others only reject the order and warn. Default: all. */
  readonly hard?: readonly LimitName[];
}

/** A limit breach: which limit, a sentence for the alert, and whether it trips the kill switch. */
export interface Breach {
  readonly limit: LimitName;
  readonly symbol: string | null;
  readonly message: string;
  readonly hard: boolean;
}

/** What the pre-trade check needs to know about an order and the account. */
export interface OrderCheck {
  readonly symbol: string;
  /** Signed quantity (+ buy, - sell). */
  readonly signedQty: number;
  /** Limit or stop price, or NaN for market. */
  readonly price: number;
  /** Last trade price of the symbol (NaN if none yet). */
  readonly last: number;
  /** Current signed position. */
  readonly position: number;
  /** Current gross exposure of the account. */
  readonly grossExposure: number;
}

const ALL: readonly LimitName[] = ['maxPosition', 'maxOrderNotional', 'fatFinger', 'maxGrossExposure', 'maxDailyLoss'];

/** No limits at all. */
export const NO_LIMITS: RiskLimits = { symbols: {} };

/**
 * Pre-trade and account checks against a {@link RiskLimits}. Pure: the session decides what a breach
 * does (reject, alert, trip the kill switch).
 */
export class RiskChecker {
  #limits: RiskLimits;
  #hard: ReadonlySet<LimitName>;

  constructor(limits: RiskLimits = NO_LIMITS) {
    this.#limits = limits;
    this.#hard = new Set(limits.hard ?? ALL);
  }

  /** The limits in force. */
  get limits(): RiskLimits {
    return this.#limits;
  }

  /** Replaces the limits (takes effect for the next check). */
  set(limits: RiskLimits): void {
    this.#limits = limits;
    this.#hard = new Set(limits.hard ?? ALL);
  }

  #breach(limit: LimitName, symbol: string | null, message: string): Breach {
    return { limit, symbol, message, hard: this.#hard.has(limit) };
  }

  /** Checks one order before it is accepted; returns the first breach, or null. */
  checkOrder(o: OrderCheck): Breach | null {
    const lim = this.#limits.symbols[o.symbol] ?? this.#limits.symbols['*'] ?? {};
    const ref = o.price === o.price ? o.price : o.last;
    const qty = Math.abs(o.signedQty);
    if (lim.fatFingerPct !== undefined && o.price === o.price && o.last === o.last && o.last > 0) {
      const off = Math.abs(o.price / o.last - 1);
      if (off > lim.fatFingerPct) {
        return this.#breach(
          'fatFinger',
          o.symbol,
          `${o.symbol}: order price ${o.price} is ${(off * 100).toFixed(1)}% from last ${o.last} (limit ${(lim.fatFingerPct * 100).toFixed(1)}%)`,
        );
      }
    }
    if (lim.maxOrderNotional !== undefined && ref === ref && qty * ref > lim.maxOrderNotional) {
      return this.#breach(
        'maxOrderNotional',
        o.symbol,
        `${o.symbol}: order notional ${(qty * ref).toFixed(2)} exceeds ${lim.maxOrderNotional}`,
      );
    }
    const after = o.position + o.signedQty;
    if (lim.maxPosition !== undefined && Math.abs(after) > lim.maxPosition + 1e-9) {
      return this.#breach(
        'maxPosition',
        o.symbol,
        `${o.symbol}: position would be ${after}, limit ±${lim.maxPosition}`,
      );
    }
    const max = this.#limits.maxGrossExposure;
    if (max !== undefined && ref === ref) {
      // Only an order that increases this symbol's exposure can breach the gross limit.
      const delta = (Math.abs(after) - Math.abs(o.position)) * ref;
      if (delta > 0 && o.grossExposure + delta > max) {
        return this.#breach(
          'maxGrossExposure',
          o.symbol,
          `gross exposure would be ${(o.grossExposure + delta).toFixed(2)}, limit ${max}`,
        );
      }
    }
    return null;
  }

  /** Checks the account on a mark: gross exposure and the loss since the day's opening equity. */
  checkAccount(grossExposure: number, dayStartEquity: number, equity: number): Breach | null {
    const max = this.#limits.maxGrossExposure;
    if (max !== undefined && grossExposure > max) {
      return this.#breach('maxGrossExposure', null, `gross exposure ${grossExposure.toFixed(2)} exceeds ${max}`);
    }
    const loss = this.#limits.maxDailyLoss;
    if (loss !== undefined && dayStartEquity - equity > loss) {
      return this.#breach('maxDailyLoss', null, `daily loss ${(dayStartEquity - equity).toFixed(2)} exceeds ${loss}`);
    }
    return null;
  }
}
