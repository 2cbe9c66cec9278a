import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../backtest/spec';
import { Journal } from '../store/journal';
import { openStore } from '../store/sqlite-bar-store';
import { getStrategy } from '../strategies';
import type { SingleStrategy } from '../strategy/types';
import { OutboxDispatcher } from './outbox';
import { positionsFromFills } from './positions';
import { replay } from './replay';
import type { RiskLimits } from './risk';
import { LiveSession } from './session';
import { smallDefaultDb } from './testing-dataset';
import { connection } from '../store/internal';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'quantdesk.js');
let env: Awaited<ReturnType<typeof smallDefaultDb>>;

beforeAll(async () => {
  env = await smallDefaultDb('qd-live-crash-');
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(build.stderr);
});
afterAll(() => env?.cleanup());

/** A port with nothing listening on it (the webhook is "down"). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const count = (db: string, sql: string) => {
  const s = openStore(db, { readonly: true });
  try {
    return connection(s).prepare(sql).pluck().get() as number;
  } finally {
    s.close();
  }
};

describe('kill -9 mid-stream and restart', () => {
  it('restores orders, fills, positions and undelivered alerts; the resumed run ends where an uninterrupted one does', async () => {
    const specJson = {
      strategy: 'sma-cross',
      symbols: env.symbols.slice(0, 6),
      params: { fast: 3, slow: 8 },
      sizing: 'equal-weight',
      commission: { rate: 0.001, fixed: 0 },
    };
    const specFile = env.write('crash.json', specJson);
    // A soft limit on one name: its entries are refused with a warning alert, so alerts keep coming.
    const risk: RiskLimits = { symbols: { [env.symbols[0]]: { maxPosition: 0.5 } }, hard: [] };
    const riskFile = env.write('risk.json', risk);
    const port = await freePort();
    // Sensitive anomaly thresholds: price jumps and volume spikes fire every few bars, so some fall in the
    // detector's first window after the resume (lost when the resumed steps do not warm it).
    const anomalyArgs = ['--anomaly', 'z=2.5', '--anomaly', 'volume=1.6'];
    const anomalies = { zThreshold: 2.5, volumeMultiple: 1.6 };
    const args = [
      'live',
      'run',
      '--spec',
      specFile,
      '--db',
      env.db,
      '--feed',
      'replay',
      '--session',
      'crash',
      '--risk',
      riskFile,
      '--webhook',
      `http://127.0.0.1:${port}/hook`,
      ...anomalyArgs,
    ];

    const child = spawn(process.execPath, [bin, ...args, '--speed', '150'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, sig) => r(sig)));
    // Wait until the child has journaled some fills, then kill it without warning.
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, 25));
      if (count(env.db, "SELECT count(*) FROM fills WHERE session = 'crash'") >= 8) break;
    }
    child.kill('SIGKILL');
    expect(await exited, stderr).toBe('SIGKILL');

    const p = parseSpec(specJson);
    if (!p.ok) throw new Error(p.errors.join());
    const store = openStore(env.db);
    const journal = new Journal(connection(store));
    const fills = journal.loadFills('crash');
    const orders = journal.loadOrders('crash');
    expect(fills.length).toBeGreaterThanOrEqual(8);
    // Every fill belongs to a journaled, filled order (nothing half-written).
    const byId = new Map(orders.map((o) => [o.id, o]));
    for (const f of fills) expect(byId.get(f.orderId)?.status).toBe('filled');
    // A restart restores them, and the journaled positions equal positions recomputed from the fills.
    const strategy = getStrategy('sma-cross') as SingleStrategy;
    const session = new LiveSession({
      store,
      session: 'crash',
      spec: p.spec,
      strategy,
      params: strategy.params.parse(specJson.params),
      symbols: specJson.symbols,
      risk,
    });
    const report = session.restore();
    expect(report.positionsMatch).toBe(true);
    expect(report.fills).toBe(fills.length);
    expect(report.orders).toBe(orders.length);
    const recomputed = positionsFromFills(fills);
    for (const pos of session.positions()) {
      expect(pos.qty).toBeCloseTo(recomputed.get(pos.symbol)!.qty, 9);
      expect(pos.avgCost).toBeCloseTo(recomputed.get(pos.symbol)!.avgCost, 9);
    }
    expect(session.positions().filter((x) => x.qty !== 0).length).toBeGreaterThan(0);
    // Alerts raised while the webhook was down are still in the outbox.
    const pending = journal.pendingOutbox();
    expect(report.undeliveredAlerts).toBe(pending.length);
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((row) => row.attempts >= 0 && JSON.parse(row.target).url.endsWith('/hook'))).toBe(true);

    // The webhook comes back: everything pending is delivered.
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const d = new OutboxDispatcher({ journal, now: () => Date.now() + 3_600_000 });
      expect(await d.deliverDue()).toMatchObject({ delivered: pending.length, failed: 0 });
      expect(received.length).toBe(pending.length);
      expect(received).toContainEqual(
        expect.objectContaining({ kind: 'risk-limit', severity: 'warning', symbol: env.symbols[0] }),
      );
      // Strategy signals are alerts too: those journaled before the crash were still owed to the webhook.
      const signalsBefore = journal.loadSignals('crash', 5_000);
      expect(signalsBefore.length).toBeGreaterThan(0);
      expect(received.filter((b) => (b as { kind: string }).kind === 'signal').length).toBe(signalsBefore.length);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    store.close();

    // The real binary restarts the session: it resumes after the last journaled step and finishes the replay.
    // (The webhook is down again: on exit the run says how many alerts wait and how to deliver them.)
    const again = spawnSync(process.execPath, [bin, ...args, '--speed', '0', '--drain-ms', '300'], {
      encoding: 'utf8',
    });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      /\d+ alert\(s\) wait in the webhook outbox; deliver them with: quantdesk outbox drain --db /,
    );
    expect(again.stderr).toContain(`session crash: restored ${orders.length} orders`);
    expect(again.stderr).toContain('positions match the fills');
    expect(again.stderr).toContain('resuming after');

    // Crash + resume gives exactly the fills of one uninterrupted run.
    const check = openStore(env.db);
    const all = new Journal(connection(check)).loadFills('crash');
    const signals = new Journal(connection(check)).loadSignals('crash', 5_000).reverse();
    const anomalyAlerts = new Journal(connection(check))
      .loadAlerts('crash', 100_000, 'other')
      .filter((a) => a.kind === 'price-jump' || a.kind === 'volume-spike')
      .reverse();
    const clean = await replay(check, p.spec, { risk, anomalies });
    check.close();
    expect(all.length).toBeGreaterThan(fills.length);
    expect(all.map((f) => [f.symbol, f.time, f.side, f.qty, f.price])).toEqual(
      clean.fills.map((f) => [f.symbol, f.time, f.side, f.qty, f.price]),
    );
    // ... and exactly its signals, each journaled once (none lost at the crash, none repeated by the resume).
    const view = (x: { symbol: string; time: number; side: string; price: number; reason: string }) => [
      x.symbol,
      x.time,
      x.side,
      x.price,
      x.reason,
    ];
    expect(signals.map(view)).toEqual(clean.signals.map(view));
    // ... and exactly its anomaly alerts: the resumed steps warm the anomaly detector as they warm the strategy.
    const anomalyView = (a: { kind: string; symbol: string | null; time: number; message: string }) => [
      a.kind,
      a.symbol,
      a.time,
      a.message,
    ];
    const cleanAnomalies = clean.alerts.filter((a) => a.kind === 'price-jump' || a.kind === 'volume-spike');
    expect(cleanAnomalies.length).toBeGreaterThan(20);
    expect(anomalyAlerts.map(anomalyView)).toEqual(cleanAnomalies.map(anomalyView));
  });
});
