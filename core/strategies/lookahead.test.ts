import { describe, expect, it } from 'vitest';
import type { Panel } from '../data/panel-types';
import type { BarColumns } from '../model/bars';
import { DAY_MS } from '../model/time';
import type { SingleStrategy } from '../strategy/types';
import { factorRank } from './factor-rank';
import { FIXTURE_START, randomBars, rng } from './fixtures';
import { STRATEGIES } from './index';
import { buildPitField, type FundamentalRow, type PitFacts } from './pit-facts';
import { runRebalances } from './rebalance';
import { stepDecisions } from './step';

/**
 * The look-ahead proof. A decision at bar T may depend on bars 0..T and facts known by T only, so
 * (a) stepping a series cut after T, and (b) stepping a series whose bars after T are replaced by
 * noise, must both give exactly the decisions of the full series up to T. Checked for every built-in
 * strategy at several T; the perturbation must change something later, or the test proves nothing.
 */

const N_BARS = 700;
const CUTS = [60, 150, 333, 500, 650];

function perturbAfter(bars: BarColumns, t: number, seed: number): BarColumns {
  const r = rng(seed);
  const copy = (a: Float64Array) => Float64Array.from(a);
  const out = {
    time: copy(bars.time),
    open: copy(bars.open),
    high: copy(bars.high),
    low: copy(bars.low),
    close: copy(bars.close),
    volume: copy(bars.volume),
  };
  for (let i = t + 1; i < out.close.length; i++) {
    const k = 1 + (r() - 0.5) * 0.4;
    out.open[i] *= k;
    out.close[i] *= 2 - k;
    out.high[i] = Math.max(out.open[i], out.close[i]) * (1 + r() * 0.05);
    out.low[i] = Math.min(out.open[i], out.close[i]) * (1 - r() * 0.05);
    out.volume[i] = Math.floor(r() * 10000);
  }
  return out;
}

function sameUpTo(a: Float64Array, b: Float64Array, t: number): boolean {
  for (let i = 0; i <= t; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

const singles = STRATEGIES.filter((s): s is SingleStrategy => s.kind === 'single');

describe('look-ahead proof: single-symbol strategies', () => {
  it('covers every built-in single-symbol strategy', () => {
    expect(singles.map((s) => s.name).sort()).toEqual([
      'adx-trend',
      'bollinger-reversion',
      'candle-pattern',
      'cci-reversion',
      'donchian-breakout',
      'ema-cross',
      'ichimoku-cloud',
      'ichimoku-targets',
      'ichimoku-time',
      'keltner-breakout',
      'ma-breakout',
      'macd-cross',
      'obv-trend',
      'parabolic-sar',
      'rsi-reversion',
      'sma-cross',
      'stoch-cross',
      'triple-confirmation',
      'volume-breakout',
      'vwap-reversion',
      'williams-r',
    ]);
  });

  function proveNoLookAhead(strategy: SingleStrategy, params: unknown): void {
    let decisionsBeforeCuts = 0;
    let changedAfter = 0;
    for (const seed of [1, 2]) {
      const bars = randomBars(N_BARS, seed);
      const full = stepDecisions(strategy, params, bars);
      for (const t of CUTS) {
        const truncated = stepDecisions(strategy, params, bars, t + 1);
        expect(sameUpTo(full, truncated, t), `truncated at T=${t}`).toBe(true);
        const noisy = stepDecisions(strategy, params, perturbAfter(bars, t, seed * 100 + t));
        expect(sameUpTo(full, noisy, t), `perturbed after T=${t}`).toBe(true);
        if (!sameUpTo(full, noisy, N_BARS - 1)) changedAfter++;
      }
      for (let i = 0; i <= CUTS[CUTS.length - 1]; i++) if (!Number.isNaN(full[i])) decisionsBeforeCuts++;
    }
    expect(decisionsBeforeCuts, 'the strategy must decide something for the proof to mean anything').toBeGreaterThan(2);
    expect(changedAfter, 'perturbing the future must change later decisions').toBeGreaterThan(0);
  }

  for (const strategy of singles) {
    it(`${strategy.name}: decisions up to T ignore every bar after T (truncated or perturbed)`, () =>
      proveNoLookAhead(strategy, {}));
  }

  // Candlestick conditions read a few past bars: the multi-candle and trend-filtered forms get the same proof.
  const byName = (name: string) => singles.find((s) => s.name === name)!;
  const variants: [string, Record<string, unknown>][] = [
    ['candle-pattern', { entry: 'hammer', exit: 'shooting-star', holdBars: 0, smaPeriod: 20 }],
    ['candle-pattern', { entry: 'bearish-harami', exit: 'bullish-harami', holdBars: 5, direction: 'short' }],
    [
      'triple-confirmation',
      { maPeriod: 10, rsiPeriod: 5, volumePeriod: 5, pattern: 'bullish-harami', patternSide: 'both' },
    ],
  ];
  for (const [name, params] of variants) {
    it(`${name} ${JSON.stringify(params)}: decisions up to T ignore every bar after T`, () =>
      proveNoLookAhead(byName(name), params));
  }
});

describe('look-ahead proof: factor-rank', () => {
  const nInst = 40;
  const nDays = 800;
  const day = (t: number) => FIXTURE_START + t * DAY_MS;
  const symbols = Array.from({ length: nInst }, (_, i) => `F${i}`);

  function world(seed: number): { panel: Panel; rows: Map<string, FundamentalRow[]> } {
    const r = rng(seed);
    const close = new Float64Array(nInst * nDays);
    const delistedOn = new Float64Array(nInst).fill(Number.NaN);
    for (let s = 0; s < nInst; s++) {
      let p = 10 + r() * 90;
      const drift = (r() - 0.5) * 0.004;
      for (let t = 0; t < nDays; t++) {
        p *= 1 + drift + (r() - 0.5) * 0.04;
        close[s * nDays + t] = p;
      }
      if (s % 10 === 3) {
        const d = 200 + Math.floor(r() * 500); // delisted mid-run: no bars after
        delistedOn[s] = day(d);
        for (let t = d; t < nDays; t++) close[s * nDays + t] = Number.NaN;
      }
    }
    const rows = new Map<string, FundamentalRow[]>();
    for (const field of ['shares_outstanding', 'book_value_per_share', 'eps']) {
      const list: FundamentalRow[] = [];
      for (let s = 0; s < nInst; s++) {
        for (let q = 0; q * 91 < nDays; q++) {
          const periodEnd = day(q * 91) - 30 * DAY_MS;
          const knownAt = day(q * 91 + Math.floor(r() * 40)); // reported with a lag
          list.push({ inst: s, periodEnd, knownAt, value: 1 + r() * 100 });
          if (r() < 0.3) list.push({ inst: s, periodEnd, knownAt: knownAt + 20 * DAY_MS, value: 1 + r() * 100 }); // a restatement
        }
      }
      rows.set(field, list);
    }
    const panel: Panel = {
      symbols,
      sectors: symbols.map(() => ''),
      time: Float64Array.from({ length: nDays }, (_, t) => day(t)),
      nInst,
      nDays,
      open: close,
      high: close,
      low: close,
      close,
      volume: new Float64Array(nInst * nDays).fill(1),
      listedOn: new Float64Array(nInst).fill(Number.NaN),
      delistedOn,
      adjustment: 'raw',
      fingerprint: `lookahead-${seed}`,
    };
    return { panel, rows };
  }

  function factsOf(rows: Map<string, FundamentalRow[]>): PitFacts {
    return { fields: new Map([...rows].map(([f, list]) => [f, buildPitField(f, nInst, list)])), universe: null };
  }

  /** Everything after `date` perturbed: bar closes after it, and every fundamental row known after it (values changed, rows added). */
  function perturbAfter(w: { panel: Panel; rows: Map<string, FundamentalRow[]> }, date: number, seed: number) {
    const r = rng(seed);
    const close = Float64Array.from(w.panel.close);
    for (let s = 0; s < nInst; s++)
      for (let t = 0; t < nDays; t++) if (w.panel.time[t] > date) close[s * nDays + t] *= 0.5 + r();
    const rows = new Map<string, FundamentalRow[]>();
    for (const [f, list] of w.rows) {
      const changed = list.map((x) => (x.knownAt > date ? { ...x, value: x.value * (0.1 + r() * 5) } : x));
      // facts about old periods, published after the date: must stay invisible at it
      for (let s = 0; s < nInst; s++)
        changed.push({ inst: s, periodEnd: date - 10 * DAY_MS, knownAt: date + 1, value: r() * 1000 });
      rows.set(f, changed);
    }
    return { panel: { ...w.panel, close, open: close, high: close, low: close }, rows };
  }

  const specs = [
    { rebalance: 'monthly', filters: [{ factor: 'market-cap', bottom: 0.5 }], rank: [{ factor: 'pbr' }], keep: 0.3 },
    {
      rebalance: 'quarterly',
      rank: [
        { factor: 'momentum-12-1', order: 'descending' },
        { factor: 'earnings-yield', order: 'descending' },
      ],
      weighting: 'inverse-vol',
      momentumLookback: 120,
      momentumSkip: 10,
    },
    { rebalance: 'monthly', rank: [{ factor: 'book-to-price', order: 'descending' }], weighting: 'cap' },
  ];

  for (const [k, params] of specs.entries()) {
    it(`spec ${k}: picks at and before each cut ignore later bars and facts; audit known_at <= decision date`, () => {
      const w = world(10 + k);
      const base = runRebalances(factorRank, params, w.panel, factsOf(w.rows));
      expect(base.length).toBeGreaterThan(5);
      for (const r of base) {
        expect(r.audit.latestKnownAt).toBeLessThanOrEqual(r.date);
        if (r.weights.size > 0) expect(r.audit.factsRead).toBeGreaterThan(0);
      }
      expect(base.filter((r) => r.weights.size > 0).length).toBeGreaterThan(3);
      let changedLater = 0;
      for (const cut of [2, Math.floor(base.length / 2), base.length - 2]) {
        const date = base[cut].date;
        const p = perturbAfter(w, date, 1000 + cut);
        const noisy = runRebalances(factorRank, params, p.panel, factsOf(p.rows));
        for (let i = 0; i <= cut; i++) {
          expect([...noisy[i].weights], `rebalance ${i} (cut ${cut})`).toEqual([...base[i].weights]);
          expect(noisy[i].audit).toEqual(base[i].audit);
        }
        for (let i = cut + 1; i < base.length; i++)
          if (JSON.stringify([...noisy[i].weights]) !== JSON.stringify([...base[i].weights])) changedLater++;
        // truncation: a panel that ends at the cut and facts known by then
        const keepDays = base[cut].day + 1;
        const cutPanel: Panel = {
          ...w.panel,
          nDays: keepDays,
          time: w.panel.time.slice(0, keepDays),
          close: Float64Array.from(
            { length: nInst * keepDays },
            (_, j) => w.panel.close[Math.floor(j / keepDays) * nDays + (j % keepDays)],
          ),
        };
        const cutRows = new Map([...w.rows].map(([f, list]) => [f, list.filter((x) => x.knownAt <= date)]));
        const truncated = runRebalances(factorRank, params, cutPanel, factsOf(cutRows));
        expect(truncated.length).toBe(cut + 1);
        for (let i = 0; i <= cut; i++) expect([...truncated[i].weights]).toEqual([...base[i].weights]);
      }
      expect(changedLater, 'perturbing the future must change later picks').toBeGreaterThan(0);
    });
  }
});
