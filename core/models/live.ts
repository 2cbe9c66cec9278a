import { resolveFeatures, type FeatureDef } from '../features/defs';
import { fieldsOf, loadFeatureSource } from '../features/matrix';
import { FeatureStream, type StreamBars } from '../features/stream';
import type { SignalExplanation } from '../model/explanation';
import { formatDate } from '../model/time';
import type { Store } from '../store/sqlite-bar-store';
import { loadPitFacts } from '../strategies/pit-facts';
import { modelSignalParams, type ModelSignalParams } from '../strategies/model-signal';
import type { BarView, SingleStrategy } from '../strategy/types';
import { createGbdtExplainer, type GbdtExplainer } from './fast-treeshap';
import { loadStoredModel } from './service';
import type { ModelSpec } from './spec';
import { explainModel, modelFeatures, modelFromJson, predictModel, type Model } from './train';

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

/** How many contributions a signal carries. */
export const TOP_CONTRIBUTIONS = 3;

/**
 * `model-signal` on a live feed: the model's features computed bar by bar by a {@link FeatureStream} over every
 * symbol of the session (cross-sectional features and PIT fundamentals included), warmed on the store's history
 * before the first live bar, so at every bar the features equal the batch matrix research trains on. Each step the
 * session hands the whole step to {@link observe} before the strategy runner decides; the single-symbol strategy
 * then reads its symbol's prediction (threshold mode: long above `threshold`, short below `-threshold` when
 * `short`), and {@link explain} gives the exact contributions behind a signal (TreeSHAP for trees).
 * The model of a date is the walk-forward window whose test range covers it (so a replay trades the same
 * out-of-sample predictions as the backtest), the last window's after the last test window, none before the first.
 */
export class LiveModelSignal {
  readonly modelId: string;
  readonly params: ModelSignalParams;
  readonly strategy: SingleStrategy<ModelSignalParams, { k: number }>;
  readonly #symbols: readonly string[];
  readonly #index: Map<string, number>;
  readonly #labels: readonly string[];
  readonly #stream: FeatureStream;
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
    if (p.mode !== 'threshold')
      throw new Error(
        'params.mode: a live session runs model-signal per symbol in "threshold" mode; "top-k" is a portfolio rule the live runner does not step yet',
      );
    this.params = p;
    this.modelId = p.modelId;
    const { record, artifact } = loadStoredModel(store, p.modelId);
    const spec = record.spec as ModelSpec;
    const features = modelFeatures(resolveFeatures(spec.features as FeatureDef[]), spec.model);
    this.#labels = artifact.features;
    this.#symbols = symbols;
    this.#index = new Map(symbols.map((s, k) => [s, k]));
    this.#windows = artifact.windows.map((w) => {
      const model = modelFromJson(w.model);
      return { testStart: w.testStart, model, explainer: model.kind === 'gbdt' ? createGbdtExplainer(model) : null };
    });
    const facts = loadPitFacts(store, symbols, fieldsOf(features));
    this.#stream = new FeatureStream(
      features.map((f) => f.expr),
      symbols.length,
      facts.fields,
    );
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
        return bar.time !== self.#time ? null : self.targetOf(self.#pred[state.k]);
      },
    };
  }

  // Steps the stream over the store's history before the session's first bar (features need their windows).
  #warm(store: Store, features: ReturnType<typeof modelFeatures>, firstTime: number): void {
    const src = loadFeatureSource(store, features, { symbols: this.#symbols, to: firstTime - 1 });
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
    const cols = this.#stream.next(b as StreamBars);
    this.#time = b.time;
    const day = formatDate(b.time);
    while (this.#window + 1 < this.#windows.length && day >= this.#windows[this.#window + 1].testStart) this.#window++;
    const w = this.#window < 0 ? null : this.#windows[this.#window];
    for (let k = 0; k < this.#symbols.length; k++) {
      const x = this.#x[k];
      for (let j = 0; j < cols.length; j++) x[j] = cols[j][k];
      this.#pred[k] = w === null || b.close[k] !== b.close[k] ? Number.NaN : predictModel(w.model, x);
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
    let prediction: number;
    let base: number;
    let phi: Float64Array;
    if (w.explainer) {
      // The explainer allocates nothing; its output goes to one buffer per session, read before the next call.
      phi = this.#phi.length === x.length ? this.#phi : (this.#phi = new Float64Array(x.length));
      prediction = w.explainer.explain(x, phi);
      base = w.explainer.base;
    } else {
      const e = explainModel(w.model, x);
      ({ prediction, base } = e);
      phi = e.contributions;
    }
    const order = Array.from(phi, (_, j) => j).sort((a, b) => Math.abs(phi[b]) - Math.abs(phi[a]) || a - b);
    return {
      modelId: this.modelId,
      prediction,
      base,
      top: order
        .slice(0, top)
        .map((j) => ({ feature: this.#labels[j], value: Number.isFinite(x[j]) ? x[j] : null, contribution: phi[j] })),
    };
  }
}

/** A one-line "why" for an alert message: `rsi(period=14) +0.0012, return(window=5) −0.0008`. */
export function explanationText(e: SignalExplanation): string {
  return e.top
    .map((c) => `${c.feature} ${c.contribution >= 0 ? '+' : '−'}${Math.abs(c.contribution).toPrecision(2)}`)
    .join(', ');
}
