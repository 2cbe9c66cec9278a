import type { SignalExplanation } from '../model/explanation';
import type { ChallengerParams } from './challenger-params';
import { keepDecision, TopkDecider, type LiveModelSignal, type ModelBar, type TopkDecision } from './live';

export { challengerParams, type ChallengerParams } from './challenger-params';

/** The strategy params a version runs in a duel: the challenger's own where it sets them, else the champion's. */
export interface DuelStrategy {
  readonly mode: 'top-k' | 'threshold';
  readonly topK: number;
  readonly nDrop: number;
  readonly rebalance: 'daily' | 'weekly' | 'monthly';
  readonly short: boolean;
  readonly threshold: number;
}

/** One model's live record on the virtual book both versions are scored on (same rules, so they compare). */
export interface DuelMetrics {
  readonly modelId: string;
  readonly strategy: DuelStrategy;
  /** Cumulative return of the virtual book (fraction: 0.01 = 1%), decisions at a close filled at the next open. */
  readonly totalReturn: number;
  readonly maxDrawdown: number;
  /** Bars with a non-flat target whose next open-to-open return had the target's sign, over such bars. */
  readonly hitRate: number | null;
  /** Mean per-step Spearman correlation of predictions with the next open-to-open returns (≥ 3 symbols). */
  readonly rankIc: number | null;
  /** Target sign changes (entries, exits, reversals). */
  readonly signals: number;
  readonly steps: number;
}

/** What the Live view compares (`models:duel`). */
export interface DuelReport {
  readonly mode: 'shadow' | 'canary';
  readonly fraction: number;
  readonly champion: DuelMetrics;
  readonly challenger: DuelMetrics;
}

/**
 * A virtual book for one model on a live feed: per symbol the strategy's target, held from the next open; returns
 * open to open. Threshold mode: a target of ±1 or 0 per symbol, each symbol an equal share of the book (1/n).
 * Top-k mode: the portfolio's weights at its rebalances (they sum to the book), held between them. The champion and
 * the challenger are scored by the same book whatever they trade, so their live figures compare like for like.
 */
class VirtualBook {
  readonly #n: number;
  readonly #scale: number;
  readonly #target: Float64Array;
  readonly #held: Float64Array;
  readonly #lastOpen: Float64Array;
  readonly #pred: Float64Array;
  #equity = 1;
  #peak = 1;
  #maxDd = 0;
  #hits = 0;
  #calls = 0;
  #icSum = 0;
  #icN = 0;
  #signals = 0;
  #steps = 0;

  constructor(n: number, weights: boolean) {
    this.#n = n;
    this.#scale = weights ? 1 : 1 / n;
    this.#target = new Float64Array(n);
    this.#held = new Float64Array(n);
    this.#lastOpen = new Float64Array(n).fill(Number.NaN);
    this.#pred = new Float64Array(n).fill(Number.NaN);
  }

  /** A step: `open[k]` of each symbol (NaN: no bar), then the model's new predictions and targets at the close. */
  step(open: Float64Array, pred: Float64Array, target: Float64Array): void {
    this.#steps++;
    const ret = new Float64Array(this.#n).fill(Number.NaN);
    let pnl = 0;
    for (let k = 0; k < this.#n; k++) {
      if (open[k] !== open[k]) continue;
      const r = this.#lastOpen[k] === this.#lastOpen[k] ? open[k] / this.#lastOpen[k] - 1 : Number.NaN;
      ret[k] = r;
      if (r === r) {
        pnl += this.#held[k] * r * this.#scale;
        if (this.#held[k] !== 0) {
          this.#calls++;
          if (Math.sign(r) === Math.sign(this.#held[k])) this.#hits++;
        }
      }
      this.#lastOpen[k] = open[k];
      // Yesterday's decision is filled at this open.
      this.#held[k] = this.#target[k];
    }
    const ic = spearman(this.#pred, ret);
    if (ic === ic) {
      this.#icSum += ic;
      this.#icN++;
    }
    this.#equity *= 1 + pnl;
    this.#peak = Math.max(this.#peak, this.#equity);
    this.#maxDd = Math.max(this.#maxDd, 1 - this.#equity / this.#peak);
    for (let k = 0; k < this.#n; k++) {
      if (open[k] !== open[k]) continue;
      const t = target[k] === target[k] ? target[k] : 0;
      // An entry, an exit or a reversal (a top-k resize of a held name is none).
      if (Math.sign(t) !== Math.sign(this.#target[k])) this.#signals++;
      this.#target[k] = t;
      this.#pred[k] = pred[k];
    }
  }

  metrics(modelId: string, p: DuelStrategy): DuelMetrics {
    const { mode, topK, nDrop, rebalance, short, threshold } = p;
    return {
      modelId,
      strategy: { mode, topK, nDrop, rebalance, short, threshold },
      totalReturn: this.#equity - 1,
      maxDrawdown: this.#maxDd,
      hitRate: this.#calls > 0 ? this.#hits / this.#calls : null,
      rankIc: this.#icN > 0 ? this.#icSum / this.#icN : null,
      signals: this.#signals,
      steps: this.#steps,
    };
  }
}

/** Spearman correlation over the pairs where both are numbers (NaN under 3 pairs or no spread). */
export function spearman(a: Float64Array, b: Float64Array): number {
  const idx: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] === a[i] && b[i] === b[i]) idx.push(i);
  if (idx.length < 3) return Number.NaN;
  const rank = (v: Float64Array) => {
    const o = [...idx].sort((i, j) => v[i] - v[j]);
    const r = new Map<number, number>();
    for (let s = 0; s < o.length;) {
      let e = s;
      while (e + 1 < o.length && v[o[e + 1]] === v[o[s]]) e++;
      for (let q = s; q <= e; q++) r.set(o[q], (s + e) / 2);
      s = e + 1;
    }
    return idx.map((i) => r.get(i)!);
  };
  const ra = rank(a);
  const rb = rank(b);
  const m = (ra.length - 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < ra.length; i++) {
    sab += (ra[i] - m) * (rb[i] - m);
    saa += (ra[i] - m) ** 2;
    sbb += (rb[i] - m) ** 2;
  }
  return saa === 0 || sbb === 0 ? Number.NaN : sab / Math.sqrt(saa * sbb);
}

/**
 * Champion and challenger on one feed: both models observe every step (the challenger first, so a canary session
 * stepping after the champion's finds its predictions ready), both are scored on a virtual book, and the
 * champion's explanations go on the session's signals. It is the champion session's {@link SessionModel}.
 */
export class ModelDuel {
  readonly champion: LiveModelSignal;
  readonly challenger: LiveModelSignal;
  readonly config: ChallengerParams;
  readonly #symbols: readonly string[];
  readonly #books: [VirtualBook, VirtualBook];
  readonly #open: Float64Array;
  readonly #target: Float64Array;
  readonly #pred: Float64Array;
  /** Top-k models: each one's decisions for its virtual book (the sessions' portfolios decide their own trades). */
  readonly #deciders: [TopkDecider, TopkDecider] | null;
  readonly #weights: [Float64Array, Float64Array];
  /**
   * Top-k models: the decisions each virtual book was scored on (champion, challenger), each by its own params
   * (a challenger may hold another `topK`, drop another `nDrop`, rebalance on another period); empty in threshold mode;
   * the newest few thousand each (`keepDecision`).
   */
  readonly decisions: readonly [TopkDecision[], TopkDecision[]] = [[], []];

  constructor(
    champion: LiveModelSignal,
    challenger: LiveModelSignal,
    config: ChallengerParams,
    symbols: readonly string[],
  ) {
    this.champion = champion;
    this.challenger = challenger;
    this.config = config;
    this.#symbols = symbols;
    const topk = champion.params.mode === 'top-k';
    if (challenger.params.mode !== champion.params.mode)
      throw new Error(
        `params.challenger: the challenger runs the champion's strategy mode ("${champion.params.mode}"), not "${challenger.params.mode}"`,
      );
    this.#books = [new VirtualBook(symbols.length, topk), new VirtualBook(symbols.length, topk)];
    this.#deciders = topk ? [new TopkDecider(champion), new TopkDecider(challenger)] : null;
    this.#weights = [new Float64Array(symbols.length), new Float64Array(symbols.length)];
    this.#open = new Float64Array(symbols.length);
    this.#target = new Float64Array(symbols.length);
    this.#pred = new Float64Array(symbols.length);
  }

  observe(step: readonly ModelBar[]): void {
    const before = this.champion.time;
    this.challenger.observe(step);
    this.champion.observe(step);
    if (this.champion.time === before) return;
    this.#open.fill(Number.NaN);
    const at = new Map(this.#symbols.map((s, k) => [s, k]));
    for (const b of step) {
      const k = at.get(b.symbol);
      if (k !== undefined) this.#open[k] = b.open;
    }
    [this.champion, this.challenger].forEach((m, i) => {
      const decided = this.#deciders ? this.#deciders[i].decide(step) : null;
      if (decided) keepDecision(this.decisions[i], { time: step[0].time, weights: decided });
      const held = this.#weights[i];
      for (let k = 0; k < this.#symbols.length; k++) {
        this.#pred[k] = m.prediction(this.#symbols[k]);
        if (!this.#deciders) this.#target[k] = m.targetOf(this.#pred[k]);
        else {
          // Top-k: the weights decided at a rebalance, held until the next one.
          if (decided) held[k] = decided.get(this.#symbols[k]) ?? 0;
          this.#target[k] = held[k];
        }
      }
      this.#books[i].step(this.#open, this.#pred, this.#target);
    });
  }

  /** Top-k mode: the champion's portfolio trades the session's book (the challenger's, a canary's own). */
  get portfolio(): LiveModelSignal['portfolio'] {
    return this.champion.portfolio;
  }

  explain(symbol: string, time: number): SignalExplanation | undefined {
    return this.champion.explain(symbol, time);
  }

  report(): DuelReport {
    return {
      mode: this.config.mode,
      fraction: this.config.mode === 'canary' ? this.config.fraction : 0,
      champion: this.#books[0].metrics(this.champion.modelId, this.champion.params),
      challenger: this.#books[1].metrics(this.challenger.modelId, this.challenger.params),
    };
  }
}
