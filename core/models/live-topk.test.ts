import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpecOnStore } from '../backtest/run';
import { parseSpec, type BacktestSpec } from '../backtest/spec';
import { ReplayFeed } from '../live/feeds/replay';
import { resolveSpec } from '../live/replay';
import { LiveSession } from '../live/session';
import { loadPanel } from '../data/panel';
import { formatDate } from '../model/time';
import { connection } from '../store/internal';
import { Journal } from '../store/journal';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { modelSignal } from '../strategies/model-signal';
import { keepDecision, LiveModelSignal, MAX_KEPT_DECISIONS, type TopkDecision } from './live';
import { ModelDuel } from './duel';
import { canaryName, FanoutSink, planCanary } from '../live/canary';
import { LiveService } from '../live/service';
import { getModel } from './registry';
import type { ModelSpec } from './spec';
import { trainAndRegister } from './service';
import { modelSpecSchema } from './spec';
import { seedPlanted } from './test-store';

let dir: string;
let store: Store;
let modelId: string;
let from: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-live-topk-'));
  store = openStore(join(dir, 'topk.db'));
  const panel = await seedPlanted(store);
  from = formatDate(panel.time[180]);
  const spec = modelSpecSchema.parse({
    universe: 'all',
    start: formatDate(panel.time[0]),
    end: formatDate(panel.time[329]),
    features: [
      { name: 'return', window: 5 },
      { name: 'rsi', period: 14 },
      { name: 'pbr' },
      { name: 'cs-rank', feature: { name: 'return', window: 5 } },
    ],
    label: { kind: 'forward-return', horizon: 5 },
    model: { kind: 'gbdt', trees: 20, depth: 3, learningRate: 0.1, seed: 1, minLeaf: 20 },
    walkForward: { train: 150, test: 60, embargo: 5, anchored: false },
  });
  modelId = (await trainAndRegister(store, spec)).record.id;
});

afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Decision = { date: string; weights: [string, number][] };
const view = (time: number, w: ReadonlyMap<string, number>): Decision => ({
  date: formatDate(time),
  weights: [...w].filter(([, v]) => v !== 0).sort(([a], [b]) => (a < b ? -1 : 1)),
});

/** The backtest's decisions (every call of the strategy's weights, with its date) and its end positions. */
function backtest(spec: BacktestSpec) {
  const seen: Decision[] = [];
  const original = modelSignal.weights;
  modelSignal.weights = (p, v) => {
    const w = original(p, v);
    seen.push(view(v.date, w instanceof Map ? w : new Map(Object.entries(w ?? {}))));
    return w;
  };
  try {
    const { result } = runSpecOnStore(store, spec);
    return { decisions: seen, positions: result.openPositions };
  } finally {
    modelSignal.weights = original;
  }
}

async function live(spec: BacktestSpec, session: string, range: { to?: string; restore?: boolean } = {}) {
  const r = resolveSpec(store, spec, { from, ...(range.to ? { to: range.to } : {}) });
  const model = r.model as LiveModelSignal;
  const s = new LiveSession({
    store,
    session,
    spec,
    strategy: r.strategy,
    params: r.params,
    symbols: r.symbols,
    now: () => 0,
    keep: Infinity,
    model,
  });
  if (range.restore) s.restore();
  const feed = new ReplayFeed({ panel: r.panel, symbols: r.symbols, from: r.from, to: r.to, speed: 0 });
  feed.start(s);
  await feed.done;
  return { decisions: model.portfolio!.decisions.map((d) => view(d.time, d.weights)), session: s };
}

describe('model-signal top-k in a live session (replay feed)', () => {
  it.each([
    ['weekly', 'next-open', false],
    ['monthly', 'close', true],
  ] as const)(
    'targets what the backtest targets on the same dates (%s, fill %s, short %s) and holds its book',
    async (rebalance, fill, short) => {
      const parsed = parseSpec({
        strategy: 'model-signal',
        params: { modelId, mode: 'top-k', topK: 2, nDrop: 1, rebalance, short },
        universe: 'all',
        start: from,
        capital: 100_000,
        fill,
      });
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      const bt = backtest(parsed.spec);
      const lv = await live(parsed.spec, `topk-${rebalance}`);
      expect(bt.decisions.length).toBeGreaterThan(rebalance === 'weekly' ? 15 : 4);
      expect(lv.decisions).toEqual(bt.decisions);
      // Dropout bounds turnover: at most nDrop names leave the long book per rebalance once it is full.
      for (let i = 1; i < lv.decisions.length; i++) {
        const before = new Set(lv.decisions[i - 1].weights.filter(([, w]) => w > 0).map(([s]) => s));
        const after = lv.decisions[i].weights.filter(([, w]) => w > 0).map(([s]) => s);
        expect(after.filter((s) => !before.has(s)).length).toBeLessThanOrEqual(1);
      }
      // The paper book holds what the backtest holds at the end (the same rebalances at the same prices).
      const held = lv.session.positions().filter((p) => p.qty !== 0);
      expect(held.map((p) => [p.symbol, p.qty]).sort()).toEqual(
        bt.positions.map((p) => [p.symbol, p.side === 'long' ? p.qty : -p.qty]).sort(),
      );
      // Entries are signals with their explanation.
      const entries = lv.session.signals.filter((s) => s.reason === 'signal');
      expect(entries.length).toBeGreaterThan(2);
      expect(entries.every((s) => s.explanation?.modelId === modelId && s.explanation.top.length === 3)).toBe(true);
    },
  );

  it('a session stopped mid-way and restarted re-decides its warm steps (the held names) and ends as one run', async () => {
    const parsed = parseSpec({
      strategy: 'model-signal',
      params: { modelId, mode: 'top-k', topK: 2, nDrop: 1, rebalance: 'weekly', short: true },
      universe: 'all',
      start: from,
      capital: 100_000,
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const whole = await live(parsed.spec, 'topk-whole');
    const mid = formatDate(loadPanel(store, { adjustment: 'pit' }).time[250]);
    const first = await live(parsed.spec, 'topk-split', { to: mid });
    const resumed = await live(parsed.spec, 'topk-split', { restore: true });
    const fills = (name: string) =>
      new Journal(connection(store)).loadFills(name).map((f) => [f.symbol, f.time, f.side, f.qty, f.price]);
    expect(first.session.fills.length).toBeGreaterThan(3);
    expect(resumed.session.fills.length).toBeGreaterThan(3);
    expect(fills('topk-split')).toEqual(fills('topk-whole'));
    expect(resumed.decisions).toEqual(whole.decisions);
  });

  it('runs a top-k challenger beside a top-k champion: shadow scores it without changing the champion, canary trades it', async () => {
    const challenger = (
      await trainAndRegister(
        store,
        modelSpecSchema.parse({ ...(getModel(store, modelId)!.record.spec as ModelSpec), model: { kind: 'linear' } }),
      )
    ).record.id;
    const spec = (c?: object) => {
      const parsed = parseSpec({
        strategy: 'model-signal',
        params: { modelId, mode: 'top-k', topK: 2, nDrop: 1, rebalance: 'weekly', ...(c ? { challenger: c } : {}) },
        universe: 'all',
        start: from,
        capital: 100_000,
      });
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      return parsed.spec;
    };
    const solo = await live(spec(), 'topk-solo');
    const r = resolveSpec(store, spec({ modelId: challenger, mode: 'shadow' }), { from });
    const duel = r.model as ModelDuel;
    expect(duel).toBeInstanceOf(ModelDuel);
    const s = new LiveSession({
      store,
      session: 'topk-shadow',
      spec: spec({ modelId: challenger, mode: 'shadow' }),
      strategy: r.strategy,
      params: r.params,
      symbols: r.symbols,
      now: () => 0,
      keep: Infinity,
      model: duel,
    });
    const feed = new ReplayFeed({ panel: r.panel, symbols: r.symbols, from: r.from, to: r.to, speed: 0 });
    feed.start(s);
    await feed.done;
    // The champion's session trades its top-k book as it does alone: the shadow adds no order.
    const fills = (name: string) =>
      new Journal(connection(store)).loadFills(name).map((f) => [f.symbol, f.time, f.side, f.qty, f.price]);
    expect(fills('topk-solo').length).toBeGreaterThan(3);
    expect(fills('topk-shadow')).toEqual(fills('topk-solo'));
    const decisions = duel.champion.portfolio!.decisions.map((d) => view(d.time, d.weights));
    expect(decisions).toEqual(solo.decisions);
    // Both books are scored on the top-k weights: the champion's virtual entries and exits are its portfolio's.
    let changes = 0;
    let held = new Map<string, number>();
    for (const d of duel.champion.portfolio!.decisions) {
      for (const sym of r.symbols) if (Math.sign(d.weights.get(sym) ?? 0) !== Math.sign(held.get(sym) ?? 0)) changes++;
      held = new Map(d.weights);
    }
    const report = duel.report();
    expect(report.champion.signals).toBe(changes);
    expect(report.challenger.modelId).toBe(challenger);
    expect(report.challenger.signals).toBeGreaterThan(0);
    expect(report.challenger.steps).toBe(report.champion.steps);
    expect(report.challenger.totalReturn).not.toBe(report.champion.totalReturn);
    // The shadow decided nothing for a session of its own.
    expect(duel.challenger.portfolio!.decisions).toHaveLength(0);

    // Canary: the challenger's top-k book trades a quarter of the capital in its own journal.
    const service = new LiveService(store, () => undefined, 60_000);
    const started = service.start({
      spec: spec({ modelId: challenger, mode: 'canary', fraction: 0.25 }),
      feed: 'replay',
      speed: 0,
      session: 'topk-canary',
      webhooks: [],
    });
    if (!started.ok) throw new Error(started.error.message);
    await service.feed!.done;
    const canary = service.duel()!;
    await service.dispose();
    expect(canary).toMatchObject({ mode: 'canary', fraction: 0.25 });
    expect({ ...canary.challenger }).toEqual({ ...report.challenger });
    const canaryFills = fills(canaryName('topk-canary'));
    expect(canaryFills.length).toBeGreaterThan(3);
    expect(canaryFills).not.toEqual(fills('topk-canary'));
    // The champion's first rebalance buys the names it buys alone, sized on three quarters of the capital.
    const first = (name: string) => {
      const f = fills(name);
      return f.filter((x) => x[1] === f[0][1]).map(([sym, , side, qty]) => [sym, side, qty as number] as const);
    };
    const alone = first('topk-solo');
    const beside = first('topk-canary');
    expect(beside.map(([sym, side]) => [sym, side])).toEqual(alone.map(([sym, side]) => [sym, side]));
    beside.forEach(([, , qty], i) => expect(qty / (alone[i][2] as number)).toBeCloseTo(0.75, 1));
    expect(canary.canaryAccount!.equity).not.toBe(25_000);
  });

  it('runs a top-k challenger on its own params (topK, nDrop, rebalance, short): scored on its own book in shadow, trading it in canary', async () => {
    const challenger = (
      await trainAndRegister(
        store,
        modelSpecSchema.parse({ ...(getModel(store, modelId)!.record.spec as ModelSpec), model: { kind: 'linear' } }),
      )
    ).record.id;
    const champ = { modelId, mode: 'top-k', topK: 2, nDrop: 1, rebalance: 'weekly', short: false } as const;
    const own = { topK: 3, nDrop: 2, rebalance: 'monthly', short: true } as const;
    const spec = (params: object) => {
      const parsed = parseSpec({ strategy: 'model-signal', params, universe: 'all', start: from, capital: 100_000 });
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      return parsed.spec;
    };
    const fills = (name: string) =>
      new Journal(connection(store)).loadFills(name).map((f) => [f.symbol, f.time, f.side, f.qty, f.price]);
    // Each model alone, on its own params.
    const soloChampion = await live(spec(champ), 'own-solo-champion');
    const soloChallenger = await live(spec({ modelId: challenger, mode: 'top-k', ...own }), 'own-solo-challenger');
    expect(soloChallenger.decisions).not.toEqual(soloChampion.decisions);
    // The challenger's book: up to 3 long and 3 short names, monthly.
    expect(Math.max(...soloChallenger.decisions.map((d) => d.weights.length))).toBe(6);

    const duelSession = async (params: object, session: string) => {
      const sp = spec(params);
      const r = resolveSpec(store, sp, { from });
      const planned = planCanary({
        store,
        session,
        spec: sp,
        strategy: r.strategy,
        params: r.params,
        symbols: r.symbols,
        now: () => 0,
        keep: Infinity,
        model: r.model!,
      });
      const champion = new LiveSession(planned.champion);
      const feed = new ReplayFeed({ panel: r.panel, symbols: r.symbols, from: r.from, to: r.to, speed: 0 });
      feed.start(planned.canary ? new FanoutSink([champion, planned.canary]) : champion);
      await feed.done;
      return r.model as ModelDuel;
    };
    const decisions = (d: readonly { time: number; weights: ReadonlyMap<string, number> }[]) =>
      d.map((x) => view(x.time, x.weights));

    // Shadow: the duel scores each version on its own params' decisions; the champion trades as alone.
    const shadow = await duelSession(
      { ...champ, challenger: { modelId: challenger, mode: 'shadow', ...own } },
      'own-shadow',
    );
    expect(shadow.challenger.params).toMatchObject({ modelId: challenger, mode: 'top-k', ...own });
    expect(decisions(shadow.decisions[1])).toEqual(soloChallenger.decisions);
    expect(decisions(shadow.decisions[0])).toEqual(soloChampion.decisions);
    expect(fills('own-shadow')).toEqual(fills('own-solo-champion'));
    // Its book's figures are its own: the same as when it is the champion of a duel with the roles swapped.
    const swapped = await duelSession(
      { modelId: challenger, mode: 'top-k', ...own, challenger: { ...champ, mode: 'shadow' } },
      'own-swapped',
    );
    const report = shadow.report();
    expect(report.challenger.signals).toBeGreaterThan(0);
    // The comparison (models:duel, the Live view's panel) says what each version runs.
    expect(report.challenger.strategy).toEqual({ mode: 'top-k', ...own, threshold: 0 });
    expect(report.champion.strategy).toEqual({ ...champ, modelId: undefined, threshold: 0 });
    expect(swapped.report().champion).toEqual(report.challenger);
    expect(swapped.report().challenger).toEqual(report.champion);

    // Canary: the challenger's session trades its own top-k book on a quarter of the capital.
    const canary = await duelSession(
      { ...champ, challenger: { modelId: challenger, mode: 'canary', fraction: 0.25, ...own } },
      'own-canary',
    );
    expect(decisions(canary.challenger.portfolio!.decisions)).toEqual(soloChallenger.decisions);
    expect(decisions(canary.champion.portfolio!.decisions)).toEqual(soloChampion.decisions);
    expect(canary.report().challenger).toEqual(report.challenger);
    const first = (name: string) => {
      const f = fills(name);
      return f.filter((x) => x[1] === f[0][1]).map(([sym, , side, qty]) => [sym, side, qty as number] as const);
    };
    for (const [session, alone, share] of [
      [canaryName('own-canary'), 'own-solo-challenger', 0.25],
      ['own-canary', 'own-solo-champion', 0.75],
    ] as const) {
      const a = first(alone);
      const b = first(session);
      expect(b.map(([sym, side]) => [sym, side])).toEqual(a.map(([sym, side]) => [sym, side]));
      b.forEach(([, , qty], i) => expect(qty / (a[i][2] as number)).toBeCloseTo(share, 1));
    }
    expect(first(canaryName('own-canary'))).toHaveLength(6);
  });

  it('refuses a challenger parameter of the other mode, naming the field', () => {
    const attempt = (params: object) => {
      const parsed = parseSpec({ strategy: 'model-signal', params, universe: 'all', start: from, capital: 100_000 });
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      return () => resolveSpec(store, parsed.spec, { from });
    };
    expect(attempt({ modelId, mode: 'threshold', challenger: { modelId, topK: 3 } })).toThrow(
      /params\.challenger\.topK: a top-k parameter, but the champion runs mode "threshold"/,
    );
    expect(attempt({ modelId, mode: 'top-k', challenger: { modelId, threshold: 0.01 } })).toThrow(
      /params\.challenger\.threshold: a threshold parameter, but the champion runs mode "top-k"/,
    );
    expect(attempt({ modelId, mode: 'top-k', challenger: { modelId, mode: 'threshold' } })).toThrow(
      /params\.challenger\.mode: expected "shadow" or "canary" \(the challenger runs the champion's strategy mode/,
    );
    // A threshold challenger sets its own threshold and short.
    const r = attempt({ modelId, mode: 'threshold', challenger: { modelId, threshold: 0.002, short: true } })();
    expect((r.model as ModelDuel).challenger.params).toMatchObject({
      mode: 'threshold',
      threshold: 0.002,
      short: true,
    });
    expect((r.model as ModelDuel).champion.params).toMatchObject({ threshold: 0, short: false });
  });
});

describe('top-k decisions kept in memory', () => {
  it('keeps the newest ones only, oldest first: a session running for years stays bounded', () => {
    const list: TopkDecision[] = [];
    for (let t = 0; t < MAX_KEPT_DECISIONS + 25; t++) keepDecision(list, { time: t, weights: new Map([['A', 1]]) });
    expect(list).toHaveLength(MAX_KEPT_DECISIONS);
    expect(list[0].time).toBe(25);
    expect(list.at(-1)!.time).toBe(MAX_KEPT_DECISIONS + 24);
  });
});
