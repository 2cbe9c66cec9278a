import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec, type BacktestSpec } from '../backtest/spec';
import { LiveStartInput } from '../contract/live';
import { formatDate } from '../model/time';
import { trainAndRegister } from '../models/service';
import { modelSpecSchema } from '../models/spec';
import { seedPlanted } from '../models/test-store';
import { connection } from '../store/internal';
import { Journal } from '../store/journal';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { canaryName, planCanary } from './canary';
import { ReplayFeed } from './feeds/replay';
import type { FeedSink } from './feeds/types';
import { resolveSpec } from './replay';
import { LiveService } from './service';
import { LiveSession } from './session';

/*
 * A live session whose challenger trades a top-k canary on its own params, stopped dead at a step and resumed from
 * its journals (`live:resume`), must end as the uninterrupted run: same fills in both journals, same books. Each
 * step is committed per session (champion, then canary), so a kill lands between two steps of both, or between
 * the champion's commit and the canary's of one step; the cuts below are both kinds, on a rebalance decision whose
 * orders go out at the next open (the pending rebalance is strategy state, not journaled: the resumed portfolio
 * must re-decide it on its warm steps).
 */

let dir: string;
let store: Store;
let spec: BacktestSpec;
let time: Float64Array;
const from = (t: Float64Array) => formatDate(t[180]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-canary-topk-resume-'));
  store = openStore(join(dir, 'canary.db'));
  const panel = await seedPlanted(store);
  time = panel.time;
  const model = (m: object) =>
    modelSpecSchema.parse({
      universe: 'all',
      start: formatDate(time[0]),
      end: formatDate(time[329]),
      features: [
        { name: 'return', window: 5 },
        { name: 'rsi', period: 14 },
        { name: 'cs-rank', feature: { name: 'return', window: 5 } },
      ],
      label: { kind: 'forward-return', horizon: 5 },
      model: m,
      walkForward: { train: 150, test: 60, embargo: 5, anchored: false },
    });
  const champion = (await trainAndRegister(store, model({ kind: 'gbdt', trees: 10, depth: 3, seed: 1, minLeaf: 20 })))
    .record.id;
  const challenger = (await trainAndRegister(store, model({ kind: 'linear' }))).record.id;
  const parsed = parseSpec({
    strategy: 'model-signal',
    params: {
      modelId: champion,
      mode: 'top-k',
      topK: 2,
      nDrop: 1,
      rebalance: 'weekly',
      challenger: { modelId: challenger, mode: 'canary', fraction: 0.3, topK: 3, nDrop: 1, short: true },
    },
    universe: 'all',
    capital: 100_000,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  spec = parsed.spec;
});

afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const fills = (session: string) =>
  new Journal(connection(store)).loadFills(session).map((f) => [f.symbol, f.time, f.side, f.qty, f.price] as const);

/** Runs the session through `LiveService` to the end (a fresh start, or `live:resume` of a journaled one). */
async function serve(session: string, resume: boolean) {
  const host = new LiveService(store, () => undefined, 60_000);
  const started = resume
    ? host.resume(session, 0)
    : host.start({ spec, feed: 'replay', speed: 0, from: from(time), session, webhooks: [] });
  if (!started.ok) throw new Error(started.error.message);
  const restored = host.lastCanaryRestore;
  await host.feed!.done;
  const duel = host.duel()!;
  const positions = { champion: host.positions() };
  await host.dispose();
  return { duel, restored, positions };
}

/**
 * The process that started `session` and died at step `cut`: the start request recorded (as `live:start` records
 * it), both sessions stepped up to `cut`, the canary's commit of `cut` itself lost when `canaryBehind`.
 */
async function killedAt(session: string, cut: number, canaryBehind: boolean) {
  const req = LiveStartInput.parse({ spec, feed: 'replay', speed: 0, from: from(time), session });
  const { webhooks: _w, risk: _r, session: _s, ...stored } = req;
  const journal = new Journal(connection(store));
  journal.setState(session, 'start', stored);
  const r = resolveSpec(store, spec, { from: from(time), to: formatDate(time[cut]) });
  const planned = planCanary({
    store,
    session,
    spec,
    strategy: r.strategy,
    params: r.params,
    symbols: r.symbols,
    model: r.model!,
  });
  const champion = new LiveSession(planned.champion);
  const canary = planned.canary!;
  canary.restore();
  champion.restore();
  const sink: FeedSink = {
    ticks: (b) => [champion, canary].forEach((s) => s.ticks(b)),
    bars: (step) => {
      champion.bars(step);
      if (!(canaryBehind && step[0].time === time[cut])) canary.bars(step);
    },
    status: (s) => [champion, canary].forEach((x) => x.status(s)),
    issue: (i) => [champion, canary].forEach((x) => x.issue(i)),
  };
  const feed = new ReplayFeed({ panel: r.panel, symbols: r.symbols, from: r.from, to: r.to, speed: 0 });
  feed.start(sink);
  await feed.done;
}

describe('live:resume of a session with a top-k canary challenger', () => {
  let ref: Awaited<ReturnType<typeof serve>>;
  let cuts: number[];

  beforeAll(async () => {
    ref = await serve('ref', false);
    // The canary's rebalances: the steps before the opens its fills are at (next-open fills).
    const at = new Map([...time].map((t, i) => [t, i]));
    const days = [...new Set(fills(canaryName('ref')).map((f) => at.get(f[1])!))];
    cuts = days.map((d) => d - 1);
  });

  it('the uninterrupted run trades both books on their own params', () => {
    const canary = fills(canaryName('ref'));
    expect(cuts.length).toBeGreaterThan(5);
    // The canary holds up to three longs and three shorts, the champion two longs.
    const first = canary.filter((f) => f[1] === canary[0][1]);
    expect(first.map((f) => f[2]).sort()).toEqual(['buy', 'buy', 'buy', 'sell', 'sell', 'sell']);
    expect(
      new Set(
        fills('ref')
          .filter((f) => f[1] === fills('ref')[0][1])
          .map((f) => f[2]),
      ),
    ).toEqual(new Set(['buy']));
    expect(ref.duel.fraction).toBe(0.3);
  });

  it.each([
    ['both sessions committed the rebalance step', 'cut-even', 0, false],
    ['the champion committed the rebalance step, the canary did not', 'cut-behind', 0, true],
    ['the champion filled the rebalance at the next open, the canary did not', 'cut-open', 1, true],
  ] as const)(
    'killed with a rebalance pending (%s): resumes to the same books as one run',
    async (_label, session, offset, canaryBehind) => {
      // The third rebalance: names are held, and its orders wait for the next open.
      const decided = cuts[2];
      const cut = decided + offset;
      await killedAt(session, cut, canaryBehind);
      const pendingAt = time[decided + 1];
      const before = fills(canaryName(session));
      expect(before.length).toBeGreaterThan(0);
      expect(before.every((f) => f[1] < pendingAt)).toBe(true);
      expect(fills(canaryName('ref')).some((f) => f[1] === pendingAt)).toBe(true);
      if (offset === 1) expect(fills(session).some((f) => f[1] === pendingAt)).toBe(true);

      const resumed = await serve(session, true);
      expect(resumed.restored).toMatchObject({ positionsMatch: true, fills: before.length });
      expect(resumed.restored!.resumeAfter).toBe(canaryBehind ? time[cut - 1] : time[cut]);
      // Nothing lost, nothing traded twice: both journals as the uninterrupted run's, so the same held names and the
      // pending rebalance placed at the open after the cut.
      expect(fills(canaryName(session))).toEqual(fills(canaryName('ref')));
      expect(fills(session)).toEqual(fills('ref'));
      // The canary's share of capital and both books end as the uninterrupted run's; so do the duel's scores.
      expect(resumed.duel.fraction).toBe(0.3);
      // The account as a statement adds it up (positions in symbol order), so to the bit.
      expect(resumed.duel.canaryAccount).toEqual(ref.duel.canaryAccount);
      expect(resumed.positions.champion).toEqual(ref.positions.champion);
      expect(resumed.duel.champion).toEqual(ref.duel.champion);
      expect(resumed.duel.challenger).toEqual(ref.duel.challenger);
    },
  );
});
