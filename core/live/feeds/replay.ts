import type { Panel } from '../../data/panel-types';
import { tradedPrices } from '../../backtest/traded-prices';
import { ACTION_SPLIT } from '../../data/panel-types';
import type { StepAction, StepBar } from '../runner';
import type { Feed, FeedSink } from './types';

/** Options of {@link ReplayFeed}. */
export interface ReplayOptions {
  /** The bars to replay (the same panel a backtest of the spec reads). */
  readonly panel: Panel;
  /** Symbols to replay, in this order; default every panel symbol. */
  readonly symbols?: readonly string[];
  /** First and last bar times replayed (EpochMs, inclusive). */
  readonly from?: number;
  readonly to?: number;
  /** Time steps per second; 0 (default) = as fast as possible, yielding to the event loop every few hundred steps. */
  readonly speed?: number;
  /** Interval of the bars in ms (default one day). */
  readonly intervalMs?: number;
  /**
   * At full speed, yield to the event loop after this many ms of steps (default: only every 256 steps). Several
   * feeds in one process (the desk's books) then share it in small slices, and timers (the desk's pushes) run between.
   */
  readonly sliceMs?: number;
  /**
   * With a `speed`, steps at or before this time (EpochMs) are delivered as at full speed, then the pace starts: a
   * resumed session re-reads the history it already traded (to warm its strategies, trading nothing) at once, and
   * its first new step comes at the pace instead of after replaying every old step at it.
   */
  readonly catchUpUntil?: number;
}

/**
 * Replays stored bars as a live feed: one `bars` batch per time step, every symbol with a bar at that
 * time in the given order. Bars are reused between steps (copy what you keep); at full speed, 256 steps
 * share one `sink.batch` (one journal transaction). Bars carry traded prices, as a live feed's would, with
 * the panel's adjustment as `factor` (the strategy's signal prices) and its splits and dividends as
 * `actions` on the first bar of their ex date's step. A symbol whose data ends before the replay's last step is marked `final`
 * on its last bar (delisted), so the runner closes it at that close, exactly as the backtest does.
 */
export class ReplayFeed implements Feed {
  readonly name = 'replay';
  readonly #o: ReplayOptions;
  #stopped = false;
  /** Ends the paced wait between two steps early (on stop); null when no wait is pending. */
  #wake: (() => void) | null = null;
  #resolve!: () => void;
  readonly done: Promise<void>;
  /** Time steps delivered so far. */
  delivered = 0;

  constructor(o: ReplayOptions) {
    this.#o = o;
    this.done = new Promise((r) => (this.#resolve = r));
  }

  /** Starts delivering steps to `sink` (asynchronously: `done` settles at the end or on stop). */
  start(sink: FeedSink): void {
    const { panel } = this.#o;
    const syms = this.#o.symbols ?? panel.symbols;
    const rows = syms.map((s) => {
      const k = panel.symbols.indexOf(s);
      if (k < 0) throw new Error(`replay: unknown symbol "${s}"`);
      return k;
    });
    const n = panel.nDays;
    const from = this.#o.from ?? -Infinity;
    const to = this.#o.to ?? Infinity;
    let i0 = 0;
    while (i0 < n && panel.time[i0] < from) i0++;
    let i1 = n - 1;
    while (i1 >= i0 && panel.time[i1] > to) i1--;
    const last = rows.map((k) => {
      for (let i = i1; i >= i0; i--) if (panel.close[k * n + i] === panel.close[k * n + i]) return i;
      return -1;
    });
    const interval = this.#o.intervalMs ?? 86_400_000;
    const speed = this.#o.speed ?? 0;
    sink.status({ feed: this.name, state: 'open', at: Date.now() });
    let i = i0;
    // One mutable bar per symbol, overwritten every step: the sink copies what it keeps (no per-bar objects).
    type MutableBar = { -readonly [K in keyof StepBar]: StepBar[K] };
    const slots: MutableBar[] = syms.map((symbol) => ({
      symbol,
      intervalMs: interval,
      time: 0,
      open: 0,
      high: 0,
      low: 0,
      close: 0,
      volume: 0,
      final: false,
    }));
    const traded = tradedPrices(panel);
    const factor = panel.priceFactor;
    const acts = panel.actions;
    const rowOf = new Map(rows.map((k, j) => [k, j]));
    let actK = 0;
    if (acts) while (actK < acts.bar.length && acts.bar[actK] < i0) actK++;
    // Actions whose day has no bar of any replayed symbol wait for the next step that has one (as the engine's run calendar does).
    let heldActions: StepAction[] = [];
    const step: MutableBar[] = [];
    const emitStep = () => {
      step.length = 0;
      for (let j = 0; j < rows.length; j++) {
        const at = rows[j] * n + i;
        const c = panel.close[at];
        if (c !== c) continue;
        const b = slots[j];
        b.time = panel.time[i];
        b.open = traded.open[at];
        b.high = traded.high[at];
        b.low = traded.low[at];
        b.close = traded.close[at];
        b.volume = panel.volume[at];
        b.final = i === last[j] && i < i1;
        if (factor) b.factor = factor[at];
        b.actions = undefined;
        step.push(b);
      }
      if (acts) {
        for (; actK < acts.bar.length && acts.bar[actK] <= i; actK++) {
          const j = rowOf.get(acts.inst[actK]);
          if (j !== undefined)
            heldActions.push({
              symbol: syms[j],
              kind: acts.kind[actK] === ACTION_SPLIT ? 'split' : 'dividend',
              value: acts.value[actK],
            });
        }
        if (heldActions.length > 0 && step.length > 0) {
          step[0].actions = heldActions;
          heldActions = [];
        }
      }
      if (step.length > 0) sink.bars(step);
      this.delivered++;
      i++;
    };
    const sliceMs = this.#o.sliceMs;
    const catchUp = this.#o.catchUpUntil ?? Number.NEGATIVE_INFINITY;
    // Paced steps: every step at a speed, except those a resumed session already traded.
    const paced = () => speed > 0 && !(panel.time[i] <= catchUp);
    const chunk = () => {
      const t0 = sliceMs === undefined ? 0 : performance.now();
      for (let b = 0; b < 256 && i <= i1 && !this.#stopped && !paced(); b++) {
        emitStep();
        if (sliceMs !== undefined && performance.now() - t0 >= sliceMs) break;
      }
    };
    const finish = () => {
      sink.status({
        feed: this.name,
        state: 'closed',
        at: Date.now(),
        detail: this.#stopped ? 'stopped' : 'end of data',
      });
      this.#resolve();
    };
    const loop = () => {
      this.#wake = null;
      if (this.#stopped || i > i1) return finish();
      if (paced()) {
        emitStep();
        const wait = setTimeout(loop, 1000 / speed);
        // Stopping ends the wait at once (a slow pace waits seconds or more between steps).
        this.#wake = () => {
          clearTimeout(wait);
          loop();
        };
        return;
      }
      if (sink.batch) sink.batch(chunk);
      else chunk();
      setImmediate(loop);
    };
    loop();
  }

  /** Stops after the step in progress; resolves when the feed reports `closed`. */
  async stop(): Promise<void> {
    this.#stopped = true;
    // `loop` clears the wake before anything else, so it runs once.
    this.#wake?.();
    await this.done;
  }
}
