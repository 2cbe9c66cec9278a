import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../backtest/spec';
import { canaryName, planCanary } from '../live/canary';
import { resolveSpec } from '../live/replay';
import { LiveService } from '../live/service';
import { formatDate } from '../model/time';
import { Journal } from '../store/journal';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { spearman } from './duel';
import { trainAndRegister } from './service';
import { modelSpecSchema } from './spec';
import { seedPlanted } from './test-store';
import { connection } from '../store/internal';

let dir: string;
let store: Store;
let champion: string;
let challenger: string;
let from: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-duel-'));
  store = openStore(join(dir, 'duel.db'));
  const panel = await seedPlanted(store);
  from = formatDate(panel.time[200]);
  const spec = (model: object) =>
    modelSpecSchema.parse({
      universe: 'all',
      start: formatDate(panel.time[0]),
      end: formatDate(panel.time[329]),
      features: [
        { name: 'expr', expr: 'Log($volume)', label: 'logvol' },
        { name: 'return', window: 5 },
        { name: 'rsi', period: 14 },
      ],
      label: { kind: 'forward-return', horizon: 5 },
      model,
      walkForward: { train: 150, test: 60, embargo: 5, anchored: false },
    });
  champion = (
    await trainAndRegister(store, spec({ kind: 'gbdt', trees: 20, depth: 3, learningRate: 0.1, seed: 1, minLeaf: 20 }))
  ).record.id;
  challenger = (await trainAndRegister(store, spec({ kind: 'linear' }))).record.id;
});

afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(mode: 'shadow' | 'canary', session: string) {
  const live = new LiveService(store, () => undefined, 60_000);
  const spec = {
    strategy: 'model-signal',
    params: {
      modelId: champion,
      mode: 'threshold',
      short: true,
      challenger: { modelId: challenger, mode, fraction: 0.25 },
    },
    universe: 'all',
    capital: 100_000,
  };
  const started = live.start({ spec, feed: 'replay', speed: 0, from, session, webhooks: [] });
  if (!started.ok) throw new Error(started.error.message);
  await live.feed!.done;
  const report = live.duel();
  await live.dispose();
  return { report };
}

describe('champion and challenger in one live session', () => {
  it('scores both versions on the same virtual book; a canary trades its fraction of the capital in its own journal, a shadow trades nothing', async () => {
    const shadow = await run('shadow', 'duel-shadow');
    const canary = await run('canary', 'duel-canary');
    for (const r of [shadow, canary]) {
      expect(r.report!.champion.modelId).toBe(champion);
      expect(r.report!.challenger.modelId).toBe(challenger);
      // Days 200 .. 329 of the store: 130 steps.
      expect(r.report!.champion.steps).toBe(130);
      expect(r.report!.challenger.signals).toBeGreaterThan(0);
      expect(r.report!.champion.rankIc).not.toBeNull();
    }
    // The virtual books do not depend on who trades: same figures in both modes.
    expect({ ...canary.report!, mode: 'x', fraction: 0, canaryAccount: null }).toEqual({
      ...shadow.report!,
      mode: 'x',
      fraction: 0,
      canaryAccount: null,
    });
    expect(shadow.report!.canaryAccount).toBeNull();
    expect(canary.report!).toMatchObject({ mode: 'canary', fraction: 0.25 });
    expect(canary.report!.canaryAccount!.equity).not.toBe(25_000);
    // The champion trades 1 − fraction of the capital, the canary the fraction.
    for (const [mode, capitals] of [
      ['canary', [75_000, 25_000]],
      ['shadow', [100_000]],
    ] as const) {
      const parsed = parseSpec({
        strategy: 'model-signal',
        params: { modelId: champion, mode: 'threshold', challenger: { modelId: challenger, mode, fraction: 0.25 } },
        universe: 'all',
        capital: 100_000,
      });
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      const r = resolveSpec(store, parsed.spec, { from });
      const plan = planCanary({
        store,
        session: `plan-${mode}`,
        spec: parsed.spec,
        strategy: r.strategy,
        params: r.params,
        symbols: r.symbols,
        ...(r.model ? { model: r.model } : {}),
      });
      expect([plan.champion.spec.capital, ...(plan.canary ? [plan.canary.broker.account().cash] : [])]).toEqual(
        capitals,
      );
    }
    const journal = new Journal(store);
    expect(journal.loadFills(canaryName('duel-canary')).length).toBeGreaterThan(0);
    expect(journal.loadFills(canaryName('duel-shadow')).length).toBe(0);
  });

  it('refuses a bad challenger with the field named', () => {
    const live = new LiveService(store, () => undefined, 60_000);
    const bad = live.start({
      spec: {
        strategy: 'model-signal',
        params: { modelId: champion, mode: 'threshold', challenger: { modelId: challenger, fraction: 2 } },
        universe: 'all',
      },
      feed: 'replay',
      speed: 0,
      session: 'bad',
      webhooks: [],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/challenger\.fraction/);
    void live.dispose();
  });

  it('spearman: ties averaged, NaN pairs skipped', () => {
    expect(spearman(Float64Array.of(1, 2, 3, Number.NaN), Float64Array.of(10, 20, 30, 1))).toBeCloseTo(1, 12);
    expect(spearman(Float64Array.of(1, 2, 3, 4), Float64Array.of(4, 3, 2, 1))).toBeCloseTo(-1, 12);
    expect(spearman(Float64Array.of(1, 1, 2, 3), Float64Array.of(1, 2, 3, 4))).toBeCloseTo(0.9486832980505138, 12);
    expect(Number.isNaN(spearman(Float64Array.of(1, 2), Float64Array.of(1, 2)))).toBe(true);
  });
});
