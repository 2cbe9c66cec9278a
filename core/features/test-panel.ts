import type { Panel } from '../data/panel-types';
import { Prng } from '../optimize/prng';
import { buildPitField, type FundamentalRow, type PitField } from '../strategies/pit-facts';
import type { FeatureSource } from './batch';
import type { StreamBars } from './stream';

const DAY = 86_400_000;

/**
 * A small random-walk panel for tests: `nInst` instruments × `nDays` days, instrument `s` listed from day
 * `s * lateStart` (NaN before), with versioned fundamentals (eps, book_value_per_share, shares_outstanding)
 * published every 60 days, some revised later.
 */
export function testSource(nInst: number, nDays: number, seed = 7, lateStart = 3): FeatureSource {
  const prng = new Prng(seed);
  const rnd = () => prng.next();
  const size = nInst * nDays;
  const open = new Float64Array(size).fill(Number.NaN);
  const high = new Float64Array(size).fill(Number.NaN);
  const low = new Float64Array(size).fill(Number.NaN);
  const close = new Float64Array(size).fill(Number.NaN);
  const volume = new Float64Array(size).fill(Number.NaN);
  const time = Float64Array.from({ length: nDays }, (_, t) => 1_600_000_000_000 + t * DAY);
  for (let s = 0; s < nInst; s++) {
    let p = 50 + 50 * rnd();
    for (let t = s * lateStart; t < nDays; t++) {
      const k = s * nDays + t;
      const o = p * (1 + 0.005 * (rnd() - 0.5));
      p = p * (1 + 0.03 * (rnd() - 0.5));
      open[k] = o;
      close[k] = p;
      high[k] = Math.max(o, p) * (1 + 0.01 * rnd());
      low[k] = Math.min(o, p) * (1 - 0.01 * rnd());
      // Repeated values exercise ties in the rank kernels.
      volume[k] = 1000 * Math.floor(1 + 20 * rnd());
    }
  }
  const fields = new Map<string, PitField>();
  for (const f of ['eps', 'book_value_per_share', 'shares_outstanding']) {
    const rows: FundamentalRow[] = [];
    for (let s = 0; s < nInst; s++) {
      for (let t = 10; t < nDays; t += 60) {
        const v = (f === 'shares_outstanding' ? 1e6 : 5) * (0.5 + rnd()) * (rnd() < 0.1 ? -1 : 1);
        rows.push({ inst: s, periodEnd: time[t - 10], knownAt: time[t], value: v });
        if (rnd() < 0.3 && t + 5 < nDays)
          rows.push({ inst: s, periodEnd: time[t - 10], knownAt: time[t + 5], value: v * 1.1 });
      }
    }
    fields.set(f, buildPitField(f, nInst, rows));
  }
  const panel: Panel = {
    symbols: Array.from({ length: nInst }, (_, s) => `S${s}`),
    sectors: Array.from({ length: nInst }, () => 'X'),
    time,
    nInst,
    nDays,
    open,
    high,
    low,
    close,
    volume,
    listedOn: new Float64Array(nInst).fill(Number.NaN),
    delistedOn: new Float64Array(nInst).fill(Number.NaN),
    adjustment: 'raw',
    fingerprint: `test-${seed}-${nInst}-${nDays}`,
  };
  return { panel, fields };
}

/** Day `t` of a panel as one {@link StreamBars} (fresh arrays). */
export function barsAt(panel: Panel, t: number): StreamBars {
  const pick = (c: Float64Array) => Float64Array.from({ length: panel.nInst }, (_, s) => c[s * panel.nDays + t]);
  return {
    time: panel.time[t],
    open: pick(panel.open),
    high: pick(panel.high),
    low: pick(panel.low),
    close: pick(panel.close),
    volume: pick(panel.volume),
    ...(panel.priceFactor ? { priceFactor: pick(panel.priceFactor) } : {}),
  };
}
