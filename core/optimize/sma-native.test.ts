import { describe, expect, it } from 'vitest';
import { parseSpec, type BacktestSpec } from '../backtest/spec';
import type { Metrics } from '../backtest/types';
import type { Panel } from '../data/panel-types';
import { Prng } from './prng';
import { smaCrossKernel } from './sma-kernel';
import { smaNative } from './sma-native';

const DAY = 86_400_000;
const T0 = Date.UTC(2015, 0, 1);

/**
 * A panel of random walks with what the kernel must follow: late listings, early delistings, gaps, stretches of
 * equal closes (an SMA's run of equal values) and prices on a coarse tick (SMAs that tie).
 */
function panelOf(seed: number, nInst: number, nDays: number): Panel {
  const rng = new Prng(seed);
  const close = new Float64Array(nInst * nDays).fill(Number.NaN);
  const open = new Float64Array(nInst * nDays).fill(Number.NaN);
  for (let s = 0; s < nInst; s++) {
    const tick = rng.next() < 0.3 ? 0.5 : 0;
    const from = rng.next() < 0.3 ? Math.floor(rng.next() * nDays * 0.5) : 0;
    const to = rng.next() < 0.3 ? from + Math.floor(rng.next() * (nDays - from)) : nDays;
    const gapAt = rng.next() < 0.4 ? Math.floor(rng.next() * nDays) : -1;
    const gapLen = 1 + Math.floor(rng.next() * 40);
    let px = 20 + rng.next() * 100;
    let flat = 0;
    for (let i = from; i < to; i++) {
      if (i >= gapAt && i < gapAt + gapLen) continue;
      if (flat > 0) flat--;
      else if (rng.next() < 0.02) flat = 1 + Math.floor(rng.next() * 30);
      else px *= 1 + (rng.next() - 0.5) * 0.06;
      const c = tick ? Math.max(tick, Math.round(px / tick) * tick) : px;
      close[s * nDays + i] = c;
      open[s * nDays + i] = tick ? c : c * (1 + (rng.next() - 0.5) * 0.01);
    }
  }
  const symbols = Array.from({ length: nInst }, (_, s) => `S${String(s).padStart(4, '0')}`);
  return {
    symbols,
    sectors: symbols.map(() => 'x'),
    time: Float64Array.from({ length: nDays }, (_, i) => T0 + i * DAY),
    nInst,
    nDays,
    open,
    high: close,
    low: close,
    close,
    volume: new Float64Array(nInst * nDays).fill(1000),
    listedOn: new Float64Array(nInst).fill(Number.NaN),
    delistedOn: new Float64Array(nInst).fill(Number.NaN),
    adjustment: 'raw',
    fingerprint: `test:${seed}`,
  };
}

function spec(panel: Panel, extra: object): BacktestSpec {
  const p = parseSpec({
    strategy: 'sma-cross',
    symbols: panel.symbols,
    sizing: { method: 'fixed-qty', qty: 10 },
    ...extra,
  });
  if (!p.ok) throw new Error(p.errors.join('; '));
  return p.spec;
}

const iso = (i: number) => new Date(T0 + i * DAY).toISOString().slice(0, 10);

const setups: [string, (nDays: number) => object][] = [
  ['next-open, long-short, commission and slippage', () => ({ commission: { rate: 0.001, fixed: 1 }, slippageBps: 5 })],
  [
    'fill at close, long-only, fractional units, close at end',
    () => ({
      fill: 'close',
      direction: 'long-only',
      wholeUnits: false,
      sizing: { method: 'fixed-qty', qty: 2.5 },
      closeAtEnd: true,
    }),
  ],
  [
    'whole units that round to nothing',
    () => ({ sizing: { method: 'fixed-qty', qty: 0.4 }, commission: { rate: 0.0005 } }),
  ],
  [
    'a sub-range with a warm-up',
    (d) => ({ start: iso(d >> 2), end: iso(d - 30), warmup: 80, commission: { rate: 0.0005 } }),
  ],
  [
    'a warm-up longer than the history, at close, close at end',
    (d) => ({ start: iso(d >> 1), warmup: 5000, fill: 'close', closeAtEnd: true }),
  ],
  [
    'a late start, long-only, slippage',
    (d) => ({ start: iso(d - 200), warmup: 60, direction: 'long-only', slippageBps: 12 }),
  ],
];

/** Every metric, bit for bit (Object.is: -0 and NaN count). Returns the number of values compared. */
function expectSameBits(a: (Metrics | null)[], b: (Metrics | null)[]): number {
  expect(a.length).toBe(b.length);
  let compared = 0;
  for (let k = 0; k < a.length; k++) {
    if (a[k] === null || b[k] === null) {
      expect(a[k]).toBe(b[k]);
      continue;
    }
    const x = a[k] as unknown as Record<string, unknown>;
    const y = b[k] as unknown as Record<string, unknown>;
    expect(Object.keys(x).sort()).toEqual(Object.keys(y).sort());
    for (const key of Object.keys(x)) {
      if (!Object.is(x[key], y[key]))
        expect.fail(`pair ${k}, ${key}: native ${String(x[key])} vs JS ${String(y[key])}`);
      compared++;
    }
  }
  return compared;
}

describe('sma-cross kernel, native path (quantdesk-smakernel)', () => {
  it('is built (CI builds the addon at npm install; without it the JS kernel would run unnoticed)', () => {
    expect(smaNative()).not.toBeNull();
  });

  for (const [seed, nInst, nDays] of [
    [1, 7, 700],
    [2, 5, 1300],
    [3, 11, 400],
  ] as const) {
    for (const [name, extra] of setups) {
      it(`gives the JS kernel's bits for every metric of every pair: panel ${seed} (${nInst} × ${nDays}), ${name}`, () => {
        const panel = panelOf(seed, nInst, nDays);
        const s = spec(panel, extra(nDays));
        const pairs: number[] = [];
        for (const f of [1, 2, 3, 5, 7, 10, 16, 17, 30])
          for (const sl of [2, 4, 9, 15, 16, 17, 33, 50, 120, 399, 900]) pairs.push(f, sl);
        pairs.push(0, 5, 20, 10, 3, 3);
        for (const tuning of [{}, { symbolsPerBlock: 3, tileFasts: 2, tileSlows: 3 }, { maxCellBytes: 50_000 }]) {
          const js = smaCrossKernel(s, panel, pairs, { ...tuning, native: false });
          const nat = smaCrossKernel(s, panel, pairs, { ...tuning, native: true });
          expect(expectSameBits(nat, js)).toBeGreaterThan(1000);
          expect(js.some((m) => m !== null && m.trades > 0)).toBe(!name.includes('round to nothing'));
        }
      });
    }
  }

  it('QD_SMA_KERNEL=js forces the JS kernel, and native: true refuses to run without the addon only when it is missing', () => {
    const panel = panelOf(4, 3, 300);
    const s = spec(panel, {});
    const prev = process.env.QD_SMA_KERNEL;
    process.env.QD_SMA_KERNEL = 'js';
    try {
      expect(smaCrossKernel(s, panel, [3, 20, 5, 40])).toEqual(
        smaCrossKernel(s, panel, [3, 20, 5, 40], { native: true }),
      );
    } finally {
      if (prev === undefined) delete process.env.QD_SMA_KERNEL;
      else process.env.QD_SMA_KERNEL = prev;
    }
  });
});
