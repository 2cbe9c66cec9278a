import type { BarColumns } from '../model';

/** The candle arrays `technicalindicators` pattern functions take (oldest first). */
interface Candles {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}

/** One pattern: how many candles it reads (the last is the bar it fires on) and `technicalindicators`' test. */
export interface CandlePattern {
  readonly candles: number;
  readonly description: string;
  readonly test: (data: Candles) => boolean;
  /**
   * A cheap condition the package's own test requires (false here means `test` is false), checked first by
   * {@link PatternStream}: the trend patterns' package code builds indicator objects on every call (~13 us).
   */
  readonly quick?: (data: Candles) => boolean;
}

/** The `technicalindicators` pattern functions we use, by their export name. */
type PatternFn =
  | 'abandonedbaby'
  | 'bearishengulfingpattern'
  | 'bearishharami'
  | 'bearishmarubozu'
  | 'bullishengulfingpattern'
  | 'bullishharami'
  | 'bullishmarubozu'
  | 'darkcloudcover'
  | 'doji'
  | 'dragonflydoji'
  | 'eveningdojistar'
  | 'eveningstar'
  | 'gravestonedoji'
  | 'hammerpattern'
  | 'hangingman'
  | 'morningdojistar'
  | 'morningstar'
  | 'piercingline'
  | 'shootingstar'
  | 'threeblackcrows'
  | 'threewhitesoldiers'
  | 'tweezerbottom'
  | 'tweezertop';

let library: Record<PatternFn, (d: Candles) => unknown> | undefined;

/**
 * `technicalindicators` is loaded on the first pattern test, not at import: the strategy registry (and so
 * every CLI command that lists or runs strategies) imports this module, and most runs never test a pattern.
 * A plain `require`, which the CLI bundle turns into a lazily initialised module.
 */
function patternFn(name: PatternFn): (d: Candles) => unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  library ??= require('technicalindicators') as Record<PatternFn, (d: Candles) => unknown>;
  return library[name];
}

const p = (candles: number, description: string, fn: PatternFn, quick?: (d: Candles) => boolean): CandlePattern => {
  let test: ((d: Candles) => unknown) | undefined;
  return { candles, description, test: (d) => (test ??= patternFn(fn))(d) === true, quick };
};

// Preconditions of the five-candle patterns, from the package's code: the confirmation candle (`hasConfirmation`)
// and the hammer-like candle 3 (`includesHammer`). Its `approximateEqual(a, b)` rounds both sides to 4 significant
// digits (relative error <= 5e-4 each), so it implies |a - b| <= 0.001 a (1.0005 / 0.9995) < 0.00101 a.
const near = (a: number, b: number) => Math.abs(a - b) <= a * 0.00101;
const hammerStick = (o: number, h: number, l: number, c: number) =>
  (c > o && near(c, h) && c - o <= 2 * (o - l)) || (o > c && near(o, h) && o - c <= 2 * (c - l));
const invertedStick = (o: number, h: number, l: number, c: number) =>
  (c > o && near(o, l) && c - o <= 2 * (h - c)) || (o > c && near(c, l) && o - c <= 2 * (h - o));
const bullishConfirmation = (d: Candles) => d.open[4] < d.close[4] && d.close[3] < d.close[4];
const bearishConfirmation = (d: Candles) => d.open[4] > d.close[4] && d.close[3] > d.close[4];
const stick = (d: Candles, f: typeof hammerStick) => f(d.open[3], d.high[3], d.low[3], d.close[3]);

/**
 * Candlestick patterns recognised by the `technicalindicators` package (its definitions, pinned by our tests).
 * The five-candle ones (hammer, hanging man, shooting star, tweezers) include the package's trend and
 * confirmation candles, so they fire on the confirmation bar.
 */
export const CANDLE_PATTERNS = {
  'bullish-engulfing': p(
    2,
    'A bearish candle whose body is engulfed by the next (bullish) one',
    'bullishengulfingpattern',
  ),
  'bearish-engulfing': p(
    2,
    'A bullish candle whose body is engulfed by the next (bearish) one',
    'bearishengulfingpattern',
  ),
  'bullish-harami': p(2, 'A large bearish candle then a small candle inside its body', 'bullishharami'),
  'bearish-harami': p(2, 'A large bullish candle then a small candle inside its body', 'bearishharami'),
  'piercing-line': p(2, 'A bearish candle, then a gap down closing above its midpoint', 'piercingline'),
  'dark-cloud-cover': p(2, 'A bullish candle, then a gap up closing below its midpoint', 'darkcloudcover'),
  doji: p(1, 'Open and close (nearly) equal', 'doji'),
  'dragonfly-doji': p(1, 'Doji with open = close = high and a long lower shadow', 'dragonflydoji'),
  'gravestone-doji': p(1, 'Doji with open = close = low and a long upper shadow', 'gravestonedoji'),
  'bullish-marubozu': p(1, 'Bullish candle without shadows', 'bullishmarubozu'),
  'bearish-marubozu': p(1, 'Bearish candle without shadows', 'bearishmarubozu'),
  'morning-star': p(
    3,
    'Bearish candle, small gapped-down body, bullish candle closing above the first midpoint',
    'morningstar',
  ),
  'evening-star': p(
    3,
    'Bullish candle, small gapped-up body, bearish candle closing below the first midpoint',
    'eveningstar',
  ),
  'morning-doji-star': p(3, 'Morning star whose middle candle is a doji', 'morningdojistar'),
  'evening-doji-star': p(3, 'Evening star whose middle candle is a doji', 'eveningdojistar'),
  'abandoned-baby': p(3, 'Bearish candle, gapped doji, gapped bullish candle', 'abandonedbaby'),
  'three-white-soldiers': p(
    3,
    'Three rising bullish candles, each opening inside the previous body',
    'threewhitesoldiers',
  ),
  'three-black-crows': p(3, 'Three falling bearish candles, each opening inside the previous body', 'threeblackcrows'),
  hammer: p(
    5,
    'Downtrend, a hammer, then a bullish confirmation candle',
    'hammerpattern',
    (d) => bullishConfirmation(d) && (stick(d, hammerStick) || stick(d, invertedStick)),
  ),
  'hanging-man': p(
    5,
    'Uptrend, a hanging man, then a bearish confirmation candle',
    'hangingman',
    (d) => bearishConfirmation(d) && stick(d, hammerStick),
  ),
  'shooting-star': p(
    5,
    'Uptrend, a shooting star, then a bearish confirmation candle',
    'shootingstar',
    (d) => bearishConfirmation(d) && stick(d, invertedStick),
  ),
  'tweezer-top': p(5, 'Uptrend ending in two candles with equal highs', 'tweezertop', (d) => d.high[3] === d.high[4]),
  'tweezer-bottom': p(
    5,
    'Downtrend ending in two candles with equal lows',
    'tweezerbottom',
    (d) => d.low[3] === d.low[4],
  ),
} satisfies Record<string, CandlePattern>;

/** A candlestick pattern's name. */
export type CandlePatternName = keyof typeof CANDLE_PATTERNS;

/** True when `name` is a known candlestick pattern. */
export function isCandlePatternName(name: string): name is CandlePatternName {
  return Object.hasOwn(CANDLE_PATTERNS, name);
}

/**
 * Whether `pattern` completes at bar `t`, reading only bars `t - candles + 1 .. t` (no look-ahead, so a strategy
 * may call it bar by bar). False while fewer than `candles` bars exist. Allocates the small candle arrays the
 * package needs: fine for a condition, not for a hot loop over every bar of a sweep.
 */
export function patternAt(pattern: CandlePatternName, bars: BarColumns, t: number): boolean {
  const def: CandlePattern = CANDLE_PATTERNS[pattern];
  const from = t - def.candles + 1;
  if (from < 0 || t >= bars.close.length) return false;
  const data: Candles = { open: [], high: [], low: [], close: [] };
  for (let i = from; i <= t; i++) {
    data.open.push(bars.open[i]);
    data.high.push(bars.high[i]);
    data.low.push(bars.low[i]);
    data.close.push(bars.close[i]);
  }
  return def.test(data);
}

/** The pattern as a boolean series (1 where it completes at that bar, else 0), one entry per bar. */
export function patternSeries(pattern: CandlePatternName, bars: BarColumns): Uint8Array {
  const n = bars.close.length;
  const out = new Uint8Array(n);
  for (let t = 0; t < n; t++) out[t] = patternAt(pattern, bars, t) ? 1 : 0;
  return out;
}

/** Every pattern name, in `CANDLE_PATTERNS` order (a tuple for `z.enum`). */
export const CANDLE_PATTERN_NAMES = Object.keys(CANDLE_PATTERNS) as [CandlePatternName, ...CandlePatternName[]];

/** The OHLC of one bar, as a strategy's `BarView` carries it. */
export interface Candle {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/**
 * A candlestick pattern, streaming: `next(bar)` says whether `pattern` completes at that bar, equal to
 * {@link patternSeries} at the same index. Keeps only the last `candles` bars in a ring buffer and hands the
 * package one reused window (oldest first; its pattern functions only read their input), so a bar allocates nothing
 * on our side; a pattern's `quick` precondition skips the package's call on most bars.
 * False until `candles` bars have been seen.
 */
export class PatternStream {
  readonly pattern: CandlePatternName;
  readonly #def: CandlePattern;
  readonly #ring: Float64Array;
  readonly #window: Candles;
  #seen = 0;

  constructor(pattern: CandlePatternName) {
    if (!isCandlePatternName(pattern)) throw new Error(`unknown candlestick pattern "${String(pattern)}"`);
    this.pattern = pattern;
    this.#def = CANDLE_PATTERNS[pattern];
    const n = this.#def.candles;
    this.#ring = new Float64Array(4 * n);
    this.#window = {
      open: new Array<number>(n).fill(0),
      high: new Array<number>(n).fill(0),
      low: new Array<number>(n).fill(0),
      close: new Array<number>(n).fill(0),
    };
  }

  /** How many bars the pattern reads, the current one included. */
  get candles(): number {
    return this.#def.candles;
  }

  /** Pushes `bar` (the next bar in time order) and returns whether the pattern completes at it. */
  next(bar: Candle): boolean {
    const n = this.#def.candles;
    const slot = (this.#seen % n) * 4;
    this.#ring[slot] = bar.open;
    this.#ring[slot + 1] = bar.high;
    this.#ring[slot + 2] = bar.low;
    this.#ring[slot + 3] = bar.close;
    this.#seen++;
    if (this.#seen < n) return false;
    const w = this.#window;
    // The oldest bar sits just after the newest in the ring.
    for (let k = 0, j = this.#seen % n; k < n; k++, j = j + 1 === n ? 0 : j + 1) {
      w.open[k] = this.#ring[j * 4];
      w.high[k] = this.#ring[j * 4 + 1];
      w.low[k] = this.#ring[j * 4 + 2];
      w.close[k] = this.#ring[j * 4 + 3];
    }
    return (this.#def.quick === undefined || this.#def.quick(w)) && this.#def.test(w);
  }
}
