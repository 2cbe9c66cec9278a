import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sourceHash, setStrategyTimeoutMs, StrategyCodeError } from '../sdk/sandbox';
import { addUserFeature } from '../store/feature-sources';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { evaluateBatch } from './batch';
import { FeatureSpecError, listFeatures, resolveFeatures } from './defs';
import { FeatureStream } from './stream';
import { barsAt, testSource } from './test-panel';
import { checkUserFeature, registerUserFeature } from './user';

const RANGE = join(__dirname, 'testdata', 'range-mean.ts');
const STREAK = join(__dirname, 'testdata', 'up-streak.ts');
const HEAD = `import { defineFeature } from 'quantdesk/sdk';\n`;

function src(source: string, file = 'feat.ts') {
  return { name: file.replace(/\.[tj]s$/, ''), file, source, hash: sourceHash(source) };
}
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}
function streamAll(s: ReturnType<typeof testSource>, exprs: Parameters<typeof evaluateBatch>[1]): Float64Array[] {
  const { panel } = s;
  const st = new FeatureStream(exprs, panel.nInst, s.fields);
  const out = exprs.map(() => new Float64Array(panel.nInst * panel.nDays));
  for (let t = 0; t < panel.nDays; t++)
    st.next(barsAt(panel, t)).forEach((v, j) => {
      for (let i = 0; i < panel.nInst; i++) out[j][i * panel.nDays + t] = v[i];
    });
  return out;
}

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
  setStrategyTimeoutMs(10_000);
});

describe('features written with the SDK (defineFeature)', () => {
  it('batch equals streaming at every bar, whichever form the user gave (the other derived)', () => {
    const s = testSource(5, 120, 3, 7);
    const feats = resolveFeatures([
      { name: RANGE, period: 6 },
      { name: STREAK },
      { name: 'cs-rank', feature: { name: RANGE, period: 3 } },
    ]);
    expect(feats.map((f) => f.label)).toEqual([
      'range-mean(period=6)',
      'up-streak(cap=50)',
      'cs-rank(range-mean(period=3))',
    ]);
    const exprs = feats.map((f) => f.expr);
    const batch = evaluateBatch(s, exprs);
    const stream = streamAll(s, exprs);
    let defined = 0;
    for (let j = 0; j < exprs.length; j++)
      for (let i = 0; i < batch[j].length; i++) {
        if (!Object.is(batch[j][i], stream[j][i]))
          throw new Error(`${feats[j].label} at ${i}: batch ${batch[j][i]} stream ${stream[j][i]}`);
        if (!Number.isNaN(batch[j][i])) defined++;
      }
    expect(defined).toBeGreaterThan(3 * 5 * 60);
    // The values are the ones the definition says (a known window, computed here).
    const { panel } = s;
    const k = 2 * panel.nDays + 50;
    let sum = 0;
    for (let i = k - 5; i <= k; i++) sum += (panel.high[i] - panel.low[i]) / panel.close[i];
    expect(batch[0][k]).toBeCloseTo(sum / 6, 12);
    // Before the instrument's first bar (instrument 2 lists on day 14) nothing is defined.
    expect(Number.isNaN(batch[1][2 * panel.nDays + 13])).toBe(true);
    expect(batch[1][2 * panel.nDays + 14]).toBe(0);
  });

  it('gives each symbol its own seeded Math.random sequence, so a random stream-only feature is still batch = streaming', () => {
    registerUserFeature(
      src(
        `${HEAD}export default defineFeature({ init: () => ({ n: 0 }), next: (s) => (s.n += Math.random()) });\n`,
        'rnd.ts',
      ),
    );
    const s = testSource(4, 40, 2, 3);
    const feats = resolveFeatures([{ name: 'rnd' }]);
    const exprs = feats.map((f) => f.expr);
    const batch = evaluateBatch(s, exprs);
    const stream = streamAll(s, exprs);
    for (let i = 0; i < batch[0].length; i++) expect(Object.is(batch[0][i], stream[0][i])).toBe(true);
    expect(batch[0][39]).toBeGreaterThan(0);
  });

  it('checks the two forms on a synthetic market: a window that is too short is named', () => {
    const lying = registerUserFeature(
      src(
        `${HEAD}export default defineFeature({ name: 'cum', window: 3,
  batch(b) { const o = new Float64Array(b.length); let s = 0; for (let i = 0; i < b.length; i++) { s += b.close[i]; o[i] = s; } return o; } });\n`,
        'cum.ts',
      ),
    );
    expect(checkUserFeature(lying, {})).toMatch(/^cum\.ts: "window": batch over the last 3 bars differs .* at bar 3 /);
    const honest = registerUserFeature(src(readme(), 'honest.ts'));
    expect(checkUserFeature(honest, { period: 4 })).toBeNull();
    const both = registerUserFeature(
      src(
        `${HEAD}export default defineFeature({ name: 'bad-both', window: 1,
  batch: (b) => Array.from(b.close, (c) => c * 2),
  next: (s, bar) => bar.close * 3 });\n`,
        'both.ts',
      ),
    );
    expect(checkUserFeature(both, {})).toMatch(/both\.ts: "batch" and "next" disagree, at bar 0/);
  });

  it('refuses, wherever a spec names it, a batch form that reads later bars (look-ahead)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qd-peek-'));
    try {
      const peek = join(dir, 'peek.ts');
      writeFileSync(
        peek,
        `${HEAD}export default defineFeature({ window: 1, batch: (b) => Array.from(b.close, (c, i) => (b.close[i + 1] ?? NaN) / c) });\n`,
      );
      expect(errorOf(() => resolveFeatures([{ name: peek }]))).toMatch(
        /^features\.0: .*peek\.ts: "window": batch over the last 1 bars differs .*may not read later bars/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file, line and field of errors in user code', () => {
    expect(errorOf(() => registerUserFeature(src(`${HEAD}export default defineFeature({ batch( });\n`)))).toMatch(
      /^feat\.ts:2:\d+: /,
    );
    expect(
      errorOf(() => registerUserFeature(src(`import fs from 'fs';\n${HEAD}export default defineFeature({});\n`))),
    ).toBe('feat.ts:1:16: cannot import "fs": a feature may import only quantdesk/sdk');
    expect(
      errorOf(() =>
        registerUserFeature(src(`${HEAD}\nexport default defineFeature({ batch: (b) => b.close });\n`, 'nowin.ts')),
      ),
    ).toMatch(/^nowin\.ts:3:\d+: defineFeature: "window" is required when only "batch" is given/);
    const short = registerUserFeature(
      src(`${HEAD}export default defineFeature({\n  window: 2,\n  batch: (b) => [1, 2],\n});\n`, 'short.ts'),
    );
    const e = errorOf(() => checkUserFeature(short, {}));
    expect(e).toMatch(/^short\.ts:4:3: "batch" returned 2 values for 300 bars/);
    const throws = registerUserFeature(
      src(
        `${HEAD}export default defineFeature({\n  init: () => ({}),\n  next(s, bar) {\n    if (bar.index === 5) throw new Error('boom at five');\n    return 1;\n  },\n});\n`,
        'throws.ts',
      ),
    );
    expect(errorOf(() => checkUserFeature(throws, {}))).toMatch(/^throws\.ts:5:\d+: boom at five$/);
    // Spec errors name the entry and the parameter.
    expect(() => resolveFeatures([{ name: RANGE, period: 0 }])).toThrow(FeatureSpecError);
    expect(errorOf(() => resolveFeatures([{ name: RANGE, period: 0 }]))).toMatch(/^features\.0\.period: /);
    expect(errorOf(() => resolveFeatures([{ name: '/nope/missing.ts' }]))).toMatch(
      /^features\.0\.name: \/nope\/missing\.ts: cannot read: ENOENT/,
    );
  });

  it('runs sandboxed: no Node, no clock, and a time limit', () => {
    const probe = registerUserFeature(
      src(
        `${HEAD}export default defineFeature({ window: 1, batch(b) {
  const g = globalThis as any;
  const bad = [typeof g.process, typeof g.require, typeof g.fetch, typeof g.setTimeout].filter((t) => t !== 'undefined').length;
  let codegen = 0; try { (0, eval)('1'); codegen = 1; } catch {}
  return Array.from(b.close, () => bad + codegen);
} });\n`,
        'probe.ts',
      ),
    );
    const bars = testSource(1, 5, 1, 0).panel;
    const cols = {
      time: bars.time,
      open: bars.open,
      high: bars.high,
      low: bars.low,
      close: bars.close,
      volume: bars.volume,
    };
    expect([...probe.batch(cols, {})]).toEqual([0, 0, 0, 0, 0]);
    const clock = registerUserFeature(
      src(`${HEAD}export default defineFeature({ next: () => Date.now() });\n`, 'clock.ts'),
    );
    expect(errorOf(() => clock.batch(cols, {}))).toMatch(/^clock\.ts:2:\d+: the clock is not available/);
    setStrategyTimeoutMs(200);
    const spin = registerUserFeature(
      src(`${HEAD}export default defineFeature({ next: () => { for (;;) {} } });\n`, 'spin.ts'),
    );
    const err = (() => {
      try {
        spin.batch(cols, {});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StrategyCodeError);
    expect((err as Error).message).toMatch(/^spin\.ts: the strategy was stopped after 0\.2 s/);
  });

  it('is found by name in the store it was added to, and listed with its parameters', () => {
    store = openStore(':memory:');
    const text = readme();
    const r = addUserFeature(store, {
      name: 'range-sum',
      file: '/x/range-sum.ts',
      source: text,
      hash: sourceHash(text),
    });
    expect(r).toEqual({ version: 1, added: true });
    expect(
      addUserFeature(store, { name: 'range-sum', file: '/x/range-sum.ts', source: text, hash: sourceHash(text) }).added,
    ).toBe(false);
    const [f] = resolveFeatures([{ name: 'range-sum', period: 3 }], 'features', { store });
    expect(f.label).toBe('range-sum(period=3)');
    expect(f.expr).toMatchObject({ k: 'user', hash: sourceHash(text) });
    const info = listFeatures({ store }).find((x) => x.name === 'range-sum');
    expect(info).toMatchObject({ source: 'user', params: { period: 5 }, hash: sourceHash(text) });
    expect(listFeatures().find((x) => x.name === 'rsi')).not.toHaveProperty('source');
  });
});

function readme(): string {
  return `${HEAD}export default defineFeature({
  name: 'range-sum',
  params: { period: { type: 'integer', default: 5, minimum: 1 } },
  window: (p: { period: number }) => p.period,
  batch(b, p: { period: number }) {
    const out: number[] = [];
    for (let i = 0; i < b.length; i++) {
      let s = 0;
      for (let k = Math.max(0, i - p.period + 1); k <= i; k++) s += b.high[k] - b.low[k];
      out.push(i + 1 >= p.period ? s : NaN);
    }
    return out;
  },
});\n`;
}
