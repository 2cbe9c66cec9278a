import { resolveFeatures, type FeatureDef } from '../features/defs';
import { readsNews } from '../features/expr';
import { fieldsOf, loadFeatureSource, newsFor } from '../features/matrix';
import { loadNewsEvents } from '../features/news';
import { newsVersion } from '../store/news';
import { FeatureStream, type StreamBars } from '../features/stream';
import { memberAt } from '../features/members';
import type { SignalExplanation } from '../model/explanation';
import { formatDate } from '../model/time';
import { instrumentId } from '../store/queries';
import type { Store } from '../store/sqlite-bar-store';
import { loadPitFacts, type PitUniverse } from '../strategies/pit-facts';
import { periodKey } from '../backtest/calendar';
import { rebalanceTo, type PortfolioContext, type SessionPortfolio } from '../live/portfolio';
import type { StepBar } from '../live/runner';
import { modelSignalParams, modelWeights, type ModelSignalParams, type TopkBook } from '../strategies/model-signal';
import type { BarView, SingleStrategy } from '../strategy/types';
import { createGbdtExplainer, type GbdtExplainer } from './fast-treeshap';
import { loadStoredModel } from './service';
import type { ModelSpec } from './spec';
import { explainPrediction, TOP_CONTRIBUTIONS } from './predictions';
import { modelFeatures, modelFromJson, predictModel, type Model } from './train';

export type { SignalContribution, SignalExplanation } from '../model/explanation';

/** A bar of a live step as the model reads it (the runner's `StepBar` shape: traded prices, `factor` to signal prices). */
export interface ModelBar {
  readonly symbol: string;
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly factor?: number;
}

export { TOP_CONTRIBUTIONS } from './predictions';

/**
 * `model-signal` on a live feed: the model's features computed bar by bar by a {@link FeatureStream} over every
 * symbol of the session (cross-sectional features and PIT fundamentals included), warmed on the store's history
 * before the first live bar, so at every bar the features equal the batch matrix research trains on. Each step the
 * session hands the whole step to {@link observe} before the strategy runner decides; in threshold mode the
 * single-symbol strategy then reads its symbol's prediction (long above `threshold`, short below `-threshold` when
 * `short`); in top-k mode {@link portfolio} moves the whole book at rebalance dates instead. {@link explain} gives
 * the exact contributions behind a signal (TreeSHAP for trees).
 * The model of a date is the walk-forward window whose test range covers it (so a replay trades the same
 * out-of-sample predictions as the backtest), the last window's after the last test window, none before the first.
 * With a named PIT universe in the model's spec, a symbol that is not a member at a step (as known then) gets no
 * prediction there (so no trade, no explanation), as the backtest's predictions and `models predict` have none.
 */
export class LiveModelSignal {
  readonly modelId: string;
  readonly params: ModelSignalParams;
  readonly strategy: SingleStrategy<ModelSignalParams, { k: number }>;
  /** Top-k mode: the portfolio rule the session steps (the per-symbol strategy then decides nothing); null in threshold mode. */
  readonly portfolio: LiveTopK | null;
  readonly #symbols: readonly string[];
  readonly #index: Map<string, number>;
  readonly #labels: readonly string[];
  readonly #stream: FeatureStream;
  /** The spec's named PIT universe over the session's symbols (null: every symbol): non-members get no prediction. */
  readonly #universe: PitUniverse | null;
  #refreshNews: (() => void) | null = null;
  readonly #windows: { testStart: string; model: Model; explainer: GbdtExplainer | null }[];
  readonly #pred: Float64Array;
  readonly #x: Float64Array[];
  readonly #bars: {
    time: number;
    open: Float64Array;
    high: Float64Array;
    low: Float64Array;
    close: Float64Array;
    volume: Float64Array;
    priceFactor: Float64Array;
  };
  #time = Number.NEGATIVE_INFINITY;
  #phi = new Float64Array(0);
  #window = -1;
  #inits = 0;

  constructor(store: Store, rawParams: unknown, symbols: readonly string[], firstTime: number | undefined) {
    const parsed = modelSignalParams.safeParse(rawParams ?? {});
    if (!parsed.success)
      throw new Error(
        parsed.error.issues.map((i) => `params${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`).join('; '),
      );
    const p = parsed.data;
    if (p.modelId === '') throw new Error('params.modelId: model-signal needs a model id (see quantdesk models list)');
    this.params = p;
    this.modelId = p.modelId;
    const { record, artifact } = loadStoredModel(store, p.modelId);
    const spec = record.spec as ModelSpec;
    const features = modelFeatures(resolveFeatures(spec.features as FeatureDef[], 'features', { store }), spec.model);
    this.#labels = artifact.features;
    this.#symbols = symbols;
    this.#index = new Map(symbols.map((s, k) => [s, k]));
    this.#windows = artifact.windows.map((w) => {
      const model = modelFromJson(w.model);
      return { testStart: w.testStart, model, explainer: model.kind === 'gbdt' ? createGbdtExplainer(model) : null };
    });
    const named = spec.universe !== undefined && spec.universe !== 'all' ? spec.universe : undefined;
    const facts = loadPitFacts(store, symbols, fieldsOf(features), named);
    this.#universe = facts.universe;
    // Cross-sections rank within the spec's universe, as in training; news as stored when the session starts.
    this.#stream = new FeatureStream(
      features.map((f) => f.expr),
      symbols.length,
      facts.fields,
      { universe: facts.universe, news: newsFor(store, features, symbols) },
    );
    if (features.some((f) => readsNews(f.expr))) {
      // Articles fetched while the session runs: reload the news when the store's news changed.
      let version = newsVersion(store);
      this.#refreshNews = () => {
        const v = newsVersion(store);
        if (v === version) return;
        version = v;
        this.#stream.setNews(loadNewsEvents(store, symbols));
      };
    }
    const n = symbols.length;
    const nan = () => new Float64Array(n).fill(Number.NaN);
    this.#pred = nan();
    this.#x = symbols.map(() => new Float64Array(features.length).fill(Number.NaN));
    this.#bars = {
      time: 0,
      open: nan(),
      high: nan(),
      low: nan(),
      close: nan(),
      volume: nan(),
      priceFactor: new Float64Array(n).fill(1),
    };
    if (firstTime !== undefined) this.#warm(store, features, firstTime);
    const self = this;
    this.strategy = {
      kind: 'single',
      name: 'model-signal',
      description: 'Trade a trained model live: threshold on the streaming prediction, with its explanation',
      params: modelSignalParams as never,
      init() {
        // The runner creates one state per symbol in its symbols' order: the k-th state is the k-th symbol.
        if (self.#inits >= n) throw new Error('model-signal: more strategy states than session symbols');
        return { k: self.#inits++ };
      },
      onBar(state, bar: BarView) {
        return bar.time !== self.#time || self.portfolio ? null : self.targetOf(self.#pred[state.k]);
      },
    };
    this.portfolio = p.mode === 'top-k' ? new LiveTopK(this, symbols) : null;
  }

  // Steps the stream over the store's history before the session's first bar (features need their windows).
  #warm(store: Store, features: ReturnType<typeof modelFeatures>, firstTime: number): void {
    // A streaming session may trade symbols the store does not hold: they start without history.
    const known = this.#symbols.filter((s) => instrumentId(store, s) !== undefined);
    if (known.length === 0) return;
    const src = loadFeatureSource(store, features, { symbols: known, to: firstTime - 1 });
    const { panel } = src;
    const rows = this.#symbols.map((s) => panel.symbols.indexOf(s));
    const b = this.#bars;
    for (let t = 0; t < panel.nDays; t++) {
      if (!(panel.time[t] < firstTime)) break;
      for (let k = 0; k < rows.length; k++) {
        const at = rows[k] < 0 ? -1 : rows[k] * panel.nDays + t;
        b.open[k] = at < 0 ? Number.NaN : panel.open[at];
        b.high[k] = at < 0 ? Number.NaN : panel.high[at];
        b.low[k] = at < 0 ? Number.NaN : panel.low[at];
        b.close[k] = at < 0 ? Number.NaN : panel.close[at];
        b.volume[k] = at < 0 ? Number.NaN : panel.volume[at];
        b.priceFactor[k] = at < 0 || !panel.priceFactor ? 1 : panel.priceFactor[at];
      }
      b.time = panel.time[t];
      this.#stream.next(b as StreamBars);
      this.#time = panel.time[t];
    }
  }

  /** One time step of closed bars (every symbol's bar at one time): features, then each symbol's prediction. */
  observe(step: readonly ModelBar[]): void {
    if (step.length === 0 || !(step[0].time > this.#time)) return;
    const b = this.#bars;
    b.open.fill(Number.NaN);
    b.high.fill(Number.NaN);
    b.low.fill(Number.NaN);
    b.close.fill(Number.NaN);
    b.volume.fill(Number.NaN);
    b.priceFactor.fill(1);
    for (const bar of step) {
      const k = this.#index.get(bar.symbol);
      if (k === undefined) continue;
      // Features read signal prices (adjusted = traded × factor), as the batch matrix reads the adjusted panel.
      const f = bar.factor ?? 1;
      b.open[k] = bar.open * f;
      b.high[k] = bar.high * f;
      b.low[k] = bar.low * f;
      b.close[k] = bar.close * f;
      b.volume[k] = bar.volume;
      b.priceFactor[k] = f;
    }
    b.time = step[0].time;
    this.#refreshNews?.();
    const cols = this.#stream.next(b as StreamBars);
    this.#time = b.time;
    const day = formatDate(b.time);
    while (this.#window + 1 < this.#windows.length && day >= this.#windows[this.#window + 1].testStart) this.#window++;
    const w = this.#window < 0 ? null : this.#windows[this.#window];
    const u = this.#universe;
    for (let k = 0; k < this.#symbols.length; k++) {
      const x = this.#x[k];
      for (let j = 0; j < cols.length; j++) x[j] = cols[j][k];
      // A named universe: a symbol not a member at this step (as known now) gets no prediction, hence no trade.
      this.#pred[k] =
        w === null || b.close[k] !== b.close[k] || (u && !memberAt(u, k, b.time))
          ? Number.NaN
          : predictModel(w.model, x);
    }
  }

  /** The time of the last observed step (EpochMs). */
  get time(): number {
    return this.#time;
  }

  /** The threshold rule: long above `threshold`, short below `-threshold` when `short`, else flat (no prediction: flat). */
  targetOf(v: number): number {
    if (v !== v) return 0;
    const p = this.params;
    return v > p.threshold ? 1 : p.short && v < -p.threshold ? -1 : 0;
  }

  /** The latest prediction for `symbol` (NaN: none). */
  prediction(symbol: string): number {
    const k = this.#index.get(symbol);
    return k === undefined ? Number.NaN : this.#pred[k];
  }

  /** The exact contributions behind `symbol`'s prediction at `time` (the last observed step), or undefined. */
  explain(symbol: string, time: number, top = TOP_CONTRIBUTIONS): SignalExplanation | undefined {
    const k = this.#index.get(symbol);
    if (k === undefined || time !== this.#time || this.#window < 0 || this.#pred[k] !== this.#pred[k]) return undefined;
    const w = this.#windows[this.#window];
    const x = this.#x[k];
    // The explainer allocates nothing; its output goes to one buffer per session, read before the next call.
    if (this.#phi.length !== x.length) this.#phi = new Float64Array(x.length);
    return explainPrediction(this.modelId, this.#labels, w.model, w.explainer, x, top, this.#phi);
  }
}

/**
 * The top-k rule of one live model over a session's steps: at the first step of each rebalance period (as the
 * backtest's calendar keys them) the streaming predictions of the symbols with a bar go through the backtest's own
 * decision ({@link modelWeights}), which moves the held names. The session's portfolio decides with one; a duel
 * scores each model's decisions with another (the same steps give the same decisions).
 */
export class TopkDecider {
  readonly #model: LiveModelSignal;
  readonly #book: TopkBook = { long: [], short: [] };
  #period = Number.NaN;

  constructor(model: LiveModelSignal) {
    this.#model = model;
  }

  /** The new weights (symbols held; others 0) when `step` opens a rebalance period, else null. */
  decide(step: readonly { readonly symbol: string; readonly time: number }[]): Map<string, number> | null {
    if (step.length === 0) return null;
    const p = this.#model.params;
    const key = periodKey(step[0].time, p.rebalance);
    if (key === this.#period) return null;
    this.#period = key;
    const scores = new Map<string, number>();
    for (const b of step) {
      const v = this.#model.prediction(b.symbol);
      if (Number.isFinite(v)) scores.set(b.symbol, v);
    }
    return modelWeights(p, scores, this.#book);
  }
}

/** One top-k decision of a live session: its date and the target weight of each symbol held (others: 0). */
export interface TopkDecision {
  readonly time: number;
  readonly weights: ReadonlyMap<string, number>;
}

/** The most top-k decisions a live session keeps in memory (the newest); the journal holds its orders and fills. */
export const MAX_KEPT_DECISIONS = 2000;

/** Appends `d` to `list`, dropping the oldest beyond {@link MAX_KEPT_DECISIONS}: a session that runs for years stays bounded. */
export function keepDecision(list: TopkDecision[], d: TopkDecision, max = MAX_KEPT_DECISIONS): void {
  list.push(d);
  if (list.length > max) list.splice(0, list.length - max);
}

/**
 * `model-signal` top-k on a live feed: at the first step of each rebalance period (daily, weekly, monthly, as the
 * backtest's calendar keys them) the streaming predictions of the symbols with a bar go through the backtest's own
 * decision ({@link modelWeights}: Qlib's top-k with dropout, optionally short the bottom), and the book moves to
 * those weights at the next step's opens (or at once with `fill: "close"`) by {@link rebalanceTo}. So a replay
 * targets what the backtest targets on the same dates. A resumed session re-decides its warm steps (the held names
 * are state) without trading them.
 */
export class LiveTopK implements SessionPortfolio {
  readonly #symbols: readonly string[];
  readonly #decider: TopkDecider;
  readonly #target: Float64Array;
  readonly #prices: Float64Array;
  #pending = false;
  /** The decisions so far (warm steps included), oldest first: the last {@link MAX_KEPT_DECISIONS}. */
  readonly decisions: TopkDecision[] = [];

  constructor(model: LiveModelSignal, symbols: readonly string[]) {
    this.#symbols = symbols;
    this.#decider = new TopkDecider(model);
    this.#target = new Float64Array(symbols.length);
    this.#prices = new Float64Array(symbols.length);
  }

  opens(step: readonly StepBar[], ctx: PortfolioContext): void {
    if (!this.#pending || step.length === 0) return;
    this.#pending = false;
    if (ctx.warming) return;
    this.#trade(step, ctx, 'open');
  }

  closes(step: readonly StepBar[], ctx: PortfolioContext): void {
    const weights = this.#decider.decide(step);
    if (weights === null) return;
    const time = step[0].time;
    keepDecision(this.decisions, { time, weights });
    for (let k = 0; k < this.#symbols.length; k++) {
      const w = weights.get(this.#symbols[k]) ?? 0;
      const was = this.#target[k];
      this.#target[k] = w;
      // An entry, an exit or a reversal is a signal (with its explanation); a resize of a held name is not.
      if (ctx.warming || Math.sign(w) === Math.sign(was)) continue;
      const bar = step.find((b) => b.symbol === this.#symbols[k]);
      ctx.signal({
        symbol: this.#symbols[k],
        time,
        side: w > was ? 'buy' : 'sell',
        price: bar ? bar.close : Number.NaN,
        target: w,
        reason: 'signal',
      });
    }
    if (ctx.spec.fill === 'close') {
      if (!ctx.warming) this.#trade(step, ctx, 'close');
    } else this.#pending = true;
  }

  #trade(step: readonly StepBar[], ctx: PortfolioContext, at: 'open' | 'close'): void {
    this.#prices.fill(Number.NaN);
    const index = new Map(this.#symbols.map((s, k) => [s, k]));
    for (const b of step) {
      const k = index.get(b.symbol);
      if (k !== undefined) this.#prices[k] = at === 'open' ? b.open : b.close;
    }
    rebalanceTo(ctx, this.#target, this.#prices, step[0].time);
  }
}

/** A one-line "why" for an alert message: `rsi(period=14) +0.0012, return(window=5) −0.0008`. */
export function explanationText(e: SignalExplanation): string {
  return e.top
    .map((c) => `${c.feature} ${c.contribution >= 0 ? '+' : '−'}${Math.abs(c.contribution).toPrecision(2)}`)
    .join(', ');
}
