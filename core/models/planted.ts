import type { Panel } from '../data/panel-types';
import type { FeatureSource } from '../features/batch';
import { Prng } from '../optimize/prng';

const DAY = 86_400_000;

function gauss(r: Prng): number {
  const u = Math.max(1e-12, r.next());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.next());
}

/**
 * A synthetic market for model tests: each day every instrument's volume is log-normal with z-score `z`, and
 * when `planted` the next day's return carries `strength × (z² − 1)`: a relation a linear model on volume
 * cannot see (corr(z, z² − 1) = 0) but a tree can. Without `planted` returns are pure noise. Dates are
 * calendar days from 2020-01-01 (every day a bar).
 */
export function plantedMarket(
  nInst: number,
  nDays: number,
  seed: number,
  planted: boolean,
  strength = 0.01,
): FeatureSource {
  const r = new Prng(seed);
  const size = nInst * nDays;
  const close = new Float64Array(size);
  const open = new Float64Array(size);
  const high = new Float64Array(size);
  const low = new Float64Array(size);
  const volume = new Float64Array(size);
  const t0 = Date.UTC(2020, 0, 1);
  const time = Float64Array.from({ length: nDays }, (_, t) => t0 + t * DAY);
  for (let s = 0; s < nInst; s++) {
    let p = 100;
    let prevZ = 0;
    for (let t = 0; t < nDays; t++) {
      const k = s * nDays + t;
      const ret = (planted ? strength * (prevZ * prevZ - 1) : 0) + 0.01 * gauss(r);
      const o = p;
      p *= 1 + ret;
      const z = gauss(r);
      open[k] = o;
      close[k] = p;
      high[k] = Math.max(o, p) * 1.002;
      low[k] = Math.min(o, p) * 0.998;
      volume[k] = Math.exp(10 + z);
      prevZ = z;
    }
  }
  const panel: Panel = {
    symbols: Array.from({ length: nInst }, (_, s) => `P${String(s).padStart(3, '0')}`),
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
    fingerprint: `planted-${seed}-${planted}-${nInst}-${nDays}`,
  };
  return { panel, fields: new Map() };
}
