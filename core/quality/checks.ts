import { Journal } from '../store/journal';
import type { Store } from '../store/sqlite-bar-store';
import { AlertCenter } from '../live/alerts';
import { DAY_MS, formatDate } from '../model/time';
import { barCountsByTime, instrumentCurrencies, listFindings, qualityStatements } from '../store/quality';
import { inTransaction } from '../store/transaction';

export { listFindings };

/** The checks run on every import and fetch. */
export type QualityCheck = 'gap' | 'stale' | 'outlier' | 'split' | 'volume';

/** One finding: an instrument, a check, the bar date it concerns, a value (z-score, ratio, days) and a sentence. */
export interface QualityFinding {
  readonly symbol: string;
  readonly check: QualityCheck;
  readonly ts: number;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly value: number | null;
  readonly detail: string;
  readonly foundAt: number;
}

/** Thresholds; defaults follow common practice for daily equity data. */
export interface QualityOptions {
  /** Only these symbols (default: every instrument). */
  readonly symbols?: readonly string[];
  /** |z| of a log return against the symbol's own robust scale (MAD) above which it is an outlier. Default 8. */
  readonly zOutlier?: number;
  /** This many identical closes in a row (with no volume change to zero) is a stale series. Default 5. */
  readonly staleBars?: number;
  /** Volume above this multiple of the trailing 20-bar median is an anomaly. Default 20. */
  readonly volumeMultiple?: number;
  readonly now?: number;
  /** Raise one alert per symbol with new findings (default true). */
  readonly alert?: boolean;
}

const SPLIT_RATIOS = [2, 3, 4, 5, 10, 1.5, 0.5, 1 / 3, 0.25, 0.2, 0.1];

/**
 * Runs the data-quality checks over stored bars and records new findings (a finding already stored is
 * not repeated, so re-running changes nothing):
 * - **gap**: trading days of the calendar missing between the symbol's first and last bar. The calendar
 *   is the days on which at least half of the same-currency instruments have a bar (there is no
 *   exchange holiday table in the store), or Monday–Friday when fewer than 3 such instruments exist;
 * - **stale**: `staleBars` or more identical closes in a row;
 * - **outlier**: a log return whose robust z-score (vs 1.4826 × MAD of the symbol's returns) exceeds `zOutlier`;
 * - **split**: a close-to-open jump within 3% of a common split ratio (2:1, 3:1, 1:2, …) with no split
 *   known in `corporate_actions` on that date: an unannounced split, which would poison returns;
 * - **volume**: zero volume on a day others traded, or more than `volumeMultiple` × the trailing median.
 * New findings are raised as alerts (session `data-quality`, kind `data-quality`), one per symbol.
 */
export function checkQuality(store: Store, options: QualityOptions = {}): QualityFinding[] {
  const now = options.now ?? Date.now();
  const zMax = options.zOutlier ?? 8;
  const staleN = options.staleBars ?? 5;
  const volX = options.volumeMultiple ?? 20;
  const instruments = instrumentCurrencies(store);
  const wanted = options.symbols ? new Set(options.symbols) : null;
  const calendars = new Map<string, Set<number> | null>();
  const calendarOf = (currency: string): Set<number> | null => {
    if (calendars.has(currency)) return calendars.get(currency)!;
    const n = instruments.filter((i) => i.currency === currency).length;
    let cal: Set<number> | null = null;
    if (n >= 3) {
      // A day is a trading day when at least half of the instruments with bars around it traded.
      const rows = barCountsByTime(store, currency);
      const max = rows.reduce((m, r) => Math.max(m, r.n), 0);
      cal = new Set(rows.filter((r) => r.n * 2 >= Math.min(max, n)).map((r) => r.ts));
    }
    calendars.set(currency, cal);
    return cal;
  };
  const q = qualityStatements(store);
  const found: QualityFinding[] = [];
  const perSymbol = new Map<string, QualityFinding[]>();
  inTransaction(store, () => {
    for (const inst of instruments) {
      if (wanted && !wanted.has(inst.symbol)) continue;
      const rows = q.bars(inst.id);
      if (rows.length < 2) continue;
      const add = (
        check: QualityCheck,
        ts: number,
        severity: QualityFinding['severity'],
        value: number | null,
        detail: string,
      ) => {
        if (!q.insertFinding(inst.id, check, ts, severity, value, detail, now)) return;
        const f = { symbol: inst.symbol, check, ts, severity, value, detail, foundAt: now };
        found.push(f);
        perSymbol.set(inst.symbol, [...(perSymbol.get(inst.symbol) ?? []), f]);
      };
      const n = rows.length;
      const has = new Set(rows.map((r) => r[0]));
      // Gaps against the calendar.
      const cal = calendarOf(inst.currency);
      let missing = 0;
      let firstMissing = 0;
      const flush = () => {
        if (missing > 0)
          add(
            'gap',
            firstMissing,
            missing >= 5 ? 'warning' : 'info',
            missing,
            `${missing} trading day${missing === 1 ? '' : 's'} missing from ${formatDate(firstMissing)}`,
          );
        missing = 0;
      };
      for (let d = rows[0][0]; d <= rows[n - 1][0]; d += DAY_MS) {
        const dow = new Date(d).getUTCDay();
        const trading = cal ? cal.has(d) : dow !== 0 && dow !== 6;
        if (!trading) continue;
        if (has.has(d)) flush();
        else if (missing++ === 0) firstMissing = d;
      }
      flush();
      // Returns and their robust scale.
      const ret = new Float64Array(n - 1);
      for (let i = 1; i < n; i++) ret[i - 1] = Math.log(rows[i][2] / rows[i - 1][2]);
      const sorted = Float64Array.from(ret).sort();
      const med = sorted[sorted.length >> 1];
      const dev = Float64Array.from(ret, (r) => Math.abs(r - med)).sort();
      const scale = 1.4826 * dev[dev.length >> 1];
      const splits = new Set(q.splitDays(inst.id));
      let run = 1;
      const win = new Float64Array(20);
      for (let i = 1; i < n; i++) {
        const [ts, open, close, volume] = rows[i];
        const prevClose = rows[i - 1][2];
        // Unannounced split: the overnight jump is a split ratio and no split is known that day.
        const jump = prevClose / open;
        const ratio = SPLIT_RATIOS.find((r) => Math.abs(jump / r - 1) < 0.03);
        if (ratio !== undefined && !splits.has(ts)) {
          add(
            'split',
            ts,
            'critical',
            jump,
            `open ${open} vs previous close ${prevClose}: a ${ratio >= 1 ? `${+ratio.toFixed(2)}:1 split` : `1:${+(1 / ratio).toFixed(2)} reverse split`}? No split is recorded on this date`,
          );
        } else if (scale > 0) {
          const z = (ret[i - 1] - med) / scale;
          if (Math.abs(z) > zMax)
            add(
              'outlier',
              ts,
              'warning',
              z,
              `return ${(100 * (Math.exp(ret[i - 1]) - 1)).toFixed(1)}% is ${z.toFixed(1)} robust standard deviations from typical`,
            );
        }
        run = close === prevClose ? run + 1 : 1;
        if (run === staleN) add('stale', ts, 'warning', staleN, `close ${close} unchanged for ${staleN} bars`);
        if (volume === 0 && (cal === null || cal.has(ts))) add('volume', ts, 'info', 0, 'zero volume on a trading day');
        else if (i >= 20) {
          for (let k = 0; k < 20; k++) win[k] = rows[i - 20 + k][3];
          const m = win.sort()[10];
          if (m > 0 && volume > volX * m)
            add(
              'volume',
              ts,
              'warning',
              volume / m,
              `volume ${volume} is ${(volume / m).toFixed(0)}× the 20-bar median`,
            );
        }
      }
    }
  });
  if (options.alert !== false && perSymbol.size > 0) {
    const center = new AlertCenter({ session: 'data-quality', journal: new Journal(store), cooldownMs: 0 });
    for (const [symbol, fs] of perSymbol) {
      const worst = fs.some((f) => f.severity === 'critical')
        ? 'critical'
        : fs.some((f) => f.severity === 'warning')
          ? 'warning'
          : 'info';
      const head = fs
        .slice(0, 3)
        .map((f) => `${f.check} ${formatDate(f.ts)}`)
        .join(', ');
      center.raise({
        kind: 'data-quality',
        severity: worst,
        symbol,
        time: now,
        message: `${fs.length} new data-quality finding${fs.length === 1 ? '' : 's'}: ${head}${fs.length > 3 ? ', …' : ''}`,
        payload: { findings: fs.length },
      });
    }
  }
  return found;
}
