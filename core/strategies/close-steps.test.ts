import { describe, expect, it } from 'vitest';
import type { BarView, SingleStrategy } from '../strategy/types';
import { STRATEGIES } from './index';
import { closeStepsOf } from './close-steps';

/** Seeded closes with NaN gaps (a name with no bar), repeated values and flat runs (exact ties of the averages). */
function closes(n: number, seed0: number): Float64Array {
  let seed = seed0;
  const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const out = new Float64Array(n);
  let p = 50;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.01) for (let k = 0; k < 12 && i < n - 1; k++) out[i++] = p;
    if (r < 0.03) out[i] = Number.NaN;
    else if (r < 0.1) out[i] = p;
    else out[i] = p = Math.round(p * (1 + (rnd() - 0.5) * 0.06) * 100) / 100;
  }
  return out;
}

/** Short periods (more decisions, more ties) and the other options. */
const OTHER_PARAMS: Record<string, object> = {
  'sma-cross': { fast: 3, slow: 7 },
  'ema-cross': { fast: 3, slow: 7 },
  'rsi-reversion': { period: 5, lower: 40, upper: 60 },
  'macd-cross': { fast: 3, slow: 8, signal: 4 },
  'bollinger-reversion': { period: 6, stddev: 1, exitAtMiddle: true },
  'ma-breakout': { period: 5, threshold: 0.005, average: 'ema' },
};

const withSteps = STRATEGIES.filter((s) => closeStepsOf(s) !== null) as SingleStrategy<unknown, unknown>[];

describe('close steps (a built-in stepped over a run of closes at once)', () => {
  it('are declared for the built-ins that read only closes', () => {
    expect(withSteps.map((s) => s.name).sort()).toEqual([
      'bollinger-reversion',
      'ema-cross',
      'ma-breakout',
      'macd-cross',
      'rsi-reversion',
      'sma-cross',
    ]);
  });

  it.each(withSteps.map((s) => [s.name, s] as const))(
    '%s: the same decisions at the same bars, and the same state after, as onBar bar by bar',
    (_, strategy) => {
      const steps = closeStepsOf(strategy)!;
      for (const [seed, params] of [
        [1, {}],
        [2, OTHER_PARAMS[strategy.name]],
      ] as const) {
        const c = closes(3000, seed);
        const p = strategy.params.parse(params);
        // Reference: onBar on every bar with a close, as the engine's plain path does.
        const ref = strategy.init(p);
        const view: BarView = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
        const want: [number, number][] = [];
        for (let i = 0; i < c.length; i++) {
          if (c[i] !== c[i]) continue;
          view.close = view.open = view.high = view.low = c[i];
          view.index++;
          const d = strategy.onBar(ref, view);
          if (d !== null) want.push([i, d as number]);
        }
        // Blocks of uneven sizes, one state carried across them.
        const state = strategy.init(p);
        const outJ = new Int32Array(300);
        const outT = new Float64Array(300);
        const got: [number, number][] = [];
        for (let at = 0, m = 1; at < c.length; at += m, m = (m * 7 + 3) % 300 || 1) {
          const len = Math.min(m, c.length - at);
          const n = steps(state, c, at, len, outJ, outT);
          for (let t = 0; t < n; t++) got.push([at + outJ[t], outT[t]]);
        }
        expect(want.length).toBeGreaterThan(10);
        expect(got).toEqual(want);
        // The state left behind decides the next bars the same way.
        expect(JSON.stringify(state, (_k, v: unknown) => (typeof v === 'number' && v !== v ? 'NaN' : v))).toEqual(
          JSON.stringify(ref, (_k, v: unknown) => (typeof v === 'number' && v !== v ? 'NaN' : v)),
        );
        view.close = 51.23;
        const tail = closes(200, seed + 10);
        for (let i = 0; i < tail.length; i++) {
          if (tail[i] !== tail[i]) continue;
          view.close = tail[i];
          expect(strategy.onBar(state, view)).toEqual(strategy.onBar(ref, view));
        }
      }
    },
  );
});
