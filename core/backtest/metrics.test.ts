import { describe, expect, it } from 'vitest';
import {
  barReturns,
  computeMetrics,
  conditionalVaR,
  maxDrawdown,
  maxDrawdownDuration,
  mean,
  sampleStd,
  valueAtRisk,
  valueAtRiskBySelection,
} from './metrics';
import type { Trade } from './types';

const DAY = 86_400_000;

function trade(pnl: number): Trade {
  return {
    symbol: 'X',
    side: 'long',
    qty: 1,
    entryTime: 0,
    entryPrice: 100,
    exitTime: DAY,
    exitPrice: 100 + pnl,
    pnl,
    commission: 0,
    returnPct: pnl / 100,
    ambiguous: false,
    exitReason: 'signal',
    entryBar: 0,
    exitBar: 1,
  };
}

describe('metrics, by hand', () => {
  // equity 100 -> 110 -> 99 -> 120: returns +0.1, -0.1, +0.212121...
  const equity = Float64Array.from([100, 110, 99, 120]);
  const time = Float64Array.from([0, 1, 2, 3].map((d) => d * DAY));
  const r3 = 120 / 99 - 1;

  it('drawdown is the worst fall from the running peak, negative, and its duration in bars', () => {
    expect(maxDrawdown(equity)).toBeCloseTo(99 / 110 - 1, 15);
    expect(maxDrawdownDuration(equity)).toBe(2);
    expect(maxDrawdownDuration(Float64Array.from([5, 4, 3]))).toBe(2);
    expect(maxDrawdown(Float64Array.from([1, 2, 3]))).toBe(0);
  });

  it('VaR interpolates the 5% quantile, CVaR averages the tail', () => {
    const r = Float64Array.from([0.1, -0.1, r3]);
    // sorted -0.1, 0.1, r3; position 0.05 * 2 = 0.1 between -0.1 and 0.1
    expect(valueAtRisk(r)).toBeCloseTo(-0.1 + 0.1 * 0.2, 15);
    expect(conditionalVaR(r)).toBeCloseTo(-0.1, 15);
  });

  it('sharpe, sortino, volatility, cagr, calmar, trade stats, exposure and turnover', () => {
    const m = computeMetrics({
      capital: 100,
      time,
      equity,
      trades: [trade(30), trade(-10), trade(5)],
      barsInMarket: 3,
      tradedValue: 400,
      barsPerYear: 252,
    });
    const rs = [0.1, -0.1, r3];
    const mean = (0.1 - 0.1 + r3) / 3;
    const sd = Math.sqrt(rs.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 12);
    expect(m.volatility).toBeCloseTo(sd * Math.sqrt(252), 12);
    expect(m.sortino).toBeCloseTo((mean / Math.sqrt(0.01 / 3)) * Math.sqrt(252), 12);
    const years = (3 * DAY) / (365.25 * DAY);
    expect(m.cagr).toBeCloseTo(Math.pow(1.2, 1 / years) - 1, 10);
    expect(m.calmar).toBeCloseTo((m.cagr as number) / (1 - 99 / 110), 10);
    expect(m.totalReturn).toBeCloseTo(0.2, 15);
    expect(m.finalEquity).toBe(120);
    expect(m.trades).toBe(3);
    expect(m.winRate).toBeCloseTo(2 / 3, 15);
    expect(m.profitFactor).toBeCloseTo(35 / 10, 15);
    expect(m.exposure).toBeCloseTo(0.75, 15);
    expect(m.turnover).toBeCloseTo(400 / ((100 + 110 + 99 + 120) / 4), 12);
    expect(m.alpha).toBeNull();
    expect(m.beta).toBeNull();
  });

  it('beta is cov/var of returns against the benchmark, alpha the annualised intercept', () => {
    // strategy returns = 2 x benchmark returns + 0.001 exactly -> beta 2, alpha 0.001 * 252
    const b = [100, 101, 99, 102, 100.5];
    const e = [1000];
    for (let t = 1; t < b.length; t++) e.push(e[t - 1] * (1 + 2 * (b[t] / b[t - 1] - 1) + 0.001));
    const m = computeMetrics({
      capital: 1000,
      time: Float64Array.from(b.map((_, i) => i * DAY)),
      equity: Float64Array.from(e),
      trades: [],
      barsInMarket: 0,
      tradedValue: 0,
      barsPerYear: 252,
      benchmark: Float64Array.from(b),
    });
    expect(m.beta).toBeCloseTo(2, 10);
    expect(m.alpha).toBeCloseTo(0.252, 10);
    expect(m.winRate).toBeNull();
    expect(m.profitFactor).toBeNull();
  });
});

describe('information ratio (issue 11)', () => {
  it('is the annualised mean active return over its sample standard deviation, on the bars with a benchmark', () => {
    // Active return a_t = r_t − rb_t, by hand: r = 2·rb + 0.001, so a = rb + 0.001 on the bars that have rb.
    const b = [100, 101, 99, Number.NaN, 102, 100.5, 101.5];
    const rb = [0.01, 99 / 101 - 1, Number.NaN, Number.NaN, 100.5 / 102 - 1, 101.5 / 100.5 - 1];
    const e = [1000];
    for (let t = 0; t < rb.length; t++) e.push(e[t] * (1 + (Number.isNaN(rb[t]) ? 0.003 : 2 * rb[t] + 0.001)));
    const a = rb.filter((x) => !Number.isNaN(x)).map((x) => x + 0.001);
    const mu = a.reduce((x, y) => x + y, 0) / a.length;
    const sd = Math.sqrt(a.reduce((x, y) => x + (y - mu) ** 2, 0) / (a.length - 1));
    const m = computeMetrics({
      capital: 1000,
      time: Float64Array.from(b.map((_, i) => i * DAY)),
      equity: Float64Array.from(e),
      trades: [],
      barsInMarket: 0,
      tradedValue: 0,
      barsPerYear: 252,
      benchmark: Float64Array.from(b),
    });
    expect(a).toHaveLength(4);
    expect(m.informationRatio).toBeCloseTo((mu / sd) * Math.sqrt(252), 10);
    const none = computeMetrics({
      capital: 1000,
      time: Float64Array.from([0, DAY]),
      equity: Float64Array.from([1000, 1010]),
      trades: [],
      barsInMarket: 0,
      tradedValue: 0,
      barsPerYear: 252,
    });
    expect(none.informationRatio).toBeNull();
  });
});

describe('value at risk on larger samples', () => {
  it('equals the sorted-order interpolation for random and tied data', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    for (const n of [1, 2, 19, 20, 21, 1000, 1001]) {
      const x = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0.01 : rnd()));
      const s = Float64Array.from(x).sort();
      const pos = 0.05 * (n - 1);
      const lo = Math.floor(pos);
      const want = s[lo] + (s[Math.min(n - 1, lo + 1)] - s[lo]) * (pos - lo);
      expect(valueAtRisk(x)).toBeCloseTo(want, 15);
    }
  });
});

describe('the fused metrics pass', () => {
  let seed = 11;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

  it('the heap VaR is exactly the quickselect VaR (ties, sorted and reversed inputs, every level)', () => {
    for (const n of [1, 2, 3, 20, 21, 500, 4095, 4096, 4097, 60_001]) {
      const random = Float64Array.from(
        { length: n },
        () => (rnd() < 0.4 ? 0 : Math.round((rnd() - 0.5) * 1000) / 1e5) + 0,
      );
      const asc = Float64Array.from(random).sort();
      const desc = Float64Array.from(asc).reverse();
      for (const x of [random, asc, desc]) {
        for (const level of [0.95, 0.99, 0.5, 0.9999, 0])
          expect(valueAtRisk(x, level), `n=${n} level=${level}`).toBe(valueAtRiskBySelection(x, level));
      }
    }
    // The strided sample sees none of the tail (losses only off the sample's stride): still exact.
    const hidden = new Float64Array(10_000).fill(0.01);
    for (let i = 1; i < hidden.length; i += 4) hidden[i] = -i / 1e6;
    expect(valueAtRisk(hidden)).toBe(valueAtRiskBySelection(hidden));
    const nan = Float64Array.from({ length: 5000 }, (_, i) => (i === 77 ? Number.NaN : i / 5000));
    expect(valueAtRisk(nan)).toBe(valueAtRiskBySelection(nan));
  });

  it('gathers the VaR tail under a sampled threshold from 512 returns on, with the same VaR and CVaR as selecting over all', () => {
    // Ten years of daily bars (2,520) is what a sweep's kernel scores per combination. Each length is tried
    // with random returns; many ties (flat bars); losses only off the sample's stride (the sample sees no
    // loss); and losses only on it (the sampled threshold leaves too few returns under it, so the pass must
    // fall back to selecting over all).
    for (const n of [512, 513, 514, 2520, 4096]) {
      const step = Math.floor((n - 1) / 256);
      const curves: Float64Array[] = [];
      for (const kind of ['random', 'ties', 'off-stride', 'on-stride']) {
        const e = new Float64Array(n);
        let v = 1000;
        for (let t = 0; t < n; t++) {
          // e[t] makes return t - 1.
          const onStride = t > 0 && (t - 1) % step === 0;
          if (kind === 'random') v *= 1 + (rnd() - 0.5) * 0.04;
          else if (kind === 'ties') v = rnd() < 0.5 ? v : v * (rnd() < 0.5 ? 0.99 : 1.01);
          else if (kind === 'off-stride') v *= t > 0 && !onStride && rnd() < 0.1 ? 0.999 : 1.001;
          else v *= onStride ? 0.98 - rnd() * 0.01 : 1.001;
          e[t] = v;
        }
        curves.push(e);
      }
      for (const e of curves) {
        const m = computeMetrics({
          capital: 1000,
          time: Float64Array.from({ length: n }, (_, i) => i * DAY),
          equity: e,
          trades: [],
          barsInMarket: 0,
          tradedValue: 0,
          barsPerYear: 252,
        });
        const r = barReturns(e);
        expect(m.var95, `n=${n}`).toBe(valueAtRiskBySelection(r));
        expect(m.cvar95, `n=${n}`).toBe(conditionalVaR(r, 0.95, valueAtRiskBySelection(r)));
      }
    }
  });

  it('is bit-identical to the separate functions on a long curve with flat stretches and drawdowns', () => {
    const n = 20_000;
    const e = new Float64Array(n);
    let v = 1000;
    for (let t = 0; t < n; t++) {
      if (rnd() < 0.6) v *= 1 + (rnd() - 0.52) * 0.03;
      e[t] = v;
    }
    const time = Float64Array.from({ length: n }, (_, i) => i * DAY);
    const m = computeMetrics({
      capital: 1000,
      time,
      equity: e,
      trades: [],
      barsInMarket: 10,
      tradedValue: 5000,
      barsPerYear: 252,
    });
    const r = barReturns(e);
    const sd = sampleStd(r);
    let down = 0;
    for (let i = 0; i < r.length; i++) if (r[i] < 0) down += r[i] * r[i];
    let mean0 = 0;
    for (let i = 0; i < n; i++) mean0 += e[i];
    expect(m.maxDrawdown).toBe(maxDrawdown(e));
    expect(m.maxDrawdownDuration).toBe(maxDrawdownDuration(e));
    expect(m.volatility).toBe(sd * Math.sqrt(252));
    expect(m.sharpe).toBe((mean(r) / sd) * Math.sqrt(252));
    expect(m.sortino).toBe((mean(r) / Math.sqrt(down / r.length)) * Math.sqrt(252));
    expect(m.var95).toBe(valueAtRiskBySelection(r));
    expect(m.cvar95).toBe(conditionalVaR(r, 0.95, valueAtRiskBySelection(r)));
    expect(m.turnover).toBe(5000 / (mean0 / n));
  });
});
