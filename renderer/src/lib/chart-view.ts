import type { OhlcvColumns } from '../charts/adapters';

/** Chart timeframes built from the stored daily bars: daily as stored, weekly and monthly aggregated. */
export type Timeframe = 'D' | 'W' | 'M';

const DAY = 86_400_000;

/** The period key of a UTC instant: the Monday of its week (W) or its month (M). */
function periodOf(ms: number, tf: 'W' | 'M'): number {
  if (tf === 'M') {
    const d = new Date(ms);
    return d.getUTCFullYear() * 12 + d.getUTCMonth();
  }
  const day = Math.floor(ms / DAY);
  // 1970-01-01 was a Thursday: (day + 3) % 7 is days since Monday.
  return day - ((day + 3) % 7);
}

/**
 * Aggregates daily bars into weekly (Monday-based UTC weeks) or monthly bars: open of the first bar, highest
 * high, lowest low, close of the last, summed volume; the bar is stamped with its first day's time.
 * Bars with a NaN close are skipped. Daily bars come back as given.
 */
export function aggregateBars(bars: OhlcvColumns, tf: Timeframe): OhlcvColumns {
  if (tf === 'D') return bars;
  const time: number[] = [];
  const open: number[] = [];
  const high: number[] = [];
  const low: number[] = [];
  const close: number[] = [];
  const volume: number[] = [];
  let key = Number.NaN;
  for (let i = 0; i < bars.time.length; i++) {
    if (!Number.isFinite(bars.close[i])) continue;
    const k = periodOf(bars.time[i], tf);
    if (k !== key) {
      key = k;
      time.push(bars.time[i]);
      open.push(bars.open[i]);
      high.push(bars.high[i]);
      low.push(bars.low[i]);
      close.push(bars.close[i]);
      volume.push(bars.volume[i]);
      continue;
    }
    const j = time.length - 1;
    if (bars.high[i] > high[j]) high[j] = bars.high[i];
    if (bars.low[i] < low[j]) low[j] = bars.low[i];
    close[j] = bars.close[i];
    volume[j] += bars.volume[i];
  }
  const f = Float64Array.from.bind(Float64Array);
  return { time: f(time), open: f(open), high: f(high), low: f(low), close: f(close), volume: f(volume) };
}
