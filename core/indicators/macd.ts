import { ema, emaFrom, EmaStream } from './moving-averages';
import { assertPeriod } from './types';
import { memoStream } from './memo';

/** MACD columns. */
export interface MacdColumns {
  readonly macd: Float64Array;
  readonly signal: Float64Array;
  readonly histogram: Float64Array;
}

/** One MACD row; a stream returns the same object each call. */
export interface MacdValue {
  macd: number;
  signal: number;
  histogram: number;
}

function checkPeriods(fast: number, slow: number, signal: number): [number, number] {
  assertPeriod('macd fast', fast, 2);
  assertPeriod('macd slow', slow, 2);
  assertPeriod('macd signal', signal, 1);
  // TA_MACD swaps the periods when slow < fast.
  return slow < fast ? [slow, fast] : [fast, slow];
}

/**
 * MACD as TA_MACD: fast and slow EMAs (k = 2/(n+1)) with TA-Lib's aligned seeds (the fast EMA is seeded with the
 * SMA of the `fast` values ending at index `slow - 1`, not the first `fast`), macd = fast − slow from index
 * `slow - 1`, signal = EMA(macd, signal) seeded with the SMA of its first `signal` values, histogram = macd − signal;
 * signal and histogram first valid at `slow + signal - 2` (TA-Lib emits all three from there; we also give the
 * macd line from `slow - 1`, the same values TA-Lib computes). If `slow < fast` the two are swapped, as in TA-Lib.
 */
export function macd(src: Float64Array, fast: number, slow: number, signal: number): MacdColumns {
  const [f, s] = checkPeriods(fast, slow, signal);
  const n = src.length;
  const fastLine = emaFrom(src, f, s - f);
  const line = ema(src, s);
  for (let i = 0; i < n; i++) line[i] = i >= s - 1 ? fastLine[i] - line[i] : Number.NaN;
  const sig = emaFrom(line, signal, s - 1);
  const histogram = fastLine; // reuse the buffer
  for (let i = 0; i < n; i++) histogram[i] = line[i] - sig[i];
  return { macd: line, signal: sig, histogram };
}

/** Streaming {@link macd} over closes: equals the batch row at every index. Returns a reused row object. */
export class MacdStream {
  readonly #fastStart: number;
  readonly #slow: number;
  readonly #fastEma: EmaStream;
  readonly #slowEma: EmaStream;
  readonly #signalEma: EmaStream;
  readonly #value: MacdValue = { macd: Number.NaN, signal: Number.NaN, histogram: Number.NaN };
  #count = 0;
  constructor(fast: number, slow: number, signal: number) {
    const [f, s] = checkPeriods(fast, slow, signal);
    this.#fastStart = s - f;
    this.#slow = s;
    this.#fastEma = new EmaStream(f);
    this.#slowEma = new EmaStream(s);
    this.#signalEma = new EmaStream(signal);
    const memo = memoStream(
      'MacdStream',
      [fast, slow, signal],
      'value-row',
      ['macd', 'signal', 'histogram'],
      this,
      () => new MacdStream(fast, slow, signal),
    );
    if (memo) return memo;
  }
  /** Consumes the next close; returns the reused `{macd, signal, histogram}` (NaN fields during warm-up). */
  next(value: number): Readonly<MacdValue> {
    const i = this.#count++;
    const r = this.#value;
    const slowV = this.#slowEma.next(value);
    const fastV = i >= this.#fastStart ? this.#fastEma.next(value) : Number.NaN;
    if (i < this.#slow - 1) {
      r.macd = r.signal = r.histogram = Number.NaN;
      return r;
    }
    const line = fastV - slowV;
    const sig = this.#signalEma.next(line);
    r.macd = line;
    r.signal = sig;
    r.histogram = line - sig;
    return r;
  }
}
