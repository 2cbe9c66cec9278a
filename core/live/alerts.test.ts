import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../store/journal';
import { openStore } from '../store/sqlite-bar-store';
import { AlertCenter, webhookRequest } from './alerts';
import { AnomalyDetector } from './anomalies';
import { OutboxDispatcher } from './outbox';
import type { Alert } from './types';
import { connection } from '../store/internal';

const T = Date.UTC(2024, 0, 2);

/** A local webhook that answers 503 for the first `failures` requests, then 200; it records every body. */
async function flakyServer(failures: number) {
  const bodies: { url: string; body: unknown; status: number }[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const status = n++ < failures ? 503 : 200;
      bodies.push({ url: req.url ?? '', body: JSON.parse(data), status });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { bodies, base: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('AlertCenter', () => {
  it('prunes expired de-duplication keys per kind, never a key whose cool-down still runs on its own clock', () => {
    const store = openStore(':memory:');
    const center = new AlertCenter({ session: 's', journal: new Journal(connection(store)), cooldownMs: 60_000 });
    // A signal on bar time (2015), then thousands of one-off wall-clock alerts of another kind.
    const barTime = Date.UTC(2015, 0, 2);
    expect(
      center.raise({ kind: 'signal', severity: 'info', message: 'buy', time: barTime, key: 'signal:A:buy' }),
    ).not.toBeNull();
    const wall = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 10_000; i++)
      center.raise({
        kind: 'risk-limit',
        severity: 'warning',
        message: 'x',
        time: wall + i * 120_000,
        key: `risk:${i}`,
      });
    // Pruning ran (10,001 keys > 4,096) but only over risk-limit keys: the signal is still a duplicate.
    expect(
      center.raise({ kind: 'signal', severity: 'info', message: 'buy', time: barTime, key: 'signal:A:buy' }),
    ).toBeNull();
    // Thousands of unique signal keys on advancing bar time: the recent ones still suppress their duplicates.
    for (let i = 1; i <= 10_000; i++)
      center.raise({ kind: 'signal', severity: 'info', message: 's', time: barTime + i * 1_000, key: `signal:B:${i}` });
    expect(
      center.raise({ kind: 'signal', severity: 'info', message: 's', time: barTime + 9_990_000, key: 'signal:B:9990' }),
    ).toBeNull();
    expect(center.suppressed).toBe(2);
    expect(connection(store).prepare("SELECT count(*) FROM alerts WHERE kind = 'signal'").pluck().get()).toBe(10_001);
    // Ids increase within a centre (appended to the id index, not scattered) and differ between centres.
    const ids = connection(store).prepare('SELECT id FROM alerts ORDER BY seq').pluck().all() as string[];
    expect([...ids].sort()).toEqual(ids);
    const other = new AlertCenter({ session: 's2', journal: new Journal(connection(store)) }).raise({
      kind: 'signal',
      severity: 'info',
      message: 'buy',
      time: barTime,
      key: 'signal:A:buy',
    });
    expect(ids).not.toContain(other!.id);
    store.close();
  });

  it('de-duplicates same-key alerts within the cool-down, journals them and acknowledges', () => {
    const store = openStore(':memory:');
    const journal = new Journal(connection(store));
    const raised: Alert[] = [];
    const c = new AlertCenter({ session: 's', journal, cooldownMs: 60_000, onRaised: (a) => raised.push(a) });
    const a1 = c.raise({ kind: 'price-jump', severity: 'warning', symbol: 'A', message: 'jump', time: T });
    expect(
      c.raise({ kind: 'price-jump', severity: 'warning', symbol: 'A', message: 'again', time: T + 59_999 }),
    ).toBeNull();
    expect(
      c.raise({ kind: 'price-jump', severity: 'warning', symbol: 'B', message: 'other', time: T + 1 }),
    ).not.toBeNull();
    expect(
      c.raise({ kind: 'price-jump', severity: 'warning', symbol: 'A', message: 'later', time: T + 60_000 }),
    ).not.toBeNull();
    expect(c.suppressed).toBe(1);
    expect(raised.map((a) => a.message)).toEqual(['jump', 'other', 'later']);
    expect(c.list().map((a) => a.message)).toEqual(['later', 'other', 'jump']);
    expect(c.ack(a1!.id, T + 5)).toBe(true);
    expect(c.ack(a1!.id, T + 6)).toBe(false);
    expect(c.list().find((a) => a.id === a1!.id)!.acknowledgedAt).toBe(T + 5);
    store.close();
  });

  it('formats the generic JSON body and the Telegram sendMessage call', () => {
    const a: Alert = {
      id: 'x',
      time: T,
      kind: 'kill-switch',
      severity: 'critical',
      symbol: null,
      message: 'tripped',
      acknowledgedAt: null,
    };
    const [url, body] = webhookRequest({ kind: 'telegram', token: '123:abc', chatId: -42, apiUrl: 'http://h/' }, a);
    expect(url).toBe('http://h/bot123:abc/sendMessage');
    expect(JSON.parse(body)).toEqual({ chat_id: -42, text: '[CRITICAL] kill-switch: tripped' });
    const [u2, b2] = webhookRequest({ kind: 'json', url: 'http://h/hook' }, a);
    expect(u2).toBe('http://h/hook');
    expect(JSON.parse(b2)).toEqual({
      id: 'x',
      kind: 'kill-switch',
      severity: 'critical',
      symbol: null,
      message: 'tripped',
      time: '2024-01-02T00:00:00.000Z',
    });
    const [, b3] = webhookRequest(
      { kind: 'json', url: 'http://h/hook' },
      { ...a, kind: 'signal' },
      { side: 'buy', price: 10 },
    );
    expect(JSON.parse(b3)).toMatchObject({ kind: 'signal', data: { side: 'buy', price: 10 } });
  });
});

describe('outbox', () => {
  it('delivers an alert raised while the webhook fails, after retries with backoff, even across a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'qd-outbox-'));
    const db = join(dir, 'j.db');
    const hook = await flakyServer(2);
    let now = T;
    try {
      let store = openStore(db);
      let journal = new Journal(connection(store));
      const center = new AlertCenter({
        session: 's',
        journal,
        webhooks: [
          { kind: 'json', url: `${hook.base}/hook` },
          { kind: 'telegram', token: 't0k', chatId: 7, apiUrl: hook.base, minSeverity: 'critical' },
        ],
      });
      center.raise({ kind: 'volume-spike', severity: 'warning', symbol: 'A', message: 'spike', time: now });
      const d1 = new OutboxDispatcher({ journal, now: () => now, baseDelayMs: 1_000 });
      expect(await d1.deliverDue()).toMatchObject({ delivered: 0, failed: 1 });
      expect(journal.pendingOutbox()[0]).toMatchObject({
        attempts: 1,
        nextAttemptAt: T + 1_000,
        lastError: 'HTTP 503',
      });
      expect(await d1.deliverDue()).toMatchObject({ delivered: 0, failed: 0 }); // not due yet
      now += 1_000;
      expect(await d1.deliverDue()).toMatchObject({ delivered: 0, failed: 1 });
      expect(journal.pendingOutbox()[0]).toMatchObject({ attempts: 2, nextAttemptAt: T + 1_000 + 2_000 });
      // The process goes away; the row is in the file.
      store.close();
      store = openStore(db);
      journal = new Journal(connection(store));
      const d2 = new OutboxDispatcher({ journal, now: () => now });
      now += 2_000;
      expect(await d2.deliverDue()).toMatchObject({ delivered: 1, failed: 0 });
      expect(journal.pendingOutbox()).toHaveLength(0);
      expect(hook.bodies.map((b) => b.status)).toEqual([503, 503, 200]);
      expect(hook.bodies[2]).toMatchObject({
        url: '/hook',
        body: { kind: 'volume-spike', symbol: 'A', message: 'spike' },
      });
      // A critical alert also goes to Telegram in the Bot API's format.
      new AlertCenter({
        session: 's',
        journal,
        webhooks: [{ kind: 'telegram', token: 't0k', chatId: 7, apiUrl: hook.base }],
      }).raise({ kind: 'kill-switch', severity: 'critical', message: 'tripped', time: now });
      expect(await d2.deliverDue()).toMatchObject({ delivered: 1, failed: 0 });
      expect(hook.bodies[3]).toEqual({
        url: '/bott0k/sendMessage',
        body: { chat_id: 7, text: '[CRITICAL] kill-switch: tripped' },
        status: 200,
      });
      store.close();
    } finally {
      await hook.close();
    }
  });

  it('stops polling, without an unhandled rejection, when its store is closed under it', async () => {
    const store = openStore(':memory:');
    const d = new OutboxDispatcher({ journal: new Journal(connection(store)) });
    d.start(5);
    expect(d.isPolling).toBe(true);
    store.close();
    const until = Date.now() + 2_000;
    while (d.isPolling && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(d.isPolling).toBe(false);
    expect(d.lastError).toBeNull();
  });

  it('backs off exponentially up to the cap', () => {
    const d = new OutboxDispatcher({ journal: {} as Journal, baseDelayMs: 100, maxDelayMs: 1_000 });
    expect([1, 2, 3, 4, 5, 6].map((a) => d.delay(a))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });
});

describe('AnomalyDetector', () => {
  it('flags a return jump and a volume spike against the preceding window only', () => {
    const det = new AnomalyDetector({ window: 10, zThreshold: 4, volumeMultiple: 3 });
    let px = 100;
    const found: string[] = [];
    for (let i = 0; i < 30; i++) {
      px *= i % 2 === 0 ? 1.01 : 0.99;
      for (const a of det.onBar('A', px, 1_000)) found.push(a.kind);
    }
    expect(found).toEqual([]);
    expect(det.onBar('A', px * 1.08, 1_000).map((a) => a.kind)).toEqual(['price-jump']);
    expect(det.onBar('B', 10, 1_000)).toEqual([]); // another symbol has its own window
    const spike = det.onBar('A', px * 1.08 * 1.01, 3_500);
    expect(spike.map((a) => a.kind)).toEqual(['volume-spike']);
    expect(spike[0].value).toBeCloseTo(3.5, 9);
  });

  it('stays silent until the window is full', () => {
    const det = new AnomalyDetector({ window: 5 });
    const out = [100, 101, 150, 10, 200].flatMap((c) => det.onBar('A', c, c));
    expect(out).toEqual([]);
  });
});
