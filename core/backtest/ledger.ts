import type { Panel } from '../data/panel-types';
import type { BookClient, ExitLevels, OrderBook } from '../execution/book';
import { commissionFor, slippedPrice } from '../execution/fill-rules';
import { realisedVol } from '../execution/sizing';
import type { OrderIntent } from '../strategy/types';
import type { SpecExits } from './exits';
import type { BacktestSpec } from './spec';
import { applyActions } from './traded-prices';
import { BacktestInputError, type ExitReason, type OpenPosition, type Trade } from './types';

const NO_BAR = -1;

/** What the ledger needs to know about the run. */
export interface LedgerRun {
  readonly spec: BacktestSpec;
  readonly strategyName: string;
  /** The run's panel (its calendar), signal closes (volatility sizing reads them), traded closes. */
  readonly panel: Panel;
  readonly close: Float64Array;
  readonly tClose: Float64Array;
  readonly tradable: readonly number[];
  /** First run bar, last run bar, first warm-up bar. */
  readonly i0: number;
  readonly i1: number;
  readonly iw: number;
  readonly specExits: SpecExits | null;
}

/**
 * The backtest's side of the order book: the account. It executes the book's fills (slippage,
 * commission, cash, average entry price and the closed trades), applies corporate actions before the
 * open of their bar, and records the equity curve. The live runner's counterpart is the paper broker.
 */
export class Ledger implements BookClient {
  /** Cash now (public for the hot loops; {@link cash} for the book). */
  balance: number;
  tradedValue = 0;
  barsInMarket = 0;
  readonly trades: Trade[] = [];
  /** Equity at each run bar's close. */
  readonly equity: Float64Array;
  readonly entryPx: Float64Array;
  readonly entryComm: Float64Array;
  readonly entryBar: Int32Array;
  /** Shares now held per share bought (splits since entry). */
  readonly splitRatio: Float64Array;
  /** The bar of the next corporate action inside the run (-1 when none is left). */
  actionBar = NO_BAR;
  readonly #run: LedgerRun;
  readonly #bps: number;
  readonly #rate: number;
  readonly #fixed: number;
  #book!: OrderBook;
  #actK = 0;
  readonly #actOut = { next: 0 };
  #actionTargets!: Parameters<typeof applyActions>[0];

  constructor(run: LedgerRun) {
    this.#run = run;
    const { spec, panel } = run;
    this.balance = spec.capital;
    this.#bps = spec.slippageBps;
    this.#rate = spec.commission.rate;
    this.#fixed = spec.commission.fixed;
    const n = panel.nInst;
    this.entryPx = new Float64Array(n);
    this.entryComm = new Float64Array(n);
    this.entryBar = new Int32Array(n);
    this.splitRatio = new Float64Array(n).fill(1);
    this.equity = new Float64Array(run.i1 - run.i0 + 1);
    const acts = panel.actions;
    if (acts) {
      while (this.#actK < acts.bar.length && acts.bar[this.#actK] < run.i0) this.#actK++;
      if (this.#actK < acts.bar.length) this.actionBar = acts.bar[this.#actK];
    }
  }

  /** Binds the book whose fills this ledger executes (they are built together, see `openBook`). */
  attach(book: OrderBook): void {
    this.#book = book;
    const { qty, posSL, posTP, posBest, mark, pTarget, pPrice, pSL, pTP } = book;
    this.#actionTargets = {
      qty,
      entryPx: this.entryPx,
      splitRatio: this.splitRatio,
      posSL,
      posTP,
      posBest,
      mark,
      pTarget,
      pPrice,
      pSL,
      pTP,
    };
  }

  get book(): OrderBook {
    return this.#book;
  }

  cash(): number {
    return this.balance;
  }

  fill(s: number, dq: number, raw: number, i: number, reason: ExitReason, ambiguous: boolean): number {
    const cur = this.#book.qty[s];
    const px = slippedPrice(raw, dq > 0 ? 1 : -1, this.#bps);
    const comm = commissionFor(dq, px, this.#rate, this.#fixed);
    this.balance -= dq * px + comm;
    this.tradedValue += Math.abs(dq) * px;
    if (cur === 0) {
      this.entryPx[s] = px;
      this.entryComm[s] = comm;
      this.entryBar[s] = i;
      this.splitRatio[s] = 1;
      return dq;
    }
    if (cur > 0 === dq > 0) {
      const a = Math.abs(cur);
      const b = Math.abs(dq);
      this.entryPx[s] = (a * this.entryPx[s] + b * px) / (a + b);
      this.entryComm[s] += comm;
      return cur + dq;
    }
    const closed = Math.min(Math.abs(dq), Math.abs(cur));
    const ec = this.entryComm[s] * (closed / Math.abs(cur));
    this.entryComm[s] -= ec;
    const dir = cur > 0 ? 1 : -1;
    const pnl = dir * closed * (px - this.entryPx[s]) - ec - comm;
    const { panel, i0 } = this.#run;
    const trade: Trade = {
      symbol: panel.symbols[s],
      side: dir > 0 ? 'long' : 'short',
      qty: closed,
      entryTime: panel.time[this.entryBar[s]],
      entryPrice: this.entryPx[s],
      exitTime: panel.time[i],
      exitPrice: px,
      pnl,
      commission: ec + comm,
      returnPct: pnl / (closed * this.entryPx[s]),
      ambiguous,
      exitReason: reason,
      entryBar: this.entryBar[s] - i0,
      exitBar: i - i0,
    };
    this.trades.push(this.splitRatio[s] === 1 ? trade : { ...trade, splitRatio: this.splitRatio[s] });
    return cur + dq;
  }

  /** Realised volatility of `s`'s signal closes up to the decision behind a fill at bar `i` (see `realisedVol`). */
  volatility(s: number, i: number, lookback: number): number {
    const { spec, panel, close, iw } = this.#run;
    return realisedVol(close, s * panel.nDays, iw, spec.fill === 'close' ? i : i - 1, lookback, spec.barsPerYear);
  }

  levels(s: number, i: number, px: number, isLong: boolean, out: ExitLevels): void {
    this.#run.specExits?.levels(s, i, px, isLong, out);
  }

  badPrice(d: OrderIntent): Error {
    return new BacktestInputError([`strategy "${this.#run.strategyName}": a ${d.type} order needs a positive price`]);
  }

  /** Splits and dividends with bar i (i === actionBar): cash, quantities and levels move as a broker moves them overnight. */
  corporateActions(i: number): void {
    const acts = this.#run.panel.actions!;
    this.balance += applyActions(this.#actionTargets, acts, this.#actK, i, this.#run.spec.wholeUnits, this.#actOut);
    this.#actK = this.#actOut.next;
    this.actionBar = this.#actK < acts.bar.length ? acts.bar[this.#actK] : NO_BAR;
    this.#book.resync();
  }

  /**
   * Equity at the close of bar i: cash plus every held name at its traded close of the bar (its last
   * mark when it has none). Marks are refreshed for held names only: reading every name's close each
   * day strides through the instrument-major panel, which dominates wide cross-sectional runs.
   */
  markEquity(i: number): void {
    const { qty, mark, held, names, heldCount } = this.#book;
    const tClose = this.#run.tClose;
    const nDays = this.#run.panel.nDays;
    let eq = this.balance;
    for (let w = 0; w < held.length; w++) {
      for (let bits = held[w]; bits !== 0; bits &= bits - 1) {
        const s = names[(w << 5) + 31 - Math.clz32(bits & -bits)];
        const c = tClose[s * nDays + i];
        if (c === c) mark[s] = c;
        eq += qty[s] * mark[s];
      }
    }
    this.equity[i - this.#run.i0] = eq;
    if (heldCount > 0) this.barsInMarket++;
  }

  /** Records equity `eq` at run bar i (the hot loops' inlined mark). */
  setEquity(i: number, eq: number, inMarket: boolean): void {
    this.equity[i - this.#run.i0] = eq;
    if (inMarket) this.barsInMarket++;
  }

  /** With `spec.closeAtEnd`: closes every position at the last bar (its close, or with `endFill: "open"` its open). */
  closeAtEnd(tOpen: Float64Array): void {
    const { spec, panel, tradable, i1, i0 } = this.#run;
    const book = this.#book;
    for (const s of tradable) {
      if (book.qty[s] === 0) continue;
      const lastOpen = tOpen[s * panel.nDays + i1];
      book.fill(
        s,
        -book.qty[s],
        spec.endFill === 'open' && lastOpen === lastOpen ? lastOpen : book.mark[s],
        i1,
        'end',
        false,
      );
    }
    this.equity[i1 - i0] = this.balance;
  }

  /** The positions still open, at their last marks. */
  openPositions(): OpenPosition[] {
    const { panel, tradable, i0 } = this.#run;
    const { qty, mark } = this.#book;
    const out: OpenPosition[] = [];
    for (const s of tradable) {
      const q = qty[s];
      if (q === 0) continue;
      out.push({
        symbol: panel.symbols[s],
        side: q > 0 ? 'long' : 'short',
        qty: Math.abs(q),
        entryTime: panel.time[this.entryBar[s]],
        entryPrice: this.entryPx[s],
        entryBar: this.entryBar[s] - i0,
        lastPrice: mark[s],
        unrealizedPnl: q * (mark[s] - this.entryPx[s]) - this.entryComm[s],
        commission: this.entryComm[s],
      });
    }
    return out;
  }
}
