import { z } from 'zod';
import type { BarColumns } from '../model';
import { adx, AdxStream } from './adx';
import { ichimoku, IchimokuStream } from './ichimoku';
import { macd, MacdStream } from './macd';
import { ema, EmaStream, sma, SmaStream, wma, WmaStream } from './moving-averages';
import { cci, CciStream, stoch, StochStream, williamsr, WilliamsRStream } from './oscillators';
import { rsi, RsiStream } from './rsi';
import type { BarInput } from './types';
import { atr, AtrStream, bbands, BbandsStream } from './volatility';
import { obv, ObvStream, vwap, VwapStream } from './volume';

/** The output key of every single-output indicator. */
export const VALUE = 'value';

/**
 * A streaming indicator behind the registry's uniform face: `next(bar)` returns a record with the indicator's
 * output keys, the same object on every call (copy it to keep it). Values are NaN during warm-up.
 */
export interface IndicatorStream {
  next(bar: BarInput): Readonly<Record<string, number>>;
}

/** One registry entry. `batch` and `stream` parse `params` (defaults applied) and throw a ZodError on bad ones. */
export interface Indicator {
  readonly description: string;
  /** Strict zod schema of the parameters, with defaults. */
  readonly params: z.ZodType<Record<string, number>, Record<string, number | undefined>>;
  /** Output keys: `['value']` for single-output indicators. */
  readonly outputs: readonly string[];
  batch(columns: BarColumns, params?: Record<string, unknown>): Record<string, Float64Array>;
  stream(params?: Record<string, unknown>): IndicatorStream;
}

function intParam(min: number, def: number) {
  return z.number().int().min(min).default(def);
}

const period = (def: number, min = 2) => z.strictObject({ period: intParam(min, def) });

/** Wraps a single-output stream so it returns `{ value }` (one reused object). */
function single(step: (bar: BarInput) => number): IndicatorStream {
  const row = { value: Number.NaN };
  return {
    next(bar) {
      row.value = step(bar);
      return row;
    },
  };
}

function define<S extends z.ZodObject>(
  description: string,
  schema: S,
  outputs: readonly string[],
  batch: (c: BarColumns, p: z.output<S>) => Record<string, Float64Array>,
  stream: (p: z.output<S>) => IndicatorStream,
): Indicator {
  return {
    description,
    params: schema as unknown as Indicator['params'],
    outputs,
    batch: (c, p = {}) => batch(c, schema.parse(p)),
    stream: (p = {}) => stream(schema.parse(p)),
  };
}

/**
 * Every indicator by name: description, parameter schema with defaults, output keys, batch and stream forms.
 * The CLI (`quantdesk indicator`), the contract methods `indicators:list` / `indicators:compute` and strategies
 * use it. Single-output indicators have the one key `value`.
 */
export const INDICATORS = {
  sma: define(
    'Simple moving average of close (TA_SMA); first value at period-1',
    period(20),
    [VALUE],
    (c, p) => ({ value: sma(c.close, p.period) }),
    (p) => {
      const s = new SmaStream(p.period);
      return single((b) => s.next(b.close));
    },
  ),
  ema: define(
    'Exponential moving average of close, SMA-seeded (TA_EMA); first value at period-1',
    period(20),
    [VALUE],
    (c, p) => ({ value: ema(c.close, p.period) }),
    (p) => {
      const s = new EmaStream(p.period);
      return single((b) => s.next(b.close));
    },
  ),
  wma: define(
    'Linearly weighted moving average of close (TA_WMA); first value at period-1',
    period(20),
    [VALUE],
    (c, p) => ({ value: wma(c.close, p.period) }),
    (p) => {
      const s = new WmaStream(p.period);
      return single((b) => s.next(b.close));
    },
  ),
  rsi: define(
    'Relative strength index, Wilder smoothing (TA_RSI); first value at period',
    period(14),
    [VALUE],
    (c, p) => ({ value: rsi(c.close, p.period) }),
    (p) => {
      const s = new RsiStream(p.period);
      return single((b) => s.next(b.close));
    },
  ),
  atr: define(
    'Average true range, Wilder smoothing (TA_ATR); first value at period',
    period(14, 1),
    [VALUE],
    (c, p) => ({ value: atr(c.high, c.low, c.close, p.period) }),
    (p) => {
      const s = new AtrStream(p.period);
      return single((b) => s.next(b));
    },
  ),
  adx: define(
    'Average directional index (TA_ADX); first value at 2*period-1',
    period(14),
    [VALUE],
    (c, p) => ({ value: adx(c.high, c.low, c.close, p.period) }),
    (p) => {
      const s = new AdxStream(p.period);
      return single((b) => s.next(b));
    },
  ),
  cci: define(
    'Commodity channel index (TA_CCI); first value at period-1',
    period(20),
    [VALUE],
    (c, p) => ({ value: cci(c.high, c.low, c.close, p.period) }),
    (p) => {
      const s = new CciStream(p.period);
      return single((b) => s.next(b));
    },
  ),
  williamsr: define(
    'Williams %R in [-100, 0] (TA_WILLR); first value at period-1',
    period(14),
    [VALUE],
    (c, p) => ({ value: williamsr(c.high, c.low, c.close, p.period) }),
    (p) => {
      const s = new WilliamsRStream(p.period);
      return single((b) => s.next(b));
    },
  ),
  bbands: define(
    'Bollinger bands: SMA ± stddev population deviations (TA_BBANDS); first value at period-1',
    z.strictObject({ period: intParam(2, 20), stddev: z.number().positive().default(2) }),
    ['upper', 'middle', 'lower'],
    (c, p) => ({ ...bbands(c.close, p.period, p.stddev) }),
    (p) => {
      const s = new BbandsStream(p.period, p.stddev);
      return { next: (b) => s.next(b.close) };
    },
  ),
  macd: define(
    'MACD with TA-Lib aligned EMA seeds (TA_MACD); line from slow-1, signal and histogram from slow+signal-2',
    z.strictObject({ fast: intParam(2, 12), slow: intParam(2, 26), signal: intParam(1, 9) }),
    ['macd', 'signal', 'histogram'],
    (c, p) => ({ ...macd(c.close, p.fast, p.slow, p.signal) }),
    (p) => {
      const s = new MacdStream(p.fast, p.slow, p.signal);
      return { next: (b) => s.next(b.close) };
    },
  ),
  stoch: define(
    'Slow stochastic with SMA smoothing (TA_STOCH); k and d from period+smoothK+smoothD-3',
    z.strictObject({ period: intParam(1, 14), smoothK: intParam(1, 3), smoothD: intParam(1, 3) }),
    ['k', 'd'],
    (c, p) => ({ ...stoch(c.high, c.low, c.close, p.period, p.smoothK, p.smoothD) }),
    (p) => new StochStream(p.period, p.smoothK, p.smoothD),
  ),
  obv: define(
    'On-balance volume (TA_OBV); first value at 0',
    z.strictObject({}),
    [VALUE],
    (c) => ({ value: obv(c.close, c.volume) }),
    () => {
      const s = new ObvStream();
      return single((b) => s.next(b));
    },
  ),
  vwap: define(
    'Cumulative VWAP of typical price since the series start (not in TA-Lib); first value at 0',
    z.strictObject({}),
    [VALUE],
    (c) => ({ value: vwap(c.high, c.low, c.close, c.volume) }),
    () => {
      const s = new VwapStream();
      return single((b) => s.next(b));
    },
  ),
  ichimoku: define(
    'Ichimoku lines, undisplaced (row t uses bars up to t; not in TA-Lib)',
    z.strictObject({ conversion: intParam(1, 9), base: intParam(1, 26), spanB: intParam(1, 52) }),
    ['conversion', 'base', 'spanA', 'spanB'],
    (c, p) => ({ ...ichimoku(c.high, c.low, p.conversion, p.base, p.spanB) }),
    (p) => new IchimokuStream(p.conversion, p.base, p.spanB),
  ),
} satisfies Record<string, Indicator>;

/** A registered indicator's name. */
export type IndicatorName = keyof typeof INDICATORS;

/** True when `name` is a registered indicator. */
export function isIndicatorName(name: string): name is IndicatorName {
  return Object.hasOwn(INDICATORS, name);
}

/** A plain-data description of one indicator, for `indicators:list` and the CLI's help. */
export interface IndicatorInfo {
  readonly name: IndicatorName;
  readonly description: string;
  /** Parameter defaults, e.g. `{ period: 14 }`. */
  readonly defaults: Record<string, number>;
  /** JSON Schema of the parameters (types, bounds, defaults). */
  readonly paramsSchema: Record<string, unknown>;
  readonly outputs: readonly string[];
}

/** Lists every indicator as plain data. */
export function listIndicators(): IndicatorInfo[] {
  return (Object.keys(INDICATORS) as IndicatorName[]).map((name) => {
    const ind: Indicator = INDICATORS[name];
    return {
      name,
      description: ind.description,
      defaults: ind.params.parse({}),
      paramsSchema: z.toJSONSchema(ind.params, { io: 'input' }) as Record<string, unknown>,
      outputs: ind.outputs,
    };
  });
}
