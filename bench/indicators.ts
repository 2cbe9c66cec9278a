import { ADX, ATR, EMA, MACD, RSI, SMA } from 'technicalindicators';
import { adx, AdxStream } from '../core/indicators/adx';
import { macd, MacdStream } from '../core/indicators/macd';
import { ema, EmaStream, runningSma, RunningSmaStream, sma, SmaStream } from '../core/indicators/moving-averages';
import { rsi, RsiStream } from '../core/indicators/rsi';
import { atr, AtrStream } from '../core/indicators/volatility';
import { talibRun } from '../core/indicators/talib-reference';
import { prng } from '../core/indicators/test-series';
import { measure, printTable, type BenchRow, type BenchTable } from './harness';

const N = 100_000;

function randomBars(n: number) {
  const r = prng(42);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    p *= 1 + (r() - 0.5) * 0.02;
    open[i] = o;
    close[i] = p;
    high[i] = Math.max(o, p) * (1 + r() * 0.005);
    low[i] = Math.min(o, p) * (1 - r() * 0.005);
  }
  return { open, high, low, close };
}

/**
 * Indicator speed over 100,000 bars: our batch typed-array loops and our streams against `technicalindicators`
 * (the baseline, measured in the same run) and TA-Lib's C library through the `talib` binding (its time includes
 * the binding's copies in and out).
 */
export async function run(): Promise<BenchTable[]> {
  const b = randomBars(N);
  const closeArr = Array.from(b.close);
  const highArr = Array.from(b.high);
  const lowArr = Array.from(b.low);
  const hlc = { high: b.high, low: b.low, close: b.close };
  const out = new Float64Array(N);
  const opts = { runs: 15, warmup: 2 };
  const slowOpts = { runs: 5, warmup: 1 };

  const cases: {
    name: string;
    ti: () => unknown;
    ours: () => unknown;
    stream: () => unknown;
    talib: () => unknown;
  }[] = [
    {
      name: 'sma(20)',
      ti: () => SMA.calculate({ period: 20, values: closeArr }),
      ours: () => sma(b.close, 20, out),
      stream: () => {
        const s = new SmaStream(20);
        for (let i = 0; i < N; i++) out[i] = s.next(b.close[i]);
      },
      talib: () => talibRun('SMA', { inReal: b.close }, { optInTimePeriod: 20 }),
    },
    {
      // Before exact ties: TA-Lib's plain running total. The row above pays for pandas' compensated sums.
      name: 'sma(20), plain running total',
      ti: () => SMA.calculate({ period: 20, values: closeArr }),
      ours: () => runningSma(b.close, 20, out),
      stream: () => {
        const s = new RunningSmaStream(20);
        for (let i = 0; i < N; i++) out[i] = s.next(b.close[i]);
      },
      talib: () => talibRun('SMA', { inReal: b.close }, { optInTimePeriod: 20 }),
    },
    {
      name: 'ema(20)',
      ti: () => EMA.calculate({ period: 20, values: closeArr }),
      ours: () => ema(b.close, 20, out),
      stream: () => {
        const s = new EmaStream(20);
        for (let i = 0; i < N; i++) out[i] = s.next(b.close[i]);
      },
      talib: () => talibRun('EMA', { inReal: b.close }, { optInTimePeriod: 20 }),
    },
    {
      name: 'rsi(14)',
      ti: () => RSI.calculate({ period: 14, values: closeArr }),
      ours: () => rsi(b.close, 14, out),
      stream: () => {
        const s = new RsiStream(14);
        for (let i = 0; i < N; i++) out[i] = s.next(b.close[i]);
      },
      talib: () => talibRun('RSI', { inReal: b.close }, { optInTimePeriod: 14 }),
    },
    {
      name: 'macd(12,26,9)',
      ti: () =>
        MACD.calculate({
          values: closeArr,
          fastPeriod: 12,
          slowPeriod: 26,
          signalPeriod: 9,
          SimpleMAOscillator: false,
          SimpleMASignal: false,
        }),
      ours: () => macd(b.close, 12, 26, 9),
      stream: () => {
        const s = new MacdStream(12, 26, 9);
        for (let i = 0; i < N; i++) out[i] = s.next(b.close[i]).histogram;
      },
      talib: () =>
        talibRun('MACD', { inReal: b.close }, { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 }),
    },
    {
      name: 'atr(14)',
      ti: () => ATR.calculate({ period: 14, high: highArr, low: lowArr, close: closeArr }),
      ours: () => atr(b.high, b.low, b.close, 14, out),
      stream: () => {
        const s = new AtrStream(14);
        for (let i = 0; i < N; i++) out[i] = s.step(b.high[i], b.low[i], b.close[i]);
      },
      talib: () => talibRun('ATR', hlc, { optInTimePeriod: 14 }),
    },
    {
      name: 'adx(14)',
      ti: () => ADX.calculate({ period: 14, high: highArr, low: lowArr, close: closeArr }),
      ours: () => adx(b.high, b.low, b.close, 14, out),
      stream: () => {
        const s = new AdxStream(14);
        for (let i = 0; i < N; i++) out[i] = s.step(b.high[i], b.low[i], b.close[i]);
      },
      talib: () => talibRun('ADX', hlc, { optInTimePeriod: 14 }),
    },
  ];

  const tables: BenchTable[] = [];
  for (const c of cases) {
    const rows: BenchRow[] = [
      {
        name: 'technicalindicators',
        baseline: true,
        ...(await measure(c.ti, slowOpts)),
        note: 'number[] input, prepared outside the timing',
      },
      { name: 'quantdesk batch', ...(await measure(c.ours, opts)), note: 'Float64Array, TA-Lib-equal' },
      { name: 'quantdesk stream (next per bar)', ...(await measure(c.stream, opts)) },
      { name: 'TA-Lib C via talib binding', ...(await measure(c.talib, opts)), note: 'includes array copies in/out' },
    ];
    tables.push(printTable(`indicators: ${c.name} over ${N.toLocaleString('en-US')} bars`, rows));
  }
  return tables;
}

if (import.meta.url === `file://${process.argv[1]}`) void run();
