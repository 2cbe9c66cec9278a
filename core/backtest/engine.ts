import type { Panel } from '../data/panel-types';
import type { BarView, CrossSectionalStrategy, CrossSectionView, Decision, OrderIntent, PortfolioStrategy, SingleStrategy, Strategy } from '../strategy/types';
import { toWeightMap } from '../strategy/weights';
import { portfolioAsCrossSectional } from '../strategies/portfolio';
import { periodKey } from './calendar';
import * as execution from './execution';
import type { ExitOut } from './execution';
import { hasExits, SpecExits } from './exits';
import { computeMetrics } from './metrics';
import type { BacktestSpec } from './spec';
import { parseDate } from '../model/time';
import { alignedBenchmark, strategyDaysPanel } from './run-days';
import { applyActions, tradedPrices } from './traded-prices';
import { priceCrossSection, realisedVol } from './price-view';
import { withIndicatorMemo } from '../indicators/memo';
import {
  BacktestCancelledError,
  BacktestInputError,
  type BacktestResult,
  type DecisionAudit,
  type ExitReason,
  type OpenPosition,
  type Trade,
} from './types';

// Bound once at load: under CommonJS transpilers (tsx, vitest) every use of an imported binding is a
// getter call, which the per-bar loop would pay millions of times.
const {
  affordableQty,
  checkExit,
  commissionFor,
  effectiveStop,
  entryFillPrice,
  EXIT_NONE,
  EXIT_STOP,
  ORDER_MARKET,
  readDecision,
  roundQty,
  slippedPrice,
} = execution;

/** Options of {@link runBacktest}. */
export interface RunOptions {
  /** Aborting it stops the run with a `BacktestCancelledError`. */
  readonly signal?: AbortSignal;
  /** Called about every thousand bars with the fraction done (0..1). */
  readonly onProgress?: (fraction: number) => void;
  /** The strategy to run; required (callers resolve `spec.strategy` by name, see `resolveStrategy`). */
  readonly strategy?: Strategy;
  /** Point-in-time fundamentals for cross-sectional strategies: the latest value of `field` known at `asOf`, NaN if none. */
  readonly fundamental?: (symbol: string, field: string, asOf: number) => number;
  /** Members of a named universe at `asOf` (point in time); omitted for `universe: "all"` or explicit symbols. */
  readonly universeAt?: (asOf: number) => readonly string[];
  /**
   * Builds the cross-section a cross-sectional strategy sees at a rebalance date (e.g. the strategies'
   * audited `createCrossSectionView` over PIT facts). Default: a view over the panel's prices, with
   * `fundamental` from `opts.fundamental`. If the view has an `audit()` method its record is kept in
   * the result's `audit`.
   */
  readonly crossSectionAt?: (date: number) => CrossSectionView & { audit?: () => DecisionAudit };
}

const NO_BAR = -1;

/**
 * The panel bars a spec runs over: [i0, i1] clipped to `start`/`end` (`end` inclusive of its whole
 * day), and `iw`, the first of the `warmup` bars before i0 (iw = i0 without a warm-up). Shared by
 * the engine and the sweep kernel so both run the same bars.
 * @throws BacktestInputError when no bar falls between start and end.
 */
export function runBarRange(spec: BacktestSpec, time: Float64Array): { i0: number; i1: number; iw: number } {
  const startMs = spec.start !== undefined ? (parseDate(spec.start) as number) : -Infinity;
  const endMs = spec.end !== undefined ? (parseDate(spec.end) as number) + 86_399_999 : Infinity;
  let i0 = 0;
  while (i0 < time.length && time[i0] < startMs) i0++;
  let i1 = time.length - 1;
  while (i1 >= i0 && time[i1] > endMs) i1--;
  if (i1 < i0) throw new BacktestInputError([`start: no bars between ${spec.start ?? 'the beginning'} and ${spec.end ?? 'the end'}`]);
  return { i0, i1, iw: Math.max(0, i0 - spec.warmup) };
}

/**
 * Runs a backtest of `spec` over `panel` (see the README's "Backtesting" section for the conventions).
 *
 * A decision at bar i sees only bar i (a reused `BarView`) and the strategy's own state, or, for a
 * cross-sectional strategy, a `CrossSectionView` whose accessors stop at bar i: nothing can read
 * past the decision bar. It fills at the open of the symbol's next bar (`fill: "next-open"`) or at
 * the close of bar i (`fill: "close"`).
 *
 * @throws BacktestInputError for a missing strategy, invalid params or an unknown symbol / benchmark.
 * @throws BacktestCancelledError when `opts.signal` aborts.
 */
export function runBacktest(spec: BacktestSpec, panel: Panel, opts: RunOptions = {}): BacktestResult {
  const steps = backtestSteps(spec, panel, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * {@link runBacktest} that yields to the event loop about every thousand bars, so a host can run a
 * long backtest without stalling, report progress and cancel it mid-run (`opts.signal`). Same result.
 */
export async function runBacktestAsync(spec: BacktestSpec, panel: Panel, opts: RunOptions = {}): Promise<BacktestResult> {
  const steps = backtestSteps(spec, panel, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The engine as a generator: yields the fraction done about every thousand bars (each rebalance
 * day for cross-sectional runs), returns the result. For drivers that bound each step batch in time
 * (the sandbox's watchdog for user strategies); {@link runBacktest} is the plain driver.
 */
export function backtestStepper(spec: BacktestSpec, panel: Panel, opts: RunOptions = {}): Generator<number, BacktestResult, void> {
  return backtestSteps(spec, panel, opts);
}

/** The engine as a generator: yields the fraction done about every thousand bars, returns the result. */
function* backtestSteps(spec: BacktestSpec, loaded: Panel, opts: RunOptions): Generator<number, BacktestResult, void> {
  const strategy = opts.strategy;
  if (!strategy) throw new BacktestInputError([`strategy: unknown strategy "${spec.strategy}"`]);
  const parsedParams = strategy.params.safeParse(spec.params);
  if (!parsedParams.success) {
    throw new BacktestInputError(parsedParams.error.issues.map((i) => `params${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`));
  }
  const params = parsedParams.data;
  const symIndex = new Map<string, number>();
  loaded.symbols.forEach((s, k) => symIndex.set(s, k));

  let benchIdx = NO_BAR;
  if (spec.benchmark !== undefined) {
    benchIdx = symIndex.get(spec.benchmark) ?? NO_BAR;
    if (benchIdx === NO_BAR) throw new BacktestInputError([`benchmark: unknown symbol "${spec.benchmark}"`]);
  }
  const tradable: number[] = [];
  if (spec.symbols) {
    const missing = spec.symbols.filter((s) => !symIndex.has(s));
    if (missing.length) throw new BacktestInputError(missing.map((s) => `symbols: unknown symbol "${s}"`));
    for (const s of spec.symbols) tradable.push(symIndex.get(s) as number);
  } else {
    for (let k = 0; k < loaded.nInst; k++) if (k !== benchIdx) tradable.push(k);
  }
  const nTrad = tradable.length;
  // The run's calendar is its traded names' days: a benchmark adds none (it is aligned to them below).
  const panel = benchIdx === NO_BAR || tradable.includes(benchIdx) ? loaded : strategyDaysPanel(loaded, tradable);
  const nDays = panel.nDays;
  const time = panel.time;

  // The run's bars [i0, i1]; warm-up bars [iw, i0): the strategy sees them, nothing trades; history lookups may reach back to iw.
  const { i0, i1, iw } = runBarRange(spec, time);
  const n = i1 - i0 + 1;

  // Signals read the panel's (possibly adjusted) columns; fills, marks and equity the traded prices.
  // Without corporate actions they are the same arrays.
  const { open, close } = panel;
  const traded = tradedPrices(panel);
  const tOpen = traded.open;
  const tClose = traded.close;
  let tHigh!: Float64Array;
  let tLow!: Float64Array;
  // Read only by single-symbol strategies: a panel from the disk cache loads these columns on first
  // access, so a cross-sectional run never reads them.
  let high!: Float64Array;
  let low!: Float64Array;
  let volume!: Float64Array;
  const nInst = panel.nInst;
  const rate = spec.commission.rate;
  const fixed = spec.commission.fixed;
  const bps = spec.slippageBps;
  const whole = spec.wholeUnits;
  const longOnly = spec.direction === 'long-only';
  const dec = execution.newDecisionFields();
  const optimistic = spec.intrabar === 'optimistic';
  const atClose = spec.fill === 'close';
  const sizing = spec.sizing;

  // Portfolio state, per panel instrument.
  let cash = spec.capital;
  let tradedValue = 0;
  const qty = new Float64Array(nInst);
  const entryPx = new Float64Array(nInst);
  const entryComm = new Float64Array(nInst);
  const entryBar = new Int32Array(nInst);
  const posSL = new Float64Array(nInst).fill(Number.NaN);
  const posTP = new Float64Array(nInst).fill(Number.NaN);
  const posTrail = new Float64Array(nInst).fill(Number.NaN);
  const posBest = new Float64Array(nInst);
  const splitRatio = new Float64Array(nInst).fill(1);
  const mark = new Float64Array(nInst).fill(Number.NaN);
  // Pending orders: target NaN = none.
  const pTarget = new Float64Array(nInst).fill(Number.NaN);
  const pType = new Uint8Array(nInst);
  const pPrice = new Float64Array(nInst);
  const pSL = new Float64Array(nInst);
  const pTP = new Float64Array(nInst);
  const pTrail = new Float64Array(nInst);
  // Corporate actions inside the run, applied to positions and cash before the open of their bar.
  const acts = panel.actions;
  const actOut = { next: 0 };
  let actK = 0;
  if (acts) while (actK < acts.bar.length && acts.bar[actK] < i0) actK++;
  let actBar = acts && actK < acts.bar.length ? acts.bar[actK] : NO_BAR;
  const actionTargets = { qty, entryPx, splitRatio, posSL, posTP, posBest, mark, pTarget, pPrice, pSL, pTP };
  /** Splits and dividends with bar i (i === actBar): cash, quantities and levels move as a broker moves them overnight. */
  function corporateActions(i: number): void {
    cash += applyActions(actionTargets, acts!, actK, i, whole, actOut);
    actK = actOut.next;
    actBar = actK < acts!.bar.length ? acts!.bar[actK] : NO_BAR;
  }
  // Last bar with data inside the run, to close positions in names that stop trading.
  const lastValid = new Int32Array(nInst).fill(NO_BAR);
  for (const s of tradable) {
    const base = s * nDays;
    for (let i = i1; i >= i0; i--) {
      if (close[base + i] === close[base + i]) {
        lastValid[s] = i;
        break;
      }
    }
  }
  const trades: Trade[] = [];
  const audit: DecisionAudit[] = [];
  const exitOut: ExitOut = { price: 0, ambiguous: false };
  // Spec-level protective exits (`spec.exits`): levels set on every opened position, see exits.ts.
  const specExits = hasExits(spec.exits) ? new SpecExits(spec.exits, panel, iw, atClose, tClose) : null;
  const exitLevels = { sl: Number.NaN, tp: Number.NaN, trail: Number.NaN };
  const equity = new Float64Array(n);
  let barsInMarket = 0;

  /** Changes the position in `s` by `dq` (never flipping its sign in one call) at `raw` before slippage. */
  function trade(s: number, dq: number, raw: number, i: number, reason: ExitReason, ambiguous: boolean): void {
    if (dq === 0) return;
    const cur = qty[s];
    const px = slippedPrice(raw, dq > 0 ? 1 : -1, bps);
    const comm = commissionFor(dq, px, rate, fixed);
    cash -= dq * px + comm;
    tradedValue += Math.abs(dq) * px;
    if (cur === 0) {
      qty[s] = dq;
      entryPx[s] = px;
      entryComm[s] = comm;
      entryBar[s] = i;
      posBest[s] = px;
      splitRatio[s] = 1;
      if (specExits) {
        specExits.levels(s, i, px, dq > 0, exitLevels);
        posSL[s] = exitLevels.sl;
        posTP[s] = exitLevels.tp;
        posTrail[s] = exitLevels.trail;
      }
      return;
    }
    if (cur > 0 === dq > 0) {
      const a = Math.abs(cur);
      const b = Math.abs(dq);
      entryPx[s] = (a * entryPx[s] + b * px) / (a + b);
      entryComm[s] += comm;
      qty[s] = cur + dq;
      return;
    }
    const closed = Math.min(Math.abs(dq), Math.abs(cur));
    const ec = entryComm[s] * (closed / Math.abs(cur));
    entryComm[s] -= ec;
    const dir = cur > 0 ? 1 : -1;
    const pnl = dir * closed * (px - entryPx[s]) - ec - comm;
    const trade: Trade = {
      symbol: panel.symbols[s],
      side: dir > 0 ? 'long' : 'short',
      qty: closed,
      entryTime: time[entryBar[s]],
      entryPrice: entryPx[s],
      exitTime: time[i],
      exitPrice: px,
      pnl,
      commission: ec + comm,
      returnPct: pnl / (closed * entryPx[s]),
      ambiguous,
      exitReason: reason,
      entryBar: entryBar[s] - i0,
      exitBar: i - i0,
    };
    trades.push(splitRatio[s] === 1 ? trade : { ...trade, splitRatio: splitRatio[s] });
    qty[s] = cur + dq;
    if (qty[s] === 0) {
      posSL[s] = Number.NaN;
      posTP[s] = Number.NaN;
      posTrail[s] = Number.NaN;
    }
  }

  function equityAtMarks(): number {
    let eq = cash;
    for (let k = 0; k < nTrad; k++) {
      const s = tradable[k];
      if (qty[s] !== 0) eq += qty[s] * mark[s];
    }
    return eq;
  }

  /** Realised volatility of `s`'s signal closes (see `realisedVol`). */
  function volOf(s: number, last: number, want: number): number {
    return realisedVol(close, s * nDays, iw, last, want, spec.barsPerYear);
  }

  /** Unsigned quantity to open in `s` for |target| `frac` at fill price `px` (after slippage). */
  function sizeFor(s: number, frac: number, px: number, i: number): number {
    // Equity is summed over every held name, so only the methods that use it compute it.
    if (sizing.method === 'fixed-qty') return roundQty(sizing.qty * frac, whole);
    const eq = equityAtMarks();
    switch (sizing.method) {
      case 'all-in': {
        let gross = 0;
        for (let k = 0; k < nTrad; k++) {
          const j = tradable[k];
          if (j !== s && qty[j] !== 0) gross += Math.abs(qty[j]) * mark[j];
        }
        return affordableQty((eq - gross) * frac, px, rate, fixed, whole);
      }
      case 'fixed-fraction':
        return affordableQty(eq * sizing.fraction * frac, px, rate, fixed, whole);
      case 'equal-weight':
        return affordableQty((eq / nTrad) * frac, px, rate, fixed, whole);
      case 'volatility-target': {
        const vol = volOf(s, atClose ? i : i - 1, sizing.lookback);
        if (!(vol > 0)) return 0;
        return affordableQty(eq * Math.min(sizing.maxWeight, sizing.targetVol / vol) * frac, px, rate, fixed, whole);
      }
    }
  }

  /** Moves `s` to the sign of `target` at `raw`: closes an opposite position first, then opens (reversal at one price). */
  function executeTarget(s: number, target: number, raw: number, i: number, sl: number, tp: number, trail: number): void {
    const cur = qty[s];
    if (cur !== 0 && (target === 0 || cur > 0 !== target > 0)) trade(s, -cur, raw, i, 'signal', false);
    if (target !== 0 && qty[s] === 0) {
      const side = target > 0 ? 1 : -1;
      const q = sizeFor(s, Math.min(1, Math.abs(target)), slippedPrice(raw, side, bps), i);
      if (q > 0) {
        trade(s, side * q, raw, i, 'signal', false);
        // The intent's own levels win; trade() set the spec's (or NaN) for the ones it leaves out.
        if (sl === sl) posSL[s] = sl;
        if (tp === tp) posTP[s] = tp;
        if (trail === trail) posTrail[s] = trail;
      }
    }
  }

  /** Applies a strategy decision made at the close of bar i (signal close `c`, traded close `rc`). */
  function decide(s: number, d: Decision, i: number, c: number, rc: number): void {
    const read = readDecision(d, longOnly, dec);
    if (read === 'none') return;
    if (read === 'bad-price') throw new BacktestInputError([`strategy "${strategy!.name}": a ${(d as OrderIntent).type} order needs a positive price`]);
    if (rc !== c) {
      // Levels are named in signal prices: at this bar, traded = signal × rc / c.
      const k = rc / c;
      dec.price *= k;
      dec.sl *= k;
      dec.tp *= k;
    }
    const { target, type, price, sl, tp, trail } = dec;
    const cur = qty[s];
    if (cur !== 0 && target !== 0 && cur > 0 === target > 0 && type === ORDER_MARKET) {
      // Same side: keep the position; an intent may move its protective levels.
      if (dec.hasSL) posSL[s] = sl;
      if (dec.hasTP) posTP[s] = tp;
      if (dec.hasTrail) posTrail[s] = trail;
      pTarget[s] = Number.NaN;
      return;
    }
    if (cur === 0 && target === 0) {
      pTarget[s] = Number.NaN;
      return;
    }
    if (type === ORDER_MARKET && atClose) {
      pTarget[s] = Number.NaN;
      executeTarget(s, target, rc, i, sl, tp, trail);
      return;
    }
    pTarget[s] = target;
    pType[s] = type;
    pPrice[s] = price;
    pSL[s] = sl;
    pTP[s] = tp;
    pTrail[s] = trail;
  }

  /** The open of bar i for `s` (its open `o`, high `h`, low `l`): pending entries, then protective exits against the bar's range. */
  function openPhase(s: number, i: number, o: number, h: number, l: number): void {
    let enteredResting = false;
    const t = pTarget[s];
    if (t === t) {
      const side = t > 0 ? 1 : t < 0 ? -1 : qty[s] > 0 ? -1 : 1;
      const px = entryFillPrice(pType[s], side, pPrice[s], o, h, l);
      if (px === px) {
        enteredResting = pType[s] !== ORDER_MARKET;
        pTarget[s] = Number.NaN;
        executeTarget(s, t, px, i, pSL[s], pTP[s], pTrail[s]);
      }
    }
    const q = qty[s];
    if (q === 0) return;
    // Most positions carry no protective levels: skip the intrabar checks for them.
    if (posSL[s] !== posSL[s] && posTP[s] !== posTP[s] && posTrail[s] !== posTrail[s]) return;
    const isLong = q > 0;
    const stop = effectiveStop(isLong, posSL[s], posTrail[s], posBest[s]);
    // After an intrabar limit/stop entry the bar's high/low may precede the fill: only the stop is checked.
    const code = checkExit(isLong, stop, enteredResting ? Number.NaN : posTP[s], o, h, l, optimistic, exitOut);
    if (code !== EXIT_NONE) {
      let reason: ExitReason = 'take-profit';
      if (code === EXIT_STOP) reason = posTrail[s] === posTrail[s] && stop !== posSL[s] ? 'trailing-stop' : 'stop-loss';
      trade(s, -q, exitOut.price, i, reason, exitOut.ambiguous);
    } else if (!enteredResting) {
      posBest[s] = isLong ? Math.max(posBest[s], h) : Math.min(posBest[s], l);
    }
  }

  const progressEvery = 1024;
  /** True at the bars where the run reports progress, checks for cancellation and may yield. */
  function tick(i: number): boolean {
    if ((i - i0) % progressEvery !== 0 || i === i0) return false;
    if (opts.signal?.aborted) throw new BacktestCancelledError();
    opts.onProgress?.((i - i0) / n);
    return true;
  }
  if (opts.signal?.aborted) throw new BacktestCancelledError();

  function markEquity(i: number): void {
    let eq = cash;
    let inMarket = false;
    for (let k = 0; k < nTrad; k++) {
      const s = tradable[k];
      if (qty[s] !== 0) {
        // Marks are refreshed here for held names only: reading every name's close each day strides
        // through the instrument-major panel, which dominates wide cross-sectional runs.
        const c = tClose[s * nDays + i];
        if (c === c) mark[s] = c;
        eq += qty[s] * mark[s];
        inMarket = true;
      }
    }
    equity[i - i0] = eq;
    if (inMarket) barsInMarket++;
  }

  /** A name with no bar after `i` inside the run: close its position at its last close (flagged) and drop orders. */
  function delistIfLast(s: number, i: number): void {
    if (i === lastValid[s] && i < i1) {
      pTarget[s] = Number.NaN;
      if (qty[s] !== 0) trade(s, -qty[s], tClose[s * nDays + i], i, 'delisted', false);
    }
  }

  if (strategy.kind === 'single') {
    const single = strategy as SingleStrategy<unknown, unknown>;
    high = panel.high;
    low = panel.low;
    volume = panel.volume;
    tHigh = traded.high;
    tLow = traded.low;
    // Traded prices differ from the signal columns only in a panel with corporate actions.
    const distinct = tClose !== close;
    // Indicator streams built here are shared with earlier runs on this panel (indicators/memo.ts).
    const states: unknown[] = tradable.map((s) => withIndicatorMemo(panel, s, nDays, () => single.init(params)));
    const barCount = new Int32Array(nTrad);
    const view: BarView = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
    // Bars [from, to): a plain function, not the generator's body, so V8 optimises (and on-stack
    // replaces) the hot loop; the generator only yields between chunks.
    //
    // The panel is instrument-major (`s * nDays + i`) but this loop is bar-major, so reading it in
    // place strides across every name's series each bar: a cache and TLB miss per read on a wide
    // universe. Each block of BLOCK bars is first copied bar-major (one short contiguous run per
    // name and column), and the steps read the copy: the same values in the same order, so the
    // result is identical.
    const BLOCK = 32;
    const bOpen = new Float64Array(BLOCK * nTrad);
    const bHigh = new Float64Array(BLOCK * nTrad);
    const bLow = new Float64Array(BLOCK * nTrad);
    const bClose = new Float64Array(BLOCK * nTrad);
    const bVolume = new Float64Array(BLOCK * nTrad);
    const bTOpen = distinct ? new Float64Array(BLOCK * nTrad) : bOpen;
    const bTHigh = distinct ? new Float64Array(BLOCK * nTrad) : bHigh;
    const bTLow = distinct ? new Float64Array(BLOCK * nTrad) : bLow;
    const bTClose = distinct ? new Float64Array(BLOCK * nTrad) : bClose;
    const copyBlock = (from: number, m: number): void => {
      for (let k = 0; k < nTrad; k++) {
        const base = tradable[k] * nDays + from;
        for (let j = 0, at = k; j < m; j++, at += nTrad) {
          bOpen[at] = open[base + j];
          bHigh[at] = high[base + j];
          bLow[at] = low[base + j];
          bClose[at] = close[base + j];
          bVolume[at] = volume[base + j];
        }
        if (distinct) {
          for (let j = 0, at = k; j < m; j++, at += nTrad) {
            bTOpen[at] = tOpen[base + j];
            bTHigh[at] = tHigh[base + j];
            bTLow[at] = tLow[base + j];
            bTClose[at] = tClose[base + j];
          }
        }
      }
    };
    const stepBars = (from: number, to: number): void => {
      for (let b = from; b < to; b += BLOCK) {
        const m = Math.min(BLOCK, to - b);
        copyBlock(b, m);
        for (let j = 0; j < m; j++) {
          const i = b + j;
          const row = j * nTrad;
          if (i === actBar) corporateActions(i);
          for (let k = 0; k < nTrad; k++) {
            const at = row + k;
            if (bClose[at] !== bClose[at]) continue;
            const s = tradable[k];
            // No pending order and no protective level: the open has nothing to do (openPhase would return).
            if (pTarget[s] === pTarget[s] || (qty[s] !== 0 && (posSL[s] === posSL[s] || posTP[s] === posTP[s] || posTrail[s] === posTrail[s]))) {
              openPhase(s, i, bTOpen[at], bTHigh[at], bTLow[at]);
            }
          }
          for (let k = 0; k < nTrad; k++) {
            const at = row + k;
            const c = bClose[at];
            if (c !== c) continue;
            const s = tradable[k];
            const rc = bTClose[at];
            mark[s] = rc;
            // Inline, as in stepOne: a call here measured ~10% of a wide run.
            view.index = barCount[k]++;
            view.time = time[i];
            view.open = bOpen[at];
            view.high = bHigh[at];
            view.low = bLow[at];
            view.close = c;
            view.volume = bVolume[at];
            decide(s, single.onBar(states[k], view), i, c, rc);
            delistIfLast(s, i);
          }
          // markEquity, reading the block's closes.
          let eq = cash;
          let inMarket = false;
          for (let k = 0; k < nTrad; k++) {
            const s = tradable[k];
            if (qty[s] !== 0) {
              const c = bTClose[row + k];
              if (c === c) mark[s] = c;
              eq += qty[s] * mark[s];
              inMarket = true;
            }
          }
          equity[i - i0] = eq;
          if (inMarket) barsInMarket++;
        }
      }
    };
    // One symbol (the common single-strategy run): the same steps without the per-name loops, and
    // the equity mark inlined (same operations in the same order as markEquity).
    const s1 = tradable[0];
    const state1 = states[0];
    const stepOne = (from: number, to: number): void => {
      const base = s1 * nDays;
      const last1 = lastValid[s1];
      for (let i = from; i < to; i++) {
        const c = close[base + i];
        if (i === actBar) corporateActions(i);
        if (c !== c) {
          markEquity(i);
          continue;
        }
        const at = base + i;
        // No pending order and no protective level to check: the open has nothing to do (openPhase would return).
        if (pTarget[s1] === pTarget[s1] || (qty[s1] !== 0 && (posSL[s1] === posSL[s1] || posTP[s1] === posTP[s1] || posTrail[s1] === posTrail[s1]))) {
          openPhase(s1, i, tOpen[at], tHigh[at], tLow[at]);
        }
        const rc = tClose[at];
        mark[s1] = rc;
        // The view is filled inline here, not through onBar: this path runs every single-symbol
        // backtest and sweep combination, and the call measured ~5% of a 2,520-bar run.
        view.index = barCount[0]++;
        view.time = time[i];
        view.open = open[at];
        view.high = high[at];
        view.low = low[at];
        view.close = c;
        view.volume = volume[at];
        const d = single.onBar(state1, view);
        if (d !== null && d !== undefined) decide(s1, d, i, c, rc);
        if (i === last1) delistIfLast(s1, i);
        const q = qty[s1];
        if (q !== 0) {
          equity[i - i0] = cash + q * rc;
          barsInMarket++;
        } else equity[i - i0] = cash;
      }
    };
    const step = nTrad === 1 ? stepOne : stepBars;
    // Warm-up: every name's strategy sees its bars before the run, in time order; its decisions are dropped.
    for (let i = iw; i < i0; i++) {
      if ((i - iw) % progressEvery === 0 && opts.signal?.aborted) throw new BacktestCancelledError();
      for (let k = 0; k < nTrad; k++) {
        const at = tradable[k] * nDays + i;
        if (close[at] !== close[at]) continue;
        const bar: BarView = { index: barCount[k]++, time: time[i], open: open[at], high: high[at], low: low[at], close: close[at], volume: volume[at] };
        single.onBar(states[k], bar);
      }
    }
    for (let i = i0; i <= i1; i += progressEvery) {
      if (tick(i)) yield (i - i0) / n;
      step(i, Math.min(i1 + 1, i + progressEvery));
    }
  } else if (strategy.kind === 'portfolio') {
    yield* runCrossSectional(portfolioAsCrossSectional(strategy as PortfolioStrategy<unknown, unknown>, params));
  } else {
    yield* runCrossSectional(strategy as CrossSectionalStrategy<unknown>);
  }

  function* runCrossSectional(cs: CrossSectionalStrategy<unknown>): Generator<number, void, void> {
    const every = cs.rebalance(params);
    const pendW = new Float64Array(nInst);
    let pending = false;
    let prevKey = Number.NaN;
    // Names whose last bar in the run comes before its end, by that bar's day.
    const delistedOnDay = new Map<number, number[]>();
    for (const s of tradable) {
      const last = lastValid[s];
      if (last === NO_BAR || last >= i1) continue;
      const list = delistedOnDay.get(last);
      if (list) list.push(s);
      else delistedOnDay.set(last, [s]);
    }
    const inRun = new Uint8Array(nInst);
    for (const s of tradable) inRun[s] = 1;
    const priceView = {
      panel, close, tradedClose: tClose, symIndex, inRun, tradable, first: iw, barsPerYear: spec.barsPerYear,
      universeAt: opts.universeAt, fundamental: opts.fundamental,
    };

    function rebalanceAt(i: number, prices: Float64Array): void {
      const base = i;
      let eq = cash;
      for (let k = 0; k < nTrad; k++) {
        const s = tradable[k];
        if (qty[s] === 0) continue;
        const p = prices[s * nDays + base];
        eq += qty[s] * (p === p ? p : mark[s]);
      }
      for (let pass = 0; pass < 2; pass++) {
        for (let k = 0; k < nTrad; k++) {
          const s = tradable[k];
          const p = prices[s * nDays + base];
          if (p !== p) continue;
          let w = pendW[s];
          if (longOnly && w < 0) w = 0;
          const target = w === 0 ? 0 : roundQty((w * eq) / (p * (1 + rate)), whole);
          const cur = qty[s];
          const reducing = target === 0 || (cur !== 0 && cur > 0 !== target > 0) || Math.abs(target) < Math.abs(cur);
          if (pass === 0 && reducing && cur !== 0) {
            const keep = cur !== 0 && target !== 0 && cur > 0 === target > 0 ? target : 0;
            trade(s, keep - cur, p, i, 'rebalance', false);
          } else if (pass === 1 && target !== qty[s]) {
            trade(s, target - qty[s], p, i, 'rebalance', false);
          }
        }
      }
    }
    // Spec exits on a cross-sectional run: checked like a single strategy's, against each held name's bar.
    if (specExits) {
      high = panel.high;
      low = panel.low;
    }
    for (let i = i0; i <= i1; i++) {
      if (tick(i)) yield (i - i0) / n;
      if (i === actBar) corporateActions(i);
      if (pending) {
        pending = false;
        rebalanceAt(i, tOpen);
      }
      if (specExits) {
        for (let k = 0; k < nTrad; k++) {
          const s = tradable[k];
          const at = s * nDays + i;
          if (qty[s] !== 0 && close[at] === close[at]) openPhase(s, i, open[at], high[at], low[at]);
        }
      }
      const key = periodKey(time[i], every);
      if (key !== prevKey) {
        prevKey = key;
        const view: CrossSectionView & { audit?: () => DecisionAudit } = opts.crossSectionAt ? opts.crossSectionAt(time[i]) : priceCrossSection(priceView, i);
        const weights = cs.weights(params, view);
        if (view.audit) audit.push(view.audit());
        // null: keep the book as it is (a portfolio strategy that decides nothing this bar).
        if (weights !== null) {
          pendW.fill(0);
          for (const [sym, w] of toWeightMap(weights)) {
            const s = symIndex.get(sym);
            if (s !== undefined && inRun[s] && Number.isFinite(w)) pendW[s] = w;
          }
          if (atClose) rebalanceAt(i, tClose);
          else pending = true;
        }
      }
      const gone = delistedOnDay.get(i);
      if (gone) for (const s of gone) delistIfLast(s, i);
      markEquity(i);
    }
  }

  if (spec.closeAtEnd) {
    for (const s of tradable) {
      if (qty[s] === 0) continue;
      const lastOpen = tOpen[s * nDays + i1];
      trade(s, -qty[s], spec.endFill === 'open' && lastOpen === lastOpen ? lastOpen : mark[s], i1, 'end', false);
    }
    equity[n - 1] = cash;
  }
  opts.onProgress?.(1);

  const openPositions: OpenPosition[] = [];
  for (const s of tradable) {
    const q = qty[s];
    if (q === 0) continue;
    openPositions.push({
      symbol: panel.symbols[s],
      side: q > 0 ? 'long' : 'short',
      qty: Math.abs(q),
      entryTime: time[entryBar[s]],
      entryPrice: entryPx[s],
      entryBar: entryBar[s] - i0,
      lastPrice: mark[s],
      unrealizedPnl: q * (mark[s] - entryPx[s]) - entryComm[s],
      commission: entryComm[s],
    });
  }
  const runTime = time.slice(i0, i1 + 1);
  const benchmark = benchIdx === NO_BAR ? undefined : alignedBenchmark(panel, benchIdx, i0, i1);
  const metrics = computeMetrics({
    capital: spec.capital,
    time: runTime,
    equity,
    trades,
    barsInMarket,
    tradedValue,
    barsPerYear: spec.barsPerYear,
    benchmark,
  });
  return { spec, metrics, trades, openPositions, equity: { time: runTime, value: equity }, fingerprint: panel.fingerprint, audit };
}
