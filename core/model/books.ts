/**
 * Value types of the monitoring desk (issue 16): books (live sessions side by side), the portfolio
 * overview over them, a book's drill-down, the ticket's pre-trade checks and what the kill switch did.
 * Money is in account currency; times are EpochMs; fractions are 0..1 (a usage above 1 is a breach).
 */

/** A kill switch's state (a book's, or the desk's). */
export interface DeskKillSwitch {
  readonly tripped: boolean;
  readonly reason: string | null;
  readonly at: number | null;
}

/** How much of a limit is used: value / limit, or null when there is no such limit. */
export interface LimitUsage {
  readonly grossExposure: number | null;
  readonly dailyLoss: number | null;
  /** The largest |position| / maxPosition over the book's symbols. */
  readonly position: number | null;
}

/** A book as the overview lists it. */
export interface DeskBookView {
  readonly name: string;
  readonly strategy: string;
  readonly symbols: number;
  readonly feed: 'replay' | 'websocket';
  /** `running`: its feed delivers; `finished`: its replay reached the end; `stopped`: by the user, or the host restarted. */
  readonly status: 'running' | 'finished' | 'stopped';
  readonly feedState: string | null;
  readonly capital: number;
  readonly cash: number;
  readonly equity: number;
  /** Equity minus the equity at the start of the book's current (UTC) day. */
  readonly dayPnl: number;
  readonly grossExposure: number;
  readonly netExposure: number;
  /** Highest equity seen, and the fall from it as a fraction (0 = at the peak). */
  readonly peakEquity: number;
  readonly drawdown: number;
  readonly usage: LimitUsage;
  readonly killSwitch: DeskKillSwitch;
  readonly openPositions: number;
  readonly workingOrders: number;
  readonly unackedAlerts: number;
  /** The last time step it traded (EpochMs of the feed's clock), or null. */
  readonly lastTime: number | null;
  /** The broker account the book's orders are routed to, or null for a paper book. */
  readonly broker: DeskBookBroker | null;
}

/**
 * A book's broker account as the overview shows it (never a key): the account the broker reported, its
 * figures at `at`, and the last reconciliation of the book's journal with the broker's positions and orders.
 */
export interface DeskBookBroker {
  readonly name: string;
  /** The account id the broker reported, null before the first connection. */
  readonly accountId: string | null;
  readonly mode: 'paper' | 'live';
  /** True while the book's orders are routed (the book runs and the connection is up). */
  readonly connected: boolean;
  readonly equity: number | null;
  readonly cash: number | null;
  /** When the broker's figures were read (EpochMs), null when never. */
  readonly at: number | null;
  /** Whether the last reconciliation found the journal and the broker agreeing; null before the first. */
  readonly reconciled: boolean | null;
  readonly mismatches: number;
  readonly reconciledAt: number | null;
}

/** Exposure of one sector (or one book) over the desk. */
export interface ExposureRow {
  readonly key: string;
  readonly gross: number;
  readonly net: number;
}

/** Desk-wide limits; absent = none. `hard` lists those whose breach trips the desk kill switch (default all). */
export interface DeskLimitsValue {
  readonly maxGrossExposure?: number;
  readonly maxNetExposure?: number;
  readonly maxDailyLoss?: number;
  readonly hard?: readonly ('maxGrossExposure' | 'maxNetExposure' | 'maxDailyLoss')[];
}

/** The portfolio overview (`desk:overview`, pushed as `desk:changed`). */
export interface DeskOverview {
  readonly at: number;
  readonly books: readonly DeskBookView[];
  readonly totals: {
    readonly equity: number;
    readonly dayPnl: number;
    readonly grossExposure: number;
    readonly netExposure: number;
    readonly capital: number;
  };
  readonly bySector: readonly ExposureRow[];
  readonly byBook: readonly ExposureRow[];
  readonly limits: DeskLimitsValue;
  readonly usage: {
    readonly grossExposure: number | null;
    readonly netExposure: number | null;
    readonly dailyLoss: number | null;
  };
  readonly killSwitch: DeskKillSwitch;
}

/** A position of a book, with its sector. */
export interface DeskPosition {
  readonly symbol: string;
  readonly sector: string;
  readonly qty: number;
  readonly avgCost: number;
  readonly last: number;
  readonly marketValue: number;
  readonly realized: number;
  readonly unrealized: number;
  /** The quantity the book's broker account holds (a broker book only; absent for paper). */
  readonly brokerQty?: number;
  /**
   * A broker book only: the quantity the book's journal expects (its own orders' fills). The row's `qty`, cost,
   * mark and value are the broker's; a difference is a trade made at the broker behind the book's back.
   */
  readonly bookQty?: number;
}

/** An order of a book (as the journal holds it). */
export interface DeskOrder {
  readonly id: string;
  readonly time: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop' | 'twap' | 'vwap';
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly parentId: string | null;
  readonly status: 'new' | 'partially-filled' | 'filled' | 'cancelled' | 'rejected';
  readonly filledQty: number;
  readonly reason?: string;
}

/** A book's drill-down (`desk:book`): its figures, configuration, positions, orders, signals and alerts (newest first). */
export interface DeskBookDetail {
  readonly view: DeskBookView;
  readonly config: Readonly<Record<string, unknown>>;
  readonly positions: readonly DeskPosition[];
  readonly orders: readonly DeskOrder[];
  readonly signals: readonly {
    readonly symbol: string;
    readonly time: number;
    readonly side: 'buy' | 'sell';
    readonly price: number;
    readonly target: number;
    readonly reason: string;
  }[];
  readonly alerts: readonly {
    readonly id: string;
    readonly time: number;
    readonly kind: string;
    readonly severity: 'info' | 'warning' | 'critical';
    readonly symbol: string | null;
    readonly message: string;
    readonly acknowledgedAt: number | null;
  }[];
}

/** One pre-trade check of the ticket: the kill switches, the book's limits, the desk's limits. */
export interface TicketCheck {
  readonly layer: 'kill-switch' | 'book' | 'desk';
  readonly ok: boolean;
  readonly message: string;
}

/** The ticket's preview (`desk:check`): what the order would do and whether the checks pass. */
export interface TicketPreview {
  readonly checks: readonly TicketCheck[];
  /** The price the checks used (limit/stop price, else the last trade), NaN (null on the wire) when none yet. */
  readonly reference: number | null;
  readonly notional: number | null;
  readonly positionBefore: number;
  readonly positionAfter: number;
}

/** What a desk-wide action did, book by book (the dialogs say exactly this). */
export interface DeskActionReport {
  readonly books: readonly {
    readonly book: string;
    readonly running: boolean;
    readonly ordersCancelled: number;
    readonly ordersSubmitted: number;
    /** The action stopped the book's feed (the desk kill switch stops every running book). */
    readonly feedStopped: boolean;
    /** The broker the book's orders are routed to (its closing orders go there even while stopped), or null. */
    readonly broker: string | null;
  }[];
  /** Positions left open after the action (the kill switch does not close them; flatten does, at the next price). */
  readonly openPositions: number;
  readonly grossExposure: number;
  readonly killSwitch: DeskKillSwitch;
}
