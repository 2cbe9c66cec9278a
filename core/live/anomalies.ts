/** Thresholds of the anomaly detector. */
export interface AnomalyConfig {
  /** Rolling window length in bars for the return and volume statistics. Default 20. */
  readonly window?: number;
  /** |z| of the bar's return against the window's returns that counts as a jump. Default 4. */
  readonly zThreshold?: number;
  /** Volume above this multiple of the window's mean volume is a spike. Default 5. */
  readonly volumeMultiple?: number;
  /** A feed with no message for this long is stale (ms). Default 30,000. */
  readonly staleMs?: number;
}

/** One detected anomaly. */
export interface Anomaly {
  readonly kind: 'price-jump' | 'volume-spike';
  readonly symbol: string;
  readonly value: number;
  readonly message: string;
}

/**
 * Price-jump and volume-spike detection on closed bars. The statistics cover the `window` bars
 * *before* the current one, so a jump cannot dampen its own z-score; nothing is reported until the
 * window is full. Per-symbol state lives in ring buffers; a bar costs O(1).
 */
export class AnomalyDetector {
  readonly window: number;
  readonly zThreshold: number;
  readonly volumeMultiple: number;
  readonly #slots = new Map<string, number>();
  #ret = new Float64Array(0);
  #vol = new Float64Array(0);
  // Per slot: [count, head, sumR, sumR2, sumV, lastClose]
  #meta = new Float64Array(0);

  constructor(c: AnomalyConfig = {}) {
    this.window = c.window ?? 20;
    this.zThreshold = c.zThreshold ?? 4;
    this.volumeMultiple = c.volumeMultiple ?? 5;
    if (!(this.window >= 2)) throw new Error('AnomalyDetector: window must be >= 2');
  }

  #slot(symbol: string): number {
    let s = this.#slots.get(symbol);
    if (s !== undefined) return s;
    s = this.#slots.size;
    this.#slots.set(symbol, s);
    if ((s + 1) * 6 > this.#meta.length) {
      const cap = Math.max(8, (s + 1) * 2);
      const grow = (a: Float64Array, w: number) => {
        const g = new Float64Array(cap * w);
        g.set(a);
        return g;
      };
      this.#ret = grow(this.#ret, this.window);
      this.#vol = grow(this.#vol, this.window);
      this.#meta = grow(this.#meta, 6);
    }
    this.#meta[s * 6 + 5] = Number.NaN;
    return s;
  }

  /** Feeds one closed bar; returns the anomalies it shows (empty most of the time). */
  onBar(symbol: string, close: number, volume: number): Anomaly[] {
    const s = this.#slot(symbol);
    const m = this.#meta;
    const b = s * 6;
    const W = this.window;
    const out: Anomaly[] = [];
    const prevClose = m[b + 5];
    m[b + 5] = close;
    if (!(prevClose > 0)) return out;
    const r = Math.log(close / prevClose);
    const n = m[b];
    if (n >= W) {
      const mean = m[b + 2] / W;
      const sd = Math.sqrt(Math.max(0, m[b + 3] / W - mean * mean));
      const z = sd > 0 ? (r - mean) / sd : 0;
      if (Math.abs(z) >= this.zThreshold) {
        out.push({
          kind: 'price-jump',
          symbol,
          value: z,
          message: `${symbol}: return ${(r * 100).toFixed(2)}% is ${z.toFixed(1)} sd from the last ${W} bars`,
        });
      }
      const mv = m[b + 4] / W;
      if (mv > 0 && volume > this.volumeMultiple * mv) {
        out.push({
          kind: 'volume-spike',
          symbol,
          value: volume / mv,
          message: `${symbol}: volume ${volume} is ${(volume / mv).toFixed(1)}x the ${W}-bar mean`,
        });
      }
    }
    const head = m[b + 1];
    const i = s * W + head;
    if (n >= W) {
      m[b + 2] -= this.#ret[i];
      m[b + 3] -= this.#ret[i] * this.#ret[i];
      m[b + 4] -= this.#vol[i];
    } else {
      m[b] = n + 1;
    }
    this.#ret[i] = r;
    this.#vol[i] = volume;
    m[b + 2] += r;
    m[b + 3] += r * r;
    m[b + 4] += volume;
    m[b + 1] = (head + 1) % W;
    return out;
  }
}
