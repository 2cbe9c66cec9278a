import type {
  CandlestickData,
  HistogramData,
  LineData,
  SeriesMarker,
  Time,
  UTCTimestamp,
  WhitespaceData,
} from 'lightweight-charts';

/**
 * The one place where our EpochMs become the chart's seconds (`UTCTimestamp`). Everything drawn goes
 * through these functions; nothing else divides by 1000.
 */
export function toChartTime(ms: number): UTCTimestamp {
  return Math.floor(ms / 1000) as UTCTimestamp;
}

/** The inverse, for crosshair and click events: chart time → EpochMs. */
export function fromChartTime(t: Time): number {
  if (typeof t === 'number') return t * 1000;
  if (typeof t === 'string') return Date.parse(`${t}T00:00:00Z`);
  return Date.UTC(t.year, t.month - 1, t.day);
}

/** Columns of a bar series, as they arrive (typed arrays or plain arrays after JSON). */
export interface OhlcvColumns {
  readonly time: ArrayLike<number>;
  readonly open: ArrayLike<number>;
  readonly high: ArrayLike<number>;
  readonly low: ArrayLike<number>;
  readonly close: ArrayLike<number>;
  readonly volume: ArrayLike<number>;
}

/** Candles for `setData`; bars with a non-finite close are skipped. */
export function toCandles(c: OhlcvColumns): CandlestickData<Time>[] {
  const out: CandlestickData<Time>[] = [];
  for (let i = 0; i < c.time.length; i++) {
    if (!Number.isFinite(c.close[i])) continue;
    out.push({ time: toChartTime(c.time[i]), open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i] });
  }
  return out;
}

/** Volume bars coloured by the candle's direction. */
export function toVolume(c: OhlcvColumns, upColor: string, downColor: string): HistogramData<Time>[] {
  const out: HistogramData<Time>[] = [];
  for (let i = 0; i < c.time.length; i++) {
    if (!Number.isFinite(c.close[i])) continue;
    out.push({
      time: toChartTime(c.time[i]),
      value: c.volume[i],
      color: c.close[i] >= c.open[i] ? upColor : downColor,
    });
  }
  return out;
}

/** A line from parallel time/value columns; NaN (warm-up) becomes whitespace so the line starts late. */
export function toLine(time: ArrayLike<number>, values: ArrayLike<number>): (LineData<Time> | WhitespaceData<Time>)[] {
  const out: (LineData<Time> | WhitespaceData<Time>)[] = new Array(time.length);
  for (let i = 0; i < time.length; i++) {
    const v = values[i];
    out[i] = Number.isFinite(v) ? { time: toChartTime(time[i]), value: v } : { time: toChartTime(time[i]) };
  }
  return out;
}

/** A histogram (MACD) from columns, green above zero and red below. */
export function toHistogram(
  time: ArrayLike<number>,
  values: ArrayLike<number>,
  upColor: string,
  downColor: string,
): (HistogramData<Time> | WhitespaceData<Time>)[] {
  const out: (HistogramData<Time> | WhitespaceData<Time>)[] = new Array(time.length);
  for (let i = 0; i < time.length; i++) {
    const v = values[i];
    out[i] = Number.isFinite(v)
      ? { time: toChartTime(time[i]), value: v, color: v >= 0 ? upColor : downColor }
      : { time: toChartTime(time[i]) };
  }
  return out;
}

/** A trade's entry or exit, or a live signal, to mark on the price series. */
export interface TradeMark {
  readonly time: number;
  readonly side: 'buy' | 'sell';
  readonly text?: string;
}

/** Markers sorted by time (the chart requires it): buys below the bar, sells above. */
export function toMarkers(marks: readonly TradeMark[], buyColor: string, sellColor: string): SeriesMarker<Time>[] {
  return [...marks]
    .sort((a, b) => a.time - b.time)
    .map((m) => ({
      time: toChartTime(m.time),
      position: m.side === 'buy' ? ('belowBar' as const) : ('aboveBar' as const),
      shape: m.side === 'buy' ? ('arrowUp' as const) : ('arrowDown' as const),
      color: m.side === 'buy' ? buyColor : sellColor,
      text: m.text,
    }));
}
