import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../model/time';
import { trainAndRegister } from '../models/service';
import { modelSpecSchema } from '../models/spec';
import { seedPlanted } from '../models/test-store';
import { connection } from '../store/internal';
import { Journal } from '../store/journal';
import { openStore } from '../store/sqlite-bar-store';
import { canaryName } from './canary';
import { LiveService } from './service';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'quantdesk.js');
let dir: string;
let db: string;
/** The threshold duel and the top-k one (the challenger on its own top-k params), each with its spec file. */
const specs: Record<'threshold' | 'top-k', { spec: object; file: string }> = {} as never;
let from: string;

beforeAll(async () => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(build.stderr);
  dir = mkdtempSync(join(tmpdir(), 'qd-canary-resume-'));
  db = join(dir, 'canary.db');
  const store = openStore(db);
  const panel = await seedPlanted(store);
  from = formatDate(panel.time[200]);
  const model = (m: object) =>
    modelSpecSchema.parse({
      universe: 'all',
      start: formatDate(panel.time[0]),
      end: formatDate(panel.time[329]),
      features: [
        { name: 'return', window: 5 },
        { name: 'rsi', period: 14 },
      ],
      label: { kind: 'forward-return', horizon: 5 },
      model: m,
      walkForward: { train: 150, test: 60, embargo: 5, anchored: false },
    });
  const champion = (await trainAndRegister(store, model({ kind: 'gbdt', trees: 10, depth: 3, seed: 1, minLeaf: 20 })))
    .record.id;
  const challenger = (await trainAndRegister(store, model({ kind: 'linear' }))).record.id;
  store.close();
  const params = {
    threshold: {
      modelId: champion,
      mode: 'threshold',
      short: true,
      challenger: { modelId: challenger, mode: 'canary', fraction: 0.3 },
    },
    'top-k': {
      modelId: champion,
      mode: 'top-k',
      topK: 2,
      nDrop: 1,
      rebalance: 'weekly',
      challenger: {
        modelId: challenger,
        mode: 'canary',
        fraction: 0.3,
        topK: 3,
        nDrop: 1,
        short: true,
        rebalance: 'daily',
      },
    },
  };
  for (const kind of ['threshold', 'top-k'] as const) {
    const spec = { strategy: 'model-signal', params: params[kind], universe: 'all', capital: 100_000 };
    const file = join(dir, `spec-${kind}.json`);
    writeFileSync(file, JSON.stringify(spec));
    specs[kind] = { spec, file };
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fillsOf = (session: string) => {
  const s = openStore(db, { readonly: true });
  try {
    return new Journal(connection(s)).loadFills(session).map((f) => [f.symbol, f.time, f.side, f.qty, f.price]);
  } finally {
    s.close();
  }
};

describe('live:resume of a champion/challenger session', () => {
  it.each(['threshold', 'top-k'] as const)(
    'after kill -9 (%s), restores the canary (<session>~challenger) from its journal with the champion; both end as an uninterrupted run',
    async (kind) => {
      const { spec, file: specFile } = specs[kind];
      const refName = `ref-${kind}`;
      const duelName = `duel-${kind}`;
      // The reference: one uninterrupted run of the same spec.
      const ref = openStore(db);
      const live = new LiveService(ref, () => undefined, 60_000);
      const started = live.start({ spec, feed: 'replay', speed: 0, from, session: refName, webhooks: [] });
      expect(started.ok && started.value.running).toBe(true);
      await live.feed!.done;
      await live.dispose();
      ref.close();
      const refChampion = fillsOf(refName);
      const refCanary = fillsOf(canaryName(refName));
      expect(refCanary.length).toBeGreaterThan(6);

      // The real binary runs the session and is killed without warning once the canary has traded.
      const args = [
        'live',
        'run',
        '--spec',
        specFile,
        '--db',
        db,
        '--feed',
        'replay',
        '--session',
        duelName,
        '--from',
        from,
      ];
      const child = spawn(process.execPath, [bin, ...args, '--speed', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, sig) => r(sig)));
      for (let i = 0; i < 600; i++) {
        await new Promise((r) => setTimeout(r, 25));
        if (fillsOf(canaryName(duelName)).length >= 3) break;
      }
      child.kill('SIGKILL');
      expect(await exited, stderr).toBe('SIGKILL');
      const before = fillsOf(canaryName(duelName));
      expect(before.length).toBeGreaterThanOrEqual(3);
      expect(before.length).toBeLessThan(refCanary.length);

      // The app restarts and resumes the champion by name: its canary comes back with it, restored from its journal.
      const store = openStore(db);
      const host = new LiveService(store, () => undefined, 60_000);
      const resumed = host.resume(duelName, 0);
      expect(resumed.ok, resumed.ok ? '' : resumed.error.message).toBe(true);
      expect(host.lastCanaryRestore).toMatchObject({ positionsMatch: true, fills: before.length });
      expect(host.lastCanaryRestore!.resumeAfter).not.toBeNull();
      // The canary is listed under its champion, and resuming it by its own name resumes the pair.
      const listed = host.sessions().find((x) => x.name === canaryName(duelName));
      expect(listed).toMatchObject({ resumable: true, strategy: 'model-signal' });
      expect(host.resume(canaryName(duelName))).toMatchObject({ ok: false, error: { code: 'conflict' } });
      await host.feed!.done;
      expect(host.duel()!.canaryAccount).not.toBeNull();
      await host.dispose();
      store.close();
      // Nothing lost, nothing traded twice: both journals equal the uninterrupted run's.
      expect(fillsOf(canaryName(duelName))).toEqual(refCanary);
      expect(fillsOf(duelName)).toEqual(refChampion);
    },
  );
});
