import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importCsv } from '../store/import';
import { Journal } from '../store/journal';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { tempDir } from '../store/test-helpers';
import { LiveService } from './service';
import { connection } from '../store/internal';

const SPEC = { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: ['GOOG'], capital: 10_000 };
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

async function dbWithGoog(): Promise<string> {
  const d = tempDir('qd-sessions-');
  dirs.push(d);
  const path = join(d.dir, 'q.db');
  const store = openStore(path);
  const goog = readFileSync(join(__dirname, '../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
  const r = await importCsv(store, 'bars', {
    fileName: 'b.csv',
    content: `symbol,date,open,high,low,close,volume\n${goog.map((l) => `GOOG,${l}`).join('\n')}\n`,
  });
  if (!r.ok) throw new Error(r.error.message);
  store.close();
  return path;
}

/** One host lifetime: a store and its live service; `end()` is a restart (or a crash: the journal is committed). */
function host(path: string): { store: Store; live: LiveService; end(): Promise<void> } {
  const store = openStore(path);
  const live = new LiveService(store, () => undefined, 60_000);
  return {
    store,
    live,
    async end() {
      await live.dispose();
      store.close();
    },
  };
}

describe('named live sessions across host restarts', () => {
  it("reports the last session's kill switch truthfully after a restart (no phantom default), lists sessions and resumes one by name", async () => {
    const path = await dbWithGoog();
    const h1 = host(path);
    expect(h1.live.status()).toMatchObject({ running: false, session: null, killSwitch: { tripped: false } });
    expect(h1.live.sessions()).toEqual([]);
    const started = h1.live.start({ spec: SPEC, feed: 'replay', speed: 0, session: 'GOOG trend', webhooks: [] });
    expect(started.ok).toBe(true);
    await h1.live.feed!.done;
    h1.live.trip('drawdown too deep');
    await h1.live.stop();
    await h1.end();

    const h2 = host(path);
    const st = h2.live.status();
    expect(st).toMatchObject({
      running: false,
      session: 'GOOG trend',
      killSwitch: { tripped: true, reason: 'drawdown too deep' },
    });
    expect(h2.live.sessions()).toEqual([
      {
        name: 'GOOG trend',
        startedAt: expect.any(Number),
        lastTime: expect.any(Number),
        strategy: 'sma-cross',
        symbols: ['GOOG'],
        feed: 'replay',
        killSwitch: { tripped: true, reason: 'drawdown too deep', at: expect.any(Number) },
        resumable: true,
      },
    ]);
    // A second, armed session; then the first is resumed by name: its switch is still tripped.
    expect(
      h2.live.start({
        spec: { ...SPEC, params: { fast: 5, slow: 20 } },
        feed: 'replay',
        speed: 0,
        session: 'GOOG fast',
        webhooks: [],
      }).ok,
    ).toBe(true);
    await h2.live.stop();
    expect(h2.live.sessions().map((s) => [s.name, s.killSwitch.tripped])).toEqual([
      ['GOOG fast', false],
      ['GOOG trend', true],
    ]);
    const resumed = h2.live.resume('GOOG trend');
    expect(resumed.ok && resumed.value).toMatchObject({
      running: true,
      session: 'GOOG trend',
      strategy: 'sma-cross',
      killSwitch: { tripped: true },
    });
    expect(h2.live.lastRestore?.resumeAfter).not.toBeNull();
    await h2.live.stop();
    const missing = h2.live.resume('nope');
    expect(!missing.ok && missing.error).toMatchObject({ code: 'not-found', message: 'no session "nope"' });
    await h2.end();

    const h3 = host(path);
    expect(h3.live.status()).toMatchObject({ session: 'GOOG trend', killSwitch: { tripped: true } });
    await h3.end();
  });
});

describe('sessions journaled before starts were recorded', () => {
  it('takes the session with the latest alert as the last one, with its kill switch as journaled', async () => {
    const path = await dbWithGoog();
    const store = openStore(path);
    const j = new Journal(connection(store));
    j.setState('older', 'lastTime', 5);
    j.setState('newer', 'killswitch', { tripped: true, reason: 'daily loss', at: 7 });
    j.insertAlert(
      'older',
      { id: 'o1', time: 1, kind: 'risk-limit', severity: 'warning', symbol: null, message: 'x', acknowledgedAt: null },
      [],
    );
    j.insertAlert(
      'newer',
      {
        id: 'n1',
        time: 2,
        kind: 'kill-switch',
        severity: 'critical',
        symbol: null,
        message: 'daily loss',
        acknowledgedAt: null,
      },
      [],
    );
    store.close();
    const h = host(path);
    expect(h.live.status()).toMatchObject({
      running: false,
      session: 'newer',
      killSwitch: { tripped: true, reason: 'daily loss' },
    });
    expect(h.live.sessions().map((x) => [x.name, x.resumable])).toEqual([
      ['newer', false],
      ['older', false],
    ]);
    const r = h.live.resume('older');
    expect(!r.ok && r.error.code).toBe('not-found');
    await h.end();
  });
});
