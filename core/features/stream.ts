import type { IndicatorStream } from '../indicators/registry';
import type { FeatureSeries } from '../sdk/feature-sandbox';
import { pitRowAt, type PitField, type PitUniverse } from '../strategies/pit-facts';
import { indicatorByName } from './batch';
import { exprKey, OPS, type Expr } from './expr';
import { binary, crossSection, elementwise, opKind, window1, window2, windowSpan } from './kernels';
import { memberAt } from './members';
import { NewsWindow, type NewsEvents } from './news';
import { userFeatureByHash } from './user';

/** One date's bars for every instrument of the stream (NaN where an instrument has no bar). */
export interface StreamBars {
  readonly time: number;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** adjusted = raw × factor, per instrument (absent: all ones), as in `Panel.priceFactor`. */
  readonly priceFactor?: Float64Array;
}

type Step = (bars: StreamBars) => Float64Array;

/**
 * The streaming form of {@link evaluateBatch}: `next(bars)` takes one date's bars for `nInst` instruments
 * and returns each expression's values at that date (arrays reused between calls: copy to keep). Window
 * operators keep the last N child values per instrument and call the same kernels as the batch form, so
 * at every bar the two forms give the same numbers. Fundamentals are read as known at `bars.time` from the
 * given PIT fields (instrument `s` of the stream is instrument `s` of the fields).
 */
export class FeatureStream {
  readonly #steps: Step[];
  #lastTime = Number.NEGATIVE_INFINITY;

  constructor(
    exprs: readonly Expr[],
    readonly nInst: number,
    readonly fields: ReadonlyMap<string, PitField> = new Map(),
    /** A named PIT universe (cross-sections rank members only, as known each date) and stored news. */
    readonly extra: { readonly universe?: PitUniverse | null; readonly news?: NewsEvents | null } = {},
  ) {
    this.#news = extra.news ?? null;
    const memo = new Map<string, Step>();
    this.#steps = exprs.map((e) => this.#compile(e, memo));
  }

  /** Advances one date; times must ascend strictly. */
  next(bars: StreamBars): Float64Array[] {
    if (!(bars.time > this.#lastTime))
      throw new Error(`FeatureStream: time ${bars.time} does not follow ${this.#lastTime}`);
    this.#lastTime = bars.time;
    // Each node steps at most once per date: a memoised step reads its cached value after the first call.
    this.#tick++;
    return this.#steps.map((s) => s(bars));
  }

  #tick = 0;
  #news: NewsEvents | null;
  readonly #newsResets: ((ev: NewsEvents) => void)[] = [];

  /**
   * Replaces the stored news the stream reads (a live session picks up articles fetched while it runs). Windows
   * are rebuilt and walk the new rows from the start at the next step: an article counts from the later of its
   * publication and when it became known, so one stored later never counts at a bar already stepped.
   */
  setNews(ev: NewsEvents): void {
    this.#news = ev;
    for (const r of this.#newsResets) r(ev);
  }

  #compile(e: Expr, memo: Map<string, Step>): Step {
    const key = exprKey(e);
    const hit = memo.get(key);
    if (hit) return hit;
    const inner = this.#build(e, memo);
    let at = -1;
    let val: Float64Array;
    const step: Step = (bars) => {
      if (at !== this.#tick) {
        val = inner(bars);
        at = this.#tick;
      }
      return val;
    };
    memo.set(key, step);
    return step;
  }

  #build(e: Expr, memo: Map<string, Step>): Step {
    const n = this.nInst;
    const out = new Float64Array(n);
    switch (e.k) {
      case 'num':
        out.fill(e.v);
        return () => out;
      case 'field':
        return this.#field(e.name, out);
      case 'neg': {
        const a = this.#compile(e.a, memo);
        return (b) => {
          const x = a(b);
          for (let s = 0; s < n; s++) out[s] = -x[s];
          return out;
        };
      }
      case 'bin': {
        const a = this.#compile(e.a, memo);
        const c = this.#compile(e.b, memo);
        const op = e.op;
        return (b) => {
          const x = a(b);
          const y = c(b);
          for (let s = 0; s < n; s++) out[s] = binary(op, x[s], y[s]);
          return out;
        };
      }
      case 'ind': {
        const ind = indicatorByName(e.name);
        const streams: (IndicatorStream | null)[] = new Array(n).fill(null);
        const bar = { open: 0, high: 0, low: 0, close: 0, volume: 0 };
        const output = e.output;
        if (!ind.outputs.includes(output)) throw new Error(`indicator ${e.name} has no output "${output}"`);
        return (b) => {
          for (let s = 0; s < n; s++) {
            // Start at the instrument's first bar, as the batch form does.
            if (streams[s] === null && b.close[s] === b.close[s]) streams[s] = ind.stream(e.params);
            const st = streams[s];
            if (st === null) {
              out[s] = Number.NaN;
              continue;
            }
            bar.open = b.open[s];
            bar.high = b.high[s];
            bar.low = b.low[s];
            bar.close = b.close[s];
            bar.volume = b.volume[s];
            out[s] = st.next(bar)[output];
          }
          return out;
        };
      }
      case 'user': {
        const f = userFeatureByHash(e.hash);
        const p = JSON.parse(e.params) as Record<string, unknown>;
        const series: (FeatureSeries | null)[] = new Array(n).fill(null);
        return (b) => {
          for (let s = 0; s < n; s++) {
            // Start at the instrument's first bar, as the batch form does.
            if (series[s] === null && b.close[s] === b.close[s]) series[s] = f.stream(p);
            const st = series[s];
            out[s] =
              st === null ? Number.NaN : st.next(b.time, b.open[s], b.high[s], b.low[s], b.close[s], b.volume[s]);
          }
          return out;
        };
      }
      case 'news': {
        if (!this.#news) throw new Error('feature News: no news given to the stream');
        const days = e.days;
        const holder = { windows: [] as NewsWindow[] };
        const reset = (ev: NewsEvents) => {
          holder.windows = Array.from({ length: n }, (_, s) => new NewsWindow(ev, s, days));
        };
        reset(this.#news);
        this.#newsResets.push(reset);
        const stat = e.stat;
        return (b) => {
          const windows = holder.windows;
          for (let s = 0; s < n; s++) {
            const v = windows[s].at(b.time, stat);
            out[s] = b.close[s] === b.close[s] ? v : Number.NaN;
          }
          return out;
        };
      }
      case 'call': {
        const args = e.args.map((a) => this.#compile(a, memo));
        const kind = opKind(e.op);
        const op = e.op;
        if (kind === 'elementwise') {
          return (b) => {
            const x = args[0](b);
            const y = args[1]?.(b);
            const z = args[2]?.(b);
            for (let s = 0; s < n; s++) out[s] = elementwise(op, x[s], y ? y[s] : 0, z ? z[s] : 0);
            return out;
          };
        }
        if (kind === 'cross') {
          const u = this.extra.universe;
          const day = new Float64Array(n);
          return (b) => {
            const x = args[0](b);
            if (u) for (let s = 0; s < n; s++) day[s] = memberAt(u, s, b.time) ? x[s] : Number.NaN;
            crossSection(op, u ? day : x, out);
            return out;
          };
        }
        const span = windowSpan(op, e.n);
        const ins = OPS[op].exprs;
        // Per instrument, the last `span` child values in time order, and how many were seen.
        const bufA = new Float64Array(n * span);
        const bufB = ins === 2 ? new Float64Array(n * span) : bufA;
        const seen = new Int32Array(n);
        const wn = e.n;
        const q = e.q;
        return (b) => {
          const x = args[0](b);
          const y = ins === 2 ? args[1](b) : x;
          for (let s = 0; s < n; s++) {
            const base = s * span;
            bufA.copyWithin(base, base + 1, base + span);
            bufA[base + span - 1] = x[s];
            if (ins === 2) {
              bufB.copyWithin(base, base + 1, base + span);
              bufB[base + span - 1] = y[s];
            }
            if (seen[s] < span) seen[s]++;
            out[s] =
              seen[s] < span
                ? Number.NaN
                : ins === 2
                  ? window2(op, bufA, bufB, base, wn)
                  : window1(op, bufA, base, wn, q);
          }
          return out;
        };
      }
    }
  }

  #field(name: string, out: Float64Array): Step {
    const n = this.nInst;
    switch (name) {
      case 'open':
      case 'high':
      case 'low':
      case 'close':
      case 'volume':
        return (b) => b[name];
      case 'rawclose':
        return (b) => {
          const f = b.priceFactor;
          if (!f) return b.close;
          for (let s = 0; s < n; s++) out[s] = b.close[s] / f[s];
          return out;
        };
      default:
        break;
    }
    const field = this.fields.get(name);
    if (!field)
      throw new Error(`feature field $${name}: no such bar field, and the fundamentals given do not include it`);
    return (b) => {
      for (let s = 0; s < n; s++) {
        const r = pitRowAt(field, s, b.time);
        out[s] = r < 0 ? Number.NaN : field.value[r];
      }
      return out;
    };
  }
}
